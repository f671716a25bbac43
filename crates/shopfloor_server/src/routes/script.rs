//! The script API: `POST /api/v1/script/{module}/{function}` for every catalogue function and
//! `GET /api/v1/script`, the list clients build `system.mes.<module>.<function>` from. The list
//! also carries the production-order lifecycle (statuses and the verb for each) and the choice
//! lists of the record catalogue, so the web pages show the server's words instead of copies.

use super::body::json_body;
use super::web::{etag_hash, fixed_body};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use shopfloor_catalogue::{Answer, CATALOGUE};
use shopfloor_core::lifecycle::{Status, EDITABLE_WHEN_FINAL, VERBS};
use shopfloor_core::schema::{Access, Entity, Kind};
use std::sync::LazyLock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/script", get(list))
        .route("/api/v1/script/{module}/{function}", post(call))
}

/// The listing only changes with the binary: built once, answered with an ETag, and `304` to a
/// client that has it (the web pages read it on every load). `private`: it is behind login.
/// The listing and its ETag hash, built once: they change only with the binary.
static LISTING: LazyLock<(String, u64)> = LazyLock::new(|| {
    let text = listing().to_string();
    let tag = etag_hash(&text);
    (text, tag)
});

async fn list(headers: HeaderMap) -> Response {
    fixed_body("application/json", &LISTING.0, LISTING.1, "private, no-cache", &headers)
}

fn listing() -> Value {
    json!({ "modules": modules(), "lifecycle": lifecycle(), "enums": enums() })
}

fn modules() -> Vec<Value> {
    CATALOGUE
        .modules()
        .into_iter()
        .map(|m| {
            let functions: Vec<Value> = CATALOGUE.functions.iter().filter(|f| f.module == m).map(|f| f.to_json()).collect();
            json!({"name": m, "functions": functions})
        })
        .collect()
}

/// Every order status with the statuses it can move to, and every lifecycle verb.
fn lifecycle() -> Value {
    let statuses: Vec<Value> = Status::ALL
        .iter()
        .map(|s| {
            let targets: Vec<&str> = s.targets().iter().map(|t| t.as_str()).collect();
            json!({
                "name": s.as_str(),
                "targets": targets,
                "final": s.is_final(),
                "acceptsReports": s.accepts_reports(),
            })
        })
        .collect();
    let verbs: Vec<Value> = VERBS
        .iter()
        .map(|v| {
            json!({"function": v.function, "to": v.to.as_str(), "label": v.label, "consequence": v.consequence, "permission": v.permission})
        })
        .collect();
    json!({ "statuses": statuses, "verbs": verbs, "editableWhenFinal": EDITABLE_WHEN_FINAL })
}

/// The choices of every enumerated field of the record catalogue, by entity noun and field key.
fn enums() -> Value {
    let mut by_entity = Map::new();
    for entity in Entity::ALL {
        let def = entity.def();
        let fields: Map<String, Value> = def
            .fields
            .iter()
            .filter(|f| f.access != Access::Hidden)
            .filter_map(|f| match f.kind {
                Kind::Enum(choices) => Some((f.key.to_string(), json!(choices))),
                _ => None,
            })
            .collect();
        if !fields.is_empty() {
            by_entity.insert(def.noun.to_string(), Value::Object(fields));
        }
    }
    Value::Object(by_entity)
}

async fn call(
    State(state): State<AppState>,
    Path((module, function)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let f = CATALOGUE
        .get(&module, &function)
        .ok_or_else(|| ApiError::NotFound(format!("no function system.mes.{module}.{function}")))?;
    let body = json_body(body)?;
    match state.call(f, body).await? {
        Answer::Value(value) => Ok(Json(value).into_response()),
        Answer::Text(write) => Ok(([(header::CONTENT_TYPE, "application/json")], write()?).into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopfloor_core::schema;

    #[test]
    fn every_lifecycle_verb_moves_to_a_listed_status() {
        let listing = listing();
        let statuses: Vec<&str> = listing["lifecycle"]["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        for verb in listing["lifecycle"]["verbs"].as_array().unwrap() {
            assert!(statuses.contains(&verb["to"].as_str().unwrap()), "{verb}");
        }
    }

    #[test]
    fn the_lifecycle_statuses_are_the_order_status_choices() {
        let listing = listing();
        let names: Vec<Value> = listing["lifecycle"]["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].clone())
            .collect();
        assert_eq!(Value::Array(names), listing["enums"]["ProductionOrder"]["status"]);
    }

    #[test]
    fn the_enums_hold_the_choice_lists_of_the_record_catalogue() {
        let enums = enums();
        assert_eq!(enums["ProductionOrder"]["schedulePriority"], json!(schema::PRIORITIES));
        assert_eq!(enums["Location"]["type"], json!(schema::LOCATION_TYPES));
        assert_eq!(enums["BillOfMaterialsItem"]["materialType"], json!(schema::MATERIAL_TYPES));
        assert!(enums.get("Customer").is_none(), "an entity without enumerated fields is left out");
    }
}
