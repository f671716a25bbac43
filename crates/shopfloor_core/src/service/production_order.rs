//! Production-order rules beyond the generic ones: dates, the lifecycle on save, the lifecycle
//! verbs, production reporting, history and the location/status listing.

use crate::errors::{CoreError, CoreResult, FieldErrors};
use crate::history::{Action, Event as HistoryEvent};
use crate::id::Id;
use crate::lifecycle::{self, Status, EDITABLE_WHEN_FINAL};
use crate::query::{Condition, FieldRef, Filter, Operand, Query, Sort};
use crate::record::{finite_result, parse_real, Record, Value};
use crate::schema::{Access, Entity};
use crate::service::generic::{self, check_dates, Draft, Event, Hooks};
use crate::service::{bill_of_materials, location, property, shift};
use crate::tx::{Caller, Tx};
use serde_json::Value as Json;

const ORDER: Entity = Entity::ProductionOrder;

/// Orders: the save rules below, their own history, `property:<name>` query fields.
pub static ORDER_HOOKS: Hooks = Hooks {
    save_rules: Some(save_rules),
    order_field: Some("id"),
    query_properties: Some(property::columns),
    ..Hooks::plain(ORDER)
};

fn status_of(record: &Record) -> Option<Status> {
    record.text("status").and_then(Status::parse)
}

/// The permission of `reportProduction`; a save or an import that changes `quantityProduced`
/// needs it as well. A status change needs its verb's permission ([`lifecycle::Verb::permission`]).
pub const REPORT: &str = "PRODUCTION_ORDER.EXECUTE.REPORT";

/// Refuses a save that sets `quantityProduced` to something other than the stored value (or,
/// creating, the default) unless the caller may execute orders; the status is checked by
/// [`change_status`].
fn require_report_for_quantity_produced(draft: &Draft) -> CoreResult<()> {
    let key = "quantityProduced";
    let given = draft.record.get(key).as_real();
    let baseline = match draft.before {
        Some(stored) => stored.get(key).as_real(),
        None => Record::template(ORDER.def()).get(key).as_real(),
    };
    if given != baseline {
        draft.caller.require(REPORT)?;
    }
    Ok(())
}

/// Save-time rules: end not before start, the read-only final states, the execute permissions for what the
/// verbs move, and a status change through [`change_status`] (recorded as a TRANSITION).
fn save_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    require_report_for_quantity_produced(draft)?;
    check_dates(&draft.record, "startDate", "endDate", &mut draft.errors);
    let Some(to) = status_of(&draft.record) else { return Ok(()) };
    let stored = draft.before.and_then(|b| status_of(b).map(|s| (b, s)));
    if let Some((stored, from)) = stored.filter(|(_, from)| from.is_final()) {
        for f in ORDER.def().fields.iter().filter(|f| f.access == Access::Input) {
            if !EDITABLE_WHEN_FINAL.contains(&f.key) && stored.get(f.key) != draft.record.get(f.key) && !draft.errors.has(f.key) {
                draft.errors.add(
                    f.key,
                    format!(
                        "cannot change: the order is {}; only notes, enabled and spare1..3 can change",
                        from.as_str()
                    ),
                );
            }
        }
        return Ok(());
    }
    let from = stored.map(|(_, from)| from);
    if from == Some(to) {
        return Ok(());
    }
    match change_status(tx, draft.caller, &mut draft.record, from, to) {
        Ok(()) if from.is_some() => draft.action = Some(Action::Transition),
        Ok(()) => {}
        Err(CoreError::Validation(refused)) => draft.errors.merge(refused),
        Err(other) => return Err(other),
    }
    Ok(())
}

