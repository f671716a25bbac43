//! QueryRequest / FilterRequest / QueryResult (query.md): parsed and checked against an entity's
//! fields into a typed [`Query`] that a store turns into SQL.

use crate::errors::FieldErrors;
use crate::id::Id;
use crate::record::{parse_real, parse_time, Value};
use crate::schema::{Access, EntityDef, Kind, ValueType};
use serde_json::{json, Map, Value as Json};

pub const MAX_PAGE_SIZE: u64 = 10_000;

/// A filterable, sortable field: a stored column or a derived name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldRef {
    pub key: &'static str,
    pub kind: Kind,
    /// For derived names: the reference field (key) they come through, and the column there.
    pub via: Option<(&'static str, &'static str)>,
    /// For `property:<name>` fields of orders: the property and the typed value column.
    pub property: Option<PropertyColumn>,
}

/// A custom property addressed by a query (`property:Batch Size`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PropertyColumn {
    pub property_id: Id,
    /// The typed column of `production_order_property_values` holding its values.
    pub column: &'static str,
}

/// Resolves the name after `property:` to the property's column and kind (`None`: unknown).
pub type PropertyResolver<'a> = &'a dyn Fn(&str) -> Option<(PropertyColumn, Kind)>;

/// The prefix of query fields that address custom properties.
pub const PROPERTY_PREFIX: &str = "property:";

impl FieldRef {
    /// Any field, hidden ones included (the services query them; callers' queries cannot).
    /// Any field of the entity, hidden ones included (for the services' own queries).
    pub fn resolve(def: &EntityDef, key: &str) -> Option<FieldRef> {
        if let Some(f) = def.field(key) {
            return Some(FieldRef {
                key: f.key,
                kind: f.kind,
                via: None,
                property: None,
            });
        }
        def.derived(key).map(|d| FieldRef {
            key: d.key,
            kind: Kind::Text { max: 255 },
            via: Some((d.via, d.column)),
            property: None,
        })
    }

    /// A field a client may filter and sort by: not a hidden one (password and token hashes,
    /// the typed copies of property values), which would otherwise leak by comparison.
    fn resolve_with(def: &EntityDef, key: &str, properties: PropertyResolver) -> Option<FieldRef> {
        if def.field(key).is_some_and(|f| f.access == Access::Hidden) {
            return None;
        }
        match key.strip_prefix(PROPERTY_PREFIX) {
            Some(name) => properties(name.trim()).map(|(column, kind)| FieldRef {
                key: "property",
                kind,
                via: None,
                property: Some(column),
            }),
            None => FieldRef::resolve(def, key),
        }
    }

    /// Free text and names compare case-insensitively (operands lower-cased); ids and enums
    /// are compared in their canonical spelling, so their indexes serve.
    pub fn is_text(&self) -> bool {
        matches!(self.kind, Kind::Name | Kind::Text { .. })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Equals,
    NotEquals,
    True,
    False,
    Contains,
    StartsWith,
    EndsWith,
    GreaterThan,
    GreaterThanOrEqualTo,
    LessThan,
    LessThanOrEqualTo,
    Between,
    In,
    NotIn,
    IsNull,
    IsNotNull,
}

impl Condition {
    const NAMES: [(&'static str, Condition); 16] = [
        ("EQUALS", Condition::Equals),
        ("NOT_EQUALS", Condition::NotEquals),
        ("TRUE", Condition::True),
        ("FALSE", Condition::False),
        ("CONTAINS", Condition::Contains),
        ("STARTS_WITH", Condition::StartsWith),
        ("ENDS_WITH", Condition::EndsWith),
        ("GREATER_THAN", Condition::GreaterThan),
        ("GREATER_THAN_OR_EQUAL_TO", Condition::GreaterThanOrEqualTo),
        ("LESS_THAN", Condition::LessThan),
        ("LESS_THAN_OR_EQUAL_TO", Condition::LessThanOrEqualTo),
        ("BETWEEN", Condition::Between),
        ("IN", Condition::In),
        ("NOT_IN", Condition::NotIn),
        ("IS_NULL", Condition::IsNull),
        ("IS_NOT_NULL", Condition::IsNotNull),
    ];

    pub fn parse(text: &str) -> Option<Condition> {
        let norm = text.trim().replace([' ', '-'], "_").to_ascii_uppercase();
        Self::NAMES.iter().find(|(n, _)| *n == norm).map(|(_, c)| *c)
    }

    pub fn names() -> Vec<&'static str> {
        Self::NAMES.iter().map(|(n, _)| *n).collect()
    }

