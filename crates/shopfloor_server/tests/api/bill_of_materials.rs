//! Bill-of-materials items (SPEC §2.4): derived fields, positions, swaps, refusals.

use crate::helpers::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PO: &str = "productionOrder";

/// An order of 10 (unit `Each`) for product `Widget`, and input materials `M0..M{n}`.
async fn order_and_materials(app: &TestApp, n: usize) -> (Value, Vec<Value>) {
    let (unit, product) = app.master_data().await;
    let order = app
        .ok(
            PO,
            "saveProductionOrder",
            json!({"name": "O1", "productId": product, "unitOfMeasureId": unit, "quantity": 10}),
        )
        .await;
    let raw = app
        .ok(
            "material",
            "saveMaterialClass",
            json!({"name": "RAW", "description": "raw materials"}),
        )
        .await;
    let kg = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"}))
        .await;
    let mut materials = Vec::new();
    for i in 0..n {
        materials.push(app.ok("material", "saveMaterial", json!({"name": format!("M{i}"), "description": format!("input {i}"), "materialClassId": raw["id"], "unitOfMeasureId": kg["id"]})).await);
    }
    (order, materials)
}

async fn item(app: &TestApp, order: &Value, material: &Value, per: f64) -> Value {
    app.ok(
        PO,
        "saveBillOfMaterialsItem",
        json!({"productionOrderId": order["id"], "materialId": material["id"], "quantityPerProducedUnit": per}),
    )
    .await
}

async fn positions(app: &TestApp) -> Vec<(String, i64)> {
    let items = app.ok(PO, "getBillOfMaterialsForOrder", json!(["O1"])).await;
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["materialName"].as_str().unwrap().to_string(), i["position"].as_i64().unwrap()))
        .collect()
}

fn assert_dense(positions: &[(String, i64)]) {
    let got: Vec<i64> = positions.iter().map(|p| p.1).collect();
    let want: Vec<i64> = (1..=positions.len() as i64).collect();
    assert_eq!(got, want, "positions must be 1..n in order: {positions:?}");
}

#[tokio::test]
async fn an_item_derives_product_order_quantity_unit_and_position() {
    let app = spawn_app().await;
    let (order, m) = order_and_materials(&app, 2).await;
    let first = item(&app, &order, &m[0], 2.5).await;
    assert_eq!(first["productId"], order["productId"]);
    assert_eq!(first["quantityOrder"], json!(25.0));
    assert_eq!(first["unitOfMeasureSymbol"], "kg");
    assert_eq!(first["position"], 1);
    assert_eq!(first["materialType"], "COMPONENT");
    let second = item(&app, &order, &m[1], 1.0).await;
    assert_eq!(second["position"], 2);
    let explicit = app
        .ok(PO, "saveBillOfMaterialsItem", json!({"id": second["id"], "quantityOrder": 99}))
        .await;
    assert_eq!(explicit["quantityOrder"], json!(99.0));
    let flat = app.ok(PO, "getBillOfMaterialsForOrderFlattened", json!(["O1"])).await;
    assert_eq!(flat[0]["materialName"], "M0");
    assert_eq!(flat[0]["materialDescription"], "input 0");
    assert_eq!(flat[0]["materialClassName"], "RAW");
    assert_eq!(flat[0]["materialClassDescription"], "raw materials");
    assert_eq!(flat[0]["productName"], "Widget");
    assert_eq!(flat[0]["unitOfMeasureSymbol"], "kg");
    assert_eq!(flat[0]["productionOrderName"], "O1");
    assert_eq!(flat[0]["subs"], json!([]));
    assert_eq!(
        app.ok(PO, "getBillOfMaterialsFor", json!(["O1", "RAW/M1"])).await["id"],
        second["id"]
    );
    assert!(app.ok(PO, "getBillOfMaterialsFor", json!(["O1", "RAW/none"])).await.is_null());
    let order = app.ok(PO, "getProductionOrder", json!(["O1"])).await;
    assert_eq!(order["billOfMaterials"].as_array().unwrap().len(), 2);
    let history = app.ok(PO, "getProductionOrderHistory", json!(["O1"])).await;
    assert!(history
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["entity"] == "BillOfMaterialsItem" && e["action"] == "CREATE" && e["entityId"] == first["id"]));
}

