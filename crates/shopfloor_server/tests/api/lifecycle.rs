//! The production-order lifecycle (SPEC §2.1) and production reporting (§2.2): every (from, to)
//! pair of the seven statuses through `saveProductionOrder` and through the verbs, the side
//! effects of entering a status, the read-only final states, `getAllowedTransitions` and
//! `reportProduction`.

use crate::helpers::{fields, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PO: &str = "productionOrder";

const STATUSES: [&str; 7] = ["IDLE", "SCHEDULED", "RUNNING", "PAUSED", "STOPPED", "CLOSED", "CANCELLED"];

/// The transition table of SPEC §2.1.
fn allowed(from: &str) -> &'static [&'static str] {
    match from {
        "IDLE" => &["SCHEDULED", "RUNNING", "CANCELLED"],
        "SCHEDULED" => &["IDLE", "RUNNING", "CANCELLED"],
        "RUNNING" => &["PAUSED", "STOPPED"],
        "PAUSED" => &["RUNNING", "STOPPED"],
        "STOPPED" => &["RUNNING", "CLOSED"],
        _ => &[],
    }
}

/// The verb that moves an order to `to`.
fn verb(to: &str) -> &'static str {
    match to {
        "SCHEDULED" => "scheduleProductionOrder",
        "RUNNING" => "startProductionOrder",
        "PAUSED" => "pauseProductionOrder",
        "STOPPED" => "stopProductionOrder",
        "CLOSED" => "closeProductionOrder",
        "CANCELLED" => "cancelProductionOrder",
        other => panic!("no verb for {other}"),
    }
}

/// Creates an order directly in `status` (allowed on create: SPEC §2.1).
async fn order_in(app: &TestApp, name: &str, status: &str, unit: &str, material: &str) -> Value {
    let o = app
        .ok(
            PO,
            "saveProductionOrder",
            json!({"name": name, "productId": material, "unitOfMeasureId": unit, "status": status}),
        )
        .await;
    assert_eq!(o["status"], status);
    o
}

/// Asserts a refused change: 422, `fields.status` naming every allowed target, and nothing stored changed.
async fn assert_refused(app: &TestApp, (status, body): (StatusCode, Value), before: &Value, from: &str, to: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{from} -> {to}: {body}");
    assert_eq!(body["error"]["code"], "validation", "{from} -> {to}");
    let msg = fields(&body)["status"]
        .as_array()
        .and_then(|m| m.first())
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{from} -> {to}: no status field in {body}"))
        .to_string();
    for target in allowed(from) {
        assert!(msg.contains(target), "{from} -> {to}: message {msg:?} does not name {target}");
    }
    assert!(
        msg.contains(from),
        "{from} -> {to}: message {msg:?} does not name the current status"
    );
    let after = app.get_order(before["id"].as_str().unwrap()).await;
    assert_eq!(&after, before, "{from} -> {to}: a refused change changed the order");
}

