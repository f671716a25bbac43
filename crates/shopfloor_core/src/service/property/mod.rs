//! Typed custom properties (SPEC §2.3) of every owner kind: production orders, locations and
//! materials. A [`Family`] names what differs between the kinds (the owner entity, the
//! definition and value entities, the keys of a value, the owner's own rule, a class scope);
//! everything else — the definition rules, the value rules, the typed columns, the calls that set
//! and find values — is written once here and in [`typing`] and [`values`], with the family as a
//! parameter.

mod typing;
mod values;

pub use typing::{check_value, parse_options, typed, DataType};
pub use values::{
    delete_values, get_or_create, owners_with_value, save_value_of, set_value, set_values, value_for, values_by_id, values_named, values_of,
};

use crate::errors::{CoreResult, FieldErrors};
use crate::id::Id;
use crate::lifecycle::Status;
use crate::query::{PropertyColumn, Query};
use crate::record::{Record, Value};
use crate::schema::{Entity, Kind};
use crate::service::generic::{self, Draft, Hooks};
use crate::tx::{Caller, Tx};
use serde_json::Value as Json;
use typing::{data_type, TYPED_KEYS};

/// One owner kind of typed properties: what its definitions and values are called and how a
/// value names its owner and property.
#[derive(Debug)]
pub struct Family {
    pub owner: Entity,
    pub property: Entity,
    pub value: Entity,
    /// The key of a value that references its owner (`productionOrderId`, `locationId`).
    pub owner_key: &'static str,
    /// The key of a value that references its property (`propertyId`, `materialPropertyId`).
    pub property_key: &'static str,
    /// The argument name of the owner in calls, for error messages (`locationIdOrPath`).
    pub owner_param: &'static str,
    /// What creating a definition needs (`getPropertyOrCreateNew` is a read call otherwise).
    pub save_permission: &'static str,
    /// A rule of the owner for changes of its values (a closed order is read-only).
    pub owner_rule: Option<fn(&Record, &mut FieldErrors)>,
    /// `(definition key, owner key)` of a class both must share: a material's values are of the
    /// properties of its material class.
    pub class_scope: Option<(&'static str, &'static str)>,
}

pub static ORDER: Family = Family {
    owner: Entity::ProductionOrder,
    property: Entity::ProductionOrderProperty,
    value: Entity::ProductionOrderPropertyValue,
    owner_key: "productionOrderId",
    property_key: "propertyId",
    owner_param: "productionOrderIdOrName",
    save_permission: "PRODUCTION_ORDER.WRITE.SAVE",
    owner_rule: Some(check_order_open),
    class_scope: None,
};

pub static LOCATION: Family = Family {
    owner: Entity::Location,
    property: Entity::LocationProperty,
    value: Entity::LocationPropertyValue,
    owner_key: "locationId",
    property_key: "propertyId",
    owner_param: "locationIdOrPath",
    save_permission: "LOCATION.WRITE.SAVE",
    owner_rule: None,
    class_scope: None,
};

pub static MATERIAL: Family = Family {
    owner: Entity::Material,
    property: Entity::MaterialProperty,
    value: Entity::MaterialPropertyValue,
    owner_key: "materialId",
    property_key: "materialPropertyId",
    owner_param: "materialIdOrPath",
    save_permission: "MATERIAL.WRITE.SAVE",
    owner_rule: None,
    class_scope: Some(("materialClassId", "materialClassId")),
};

const FAMILIES: [&Family; 3] = [&ORDER, &LOCATION, &MATERIAL];

/// The family whose definition or value entity `entity` is.
fn family_of(entity: Entity) -> &'static Family {
    FAMILIES
        .into_iter()
        .find(|f| f.property == entity || f.value == entity)
        .expect("property hooks are declared for property entities only")
}

const fn property_hooks(entity: Entity) -> Hooks {
    Hooks {
        save_rules: Some(property_rules),
        ..Hooks::plain(entity)
    }
}

const fn value_hooks(entity: Entity) -> Hooks {
    Hooks {
        save_rules: Some(value_rules),
        ..Hooks::plain(entity)
    }
}

pub static PROPERTY_HOOKS: Hooks = property_hooks(Entity::ProductionOrderProperty);

