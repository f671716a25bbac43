//! The production order's own routes: history, lifecycle transitions, production reports,
//! property values and bill of materials (`/api/v1/production-orders/{key}/…`).

use super::{no_order, saved, text_field, with_etag, Body, Route};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::object_body;
use crate::routes::openapi;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};
use shopfloor_core::errors::CoreError;
use shopfloor_core::lifecycle::{self, Status};
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{bill_of_materials, entity, personnel, production_order, property};

const PO: &str = "productionOrder";
const ORDER: &str = "/api/v1/production-orders/{key}";

pub(super) fn routes() -> Vec<Route> {
    let order = openapi::schema_ref("ProductionOrder");
    let item = openapi::schema_ref("BillOfMaterialsItem");
    let list = |items: Value| json!({"type": "array", "items": items});
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let reason = json!({"type": ["string", "null"], "description": "kept with the history event"});
    let person =
        json!({"type": ["string", "null"], "description": "who did it: a username (or id) of personnel, named by the history event"});
    let routes = vec![
        Route::new(
            Method::GET,
            format!("{ORDER}/history"),
            PO,
            "getProductionOrderHistory",
            "The order's history events, oldest first",
            history,
        )
        .ok("200", "OK", list(json!({"type": "object"}))),
        Route::new(
            Method::GET,
            format!("{ORDER}/transitions"),
            PO,
            "getAllowedTransitions",
            "The statuses the order can move to now",
            transitions,
        )
        .ok("200", "OK", list(json!({"enum": statuses}))),
        // Open to whoever may read the order's transitions; the service then demands the
        // permission of the verb into the requested status (`lifecycle::Verb::permission`).
        Route::new(
            Method::POST,
            format!("{ORDER}/transitions"),
            PO,
            "getAllowedTransitions",
            "Moves the order to a status through that status's lifecycle verb (which needs the verb's own permission)",
            transition,
        )
        .body(json!({"type": "object", "properties": {
                "status": {"type": "string", "description": format!("the target status, any case: {}", statuses.join(", "))},
                "to": {"type": "string", "description": "the same as status"}, "reason": reason, "person": person}}))
        .ok("200", "OK", order.clone()),
        Route::new(
            Method::POST,
            format!("{ORDER}/production"),
            PO,
            "reportProduction",
            "Adds a quantity (negative to correct) to quantityProduced",
            report,
        )
        .body(json!({"type": "object", "required": ["quantity"], "properties": {"quantity": openapi::number_schema(), "reason": reason, "person": person}}))
        .ok("200", "OK", order),
        Route::new(
            Method::GET,
            format!("{ORDER}/property-values"),
            PO,
            "getProductionOrderPropertyValuesForOrder",
            "The order's property values",
            property_values,
        )
        .ok("200", "OK", list(openapi::schema_ref("ProductionOrderPropertyValue"))),
        Route::new(
            Method::PUT,
            format!("{ORDER}/property-values"),
            PO,
            "setPropertyValues",
            "Sets {propertyIdOrName: value, …} on the order, all or none",
            set_property_values,
        )
        .body(json!({"type": "object", "description": "{propertyIdOrName: value, …}"}))
        .ok("200", "OK", list(openapi::schema_ref("ProductionOrderPropertyValue"))),
        Route::new(
            Method::GET,
            format!("{ORDER}/property-values/{{property}}"),
            PO,
            "getProductionOrderPropertyValueFor",
            "The order's value of the property",
            property_value,
        )
        .ok("200", "OK", openapi::schema_ref("ProductionOrderPropertyValue")),
        Route::new(
            Method::PUT,
            format!("{ORDER}/property-values/{{property}}"),
            PO,
            "setPropertyValue",
            "Sets the order's value of the property",
            set_property_value,
        )
        .body(
            json!({"type": "object", "required": ["value"], "properties": {"value": {"description": "typed by the property's dataType"}}}),
        )
        .ok("200", "OK", openapi::schema_ref("ProductionOrderPropertyValue")),
        Route::new(
            Method::GET,
            format!("{ORDER}/bill-of-materials"),
            PO,
            "getBillOfMaterialsForOrder",
            "The order's bill of materials items by position",
            bill_of_materials,
        )
        .ok("200", "OK", list(item.clone())),
        Route::new(
            Method::POST,
            format!("{ORDER}/bill-of-materials"),
            PO,
            "saveBillOfMaterialsItem",
            "Adds (or with an id changes) an item of the order's bill of materials",
            add_item,
        )
        .body(openapi::schema_ref("BillOfMaterialsItemInput"))
        .ok("201", "created", item.clone())
        .ok("200", "OK", item),
        Route::new(
            Method::DELETE,
            format!("{ORDER}/bill-of-materials"),
            PO,
            "deleteBillOfMaterialsForOrder",
            "Deletes every item of the order's bill of materials",
            delete_bill_of_materials,
        )
        .ok("200", "OK", json!({"type": "object"})),
        Route::new(
            Method::GET,
            format!("{ORDER}/bill-of-materials/flattened"),
            PO,
            "getBillOfMaterialsForOrderFlattened",
            "The order's items with the names of material, class, product, unit and order",
            flattened,
        )
        .ok("200", "OK", list(json!({"type": "object"}))),
        Route::new(
            Method::POST,
            format!("{ORDER}/bill-of-materials/swap"),
            PO,
            "swapBillOfMaterialsPositions",
            "Swaps the positions of two items of one order",
            swap,
        )
        .body(
            json!({"type": "object", "required": [SWAP[0], SWAP[1]], "additionalProperties": false,
                "properties": {SWAP[0]: {"type": "string"}, SWAP[1]: {"type": "string"}}}),
        )
        .ok("200", "OK", json!({"type": "object"})),
    ];
    routes
        .into_iter()
        .map(|r| r.key(Entity::ProductionOrder.def().lookup_param()))
        .collect()
}

