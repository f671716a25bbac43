//! The calls every property family (locations, materials) offers under the names the original
//! scripting API documents: its definitions and values as entities (with the short names
//! `newProperty`, `saveProperty`, `getPropertyValue`, … beside the catalogue's own), find-or-create
//! of a definition, and setting one owner's value. The rules behind them are the core's
//! `service::property`, one home for every family.

use crate::registry::{kwargs, optional, required, Call, EntityFunctions, Module};
use serde_json::Value as Json;
use shopfloor_core::record::Record;
use shopfloor_core::service::property::{self, Family};

/// The documented short names of the definition and value calls (module-local, so the same in
/// `location` and `material`).
const DEFINITION_NAMES: [(Call, &str); 5] = [
    (Call::New, "newProperty"),
    (Call::Save, "saveProperty"),
    (Call::Validate, "validateProperty"),
    (Call::Get, "getProperty"),
    (Call::Delete, "deleteProperty"),
];
const VALUE_NAMES: [(Call, &str); 5] = [
    (Call::New, "newPropertyValue"),
    (Call::Save, "savePropertyValue"),
    (Call::Validate, "validatePropertyValue"),
    (Call::Get, "getPropertyValue"),
    (Call::Delete, "deletePropertyValue"),
];

/// The value record as JSON.
pub fn value_json(family: &Family, r: Record) -> Json {
    r.to_json(family.value.def())
}

/// The records of `rs` as values of the family.
pub fn values_json(family: &Family, rs: Vec<Record>) -> Json {
    Json::Array(rs.into_iter().map(|r| value_json(family, r)).collect())
}

/// Registers the definition and value entities of `family` with their catalogue names and the
/// documented short names, `getPropertyOrCreateNew` and `setPropertyValue`.
pub fn register(m: &mut Module, family: &'static Family, definitions: EntityFunctions, values: EntityFunctions) {
    let mut spec = m.entity(family.property, definitions);
    for (call, name) in DEFINITION_NAMES {
        spec = spec.also(call, name);
    }
    spec.register();
    let mut spec = m.entity(family.value, values);
    for (call, name) in VALUE_NAMES {
        spec = spec.also(call, name);
    }
    spec.register();
    let prefix = family.property.def().permission_prefix;
    m.function("getPropertyOrCreateNew")
        .params([kwargs("propertyData")])
        .permission(&format!("{prefix}.READ.GET"))
        .writes()
        .summary(format!(
            "The {} with the given id or name, created from the data if there is none (creating needs {}).",
            family.property.def().label,
            family.save_permission
        ))
        .handler(move |tx, c, a| {
            property::get_or_create(tx, c, family, a.object("propertyData")?).map(|r| r.to_json(family.property.def()))
        });
    let owner = family.owner_param;
    m.function("setPropertyValue")
        .params([required(owner), required("propertyIdOrName"), optional("value")])
        .permission(&format!("{prefix}.WRITE.SAVE"))
        .writes()
        .summary(format!(
            "Creates or updates the {}'s value of the property; returns the value record.",
            family.owner.def().label
        ))
        .handler(move |tx, c, a| {
            property::set_value(
                tx,
                c,
                family,
                &a.str(owner)?,
                &a.str("propertyIdOrName")?,
                &a.json_or_null("value")?,
            )
            .map(|r| value_json(family, r))
        });
}

/// The owner's values, or null when there is no such owner.
pub fn values_of_owner(tx: &mut dyn shopfloor_core::tx::Tx, family: &Family, owner: &str) -> shopfloor_core::errors::CoreResult<Json> {
    match shopfloor_core::service::entity::lookup(tx, family.owner, owner)?.and_then(|o| o.id()) {
        Some(id) => Ok(values_json(family, property::values_of(tx, family, id)?)),
        None => Ok(Json::Null),
    }
}
