//! Schedules (`system.mes.schedule`, docs/adr/0015-role-module.md "schedule"): Shopfloor keeps
//! no schedule record. A schedule row is read from a production order that has been scheduled
//! (status other than IDLE): its planned window, line, quantity and status, so schedules never
//! disagree with orders. `findSchedules` translates the QueryRequest onto the order query —
//! fields renamed, conditions on the schedule `status` turned into the order statuses they
//! match — and runs it there, so paging, sorting, filtering and counts are the orders' own.

use crate::errors::{CoreResult, FieldErrors};
use crate::query::Condition;
use crate::schema::Entity;
use crate::service::entity;
use crate::tx::Tx;
use serde_json::{json, Map, Value as Json};

/// The schedule statuses of the original API's data model.
pub const SCHEDULE_STATUSES: &[&str] = &["IDLE", "RUNNING", "COMPLETED", "FAULTED", "CANCELLED", "UNKNOWN", "PAUSED"];

/// Order status → schedule status, for every order status that makes a schedule row (IDLE
/// orders are not scheduled: no row).
const STATUS_OF_ORDER: &[(&str, &str)] = &[
    ("SCHEDULED", "IDLE"),
    ("RUNNING", "RUNNING"),
    ("PAUSED", "PAUSED"),
    ("STOPPED", "COMPLETED"),
    ("CLOSED", "COMPLETED"),
    ("CANCELLED", "CANCELLED"),
];

/// Schedule keys read straight from an order key: filterable and sortable as that key.
const SAME_AS_ORDER: &[(&str, &str)] = &[
    ("id", "id"),
    ("productionOrderId", "id"),
    ("productionOrderName", "name"),
    ("locationId", "locationId"),
    ("locationPath", "locationPath"),
    ("startDate", "startDate"),
    ("endDate", "endDate"),
    ("dueDate", "dueDate"),
    ("quantity", "quantity"),
    ("statusErp", "status"),
    ("enabled", "enabled"),
    ("createdDate", "createdDate"),
    ("createdBy", "createdBy"),
    ("modifiedDate", "modifiedDate"),
    ("modifiedBy", "modifiedBy"),
    ("version", "version"),
];

/// Schedule keys that are answered but cannot be filtered or sorted by, and why.
const NOT_QUERYABLE: &[(&str, &str)] = &[
    ("durationExpected", "it is computed from startDate and endDate"),
    ("operationId", "Shopfloor has no operations (always null)"),
    ("operationRecordId", "Shopfloor has no operations (always null)"),
    ("notes", "a schedule has no notes of its own (always null)"),
    ("spare1", "a schedule has no spare fields (always null)"),
    ("spare2", "a schedule has no spare fields (always null)"),
    ("spare3", "a schedule has no spare fields (always null)"),
];

fn schedule_status(order_status: &str) -> Option<&'static str> {
    STATUS_OF_ORDER.iter().find(|(o, _)| *o == order_status).map(|(_, s)| *s)
}

/// An order as its schedule row.
fn row(order: &Json) -> Json {
    let millis = |key: &str| {
        order[key]
            .as_str()
            .and_then(|t| crate::record::parse_time(&json!(t)).ok())
            .map(|t| t.millis())
    };
    let duration = match (millis("startDate"), millis("endDate")) {
        (Some(s), Some(e)) => json!((e - s) / 60_000),
        _ => Json::Null,
    };
    let mut out = Map::new();
    for (key, from) in SAME_AS_ORDER {
        out.insert(key.to_string(), order[*from].clone());
    }
    let status = order["status"].as_str().and_then(schedule_status).unwrap_or("UNKNOWN");
    out.insert("status".into(), json!(status));
    out.insert("durationExpected".into(), duration);
    for (key, _) in NOT_QUERYABLE.iter().filter(|(k, _)| *k != "durationExpected") {
        out.insert(key.to_string(), Json::Null);
    }
    Json::Object(out)
}

