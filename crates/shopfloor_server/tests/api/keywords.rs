//! Keyword names as the original scripting API documents them (`getLocation(idOrPath=…)`,
//! `convert(amount, from=…, to=…)`) bind alongside Shopfloor's own names.

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn every_documented_keyword_binds_to_its_parameter() {
    let app = spawn_app().await;
    let (_, listing) = app.get("/api/v1/script").await;
    let mut checked = 0;
    for module in listing["modules"].as_array().unwrap() {
        for f in module["functions"].as_array().unwrap() {
            let (module, name) = (f["module"].as_str().unwrap(), f["name"].as_str().unwrap());
            for p in f["params"].as_array().unwrap() {
                for alias in p["also"].as_array().unwrap() {
                    // An id nobody has: the call answers exactly as under the parameter's own name
                    // (a keyword that did not bind would be a 400 naming it).
                    let unknown = json!("01JAAAAAAAAAAAAAAAAAAAAAAA");
                    let canonical = app.call(module, name, json!({ p["name"].as_str().unwrap(): unknown })).await;
                    let by_alias = app.call(module, name, json!({ alias.as_str().unwrap(): unknown })).await;
                    assert_eq!(by_alias, canonical, "{module}.{name}({alias}=…) answers as by its own name");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} documented keywords listed");
    app.stop().await;
}

#[tokio::test]
async fn documented_keywords_find_the_same_records() {
    let app = spawn_app().await;
    let plant = app.location("Plant", None).await;
    let line = app.location("Line", Some(&plant)).await;
    let found = app.ok("location", "getLocation", json!({"idOrPath": "Plant/Line"})).await;
    assert_eq!(found["id"], line["id"]);
    let by_id = app.ok("location", "getLocation", json!({"id": line["id"]})).await;
    assert_eq!(by_id["id"], line["id"]);

    let um = "unitOfMeasure";
    app.ok(um, "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"})).await;
    app.ok(um, "saveUnitOfMeasure", json!({"name": "Gram", "symbol": "g"})).await;
    app.ok(
        um,
        "saveUnitOfMeasureConversion",
        json!({"fromId": app.ok(um, "getUnitOfMeasure", json!({"idOrName": "Kilogram"})).await["id"],
               "toId": app.ok(um, "getUnitOfMeasure", json!(["Gram"])).await["id"], "conversionFactor": 1000}),
    )
    .await;
    let grams = app.ok(um, "convert", json!({"amount": 2, "from": "Kilogram", "to": "Gram"})).await;
    assert_eq!(grams, json!(2000.0));
    app.stop().await;
}

#[tokio::test]
async fn one_argument_given_under_two_names_is_refused() {
    let app = spawn_app().await;
    let (status, body) = app
        .call("location", "getLocation", json!({"locationIdOrPath": "A", "idOrPath": "B"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("two values") && message.contains("locationIdOrPath"), "{message}");
    app.stop().await;
}