/// Order values: their rules, and their changes go to the history of their order.
pub static VALUE_HOOKS: Hooks = Hooks {
    order_field: Some("productionOrderId"),
    ..value_hooks(Entity::ProductionOrderPropertyValue)
};

pub static LOCATION_PROPERTY_HOOKS: Hooks = property_hooks(Entity::LocationProperty);
pub static LOCATION_VALUE_HOOKS: Hooks = value_hooks(Entity::LocationPropertyValue);
pub static MATERIAL_PROPERTY_HOOKS: Hooks = property_hooks(Entity::MaterialProperty);
pub static MATERIAL_VALUE_HOOKS: Hooks = value_hooks(Entity::MaterialPropertyValue);

impl Family {
    /// The hooks values of this family are saved with.
    pub fn value_hooks(&self) -> &'static Hooks {
        match self.owner {
            Entity::ProductionOrder => &VALUE_HOOKS,
            Entity::Location => &LOCATION_VALUE_HOOKS,
            _ => &MATERIAL_VALUE_HOOKS,
        }
    }

    /// The hooks definitions of this family are saved with.
    pub fn property_hooks(&self) -> &'static Hooks {
        match self.owner {
            Entity::ProductionOrder => &PROPERTY_HOOKS,
            Entity::Location => &LOCATION_PROPERTY_HOOKS,
            _ => &MATERIAL_PROPERTY_HOOKS,
        }
    }
}

/// Property definitions: limits in order, options and default valid for the type, and neither
/// the type nor the class scope changes while values exist.
fn property_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let family = family_of(draft.entity);
    let (record, before, errors) = (&mut draft.record, draft.before, &mut draft.errors);
    let Some(t) = data_type(record) else { return Ok(()) };
    if let (Some(low), Some(high)) = (record.get("lowLimit").as_real(), record.get("highLimit").as_real()) {
        if low > high {
            errors.add("highLimit", format!("must not be below lowLimit ({low})"));
        }
    }
    if let Some(options) = record.text("options").map(parse_options) {
        for o in &options {
            if let Err(m) = typed(t, &Json::String(o.clone())) {
                errors.add("options", format!("option '{o}' {m}"));
            }
        }
    }
    match record.get("defaultValue").clone() {
        Value::Null => {}
        Value::Json(Json::Null) => record.set("defaultValue", Value::Null),
        Value::Json(j) => match check_value(record, &j) {
            Ok((canonical, _)) => record.set("defaultValue", Value::Json(canonical)),
            Err(m) => errors.add("defaultValue", m),
        },
        _ => {}
    }
    let Some((stored, id)) = before.zip(record.id()) else {
        return Ok(());
    };
    let type_changed = data_type(stored) != Some(t);
    let scope_changed = family.class_scope.filter(|(key, _)| stored.get(key) != record.get(key));
    if (type_changed || scope_changed.is_some()) && has_values(tx, family, id)? {
        if type_changed {
            errors.add("dataType", "cannot change while values of this property exist");
        }
        if let Some((key, _)) = scope_changed {
            errors.add(key, "cannot change while values of this property exist");
        }
    }
    Ok(())
}

fn has_values(tx: &mut dyn Tx, family: &Family, property: Id) -> CoreResult<bool> {
    let mut q = Query::eq(family.value.def(), family.property_key, Value::Id(property));
    q.page = Some(crate::query::Page { size: 1, index: 0 });
    Ok(!tx.find(family.value, &q)?.is_empty())
}

/// Whether the owner `owner` has any value of this family (a material keeps its class while
/// it has values of the class's properties).
pub fn owner_has_values(tx: &mut dyn Tx, family: &Family, owner: Id) -> CoreResult<bool> {
    let mut q = Query::eq(family.value.def(), family.owner_key, Value::Id(owner));
    q.page = Some(crate::query::Page { size: 1, index: 0 });
    Ok(!tx.find(family.value, &q)?.is_empty())
}

/// Refuses changes to the values and BOM of a CLOSED or CANCELLED order (it is read-only).
pub fn check_order_open(order: &Record, errors: &mut FieldErrors) {
    if let Some(s) = order.text("status").and_then(Status::parse).filter(|s| s.is_final()) {
        errors.add(
            "productionOrderId",
            format!(
                "the order {} is {}; its values and bill of materials are read-only",
                order.text("name").unwrap_or_default(),
                s.as_str()
            ),
        );
    }
}

