//! The bill of materials of an order (SPEC §2.4): one item per (order, material), the product
//! and order quantity derived from the order, and positions that stay dense (1..n) and unique
//! within the order through inserts, moves, deletes and swaps.

use crate::errors::{CoreError, CoreResult, FieldErrors};
use crate::id::Id;
use crate::query::{Condition, FieldRef, Filter, Operand, Query, Sort};
use crate::record::{finite_result, Record, Value};
use crate::schema::Entity;
use crate::service::generic::{self, Checked, Draft, Event, Hooks};
use crate::service::property::check_order_open;
use crate::tx::{Caller, Tx};
use serde_json::{json, Map, Value as Json};

const ITEM: Entity = Entity::BillOfMaterialsItem;

/// Items: their rules, and their changes go to the history of their order. Saves and deletes
/// of items through the script API also move their siblings ([`save`], [`delete`]).
pub static ITEM_HOOKS: Hooks = Hooks {
    save_rules: Some(rules),
    order_field: Some("productionOrderId"),
    ..Hooks::plain(ITEM)
};

/// The order's items by position.
pub fn items_of(tx: &mut dyn Tx, order: Id) -> CoreResult<Vec<Record>> {
    tx.find(ITEM, &by_position(order))
}

/// The order's items at and after `from`, by position.
fn items_from(tx: &mut dyn Tx, order: Id, from: i64) -> CoreResult<Vec<Record>> {
    let mut q = by_position(order);
    q.filters.push(Filter {
        field: position_field(),
        condition: Condition::GreaterThanOrEqualTo,
        operand: Operand::One(Value::Int(from)),
    });
    tx.find(ITEM, &q)
}

fn by_position(order: Id) -> Query {
    let mut q = Query::eq(ITEM.def(), "productionOrderId", Value::Id(order));
    q.sort = vec![Sort::new(position_field(), false)];
    q
}

fn position_field() -> FieldRef {
    FieldRef::resolve(ITEM.def(), "position").expect("position")
}

fn position(r: &Record) -> i64 {
    r.get("position").as_int().unwrap_or(0)
}

/// Save-time rules (also run by `validateBillOfMaterialsItem`).
fn rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let (record, before, input, errors) = (&mut draft.record, draft.before, draft.input, &mut draft.errors);
    let Some(order) = record
        .get("productionOrderId")
        .as_id()
        // Locked: items of one order are renumbered by one writer at a time.
        .map(|id| tx.get_for_update(Entity::ProductionOrder, id))
        .transpose()?
        .flatten()
    else {
        return Ok(());
    };
    check_order_open(&order, errors);
    if let Some(stored) = before {
        if stored.get("productionOrderId") != record.get("productionOrderId") && !errors.has("productionOrderId") {
            errors.add("productionOrderId", "an item cannot move to another order");
        }
    }
    match (record.get("productId").as_id(), order.get("productId").as_id()) {
        (None, Some(p)) => record.set("productId", Value::Id(p)),
        (Some(given), Some(p)) if given != p && !errors.has("productId") => {
            errors.add("productId", format!("must be the order's product {p}, got {given}"));
        }
        _ => {}
    }
    if let Some(material) = record.get("materialId").as_id() {
        if record.get("unitOfMeasureId").is_null() {
            if let Some(m) = tx.get(Entity::Material, material)? {
                record.set("unitOfMeasureId", m.get("unitOfMeasureId").clone());
            }
        }
        let def = ITEM.def();
        let q = Query::eq(def, "productionOrderId", order.get("id").clone()).and_eq(def, "materialId", Value::Id(material));
        if let Some(other) = tx.find(ITEM, &q)?.into_iter().find(|i| i.id() != record.id()) {
            errors.add(
                "materialId",
                format!(
                    "the order already has an item for this material (id {})",
                    other.id().map(|i| i.to_string()).unwrap_or_default()
                ),
            );
        }
    }
    let recompute =
        !input.present.contains_key("quantityOrder") && (before.is_none() || input.present.contains_key("quantityPerProducedUnit"));
    if recompute {
        if let (Some(per), Some(q)) = (record.get("quantityPerProducedUnit").as_real(), order.get("quantity").as_real()) {
            match finite_result(per * q, "quantityOrder") {
                Ok(v) => record.set("quantityOrder", Value::Real(v)),
                Err(m) => errors.add("quantityPerProducedUnit", m),
            }
        }
    }
    // Counted, not listed: the items' derived names need joins.
    let count = match order.id() {
        Some(id) => tx.count(ITEM, &Query::eq(ITEM.def(), "productionOrderId", Value::Id(id)).filters)? as i64,
        None => 0,
    };
    let last = if before.is_some() { count } else { count + 1 };
    match record.get("position").as_int() {
        None if before.is_none() => record.set("position", Value::Int(last)),
        None => {
            if let Some(stored) = before {
                record.set("position", stored.get("position").clone());
            }
        }
        Some(p) if (1..=last).contains(&p) => {}
        Some(p) => errors.add("position", format!("must be from 1 to {last}, got {p}")),
    }
    Ok(())
}