fn records(e: Entity, rs: Vec<Record>) -> Value {
    Value::Array(rs.iter().map(|r| r.to_json(e.def())).collect())
}

async fn history(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let k = key.clone();
    match s.read(move |tx, _| production_order::history(tx, &k)).await? {
        Some(events) => Ok(Json(events.iter().map(|e| e.to_json()).collect())),
        None => Err(no_order(&key)),
    }
}

async fn transitions(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        s.read(move |tx, _| production_order::allowed_transitions(tx, &key)).await?
    )))
}

/// `POST …/transitions {"status": "RUNNING", "reason": "…"}`: the lifecycle verb that enters
/// that status (`lifecycle::VERBS`), e.g. `unscheduleProductionOrder` for IDLE.
async fn transition(State(s): State<AppState>, Path(key): Path<String>, body: Body) -> ApiResult<Response> {
    let body = object_body(body)?;
    let target = body.get("status").or(body.get("to")).and_then(Value::as_str).unwrap_or_default();
    let verb = Status::parse(target)
        .and_then(lifecycle::verb_to)
        .ok_or_else(|| CoreError::field("status", format!("'{target}' is not a production-order status")))?;
    let reason = text_field(&body, "reason")?;
    let person = text_field(&body, "person")?;
    let order = s
        .write(move |tx, c| {
            let c = &personnel::acting_for(tx, c, person)?;
            production_order::transition(tx, c, &key, verb.to, reason)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, order.to_json(Entity::ProductionOrder.def())))
}

/// `POST …/production {"quantity": 5, "reason": "…"}`.
async fn report(State(s): State<AppState>, Path(key): Path<String>, body: Body) -> ApiResult<Response> {
    let body = object_body(body)?;
    let quantity = body
        .get("quantity")
        .filter(|q| !q.is_null())
        .cloned()
        .ok_or_else(|| CoreError::field("quantity", "is required"))?;
    let reason = text_field(&body, "reason")?;
    let person = text_field(&body, "person")?;
    let order = s
        .write(move |tx, c| {
            let c = &personnel::acting_for(tx, c, person)?;
            production_order::report(tx, c, &key, &quantity, reason)
        })
        .await?;
    Ok(with_etag(StatusCode::OK, order.to_json(Entity::ProductionOrder.def())))
}

