//! Custom properties of production orders (SPEC §2.3): typed definitions and one value per
//! (order, property), checked against type, nullable, limits and options, stored in a column
//! of its own type so that queries compare numbers as numbers and dates as dates.

use crate::errors::{CoreError, CoreResult, FieldErrors};
use crate::id::Id;
use crate::lifecycle::Status;
use crate::query::{FieldRef, PropertyColumn, Query, Sort};
use crate::record::{parse_real, parse_time, Record, Value};
use crate::schema::{Entity, Kind};
use crate::service::generic::{self, Draft, Hooks};
use crate::tx::{Caller, Tx};
use serde_json::{json, Map, Value as Json};

const PROPERTY: Entity = Entity::ProductionOrderProperty;
const VALUE: Entity = Entity::ProductionOrderPropertyValue;

pub static PROPERTY_HOOKS: Hooks = Hooks {
    save_rules: Some(property_rules),
    ..Hooks::plain(PROPERTY)
};

/// Values: their rules, and their changes go to the history of their order.
pub static VALUE_HOOKS: Hooks = Hooks {
    save_rules: Some(value_rules),
    order_field: Some("productionOrderId"),
    ..Hooks::plain(VALUE)
};

/// The five data types and the hidden typed column each stores its values in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataType {
    String,
    Integer,
    Float,
    Boolean,
    DateTime,
}

impl DataType {
    const ALL: [DataType; 5] = [
        DataType::String,
        DataType::Integer,
        DataType::Float,
        DataType::Boolean,
        DataType::DateTime,
    ];

    /// The canonical spelling (aliases are resolved when a property is saved).
    pub fn parse(text: &str) -> Option<DataType> {
        DataType::ALL.into_iter().find(|t| t.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DataType::String => "STRING",
            DataType::Integer => "INTEGER",
            DataType::Float => "FLOAT",
            DataType::Boolean => "BOOLEAN",
            DataType::DateTime => "DATETIME",
        }
    }

    /// The hidden field of a property value that holds values of this type.
    pub fn column_key(self) -> &'static str {
        match self {
            DataType::String => "stringValue",
            DataType::Integer => "integerValue",
            DataType::Float => "floatValue",
            DataType::Boolean => "booleanValue",
            DataType::DateTime => "dateValue",
        }
    }

    /// How queries treat values of this type.
    pub fn kind(self) -> Kind {
        match self {
            DataType::String => Kind::Text { max: 10_000 },
            DataType::Integer | DataType::Float => Kind::Real {
                positive: false,
                signed: true,
            },
            DataType::Boolean => Kind::Bool,
            DataType::DateTime => Kind::Time,
        }
    }
}

const TYPED_KEYS: [&str; 5] = ["stringValue", "integerValue", "floatValue", "booleanValue", "dateValue"];

fn data_type(record: &Record) -> Option<DataType> {
    record.text("dataType").and_then(DataType::parse)
}

/// Converts `json` to a value of type `t`: the canonical wire form and the typed column value.
pub fn typed(t: DataType, json: &Json) -> Result<(Json, Value), String> {
    match t {
        DataType::String => match json {
            Json::String(s) => Ok((json.clone(), Value::Text(s.as_str().into()))),
            Json::Number(_) | Json::Bool(_) => Ok((Json::String(json.to_string()), Value::Text(json.to_string().into()))),
            other => Err(format!("must be a string, got {other}")),
        },
        DataType::Integer => {
            let v = parse_real(json).map_err(|_| format!("must be a whole number, got {json}"))?;
            if v.fract() != 0.0 || v.abs() > 9.007_199_254_740_992e15 {
                return Err(format!("must be a whole number, got {json}"));
            }
            Ok((json!(v as i64), Value::Real(v)))
        }
        DataType::Float => {
            let v = parse_real(json)?;
            Ok((json!(v), Value::Real(v)))
        }
        DataType::Boolean => match json {
            Json::Bool(b) => Ok((json!(b), Value::Bool(*b))),
            Json::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok((json!(true), Value::Bool(true))),
            Json::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok((json!(false), Value::Bool(false))),
            other => Err(format!("must be true or false, got {other}")),
        },
        DataType::DateTime => {
            let t = parse_time(json)?;
            Ok((json!(t.to_string()), Value::Time(t)))
        }
    }
}

