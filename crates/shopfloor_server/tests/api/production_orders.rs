//! Every `productionOrder` script function that exists in the catalogue, over HTTP: templates,
//! create/merge-update semantics, aliases, validation, lookups, listing, references, delete,
//! optimistic concurrency, derived names, the location/status listing, permissions and history.

use crate::helpers::{fields, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PO: &str = "productionOrder";

/// Saves an order from a full data object; expects 200.
async fn save(app: &TestApp, data: Value) -> Value {
    app.ok(PO, "saveProductionOrder", data).await
}

/// A shift record that is ACTIVE at a fresh location: (location, shift record).
async fn active_shift_record(app: &TestApp, location: &str) -> (Value, Value) {
    let loc = app.location(location, None).await;
    let shift = app.ok("shift", "saveShift", json!({"name": "Day", "locationId": loc["id"]})).await;
    let record = app.ok("shift", "startShift", json!([shift["id"]])).await;
    (loc, record)
}

#[tokio::test]
async fn new_production_order_returns_every_input_key_with_the_seed_defaults_and_no_read_only_keys() {
    let app = spawn_app().await;

    let t = app.ok(PO, "newProductionOrder", json!(null)).await;

    let keys: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "id",
        "name",
        "productId",
        "customerId",
        "locationId",
        "status",
        "schedulePriority",
        "quantity",
        "quantityProduced",
        "quantityScheduled",
        "startDate",
        "endDate",
        "dueDate",
        "unitOfMeasureId",
        "shiftRecordId",
        "enabled",
        "notes",
        "spare1",
        "spare2",
        "spare3",
    ] {
        assert!(keys.contains(&k), "template lacks {k}: {t}");
    }
    for k in ["createdDate", "createdBy", "modifiedDate", "modifiedBy", "version", "productName"] {
        assert!(t.get(k).is_none(), "template has read-only key {k}");
    }
    assert_eq!(t["status"], "IDLE");
    assert_eq!(t["schedulePriority"], "NORMAL");
    assert_eq!(t["quantity"], json!(0.0));
    assert_eq!(t["enabled"], true);
    assert!(t["id"].is_null() && t["name"].is_null());
    // Templates write nothing.
    assert!(app.all_orders().await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn saving_with_an_unknown_id_creates_the_order_under_that_id() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let id = "01JCH3ENGW-82KJDZDR-JHGYCXQN";

    let saved = save(
        &app,
        json!({"id": id.to_lowercase().replace('-', ""), "name": "O1", "productId": material, "unitOfMeasureId": unit}),
    )
    .await;

    assert_eq!(saved["id"], id, "the id comes back in the canonical dashed upper-case form");
    assert_eq!(saved["version"], 1);
    assert_eq!(app.get_order(id).await["name"], "O1");
    app.stop().await;
}

#[tokio::test]
async fn an_update_replaces_keys_present_and_keeps_keys_absent() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let created = save(
        &app,
        json!({"name": "O1", "productId": material, "unitOfMeasureId": unit, "notes": "keep me", "quantity": 5,
               "dueDate": "2025-06-01T12:00:00Z", "spare1": "s1", "schedulePriority": "high"}),
    )
    .await;

    let updated = save(&app, json!({"id": created["id"], "quantity": 7.5})).await;

    assert_eq!(updated["quantity"], json!(7.5));
    assert_eq!(updated["notes"], "keep me");
    assert_eq!(updated["dueDate"], "2025-06-01T12:00:00.000Z");
    assert_eq!(updated["spare1"], "s1");
    assert_eq!(updated["schedulePriority"], "HIGH");
    assert_eq!(updated["name"], "O1");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["createdDate"], created["createdDate"]);
    app.stop().await;
}

