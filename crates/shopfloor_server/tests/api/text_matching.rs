//! How text is matched: conditions with characters no store can compare (NUL), and names that
//! only look different (Unicode normalisation, issue 22).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_text_condition_with_nul_is_refused_naming_the_operand() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    app.order("PO-1", &unit, &material).await;
    app.order("PO-2x", &unit, &material).await;
    for condition in ["ENDS_WITH", "STARTS_WITH", "CONTAINS", "EQUALS", "NOT_EQUALS"] {
        for field in ["name", "productName"] {
            let filter = json!({"field": field, "condition": condition, "stringValue": "\u{0}x"});
            let (status, body) = app
                .call("productionOrder", "findProductionOrders", json!({"filters": [filter]}))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{condition} on {field}: {body}");
            assert_eq!(body["error"]["code"], "validation", "{condition} on {field}");
            assert!(
                body["error"]["fields"]["filters[0].stringValue"].is_array(),
                "{condition} on {field}: the operand is not named in {body}"
            );
        }
    }
    let filter = json!({"field": "name", "condition": "IN", "stringListValue": ["PO-1", "a\u{0}"]});
    let (status, body) = app
        .call("productionOrder", "findProductionOrders", json!({"filters": [filter]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["filters[0].stringListValue[1]"].is_array(), "{body}");
    // Without the NUL the same condition matches as before.
    let filter = json!({"field": "name", "condition": "ENDS_WITH", "stringValue": "2x"});
    let found = app
        .ok("productionOrder", "findProductionOrders", json!({"filters": [filter]}))
        .await;
    let names: Vec<&str> = found["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["PO-2x"]);
    app.stop().await;
}

/// Names that only look different: (what the case shows, the name saved, the same name typed
/// another way).
const LOOK_ALIKES: [(&str, &str, &str); 8] = [
    ("composed and decomposed", "\u{C4}PFEL", "A\u{308}pfel"),
    ("fullwidth", "ABC-1", "\u{FF21}\u{FF22}\u{FF23}\u{FF0D}\u{FF11}"),
    ("zero-width space", "ZW-1", "Z\u{200B}W-1"),
    ("zero-width non-joiner", "ZW-2", "ZW\u{200C}-2"),
    ("zero-width joiner", "ZW-3", "\u{200D}zw-3"),
    ("word joiner", "ZW-4", "ZW-4\u{2060}"),
    ("byte-order mark", "ZW-5", "\u{FEFF}ZW-5"),
    ("soft hyphen", "ZW-6", "Z\u{AD}W-6"),
];

#[tokio::test]
async fn a_look_alike_name_is_a_duplicate_and_finds_the_record_which_keeps_its_typed_name() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    for (case, saved, typed) in LOOK_ALIKES {
        let order = app.order(saved, &unit, &material).await;
        assert_eq!(order["name"], saved, "{case}: the stored name is what was typed");

        let (status, body) = app
            .call(
                "productionOrder",
                "saveProductionOrder",
                json!({"name": typed, "productId": material, "unitOfMeasureId": unit}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{case}: {body}");
        let message = fields(&body)["name"][0].as_str().unwrap_or_default();
        assert!(message.contains("already exists"), "{case}: {body}");

        let found = app.get_order(typed).await;
        assert_eq!(found["id"], order["id"], "{case}: getProductionOrder({typed:?})");
        assert_eq!(found["name"], saved, "{case}");
        for condition in ["EQUALS", "STARTS_WITH", "CONTAINS", "ENDS_WITH"] {
            let filter = json!({"field": "name", "condition": condition, "stringValue": typed});
            let found = app
                .ok("productionOrder", "findProductionOrders", json!({"filters": [filter]}))
                .await;
            assert_eq!(found["totalElements"], 1, "{case}: {condition} {typed:?}: {found}");
            assert_eq!(found["content"][0]["id"], order["id"], "{case}: {condition}");
        }
        // A name of the master data alike, and a condition on a name reached through a reference.
        let unit_saved = app
            .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": saved, "symbol": "x"}))
            .await;
        let (status, body) = app
            .call("unitOfMeasure", "saveUnitOfMeasure", json!({"name": typed, "symbol": "y"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{case}: a unit: {body}");
        let got = app.ok("unitOfMeasure", "getUnitOfMeasure", json!([typed])).await;
        assert_eq!(got["id"], unit_saved["id"], "{case}: getUnitOfMeasure({typed:?})");
    }
    let filter = json!({"field": "productName", "condition": "EQUALS", "stringValue": "\u{FF37}idget"});
    let found = app
        .ok("productionOrder", "findProductionOrders", json!({"filters": [filter]}))
        .await;
    assert_eq!(found["totalElements"], LOOK_ALIKES.len(), "productName in fullwidth: {found}");
    app.stop().await;
}

#[tokio::test]
async fn paths_and_import_natural_keys_find_names_typed_in_another_form() {
    let app = spawn_app().await;
    let unit = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Kg", "symbol": "kg"}))
        .await;
    let class = app.ok("material", "saveMaterialClass", json!({"name": "Obst"})).await;
    let material = app
        .ok(
            "material",
            "saveMaterial",
            json!({"name": "\u{C4}pfel", "materialClassId": class["id"], "unitOfMeasureId": unit["id"]}),
        )
        .await;
    let hall = app.location("Halle 1", None).await;
    let line = app.location("Linie\u{2060}A", Some(&hall)).await;
    let customer = app.ok("customer", "saveCustomer", json!({"name": "M\u{FC}ller GmbH"})).await;

    let got = app.ok("location", "getLocation", json!(["HALLE\u{200B} 1/\u{FF2C}inieA"])).await;
    assert_eq!(got["id"], line["id"], "a path typed in another form: {got}");
    assert_eq!(got["path"], "Halle 1/Linie\u{2060}A", "the stored path is what was typed");
    let got = app.ok("material", "getMaterial", json!(["OBST/A\u{308}PFEL"])).await;
    assert_eq!(got["id"], material["id"], "{got}");

    let row = json!({
        "name": "PO-IMPORT-1",
        "productPath": "obst/A\u{308}PFEL",
        "unitOfMeasureName": "\u{FF2B}\u{FF27}",
        "locationPath": "halle 1/LINIE\u{200D}A",
        "customerName": "MU\u{308}LLER\u{AD} GMBH",
        "quantity": 3
    });
    let report = crate::import_export::import(&app, json!([row]), false).await;
    assert_eq!(crate::import_export::statuses(&report), ["created"], "{report}");
    let order = app.get_order("PO-IMPORT-1").await;
    assert_eq!(order["productId"], material["id"], "{order}");
    assert_eq!(order["unitOfMeasureId"], unit["id"], "{order}");
    assert_eq!(order["locationId"], line["id"], "{order}");
    assert_eq!(order["customerId"], customer["id"], "{order}");
    app.stop().await;
}
