//! REST resources over the same catalogue functions as the script API: one collection per
//! entity (`/api/v1/production-orders`, `/api/v1/materials`, …) with list/search, create, get,
//! replace (PUT), merge (PATCH), delete and references, plus the order's history, transitions
//! and production reports, the location tree and shift start/stop.

use super::body::{json_body, object_body, raw_body};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use shopfloor_catalogue::CATALOGUE;
use shopfloor_core::errors::CoreError;
use shopfloor_core::lifecycle::Status;
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_exchange::queue;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    for e in Entity::ALL {
        let base = format!("/api/v1/{}", e.def().rest);
        r = r
            .route(&base, get(move |s, q| list(e, s, q)).post(move |s, b| create(e, s, b)))
            .route(&format!("{base}/search"), post(move |s, b| search(e, s, b)))
            .route(
                &format!("{base}/{{key}}"),
                get(move |s, p| fetch(e, s, p))
                    .put(move |s, p, h, b| update(e, true, s, p, h, b))
                    .patch(move |s, p, h, b| update(e, false, s, p, h, b))
                    .delete(move |s, p| remove(e, s, p)),
            )
            .route(&format!("{base}/{{key}}/references"), get(move |s, p| references(e, s, p)));
    }
    r.route("/api/v1/production-orders/{key}/history", get(history))
        .route("/api/v1/production-orders/{key}/transitions", get(transitions).post(transition))
        .route("/api/v1/production-orders/{key}/production", post(report))
        .route(
            "/api/v1/production-orders/{key}/property-values",
            get(property_values).put(set_property_values),
        )
        .route(
            "/api/v1/production-orders/{key}/property-values/{property}",
            get(property_value).put(set_property_value),
        )
        .route(
            "/api/v1/production-orders/{key}/bill-of-materials",
            get(bill_of_materials)
                .post(add_bill_of_materials_item)
                .delete(delete_bill_of_materials),
        )
        .route(
            "/api/v1/production-orders/{key}/bill-of-materials/flattened",
            get(bill_of_materials_flattened),
        )
        .route(
            "/api/v1/production-orders/{key}/bill-of-materials/swap",
            post(swap_bill_of_materials),
        )
        .route("/api/v1/locations/{key}/children", get(children))
        .route("/api/v1/location-tree", get(tree))
        .route("/api/v1/shifts/{key}/start", post(move |s, p, b| shift_verb("startShift", s, p, b)))
        .route("/api/v1/shifts/{key}/stop", post(move |s, p, b| shift_verb("stopShift", s, p, b)))
        .route("/api/v1/units-of-measure/convert", get(convert))
        .route("/api/v1/production-orders/imports", post(import))
        .route("/api/v1/production-orders/imports/{key}", get(import_job))
}