    fn fits(self, t: ValueType) -> bool {
        use Condition::*;
        match self {
            Equals | NotEquals | In | NotIn | IsNull | IsNotNull => true,
            True | False => t == ValueType::Boolean,
            Contains | StartsWith | EndsWith => t == ValueType::String,
            GreaterThan | GreaterThanOrEqualTo | LessThan | LessThanOrEqualTo | Between => {
                matches!(t, ValueType::Number | ValueType::Date)
            }
        }
    }
}

/// The operand of a filter, already converted to the field's storage type. Text operands of
/// text fields are lower-cased: string comparisons ignore case.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    None,
    One(Value),
    Range(Value, Value),
    List(Vec<Value>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub field: FieldRef,
    pub condition: Condition,
    pub operand: Operand,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sort {
    pub field: FieldRef,
    pub descending: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub size: u64,
    pub index: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub filters: Vec<Filter>,
    pub sort: Vec<Sort>,
    pub page: Option<Page>,
}

impl Query {
    /// A query with one equality filter on a stored field (used by the services).
    pub fn eq(def: &EntityDef, key: &str, value: Value) -> Query {
        let field = FieldRef::resolve(def, key).expect("known field");
        let value = match value {
            Value::Text(s) if field.is_text() => Value::Text(s.to_lowercase().into()),
            v => v,
        };
        Query {
            filters: vec![Filter {
                field,
                condition: Condition::Equals,
                operand: Operand::One(value),
            }],
            ..Query::default()
        }
    }

    pub fn and_eq(mut self, def: &EntityDef, key: &str, value: Value) -> Query {
        self.filters.extend(Query::eq(def, key, value).filters);
        self
    }

    pub fn is_null(def: &EntityDef, key: &str) -> Filter {
        Filter {
            field: FieldRef::resolve(def, key).expect("known field"),
            condition: Condition::IsNull,
            operand: Operand::None,
        }
    }
}

pub fn new_query_request() -> Json {
    json!({"pageSize": null, "pageIndex": null, "sortFields": null, "sortDirections": null, "filters": null})
}

pub fn new_filter_request() -> Json {
    json!({
        "field": null, "condition": null, "type": null,
        "stringValue": null, "numberValue": null, "dateValue": null,
        "minNumberValue": null, "maxNumberValue": null, "minDateValue": null, "maxDateValue": null,
        "stringListValue": null, "numberListValue": null, "dateListValue": null,
    })
}

const QUERY_KEYS: &[&str] = &["pageSize", "pageIndex", "sortFields", "sortDirections", "sortDirection", "filters"];
const FILTER_KEYS: &[&str] = &[
    "field",
    "condition",
    "type",
    "stringValue",
    "numberValue",
    "dateValue",
    "booleanValue",
    "minNumberValue",
    "maxNumberValue",
    "minDateValue",
    "maxDateValue",
    "stringListValue",
    "numberListValue",
    "dateListValue",
];

fn non_null<'a>(m: &'a Map<String, Json>, key: &str) -> Option<&'a Json> {
    m.get(key).filter(|v| !v.is_null())
}

/// A whole number ≥ 0 given as a number or as its text.
pub fn as_u64(v: &Json) -> Option<u64> {
    match v {
        Json::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9e15).map(|f| f as u64)),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn string_list(v: &Json) -> Option<Vec<String>> {
    match v {
        Json::String(s) => Some(vec![s.clone()]),
        Json::Array(items) => items.iter().map(|i| i.as_str().map(str::to_string)).collect(),
        _ => None,
    }
}

/// Parses and checks a QueryRequest for `def`; every problem is reported under its key.
pub fn parse_query(def: &EntityDef, q: &Map<String, Json>) -> Result<Query, FieldErrors> {
    parse_query_with(def, q, &|_| None)
}

/// The names after `property:` used by a QueryRequest's filters and sort fields.
pub fn property_names(q: &Map<String, Json>) -> Vec<String> {
    let mut names = Vec::new();
    let mut take = |v: &Json| {
        if let Some(name) = v.as_str().and_then(|s| s.strip_prefix(PROPERTY_PREFIX)) {
            names.push(name.trim().to_string());
        }
    };
    if let Some(Json::Array(filters)) = q.get("filters") {
        for f in filters {
            if let Some(field) = f.get("field") {
                take(field);
            }
        }
    }
    match q.get("sortFields") {
        Some(Json::Array(fields)) => fields.iter().for_each(&mut take),
        Some(v) => take(v),
        None => {}
    }
    names
}