async fn property_values(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let k = key.clone();
    let values = s
        .read(
            move |tx, _| match entity::lookup(tx, Entity::ProductionOrder, &k)?.and_then(|o| o.id()) {
                Some(id) => property::values_for(tx, id).map(Some),
                None => Ok(None),
            },
        )
        .await?;
    let values = values.ok_or_else(|| no_order(&key))?;
    Ok(Json(records(Entity::ProductionOrderPropertyValue, values)))
}

/// `PUT …/property-values {"Batch Size": 250, …}`: all or none.
async fn set_property_values(State(s): State<AppState>, Path(key): Path<String>, body: Body) -> ApiResult<Json<Value>> {
    let values = object_body(body)?;
    let saved = s
        .write(move |tx, c| property::set_values(tx, c, &property::ORDER, &key, &values))
        .await?;
    Ok(Json(records(Entity::ProductionOrderPropertyValue, saved)))
}

async fn property_value(State(s): State<AppState>, Path((key, property)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let (k, p) = (key.clone(), property.clone());
    match s.read(move |tx, _| property::value_for(tx, &property::ORDER, &k, &p)).await? {
        Some(value) => Ok(Json(value.to_json(Entity::ProductionOrderPropertyValue.def()))),
        None => Err(ApiError::NotFound(format!(
            "no value of property '{property}' on production order '{key}'"
        ))),
    }
}

/// `PUT …/property-values/{property} {"value": …}`.
async fn set_property_value(
    State(s): State<AppState>,
    Path((key, property)): Path<(String, String)>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let body = object_body(body)?;
    let value = body.get("value").cloned().ok_or_else(|| CoreError::field("value", "is required"))?;
    let saved = s
        .write(move |tx, c| property::set_value(tx, c, &property::ORDER, &key, &property, &value))
        .await?;
    Ok(Json(saved.to_json(Entity::ProductionOrderPropertyValue.def())))
}

async fn bill_of_materials(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let k = key.clone();
    let items = s
        .read(
            move |tx, _| match entity::lookup(tx, Entity::ProductionOrder, &k)?.and_then(|o| o.id()) {
                Some(id) => bill_of_materials::items_of(tx, id).map(Some),
                None => Ok(None),
            },
        )
        .await?;
    Ok(Json(records(Entity::BillOfMaterialsItem, items.ok_or_else(|| no_order(&key))?)))
}

async fn flattened(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let k = key.clone();
    let items = s.read(move |tx, _| bill_of_materials::flattened(tx, &k)).await?;
    Ok(Json(Value::Array(items.ok_or_else(|| no_order(&key))?)))
}

/// `POST …/bill-of-materials {materialId, quantityPerProducedUnit, …}`: an item of this order.
async fn add_item(State(s): State<AppState>, Path(key): Path<String>, body: Body) -> ApiResult<Response> {
    let mut data = object_body(body)?;
    let item = s
        .write(move |tx, c| {
            let order = entity::lookup(tx, Entity::ProductionOrder, &key)?
                .ok_or_else(|| CoreError::NotFound(format!("no production order '{key}'")))?;
            data.insert("productionOrderId".into(), order.get("id").to_json());
            bill_of_materials::save(tx, c, &data)
        })
        .await?;
    Ok(saved(item.to_json(Entity::BillOfMaterialsItem.def())))
}

async fn delete_bill_of_materials(State(s): State<AppState>, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(s.write(move |tx, c| bill_of_materials::delete_for_order(tx, c, &key)).await?))
}

/// The two fields of a swap.
const SWAP: [&str; 2] = ["billOfMaterialsId1", "billOfMaterialsId2"];

/// `POST …/bill-of-materials/swap {"billOfMaterialsId1": …, "billOfMaterialsId2": …}`.
async fn swap(State(s): State<AppState>, Path(_key): Path<String>, body: Body) -> ApiResult<Json<Value>> {
    let body = object_body(body)?;
    if let Some(k) = body.keys().find(|k| !SWAP.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unexpected field '{k}'; a swap takes {} and {}",
            SWAP[0], SWAP[1]
        )));
    }
    let [first, second] = SWAP.map(|name| text_field(&body, name)?.ok_or_else(|| ApiError::bad_request(format!("'{name}' is required"))));
    let (first, second) = (first?, second?);
    Ok(Json(s.write(move |tx, c| bill_of_materials::swap(tx, c, &first, &second)).await?))
}