/// Every REST route with the catalogue function it calls (whose permission it needs). The
/// permission-matrix test walks this list; `rest_routes_are_all_listed` keeps it complete.
pub fn routes() -> Vec<(&'static str, String, &'static str, String)> {
    let mut out = Vec::new();
    for e in Entity::ALL {
        let d = e.def();
        let base = format!("/api/v1/{}", d.rest);
        let m = d.module;
        out.push(("GET", base.clone(), m, format!("find{}", d.plural)));
        out.push(("POST", base.clone(), m, fname("save", e, "")));
        out.push(("POST", format!("{base}/search"), m, format!("find{}", d.plural)));
        out.push(("GET", format!("{base}/{{key}}"), m, fname("get", e, "")));
        out.push(("PUT", format!("{base}/{{key}}"), m, fname("save", e, "")));
        out.push(("PATCH", format!("{base}/{{key}}"), m, fname("save", e, "")));
        out.push(("DELETE", format!("{base}/{{key}}"), m, fname("delete", e, "")));
        out.push(("GET", format!("{base}/{{key}}/references"), m, fname("get", e, "References")));
    }
    let po = "/api/v1/production-orders/{key}";
    for (method, path, module, function) in [
        ("GET", format!("{po}/history"), "productionOrder", "getProductionOrderHistory"),
        ("GET", format!("{po}/transitions"), "productionOrder", "getAllowedTransitions"),
        ("POST", format!("{po}/transitions"), "productionOrder", "startProductionOrder"),
        ("POST", format!("{po}/production"), "productionOrder", "reportProduction"),
        (
            "GET",
            format!("{po}/property-values"),
            "productionOrder",
            "getProductionOrderPropertyValuesForOrder",
        ),
        ("PUT", format!("{po}/property-values"), "productionOrder", "setPropertyValues"),
        (
            "GET",
            format!("{po}/property-values/{{property}}"),
            "productionOrder",
            "getProductionOrderPropertyValueFor",
        ),
        (
            "PUT",
            format!("{po}/property-values/{{property}}"),
            "productionOrder",
            "setPropertyValue",
        ),
        (
            "GET",
            format!("{po}/bill-of-materials"),
            "productionOrder",
            "getBillOfMaterialsForOrder",
        ),
        (
            "POST",
            format!("{po}/bill-of-materials"),
            "productionOrder",
            "saveBillOfMaterialsItem",
        ),
        (
            "DELETE",
            format!("{po}/bill-of-materials"),
            "productionOrder",
            "deleteBillOfMaterialsForOrder",
        ),
        (
            "GET",
            format!("{po}/bill-of-materials/flattened"),
            "productionOrder",
            "getBillOfMaterialsForOrderFlattened",
        ),
        (
            "POST",
            format!("{po}/bill-of-materials/swap"),
            "productionOrder",
            "swapBillOfMaterialsPositions",
        ),
        ("GET", "/api/v1/locations/{key}/children".to_string(), "location", "getChildren"),
        ("GET", "/api/v1/location-tree".to_string(), "location", "getLocationTree"),
        ("POST", "/api/v1/shifts/{key}/start".to_string(), "shift", "startShift"),
        ("POST", "/api/v1/shifts/{key}/stop".to_string(), "shift", "stopShift"),
        ("GET", "/api/v1/units-of-measure/convert".to_string(), "unitOfMeasure", "convert"),
        (
            "POST",
            "/api/v1/production-orders/imports".to_string(),
            "productionOrder",
            "importProductionOrders",
        ),
        (
            "GET",
            "/api/v1/production-orders/imports/{key}".to_string(),
            "productionOrder",
            "getImportJob",
        ),
    ] {
        out.push((method, path, module, function.to_string()));
    }
    out
}

fn fname(prefix: &str, e: Entity, suffix: &str) -> String {
    format!("{prefix}{}{suffix}", e.def().noun)
}

async fn call(state: &AppState, e: Entity, name: &str, body: Value) -> Result<Value, CoreError> {
    state.call_named(e.def().module, name, body).await
}

/// A record response with its `ETag` (the version).
fn with_etag(status: StatusCode, record: Value) -> Response {
    let mut resp = (status, Json(record.clone())).into_response();
    if let Some(v) = record.get("version").and_then(Value::as_i64) {
        if let Ok(h) = HeaderValue::from_str(&format!("\"{v}\"")) {
            resp.headers_mut().insert(header::ETAG, h);
        }
    }
    resp
}

