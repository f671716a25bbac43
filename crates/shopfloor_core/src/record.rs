//! Records as the catalogue describes them: typed values keyed by field, converted from wire JSON
//! (collecting every field error) and back to wire JSON in catalogue order.

use crate::errors::FieldErrors;
use crate::id::Id;
use crate::schema::{Access, Default, EntityDef, FieldDef, Kind, DATA_TYPES, DATA_TYPE_ALIASES};
use crate::time::Timestamp;
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One typed field value. Text is shared, not copied, when a value is cloned: records are
/// copied on every write and by the import's memory of what it read.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Id(Id),
    Text(Arc<str>),
    Real(f64),
    Int(i64),
    Bool(bool),
    Time(Timestamp),
    Json(Json),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_id(&self) -> Option<Id> {
        match self {
            Value::Id(id) => Some(*id),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_real(&self) -> Option<f64> {
        match self {
            Value::Real(v) => Some(*v),
            Value::Int(v) => Some(*v as f64),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_time(&self) -> Option<Timestamp> {
        match self {
            Value::Time(t) => Some(*t),
            _ => None,
        }
    }

    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Id(id) => Json::String(id.to_string()),
            Value::Text(s) => Json::String(s.to_string()),
            Value::Real(v) => serde_json::Number::from_f64(*v).map(Json::Number).unwrap_or(Json::Null),
            Value::Int(v) => Json::from(*v),
            Value::Bool(b) => Json::Bool(*b),
            Value::Time(t) => Json::String(t.to_string()),
            Value::Json(j) => j.clone(),
        }
    }

    /// Appends the JSON text of [`Value::to_json`] (without building it).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        use std::io::Write;
        // Writing to a Vec cannot fail, and every value here serializes.
        let _ = match self {
            Value::Null => out.write_all(b"null"),
            Value::Id(id) => write!(out, "\"{id}\""),
            Value::Text(s) => serde_json::to_writer(&mut *out, &**s).map_err(std::io::Error::other),
            Value::Real(v) if v.is_finite() => serde_json::to_writer(&mut *out, v).map_err(std::io::Error::other),
            Value::Real(_) => out.write_all(b"null"),
            Value::Int(v) => write!(out, "{v}"),
            Value::Bool(b) => write!(out, "{b}"),
            Value::Time(t) => write!(out, "\"{t}\""),
            Value::Json(j) => serde_json::to_writer(&mut *out, j).map_err(std::io::Error::other),
        };
    }

    fn from_default(d: Default) -> Value {
        match d {
            Default::Null => Value::Null,
            Default::Bool(b) => Value::Bool(b),
            Default::Real(v) => Value::Real(v),
            Default::Int(v) => Value::Int(v),
            Default::Text(s) => Value::Text(s.into()),
        }
    }
}

/// A record of one entity: stored fields plus, when read, derived names. A missing key reads
/// as null. The few dozen keys are kept in a list: cheaper to build, copy and search than a
/// tree (records are built on every read and copied on every write).
#[derive(Clone, Debug, Default)]
pub struct Record {
    values: Vec<(&'static str, Value)>,
}

impl Record {
    pub fn get(&self, key: &str) -> &Value {
        self.values.iter().find(|(k, _)| *k == key).map(|(_, v)| v).unwrap_or(&Value::Null)
    }

    pub fn set(&mut self, key: &'static str, value: Value) {
        match self.values.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.values.push((key, value)),
        }
    }

    /// Forgets a key (it reads as null again).
    pub fn remove(&mut self, key: &str) {
        self.values.retain(|(k, _)| *k != key);
    }

    pub fn id(&self) -> Option<Id> {
        self.get("id").as_id()
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).as_text()
    }

    pub fn version(&self) -> i64 {
        self.get("version").as_int().unwrap_or(0)
    }

    /// The `newX()` template: every input field at its default.
    pub fn template(def: &EntityDef) -> Record {
        let mut r = Record::default();
        for f in def
            .fields
            .iter()
            .filter(|f| f.access == Access::Input || f.default != Default::Null)
        {
            r.set(f.key, Value::from_default(f.default));
        }
        r
    }

    /// Wire JSON: stored fields in catalogue order, then derived names.
    pub fn to_json(&self, def: &EntityDef) -> Json {
        let mut m = Map::new();
        for f in def.fields.iter().filter(|f| f.access != Access::Hidden) {
            m.insert(f.key.to_string(), self.get(f.key).to_json());
        }
        for d in &def.derived {
            m.insert(d.key.to_string(), self.get(d.key).to_json());
        }
        Json::Object(m)
    }

    /// The template as wire JSON (input fields only).
    pub fn template_json(def: &EntityDef) -> Json {
        let r = Record::template(def);
        let mut m = Map::new();
        for f in def.fields.iter().filter(|f| f.access == Access::Input) {
            m.insert(f.key.to_string(), r.get(f.key).to_json());
        }
        Json::Object(m)
    }
}

