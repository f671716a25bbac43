//! Stop reasons (issue 21, docs/adr/0016): the plant's list of why orders are paused or
//! stopped — master data like any other entity, read with the orders, written by whoever may
//! write orders; the chosen name goes into the status change's `reason`.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

const PO: &str = "productionOrder";

#[tokio::test]
async fn stop_reasons_are_master_data_with_a_unique_name_and_a_use() {
    let app = spawn_app().await;
    let template = app.ok(PO, "newStopReason", json!([])).await;
    assert_eq!(template["appliesTo"], "BOTH");
    assert_eq!(template["enabled"], true);
    let saved = app
        .ok(
            PO,
            "saveStopReason",
            json!({"name": "Waiting for material", "appliesTo": "PAUSE", "description": "Components not at the line"}),
        )
        .await;
    assert_eq!(saved["appliesTo"], "PAUSE");
    app.ok(PO, "saveStopReason", json!({"name": "Machine breakdown"})).await;

    // The same name in another letter case, and a use that is not PAUSE, STOP or BOTH.
    for (data, field) in [
        (json!({"name": "WAITING FOR MATERIAL"}), "name"),
        (json!({"name": "Other", "appliesTo": "SOMETIMES"}), "appliesTo"),
        (json!({"description": "no name"}), "name"),
    ] {
        let (status, body) = app.call(PO, "saveStopReason", data.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{data}: {body}");
        assert!(app.ok(PO, "validateStopReason", data).await[field].is_array());
    }
    let by_name = app.ok(PO, "getStopReason", json!(["machine BREAKDOWN"])).await;
    assert_eq!(by_name["appliesTo"], "BOTH");
    let pauses = app
        .ok(
            PO,
            "findStopReasons",
            json!({"filters": [{"field": "appliesTo", "condition": "IN", "stringListValue": ["PAUSE", "BOTH"]}], "sortFields": ["name"]}),
        )
        .await;
    let names: Vec<&str> = pauses["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Machine breakdown", "Waiting for material"]);

    // REST has the collection too.
    let (status, list) = app.get("/api/v1/stop-reasons?sortFields=name").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["totalElements"], 2);

    let deleted = app.ok(PO, "deleteStopReason", json!([by_name["id"]])).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert_eq!(app.ok(PO, "getAllStopReasons", json!([])).await.as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn an_operator_reads_the_list_and_pauses_with_a_reason_from_it_but_cannot_edit_it() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let order = app.order("WO-1", &unit, &material).await;
    app.ok(PO, "saveStopReason", json!({"name": "Changeover", "appliesTo": "PAUSE"}))
        .await;
    let operator = app.user_with_roles("olga", &["Operator"]).await;

    let (status, list) = app.call_as(&operator, PO, "getAllStopReasons", json!([])).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list[0]["name"], "Changeover");
    for (function, data) in [
        ("saveStopReason", json!({"name": "Coffee"})),
        ("deleteStopReason", json!(["Changeover"])),
    ] {
        let (status, body) = app.call_as(&operator, PO, function, data).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}: {body}");
    }

    app.ok(PO, "scheduleProductionOrder", json!([order["id"]])).await;
    let (status, body) = app.call_as(&operator, PO, "startProductionOrder", json!([order["id"]])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .call_as(
            &operator,
            PO,
            "pauseProductionOrder",
            json!({"productionOrderIdOrName": order["id"], "reason": "Changeover"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let history = app.history("WO-1").await;
    let pause = history
        .iter()
        .rev()
        .find(|e| e["action"] == "TRANSITION")
        .expect("the pause is in the history");
    assert_eq!(pause["reason"], "Changeover", "{pause}");
    app.stop().await;
}