/// Like [`parse_query`], with `property:<name>` fields resolved by `properties`.
pub fn parse_query_with(def: &EntityDef, q: &Map<String, Json>, properties: PropertyResolver) -> Result<Query, FieldErrors> {
    let mut errors = FieldErrors::new();
    for key in q.keys() {
        if !QUERY_KEYS.contains(&key.as_str()) {
            errors.add(key.clone(), format!("unknown QueryRequest key '{key}'"));
        }
    }
    let mut query = Query::default();

    let size = non_null(q, "pageSize").map(|v| (v, as_u64(v)));
    let index = non_null(q, "pageIndex").map(|v| (v, as_u64(v)));
    match size {
        Some((_, Some(s))) if (1..=MAX_PAGE_SIZE).contains(&s) => {}
        Some((v, _)) => errors.add("pageSize", format!("must be a whole number from 1 to {MAX_PAGE_SIZE}, got {v}")),
        None => {}
    }
    if let Some((v, None)) = index {
        errors.add("pageIndex", format!("must be a whole number ≥ 0, got {v}"));
    }
    if let (Some((_, Some(s))), Some((_, Some(i)))) = (size, index) {
        if (1..=MAX_PAGE_SIZE).contains(&s) {
            query.page = Some(Page { size: s, index: i });
        }
    }

    let fields = match non_null(q, "sortFields") {
        None => vec![],
        Some(v) => string_list(v).unwrap_or_else(|| {
            errors.add("sortFields", "must be a list of field names");
            vec![]
        }),
    };
    let directions: Vec<String> = match (non_null(q, "sortDirections"), non_null(q, "sortDirection")) {
        (Some(v), _) => string_list(v).unwrap_or_else(|| {
            errors.add("sortDirections", "must be a list of Ascending/Descending");
            vec![]
        }),
        (None, Some(v)) => match v.as_str() {
            Some(s) => vec![s.to_string(); fields.len().max(1)],
            None => {
                errors.add("sortDirection", "must be Ascending or Descending");
                vec![]
            }
        },
        (None, None) => vec![],
    };
    if directions.len() > fields.len() && !fields.is_empty() {
        errors.add(
            "sortDirections",
            format!("has {} entries for {} sort fields", directions.len(), fields.len()),
        );
    }
    for (i, name) in fields.iter().enumerate() {
        let Some(field) = FieldRef::resolve_with(def, name, properties) else {
            errors.add(format!("sortFields[{i}]"), format!("unknown field '{name}' for {}", def.label));
            continue;
        };
        let descending = match directions.get(i).map(|d| d.trim().to_ascii_lowercase()) {
            None => false,
            Some(d) if d == "asc" || d == "ascending" => false,
            Some(d) if d == "desc" || d == "descending" => true,
            Some(d) => {
                errors.add(
                    format!("sortDirections[{i}]"),
                    format!("'{d}' is not Ascending, Descending, asc or desc"),
                );
                false
            }
        };
        query.sort.push(Sort { field, descending });
    }

    match non_null(q, "filters") {
        None => {}
        Some(Json::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match item.as_object() {
                    Some(f) => match parse_filter_with(def, f, &format!("filters[{i}]."), properties) {
                        Ok(filter) => query.filters.push(filter),
                        Err(e) => errors.0.extend(e.0),
                    },
                    None => errors.add(format!("filters[{i}]"), "must be a FilterRequest object"),
                }
            }
        }
        Some(_) => errors.add("filters", "must be a list of FilterRequest objects"),
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(errors)
    }
}

/// Parses one FilterRequest; field errors are keyed `{prefix}{key}` (e.g. `filters[2].condition`).
pub fn parse_filter(def: &EntityDef, f: &Map<String, Json>, prefix: &str) -> Result<Filter, FieldErrors> {
    parse_filter_with(def, f, prefix, &|_| None)
}