/// Input of a save: the keys present (explicit `null` included), the optional `version` guard.
#[derive(Debug, Default)]
pub struct Input {
    pub present: BTreeMap<&'static str, Value>,
    pub version: Option<i64>,
}

/// The script API's save input with the fresh-template rule applied (SPEC §1, "The
/// fresh-template update"): an update built from a fresh `newX()` template keeps the stored value
/// of every key the script left at its template default, so those keys are dropped. Any other
/// input (a partial dict, a round trip from `getX()`, a create) comes back unchanged. REST `PUT`
/// does not use this: it is a full replacement.
pub fn fresh_template_update<'a>(def: &EntityDef, data: &'a Map<String, Json>) -> Cow<'a, Map<String, Json>> {
    if data.get("id").is_none_or(Json::is_null) || !is_fresh_template(def, data) {
        return Cow::Borrowed(data);
    }
    let template = Record::template(def);
    let at_default = |raw: &str, json: &Json| {
        def.field(def.canonical_key(raw)).is_some_and(|f| {
            let default = template.get(f.key);
            f.key != "id"
                && if json.is_null() {
                    default.is_null()
                } else {
                    parse_value(f.kind, json).as_ref() == Ok(default)
                }
        })
    };
    Cow::Owned(
        data.iter()
            .filter(|(raw, json)| !at_default(raw, json))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// Whether `data` came from `newX()`, not from `getX()` or a hand-written dict: it names every
/// key of the template (directly or by an alias) and none of the keys only the server writes.
fn is_fresh_template(def: &EntityDef, data: &Map<String, Json>) -> bool {
    let field_of = |raw: &str| def.field(def.canonical_key(raw));
    let server_written = data
        .keys()
        .any(|raw| def.derived(raw).is_some() || field_of(raw).is_some_and(|f| f.access == Access::ReadOnly));
    let every_template_key = def
        .fields
        .iter()
        .filter(|f| f.access == Access::Input)
        .all(|f| data.keys().any(|raw| field_of(raw).is_some_and(|g| g.key == f.key)));
    every_template_key && !server_written
}

/// Converts a wire object into typed values, resolving aliases, refusing unknown keys and
/// ignoring read-only ones. Every problem is collected in `errors`.
pub fn parse_input(def: &EntityDef, data: &Map<String, Json>, errors: &mut FieldErrors) -> Input {
    let mut input = Input::default();
    for (raw_key, json) in data {
        let key = def.canonical_key(raw_key);
        if key == "version" {
            match json {
                Json::Null => {}
                _ => match json_to_int(json) {
                    Some(v) if v >= 1 => input.version = Some(v),
                    _ => errors.add("version", format!("must be a positive integer, got {json}")),
                },
            }
            continue;
        }
        let Some(field) = def.field(key).filter(|f| f.access != Access::Hidden) else {
            if def.derived(key).is_some() || is_embedded_list(key) {
                continue;
            }
            errors.add(raw_key.clone(), format!("unknown field '{raw_key}' for {}", def.label));
            continue;
        };
        if field.access == Access::ReadOnly {
            continue;
        }
        if input.present.contains_key(field.key) && raw_key != field.key {
            // The canonical key wins over an alias given alongside it.
            continue;
        }
        if json.is_null() && !field.nullable() {
            errors.add(field.key, null_refused(field));
            continue;
        }
        match parse_value(field.kind, json) {
            Ok(v) => {
                input.present.insert(field.key, v);
            }
            Err(msg) => errors.add(field.key, msg),
        }
    }
    input
}

/// The message for an explicit `null` given to a field that is not nullable: required fields
/// say so as when they are missing; defaulted ones are refused rather than stored as null (their
/// columns are `NOT NULL`) or silently reset to the default.
fn null_refused(field: &FieldDef) -> String {
    if field.required {
        "is required".to_string()
    } else {
        "must not be null (leave the field out to keep its value)".to_string()
    }
}

/// Whether a save of `def` knows the input key `raw_key` (stores it, or ignores it as
/// read-only, derived or embedded), as [`parse_input`] decides; any other key is refused there.
pub fn is_input_key(def: &EntityDef, raw_key: &str) -> bool {
    let key = def.canonical_key(raw_key);
    key == "version" || def.field(key).is_some_and(|f| f.access != Access::Hidden) || def.derived(key).is_some() || is_embedded_list(key)
}

/// Embedded lists of `getX` results that are ignored on input (SPEC §1).
fn is_embedded_list(key: &str) -> bool {
    matches!(key, "propertyValues" | "billOfMaterials")
}

fn json_to_int(json: &Json) -> Option<i64> {
    match json {
        Json::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64)),
        Json::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// What kind of JSON value this is, for messages: "a string", "a list", …
pub fn describe(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// Parses a double from a JSON number or numeric string; NaN and infinities are refused.
pub fn parse_real(json: &Json) -> Result<f64, String> {
    let v = match json {
        Json::Number(n) => n.as_f64().ok_or_else(|| format!("{n} is not a number"))?,
        Json::String(s) => s.trim().parse::<f64>().map_err(|_| format!("'{s}' is not a number"))?,
        other => return Err(format!("must be a number, got {}", describe(other))),
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("must be a finite number, got {json}"))
    }
}

/// A number computed from finite inputs (a sum of reports, a conversion, a product) that must
/// stay finite like every number given: an overflow is refused with a message, never stored or
/// answered as infinity.
pub fn finite_result(value: f64, what: &str) -> Result<f64, String> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("would make {what} too large to store (the result overflows a double)"))
    }
}