#[tokio::test]
async fn every_status_pair_through_save_is_accepted_exactly_as_the_table_says() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;

    for from in STATUSES {
        for to in STATUSES {
            let name = format!("{from}-{to}");
            let created = order_in(&app, &name, from, &unit, &material).await;
            let before = app.get_order(&name).await;

            let answer = app
                .call(PO, "saveProductionOrder", json!({"id": created["id"], "status": to}))
                .await;

            if from == to {
                assert_eq!(answer.0, StatusCode::OK, "{name}: {}", answer.1);
                assert_eq!(answer.1["version"], 1, "{name}: an unchanged status is no update");
            } else if allowed(from).contains(&to) {
                assert_eq!(answer.0, StatusCode::OK, "{name}: {}", answer.1);
                assert_eq!(answer.1["status"], to, "{name}");
                assert_eq!(answer.1["version"], 2, "{name}");
                let last = app.history(&name).await.pop().unwrap();
                assert_eq!(last["action"], "TRANSITION", "{name}");
                assert_eq!(last["changes"]["status"], json!([from, to]), "{name}");
            } else {
                assert_refused(&app, answer, &before, from, to).await;
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn every_status_pair_through_the_verbs_is_accepted_exactly_as_the_table_says() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;

    for from in STATUSES {
        for to in STATUSES.into_iter().filter(|s| *s != "IDLE") {
            let name = format!("{from}-{to}");
            order_in(&app, &name, from, &unit, &material).await;
            let before = app.get_order(&name).await;

            let answer = app.call(PO, verb(to), json!([name.to_lowercase(), format!("because {to}")])).await;

            if allowed(from).contains(&to) {
                assert_eq!(answer.0, StatusCode::OK, "{name}: {}", answer.1);
                assert_eq!(answer.1["status"], to, "{name}");
                assert_eq!(answer.1["version"], 2, "{name}");
                let last = app.history(&name).await.pop().unwrap();
                assert_eq!(last["action"], "TRANSITION", "{name}");
                assert_eq!(last["reason"], format!("because {to}"), "{name}");
                assert_eq!(last["changes"]["status"], json!([from, to]), "{name}");
            } else if from == to {
                assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", answer.1);
                assert!(
                    fields(&answer.1)["status"][0].as_str().unwrap().contains("already"),
                    "{name}: {}",
                    answer.1
                );
                assert_eq!(app.get_order(&name).await, before, "{name}");
            } else {
                assert_refused(&app, answer, &before, from, to).await;
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn allowed_transitions_list_the_table_row_of_the_current_status() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;

    for from in STATUSES {
        order_in(&app, from, from, &unit, &material).await;
        let got = app.ok(PO, "getAllowedTransitions", json!([from.to_lowercase()])).await;
        assert_eq!(got, json!(allowed(from)), "{from}");
    }
    let (status, body) = app.call(PO, "getAllowedTransitions", json!(["missing"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    app.stop().await;
}

#[tokio::test]
async fn the_verbs_of_a_missing_order_answer_not_found() {
    let app = spawn_app().await;
    app.master_data().await;

    let (status, body) = app.call(PO, "startProductionOrder", json!(["ghost"])).await;

    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().unwrap().contains("ghost"));
    app.stop().await;
}

#[tokio::test]
async fn entering_running_sets_the_start_date_and_the_active_shift_record_of_an_ancestor_location() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let plant = app.location("Plant", None).await;
    let line = app.location("Line1", Some(&plant)).await;
    let shift = app
        .ok("shift", "saveShift", json!({"name": "Day", "locationId": plant["id"]}))
        .await;
    let record = app.ok("shift", "startShift", json!([shift["id"]])).await;
    assert_eq!(record["status"], "ACTIVE");
    let order = app
        .ok(
            PO,
            "saveProductionOrder",
            json!({"name": "O1", "productId": material, "unitOfMeasureId": unit, "locationId": line["id"]}),
        )
        .await;
    assert!(order["startDate"].is_null() && order["shiftRecordId"].is_null());

    let running = app.ok(PO, "startProductionOrder", json!(["O1"])).await;

    assert_eq!(running["shiftRecordId"], record["id"]);
    let started = running["startDate"].as_str().expect("startDate set").to_string();
    assert!(started.ends_with('Z'));
    assert!(running["endDate"].is_null());

    // Pausing and restarting keeps the first start date and shift record.
    app.ok(PO, "pauseProductionOrder", json!(["O1"])).await;
    let restarted = app.ok(PO, "startProductionOrder", json!(["O1"])).await;
    assert_eq!(restarted["startDate"], started.as_str());
    assert_eq!(restarted["shiftRecordId"], record["id"]);
    app.stop().await;
}

#[tokio::test]
async fn entering_running_through_save_uses_the_nearest_active_shift_and_keeps_a_given_start_date() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let plant = app.location("Plant", None).await;
    let line = app.location("Line1", Some(&plant)).await;
    let other = app.location("Other", None).await;
    let day = app
        .ok("shift", "saveShift", json!({"name": "Day", "locationId": plant["id"]}))
        .await;
    let line_shift = app
        .ok("shift", "saveShift", json!({"name": "LineDay", "locationId": line["id"]}))
        .await;
    app.ok("shift", "startShift", json!([day["id"]])).await;
    let line_record = app.ok("shift", "startShift", json!([line_shift["id"]])).await;

    let at_line = app
        .ok(
            PO,
            "saveProductionOrder",
            json!({"name": "A", "productId": material, "unitOfMeasureId": unit, "locationId": line["id"],
                   "startDate": "2025-01-01T06:00:00Z"}),
        )
        .await;
    let running = app
        .ok(PO, "saveProductionOrder", json!({"id": at_line["id"], "status": "RUNNING"}))
        .await;
    assert_eq!(
        running["shiftRecordId"], line_record["id"],
        "the line's own shift wins over the plant's"
    );
    assert_eq!(running["startDate"], "2025-01-01T06:00:00.000Z", "an existing start date is kept");

    // No shift anywhere above: the start date is set, the shift record stays null.
    let elsewhere = app
        .ok(
            PO,
            "saveProductionOrder",
            json!({"name": "B", "productId": material, "unitOfMeasureId": unit, "locationId": other["id"], "status": "RUNNING"}),
        )
        .await;
    assert!(elsewhere["shiftRecordId"].is_null());
    assert!(elsewhere["startDate"].is_string(), "created RUNNING: start date set");
    app.stop().await;
}

#[tokio::test]
async fn entering_stopped_closed_or_cancelled_sets_the_end_date_once() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    order_in(&app, "R", "RUNNING", &unit, &material).await;
    order_in(&app, "I", "IDLE", &unit, &material).await;

    let stopped = app.ok(PO, "stopProductionOrder", json!(["R"])).await;
    let end = stopped["endDate"].as_str().expect("endDate set on STOPPED").to_string();
    assert!(stopped["startDate"].as_str().unwrap() <= end.as_str());

    let closed = app.ok(PO, "closeProductionOrder", json!(["R"])).await;
    assert_eq!(closed["endDate"], end.as_str(), "an end date already set is kept");

    let cancelled = app.ok(PO, "cancelProductionOrder", json!(["I"])).await;
    assert!(cancelled["endDate"].is_string(), "endDate set on CANCELLED");
    assert!(cancelled["startDate"].is_null());

    for status in ["IDLE", "SCHEDULED", "PAUSED"] {
        let o = order_in(&app, &format!("new-{status}"), status, &unit, &material).await;
        assert!(o["endDate"].is_null(), "{status} sets no end date");
    }
    app.stop().await;
}

#[tokio::test]
async fn closed_and_cancelled_orders_accept_only_notes_enabled_and_spares() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let other_unit = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Box", "symbol": "bx"}))
        .await;

    for final_status in ["CLOSED", "CANCELLED"] {
        let o = order_in(&app, final_status, final_status, &unit, &material).await;
        let id = o["id"].clone();

        let edited = app
            .ok(
                PO,
                "saveProductionOrder",
                json!({"id": id, "notes": "post-mortem", "enabled": false, "spare1": "a", "spare2": "b", "spare3": "c"}),
            )
            .await;
        assert_eq!(edited["notes"], "post-mortem");
        assert_eq!(edited["enabled"], false);
        assert_eq!(edited["spare3"], "c");
        assert_eq!(edited["version"], 2);
        let before = app.get_order(final_status).await;

        for (field, value) in [
            ("quantity", json!(5)),
            ("name", json!("renamed")),
            ("dueDate", json!("2030-01-01T00:00:00Z")),
            ("unitOfMeasureId", other_unit["id"].clone()),
            ("schedulePriority", json!("URGENT")),
            ("endDate", json!(null)),
        ] {
            let (status, body) = app
                .call(PO, "saveProductionOrder", json!({"id": id, field: value, "notes": "sneaky"}))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{final_status}.{field}: {body}");
            let msg = fields(&body)[field][0]
                .as_str()
                .unwrap_or_else(|| panic!("{final_status}.{field}: {body}"));
            assert!(msg.contains(final_status), "{msg}");
            assert_eq!(
                app.get_order(final_status).await,
                before,
                "{final_status}.{field}: nothing may change"
            );
        }
        // Sending the stored values back unchanged is fine.
        let same = app.ok(PO, "saveProductionOrder", before.clone()).await;
        assert_eq!(same["version"], 2);
    }
    app.stop().await;
}

#[tokio::test]
async fn production_can_be_reported_only_while_running_paused_or_stopped() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;

    for status in STATUSES {
        let o = order_in(&app, status, status, &unit, &material).await;
        let answer = app.call(PO, "reportProduction", json!([status, 4, "count"])).await;
        if ["RUNNING", "PAUSED", "STOPPED"].contains(&status) {
            assert_eq!(answer.0, StatusCode::OK, "{status}: {}", answer.1);
            assert_eq!(answer.1["quantityProduced"], json!(4.0), "{status}");
            assert_eq!(answer.1["status"], status, "reporting does not change the status");
        } else {
            assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{status}: {}", answer.1);
            let msg = fields(&answer.1)["status"][0].as_str().unwrap();
            assert!(msg.contains(status) && msg.contains("RUNNING"), "{msg}");
            let after = app.get_order(status).await;
            assert_eq!(after["quantityProduced"], json!(0.0));
            assert_eq!(after["version"], o["version"]);
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn reports_add_up_accept_negative_corrections_and_never_drop_below_zero() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let o = order_in(&app, "R", "RUNNING", &unit, &material).await;

    app.ok(PO, "reportProduction", json!(["R", 10])).await;
    app.ok(PO, "reportProduction", json!({"productionOrderIdOrName": "r", "quantity": "2.5"}))
        .await;
    let corrected = app.ok(PO, "reportProduction", json!(["R", -3, "scrap recount"])).await;
    assert_eq!(corrected["quantityProduced"], json!(9.5));
    assert_eq!(corrected["version"], 4);

    let (status, body) = app.call(PO, "reportProduction", json!(["R", -9.6])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["quantity"][0].as_str().unwrap().contains("negative"), "{body}");
    let after = app.get_order("R").await;
    assert_eq!(after["quantityProduced"], json!(9.5));
    assert_eq!(after["version"], 4);

    // Down to exactly zero is fine; more than the order quantity is fine too.
    let zero = app.ok(PO, "reportProduction", json!(["R", -9.5])).await;
    assert_eq!(zero["quantityProduced"], json!(0.0));
    let over = app.ok(PO, "reportProduction", json!([o["id"], 1_000_000])).await;
    assert_eq!(over["quantityProduced"], json!(1_000_000.0));

    let reports: Vec<Value> = app.history("R").await.into_iter().filter(|e| e["action"] == "REPORT").collect();
    assert_eq!(reports.len(), 5);
    assert_eq!(reports[0]["changes"], json!({"quantityProduced": [0.0, 10.0]}));
    assert_eq!(reports[2]["reason"], "scrap recount");
    assert_eq!(reports[2]["changes"], json!({"quantityProduced": [12.5, 9.5]}));
    assert!(reports[0]["reason"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn a_report_of_a_non_number_or_for_a_missing_order_changes_nothing() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    order_in(&app, "R", "RUNNING", &unit, &material).await;

    for bad in [json!("NaN"), json!("abc"), json!(true), json!("inf")] {
        let (status, body) = app.call(PO, "reportProduction", json!(["R", bad])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(fields(&body)["quantity"].is_array(), "{bad}: {body}");
    }
    let (status, body) = app.call(PO, "reportProduction", json!(["R"])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "missing quantity: {body}");
    let (status, body) = app.call(PO, "reportProduction", json!(["nobody", 1])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let after = app.get_order("R").await;
    assert_eq!(after["quantityProduced"], json!(0.0));
    assert_eq!(after["version"], 1);
    app.stop().await;
}
