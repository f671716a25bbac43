//! Units of measure: get-or-create, existence, conversions and `convert`.

use crate::errors::{CoreError, CoreResult};
use crate::id::Id;
use crate::query::Query;
use crate::record::{finite_result, parse_real, Record, Value};
use crate::schema::Entity;
use crate::service::generic::{self, Draft, Hooks};
use crate::tx::{Caller, Tx};
use serde_json::{json, Map, Value as Json};

const CONVERSION: Entity = Entity::UnitOfMeasureConversion;

/// Units have no rules beyond the catalogue's.
pub static UNIT_HOOKS: Hooks = Hooks::plain(Entity::UnitOfMeasure);

pub static CONVERSION_HOOKS: Hooks = Hooks {
    save_rules: Some(conversion_rules),
    ..Hooks::plain(CONVERSION)
};

/// A conversion joins two different units, once per (from, to, material).
fn conversion_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let (record, errors) = (&draft.record, &mut draft.errors);
    let (Some(from), Some(to)) = (record.get("fromId").as_id(), record.get("toId").as_id()) else {
        return Ok(());
    };
    if from == to {
        errors.add("toId", "must differ from fromId");
        return Ok(());
    }
    let material = record.get("materialId").as_id();
    if let Some(other) = find_conversion(tx, from, to, material)? {
        if other.id() != record.id() {
            errors.add(
                "toId",
                format!(
                    "a conversion between these units{} already exists (id {})",
                    if material.is_some() { " for this material" } else { "" },
                    other.id().map(|i| i.to_string()).unwrap_or_default()
                ),
            );
        }
    }
    Ok(())
}

fn find_conversion(tx: &mut dyn Tx, from: Id, to: Id, material: Option<Id>) -> CoreResult<Option<Record>> {
    let def = CONVERSION.def();
    let mut q = Query::eq(def, "fromId", Value::Id(from)).and_eq(def, "toId", Value::Id(to));
    match material {
        Some(m) => q = q.and_eq(def, "materialId", Value::Id(m)),
        None => q.filters.push(Query::is_null(def, "materialId")),
    }
    Ok(tx.find(CONVERSION, &q)?.into_iter().next())
}

/// The units (by id or name) and material (by id or path) of a conversion look-up; `None` when
/// one of them does not exist, so no conversion can join them.
fn conversion_ends(tx: &mut dyn Tx, from: &str, to: &str, material: Option<&str>) -> CoreResult<Option<(Id, Id, Option<Id>)>> {
    let unit = |tx: &mut dyn Tx, text: &str| Ok::<_, CoreError>(generic::lookup(tx, Entity::UnitOfMeasure, text)?.and_then(|r| r.id()));
    let (Some(f), Some(t)) = (unit(tx, from)?, unit(tx, to)?) else {
        return Ok(None);
    };
    match material {
        None => Ok(Some((f, t, None))),
        Some(m) => Ok(generic::lookup(tx, Entity::Material, m)?
            .and_then(|r| r.id())
            .map(|m| (f, t, Some(m)))),
    }
}

/// `getConversionFor(fromIdOrName, toIdOrName, materialId=None)`: the conversion stored for
/// exactly these units and material (no fallback, no inverse — that is `convert`'s job).
pub fn conversion_for(tx: &mut dyn Tx, from: &str, to: &str, material: Option<&str>) -> CoreResult<Option<Record>> {
    match conversion_ends(tx, from, to, material)? {
        Some((f, t, m)) => find_conversion(tx, f, t, m),
        None => Ok(None),
    }
}

/// `addConversion(fromIdOrName, toIdOrName, conversionFactor, materialId=None)`: a new
/// conversion between units named by id or name, checked like `saveUnitOfMeasureConversion`.
pub fn add_conversion(tx: &mut dyn Tx, caller: &Caller, from: &str, to: &str, factor: &Json, material: Option<&str>) -> CoreResult<Record> {
    let from_unit = generic::require_as_field(tx, Entity::UnitOfMeasure, from, "fromIdOrName")?;
    let to_unit = generic::require_as_field(tx, Entity::UnitOfMeasure, to, "toIdOrName")?;
    let mut data = Map::new();
    data.insert("fromId".into(), from_unit.get("id").to_json());
    data.insert("toId".into(), to_unit.get("id").to_json());
    data.insert("conversionFactor".into(), factor.clone());
    if let Some(m) = material {
        let material = generic::require_as_field(tx, Entity::Material, m, "materialId")?;
        data.insert("materialId".into(), material.get("id").to_json());
    }
    generic::save(tx, caller, &CONVERSION_HOOKS, &data)
}

/// `getAllConversionsForMaterial(id)`: the conversions that apply to one material only; none
/// when the material does not exist.
pub fn conversions_for_material(tx: &mut dyn Tx, material: &str) -> CoreResult<Vec<Record>> {
    let Some(id) = generic::lookup(tx, Entity::Material, material)?.and_then(|r| r.id()) else {
        return Ok(vec![]);
    };
    tx.find(CONVERSION, &Query::eq(CONVERSION.def(), "materialId", Value::Id(id)))
}

/// `getUnitOfMeasureOrCreateNew(name, symbol)`.
pub fn get_or_create(tx: &mut dyn Tx, caller: &Caller, name: &str, symbol: &str) -> CoreResult<Record> {
    if let Some(existing) = generic::lookup(tx, Entity::UnitOfMeasure, name)? {
        return Ok(existing);
    }
    let mut data = Map::new();
    data.insert("name".into(), json!(name));
    data.insert("symbol".into(), json!(symbol));
    generic::save(tx, caller, &UNIT_HOOKS, &data)
}

/// `convert(amount, fromIdOrName, toIdOrName, materialIdOrPath=None)`: a material-specific
/// conversion first, then a generic one, then the inverse of either.
pub fn convert(tx: &mut dyn Tx, amount: &Json, from: &str, to: &str, material: Option<&str>) -> CoreResult<f64> {
    let amount = parse_real(amount).map_err(|m| CoreError::field("amount", m))?;
    let from_unit = generic::require_as_field(tx, Entity::UnitOfMeasure, from, "fromIdOrName")?;
    let to_unit = generic::require_as_field(tx, Entity::UnitOfMeasure, to, "toIdOrName")?;
    let material_id = match material {
        Some(m) => generic::require_as_field(tx, Entity::Material, m, "materialIdOrPath")?.id(),
        None => None,
    };
    let (Some(f), Some(t)) = (from_unit.id(), to_unit.id()) else {
        return Err(CoreError::Internal("unit without id".into()));
    };
    if f == t {
        return Ok(amount);
    }
    let mut candidates = Vec::new();
    if let Some(m) = material_id {
        candidates.push((f, t, Some(m), false));
    }
    candidates.push((f, t, None, false));
    if let Some(m) = material_id {
        candidates.push((t, f, Some(m), true));
    }
    candidates.push((t, f, None, true));
    for (a, b, m, inverse) in candidates {
        if let Some(conv) = find_conversion(tx, a, b, m)? {
            let factor = conv.get("conversionFactor").as_real().unwrap_or(1.0);
            let result = if inverse { amount / factor } else { amount * factor };
            return finite_result(result, "the converted amount").map_err(|m| CoreError::field("amount", m));
        }
    }
    Err(CoreError::field(
        "toIdOrName",
        format!(
            "no conversion from {} to {}{}",
            from_unit.text("name").unwrap_or(from),
            to_unit.text("name").unwrap_or(to),
            if material.is_some() {
                " (for that material or generic)"
            } else {
                ""
            }
        ),
    ))
}