/// The order statuses whose schedule status meets the filter on `status` (`prefix`: the
/// filter's place, for field errors).
fn order_statuses(filter: &Map<String, Json>, prefix: &str, errors: &mut FieldErrors) -> Vec<&'static str> {
    let key = |k: &str| format!("{prefix}{k}");
    let Some(condition) = filter.get("condition").and_then(Json::as_str).and_then(Condition::parse) else {
        errors.add(key("condition"), "is required: a condition that applies to text");
        return vec![];
    };
    let known = |v: &Json, at: String, errors: &mut FieldErrors| match v.as_str().map(|s| s.trim().to_ascii_uppercase()) {
        Some(s) if SCHEDULE_STATUSES.contains(&s.as_str()) => Some(s),
        _ => {
            errors.add(at, format!("{v} is not one of {}", SCHEDULE_STATUSES.join(", ")));
            None
        }
    };
    let text = |errors: &mut FieldErrors| match filter.get("stringValue") {
        Some(Json::String(s)) => Some(s.to_ascii_uppercase()),
        _ => {
            errors.add(
                key("stringValue"),
                format!("is required for condition {condition:?} on field 'status'"),
            );
            None
        }
    };
    let list = |errors: &mut FieldErrors| match filter.get("stringListValue") {
        Some(Json::Array(items)) if !items.is_empty() => Some(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| known(v, key(&format!("stringListValue[{i}]")), errors))
                .collect::<Vec<_>>(),
        ),
        _ => {
            errors.add(key("stringListValue"), "must be a non-empty list of schedule statuses");
            None
        }
    };
    let matches: Box<dyn Fn(&str) -> bool> = match condition {
        Condition::Equals => match filter.get("stringValue").and_then(|v| known(v, key("stringValue"), errors)) {
            Some(v) => Box::new(move |s| s == v),
            None => return vec![],
        },
        Condition::NotEquals => match filter.get("stringValue").and_then(|v| known(v, key("stringValue"), errors)) {
            Some(v) => Box::new(move |s| s != v),
            None => return vec![],
        },
        Condition::In => match list(errors) {
            Some(vs) => Box::new(move |s| vs.iter().any(|v| v == s)),
            None => return vec![],
        },
        Condition::NotIn => match list(errors) {
            Some(vs) => Box::new(move |s| !vs.iter().any(|v| v == s)),
            None => return vec![],
        },
        Condition::Contains | Condition::StartsWith | Condition::EndsWith => match text(errors) {
            Some(t) => Box::new(move |s: &str| match condition {
                Condition::Contains => s.contains(&t),
                Condition::StartsWith => s.starts_with(&t),
                _ => s.ends_with(&t),
            }),
            None => return vec![],
        },
        Condition::IsNull => Box::new(|_| false),
        Condition::IsNotNull => Box::new(|_| true),
        other => {
            errors.add(
                key("condition"),
                format!("{other:?} does not apply to field 'status' of type String"),
            );
            return vec![];
        }
    };
    STATUS_OF_ORDER.iter().filter(|(_, s)| matches(s)).map(|(o, _)| *o).collect()
}

/// The QueryRequest of `findSchedules` as a production-order QueryRequest.
fn order_request(request: &Map<String, Json>) -> CoreResult<Map<String, Json>> {
    let mut errors = FieldErrors::new();
    let mut out = request.clone();
    let unknown = |name: &str| {
        let mut known: Vec<&str> = SAME_AS_ORDER.iter().map(|(k, _)| *k).collect();
        known.push("status");
        format!("unknown field '{name}' for schedule; use one of {}", known.join(", "))
    };
    let why_not = |name: &str| NOT_QUERYABLE.iter().find(|(k, _)| *k == name).map(|(_, why)| *why);
    if let Some(Json::Array(fields)) = request.get("sortFields") {
        let mut renamed = Vec::with_capacity(fields.len());
        for (i, f) in fields.iter().enumerate() {
            let name = f.as_str().unwrap_or_default().trim();
            match SAME_AS_ORDER.iter().find(|(k, _)| *k == name) {
                Some((_, order_key)) => renamed.push(json!(order_key)),
                None if name == "status" => errors.add(
                    format!("sortFields[{i}]"),
                    "schedules cannot be sorted by 'status' (sort by 'statusErp', the order's status)",
                ),
                None => match why_not(name) {
                    Some(why) => errors.add(format!("sortFields[{i}]"), format!("schedules cannot be sorted by '{name}': {why}")),
                    None => errors.add(format!("sortFields[{i}]"), unknown(name)),
                },
            }
        }
        out.insert("sortFields".into(), Json::Array(renamed));
    }
    let mut filters = Vec::new();
    if let Some(Json::Array(items)) = request.get("filters") {
        for (i, item) in items.iter().enumerate() {
            let prefix = format!("filters[{i}].");
            let Some(f) = item.as_object() else {
                filters.push(item.clone()); // the order query names the wrong shape
                continue;
            };
            let name = f.get("field").and_then(Json::as_str).unwrap_or_default().trim().to_string();
            let mut f = f.clone();
            match SAME_AS_ORDER.iter().find(|(k, _)| *k == name) {
                Some((_, order_key)) => {
                    f.insert("field".into(), json!(order_key));
                }
                None if name == "status" => {
                    let statuses = order_statuses(&f, &prefix, &mut errors);
                    f = match statuses.is_empty() {
                        // Matches no schedule: a condition no order meets.
                        true => json!({"field": "id", "condition": "IS_NULL"}),
                        false => json!({"field": "status", "condition": "IN", "stringListValue": statuses}),
                    }
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                }
                None if f.get("field").is_some_and(|v| !v.is_string()) => {}
                None => match why_not(&name) {
                    Some(why) => errors.add(format!("{prefix}field"), format!("schedules cannot be filtered by '{name}': {why}")),
                    None => errors.add(format!("{prefix}field"), unknown(&name)),
                },
            }
            filters.push(Json::Object(f));
        }
    } else if let Some(other) = request.get("filters").filter(|v| !v.is_null()) {
        filters.push(other.clone()); // refused by the order query as not a list
    }
    filters.push(json!({"field": "status", "condition": "NOT_EQUALS", "stringValue": "IDLE"}));
    out.insert("filters".into(), Json::Array(filters));
    errors.into_result().map(|_| out)
}

