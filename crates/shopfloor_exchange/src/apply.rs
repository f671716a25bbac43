//! Applying one imported row: the order upserted by name through the services, its status
//! through the lifecycle, its bill of materials and property values brought in line with the row.

use crate::natural_keys::{resolve_keys, CreateMissing, ITEM_FIELDS, ITEM_KEYS, ORDER_KEYS, ORDER_SKIPPED};
use crate::{ITEM, ORDER};
use serde_json::{json, Map, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult, FieldErrors};
use shopfloor_core::id::Id;
use shopfloor_core::lifecycle::Status;
use shopfloor_core::query::Query;
use shopfloor_core::record::{Record, Value};
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{bill_of_materials, entity, production_order, property};
use shopfloor_core::tx::{Caller, Tx};

/// Applies one row; returns the order id and whether the order was created.
pub(crate) fn apply_row(tx: &mut dyn Tx, caller: &Caller, row: Json, missing: &mut CreateMissing) -> CoreResult<(Id, bool)> {
    let Json::Object(row) = row else {
        return Err(CoreError::field(
            "row",
            format!(
                "must be an object (one production order), got {}",
                shopfloor_core::record::describe(&row)
            ),
        ));
    };
    let Some(name) = row.get("name").and_then(Json::as_str).map(str::trim).filter(|n| !n.is_empty()) else {
        return Err(CoreError::field("name", "is required: orders are matched by name"));
    };
    let mut errors = FieldErrors::new();
    let mut data: Map<String, Json> = row
        .iter()
        .filter(|(k, _)| !ORDER_SKIPPED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    resolve_keys(tx, &ORDER_KEYS, &row, &mut data, "", &mut errors, missing)?;
    let existing = tx
        .find(ORDER, &Query::eq(ORDER.def(), "name", Value::Text(name.into())))?
        .into_iter()
        .next();
    match existing.as_ref().and_then(Record::id) {
        Some(id) => {
            data.insert("id".into(), Json::String(id.to_string()));
        }
        // Only a name with a BOM or values (a bill-of-materials file): the order must exist.
        None if row
            .keys()
            .all(|k| matches!(k.as_str(), "name" | "billOfMaterials" | "propertyValues")) =>
        {
            return Err(CoreError::field("name", format!("no production order '{name}'")));
        }
        None => {}
    }
    // The status comes last, after the BOM and values: a CLOSED order's BOM is read-only.
    let status = data.remove("status").filter(|s| !s.is_null());
    // Report the order's own field errors together with unresolved natural keys.
    let saved = match entity::save(tx, caller, ORDER, &data) {
        Ok(r) => Some(r),
        Err(CoreError::Validation(e)) => {
            for (k, msgs) in e.0 {
                for m in msgs {
                    errors.add(k.clone(), m);
                }
            }
            None
        }
        Err(e) => return Err(e),
    };
    errors.clone().into_result()?;
    let order = saved.ok_or_else(|| CoreError::Internal("order not saved".into()))?;
    let id = order.id().ok_or_else(|| CoreError::Internal("order without id".into()))?;
    let created = existing.is_none();
    if let Some(items) = row.get("billOfMaterials").filter(|v| !v.is_null()) {
        sync_bill_of_materials(tx, caller, id, created, items, missing)?;
    }
    if let Some(values) = row.get("propertyValues").filter(|v| !v.is_null()) {
        set_property_values(tx, caller, id, created, values, missing)?;
    }
    if let Some(status) = status {
        apply_status(tx, caller, id, status, created)?;
    }
    Ok((id, created))
}

/// Sets the row's status. An existing order moves as `saveProductionOrder` would move it (the
/// lifecycle decides); a new one takes the sender's status as `saveProductionOrder` creates
/// one in it (with the effects of entering it), recorded as a transition after the creation.
/// Both go through the lifecycle's one door, `production_order::change_status`.
fn apply_status(tx: &mut dyn Tx, caller: &Caller, id: Id, status: Json, created: bool) -> CoreResult<()> {
    let mut data = Map::new();
    data.insert("id".into(), Json::String(id.to_string()));
    data.insert("status".into(), status);
    if !created {
        entity::save(tx, caller, ORDER, &data)?;
        return Ok(());
    }
    let mut errors = FieldErrors::new();
    let input = shopfloor_core::record::parse_input(ORDER.def(), &data, &mut errors);
    errors.into_result()?;
    let Some(to) = input.present.get("status").and_then(Value::as_text).and_then(Status::parse) else {
        return Ok(());
    };
    let before = tx
        .get(ORDER, id)?
        .ok_or_else(|| CoreError::Internal("imported order vanished".into()))?;
    if before.text("status") == Some(to.as_str()) {
        return Ok(());
    }
    // Created a moment ago in IDLE, the order enters its status as a new order would.
    production_order::write_transition(tx, caller, before, None, to, None)?;
    Ok(())
}

/// Whether a stored field (as JSON) already holds the value a file gives (numbers compare as
/// numbers, also when the file spells them as text).
fn same(stored: &Json, given: &Json) -> bool {
    let number = |v: &Json| match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match (stored, given) {
        (Json::Number(_), _) | (_, Json::Number(_)) => number(stored).is_some() && number(stored) == number(given),
        (Json::String(a), Json::String(b)) => a == b || a.eq_ignore_ascii_case(b),
        _ => stored == given,
    }
}

fn prefixed(prefix: &str, e: CoreError) -> CoreError {
    match e {
        CoreError::Validation(fields) => {
            let mut out = FieldErrors::new();
            for (k, msgs) in fields.0 {
                for m in msgs {
                    out.add(format!("{prefix}{k}"), m);
                }
            }
            CoreError::Validation(out)
        }
        CoreError::NotFound(m) | CoreError::BadRequest(m) => CoreError::field(prefix.trim_end_matches('.'), m),
        other => other,
    }
}

/// Makes the order's bill of materials the listed one: items matched by material keep their
/// ids and are updated in place, missing ones are created, unlisted ones deleted; positions
/// follow the list. An unchanged list writes nothing. A `created` order has no items yet.
fn sync_bill_of_materials(
    tx: &mut dyn Tx,
    caller: &Caller,
    order: Id,
    created: bool,
    items: &Json,
    missing: &mut CreateMissing,
) -> CoreResult<()> {
    let Json::Array(items) = items else {
        return Err(CoreError::field(
            "billOfMaterials",
            format!("must be a list of items, got {}", shopfloor_core::record::describe(items)),
        ));
    };
    let mut errors = FieldErrors::new();
    let mut wanted: Vec<(Id, Map<String, Json>)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("billOfMaterials[{i}].");
        let Json::Object(item) = item else {
            errors.add(
                format!("billOfMaterials[{i}]"),
                format!("must be an object, got {}", shopfloor_core::record::describe(item)),
            );
            continue;
        };
        let mut data: Map<String, Json> = item
            .iter()
            .filter(|(k, _)| ITEM_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for k in item.keys() {
            let known = ITEM_FIELDS.contains(&k.as_str())
                || ITEM_KEYS.iter().any(|n| n.key == k)
                || ITEM.def().field(k).is_some()
                || ITEM.def().derived(k).is_some()
                || k == "version";
            if !known {
                errors.add(format!("{prefix}{k}"), format!("unknown field '{k}' for bill of materials item"));
            }
        }
        resolve_keys(tx, &ITEM_KEYS, item, &mut data, &prefix, &mut errors, missing)?;
        match data.get("materialId").and_then(Json::as_str).map(Id::parse) {
            Some(Ok(m)) if wanted.iter().any(|(w, _)| *w == m) => {
                errors.add(
                    format!("{prefix}materialId"),
                    "the material is listed twice in this order's bill of materials",
                );
            }
            Some(Ok(m)) => wanted.push((m, data)),
            Some(Err(_)) => errors.add(format!("{prefix}materialId"), "is not a valid id"),
            None if !errors.0.keys().any(|k| k.starts_with(&prefix)) => {
                errors.add(format!("{prefix}materialId"), "is required (or materialPath / materialErpId)")
            }
            None => {}
        }
    }
    errors.into_result()?;
    let existing = if created {
        Vec::new()
    } else {
        bill_of_materials::items_of(tx, order)?
    };
    let order_quantity = tx.get(ORDER, order)?.and_then(|o| o.get("quantity").as_real());
    let mut moved = false;
    for stale in existing
        .iter()
        .filter(|e| !wanted.iter().any(|(m, _)| e.get("materialId").as_id() == Some(*m)))
    {
        if let Some(id) = stale.id() {
            moved = true;
            bill_of_materials::delete(tx, caller, &id.to_string()).map_err(|e| prefixed("billOfMaterials.", e))?;
        }
    }
    for (i, (material, mut data)) in wanted.into_iter().enumerate() {
        let stored = existing.iter().find(|e| e.get("materialId").as_id() == Some(material));
        // Until something moved, the positions read above are current.
        if let Some(stored) = stored.filter(|_| !moved) {
            // Nothing to write (and nothing to refuse on a CLOSED order) when the item matches.
            let json = stored.to_json(ITEM.def());
            // Without quantityOrder, the service derives it from the order's quantity.
            let derived = match (data.contains_key("quantityOrder"), data.get("quantityPerProducedUnit")) {
                (false, Some(per)) => {
                    let per = per.as_f64().or_else(|| per.as_str().and_then(|t| t.trim().parse().ok()));
                    match (per, order_quantity) {
                        (Some(p), Some(q)) => same(&json["quantityOrder"], &json!(p * q)),
                        _ => false,
                    }
                }
                _ => true,
            };
            let unchanged = derived && json["position"] == json!(i + 1) && data.iter().all(|(k, v)| same(&json[k.as_str()], v));
            if unchanged {
                continue;
            }
        }
        let found = stored.and_then(Record::id);
        match found {
            Some(id) => {
                data.insert("id".into(), Json::String(id.to_string()));
            }
            None => {
                data.insert("productionOrderId".into(), Json::String(order.to_string()));
            }
        }
        data.insert("position".into(), json!(i + 1));
        moved = true;
        bill_of_materials::save(tx, caller, &data).map_err(|e| prefixed(&format!("billOfMaterials[{i}]."), e))?;
    }
    Ok(())
}

/// Sets the listed property values (`{name: value}` or `[{propertyName|propertyId, value}]`, the
/// shape `getProductionOrder` returns); values not listed are kept. A `created` order has none.
/// With `createMissing`, a property no one defined yet is created, typed from its value.
fn set_property_values(
    tx: &mut dyn Tx,
    caller: &Caller,
    order: Id,
    created: bool,
    values: &Json,
    missing: &mut CreateMissing,
) -> CoreResult<()> {
    let pairs: Vec<(String, Json)> = match values {
        Json::Object(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Json::Array(list) => {
            let mut out = Vec::with_capacity(list.len());
            for (i, v) in list.iter().enumerate() {
                let key = v
                    .get("propertyName")
                    .and_then(Json::as_str)
                    .or_else(|| v.get("propertyId").and_then(Json::as_str));
                match key {
                    Some(k) => out.push((k.to_string(), v.get("value").cloned().unwrap_or(Json::Null))),
                    None => {
                        return Err(CoreError::field(
                            format!("propertyValues[{i}]"),
                            "needs propertyName (or propertyId) and value",
                        ))
                    }
                }
            }
            out
        }
        other => {
            return Err(CoreError::field(
                "propertyValues",
                format!(
                    "must be an object {{propertyName: value}} or a list, got {}",
                    shopfloor_core::record::describe(other)
                ),
            ))
        }
    };
    let mut stored = if created { Vec::new() } else { property::values_for(tx, order)? };
    let order = tx
        .get(ORDER, order)?
        .ok_or_else(|| CoreError::Internal("imported order vanished".into()))?;
    for (name, value) in pairs {
        let prefix = format!("propertyValues.{name}.");
        let property = match entity::lookup(tx, Entity::ProductionOrderProperty, &name)? {
            Some(found) => found,
            None => match missing.create_property(tx, &name, &value)? {
                Some(Ok(created)) => created,
                Some(Err(why)) => return Err(CoreError::field(format!("{prefix}propertyIdOrName"), why)),
                None => {
                    let why = format!("no production order property '{name}' (createMissing would create it)");
                    return Err(CoreError::field(format!("{prefix}propertyIdOrName"), why));
                }
            },
        };
        let current = stored
            .iter()
            .find(|v| v.get("propertyId").as_id().is_some_and(|p| property.id() == Some(p)));
        if let Some(current) = current {
            let json = current.to_json(Entity::ProductionOrderPropertyValue.def());
            if same(&json["value"], &value) || (json["value"].is_null() && value.is_null()) {
                continue;
            }
        }
        let saved = property::save_value(tx, caller, &order, &property, current, &value).map_err(|e| prefixed(&prefix, e))?;
        // A property named twice in one row (by id and by name): the last value wins.
        stored.retain(|v| v.get("propertyId") != saved.get("propertyId"));
        stored.push(saved);
    }
    Ok(())
}