#[tokio::test]
async fn bad_items_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let (order, m) = order_and_materials(&app, 2).await;
    item(&app, &order, &m[0], 1.0).await;
    let cases = [
        (
            "a product other than the order's",
            json!({"productionOrderId": order["id"], "materialId": m[1]["id"], "productId": m[0]["id"]}),
            "productId",
        ),
        (
            "the same material twice",
            json!({"productionOrderId": order["id"], "materialId": m[0]["id"]}),
            "materialId",
        ),
        (
            "a negative quantity",
            json!({"productionOrderId": order["id"], "materialId": m[1]["id"], "quantityPerProducedUnit": -1}),
            "quantityPerProducedUnit",
        ),
        (
            "a NaN quantity",
            json!({"productionOrderId": order["id"], "materialId": m[1]["id"], "quantityOrder": "NaN"}),
            "quantityOrder",
        ),
        (
            "a position past the end",
            json!({"productionOrderId": order["id"], "materialId": m[1]["id"], "position": 5}),
            "position",
        ),
        (
            "an unknown order",
            json!({"productionOrderId": "01JCH3ENGW-82KJDZDR-JHGYCXQN", "materialId": m[1]["id"]}),
            "productionOrderId",
        ),
        (
            "an unknown material type",
            json!({"productionOrderId": order["id"], "materialId": m[1]["id"], "materialType": "WASTE"}),
            "materialType",
        ),
    ];
    for (what, data, field) in cases {
        let (status, body) = app.call(PO, "saveBillOfMaterialsItem", data).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert!(body["error"]["fields"][field].is_array(), "{what}: {body}");
    }
    assert_eq!(positions(&app).await, vec![("M0".to_string(), 1)]);
}

#[tokio::test]
async fn inserting_moving_and_deleting_keeps_positions_dense() {
    let app = spawn_app().await;
    let (order, m) = order_and_materials(&app, 5).await;
    let mut ids = Vec::new();
    for material in &m[..4] {
        ids.push(item(&app, &order, material, 1.0).await["id"].clone());
    }
    // Insert M4 at position 2: M0 M4 M1 M2 M3.
    app.ok(
        PO,
        "saveBillOfMaterialsItem",
        json!({"productionOrderId": order["id"], "materialId": m[4]["id"], "position": 2}),
    )
    .await;
    let names: Vec<String> = positions(&app).await.into_iter().map(|p| p.0).collect();
    assert_eq!(names, ["M0", "M4", "M1", "M2", "M3"]);
    // Move M3 to the front: M3 M0 M4 M1 M2.
    app.ok(PO, "saveBillOfMaterialsItem", json!({"id": ids[3], "position": 1})).await;
    let p = positions(&app).await;
    assert_dense(&p);
    assert_eq!(p.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["M3", "M0", "M4", "M1", "M2"]);
    // Move M0 to the end: M3 M4 M1 M2 M0.
    app.ok(PO, "saveBillOfMaterialsItem", json!({"id": ids[0], "position": 5})).await;
    let p = positions(&app).await;
    assert_eq!(p.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["M3", "M4", "M1", "M2", "M0"]);
    // Delete M1: M3 M4 M2 M0.
    let deleted = app.ok(PO, "deleteBillOfMaterialsItem", json!([ids[1]])).await;
    assert_eq!(deleted["success"], true);
    let p = positions(&app).await;
    assert_dense(&p);
    assert_eq!(p.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["M3", "M4", "M2", "M0"]);
    // Swap the first and the last.
    let swapped = app.ok(PO, "swapBillOfMaterialsPositions", json!([ids[3], ids[0]])).await;
    assert_eq!(swapped["success"], true);
    let p = positions(&app).await;
    assert_eq!(p.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["M0", "M4", "M2", "M3"]);
    // Delete the whole bill of materials.
    let all = app.ok(PO, "deleteBillOfMaterialsForOrder", json!(["O1"])).await;
    assert_eq!(all["success"], true);
    assert_eq!(positions(&app).await, vec![]);
    assert_eq!(app.ok(PO, "deleteProductionOrder", json!(["O1"])).await["success"], true);
}