/// The one door of a status change: a save that changes `status`, the lifecycle verbs and the
/// import all move an order through here, and nothing else checks the transition table or
/// applies its effects. `from` is the stored status (`None`: the order is being created, in any
/// status); see [`lifecycle::transition`]. Changes `record` only; the caller writes it.
/// Every change needs the permission of the verb into `to`, also creating an order in any status
/// but IDLE.
pub fn change_status(tx: &mut dyn Tx, caller: &Caller, record: &mut Record, from: Option<Status>, to: Status) -> CoreResult<()> {
    if from.is_some() || to != Status::Idle {
        caller.require(lifecycle::verb_to(to).map_or("PRODUCTION_ORDER.EXECUTE", |v| v.permission))?;
    }
    lifecycle::transition(record, from, to, caller.now, |location| shift::current_record_id(tx, location))
}

/// Moves a stored order to `to` through [`change_status`] and writes it with a TRANSITION event:
/// the lifecycle verbs, and an imported order that was created before its status was set
/// (`from` `None`).
pub fn write_transition(
    tx: &mut dyn Tx,
    caller: &Caller,
    before: Record,
    from: Option<Status>,
    to: Status,
    reason: Option<String>,
) -> CoreResult<Record> {
    let mut record = before.clone();
    change_status(tx, caller, &mut record, from, to)?;
    write(tx, caller, record, before, Action::Transition, reason)
}

/// Writes an order as changed by a verb (transition, report) with the verb's event.
fn write(tx: &mut dyn Tx, caller: &Caller, record: Record, before: Record, action: Action, reason: Option<String>) -> CoreResult<Record> {
    let event = Event {
        action: Some(action),
        reason,
    };
    generic::write(tx, caller, &ORDER_HOOKS, record, Some(before), event)
}

/// The order named by id or name, held against concurrent writers until the transaction ends,
/// with its status.
fn lock(tx: &mut dyn Tx, order: &str) -> CoreResult<(Record, Status)> {
    let found = generic::require(tx, ORDER, order)?;
    let id = found.id().ok_or_else(|| CoreError::Internal("order without id".into()))?;
    let record = tx.get_for_update(ORDER, id)?.unwrap_or(found);
    let status = status_of(&record).ok_or_else(|| CoreError::Internal("order without status".into()))?;
    Ok((record, status))
}

/// The lifecycle verbs: `startProductionOrder(productionOrderIdOrName, reason=None)` and friends.
pub fn transition(tx: &mut dyn Tx, caller: &Caller, order: &str, to: Status, reason: Option<String>) -> CoreResult<Record> {
    let (before, from) = lock(tx, order)?;
    if from == to {
        return Err(CoreError::field("status", format!("the order is already {}", to.as_str())));
    }
    write_transition(tx, caller, before, Some(from), to, reason)
}

/// `getAllowedTransitions(productionOrderIdOrName)`.
pub fn allowed_transitions(tx: &mut dyn Tx, order: &str) -> CoreResult<Vec<&'static str>> {
    let record = generic::require(tx, ORDER, order)?;
    Ok(status_of(&record)
        .map(|s| s.targets().iter().map(|t| t.as_str()).collect())
        .unwrap_or_default())
}

/// `reportProduction(productionOrderIdOrName, quantity, reason=None)`: adds to
/// `quantityProduced` inside the write transaction, so concurrent reports never lose counts.
pub fn report(tx: &mut dyn Tx, caller: &Caller, order: &str, quantity: &Json, reason: Option<String>) -> CoreResult<Record> {
    let delta = parse_real(quantity).map_err(|m| CoreError::field("quantity", m))?;
    let (before, status) = lock(tx, order)?;
    if !status.accepts_reports() {
        return Err(CoreError::field(
            "status",
            format!(
                "production can be reported only while RUNNING, PAUSED or STOPPED; the order is {}",
                status.as_str()
            ),
        ));
    }
    let produced = before.get("quantityProduced").as_real().unwrap_or(0.0);
    let total = finite_result(produced + delta, "quantityProduced").map_err(|m| CoreError::field("quantity", m))?;
    if total < 0.0 {
        return Err(CoreError::field(
            "quantity",
            format!("would make quantityProduced negative ({produced} + {delta})"),
        ));
    }
    let mut record = before.clone();
    record.set("quantityProduced", Value::Real(total));
    write(tx, caller, record, before, Action::Report, reason)
}

