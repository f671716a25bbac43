//! The seed document's example, over HTTP: new → save → save with `id` and `quantity: "100"`.

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn is_dashed_ulid(v: &Value) -> bool {
    let s = v.as_str().unwrap_or_default();
    s.len() == 28
        && s.as_bytes()[10] == b'-'
        && s.as_bytes()[19] == b'-'
        && s.chars().all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase())
}

#[tokio::test]
async fn the_seed_example_creates_and_updates_an_order() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;

    // new_production_order = system.mes.productionOrder.newProductionOrder()
    let mut new_order = app.ok("productionOrder", "newProductionOrder", json!(null)).await;
    new_order["productId"] = json!(material);
    new_order["name"] = json!("Order002");
    new_order["unitOfMeasureId"] = json!(unit);
    let saved = app.ok("productionOrder", "saveProductionOrder", new_order).await;

    assert!(is_dashed_ulid(&saved["id"]), "id {}", saved["id"]);
    assert_eq!(saved["name"], "Order002");
    assert_eq!(saved["productId"], json!(material));
    assert_eq!(saved["unitOfMeasureId"], json!(unit));
    assert_eq!(saved["status"], "IDLE");
    assert_eq!(saved["schedulePriority"], "NORMAL");
    for q in ["quantity", "quantityProduced", "quantityScheduled"] {
        assert_eq!(saved[q], json!(0.0), "{q}");
    }
    assert_eq!(saved["enabled"], true);
    assert_eq!(saved["createdBy"], "admin");
    assert!(
        saved["createdDate"].as_str().is_some_and(|d| d.ends_with('Z')),
        "createdDate {}",
        saved["createdDate"]
    );
    assert!(saved["modifiedDate"].is_null());
    assert!(saved["modifiedBy"].is_null());
    assert_eq!(saved["version"], 1);
    for nullable in [
        "customerId",
        "locationId",
        "startDate",
        "endDate",
        "dueDate",
        "shiftRecordId",
        "notes",
        "spare1",
        "spare2",
        "spare3",
    ] {
        assert!(saved[nullable].is_null(), "{nullable} should be null");
    }
    assert_eq!(saved["productName"], "Widget");
    assert_eq!(saved["unitOfMeasureSymbol"], "ea");

    // production_order_data = newProductionOrder(); set id, productId, name, unit, quantity = '100'
    let mut update = app.ok("productionOrder", "newProductionOrder", json!([])).await;
    update["id"] = saved["id"].clone();
    update["productId"] = json!(material);
    update["name"] = json!("Order002");
    update["unitOfMeasureId"] = json!(unit);
    update["quantity"] = json!("100");
    let updated = app.ok("productionOrder", "saveProductionOrder", update).await;

    assert_eq!(updated["id"], saved["id"]);
    assert_eq!(updated["quantity"], json!(100.0));
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["createdDate"], saved["createdDate"]);
    assert_eq!(updated["createdBy"], "admin");
    assert!(updated["modifiedDate"].as_str().is_some_and(|d| d.ends_with('Z')));
    assert_eq!(updated["modifiedBy"], "admin");
    assert_eq!(updated["status"], "IDLE");

    let (status, fetched) = app.call("productionOrder", "getProductionOrder", json!(["order002"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched["quantity"], json!(100.0));
    app.stop().await;
}