/// `a,b,c` or `[a, b, c]` → the allowed values as text.
pub fn parse_options(text: &str) -> Vec<String> {
    let t = text.trim();
    let inner = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(t);
    inner
        .split(',')
        .map(|o| o.trim().trim_matches('"').trim_matches('\'').to_string())
        .filter(|o| !o.is_empty())
        .collect()
}

/// Checks a (non-null) value against the property: type, limits, options. Returns the typed pair.
pub fn check_value(property: &Record, json: &Json) -> Result<(Json, Value), String> {
    let t = data_type(property).ok_or("the property has no data type")?;
    let (canonical, typed_value) = typed(t, json)?;
    if let Some(v) = typed_value.as_real() {
        if let Some(low) = property.get("lowLimit").as_real() {
            if v < low {
                return Err(format!("{v} is below the low limit {low}"));
            }
        }
        if let Some(high) = property.get("highLimit").as_real() {
            if v > high {
                return Err(format!("{v} is above the high limit {high}"));
            }
        }
    }
    if let Some(options) = property.text("options").map(parse_options).filter(|o| !o.is_empty()) {
        let allowed = options
            .iter()
            .any(|o| typed(t, &Json::String(o.clone())).map(|(c, _)| c == canonical).unwrap_or(false));
        if !allowed {
            return Err(format!("{canonical} is not one of the options {}", options.join(", ")));
        }
    }
    Ok((canonical, typed_value))
}

/// Property definitions: limits in order, options and default valid for the type, and no type
/// change while values exist.
fn property_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
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
    if let (Some(stored), Some(id)) = (before, record.id()) {
        if data_type(stored) != Some(t) && !values_of_property(tx, id)?.is_empty() {
            errors.add("dataType", "cannot change while values of this property exist");
        }
    }
    Ok(())
}