fn parse_filter_with(def: &EntityDef, f: &Map<String, Json>, prefix: &str, properties: PropertyResolver) -> Result<Filter, FieldErrors> {
    let mut errors = FieldErrors::new();
    let key = |k: &str| format!("{prefix}{k}");
    for k in f.keys() {
        if !FILTER_KEYS.contains(&k.as_str()) {
            errors.add(key(k), format!("unknown FilterRequest key '{k}'"));
        }
    }
    let field = match non_null(f, "field") {
        None => {
            errors.add(key("field"), "is required");
            None
        }
        Some(Json::String(name)) => {
            let r = FieldRef::resolve_with(def, name.trim(), properties);
            if r.is_none() {
                errors.add(key("field"), format!("unknown field '{name}' for {}", def.label));
            }
            r
        }
        Some(other) => {
            errors.add(key("field"), format!("must be a field name, got {other}"));
            None
        }
    };
    let condition = match non_null(f, "condition") {
        None => {
            errors.add(key("condition"), "is required");
            None
        }
        Some(v) => {
            let c = v.as_str().and_then(Condition::parse);
            if c.is_none() {
                errors.add(
                    key("condition"),
                    format!("unknown condition {v}; use one of {}", Condition::names().join(", ")),
                );
            }
            c
        }
    };
    if let Some(t) = non_null(f, "type") {
        let declared = match t.as_str().map(|s| s.trim().to_ascii_lowercase()) {
            Some(s) if s == "string" => Some(ValueType::String),
            Some(s) if s == "number" => Some(ValueType::Number),
            Some(s) if s == "boolean" => Some(ValueType::Boolean),
            Some(s) if s == "date" => Some(ValueType::Date),
            _ => {
                errors.add(key("type"), format!("{t} is not one of string, number, boolean, date"));
                None
            }
        };
        if let (Some(d), Some(field)) = (declared, field) {
            if d != field.kind.value_type() {
                errors.add(
                    key("type"),
                    format!("field '{}' is of type {:?}, not {t}", field.key, field.kind.value_type()),
                );
            }
        }
    }
    let (Some(field), Some(condition)) = (field, condition) else {
        return Err(errors);
    };
    let vt = field.kind.value_type();
    if !condition.fits(vt) {
        errors.add(
            key("condition"),
            format!("{condition:?} does not apply to field '{}' of type {vt:?}", field.key).replace("Equals", "EQUALS"),
        );
        return Err(errors);
    }
    let operand = parse_operand(field, condition, f, prefix, &mut errors);
    if errors.is_empty() {
        Ok(Filter { field, condition, operand })
    } else {
        Err(errors)
    }
}

fn operand_key(vt: ValueType) -> &'static str {
    match vt {
        ValueType::String => "stringValue",
        ValueType::Number => "numberValue",
        ValueType::Date => "dateValue",
        ValueType::Boolean => "booleanValue",
    }
}

fn parse_operand(field: FieldRef, condition: Condition, f: &Map<String, Json>, prefix: &str, errors: &mut FieldErrors) -> Operand {
    use Condition::*;
    let vt = field.kind.value_type();
    let key = |k: &str| format!("{prefix}{k}");
    let mut one = |name: &str| -> Option<Value> {
        match non_null(f, name) {
            None => {
                errors.add(
                    key(name),
                    format!("is required for condition {condition:?} on field '{}'", field.key),
                );
                None
            }
            Some(v) => match operand_value(field, v) {
                Ok(v) => Some(v),
                Err(m) => {
                    errors.add(key(name), m);
                    None
                }
            },
        }
    };
    match condition {
        True | False | IsNull | IsNotNull => Operand::None,
        Between => {
            let (lo, hi) = match vt {
                ValueType::Date => ("minDateValue", "maxDateValue"),
                _ => ("minNumberValue", "maxNumberValue"),
            };
            match (one(lo), one(hi)) {
                (Some(a), Some(b)) => Operand::Range(a, b),
                _ => Operand::None,
            }
        }
        In | NotIn => {
            let name = match vt {
                ValueType::String => "stringListValue",
                ValueType::Number => "numberListValue",
                ValueType::Date => "dateListValue",
                ValueType::Boolean => "stringListValue",
            };
            match non_null(f, name) {
                Some(Json::Array(items)) => {
                    let mut values = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        match operand_value(field, item) {
                            Ok(v) => values.push(v),
                            Err(m) => errors.add(key(&format!("{name}[{i}]")), m),
                        }
                    }
                    if items.is_empty() {
                        errors.add(key(name), "must not be empty");
                    }
                    Operand::List(values)
                }
                Some(_) => {
                    errors.add(key(name), "must be a list");
                    Operand::None
                }
                None => {
                    errors.add(
                        key(name),
                        format!("is required for condition {condition:?} on field '{}'", field.key),
                    );
                    Operand::None
                }
            }
        }
        Contains | StartsWith | EndsWith => match non_null(f, "stringValue") {
            Some(Json::String(s)) => Operand::One(Value::Text(s.to_lowercase().into())),
            Some(other) => {
                errors.add(key("stringValue"), format!("must be a string, got {other}"));
                Operand::None
            }
            None => {
                errors.add(
                    key("stringValue"),
                    format!("is required for condition {condition:?} on field '{}'", field.key),
                );
                Operand::None
            }
        },
        _ => {
            let name = if vt == ValueType::Boolean && non_null(f, "booleanValue").is_none() {
                "stringValue"
            } else {
                operand_key(vt)
            };
            one(name).map(Operand::One).unwrap_or(Operand::None)
        }
    }
}

