//! Bad input, table-driven: every case states what is wrong, the status and error code the user
//! gets, the field the answer names, and that nothing stored changed. Never a 500.

use crate::helpers::{spawn_app, spawn_app_with, Reply, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// How a case is sent.
enum Req {
    /// A script call with a JSON body.
    Call(&'static str, &'static str, Value),
    /// Raw bytes to a path (POST, content-type JSON).
    Raw(&'static str, &'static str),
    /// Any method, path and optional JSON body.
    Http(Method, String, Option<Value>),
}

struct Case {
    what: &'static str,
    req: Req,
    status: StatusCode,
    code: &'static str,
    /// A field (in `error.fields`) or word (in `error.message`) the answer must name.
    names: &'static str,
}

/// An app with master data and one existing order "Existing" (RUNNING, quantity 10).
struct World {
    app: TestApp,
    unit: String,
    material: String,
    id: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let order = app
        .ok(
            "productionOrder",
            "saveProductionOrder",
            json!({"name": "Existing", "productId": material, "unitOfMeasureId": unit, "quantity": 10, "status": "RUNNING",
                   "startDate": "2025-01-01T00:00:00Z"}),
        )
        .await;
    World {
        app,
        unit,
        material,
        id: order["id"].as_str().unwrap().to_string(),
    }
}

/// Everything a user could see change: every order, and the existing order's history.
async fn snapshot(w: &World) -> (Vec<Value>, usize) {
    (w.app.all_orders().await, w.app.history(&w.id).await.len())
}

async fn send(app: &TestApp, req: &Req) -> Reply {
    match req {
        Req::Call(module, function, body) => {
            app.send(
                Method::POST,
                &format!("/api/v1/script/{module}/{function}"),
                Some(body.clone()),
                &[],
            )
            .await
        }
        Req::Raw(path, raw) => app.send_raw(Method::POST, path, raw.to_string()).await,
        Req::Http(method, path, body) => app.send(method.clone(), path, body.clone(), &[]).await,
    }
}

async fn run(w: &World, cases: Vec<Case>) {
    for case in cases {
        let before = snapshot(w).await;

        let reply = send(&w.app, &case.req).await;

        let what = case.what;
        assert_ne!(
            reply.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{what}: never a 500: {}",
            reply.text
        );
        assert_eq!(reply.status, case.status, "{what}: {}", reply.text);
        let error = &reply.json["error"];
        assert_eq!(error["code"], case.code, "{what}: {}", reply.text);
        let message = error["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no message: {}", reply.text));
        assert!(!message.is_empty(), "{what}");
        if !case.names.is_empty() {
            let in_fields = error["fields"]
                .get(case.names)
                .is_some_and(|m| m.as_array().is_some_and(|a| !a.is_empty()));
            assert!(
                in_fields || message.contains(case.names),
                "{what}: the answer does not name {:?}: {}",
                case.names,
                reply.text
            );
        }
        assert!(
            reply.header("content-type").starts_with("application/json"),
            "{what}: the error is JSON: {:?}",
            reply.header("content-type")
        );
        assert_eq!(snapshot(w).await, before, "{what}: something changed");
    }
}

fn save(data: Value) -> Req {
    Req::Call("productionOrder", "saveProductionOrder", data)
}

fn case(what: &'static str, req: Req, status: StatusCode, code: &'static str, names: &'static str) -> Case {
    Case {
        what,
        req,
        status,
        code,
        names,
    }
}

const V: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const B: StatusCode = StatusCode::BAD_REQUEST;