/// `findSchedules(**queryRequest)`: a QueryResult of schedule rows.
pub fn find(tx: &mut dyn Tx, request: &Map<String, Json>) -> CoreResult<Json> {
    let orders = order_request(request)?;
    let mut result = entity::find(tx, Entity::ProductionOrder, &orders)?;
    if let Some(content) = result.get_mut("content").and_then(Json::as_array_mut) {
        for item in content.iter_mut() {
            *item = row(item);
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(filter: Json) -> (Vec<&'static str>, FieldErrors) {
        let mut errors = FieldErrors::new();
        let s = order_statuses(filter.as_object().unwrap(), "filters[0].", &mut errors);
        (s, errors)
    }

    #[test]
    fn conditions_on_the_schedule_status_become_the_order_statuses_they_match() {
        assert_eq!(
            statuses(json!({"condition": "EQUALS", "stringValue": "completed"})).0,
            ["STOPPED", "CLOSED"]
        );
        assert_eq!(statuses(json!({"condition": "EQUALS", "stringValue": "IDLE"})).0, ["SCHEDULED"]);
        assert_eq!(
            statuses(json!({"condition": "NOT_IN", "stringListValue": ["IDLE", "COMPLETED", "CANCELLED"]})).0,
            ["RUNNING", "PAUSED"]
        );
        assert_eq!(
            statuses(json!({"condition": "STARTS_WITH", "stringValue": "c"})).0,
            ["STOPPED", "CLOSED", "CANCELLED"]
        );
        assert!(statuses(json!({"condition": "EQUALS", "stringValue": "FAULTED"})).0.is_empty());
        assert!(statuses(json!({"condition": "IS_NULL"})).0.is_empty());
    }

    #[test]
    fn a_status_that_schedules_do_not_have_is_a_field_error() {
        let (_, errors) = statuses(json!({"condition": "EQUALS", "stringValue": "SCHEDULED"}));
        assert!(errors.has("filters[0].stringValue"));
        let (_, errors) = statuses(json!({"condition": "GREATER_THAN", "stringValue": "IDLE"}));
        assert!(errors.has("filters[0].condition"));
    }

    #[test]
    fn a_row_maps_the_order_and_computes_the_expected_duration() {
        let order = json!({"id": "X", "name": "O1", "status": "STOPPED", "startDate": "2026-01-01T08:00:00Z",
            "endDate": "2026-01-01T09:30:00Z", "quantity": 5.0, "notes": "secret"});
        let r = row(&order);
        assert_eq!(r["status"], "COMPLETED");
        assert_eq!(r["statusErp"], "STOPPED");
        assert_eq!(r["durationExpected"], 90);
        assert_eq!(r["productionOrderId"], "X");
        assert_eq!(r["notes"], Json::Null);
    }
}