/// Sets a sibling's position as an audited update.
fn move_item(tx: &mut dyn Tx, caller: &Caller, item: Record, to: i64) -> CoreResult<Record> {
    let mut moved = item.clone();
    moved.set("position", Value::Int(to));
    generic::write(tx, caller, &ITEM_HOOKS, moved, Some(item), Event::default())
}

/// Parks an item outside the dense range so that siblings can take its position.
fn park(tx: &mut dyn Tx, item: &Record) -> CoreResult<()> {
    let mut parked = item.clone();
    parked.set("position", Value::Int(0));
    tx.update(ITEM, &parked)
}

/// `saveBillOfMaterialsItem(**billOfMaterialsData)`: inserting at a position shifts the items
/// at and after it down; moving shifts the items in between.
pub fn save(tx: &mut dyn Tx, caller: &Caller, data: &Map<String, Json>) -> CoreResult<Record> {
    let Checked { record, before, action } = generic::check(tx, caller, &ITEM_HOOKS, data)?;
    let order = record
        .get("productionOrderId")
        .as_id()
        .ok_or_else(|| CoreError::Internal("item without order".into()))?;
    let to = position(&record);
    match &before {
        None => {
            // The items at and after the new one's position move down (none when appended).
            for s in items_from(tx, order, to)?.into_iter().rev() {
                let p = position(&s);
                move_item(tx, caller, s, p + 1)?;
            }
        }
        Some(stored) if position(stored) != to => {
            let from = position(stored);
            let siblings: Vec<Record> = items_of(tx, order)?.into_iter().filter(|i| i.id() != record.id()).collect();
            park(tx, stored)?;
            if to < from {
                for s in siblings.into_iter().rev().filter(|s| (to..from).contains(&position(s))) {
                    let p = position(&s);
                    move_item(tx, caller, s, p + 1)?;
                }
            } else {
                for s in siblings.into_iter().filter(|s| (from + 1..=to).contains(&position(s))) {
                    let p = position(&s);
                    move_item(tx, caller, s, p - 1)?;
                }
            }
        }
        Some(_) => {}
    }
    generic::write(tx, caller, &ITEM_HOOKS, record, before, Event { action, reason: None })
}

/// `deleteBillOfMaterialsItem(billOfMaterialsId)`: the items after it move up.
pub fn delete(tx: &mut dyn Tx, caller: &Caller, id: &str) -> CoreResult<Json> {
    let item = generic::require(tx, ITEM, id)?;
    let order = item
        .get("productionOrderId")
        .as_id()
        .ok_or_else(|| CoreError::Internal("item without order".into()))?;
    if let Some(o) = tx.get_for_update(Entity::ProductionOrder, order)? {
        let mut errors = FieldErrors::new();
        check_order_open(&o, &mut errors);
        errors.into_result()?;
    }
    // Read again under the order's lock: a concurrent renumbering may have moved it.
    let item = generic::require(tx, ITEM, id)?;
    let response = generic::delete(tx, caller, &ITEM_HOOKS, id)?;
    let from = position(&item);
    for s in items_from(tx, order, from + 1)? {
        let p = position(&s);
        move_item(tx, caller, s, p - 1)?;
    }
    Ok(response)
}

/// `deleteBillOfMaterialsForOrder(productionOrderIdOrName)`.
pub fn delete_for_order(tx: &mut dyn Tx, caller: &Caller, order: &str) -> CoreResult<Json> {
    let o = generic::require(tx, Entity::ProductionOrder, order)?;
    let id = o.id().ok_or_else(|| CoreError::Internal("order without id".into()))?;
    let mut errors = FieldErrors::new();
    check_order_open(&o, &mut errors);
    errors.into_result()?;
    let items = items_of(tx, id)?;
    for item in items.iter().rev() {
        if let Some(item_id) = item.id() {
            generic::delete(tx, caller, &ITEM_HOOKS, &item_id.to_string())?;
        }
    }
    Ok(generic::api_response(
        true,
        format!("{} bill of materials items deleted", items.len()),
        json!(items.len()),
    ))
}