#[tokio::test]
async fn swapping_items_of_two_orders_is_refused() {
    let app = spawn_app().await;
    let (order, m) = order_and_materials(&app, 1).await;
    let other = app
        .ok(
            PO,
            "saveProductionOrder",
            json!({"name": "O2", "productId": order["productId"], "unitOfMeasureId": order["unitOfMeasureId"]}),
        )
        .await;
    let a = item(&app, &order, &m[0], 1.0).await;
    let b = item(&app, &other, &m[0], 1.0).await;
    let (status, body) = app.call(PO, "swapBillOfMaterialsPositions", json!([a["id"], b["id"]])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.ok(PO, "getBillOfMaterialsItem", json!([a["id"]])).await["version"], 1);
}

#[tokio::test]
async fn an_order_with_items_is_deleted_only_with_its_references() {
    let app = spawn_app().await;
    let (order, m) = order_and_materials(&app, 1).await;
    item(&app, &order, &m[0], 1.0).await;
    let refused = app.ok(PO, "deleteProductionOrder", json!(["O1"])).await;
    assert_eq!(refused["success"], false);
    assert_eq!(refused["data"][0]["tableName"], "bill_of_materials_items");
    let (status, body) = app.send_delete("/api/v1/production-orders/O1").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "in_use");
    let refused = app.ok("material", "deleteMaterial", json!([m[0]["id"]])).await;
    assert_eq!(refused["success"], false);
    assert_eq!(
        app.ok(PO, "deleteProductionOrderWithReferences", json!(["O1"])).await["success"],
        true
    );
    assert!(app.ok(PO, "getProductionOrder", json!(["O1"])).await.is_null());
}

#[tokio::test]
async fn bill_of_materials_has_rest_resources() {
    let app = spawn_app().await;
    let (_, m) = order_and_materials(&app, 2).await;
    let (status, first) = app
        .post(
            "/api/v1/production-orders/O1/bill-of-materials",
            json!({"materialId": m[0]["id"], "quantityPerProducedUnit": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (_, second) = app
        .post("/api/v1/production-orders/O1/bill-of-materials", json!({"materialId": m[1]["id"]}))
        .await;
    let (status, _) = app
        .post(
            "/api/v1/production-orders/O1/bill-of-materials/swap",
            json!({"billOfMaterialsId1": first["id"], "billOfMaterialsId2": second["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, items) = app.get("/api/v1/production-orders/O1/bill-of-materials").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(items[0]["id"], second["id"]);
    let (status, flat) = app.get("/api/v1/production-orders/O1/bill-of-materials/flattened").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(flat[1]["materialName"], "M0");
}

#[tokio::test]
async fn concurrent_swaps_keep_positions_dense_and_unique() {
    let app = spawn_app().await;
    let (order, m) = order_and_materials(&app, 6).await;
    let mut ids = Vec::new();
    for material in &m {
        ids.push(item(&app, &order, material, 1.0).await["id"].as_str().unwrap().to_string());
    }
    let mut clients = Vec::new();
    for c in 0..8usize {
        let (address, ids, http) = (app.address.clone(), ids.clone(), app.client.clone());
        clients.push(tokio::spawn(async move {
            for k in 0..25usize {
                let a = &ids[(c + k) % ids.len()];
                let b = &ids[(c * 7 + k * 3 + 1) % ids.len()];
                let resp = http
                    .post(format!("{address}/api/v1/script/productionOrder/swapBillOfMaterialsPositions"))
                    .json(&json!([a, b]))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::OK);
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
    let p = positions(&app).await;
    assert_eq!(p.len(), 6);
    assert_dense(&p);
}
