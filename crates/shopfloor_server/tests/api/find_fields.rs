//! `findX` with `fields` (issue 19, docs/API.md): each record answers with the fields listed
//! and no others; without `fields` nothing changes; an unknown field is a 422 naming it. The
//! same through REST (`fields` in a search body, `?fields=a,b` on a list).

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PO: &str = "productionOrder";

fn keys(record: &Value) -> Vec<String> {
    let mut k: Vec<String> = record.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn a_find_answers_with_the_fields_listed_and_only_those() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    for name in ["FF-1", "FF-2", "FF-3"] {
        app.order(name, &unit, &material).await;
    }
    let page = json!({"sortFields": ["name"], "pageSize": 2, "pageIndex": 0});

    let full = app.ok(PO, "findProductionOrders", page.clone()).await;
    let mut light_request = page.clone();
    light_request["fields"] = json!(["id", "NAME", "status", "productName", "name"]);
    let light = app.ok(PO, "findProductionOrders", light_request).await;

    assert_eq!(light["totalElements"], 3);
    assert_eq!(light["content"].as_array().unwrap().len(), 2);
    for (l, f) in light["content"].as_array().unwrap().iter().zip(full["content"].as_array().unwrap()) {
        assert_eq!(keys(l), ["id", "name", "productName", "status"], "{l}");
        for k in ["id", "name", "productName", "status"] {
            assert_eq!(l[k], f[k], "{k}");
        }
    }
    assert!(keys(&full["content"][0]).len() > 20, "without fields every field answers");
    assert!(light.to_string().len() < full.to_string().len() / 3);
}

#[tokio::test]
async fn an_unknown_or_malformed_field_list_is_refused_naming_it() {
    let app = spawn_app().await;
    let cases = [
        ("an unknown field", json!({"fields": ["name", "colour"]}), "colour"),
        ("not a list", json!({"fields": "name"}), "list"),
        ("an empty list", json!({"fields": []}), "non-empty"),
        ("a number in the list", json!({"fields": [3]}), "3"),
    ];
    for (what, request, named) in cases {
        let (status, body) = app.call(PO, "findProductionOrders", request).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert!(body.to_string().contains(named), "{what}: the answer names '{named}': {body}");
    }
    let (status, body) = app.call("material", "findMaterials", json!({"fields": ["quantity"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("quantity"), "{body}");
    let (status, body) = app.call("security", "findUsers", json!({"fields": ["name", "passwordHash"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a hidden field is never answered: {body}");
    assert!(body.to_string().contains("passwordHash"), "{body}");
}

#[tokio::test]
async fn rest_search_and_list_take_fields_too() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    app.order("FR-1", &unit, &material).await;

    let (status, body) = app
        .post("/api/v1/production-orders/search", json!({"fields": ["name", "quantity"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(keys(&body["content"][0]), ["name", "quantity"]);

    let (status, body) = app.get("/api/v1/production-orders?fields=id,name&pageSize=5&pageIndex=0").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(keys(&body["content"][0]), ["id", "name"]);

    let (status, body) = app.get("/api/v1/production-orders?fields=id,nope").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("nope"), "{body}");
}