#[tokio::test]
async fn bad_order_data_is_a_validation_error_naming_the_field_and_changes_nothing() {
    let w = world().await;
    let (u, m, id) = (w.unit.clone(), w.material.clone(), w.id.clone());
    let new = |extra: Value| {
        let mut d = json!({"name": "New", "productId": m, "unitOfMeasureId": u});
        for (k, v) in extra.as_object().unwrap() {
            d[k] = v.clone();
        }
        save(d)
    };
    let upd = |extra: Value| {
        let mut d = json!({"id": id});
        for (k, v) in extra.as_object().unwrap() {
            d[k] = v.clone();
        }
        save(d)
    };
    let missing = "01JCH3ENGW-82KJDZDR-JHGYCXQN";

    run(
        &w,
        vec![
            case(
                "a misspelt key (quantitty)",
                new(json!({"quantitty": 5})),
                V,
                "validation",
                "quantitty",
            ),
            case(
                "a misspelt key on update",
                upd(json!({"quantitty": 5})),
                V,
                "validation",
                "quantitty",
            ),
            case("quantity as a boolean", new(json!({"quantity": true})), V, "validation", "quantity"),
            // Found by the parser fuzzer: 28 dashes once made the ULID parser panic.
            case(
                "an id of 28 dashes",
                new(json!({"productId": "----------------------------"})),
                V,
                "validation",
                "productId",
            ),
            case("quantity as a list", new(json!({"quantity": [1]})), V, "validation", "quantity"),
            case("quantity \"NaN\"", new(json!({"quantity": "NaN"})), V, "validation", "quantity"),
            case(
                "quantity \"Infinity\"",
                new(json!({"quantity": "Infinity"})),
                V,
                "validation",
                "quantity",
            ),
            case("quantity -1", new(json!({"quantity": -1})), V, "validation", "quantity"),
            case(
                "quantityProduced -0.5 on update",
                upd(json!({"quantityProduced": -0.5})),
                V,
                "validation",
                "quantityProduced",
            ),
            case(
                "quantityScheduled \"ten\"",
                upd(json!({"quantityScheduled": "ten"})),
                V,
                "validation",
                "quantityScheduled",
            ),
            case("name as a number", new(json!({"name": 5})), V, "validation", "name"),
            case("name of spaces", new(json!({"name": "   "})), V, "validation", "name"),
            case(
                "name over 255 characters",
                new(json!({"name": "x".repeat(256)})),
                V,
                "validation",
                "name",
            ),
            case(
                "notes over 10000 characters",
                upd(json!({"notes": "n".repeat(10_001)})),
                V,
                "validation",
                "notes",
            ),
            case("enabled as 3", upd(json!({"enabled": 3})), V, "validation", "enabled"),
            case("status not in the enum", upd(json!({"status": "DONE"})), V, "validation", "status"),
            case(
                "schedulePriority not in the enum",
                new(json!({"schedulePriority": "ASAP"})),
                V,
                "validation",
                "schedulePriority",
            ),
            case(
                "a malformed product id",
                new(json!({"productId": "not-a-ulid"})),
                V,
                "validation",
                "productId",
            ),
            case(
                "a product id with a bad symbol (U)",
                new(json!({"productId": "01JCH3ENGW-82KJDZDR-JHGYCXQU"})),
                V,
                "validation",
                "productId",
            ),
            case(
                "a customer id as a number",
                new(json!({"customerId": 12})),
                V,
                "validation",
                "customerId",
            ),
            case(
                "a malformed own id",
                save(json!({"id": "xyz", "name": "New"})),
                V,
                "validation",
                "id",
            ),
            case(
                "an id too large (first symbol 8)",
                save(json!({"id": "81JCH3ENGW82KJDZDRJHGYCXQN"})),
                V,
                "validation",
                "id",
            ),
            case(
                "an unknown product",
                new(json!({"productId": missing})),
                V,
                "validation",
                "productId",
            ),
            case(
                "an unknown unit",
                new(json!({"unitOfMeasureId": missing})),
                V,
                "validation",
                "unitOfMeasureId",
            ),
            case(
                "an unknown customer",
                new(json!({"customerId": missing})),
                V,
                "validation",
                "customerId",
            ),
            case(
                "an unknown location",
                upd(json!({"locationId": missing})),
                V,
                "validation",
                "locationId",
            ),
            case(
                "an unknown shift record (alias)",
                upd(json!({"scheduleShiftRecordId": missing})),
                V,
                "validation",
                "shiftRecordId",
            ),
            case(
                "an unparseable due date",
                new(json!({"dueDate": "soon"})),
                V,
                "validation",
                "dueDate",
            ),
            case(
                "a month 13 start date",
                new(json!({"startDate": "2025-13-01T00:00:00Z"})),
                V,
                "validation",
                "startDate",
            ),
            case("a date as a boolean", new(json!({"dueDate": false})), V, "validation", "dueDate"),
            case(
                "epoch milliseconds out of range",
                new(json!({"dueDate": 9_999_999_999_999_999i64})),
                V,
                "validation",
                "dueDate",
            ),
            case(
                "end date before start date on create",
                new(json!({"startDate": "2025-01-02T00:00:00Z", "endDate": "2025-01-01T00:00:00Z"})),
                V,
                "validation",
                "endDate",
            ),
            case(
                "end date before the stored start date",
                upd(json!({"endDate": "2024-12-31T23:59:59Z"})),
                V,
                "validation",
                "endDate",
            ),
            case(
                "the name of the existing order in other case",
                new(json!({"name": "EXISTING"})),
                V,
                "validation",
                "name",
            ),
            case(
                "the existing name with spaces around",
                new(json!({"name": " existing "})),
                V,
                "validation",
                "name",
            ),
            case(
                "a required field cleared",
                upd(json!({"unitOfMeasureId": null})),
                V,
                "validation",
                "unitOfMeasureId",
            ),
            case(
                "a create without product and unit",
                save(json!({"name": "New"})),
                V,
                "validation",
                "productId",
            ),
            case("RUNNING to IDLE", upd(json!({"status": "IDLE"})), V, "validation", "status"),
            case("RUNNING to CLOSED", upd(json!({"status": "CLOSED"})), V, "validation", "status"),
            case(
                "RUNNING to SCHEDULED by verb",
                Req::Call("productionOrder", "scheduleProductionOrder", json!([id])),
                V,
                "validation",
                "status",
            ),
            case(
                "version as text",
                upd(json!({"version": "abc", "notes": "x"})),
                V,
                "validation",
                "version",
            ),
            case("version 0", upd(json!({"version": 0, "notes": "x"})), V, "validation", "version"),
            case(
                "a stale version",
                upd(json!({"version": 7, "notes": "x"})),
                StatusCode::CONFLICT,
                "conflict",
                "version",
            ),
            case(
                "a report of \"NaN\"",
                Req::Call("productionOrder", "reportProduction", json!([id, "NaN"])),
                V,
                "validation",
                "quantity",
            ),
            case(
                "a report below zero",
                Req::Call("productionOrder", "reportProduction", json!([id, -1])),
                V,
                "validation",
                "quantity",
            ),
            case(
                "a filter on an unknown field",
                Req::Call(
                    "productionOrder",
                    "findProductionOrders",
                    json!({"filters": [{"field": "colour", "condition": "EQUALS", "stringValue": "red"}]}),
                ),
                V,
                "validation",
                "filters[0].field",
            ),
            case(
                "a page size of 0",
                Req::Call("productionOrder", "findProductionOrders", json!({"pageSize": 0, "pageIndex": 0})),
                V,
                "validation",
                "pageSize",
            ),
            case(
                "an unknown status in the location listing",
                Req::Call(
                    "productionOrder",
                    "getDetailedProductionOrdersByLocationAndStatus",
                    json!([[], ["DONE"]]),
                ),
                V,
                "validation",
                "statuses",
            ),
        ],
    )
    .await;
    w.app.stop().await;
}