/// Parses a timestamp from an RFC 3339 string or integer epoch milliseconds.
pub fn parse_time(json: &Json) -> Result<Timestamp, String> {
    match json {
        Json::String(s) => Timestamp::parse(s),
        Json::Number(n) => match n.as_i64() {
            Some(ms) => Timestamp::from_millis(ms),
            None => Err(format!("{n} is not a whole number of epoch milliseconds")),
        },
        other => Err(format!(
            "must be a timestamp (RFC 3339 string or epoch milliseconds), got {}",
            describe(other)
        )),
    }
}

/// Matches an enum spelling ignoring case (spaces and dashes as underscores), plus the data-type
/// aliases of SPEC §2.3 where `options` are the data types.
pub fn parse_enum(options: &'static [&'static str], text: &str) -> Result<&'static str, String> {
    let wanted = text.trim().replace([' ', '-'], "_");
    if let Some(o) = options.iter().find(|o| o.eq_ignore_ascii_case(&wanted)) {
        return Ok(o);
    }
    if options == DATA_TYPES {
        if let Some((_, canonical)) = DATA_TYPE_ALIASES.iter().find(|(a, _)| a.eq_ignore_ascii_case(&wanted)) {
            return Ok(canonical);
        }
    }
    Err(format!("'{text}' is not one of {}", options.join(", ")))
}

