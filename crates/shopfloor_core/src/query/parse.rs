//! QueryRequest and FilterRequest (query.md): their templates, and their parsing, checked
//! against an entity's fields into a [`Query`], every problem reported under its key.

use super::conditions::{non_null, parse_operand, Condition};
use super::model::{FieldRef, Filter, Page, PropertyResolver, Query, Sort, MAX_PAGE_SIZE, PROPERTY_PREFIX};
use crate::errors::FieldErrors;
use crate::schema::{EntityDef, ValueType};
use serde_json::{json, Map, Value as Json};

pub fn new_query_request() -> Json {
    json!({"pageSize": null, "pageIndex": null, "sortFields": null, "sortDirections": null, "sortNulls": null, "filters": null})
}

pub fn new_filter_request() -> Json {
    json!({
        "field": null, "condition": null, "type": null,
        "stringValue": null, "numberValue": null, "dateValue": null,
        "minNumberValue": null, "maxNumberValue": null, "minDateValue": null, "maxDateValue": null,
        "stringListValue": null, "numberListValue": null, "dateListValue": null,
    })
}

/// The key of the QueryRequest naming the fields each record of a find answers with; the find
/// reads it (`service::generic::answer_fields`), the query leaves it alone.
pub const ANSWER_FIELDS: &str = "fields";

const QUERY_KEYS: &[&str] = &[
    ANSWER_FIELDS,
    "pageSize",
    "pageIndex",
    "sortFields",
    "sortDirections",
    "sortDirection",
    "sortNulls",
    "filters",
];
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
    // Where nulls go, per sort field (`FIRST`/`LAST`; one word applies to every field); absent:
    // the smallest value's place (first ascending, last descending).
    let nulls: Vec<String> = match non_null(q, "sortNulls") {
        None => vec![],
        Some(Json::String(s)) => vec![s.clone(); fields.len().max(1)],
        Some(v) => string_list(v).unwrap_or_else(|| {
            errors.add("sortNulls", "must be FIRST or LAST, or a list of them (one per sort field)");
            vec![]
        }),
    };
    if nulls.len() > fields.len() && !fields.is_empty() {
        errors.add("sortNulls", format!("has {} entries for {} sort fields", nulls.len(), fields.len()));
    }
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
        if field.search_fields(def).is_some() {
            errors.add(
                format!("sortFields[{i}]"),
                format!("'{name}' filters by several names and cannot be sorted by"),
            );
            continue;
        }
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
        let mut sort = Sort::new(field, descending);
        match nulls.get(i).map(|n| n.trim().to_ascii_lowercase()) {
            None => {}
            Some(n) if n == "first" => sort.nulls_last = false,
            Some(n) if n == "last" => sort.nulls_last = true,
            Some(n) => errors.add(format!("sortNulls[{i}]"), format!("'{n}' is not FIRST or LAST")),
        }
        query.sort.push(sort);
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
    if let Some(why) = field.refuses(condition) {
        errors.add(key("condition"), why);
        return Err(errors);
    }
    let operand = parse_operand(field, condition, f, prefix, &mut errors);
    if errors.is_empty() {
        Ok(Filter { field, condition, operand })
    } else {
        Err(errors)
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
    fn nulls_go_last_ascending_only_when_asked() {
        let sorts = |q: Json| {
            parse(q)
                .unwrap()
                .sort
                .iter()
                .map(|s| (s.descending, s.nulls_last))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            sorts(json!({"sortFields": ["dueDate", "name"], "sortDirections": ["asc", "desc"]})),
            [(false, false), (true, true)]
        );
        assert_eq!(sorts(json!({"sortFields": ["dueDate"], "sortNulls": "last"})), [(false, true)]);
        assert_eq!(
            sorts(json!({"sortFields": ["dueDate", "name"], "sortDirections": ["desc", "asc"], "sortNulls": ["FIRST", "Last"]})),
            [(true, false), (false, true)]
        );
        assert!(parse(json!({"sortFields": ["dueDate"], "sortNulls": "end"}))
            .unwrap_err()
            .has("sortNulls[0]"));
        assert!(parse(json!({"sortFields": ["dueDate"], "sortNulls": ["last", "last"]}))
            .unwrap_err()
            .has("sortNulls"));
    }

    #[test]
    fn the_search_field_takes_the_matching_conditions_and_is_not_sorted_by() {
        let q = parse(json!({"filters": [{"field": "search", "condition": "CONTAINS", "stringValue": "Acme"}]})).unwrap();
        let def = Entity::ProductionOrder.def();
        let keys: Vec<_> = q.filters[0].field.search_fields(def).unwrap().iter().map(|f| f.key).collect();
        assert_eq!(keys, ["name", "productName", "customerName"]);
        assert_eq!(
            q.filters[0].operand,
            crate::query::Operand::One(crate::record::Value::Text("acme".into()))
        );
        let e = parse(json!({"filters": [{"field": "search", "condition": "NOT_EQUALS", "stringValue": "a"}]})).unwrap_err();
        assert!(e.has("filters[0].condition"), "{e:?}");
        assert!(parse(json!({"sortFields": ["search"]})).unwrap_err().has("sortFields[0]"));
        let materials = parse_query(
            Entity::Material.def(),
            json!({"filters": [{"field": "search", "condition": "CONTAINS", "stringValue": "a"}]})
                .as_object()
                .unwrap(),
        );
        assert!(materials.unwrap_err().has("filters[0].field"));
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
}
