//! The routes every entity has: list and search (`find<Plural>`), create, replace and merge
//! (`save<Noun>`), get, delete and references — each through the service function its catalogue
//! function calls (the entity-specific ones for orders, items, users, roles and tokens).

use super::{params, saved, with_etag, Body, Params, Route};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::object_body;
use crate::routes::openapi;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::Json;
use serde_json::{json, Map, Value};
use shopfloor_core::errors::CoreError;
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::entity;
use std::collections::HashMap;

pub(super) fn routes(e: Entity) -> Vec<Route> {
    let d = e.def();
    let (m, noun, plural, label) = (d.module, d.noun, d.plural, d.label);
    let base = format!("/api/v1/{}", d.rest);
    let one = format!("{base}/{{key}}");
    let record = openapi::schema_ref(noun);
    let results = openapi::schema_ref("QueryResult");
    let list = Route::new(
        Method::GET,
        &base,
        m,
        format!("find{plural}"),
        format!("Find {plural}"),
        move |s, q| list(e, s, q),
    )
    .query("pageSize", json!({"type": "integer", "minimum": 1, "maximum": 10000}), None)
    .query("pageIndex", json!({"type": "integer", "minimum": 0}), None)
    .query("sortFields", json!({"type": "string"}), Some("comma-separated field names"))
    .query(
        "sortDirections",
        json!({"type": "string"}),
        Some("comma-separated, one per sort field"),
    )
    .query(
        "sortNulls",
        json!({"type": "string"}),
        Some("comma-separated FIRST/LAST, one per sort field"),
    )
    .query("filters", json!({"type": "string"}), Some("JSON list of FilterRequest"));
    vec![
        list.ok("200", "OK", results.clone()),
        Route::new(
            Method::POST,
            &base,
            m,
            format!("save{noun}"),
            format!("Create a {label}"),
            move |s, b| create(e, s, b),
        )
        .body(openapi::create_schema(e))
        .ok("201", "created", record.clone())
        .ok("200", "OK", record.clone()),
        Route::new(
            Method::POST,
            format!("{base}/search"),
            m,
            format!("find{plural}"),
            format!("Find {plural} (QueryRequest body)"),
            move |s, b| search(e, s, b),
        )
        .body(openapi::schema_ref(&format!("{noun}Query")))
        .ok("200", "OK", results),
        Route::new(Method::GET, &one, m, format!("get{noun}"), format!("Get a {label}"), move |s, p| {
            fetch(e, s, p)
        })
        .key(d.lookup_param())
        .ok("200", "OK", record.clone()),
        Route::new(
            Method::PUT,
            &one,
            m,
            format!("save{noun}"),
            format!("Replace a {label}"),
            move |s, p, h, b| update(e, true, s, p, h, b),
        )
        .key(d.lookup_param())
        .body(openapi::create_schema(e))
        .ok("200", "OK", record.clone()),
        Route::new(
            Method::PATCH,
            &one,
            m,
            format!("save{noun}"),
            format!("Merge into a {label}"),
            move |s, p, h, b| update(e, false, s, p, h, b),
        )
        .key(d.lookup_param())
        .body(openapi::schema_ref(&format!("{noun}Input")))
        .ok("200", "OK", record),
        Route::new(
            Method::DELETE,
            &one,
            m,
            format!("delete{noun}"),
            format!("Delete a {label}"),
            move |s, p| remove(e, s, p),
        )
        .key(d.lookup_param())
        .ok("200", "OK", json!({"type": "object"})),
        Route::new(
            Method::GET,
            format!("{one}/references"),
            m,
            format!("get{noun}References"),
            "References",
            move |s, p| references(e, s, p),
        )
        .key(d.lookup_param())
        .ok("200", "OK", json!({"type": "array"})),
    ]
}

fn missing(e: Entity, key: &str) -> CoreError {
    CoreError::NotFound(format!("no {} '{key}'", e.def().label))
}

/// Query-string parameters as a QueryRequest: lists comma-separated, `filters` as JSON.
fn query_request(params: HashMap<String, String>) -> ApiResult<Map<String, Value>> {
    let mut q = Map::new();
    for (k, v) in params {
        let value = match k.as_str() {
            "pageSize" | "pageIndex" => v.parse::<i64>().map(Value::from).unwrap_or(Value::String(v)),
            "sortFields" | "sortDirections" | "sortNulls" | "fields" => Value::Array(
                v.split(',')
                    .map(|s| Value::String(s.trim().to_string()))
                    .filter(|s| s != "")
                    .collect(),
            ),
            "filters" => serde_json::from_str(&v)
                .map_err(|e| ApiError::bad_request(format!("filters must be a JSON list of FilterRequest objects: {e}")))?,
            _ => Value::String(v),
        };
        q.insert(k, value);
    }
    Ok(q)
}

async fn list(e: Entity, State(s): State<AppState>, q: Params) -> ApiResult<Json<Value>> {
    let request = query_request(params(q)?)?;
    Ok(Json(s.read(move |tx, _| entity::find(tx, e, &request)).await?))
}

async fn search(e: Entity, State(s): State<AppState>, body: Body) -> ApiResult<Json<Value>> {
    let request = object_body(body)?;
    Ok(Json(s.read(move |tx, _| entity::find(tx, e, &request)).await?))
}

async fn create(e: Entity, State(s): State<AppState>, body: Body) -> ApiResult<Response> {
    let data = object_body(body)?;
    Ok(saved(s.write(move |tx, c| entity::save_answer(tx, c, e, &data)).await?))
}

async fn fetch(e: Entity, State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Response> {
    let record = s
        .read(move |tx, _| entity::get_answer(tx, e, &key)?.ok_or_else(|| missing(e, &key)))
        .await?;
    Ok(with_etag(StatusCode::OK, record))
}

/// `If-Match: "3"` (or `W/"3"`, or `3`) → version 3.
fn if_match(headers: &HeaderMap) -> ApiResult<Option<i64>> {
    let Some(v) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let text = v.to_str().unwrap_or_default().trim().trim_start_matches("W/").trim_matches('"');
    text.parse::<i64>().map(Some).map_err(|_| {
        ApiError::bad_request(format!(
            "If-Match must carry the record's version as an ETag, e.g. \"3\"; got {v:?}"
        ))
    })
}

/// PUT (`replace`: absent keys take their defaults) and PATCH (absent keys keep their values).
async fn update(
    e: Entity,
    replace: bool,
    State(s): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let body = object_body(body)?;
    let version = if_match(&headers)?;
    let mut data = match replace.then(|| Record::template_json(e.def())) {
        Some(Value::Object(defaults)) => defaults,
        _ => Map::new(),
    };
    data.extend(body);
    if let Some(v) = version {
        data.insert("version".into(), json!(v));
    }
    let record = s
        .write(move |tx, c| {
            let current = entity::lookup(tx, e, &key)?.ok_or_else(|| missing(e, &key))?;
            data.insert("id".into(), current.get("id").to_json());
            entity::save_answer(tx, c, e, &data)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, record))
}

async fn remove(e: Entity, State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(s.write(move |tx, c| entity::delete(tx, c, e, &key)).await?))
}

async fn references(e: Entity, State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let refs = s
        .read(move |tx, _| match entity::lookup(tx, e, &key)?.and_then(|r| r.id()) {
            Some(id) => entity::references(tx, e, id),
            None => Err(missing(e, &key)),
        })
        .await?;
    Ok(Json(Value::Array(refs)))
}