/// Converts one operand to the field's storage type (ids canonical, enums checked, text lower-cased).
fn operand_value(field: FieldRef, v: &Json) -> Result<Value, String> {
    match field.kind {
        Kind::Json => Err(format!("field '{}' cannot be compared; filter on a typed field", field.key)),
        Kind::Id | Kind::Ref(_) => match v.as_str() {
            Some(s) => Id::parse(s).map(|id| Value::Text(id.to_string().into())),
            None => Err(format!("must be a ULID string, got {v}")),
        },
        Kind::Enum(options) => match v.as_str() {
            Some(s) => {
                let norm = s.trim().replace([' ', '-'], "_");
                options
                    .iter()
                    .find(|o| o.eq_ignore_ascii_case(&norm))
                    .map(|o| Value::Text((*o).into()))
                    .ok_or_else(|| format!("'{s}' is not one of {}", options.join(", ")))
            }
            None => Err(format!("must be a string, got {v}")),
        },
        Kind::Name | Kind::Text { .. } => match v {
            Json::String(s) => Ok(Value::Text(s.to_lowercase().into())),
            other => Err(format!("must be a string, got {other}")),
        },
        Kind::Real { .. } | Kind::Int => parse_real(v).map(Value::Real),
        Kind::Time => parse_time(v).map(Value::Time),
        Kind::Bool => match v {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Json::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            other => Err(format!("must be true or false, got {other}")),
        },
    }
}

/// Builds the QueryResult envelope of query.md.
pub fn result(content: Vec<Json>, total: u64, page: Option<Page>) -> Json {
    let has_content = !content.is_empty();
    match page {
        Some(p) => {
            let pages = total.div_ceil(p.size);
            json!({
                "content": content,
                "totalElements": total,
                "totalPages": pages,
                "pageSize": p.size,
                "pageIndex": p.index,
                "hasContent": has_content,
                "isFirst": p.index == 0,
                "isLast": p.index.saturating_add(1) >= pages,
                "hasNext": p.index.saturating_add(1) < pages,
                "hasPrevious": p.index > 0,
            })
        }
        None => {
            let n = content.len();
            json!({
                "content": content,
                "totalElements": total,
                "totalPages": if total == 0 { 0 } else { 1 },
                "pageSize": n,
                "pageIndex": 0,
                "hasContent": has_content,
                "isFirst": true,
                "isLast": true,
                "hasNext": false,
                "hasPrevious": false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Entity;

    fn parse(q: Json) -> Result<Query, FieldErrors> {
        parse_query(Entity::ProductionOrder.def(), q.as_object().unwrap())
    }

    #[test]
    fn conditions_match_case_insensitively_with_spaces() {
        assert_eq!(Condition::parse("greater than"), Some(Condition::GreaterThan));
        assert_eq!(Condition::parse("not_in"), Some(Condition::NotIn));
        assert_eq!(Condition::parse("LIKE"), None);
    }

    #[test]
    fn an_unknown_field_is_reported_under_its_filter() {
        let e = parse(
            json!({"filters": [{"field": "name", "condition": "EQUALS", "stringValue": "a"}, {"field": "nope", "condition": "EQUALS"}]}),
        )
        .unwrap_err();
        assert!(e.has("filters[1].field"), "{e:?}");
    }

    #[test]
    fn a_condition_that_does_not_fit_the_field_is_refused() {
        let e = parse(json!({"filters": [{"field": "name", "condition": "GREATER_THAN", "numberValue": 1}]})).unwrap_err();
        assert!(e.has("filters[0].condition"));
    }

    #[test]
    fn a_missing_operand_is_refused() {
        let e = parse(json!({"filters": [{"field": "quantity", "condition": "BETWEEN", "minNumberValue": 1}]})).unwrap_err();
        assert!(e.has("filters[0].maxNumberValue"));
    }

    #[test]
    fn paging_applies_only_when_both_are_set() {
        assert_eq!(parse(json!({"pageSize": 10})).unwrap().page, None);
        assert_eq!(
            parse(json!({"pageSize": 10, "pageIndex": 2})).unwrap().page,
            Some(Page { size: 10, index: 2 })
        );
        assert!(parse(json!({"pageSize": 0, "pageIndex": 0})).is_err());
    }

    #[test]
    fn the_paged_envelope_counts_pages() {
        let r = result(vec![json!(1)], 101, Some(Page { size: 50, index: 2 }));
        assert_eq!(r["totalPages"], 3);
        assert_eq!(r["isLast"], true);
        assert_eq!(r["hasPrevious"], true);
    }
}