#[tokio::test]
async fn an_explicit_null_clears_a_nullable_field_but_not_a_required_one() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let created = save(
        &app,
        json!({"name": "O1", "productId": material, "unitOfMeasureId": unit, "notes": "n", "dueDate": 1_700_000_000_000i64}),
    )
    .await;
    assert_eq!(created["dueDate"], "2023-11-14T22:13:20.000Z", "epoch milliseconds are accepted");

    let cleared = save(&app, json!({"id": created["id"], "notes": null, "dueDate": null})).await;
    assert!(cleared["notes"].is_null());
    assert!(cleared["dueDate"].is_null());
    assert_eq!(cleared["version"], 2);

    let (status, body) = app
        .call(PO, "saveProductionOrder", json!({"id": created["id"], "productId": null}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "validation");
    assert!(fields(&body)["productId"][0].as_str().unwrap().contains("required"), "{body}");
    assert_eq!(app.get_order("O1").await["productId"], json!(material));
    app.stop().await;
}

#[tokio::test]
async fn the_documented_aliases_mean_the_canonical_keys() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let (_, record) = active_shift_record(&app, "Plant").await;

    let a = save(
        &app,
        json!({"name": "A", "productMaterialId": material, "unitOfMeasureId": unit, "scheduleShiftRecordId": record["id"]}),
    )
    .await;
    let b = save(
        &app,
        json!({"name": "B", "productId": material, "unitOfMeasureId": unit, "scheduleShiftId": record["id"]}),
    )
    .await;

    assert_eq!(a["productId"], json!(material));
    assert_eq!(a["shiftRecordId"], record["id"]);
    assert_eq!(b["shiftRecordId"], record["id"]);
    for k in ["productMaterialId", "scheduleShiftRecordId", "scheduleShiftId"] {
        assert!(a.get(k).is_none(), "output uses canonical keys, not {k}");
    }
    // The alias also works on update, and an explicit null through it clears.
    let cleared = save(&app, json!({"id": a["id"], "scheduleShiftRecordId": null})).await;
    assert!(cleared["shiftRecordId"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn validate_returns_an_empty_map_when_valid_and_the_field_map_otherwise_and_writes_nothing() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let existing = app.order("O1", &unit, &material).await;

    let ok = app
        .ok(
            PO,
            "validateProductionOrder",
            json!({"name": "O2", "productId": material, "unitOfMeasureId": unit}),
        )
        .await;
    assert_eq!(ok, json!({}));

    let bad = app
        .ok(PO, "validateProductionOrder", json!({"name": "o1", "quantity": -1, "quantitty": 3}))
        .await;
    for f in ["name", "quantity", "quantitty", "productId", "unitOfMeasureId"] {
        assert!(bad[f].is_array() && !bad[f].as_array().unwrap().is_empty(), "{f} missing in {bad}");
    }

    let update = app
        .ok(PO, "validateProductionOrder", json!({"id": existing["id"], "notes": "x"}))
        .await;
    assert_eq!(update, json!({}));

    let orders = app.all_orders().await;
    assert_eq!(orders.len(), 1, "validate created nothing");
    assert_eq!(orders[0]["version"], 1, "validate updated nothing");
    assert!(orders[0]["notes"].is_null());
    assert_eq!(app.history("O1").await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_save_that_fails_validation_reports_the_same_map_as_validate() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let data = json!({"name": "O1", "productId": material, "unitOfMeasureId": unit, "quantity": "lots", "dueDate": "soon"});

    let validated = app.ok(PO, "validateProductionOrder", data.clone()).await;
    let (status, body) = app.call(PO, "saveProductionOrder", data).await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), &validated);
    assert!(app.all_orders().await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn get_finds_an_order_by_dashed_id_plain_lower_case_id_and_name_in_any_case() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let order = app.order("Order-Mixed", &unit, &material).await;
    let id = order["id"].as_str().unwrap().to_string();
    let plain_lower = id.replace('-', "").to_lowercase();

    for key in [
        id.as_str(),
        plain_lower.as_str(),
        "Order-Mixed",
        "order-mixed",
        "ORDER-MIXED",
        "  order-mixed ",
    ] {
        let found = app.get_order(key).await;
        assert_eq!(found["id"], order["id"], "lookup by {key:?}");
    }
    assert!(app.get_order("no-such-order").await.is_null());
    assert!(app.get_order("01JCH3ENGW-82KJDZDR-JHGYCXQN").await.is_null());
    // Keyword form of the same call.
    let kw = app
        .ok(PO, "getProductionOrder", json!({"productionOrderIdOrName": "order-mixed"}))
        .await;
    assert_eq!(kw["id"], order["id"]);
    app.stop().await;
}

#[tokio::test]
async fn get_all_lists_every_order_by_name_and_find_returns_a_query_result() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    for (name, q) in [("C", 3), ("A", 1), ("B", 2)] {
        save(
            &app,
            json!({"name": name, "productId": material, "unitOfMeasureId": unit, "quantity": q}),
        )
        .await;
    }

    let names: Vec<Value> = app.all_orders().await.iter().map(|o| o["name"].clone()).collect();
    assert_eq!(names, vec![json!("A"), json!("B"), json!("C")]);

    let found = app
        .ok(
            PO,
            "findProductionOrders",
            json!({"filters": [{"field": "quantity", "condition": "GREATER_THAN", "numberValue": 1}],
                   "sortFields": ["quantity"], "sortDirections": ["Descending"]}),
        )
        .await;
    let names: Vec<Value> = found["content"].as_array().unwrap().iter().map(|o| o["name"].clone()).collect();
    assert_eq!(names, vec![json!("C"), json!("B")]);
    assert_eq!(found["totalElements"], 2);
    assert_eq!(found["totalPages"], 1);
    assert_eq!(found["isLast"], true);

    let paged = app
        .ok(
            PO,
            "findProductionOrders",
            json!({"pageSize": 2, "pageIndex": 1, "sortFields": ["name"]}),
        )
        .await;
    assert_eq!(paged["content"].as_array().unwrap().len(), 1);
    assert_eq!(paged["content"][0]["name"], "C");
    assert_eq!(paged["totalElements"], 3);
    assert_eq!(paged["totalPages"], 2);
    assert_eq!(paged["hasPrevious"], true);
    assert_eq!(paged["hasNext"], false);

    let empty = app.ok(PO, "findProductionOrders", json!({})).await;
    assert_eq!(empty["totalElements"], 3, "no filters: every order");
    app.stop().await;
}

