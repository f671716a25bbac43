//! Master-data helper routes: a location's children and the location tree, shift start and stop,
//! and unit conversion.

use super::{params, text_field, Body, Params, Route};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::json_body;
use crate::routes::openapi;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::Json;
use serde_json::{json, Map, Value};
use shopfloor_core::schema::Entity;
use shopfloor_core::service::shift::{self, ShiftRef};
use shopfloor_core::service::{location, unit_of_measure};

pub(super) fn routes() -> Vec<Route> {
    let location = Entity::Location.def();
    let shift = Entity::Shift.def();
    let shift_body = json!({"type": "object", "properties": {"locationIdOrPath": {"type": ["string", "null"],
        "description": "where (default: the shift's own location)"}}});
    let shift_record = openapi::schema_ref("ShiftRecord");
    vec![
        Route::new(
            Method::GET,
            "/api/v1/locations/{key}/children",
            location.module,
            "getChildren",
            "The direct children of a location",
            children,
        )
        .key(location.lookup_param())
        .ok("200", "OK", json!({"type": "array", "items": openapi::schema_ref("Location")})),
        Route::new(
            Method::GET,
            "/api/v1/location-tree",
            location.module,
            "getLocationTree",
            "Locations as a tree (nested children)",
            tree,
        )
        .query(
            "filter",
            json!({"type": "string"}),
            Some("only names containing this text, and their ancestors"),
        )
        .ok("200", "OK", json!({"type": "array"})),
        Route::new(
            Method::POST,
            "/api/v1/shifts/{key}/start",
            shift.module,
            "startShift",
            "Starts a shift at a location",
            |s, p, b| shift_verb(true, s, p, b),
        )
        .key(shift.lookup_param())
        .body(shift_body.clone())
        .ok("200", "the new ACTIVE shift record", shift_record.clone()),
        Route::new(
            Method::POST,
            "/api/v1/shifts/{key}/stop",
            shift.module,
            "stopShift",
            "Stops the shift's active record",
            |s, p, b| shift_verb(false, s, p, b),
        )
        .key(shift.lookup_param())
        .body(shift_body)
        .ok("200", "the shift record, CLOSED", shift_record),
        Route::new(
            Method::GET,
            "/api/v1/units-of-measure/convert",
            Entity::UnitOfMeasure.def().module,
            "convert",
            "Converts an amount between units",
            convert,
        )
        .query("amount", json!({"type": "number"}), None)
        .query("from", json!({"type": "string"}), Some("unit id or name"))
        .query("to", json!({"type": "string"}), Some("unit id or name"))
        .query(
            "material",
            json!({"type": "string"}),
            Some("material id or path, for its own conversions"),
        )
        .ok("200", "the converted amount", json!({"type": "number"})),
    ]
}

async fn children(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let found = s.read(move |tx, _| location::children(tx, &key)).await?;
    Ok(Json(found.iter().map(|r| r.to_json(Entity::Location.def())).collect()))
}

async fn tree(State(s): State<AppState>, q: Params) -> ApiResult<Json<Value>> {
    let filter = params(q)?.remove("filter");
    Ok(Json(Value::Array(
        s.read(move |tx, _| location::tree(tx, filter.as_deref())).await?,
    )))
}

/// `POST /api/v1/shifts/{key}/start {"locationIdOrPath": …}` and `/stop`.
async fn shift_verb(start: bool, State(s): State<AppState>, Path(key): Path<String>, body: Body) -> ApiResult<Json<Value>> {
    let body = match json_body(body)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let at = text_field(&body, "locationIdOrPath")?;
    let record = s
        .write(move |tx, c| {
            // The shift by id, or by name at (or above) the location given.
            let which = match &at {
                Some(location) => ShiftRef::AtLocation { location, name: &key },
                None => ShiftRef::Id(&key),
            };
            match start {
                true => shift::start(tx, c, which, None),
                false => shift::stop(tx, c, which, None),
            }
        })
        .await?;
    Ok(Json(record.to_json(Entity::ShiftRecord.def())))
}

/// `GET /api/v1/units-of-measure/convert?amount=&from=&to=&material=`.
async fn convert(State(s): State<AppState>, q: Params) -> ApiResult<Json<Value>> {
    let mut p = params(q)?;
    let mut required = |name: &str| {
        p.remove(name).ok_or_else(|| {
            ApiError::bad_request(format!(
                "the query parameter '{name}' is required (amount, from and to; material optional)"
            ))
        })
    };
    let (amount, from, to) = (Value::String(required("amount")?), required("from")?, required("to")?);
    let material = p.remove("material");
    let converted = s
        .read(move |tx, _| unit_of_measure::convert(tx, &amount, &from, &to, material.as_deref()))
        .await?;
    Ok(Json(json!(converted)))
}