#[tokio::test]
async fn malformed_calls_are_bad_requests_or_not_found_and_change_nothing() {
    let w = world().await;
    let id = w.id.clone();
    let script = "/api/v1/script/productionOrder/saveProductionOrder";

    run(
        &w,
        vec![
            case("broken JSON", Req::Raw(script, r#"{"name": "#), B, "bad_request", "JSON"),
            case(
                "trailing garbage after JSON",
                Req::Raw(script, r#"{"name": "A"} x"#),
                B,
                "bad_request",
                "JSON",
            ),
            case(
                "a body that is a JSON string",
                Req::Raw(script, r#""Order001""#),
                B,
                "bad_request",
                "string",
            ),
            case("a body that is a JSON number", Req::Raw(script, "42"), B, "bad_request", "number"),
            case("a body that is true", Req::Raw(script, "true"), B, "bad_request", "boolean"),
            case(
                "positional data that is not an object",
                save(json!(["Order001"])),
                B,
                "bad_request",
                "productionOrderData",
            ),
            case(
                "an unknown function",
                Req::Call("productionOrder", "saveProductionOrdr", json!({})),
                StatusCode::NOT_FOUND,
                "not_found",
                "saveProductionOrdr",
            ),
            case(
                "an unknown module",
                Req::Call("productionOrders", "saveProductionOrder", json!({})),
                StatusCode::NOT_FOUND,
                "not_found",
                "productionOrders",
            ),
            case(
                "too many positional arguments",
                Req::Call("productionOrder", "getProductionOrder", json!(["a", "b"])),
                B,
                "bad_request",
                "at most 1",
            ),
            case(
                "a missing argument",
                Req::Call("productionOrder", "getProductionOrder", json!([])),
                B,
                "bad_request",
                "productionOrderIdOrName",
            ),
            case(
                "a null required argument",
                Req::Call("productionOrder", "getProductionOrder", json!([null])),
                B,
                "bad_request",
                "productionOrderIdOrName",
            ),
            case(
                "an unexpected keyword",
                Req::Call("productionOrder", "getProductionOrder", json!({"orderName": "Existing"})),
                B,
                "bad_request",
                "orderName",
            ),
            case(
                "an argument of the wrong type",
                Req::Call("productionOrder", "getProductionOrder", json!([{"name": "Existing"}])),
                B,
                "bad_request",
                "productionOrderIdOrName",
            ),
            case(
                "a reason that is an object",
                Req::Call("productionOrder", "pauseProductionOrder", json!([id, {"why": 1}])),
                B,
                "bad_request",
                "reason",
            ),
            case(
                "a statuses list of numbers",
                Req::Call(
                    "productionOrder",
                    "getDetailedProductionOrdersByLocationAndStatus",
                    json!([["x"], [1]]),
                ),
                B,
                "bad_request",
                "statuses",
            ),
            case(
                "arguments to a function that takes none",
                Req::Call("productionOrder", "getAllProductionOrders", json!(["x"])),
                B,
                "bad_request",
                "at most 0",
            ),
            case(
                "a verb for a missing order",
                Req::Call("productionOrder", "startProductionOrder", json!(["Nobody"])),
                StatusCode::NOT_FOUND,
                "not_found",
                "Nobody",
            ),
            case(
                "an unknown REST path",
                Req::Http(Method::GET, "/api/v1/production-order".into(), None),
                StatusCode::NOT_FOUND,
                "not_found",
                "/api/v1/production-order",
            ),
            case(
                "an unknown top-level path",
                Req::Http(Method::GET, "/nope".into(), None),
                StatusCode::NOT_FOUND,
                "not_found",
                "/nope",
            ),
            case(
                "a REST get of a missing order",
                Req::Http(Method::GET, "/api/v1/production-orders/Nobody".into(), None),
                StatusCode::NOT_FOUND,
                "not_found",
                "Nobody",
            ),
            case(
                "GET on a script function",
                Req::Http(Method::GET, script.into(), None),
                StatusCode::METHOD_NOT_ALLOWED,
                "bad_request",
                "GET",
            ),
            case(
                "DELETE on a collection",
                Req::Http(Method::DELETE, "/api/v1/production-orders".into(), None),
                StatusCode::METHOD_NOT_ALLOWED,
                "bad_request",
                "DELETE",
            ),
            case(
                "PUT on the health check",
                Req::Http(Method::PUT, "/healthz".into(), Some(json!({}))),
                StatusCode::METHOD_NOT_ALLOWED,
                "bad_request",
                "PUT",
            ),
            case(
                "a REST PATCH with a misspelt key",
                Req::Http(
                    Method::PATCH,
                    format!("/api/v1/production-orders/{id}"),
                    Some(json!({"quantitty": 1})),
                ),
                V,
                "validation",
                "quantitty",
            ),
            case(
                "a REST PATCH with a JSON list body",
                Req::Http(Method::PATCH, format!("/api/v1/production-orders/{id}"), Some(json!([1]))),
                B,
                "bad_request",
                "object",
            ),
            case(
                "a REST POST with an illegal transition",
                Req::Http(
                    Method::POST,
                    format!("/api/v1/production-orders/{id}/transitions"),
                    Some(json!({"status": "CLOSED"})),
                ),
                V,
                "validation",
                "status",
            ),
            case(
                "a REST POST with an unknown target status",
                Req::Http(
                    Method::POST,
                    format!("/api/v1/production-orders/{id}/transitions"),
                    Some(json!({"status": "DONE"})),
                ),
                V,
                "validation",
                "status",
            ),
            case(
                "a REST production report without quantity",
                Req::Http(
                    Method::POST,
                    format!("/api/v1/production-orders/{id}/production"),
                    Some(json!({"qty": 1})),
                ),
                V,
                "validation",
                "quantity",
            ),
            case(
                "a list with filters that are not JSON",
                Req::Http(Method::GET, "/api/v1/production-orders?filters=%5Bnope".into(), None),
                B,
                "bad_request",
                "filters",
            ),
            case(
                "a list with pageSize abc",
                Req::Http(Method::GET, "/api/v1/production-orders?pageSize=abc&pageIndex=0".into(), None),
                V,
                "validation",
                "pageSize",
            ),
            case(
                "a list with an unknown query parameter",
                Req::Http(Method::GET, "/api/v1/production-orders?pageSise=2".into(), None),
                V,
                "validation",
                "pageSise",
            ),
            case(
                "a change feed with after=abc",
                Req::Http(Method::GET, "/api/v1/events?after=abc&timeout=0".into(), None),
                B,
                "bad_request",
                "after",
            ),
            case(
                "a change feed with a negative timeout",
                Req::Http(Method::GET, "/api/v1/events?timeout=-1".into(), None),
                B,
                "bad_request",
                "timeout",
            ),
        ],
    )
    .await;
    w.app.stop().await;
}

#[tokio::test]
async fn an_if_match_that_is_not_a_version_is_a_bad_request_and_changes_nothing() {
    let w = world().await;
    let before = snapshot(&w).await;

    let reply = w
        .app
        .send(
            Method::PATCH,
            &format!("/api/v1/production-orders/{}", w.id),
            Some(json!({"notes": "x"})),
            &[("if-match", "\"latest\"")],
        )
        .await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.json["error"]["code"], "bad_request");
    assert!(reply.json["error"]["message"].as_str().unwrap().contains("If-Match"));
    assert_eq!(snapshot(&w).await, before);
    w.app.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413_and_changes_nothing() {
    let app = spawn_app_with(|c| c.body_limit = 2048).await;
    let (unit, material) = app.master_data().await;
    let before = app.all_orders().await;
    let body = json!({"name": "Big", "productId": material, "unitOfMeasureId": unit, "notes": "x".repeat(4096)}).to_string();

    for path in ["/api/v1/script/productionOrder/saveProductionOrder", "/api/v1/production-orders"] {
        let reply = app.send_raw(Method::POST, path, body.clone()).await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {}", reply.text);
        assert_eq!(reply.json["error"]["code"], "payload_too_large", "{path}: {}", reply.text);
        assert!(reply.json["error"]["message"].as_str().unwrap().contains("large"));
    }
    assert_eq!(app.all_orders().await, before);
    // Just under the limit still works.
    app.ok(
        "productionOrder",
        "saveProductionOrder",
        json!({"name": "Small", "productId": material, "unitOfMeasureId": unit, "notes": "x".repeat(100)}),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn bad_master_data_is_refused_with_the_field_named_and_nothing_saved() {
    let w = world().await;
    let app = &w.app;
    let um = "unitOfMeasure";
    let before_units = app.ok(um, "getAllUnitsOfMeasure", json!(null)).await;
    let before_locations = app.ok("location", "getAllLocations", json!(null)).await;

    for (what, module, function, body, field) in [
        ("unit without symbol", um, "saveUnitOfMeasure", json!({"name": "Box"}), "symbol"),
        (
            "unit with an existing name in other case",
            um,
            "saveUnitOfMeasure",
            json!({"name": "EACH", "symbol": "e"}),
            "name",
        ),
        (
            "unit symbol too long",
            um,
            "saveUnitOfMeasure",
            json!({"name": "Box", "symbol": "s".repeat(33)}),
            "symbol",
        ),
        (
            "conversion factor NaN",
            um,
            "saveUnitOfMeasureConversion",
            json!({"fromId": w.unit, "toId": w.unit, "conversionFactor": "NaN"}),
            "conversionFactor",
        ),
        (
            "material with a negative shelf life",
            "material",
            "saveMaterial",
            json!({"id": w.material, "shelfLifeDays": -3}),
            "shelfLifeDays",
        ),
        (
            "material with a fractional shelf life",
            "material",
            "saveMaterial",
            json!({"id": w.material, "shelfLifeDays": 1.5}),
            "shelfLifeDays",
        ),
        (
            "location with an unknown parent",
            "location",
            "saveLocation",
            json!({"name": "L", "parentId": "01JCH3ENGW-82KJDZDR-JHGYCXQN"}),
            "parentId",
        ),
        (
            "location name with a slash",
            "location",
            "saveLocation",
            json!({"name": "A/B"}),
            "name",
        ),
        ("shift without location", "shift", "saveShift", json!({"name": "Day"}), "locationId"),
        (
            "customer with an unknown key",
            "customer",
            "saveCustomer",
            json!({"name": "C", "emial": "x"}),
            "emial",
        ),
        (
            "shift record with a bad status",
            "shift",
            "saveShiftRecord",
            json!({"status": "RUNNING"}),
            "status",
        ),
    ] {
        let (status, body) = app.call(module, function, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert_eq!(body["error"]["code"], "validation", "{what}");
        assert!(body["error"]["fields"][field].is_array(), "{what}: {field} not named in {body}");
    }
    assert_eq!(app.ok(um, "getAllUnitsOfMeasure", json!(null)).await, before_units);
    assert_eq!(app.ok("location", "getAllLocations", json!(null)).await, before_locations);
    assert_eq!(app.ok("material", "getMaterial", json!([w.material])).await["version"], 1);
    assert!(app
        .ok("customer", "getAllCustomers", json!(null))
        .await
        .as_array()
        .unwrap()
        .is_empty());
    assert!(app.ok("shift", "getAllShifts", json!(null)).await.as_array().unwrap().is_empty());
    w.app.stop().await;
}

#[tokio::test]
async fn extreme_page_indexes_answer_an_empty_last_page_never_a_500() {
    let w = world().await;
    let before = snapshot(&w).await;

    for (page_size, page_index) in [(10u64, u64::MAX), (10_000, i64::MAX as u64), (1, u64::MAX - 1)] {
        let (status, body) = w
            .app
            .call(
                "productionOrder",
                "findProductionOrders",
                json!({"pageSize": page_size, "pageIndex": page_index}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "pageIndex {page_index}: {body}");
        assert_eq!(body["content"], json!([]), "pageIndex {page_index}");
        assert_eq!(body["totalElements"], 1);
        assert_eq!(body["isLast"], true);
        assert_eq!(body["hasNext"], false);
        assert_eq!(body["hasPrevious"], true);
    }
    let rest = w
        .app
        .send(
            Method::GET,
            &format!("/api/v1/production-orders?pageSize=5&pageIndex={}", u64::MAX),
            None,
            &[],
        )
        .await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.text);
    assert_eq!(rest.json["content"], json!([]));
    assert_eq!(snapshot(&w).await, before);
    w.app.stop().await;
}