/// `getProductionOrderHistory(productionOrderIdOrName)`: oldest first; also for a deleted
/// order when given its id. `None` when nothing is known of it.
pub fn history(tx: &mut dyn Tx, order: &str) -> CoreResult<Option<Vec<HistoryEvent>>> {
    let id = match generic::lookup(tx, ORDER, order)? {
        Some(r) => r.id(),
        None => Id::parse(order).ok(),
    };
    let Some(id) = id else { return Ok(None) };
    let events = tx.order_events(id)?;
    Ok(if events.is_empty() { None } else { Some(events) })
}

/// `getDetailedProductionOrdersByLocationAndStatus(locationIdsOrPaths, statuses)`: orders at
/// those locations or below them, in those statuses, by name.
pub fn by_location_and_status(tx: &mut dyn Tx, locations: &[String], statuses: &[String]) -> CoreResult<Vec<Record>> {
    let mut errors = FieldErrors::new();
    let mut location_ids = Vec::new();
    for text in locations {
        match generic::lookup(tx, Entity::Location, text)? {
            Some(loc) => location_ids.extend(location::subtree_ids(tx, &loc)?),
            None => errors.add("locationIdsOrPaths", format!("no location '{text}'")),
        }
    }
    let mut status_values = Vec::new();
    for s in statuses {
        match Status::parse(s) {
            Some(st) => status_values.push(Value::Text(st.as_str().into())),
            None => errors.add("statuses", format!("'{s}' is not a production-order status")),
        }
    }
    errors.into_result()?;
    if location_ids.is_empty() || status_values.is_empty() {
        return Ok(vec![]);
    }
    let def = ORDER.def();
    let field = |k| FieldRef::resolve(def, k).expect("order field");
    let query = Query {
        filters: vec![
            Filter {
                field: field("locationId"),
                condition: Condition::In,
                operand: Operand::List(location_ids.into_iter().map(|i| Value::Text(i.to_string().into())).collect()),
            },
            Filter {
                field: field("status"),
                condition: Condition::In,
                operand: Operand::List(status_values),
            },
        ],
        sort: vec![Sort::new(field("name"), false)],
        page: None,
    };
    tx.find(ORDER, &query)
}

/// An order as `getProductionOrder` returns it: the record with its `propertyValues` (by
/// property name) and `billOfMaterials` (by position).
pub fn detailed(tx: &mut dyn Tx, order: &Record) -> CoreResult<Json> {
    let mut json = order.to_json(ORDER.def());
    if let Some(id) = order.id() {
        let values = property::values_for(tx, id)?;
        let items = bill_of_materials::items_of(tx, id)?;
        json["propertyValues"] = Json::Array(
            values
                .iter()
                .map(|v| v.to_json(Entity::ProductionOrderPropertyValue.def()))
                .collect(),
        );
        json["billOfMaterials"] = Json::Array(items.iter().map(|i| i.to_json(Entity::BillOfMaterialsItem.def())).collect());
    }
    Ok(json)
}

/// `deleteProductionOrderWithReferences(productionOrderIdOrName)`: the order's property values
/// and BOM items, then the order, in one transaction (each with its DELETE event).
pub fn delete_with_references(tx: &mut dyn Tx, caller: &Caller, order: &str) -> CoreResult<Json> {
    let record = generic::require(tx, ORDER, order)?;
    let id = record.id().ok_or_else(|| CoreError::Internal("order without id".into()))?;
    let values = property::values_for(tx, id)?;
    let items = bill_of_materials::items_of(tx, id)?;
    for (hooks, rows) in [(&property::VALUE_HOOKS, &values), (&bill_of_materials::ITEM_HOOKS, &items)] {
        for r in rows.iter() {
            if let Some(rid) = r.id() {
                generic::delete(tx, caller, hooks, &rid.to_string())?;
            }
        }
    }
    let mut response = generic::delete(tx, caller, &ORDER_HOOKS, &id.to_string())?;
    response["message"] = Json::String(format!(
        "production order {id} deleted with {} property values and {} bill of materials items",
        values.len(),
        items.len()
    ));
    Ok(response)
}