fn values_of_property(tx: &mut dyn Tx, property: Id) -> CoreResult<Vec<Record>> {
    let mut q = Query::eq(VALUE.def(), "propertyId", Value::Id(property));
    q.page = Some(crate::query::Page { size: 1, index: 0 });
    tx.find(VALUE, &q)
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
/// typed columns, one value per (order, property).
fn value_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let (record, before, input, errors) = (&mut draft.record, draft.before, draft.input, &mut draft.errors);
    let order = match record.get("productionOrderId").as_id() {
        Some(id) => tx.get(Entity::ProductionOrder, id)?,
        None => None,
    };
    if let Some(order) = &order {
        check_order_open(order, errors);
    }
    let Some(property) = record
        .get("propertyId")
        .as_id()
        .map(|id| tx.get(PROPERTY, id))
        .transpose()?
        .flatten()
    else {
        return Ok(());
    };
    let Some(t) = data_type(&property) else { return Ok(()) };
    match data_type(record) {
        None if !errors.has("dataType") => record.set("dataType", Value::Text(t.as_str().into())),
        Some(given) if given != t => errors.add(
            "dataType",
            format!(
                "must be {} like its property {}, got {}",
                t.as_str(),
                property.text("name").unwrap_or_default(),
                given.as_str()
            ),
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
                errors.add(
                    "value",
                    format!("property {} is not nullable", property.text("name").unwrap_or_default()),
                );
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
    if let (Some(order_id), Some(property_id)) = (order.as_ref().and_then(Record::id), property.id()) {
        let q = Query::eq(VALUE.def(), "productionOrderId", Value::Id(order_id)).and_eq(VALUE.def(), "propertyId", Value::Id(property_id));
        if let Some(other) = tx.find(VALUE, &q)?.into_iter().find(|v| v.id() != record.id()) {
            errors.add(
                "propertyId",
                format!(
                    "the order already has a value for property {} (id {})",
                    property.text("name").unwrap_or_default(),
                    other.id().map(|i| i.to_string()).unwrap_or_default()
                ),
            );
        }
    }
    Ok(())
}

/// The typed columns of the named properties, for `property:<name>` query fields.
pub fn columns(tx: &mut dyn Tx, names: &[String]) -> CoreResult<Vec<(String, PropertyColumn, Kind)>> {
    let mut out = Vec::new();
    for name in names {
        let Some(p) = generic::lookup(tx, PROPERTY, name)? else { continue };
        let (Some(id), Some(t)) = (p.id(), data_type(&p)) else { continue };
        let column = VALUE.def().field(t.column_key()).map(|f| f.column).unwrap_or("string_value");
        out.push((name.clone(), PropertyColumn { property_id: id, column }, t.kind()));
    }
    Ok(out)
}

/// The order's values, by property name.
pub fn values_for(tx: &mut dyn Tx, order: Id) -> CoreResult<Vec<Record>> {
    let def = VALUE.def();
    let mut q = Query::eq(def, "productionOrderId", Value::Id(order));
    q.sort = vec![Sort {
        field: FieldRef::resolve(def, "propertyName").expect("propertyName"),
        descending: false,
    }];
    tx.find(VALUE, &q)
}

/// `getProductionOrderPropertyValueFor(productionOrderIdOrName, propertyIdOrName)`.
pub fn value_for(tx: &mut dyn Tx, order: &str, property: &str) -> CoreResult<Option<Record>> {
    let (Some(o), Some(p)) = (
        generic::lookup(tx, Entity::ProductionOrder, order)?,
        generic::lookup(tx, PROPERTY, property)?,
    ) else {
        return Ok(None);
    };
    let (Some(oid), Some(pid)) = (o.id(), p.id()) else {
        return Ok(None);
    };
    let def = VALUE.def();
    Ok(tx
        .find(
            VALUE,
            &Query::eq(def, "productionOrderId", Value::Id(oid)).and_eq(def, "propertyId", Value::Id(pid)),
        )?
        .into_iter()
        .next())
}

/// `setPropertyValue(productionOrderIdOrName, propertyIdOrName, value)`: creates or updates.
pub fn set_value(tx: &mut dyn Tx, caller: &Caller, order: &str, property: &str, value: &Json) -> CoreResult<Record> {
    let o = generic::require_as_field(tx, Entity::ProductionOrder, order, "productionOrderIdOrName")?;
    let p = generic::require_as_field(tx, PROPERTY, property, "propertyIdOrName")?;
    let existing = value_for(tx, &id_text(&o), &id_text(&p))?;
    save_value(tx, caller, &o, &p, existing.as_ref(), value)
}

/// Sets the value of property `p` of order `o` whose stored value (if any) is `existing`.
pub fn save_value(tx: &mut dyn Tx, caller: &Caller, o: &Record, p: &Record, existing: Option<&Record>, value: &Json) -> CoreResult<Record> {
    let mut data = Map::new();
    match existing {
        Some(existing) => {
            data.insert("id".into(), json!(id_text(existing)));
        }
        None => {
            data.insert("productionOrderId".into(), json!(id_text(o)));
            data.insert("propertyId".into(), json!(id_text(p)));
        }
    }
    data.insert("value".into(), value.clone());
    generic::save(tx, caller, &VALUE_HOOKS, &data)
}

/// `setPropertyValues(productionOrderIdOrName, values)`: all or none (the caller's transaction
/// is rolled back on the first error, which names the property).
pub fn set_values(tx: &mut dyn Tx, caller: &Caller, order: &str, values: &Map<String, Json>) -> CoreResult<Vec<Record>> {
    let mut out = Vec::with_capacity(values.len());
    for (property, value) in values {
        match set_value(tx, caller, order, property, value) {
            Ok(r) => out.push(r),
            Err(CoreError::Validation(fields)) => {
                let mut prefixed = FieldErrors::new();
                for (k, msgs) in fields.0 {
                    for m in msgs {
                        prefixed.add(format!("values.{property}.{k}"), m);
                    }
                }
                return Err(CoreError::Validation(prefixed));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// `getProductionOrderPropertyOrCreateNew(**propertyData)`: by `id` or `name`, else created.
pub fn get_or_create(tx: &mut dyn Tx, caller: &Caller, data: &Map<String, Json>) -> CoreResult<Record> {
    for key in ["id", "name"] {
        if let Some(text) = data.get(key).and_then(Json::as_str) {
            if let Some(found) = generic::lookup(tx, PROPERTY, text)? {
                return Ok(found);
            }
        }
    }
    caller.require("PRODUCTION_ORDER.WRITE.SAVE")?;
    generic::save(tx, caller, &PROPERTY_HOOKS, data)
}

fn id_text(r: &Record) -> String {
    r.id().map(|i| i.to_string()).unwrap_or_default()
}