#[tokio::test]
async fn references_of_an_order_are_an_empty_list_and_of_a_missing_order_null() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    app.order("O1", &unit, &material).await;

    assert_eq!(app.ok(PO, "getProductionOrderReferences", json!(["o1"])).await, json!([]));
    assert!(app.ok(PO, "getProductionOrderReferences", json!(["nope"])).await.is_null());
    app.stop().await;
}

#[tokio::test]
async fn delete_answers_an_api_response_removes_the_order_and_keeps_its_history_ending_with_delete() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let order = app.order("O1", &unit, &material).await;
    let id = order["id"].as_str().unwrap();
    save(&app, json!({"id": id, "notes": "n"})).await;

    let resp = app.ok(PO, "deleteProductionOrder", json!(["o1"])).await;

    assert_eq!(resp["success"], true, "{resp}");
    assert!(resp["error"].is_null());
    assert!(resp["message"].as_str().unwrap().contains(id), "{resp}");
    assert_eq!(resp["data"]["id"], order["id"], "the deleted record is returned");
    assert!(app.get_order(id).await.is_null());
    assert!(app.all_orders().await.is_empty());

    let history = app.history(id).await;
    let actions: Vec<&str> = history.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["CREATE", "UPDATE", "DELETE"]);
    assert_eq!(history[2]["changes"]["name"], json!(["O1", null]));

    // A second delete finds nothing: success false, HTTP 200.
    let again = app.ok(PO, "deleteProductionOrder", json!([id])).await;
    assert_eq!(again["success"], false);
    assert!(again["error"].is_string());
    // The name is free again.
    app.order("O1", &unit, &material).await;
    app.stop().await;
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_carrying_the_current_record_and_changes_nothing() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let order = app.order("O1", &unit, &material).await;
    save(&app, json!({"id": order["id"], "quantity": 10, "version": 1})).await;

    let (status, body) = app
        .call(PO, "saveProductionOrder", json!({"id": order["id"], "quantity": 99, "version": 1}))
        .await;

    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(body["error"]["current"]["version"], 2);
    assert_eq!(body["error"]["current"]["quantity"], json!(10.0));
    assert!(body["error"]["message"].as_str().unwrap().contains("version"), "{body}");
    let stored = app.get_order("O1").await;
    assert_eq!(stored["quantity"], json!(10.0));
    assert_eq!(stored["version"], 2);

    // validate reports the conflict as a field error on version.
    let v = app
        .ok(
            PO,
            "validateProductionOrder",
            json!({"id": order["id"], "quantity": 99, "version": 1}),
        )
        .await;
    assert!(v["version"].is_array(), "{v}");
    app.stop().await;
}