/// `swapBillOfMaterialsPositions(billOfMaterialsId1, billOfMaterialsId2)`: both of one order.
pub fn swap(tx: &mut dyn Tx, caller: &Caller, first: &str, second: &str) -> CoreResult<Json> {
    let a = generic::require_as_field(tx, ITEM, first, "billOfMaterialsId1")?;
    let b = generic::require_as_field(tx, ITEM, second, "billOfMaterialsId2")?;
    if a.get("productionOrderId") != b.get("productionOrderId") {
        return Err(CoreError::field("billOfMaterialsId2", "both items must belong to the same order"));
    }
    if a.id() == b.id() {
        return Ok(generic::api_response(
            true,
            "nothing to swap: the same item twice".into(),
            Json::Null,
        ));
    }
    if let Some(o) = a
        .get("productionOrderId")
        .as_id()
        .map(|id| tx.get_for_update(Entity::ProductionOrder, id))
        .transpose()?
        .flatten()
    {
        let mut errors = FieldErrors::new();
        check_order_open(&o, &mut errors);
        errors.into_result()?;
    }
    // Read again under the order's lock: a concurrent renumbering may have moved them.
    let a = generic::require_as_field(tx, ITEM, first, "billOfMaterialsId1")?;
    let b = generic::require_as_field(tx, ITEM, second, "billOfMaterialsId2")?;
    let (pa, pb) = (position(&a), position(&b));
    park(tx, &a)?;
    let b = move_item(tx, caller, b, pa)?;
    let a = move_item(tx, caller, a, pb)?;
    Ok(generic::api_response(
        true,
        format!("positions {pa} and {pb} swapped"),
        json!([a.to_json(ITEM.def()), b.to_json(ITEM.def())]),
    ))
}

/// `getBillOfMaterialsFor(productionOrderIdOrName, materialIdOrPath)`.
pub fn item_for(tx: &mut dyn Tx, order: &str, material: &str) -> CoreResult<Option<Record>> {
    let (Some(o), Some(m)) = (
        generic::lookup(tx, Entity::ProductionOrder, order)?,
        generic::lookup(tx, Entity::Material, material)?,
    ) else {
        return Ok(None);
    };
    let (Some(oid), Some(mid)) = (o.id(), m.id()) else {
        return Ok(None);
    };
    let def = ITEM.def();
    Ok(tx
        .find(
            ITEM,
            &Query::eq(def, "productionOrderId", Value::Id(oid)).and_eq(def, "materialId", Value::Id(mid)),
        )?
        .into_iter()
        .next())
}

/// `getBillOfMaterialsForOrderFlattened`: each item with the names and descriptions of its
/// material, material class, product, unit and order, and `subs: []`.
pub fn flattened(tx: &mut dyn Tx, order: &str) -> CoreResult<Option<Vec<Json>>> {
    let Some(o) = generic::lookup(tx, Entity::ProductionOrder, order)? else {
        return Ok(None);
    };
    let Some(oid) = o.id() else { return Ok(None) };
    let mut out = Vec::new();
    for item in items_of(tx, oid)? {
        let mut row = match item.to_json(ITEM.def()) {
            Json::Object(m) => m,
            _ => Map::new(),
        };
        let material = item
            .get("materialId")
            .as_id()
            .map(|id| tx.get(Entity::Material, id))
            .transpose()?
            .flatten();
        let class = material
            .as_ref()
            .and_then(|m| m.get("materialClassId").as_id())
            .map(|id| tx.get(Entity::MaterialClass, id))
            .transpose()?
            .flatten();
        let product = item
            .get("productId")
            .as_id()
            .map(|id| tx.get(Entity::Material, id))
            .transpose()?
            .flatten();
        let text = |r: &Option<Record>, k: &str| r.as_ref().map(|r| r.get(k).to_json()).unwrap_or(Json::Null);
        row.insert("materialDescription".into(), text(&material, "description"));
        row.insert("materialClassId".into(), text(&material, "materialClassId"));
        row.insert("materialClassName".into(), text(&class, "name"));
        row.insert("materialClassDescription".into(), text(&class, "description"));
        row.insert("productDescription".into(), text(&product, "description"));
        row.insert("productionOrderName".into(), o.get("name").to_json());
        row.insert("productionOrderNotes".into(), o.get("notes").to_json());
        row.insert("subs".into(), json!([]));
        out.push(Json::Object(row));
    }
    Ok(Some(out))
}
