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

/// The seed's update: a fresh `newProductionOrder()` with `id`, product, name, unit and quantity set.
async fn seed_update(app: &crate::helpers::TestApp, order: &Value, quantity: &str) -> (StatusCode, Value) {
    let mut update = app.ok("productionOrder", "newProductionOrder", json!([])).await;
    for key in ["id", "productId", "name", "unitOfMeasureId"] {
        update[key] = order[key].clone();
    }
    update["quantity"] = json!(quantity);
    app.call("productionOrder", "saveProductionOrder", update).await
}

/// An order with every optional key the seed's update does not set.
async fn planned_order(app: &crate::helpers::TestApp, name: &str) -> Value {
    let (unit, material) = app.master_data().await;
    let line = app.location("Line 1", None).await;
    let customer = app.ok("customer", "saveCustomer", json!({"name": "ACME"})).await;
    app.ok(
        "productionOrder",
        "saveProductionOrder",
        json!({"name": name, "productId": material, "unitOfMeasureId": unit, "quantity": 10,
               "dueDate": "2027-01-15T12:00:00Z", "customerId": customer["id"],
               "locationId": line["id"], "notes": "rush", "schedulePriority": "HIGH"}),
    )
    .await
}

fn assert_kept(after: &Value, before: &Value, keys: &[&str]) {
    for key in keys {
        assert_eq!(after[key], before[key], "{key} was kept");
        assert!(!after[key].is_null(), "{key} is set");
    }
}

#[tokio::test]
async fn the_seed_update_on_a_running_order_changes_only_what_it_set() {
    let app = spawn_app().await;
    let order = planned_order(&app, "Order003").await;
    app.ok("productionOrder", "startProductionOrder", json!(["Order003"])).await;
    app.ok("productionOrder", "reportProduction", json!(["Order003", 3])).await;
    let running = app.ok("productionOrder", "getProductionOrder", json!(["Order003"])).await;

    let (status, updated) = seed_update(&app, &order, "100").await;

    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["quantity"], json!(100.0));
    assert_eq!(updated["status"], "RUNNING", "IDLE in the template is no transition");
    assert_eq!(updated["quantityProduced"], json!(3.0), "0 in the template is no reset");
    let keys = ["startDate", "dueDate", "customerId", "locationId", "notes", "schedulePriority"];
    assert_kept(&updated, &running, &keys);
    app.stop().await;
}

#[tokio::test]
async fn the_seed_update_on_an_idle_order_keeps_what_it_did_not_set() {
    let app = spawn_app().await;
    let order = planned_order(&app, "Order004").await;

    let (status, updated) = seed_update(&app, &order, "250").await;

    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["quantity"], json!(250.0));
    assert_kept(
        &updated,
        &order,
        &["dueDate", "customerId", "locationId", "notes", "schedulePriority"],
    );
    // A key set to something else than its default is applied as usual.
    let mut update = app.ok("productionOrder", "newProductionOrder", json!([])).await;
    for key in ["id", "productId", "name", "unitOfMeasureId"] {
        update[key] = order[key].clone();
    }
    update["notes"] = json!("moved up");
    let noted = app.ok("productionOrder", "saveProductionOrder", update).await;
    assert_eq!(noted["notes"], "moved up");
    assert_eq!(noted["quantity"], json!(250.0), "the template's 0 did not reset the quantity");
    app.stop().await;
}

#[tokio::test]
async fn a_partial_or_round_trip_dict_keeps_its_exact_meaning() {
    let app = spawn_app().await;
    let order = planned_order(&app, "Order005").await;

    // Partial: only the keys given change; null clears.
    let partial = app
        .ok("productionOrder", "saveProductionOrder", json!({"id": order["id"], "notes": null}))
        .await;
    assert!(partial["notes"].is_null());
    assert_kept(&partial, &order, &["dueDate", "customerId", "locationId"]);

    // Round trip from getX: every key is meant as it stands, so null clears and defaults apply.
    let mut round_trip = app.ok("productionOrder", "getProductionOrder", json!(["Order005"])).await;
    round_trip["dueDate"] = json!(null);
    round_trip["schedulePriority"] = json!("NORMAL");
    let saved = app.ok("productionOrder", "saveProductionOrder", round_trip).await;
    assert!(saved["dueDate"].is_null(), "{saved}");
    assert_eq!(saved["schedulePriority"], "NORMAL");
    assert_kept(&saved, &order, &["customerId", "locationId"]);
    app.stop().await;
}

#[tokio::test]
async fn a_fresh_template_update_keeps_the_required_references_of_a_shift_record() {
    let app = spawn_app().await;
    let plant = app.location("Plant", None).await;
    let shift = app
        .ok("shift", "saveShift", json!({"name": "Early", "locationId": plant["id"]}))
        .await;
    let record = app
        .ok(
            "shift",
            "saveShiftRecord",
            json!({"shiftId": shift["id"], "locationId": plant["id"], "startDate": "2026-12-01T06:00:00Z"}),
        )
        .await;

    let mut update = app.ok("shift", "newShiftRecord", json!([])).await;
    update["id"] = record["id"].clone();
    update["notes"] = json!("short-handed");
    let (status, saved) = app.call("shift", "saveShiftRecord", update).await;

    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["notes"], "short-handed");
    assert_eq!(saved["shiftId"], shift["id"]);
    assert_eq!(saved["locationId"], plant["id"]);
    assert_eq!(saved["startDate"], record["startDate"]);
    app.stop().await;
}