#[tokio::test]
async fn saving_a_record_read_with_get_unchanged_keeps_its_version_and_writes_no_history() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    app.order("O1", &unit, &material).await;
    let read = app.get_order("O1").await;

    let saved = save(&app, read.clone()).await;

    assert_eq!(saved["version"], 1);
    assert!(saved["modifiedDate"].is_null());
    assert_eq!(app.history("O1").await.len(), 1);

    // Passing a read record back with one change works: read-only and derived keys are ignored.
    let mut changed = read;
    changed["notes"] = json!("edited");
    let saved = save(&app, changed).await;
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["notes"], "edited");
    assert_eq!(saved["modifiedBy"], "admin");
    app.stop().await;
}

#[tokio::test]
async fn responses_carry_derived_names_that_follow_reference_changes() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let kg = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"}))
        .await;
    let customer = app.ok("customer", "saveCustomer", json!({"name": "ACME"})).await;
    let plant = app.location("Plant", None).await;
    let line = app.location("Line1", Some(&plant)).await;

    let order = save(
        &app,
        json!({"name": "O1", "productId": material, "unitOfMeasureId": unit, "customerId": customer["id"], "locationId": line["id"]}),
    )
    .await;
    assert_eq!(order["productName"], "Widget");
    assert_eq!(order["productPath"], "FG/Widget");
    assert_eq!(order["customerName"], "ACME");
    assert_eq!(order["locationName"], "Line1");
    assert_eq!(order["locationPath"], "Plant/Line1");
    assert_eq!(order["unitOfMeasureName"], "Each");
    assert_eq!(order["unitOfMeasureSymbol"], "ea");

    let changed = save(&app, json!({"id": order["id"], "unitOfMeasureId": kg["id"], "customerId": null})).await;
    assert_eq!(changed["unitOfMeasureSymbol"], "kg");
    assert_eq!(changed["unitOfMeasureName"], "Kilogram");
    assert!(changed["customerName"].is_null());

    // Renaming the referenced record shows in the order without touching it.
    app.ok("location", "saveLocation", json!({"id": plant["id"], "name": "Works"}))
        .await;
    let fetched = app.get_order("O1").await;
    assert_eq!(fetched["locationPath"], "Works/Line1");
    assert_eq!(fetched["version"], 2);
    app.stop().await;
}

