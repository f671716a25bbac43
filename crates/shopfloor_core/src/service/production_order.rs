//! Production-order rules beyond the generic ones: dates, the lifecycle on save, the lifecycle
//! verbs, production reporting, history and the location/status listing.

use crate::errors::{CoreError, CoreResult, FieldErrors};
use crate::history::{Action, Event as HistoryEvent};
use crate::id::Id;
use crate::lifecycle::{self, Status, EDITABLE_WHEN_FINAL};
use crate::query::{Condition, FieldRef, Filter, Operand, Query, Sort};
use crate::record::{parse_real, Record, Value};
use crate::schema::{Access, Entity};
use crate::service::entity::{self, check_dates, Event};
use crate::service::{bill_of_materials, location, property, shift};
use crate::tx::{Caller, Tx};
use serde_json::Value as Json;

const ORDER: Entity = Entity::ProductionOrder;

fn status_of(record: &Record) -> Option<Status> {
    record.text("status").and_then(Status::parse)
}

/// Save-time rules: end not before start, the transition table, the read-only final states,
/// and the side effects of entering a status.
pub fn rules(tx: &mut dyn Tx, caller: &Caller, record: &mut Record, before: Option<&Record>, errors: &mut FieldErrors) -> CoreResult<()> {
    check_dates(record, "startDate", "endDate", errors);
    let Some(to) = status_of(record) else { return Ok(()) };
    match before.and_then(|b| status_of(b).map(|s| (b, s))) {
        Some((stored, from)) => {
            if from.is_final() {
                for f in ORDER.def().fields.iter().filter(|f| f.access == Access::Input) {
                    if !EDITABLE_WHEN_FINAL.contains(&f.key) && stored.get(f.key) != record.get(f.key) && !errors.has(f.key) {
                        errors.add(
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
            if from != to {
                match lifecycle::check(from, to) {
                    Ok(()) => enter(tx, caller, record, to)?,
                    Err(msg) => errors.add("status", msg),
                }
            }
        }
        None => {
            if to != Status::Idle {
                enter(tx, caller, record, to)?;
            }
        }
    }
    Ok(())
}

/// Applies the side effects of entering `to` (start/end dates, shift record).
fn enter(tx: &mut dyn Tx, caller: &Caller, record: &mut Record, to: Status) -> CoreResult<()> {
    let active = match (to, record.get("shiftRecordId"), record.get("locationId").as_id()) {
        (Status::Running, Value::Null, Some(location)) => shift::current_record_id(tx, location)?,
        _ => None,
    };
    lifecycle::apply_effects(record, to, caller.now, || active);
    Ok(())
}

/// The order named by id or name, held against concurrent writers until the transaction ends,
/// with its status.
fn lock(tx: &mut dyn Tx, order: &str) -> CoreResult<(Record, Status)> {
    let found = entity::require(tx, ORDER, order)?;
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
    lifecycle::check(from, to).map_err(|m| CoreError::field("status", m))?;
    let mut record = before.clone();
    record.set("status", Value::Text(to.as_str().into()));
    enter(tx, caller, &mut record, to)?;
    entity::write(
        tx,
        caller,
        ORDER,
        record,
        Some(before),
        Event {
            action: Some(Action::Transition),
            reason,
        },
    )
}

/// `getAllowedTransitions(productionOrderIdOrName)`.
pub fn allowed_transitions(tx: &mut dyn Tx, order: &str) -> CoreResult<Vec<&'static str>> {
    let record = entity::require(tx, ORDER, order)?;
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
    let total = produced + delta;
    if total < 0.0 {
        return Err(CoreError::field(
            "quantity",
            format!("would make quantityProduced negative ({produced} + {delta})"),
        ));
    }
    let mut record = before.clone();
    record.set("quantityProduced", Value::Real(total));
    entity::write(
        tx,
        caller,
        ORDER,
        record,
        Some(before),
        Event {
            action: Some(Action::Report),
            reason,
        },
    )
}

/// `getProductionOrderHistory(productionOrderIdOrName)`: oldest first; also for a deleted
/// order when given its id. `None` when nothing is known of it.
pub fn history(tx: &mut dyn Tx, order: &str) -> CoreResult<Option<Vec<HistoryEvent>>> {
    let id = match entity::lookup(tx, ORDER, order)? {
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
        match entity::lookup(tx, Entity::Location, text)? {
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
        sort: vec![Sort {
            field: field("name"),
            descending: false,
        }],
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
    let record = entity::require(tx, ORDER, order)?;
    let id = record.id().ok_or_else(|| CoreError::Internal("order without id".into()))?;
    let values = property::values_for(tx, id)?;
    let items = bill_of_materials::items_of(tx, id)?;
    for (entity, rows) in [
        (Entity::ProductionOrderPropertyValue, &values),
        (Entity::BillOfMaterialsItem, &items),
    ] {
        for r in rows.iter() {
            if let Some(rid) = r.id() {
                entity::delete(tx, caller, entity, &rid.to_string())?;
            }
        }
    }
    let mut response = entity::delete(tx, caller, ORDER, &id.to_string())?;
    response["message"] = Json::String(format!(
        "production order {id} deleted with {} property values and {} bill of materials items",
        values.len(),
        items.len()
    ));
    Ok(response)
}