/// Query-string parameters as a QueryRequest: lists comma-separated, `filters` as JSON.
fn query_request(params: HashMap<String, String>) -> ApiResult<Value> {
    let mut q = Map::new();
    for (k, v) in params {
        let value = match k.as_str() {
            "pageSize" | "pageIndex" => v.parse::<i64>().map(Value::from).unwrap_or(Value::String(v)),
            "sortFields" | "sortDirections" => Value::Array(
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
    Ok(Value::Object(q))
}

async fn list(e: Entity, State(s): State<AppState>, q: Result<Query<HashMap<String, String>>, QueryRejection>) -> ApiResult<Json<Value>> {
    let Query(params) = q.map_err(|err| ApiError::bad_request(format!("bad query parameters: {err}")))?;
    Ok(Json(call(&s, e, &format!("find{}", e.def().plural), query_request(params)?).await?))
}

async fn search(e: Entity, State(s): State<AppState>, body: Result<Bytes, BytesRejection>) -> ApiResult<Json<Value>> {
    let q = object_body(body)?;
    Ok(Json(call(&s, e, &format!("find{}", e.def().plural), Value::Object(q)).await?))
}

async fn create(e: Entity, State(s): State<AppState>, body: Result<Bytes, BytesRejection>) -> ApiResult<Response> {
    let data = object_body(body)?;
    let saved = call(&s, e, &fname("save", e, ""), Value::Object(data)).await?;
    let status = if saved["version"] == 1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_etag(status, saved))
}

/// Resolves `{key}` (id, name or path) to the record, or 404.
async fn resolve(s: &AppState, e: Entity, key: &str) -> ApiResult<Value> {
    found(call(s, e, &fname("get", e, ""), json!([key])).await?, || {
        format!("no {} '{key}'", e.def().label)
    })
}

/// The id of the record `{key}` names, as `{"id": …}`, or 404. An internal lookup: the
/// permission checked is the one of the function the route then calls.
async fn id_of(s: &AppState, e: Entity, key: &str, then: &str) -> ApiResult<Value> {
    // Check the permission of the function the route will call first, so that a caller
    // without it learns nothing about which records exist.
    if let Some(p) = CATALOGUE.get(e.def().module, then).and_then(|f| f.permission.as_deref()) {
        s.caller().require(p)?;
    }
    let k = key.to_string();
    match s.store.read(move |tx| shopfloor_core::service::entity::lookup(tx, e, &k)).await? {
        Some(r) => Ok(json!({"id": r.get("id").to_json()})),
        None => Err(ApiError::NotFound(format!("no {} '{key}'", e.def().label))),
    }
}

async fn fetch(e: Entity, State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Response> {
    Ok(with_etag(StatusCode::OK, resolve(&s, e, &key).await?))
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

async fn update(
    e: Entity,
    replace: bool,
    State(s): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = object_body(body)?;
    let current = id_of(&s, e, &key, &fname("save", e, "")).await?;
    let mut data = if replace {
        match Record::template_json(e.def()) {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    } else {
        Map::new()
    };
    data.extend(body);
    data.insert("id".into(), current["id"].clone());
    if let Some(v) = if_match(&headers)? {
        data.insert("version".into(), json!(v));
    }
    Ok(with_etag(
        StatusCode::OK,
        call(&s, e, &fname("save", e, ""), Value::Object(data)).await?,
    ))
}

async fn remove(e: Entity, State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let response = call(&s, e, &fname("delete", e, ""), json!([key])).await?;
    if response["success"] == true {
        return Ok(Json(response));
    }
    let message = response["message"].as_str().unwrap_or_default().to_string();
    match response["data"].clone() {
        Value::Array(refs) => Err(CoreError::InUse {
            message,
            references: Value::Array(refs),
        }
        .into()),
        _ => Err(ApiError::NotFound(message)),
    }
}

async fn references(e: Entity, State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let refs = call(&s, e, &fname("get", e, "References"), json!([key])).await?;
    found(refs, || format!("no {} '{key}'", e.def().label)).map(Json)
}

async fn history(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let events = s.call_named("productionOrder", "getProductionOrderHistory", json!([key])).await?;
    found(events, no_order(&key)).map(Json)
}

async fn transitions(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(s.call_named("productionOrder", "getAllowedTransitions", json!([key])).await?))
}

/// `POST …/transitions {"status": "RUNNING", "reason": "…"}`: the lifecycle verb for that status.
async fn transition(State(s): State<AppState>, Path(key): Path<String>, body: Result<Bytes, BytesRejection>) -> ApiResult<Response> {
    let body = object_body(body)?;
    let target = body.get("status").or(body.get("to")).and_then(Value::as_str).unwrap_or_default();
    let verb = match Status::parse(target) {
        Some(Status::Scheduled) => "scheduleProductionOrder",
        Some(Status::Running) => "startProductionOrder",
        Some(Status::Paused) => "pauseProductionOrder",
        Some(Status::Stopped) => "stopProductionOrder",
        Some(Status::Closed) => "closeProductionOrder",
        Some(Status::Cancelled) => "cancelProductionOrder",
        Some(Status::Idle) => {
            let order = id_of(&s, Entity::ProductionOrder, &key, "saveProductionOrder").await?;
            let data = json!({"id": order["id"], "status": "IDLE"});
            return Ok(with_etag(
                StatusCode::OK,
                s.call_named("productionOrder", "saveProductionOrder", data).await?,
            ));
        }
        None => return Err(CoreError::field("status", format!("'{target}' is not a production-order status")).into()),
    };
    let reason = body.get("reason").cloned().unwrap_or(Value::Null);
    Ok(with_etag(
        StatusCode::OK,
        s.call_named("productionOrder", verb, json!([key, reason])).await?,
    ))
}

/// `POST …/production {"quantity": 5, "reason": "…"}`.
async fn report(State(s): State<AppState>, Path(key): Path<String>, body: Result<Bytes, BytesRejection>) -> ApiResult<Response> {
    let body = object_body(body)?;
    let quantity = body
        .get("quantity")
        .cloned()
        .ok_or_else(|| CoreError::field("quantity", "is required"))?;
    let reason = body.get("reason").cloned().unwrap_or(Value::Null);
    Ok(with_etag(
        StatusCode::OK,
        s.call_named("productionOrder", "reportProduction", json!([key, quantity, reason]))
            .await?,
    ))
}

async fn children(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(s.call_named("location", "getChildren", json!([key])).await?))
}

async fn tree(State(s): State<AppState>, q: Result<Query<HashMap<String, String>>, QueryRejection>) -> ApiResult<Json<Value>> {
    let Query(params) = q.map_err(|err| ApiError::bad_request(format!("bad query parameters: {err}")))?;
    Ok(Json(
        s.call_named("location", "getLocationTree", json!([params.get("filter")])).await?,
    ))
}

/// `POST /api/v1/shifts/{id}/start {"locationIdOrPath": …}` and `/stop`.
async fn shift_verb(
    verb: &'static str,
    State(s): State<AppState>,
    Path(key): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let body = json_body(body)?;
    let location = body.get("locationIdOrPath").cloned().unwrap_or(Value::Null);
    Ok(Json(s.call_named("shift", verb, json!([key, location])).await?))
}

async fn convert(State(s): State<AppState>, q: Result<Query<HashMap<String, String>>, QueryRejection>) -> ApiResult<Json<Value>> {
    let Query(p) = q.map_err(|err| ApiError::bad_request(format!("bad query parameters: {err}")))?;
    let args =
        json!({"amount": p.get("amount"), "fromIdOrName": p.get("from"), "toIdOrName": p.get("to"), "materialIdOrPath": p.get("material")});
    Ok(Json(s.call_named("unitOfMeasure", "convert", args).await?))
}

/// A function's answer, or 404 with `missing` when it answered null (nothing found).
fn found(value: Value, missing: impl FnOnce() -> String) -> ApiResult<Value> {
    match value {
        Value::Null => Err(ApiError::NotFound(missing())),
        v => Ok(v),
    }
}

fn no_order(key: &str) -> impl FnOnce() -> String + '_ {
    move || format!("no production order '{key}'")
}

async fn property_values(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    found(
        s.call_named("productionOrder", "getProductionOrderPropertyValuesForOrder", json!([key]))
            .await?,
        no_order(&key),
    )
    .map(Json)
}

/// `PUT …/property-values {"Batch Size": 250, …}`: all or none.
async fn set_property_values(
    State(s): State<AppState>,
    Path(key): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let values = object_body(body)?;
    Ok(Json(
        s.call_named("productionOrder", "setPropertyValues", json!([key, values])).await?,
    ))
}

async fn property_value(State(s): State<AppState>, Path((key, property)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let value = s
        .call_named("productionOrder", "getProductionOrderPropertyValueFor", json!([key, property]))
        .await?;
    found(value, || format!("no value of property '{property}' on production order '{key}'")).map(Json)
}

/// `PUT …/property-values/{property} {"value": …}`.
async fn set_property_value(
    State(s): State<AppState>,
    Path((key, property)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let body = object_body(body)?;
    let value = body.get("value").cloned().ok_or_else(|| CoreError::field("value", "is required"))?;
    Ok(Json(
        s.call_named("productionOrder", "setPropertyValue", json!([key, property, value]))
            .await?,
    ))
}

async fn bill_of_materials(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    found(
        s.call_named("productionOrder", "getBillOfMaterialsForOrder", json!([key])).await?,
        no_order(&key),
    )
    .map(Json)
}

async fn bill_of_materials_flattened(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    found(
        s.call_named("productionOrder", "getBillOfMaterialsForOrderFlattened", json!([key]))
            .await?,
        no_order(&key),
    )
    .map(Json)
}

/// `POST …/bill-of-materials {materialId, quantityPerProducedUnit, …}`: an item of this order.
async fn add_bill_of_materials_item(
    State(s): State<AppState>,
    Path(key): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let mut data = object_body(body)?;
    let order = id_of(&s, Entity::ProductionOrder, &key, "saveBillOfMaterialsItem").await?;
    data.insert("productionOrderId".into(), order["id"].clone());
    let saved = s
        .call_named("productionOrder", "saveBillOfMaterialsItem", Value::Object(data))
        .await?;
    let status = if saved["version"] == 1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_etag(status, saved))
}

async fn delete_bill_of_materials(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let response = s
        .call_named("productionOrder", "deleteBillOfMaterialsForOrder", json!([key]))
        .await?;
    if response["success"] == true {
        Ok(Json(response))
    } else {
        Err(ApiError::NotFound(response["message"].as_str().unwrap_or_default().to_string()))
    }
}

/// `POST …/bill-of-materials/swap {"billOfMaterialsId1": …, "billOfMaterialsId2": …}`.
async fn swap_bill_of_materials(
    State(s): State<AppState>,
    Path(_key): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let body = object_body(body)?;
    Ok(Json(
        s.call_named("productionOrder", "swapBillOfMaterialsPositions", Value::Object(body))
            .await?,
    ))
}

/// `POST /api/v1/production-orders/imports?format=…&dryRun=…&createMissing=…`: the import file
/// as the raw body;
/// the format comes from `format`, else from the content type (JSON when neither says).
async fn import(
    State(s): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let Query(params) = q.map_err(|err| ApiError::bad_request(format!("bad query parameters: {err}")))?;
    // Permission before reading the file: a caller without it learns nothing about the body.
    if let Some(p) = CATALOGUE
        .get("productionOrder", "importProductionOrders")
        .and_then(|f| f.permission.as_ref())
    {
        s.caller().require(p)?;
    }
    let bytes = raw_body(body)?;
    let format = match params.get("format") {
        Some(f) => f.clone(),
        None => {
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase();
            if content_type.contains("csv") {
                "csv".into()
            } else if content_type.contains("xml") {
                "b2mml".into()
            } else {
                "json".into()
            }
        }
    };
    let flag = |name: &str| match params.get(name).map(|v| v.to_ascii_lowercase()) {
        None => Ok(false),
        Some(v) if v == "true" || v == "1" => Ok(true),
        Some(v) if v == "false" || v == "0" => Ok(false),
        Some(v) => Err(CoreError::field(name, format!("must be true or false, got '{v}'"))),
    };
    let (dry_run, create_missing) = (flag("dryRun")?, flag("createMissing")?);
    let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count();
        CoreError::field(
            "data",
            format!("the import file is not UTF-8 text: a byte that is not part of a UTF-8 character at byte {at} (line {line})"),
        )
    })?;
    let answer = s
        .call_named(
            "productionOrder",
            "importProductionOrders",
            json!([text, format, dry_run, create_missing]),
        )
        .await?;
    if dry_run {
        return Ok((StatusCode::OK, Json(answer)).into_response());
    }
    // A queued job is accepted, not done: the answer is the job as it was queued (read here
    // under the import's permission), its progress at the job's URL.
    let id = answer
        .as_str()
        .and_then(queue::parse_job_id)
        .ok_or_else(|| CoreError::Internal(format!("importProductionOrders answered {answer}, not a job id")))?;
    let job = s.store.read(move |tx| queue::job_json(tx, id, None)).await?;
    let mut resp = (StatusCode::ACCEPTED, Json(job)).into_response();
    if let Ok(h) = HeaderValue::from_str(&format!("/api/v1/production-orders/imports/{id}")) {
        resp.headers_mut().insert(header::LOCATION, h);
    }
    Ok(resp)
}

/// `GET /api/v1/production-orders/imports/{id}?status=&pageIndex=&pageSize=`: the job with its
/// counts and one page of its per-row results (`getImportJob`).
async fn import_job(
    State(s): State<AppState>,
    Path(key): Path<String>,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(params) = q.map_err(|err| ApiError::bad_request(format!("bad query parameters: {err}")))?;
    let mut args = vec![Value::String(key.clone()), Value::Null, Value::Null, Value::Null];
    for (k, v) in params {
        let (i, value) = match k.as_str() {
            "status" => (1, Value::String(v)),
            "pageIndex" => (2, v.parse::<u64>().map(Value::from).unwrap_or(Value::String(v))),
            "pageSize" => (3, v.parse::<u64>().map(Value::from).unwrap_or(Value::String(v))),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter '{k}'; an import job takes status, pageIndex and pageSize"
                )))
            }
        };
        args[i] = value;
    }
    let job = s.call_named("productionOrder", "getImportJob", Value::Array(args)).await?;
    Ok(Json(found(job, || format!("no import job '{key}'"))?))
}