/// Parses one value of the given kind; `null` is always accepted here (required-ness is checked
/// after merging with the stored record).
pub fn parse_value(kind: Kind, json: &Json) -> Result<Value, String> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    match kind {
        Kind::Id | Kind::Ref(_) => match json {
            Json::String(s) => Id::parse(s).map(Value::Id),
            other => Err(format!("must be a ULID string, got {}", describe(other))),
        },
        Kind::Name => match json {
            Json::String(s) => {
                let t = s.trim();
                if t.is_empty() {
                    Err("must not be empty".into())
                } else if t.chars().count() > 255 {
                    Err("must be at most 255 characters".into())
                } else if t.chars().any(char::is_control) {
                    Err("must not contain control characters".into())
                } else {
                    Ok(Value::Text(t.into()))
                }
            }
            other => Err(format!("must be a string, got {}", describe(other))),
        },
        Kind::Text { max } => match json {
            Json::String(s) if s.chars().count() > max => Err(format!("must be at most {max} characters")),
            Json::String(s) => Ok(Value::Text(s.as_str().into())),
            other => Err(format!("must be a string, got {}", describe(other))),
        },
        Kind::Real { positive, signed } => {
            let v = parse_real(json)?;
            if positive && v <= 0.0 {
                Err(format!("must be greater than 0, got {v}"))
            } else if !signed && v < 0.0 {
                Err(format!("must not be negative, got {v}"))
            } else {
                Ok(Value::Real(v))
            }
        }
        Kind::Int => match json_to_int(json) {
            Some(v) if v >= 0 => Ok(Value::Int(v)),
            Some(v) => Err(format!("must not be negative, got {v}")),
            None => Err(format!("must be a whole number, got {json}")),
        },
        Kind::Bool => match json {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Json::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            other => Err(format!("must be true or false, got {}", describe(other))),
        },
        Kind::Time => parse_time(json).map(Value::Time),
        Kind::Json => Ok(Value::Json(json.clone())),
        Kind::Enum(options) => match json {
            Json::String(s) => parse_enum(options, s).map(|o| Value::Text(o.into())),
            other => Err(format!("must be one of {}, got {}", options.join(", "), describe(other))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Entity;
    use serde_json::json;

    #[test]
    fn json_text_is_what_to_json_serializes_to() {
        let values = [
            Value::Null,
            Value::Id(Id::generate()),
            Value::Text("quote \" backslash \\ newline \n tab \t control \u{1} ünïcode ✓".into()),
            Value::Real(2.5),
            Value::Real(3.0),
            Value::Real(f64::NAN),
            Value::Int(-42),
            Value::Bool(true),
            Value::Time(Timestamp(1_764_000_000_123)),
            Value::Json(json!({"a": [1, "b", null]})),
        ];
        for v in values {
            let mut text = Vec::new();
            v.write_json(&mut text);
            assert_eq!(String::from_utf8(text).unwrap(), v.to_json().to_string(), "{v:?}");
        }
    }

    fn parse(data: Json) -> (Input, FieldErrors) {
        let mut errors = FieldErrors::new();
        let input = parse_input(Entity::ProductionOrder.def(), data.as_object().unwrap(), &mut errors);
        (input, errors)
    }

    #[test]
    fn a_numeric_string_quantity_is_coerced() {
        let (input, errors) = parse(json!({"quantity": "100"}));
        assert!(errors.is_empty());
        assert_eq!(input.present["quantity"], Value::Real(100.0));
    }

    #[test]
    fn the_seed_alias_for_the_shift_record_is_accepted() {
        let (input, errors) = parse(json!({"scheduleShiftRecordId": "01JCH3ENGW-82KJDZDR-JHGYCXQN"}));
        assert!(errors.is_empty());
        assert!(input.present.contains_key("shiftRecordId"));
    }

    #[test]
    fn unknown_keys_wrong_types_and_negative_quantities_are_all_reported() {
        let (_, errors) = parse(json!({"quantitty": 1, "quantity": -1, "status": "DONE", "dueDate": "soon", "enabled": 3}));
        for field in ["quantitty", "quantity", "status", "dueDate", "enabled"] {
            assert!(errors.has(field), "{field} missing in {errors:?}");
        }
    }

    #[test]
    fn read_only_and_derived_keys_are_ignored() {
        let (input, errors) = parse(json!({"createdBy": "x", "productName": "y", "billOfMaterials": []}));
        assert!(errors.is_empty());
        assert!(input.present.is_empty());
    }

    #[test]
    fn null_for_a_field_that_is_not_nullable_is_a_validation_error_naming_it_in_every_entity() {
        for e in Entity::ALL {
            let def = e.def();
            for field in def.fields.iter().filter(|f| f.access == Access::Input && !f.nullable()) {
                let mut data = Map::new();
                data.insert(field.key.to_string(), Json::Null);
                let mut errors = FieldErrors::new();
                let input = parse_input(def, &data, &mut errors);
                assert!(errors.has(field.key), "{}.{}: {errors:?}", def.noun, field.key);
                assert!(!input.present.contains_key(field.key), "{}.{}", def.noun, field.key);
            }
        }
        let (input, errors) = parse(json!({"customerId": null, "dueDate": null}));
        assert!(errors.is_empty(), "nullable fields take null: {errors:?}");
        assert_eq!(input.present["dueDate"], Value::Null);
    }

    #[test]
    fn results_that_overflow_are_refused_and_inputs_that_overflow_too() {
        assert_eq!(finite_result(1e308 + 1.0, "x"), Ok(1e308 + 1.0));
        assert!(finite_result(1e308 * 10.0, "quantityProduced")
            .unwrap_err()
            .contains("quantityProduced"));
        assert!(finite_result(f64::NAN, "x").is_err());
        assert!(parse_real(&json!("1e400")).is_err());
        assert!(parse_real(&json!("-inf")).is_err());
    }

    #[test]
    fn a_name_of_only_spaces_is_rejected() {
        assert!(parse_value(Kind::Name, &json!("   ")).is_err());
        assert_eq!(parse_value(Kind::Name, &json!("  A ")).unwrap(), Value::Text("A".into()));
    }

    #[test]
    fn the_template_has_the_seed_defaults() {
        let t = Record::template_json(Entity::ProductionOrder.def());
        assert_eq!(t["status"], "IDLE");
        assert_eq!(t["schedulePriority"], "NORMAL");
        assert_eq!(t["quantity"], 0.0);
        assert_eq!(t["enabled"], true);
        assert!(t["id"].is_null());
        assert!(t.get("createdDate").is_none());
    }
}
