//! Custom properties and property values (SPEC §2.3) over the script API and REST.

use crate::helpers::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PO: &str = "productionOrder";

async fn property(app: &TestApp, data: Value) -> Value {
    app.ok(PO, "saveProductionOrderProperty", data).await
}

async fn order_with_master_data(app: &TestApp, name: &str) -> Value {
    let (unit, material) = app.master_data().await;
    app.order(name, &unit, &material).await
}

fn field_errors(body: &Value) -> &Value {
    &body["error"]["fields"]
}

#[tokio::test]
async fn data_type_aliases_are_accepted_and_stored_canonically() {
    let app = spawn_app().await;
    for (alias, canonical) in [
        ("Int", "INTEGER"),
        ("long", "INTEGER"),
        ("Double", "FLOAT"),
        ("float8", "FLOAT"),
        ("bool", "BOOLEAN"),
        ("Instant", "DATETIME"),
        ("Date", "DATETIME"),
        ("String", "STRING"),
    ] {
        let p = property(&app, json!({"name": format!("p-{alias}"), "dataType": alias})).await;
        assert_eq!(p["dataType"], canonical, "{alias}");
        assert_eq!(p["nullable"], false);
    }
    let (status, body) = app
        .call(PO, "saveProductionOrderProperty", json!({"name": "bad", "dataType": "decimal"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_errors(&body)["dataType"].is_array());
}

#[tokio::test]
async fn property_names_are_unique_in_any_letter_case() {
    let app = spawn_app().await;
    property(&app, json!({"name": "Batch Size", "dataType": "INTEGER"})).await;
    let (status, body) = app
        .call(
            PO,
            "saveProductionOrderProperty",
            json!({"name": "batch SIZE", "dataType": "INTEGER"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_errors(&body)["name"].is_array());
    assert_eq!(
        app.ok(PO, "getAllProductionOrderProperties", json!([]))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_property_definition_is_checked_for_limits_options_and_default() {
    let app = spawn_app().await;
    let cases = [
        (
            "high below low",
            json!({"name": "a", "dataType": "FLOAT", "lowLimit": 5, "highLimit": 1}),
            "highLimit",
        ),
        (
            "option of the wrong type",
            json!({"name": "b", "dataType": "INTEGER", "options": "1, two, 3"}),
            "options",
        ),
        (
            "default outside the limits",
            json!({"name": "c", "dataType": "INTEGER", "lowLimit": 0, "highLimit": 10, "defaultValue": 11}),
            "defaultValue",
        ),
        (
            "default not among the options",
            json!({"name": "d", "dataType": "STRING", "options": "[Red, Green]", "defaultValue": "Blue"}),
            "defaultValue",
        ),
        (
            "default of the wrong type",
            json!({"name": "e", "dataType": "BOOLEAN", "defaultValue": "maybe"}),
            "defaultValue",
        ),
    ];
    for (what, data, field) in cases {
        let (status, body) = app.call(PO, "saveProductionOrderProperty", data).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert!(field_errors(&body)[field].is_array(), "{what}: {body}");
    }
    assert_eq!(app.ok(PO, "getAllProductionOrderProperties", json!([])).await, json!([]));
}

#[tokio::test]
async fn get_or_create_returns_the_existing_property_or_creates_it() {
    let app = spawn_app().await;
    let created = app
        .ok(
            PO,
            "getProductionOrderPropertyOrCreateNew",
            json!({"name": "Recipe", "dataType": "STRING"}),
        )
        .await;
    assert_eq!(created["version"], 1);
    let again = app
        .ok(
            PO,
            "getProductionOrderPropertyOrCreateNew",
            json!({"name": "RECIPE", "dataType": "INTEGER"}),
        )
        .await;
    assert_eq!(again["id"], created["id"]);
    assert_eq!(again["dataType"], "STRING");
    let by_id = app
        .ok(PO, "getProductionOrderPropertyOrCreateNew", json!({"id": created["id"]}))
        .await;
    assert_eq!(by_id["id"], created["id"]);
    assert_eq!(
        app.ok(PO, "getProductionOrderProperty", json!(["recipe"])).await["id"],
        created["id"]
    );
}

#[tokio::test]
async fn values_are_typed_checked_and_defaulted() {
    let app = spawn_app().await;
    let order = order_with_master_data(&app, "O1").await;
    property(
        &app,
        json!({"name": "Batch Size", "dataType": "INTEGER", "lowLimit": 1, "highLimit": 1000, "defaultValue": 100}),
    )
    .await;
    property(&app, json!({"name": "Ratio", "dataType": "FLOAT"})).await;
    property(
        &app,
        json!({"name": "Color", "dataType": "STRING", "options": "[Red, Green]", "nullable": true}),
    )
    .await;
    property(&app, json!({"name": "Released", "dataType": "BOOLEAN"})).await;
    property(&app, json!({"name": "Best Before", "dataType": "DATETIME"})).await;

    // A new value row without `value` takes the property's default.
    let defaulted = app.ok(PO, "saveProductionOrderPropertyValue", json!({"productionOrderId": order["id"], "propertyId": app.ok(PO, "getProductionOrderProperty", json!(["Batch Size"])).await["id"]})).await;
    assert_eq!(defaulted["value"], 100);
    assert_eq!(defaulted["dataType"], "INTEGER");

    let good = [
        ("Batch Size", json!("250"), json!(250)),
        ("Ratio", json!("0.5"), json!(0.5)),
        ("Color", json!("Red"), json!("Red")),
        ("Color", json!(null), json!(null)),
        ("Released", json!("true"), json!(true)),
        ("Best Before", json!(1735689600000_i64), json!("2025-01-01T00:00:00.000Z")),
    ];
    for (name, given, stored) in good {
        let v = app.ok(PO, "setPropertyValue", json!(["O1", name, given])).await;
        assert_eq!(v["value"], stored, "{name} = {given}");
    }
    let bad = [
        ("text for an INTEGER", "Batch Size", json!("lots")),
        ("2.5 for an INTEGER", "Batch Size", json!(2.5)),
        ("above the high limit", "Batch Size", json!(1001)),
        ("below the low limit", "Batch Size", json!(0)),
        ("NaN for a FLOAT", "Ratio", json!("NaN")),
        ("not among the options", "Color", json!("Blue")),
        ("null for a non-nullable property", "Released", json!(null)),
        ("an unparseable date", "Best Before", json!("next tuesday")),
    ];
    for (what, name, given) in bad {
        let before = app.ok(PO, "getProductionOrderPropertyValueFor", json!(["O1", name])).await;
        let (status, body) = app.call(PO, "setPropertyValue", json!(["O1", name, given])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert!(field_errors(&body)["value"].is_array(), "{what}: {body}");
        let after = app.ok(PO, "getProductionOrderPropertyValueFor", json!(["O1", name])).await;
        assert_eq!(before, after, "{what} changed the stored value");
    }
}

#[tokio::test]
async fn a_value_must_have_its_propertys_data_type_and_one_row_per_order_and_property() {
    let app = spawn_app().await;
    let order = order_with_master_data(&app, "O1").await;
    let p = property(&app, json!({"name": "Batch Size", "dataType": "INTEGER"})).await;
    let (status, body) = app
        .call(
            PO,
            "saveProductionOrderPropertyValue",
            json!({"productionOrderId": order["id"], "propertyId": p["id"], "dataType": "STRING", "value": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_errors(&body)["dataType"].is_array(), "{body}");
    app.ok(
        PO,
        "saveProductionOrderPropertyValue",
        json!({"productionOrderId": order["id"], "propertyId": p["id"], "value": 5}),
    )
    .await;
    let (status, body) = app
        .call(
            PO,
            "saveProductionOrderPropertyValue",
            json!({"productionOrderId": order["id"], "propertyId": p["id"], "value": 6}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_errors(&body)["propertyId"].is_array(), "{body}");
    let v = app
        .ok(
            PO,
            "validateProductionOrderPropertyValue",
            json!({"productionOrderId": order["id"], "propertyId": p["id"], "value": "x"}),
        )
        .await;
    assert!(v["value"].is_array() && v["propertyId"].is_array(), "{v}");
}

#[tokio::test]
async fn set_property_values_applies_all_or_none() {
    let app = spawn_app().await;
    order_with_master_data(&app, "O1").await;
    property(&app, json!({"name": "Batch Size", "dataType": "INTEGER"})).await;
    property(&app, json!({"name": "Color", "dataType": "STRING", "options": "Red,Green"})).await;
    let (status, body) = app
        .call(PO, "setPropertyValues", json!(["O1", {"Batch Size": 5, "Color": "Blue"}]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        app.ok(PO, "getProductionOrderPropertyValuesForOrder", json!(["O1"])).await,
        json!([])
    );
    let (status, _) = app.call(PO, "setPropertyValues", json!(["O1", {"Batch Size": 5, "Nope": 1}])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.ok(PO, "getProductionOrderPropertyValuesForOrder", json!(["O1"])).await,
        json!([])
    );
    let set = app
        .ok(
            PO,
            "setPropertyValues",
            json!({"productionOrderIdOrName": "O1", "values": {"Batch Size": 5, "color": "Green"}}),
        )
        .await;
    assert_eq!(set.as_array().unwrap().len(), 2);
    let order = app.ok(PO, "getProductionOrder", json!(["O1"])).await;
    let values = order["propertyValues"].as_array().unwrap();
    assert_eq!(values.len(), 2);
    assert_eq!(values[0]["propertyName"], "Batch Size");
    assert_eq!(values[1]["value"], "Green");
    assert_eq!(order["billOfMaterials"], json!([]));
}

#[tokio::test]
async fn deletes_refuse_while_values_exist_and_delete_with_references_removes_everything() {
    let app = spawn_app().await;
    let order = order_with_master_data(&app, "O1").await;
    property(&app, json!({"name": "Batch Size", "dataType": "INTEGER"})).await;
    let value = app.ok(PO, "setPropertyValue", json!(["O1", "Batch Size", 7])).await;

    let refused = app.ok(PO, "deleteProductionOrderProperty", json!(["Batch Size"])).await;
    assert_eq!(refused["success"], false);
    assert_eq!(refused["data"][0]["tableName"], "production_order_property_values");
    let refused = app.ok(PO, "deleteProductionOrder", json!(["O1"])).await;
    assert_eq!(refused["success"], false, "{refused}");
    let refs = app.ok(PO, "getProductionOrderReferences", json!(["O1"])).await;
    assert_eq!(refs[0]["references"][0]["id"], value["id"]);

    let deleted = app.ok(PO, "deleteProductionOrderWithReferences", json!(["O1"])).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert!(app.ok(PO, "getProductionOrder", json!([order["id"]])).await.is_null());
    assert!(app.ok(PO, "getProductionOrderPropertyValue", json!([value["id"]])).await.is_null());
    let deleted = app.ok(PO, "deleteProductionOrderProperty", json!(["Batch Size"])).await;
    assert_eq!(deleted["success"], true);
    let history = app.ok(PO, "getProductionOrderHistory", json!([order["id"]])).await;
    let actions: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["entity"].as_str().unwrap().to_string(), e["action"].as_str().unwrap().to_string()))
        .collect();
    assert!(
        actions.contains(&("ProductionOrderPropertyValue".into(), "CREATE".into())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("ProductionOrderPropertyValue".into(), "DELETE".into())),
        "{actions:?}"
    );
    assert_eq!(actions.last().unwrap(), &("ProductionOrder".to_string(), "DELETE".to_string()));
}

#[tokio::test]
async fn values_of_closed_orders_are_read_only() {
    let app = spawn_app().await;
    order_with_master_data(&app, "O1").await;
    property(&app, json!({"name": "Batch Size", "dataType": "INTEGER"})).await;
    app.ok(PO, "cancelProductionOrder", json!(["O1"])).await;
    let (status, body) = app.call(PO, "setPropertyValue", json!(["O1", "Batch Size", 7])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_errors(&body)["productionOrderId"].is_array(), "{body}");
}

#[tokio::test]
async fn the_data_type_of_a_used_property_cannot_change() {
    let app = spawn_app().await;
    order_with_master_data(&app, "O1").await;
    let p = property(&app, json!({"name": "Batch Size", "dataType": "INTEGER"})).await;
    app.ok(PO, "setPropertyValue", json!(["O1", "Batch Size", 7])).await;
    let (status, body) = app
        .call(PO, "saveProductionOrderProperty", json!({"id": p["id"], "dataType": "STRING"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_errors(&body)["dataType"].is_array());
}

#[tokio::test]
async fn property_values_have_rest_resources() {
    let app = spawn_app().await;
    order_with_master_data(&app, "O1").await;
    let (status, _) = app
        .post(
            "/api/v1/production-order-properties",
            json!({"name": "Batch Size", "dataType": "INTEGER"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let resp = app
        .client
        .put(format!("{}/api/v1/production-orders/O1/property-values", app.address))
        .json(&json!({"Batch Size": 12}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, values) = app.get("/api/v1/production-orders/O1/property-values").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(values[0]["value"], 12);
    let resp = app
        .client
        .put(format!("{}/api/v1/production-orders/O1/property-values/batch%20size", app.address))
        .json(&json!({"value": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (status, value) = app.get("/api/v1/production-orders/O1/property-values/Batch%20Size").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(value["value"], 12);
    let (status, _) = app.get("/api/v1/production-orders/nope/property-values").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// (order name, Batch Size, Recipe, Best Before in ms); `None` where the order has no value.
type Row = (String, Option<i64>, Option<String>, Option<i64>);
type Predicate = Box<dyn Fn(&Row) -> bool>;

/// A tiny deterministic generator, so failures reproduce.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn property_filters_and_sorts_match_a_brute_force_computation() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    property(&app, json!({"name": "Batch Size", "dataType": "INTEGER", "nullable": true})).await;
    property(&app, json!({"name": "Recipe", "dataType": "STRING", "nullable": true})).await;
    property(&app, json!({"name": "Best Before", "dataType": "DATETIME", "nullable": true})).await;
    let mut rng = Lcg(7);
    // name → (batch, recipe, best-before ms), None where no value row exists.
    let mut expected: Vec<Row> = Vec::new();
    let mut ids = std::collections::HashMap::new();
    for i in 0..200 {
        let name = format!("P{i:03}");
        let order = app.order(&name, &unit, &material).await;
        ids.insert(name.clone(), order["id"].as_str().unwrap().to_string());
        let batch = (rng.next(4) != 0).then(|| rng.next(500) as i64);
        let recipe = (rng.next(4) != 0).then(|| ["Alpha", "beta", "Gamma_1", "delta%"][rng.next(4) as usize].to_string());
        let best = (rng.next(3) != 0).then(|| 1_700_000_000_000 + rng.next(100) as i64 * 86_400_000);
        let mut values = serde_json::Map::new();
        if let Some(b) = batch {
            values.insert("Batch Size".into(), json!(b));
        }
        if let Some(r) = &recipe {
            values.insert("Recipe".into(), json!(r));
        }
        if let Some(t) = best {
            values.insert("Best Before".into(), json!(t));
        }
        if !values.is_empty() {
            app.ok(PO, "setPropertyValues", json!([name, values])).await;
        }
        expected.push((name, batch, recipe, best));
    }
    let names = |body: &Value| -> Vec<String> {
        body["content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_string())
            .collect()
    };

    let cases: Vec<(Value, Predicate)> = vec![
        (
            json!({"field": "property:Batch Size", "condition": "GREATER_THAN", "numberValue": 100}),
            Box::new(|r: &Row| r.1.is_some_and(|b| b > 100)),
        ),
        (
            json!({"field": "property:batch size", "condition": "BETWEEN", "minNumberValue": 50, "maxNumberValue": 60}),
            Box::new(|r: &Row| r.1.is_some_and(|b| (50..=60).contains(&b))),
        ),
        (
            json!({"field": "property:Batch Size", "condition": "IS_NULL"}),
            Box::new(|r: &Row| r.1.is_none()),
        ),
        (
            json!({"field": "property:Recipe", "condition": "EQUALS", "stringValue": "ALPHA"}),
            Box::new(|r: &Row| r.2.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("alpha"))),
        ),
        (
            json!({"field": "property:Recipe", "condition": "CONTAINS", "stringValue": "_"}),
            Box::new(|r: &Row| r.2.as_deref().is_some_and(|s| s.contains('_'))),
        ),
        (
            json!({"field": "property:Recipe", "condition": "NOT_EQUALS", "stringValue": "beta"}),
            Box::new(|r: &Row| r.2.as_deref() != Some("beta")),
        ),
        (
            json!({"field": "property:Best Before", "condition": "LESS_THAN", "dateValue": 1_700_000_000_000_i64 + 10 * 86_400_000}),
            Box::new(|r: &Row| r.3.is_some_and(|t| t < 1_700_000_000_000 + 10 * 86_400_000)),
        ),
    ];
    for (filter, predicate) in cases {
        let got = app
            .ok(
                PO,
                "findProductionOrders",
                json!({"filters": [filter.clone()], "sortFields": ["name"]}),
            )
            .await;
        let mut want: Vec<String> = expected.iter().filter(|r| predicate(r)).map(|r| r.0.clone()).collect();
        want.sort();
        assert_eq!(names(&got), want, "filter {filter}");
        assert_eq!(got["totalElements"], want.len(), "filter {filter}");
    }
    // Sort by a numeric property, nulls first ascending, ties by id.
    let got = app
        .ok(
            PO,
            "findProductionOrders",
            json!({"sortFields": ["property:Batch Size"], "sortDirections": ["asc"]}),
        )
        .await;
    let mut want = expected.clone();
    want.sort_by(|a, b| a.1.cmp(&b.1).then(ids[&a.0].cmp(&ids[&b.0])));
    assert_eq!(names(&got), want.iter().map(|r| r.0.clone()).collect::<Vec<_>>());
    // Descending, paged: nulls last, ties by id descending.
    let got = app
        .ok(
            PO,
            "findProductionOrders",
            json!({"sortFields": ["property:Batch Size"], "sortDirections": ["desc"], "pageSize": 30, "pageIndex": 1}),
        )
        .await;
    want.sort_by(|a, b| b.1.cmp(&a.1).then(ids[&b.0].cmp(&ids[&a.0])));
    assert_eq!(names(&got), want.iter().skip(30).take(30).map(|r| r.0.clone()).collect::<Vec<_>>());
    assert_eq!(got["totalElements"], 200);
    // An unknown property is a validation error naming the filter.
    let (status, body) = app
        .call(
            PO,
            "findProductionOrders",
            json!({"filters": [{"field": "property:Nope", "condition": "IS_NULL"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_errors(&body)["filters[0].field"].is_array(), "{body}");
}