#[tokio::test]
async fn orders_by_location_and_status_include_the_location_subtree_and_only_those_statuses() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let plant = app.location("Plant", None).await;
    let line1 = app.location("Line1", Some(&plant)).await;
    let cell = app.location("Cell", Some(&line1)).await;
    let line2 = app.location("Line2", Some(&plant)).await;
    let other = app.location("Other", None).await;
    // A sibling whose path shares the prefix "Plant" but is not below it.
    let plant_b = app.location("PlantB", None).await;
    // `_` in a path is a literal character, not a wildcard: "A_B" does not cover "AxB/Cell".
    let a_b = app.location("A_B", None).await;
    let axb = app.location("AxB", None).await;
    let axb_cell = app.location("Cell", Some(&axb)).await;
    for (name, loc, status) in [
        ("P", &plant, "IDLE"),
        ("L1", &line1, "RUNNING"),
        ("C", &cell, "IDLE"),
        ("L2", &line2, "SCHEDULED"),
        ("X", &other, "IDLE"),
        ("PB", &plant_b, "IDLE"),
        ("L1done", &line1, "CLOSED"),
        ("AB", &a_b, "IDLE"),
        ("AXB", &axb_cell, "IDLE"),
    ] {
        save(
            &app,
            json!({"name": name, "productId": material, "unitOfMeasureId": unit, "locationId": loc["id"], "status": status}),
        )
        .await;
    }
    let names = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_string())
            .collect()
    };

    let r = app
        .ok(
            PO,
            "getDetailedProductionOrdersByLocationAndStatus",
            json!([["Plant"], ["IDLE", "RUNNING", "SCHEDULED"]]),
        )
        .await;
    assert_eq!(names(r), ["C", "L1", "L2", "P"]);

    let r = app
        .ok(
            PO,
            "getDetailedProductionOrdersByLocationAndStatus",
            json!([["/plant/line1", line2["id"]], ["running", "closed"]]),
        )
        .await;
    assert_eq!(names(r), ["L1", "L1done"]);

    let r = app
        .ok(
            PO,
            "getDetailedProductionOrdersByLocationAndStatus",
            json!({"locationIdsOrPaths": "Other", "statuses": "IDLE"}),
        )
        .await;
    assert_eq!(names(r), ["X"]);

    let r = app
        .ok(PO, "getDetailedProductionOrdersByLocationAndStatus", json!([["A_B"], ["IDLE"]]))
        .await;
    assert_eq!(names(r), ["AB"]);

    let (status, body) = app
        .call(PO, "getDetailedProductionOrdersByLocationAndStatus", json!([["Nowhere"], ["DONE"]]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["locationIdsOrPaths"].is_array(), "{body}");
    assert!(fields(&body)["statuses"].is_array(), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn the_permission_list_names_the_five_production_order_permissions() {
    let app = spawn_app().await;

    let perms = app.ok(PO, "getProductionOrderPermissions", json!(null)).await;

    let mut perms: Vec<String> = perms.as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    perms.sort();
    assert_eq!(
        perms,
        [
            "PRODUCTION_ORDER.EXECUTE",
            "PRODUCTION_ORDER.READ.GET",
            "PRODUCTION_ORDER.READ.VALIDATE",
            "PRODUCTION_ORDER.WRITE.DELETE",
            "PRODUCTION_ORDER.WRITE.SAVE"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn history_lists_every_change_oldest_first_with_old_and_new_values() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let order = app.order("O1", &unit, &material).await;
    save(&app, json!({"id": order["id"], "quantity": 5})).await;
    app.ok(PO, "scheduleProductionOrder", json!(["O1", "planned"])).await;

    let h = app.history("o1").await;

    assert_eq!(h.len(), 3);
    let actions: Vec<&str> = h.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["CREATE", "UPDATE", "TRANSITION"]);
    let seqs: Vec<i64> = h.iter().map(|e| e["sequence"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    for e in &h {
        assert_eq!(e["entityId"], order["id"]);
        assert_eq!(e["orderId"], order["id"]);
        assert_eq!(e["user"], "admin");
        assert_eq!(e["entity"], "ProductionOrder");
        assert!(e["at"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(h[0]["changes"]["name"], json!([null, "O1"]));
    assert_eq!(h[1]["changes"], json!({"quantity": [0.0, 5.0]}));
    assert_eq!(h[2]["changes"]["status"], json!(["IDLE", "SCHEDULED"]));
    assert_eq!(h[2]["reason"], "planned");
    assert!(h[1]["reason"].is_null());
    assert!(app.ok(PO, "getProductionOrderHistory", json!(["never-existed"])).await.is_null());
    app.stop().await;
}

#[tokio::test]
async fn timestamps_accept_rfc3339_with_offset_or_space_or_no_zone_and_come_back_as_utc_z() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;

    for (i, input) in [
        json!("2025-01-01T00:00:00Z"),
        json!("2025-01-01 01:00:00+01:00"),
        json!("2024-12-31T19:00:00-05:00"),
        json!("2025-01-01T00:00:00"),
        json!(1_735_689_600_000i64),
    ]
    .into_iter()
    .enumerate()
    {
        let o = save(
            &app,
            json!({"name": format!("T{i}"), "productId": material, "unitOfMeasureId": unit, "dueDate": input.clone()}),
        )
        .await;
        assert_eq!(o["dueDate"], "2025-01-01T00:00:00.000Z", "{input}");
    }
    let ms = save(
        &app,
        json!({"name": "Ms", "productId": material, "unitOfMeasureId": unit, "dueDate": "2025-03-04T05:06:07.891Z"}),
    )
    .await;
    assert_eq!(ms["dueDate"], "2025-03-04T05:06:07.891Z", "milliseconds are kept");
    app.stop().await;
}

#[tokio::test]
async fn names_are_trimmed_and_a_rename_onto_another_orders_name_in_other_case_is_refused() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let a = save(&app, json!({"name": "  Alpha  ", "productId": material, "unitOfMeasureId": unit})).await;
    let b = app.order("Beta", &unit, &material).await;
    assert_eq!(a["name"], "Alpha");

    let (status, body) = app.call(PO, "saveProductionOrder", json!({"id": b["id"], "name": "ALPHA"})).await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let msg = fields(&body)["name"][0].as_str().unwrap();
    assert!(msg.contains("Alpha") && msg.contains(a["id"].as_str().unwrap()), "{msg}");
    assert_eq!(app.get_order(b["id"].as_str().unwrap()).await["name"], "Beta");
    // Changing only the letter case of its own name is fine.
    let renamed = save(&app, json!({"id": b["id"], "name": "BETA"})).await;
    assert_eq!(renamed["name"], "BETA");
    app.stop().await;
}

#[tokio::test]
async fn a_sort_on_schedule_priority_follows_its_rank_in_find_and_in_the_rest_list() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    // Alphabetically HIGH < LOW < NORMAL < URGENT; by rank LOW < NORMAL < HIGH < URGENT.
    for (name, priority) in [("P1", "HIGH"), ("P2", "URGENT"), ("P3", "LOW"), ("P4", "NORMAL"), ("P5", "LOW")] {
        save(
            &app,
            json!({"name": name, "productId": material, "unitOfMeasureId": unit, "schedulePriority": priority}),
        )
        .await;
    }
    let names = |page: &Value| -> Vec<String> {
        page["content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_string())
            .collect()
    };
    let ascending = app
        .ok(PO, "findProductionOrders", json!({"sortFields": ["schedulePriority", "name"]}))
        .await;
    assert_eq!(names(&ascending), ["P3", "P5", "P4", "P1", "P2"]);

    // Paged and descending (the id tie-break runs descending too, so only the ranks are compared).
    let paged = app
        .ok(
            PO,
            "findProductionOrders",
            json!({"sortFields": ["schedulePriority"], "sortDirections": ["Descending"], "pageSize": 3}),
        )
        .await;
    assert_eq!(names(&paged)[..2], ["P2", "P1"]);
    assert_eq!(paged["content"][2]["schedulePriority"], "NORMAL");
    assert_eq!(paged["totalElements"], 5);

    // A change of priority moves the order.
    let p2 = app.get_order("P2").await;
    save(&app, json!({"id": p2["id"], "schedulePriority": "LOW"})).await;
    let (status, listed) = app
        .get("/api/v1/production-orders?sortFields=schedulePriority,name&sortDirections=desc,asc")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&listed), ["P1", "P4", "P2", "P3", "P5"]);
    app.stop().await;
}