/// Property values: type from the property, default when a new row omits the value, checks,
/// typed columns, the class scope, one value per (owner, property).
fn value_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let family = family_of(draft.entity);
    let (record, before, input, errors) = (&mut draft.record, draft.before, draft.input, &mut draft.errors);
    let owner = match record.get(family.owner_key).as_id() {
        Some(id) => tx.get(family.owner, id)?,
        None => None,
    };
    if let (Some(owner), Some(rule)) = (&owner, family.owner_rule) {
        rule(owner, errors);
    }
    let Some(property) = record
        .get(family.property_key)
        .as_id()
        .map(|id| tx.get(family.property, id))
        .transpose()?
        .flatten()
    else {
        return Ok(());
    };
    let property_name = property.text("name").unwrap_or_default().to_string();
    if let (Some((property_class, owner_class)), Some(owner)) = (family.class_scope, &owner) {
        if property.get(property_class) != owner.get(owner_class) {
            errors.add(
                family.property_key,
                format!(
                    "property {property_name} is defined for another class than the one of the {} {}",
                    family.owner.def().label,
                    owner.text("path").or(owner.text("name")).unwrap_or_default()
                ),
            );
        }
    }
    let Some(t) = data_type(&property) else { return Ok(()) };
    match data_type(record) {
        None if !errors.has("dataType") => record.set("dataType", Value::Text(t.as_str().into())),
        Some(given) if given != t => errors.add(
            "dataType",
            format!("must be {} like its property {property_name}, got {}", t.as_str(), given.as_str()),
        ),
        _ => {}
    }
    if before.is_none() && !input.present.contains_key("value") {
        record.set("value", property.get("defaultValue").clone());
    }
    for k in TYPED_KEYS {
        record.set(k, Value::Null);
    }
    match record.get("value").clone() {
        Value::Null | Value::Json(Json::Null) => {
            record.set("value", Value::Null);
            if property.get("nullable") != &Value::Bool(true) && !errors.has("value") {
                errors.add("value", format!("property {property_name} is not nullable"));
            }
        }
        Value::Json(j) => match check_value(&property, &j) {
            Ok((canonical, typed_value)) => {
                record.set("value", Value::Json(canonical));
                record.set(t.column_key(), typed_value);
            }
            Err(m) => errors.add("value", m),
        },
        _ => {}
    }
    if let (Some(owner_id), Some(property_id)) = (owner.as_ref().and_then(Record::id), property.id()) {
        let def = family.value.def();
        let q = Query::eq(def, family.owner_key, Value::Id(owner_id)).and_eq(def, family.property_key, Value::Id(property_id));
        if let Some(other) = tx.find(family.value, &q)?.into_iter().find(|v| v.id() != record.id()) {
            errors.add(
                family.property_key,
                format!(
                    "the {} already has a value for property {property_name} (id {})",
                    family.owner.def().label,
                    other.id().map(|i| i.to_string()).unwrap_or_default()
                ),
            );
        }
    }
    Ok(())
}

/// The typed columns of the named order properties, for `property:<name>` query fields.
pub fn columns(tx: &mut dyn Tx, names: &[String]) -> CoreResult<Vec<(String, PropertyColumn, Kind)>> {
    let family = &ORDER;
    let mut out = Vec::new();
    for name in names {
        let Some(p) = generic::lookup(tx, family.property, name)? else {
            continue;
        };
        let (Some(id), Some(t)) = (p.id(), data_type(&p)) else { continue };
        let column = family.value.def().field(t.column_key()).map(|f| f.column).unwrap_or("string_value");
        out.push((name.clone(), PropertyColumn { property_id: id, column }, t.kind()));
    }
    Ok(out)
}

/// The order's values, by property name (the import applies values through it).
pub fn values_for(tx: &mut dyn Tx, order: Id) -> CoreResult<Vec<Record>> {
    values_of(tx, &ORDER, order)
}

/// Sets the value of property `p` of order `o` whose stored value (if any) is `existing`.
pub fn save_value(tx: &mut dyn Tx, caller: &Caller, o: &Record, p: &Record, existing: Option<&Record>, value: &Json) -> CoreResult<Record> {
    save_value_of(tx, caller, &ORDER, o, p, existing, value)
}
