//! The history covers every entity (issue 20): each write and delete of master data, people and
//! orders appends one event of the one shape, and the change feed shows a caller the events of
//! the entities it may read.

use crate::helpers::{authorized_client, spawn_app, TestApp};
use crate::security::token_with;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The change feed after `after`, as `client` sees it: the events and `X-Last-Sequence`.
async fn feed(app: &TestApp, client: &reqwest::Client, after: i64) -> (Vec<Value>, i64) {
    let r = client
        .get(format!("{}/api/v1/events?after={after}&timeout=0", app.address))
        .send()
        .await
        .expect("feed answers");
    assert_eq!(r.status(), StatusCode::OK);
    let last = r.headers()["x-last-sequence"].to_str().unwrap().parse().unwrap();
    let text = r.text().await.unwrap();
    let events = text.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    (events, last)
}

/// The sequence of the newest event.
async fn head(app: &TestApp) -> i64 {
    let mut after = 0;
    loop {
        let (events, last) = feed(app, &app.client, after).await;
        if events.is_empty() {
            return last;
        }
        after = last;
    }
}

fn summary(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| (e["entity"].as_str().unwrap().to_string(), e["action"].as_str().unwrap().to_string()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(e, a)| (e.to_string(), a.to_string())).collect()
}

#[tokio::test]
async fn every_write_of_master_data_and_people_appends_one_event_of_the_common_shape() {
    let app = spawn_app().await;
    let start = head(&app).await;

    let unit = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Each", "symbol": "ea"}))
        .await;
    let class = app.ok("material", "saveMaterialClass", json!({"name": "FG"})).await;
    app.ok(
        "material",
        "saveMaterial",
        json!({"name": "Widget", "materialClassId": class["id"], "unitOfMeasureId": unit["id"]}),
    )
    .await;
    app.ok("unitOfMeasure", "saveUnitOfMeasure", json!({"id": unit["id"], "symbol": "pc"}))
        .await;
    app.ok("customer", "saveCustomer", json!({"name": "ACME"})).await;
    app.ok("customer", "deleteCustomer", json!(["ACME"])).await;
    app.ok(
        "security",
        "saveRole",
        json!({"name": "reader", "permissions": ["MATERIAL.READ.GET"]}),
    )
    .await;
    app.ok("security", "saveUser", json!({"name": "ann", "roles": ["reader"]})).await;

    let (events, _) = feed(&app, &app.client, start).await;
    assert_eq!(
        summary(&events),
        pairs(&[
            ("UnitOfMeasure", "CREATE"),
            ("MaterialClass", "CREATE"),
            ("Material", "CREATE"),
            ("UnitOfMeasure", "UPDATE"),
            ("Customer", "CREATE"),
            ("Customer", "DELETE"),
            ("Role", "CREATE"),
            ("User", "CREATE"),
        ])
    );
    let update = &events[3];
    assert_eq!(update["entityId"], unit["id"]);
    assert_eq!(update["changes"]["symbol"], json!(["ea", "pc"]));
    assert_eq!(update["orderId"], Value::Null, "master data belongs to no order");
    assert_eq!(update["user"], "admin");
    for key in [
        "sequence", "at", "user", "entity", "entityId", "orderId", "action", "changes", "reason",
    ] {
        assert!(update.get(key).is_some(), "{key} missing from {update}");
    }
    let user = &events[7];
    assert!(
        user["changes"].get("passwordHash").is_none(),
        "secrets stay out of the history: {user}"
    );
    app.stop().await;
}

#[tokio::test]
async fn renaming_a_location_gives_each_location_below_it_an_event_with_its_new_path() {
    let app = spawn_app().await;
    let plant = app.location("Plant", None).await;
    let hall = app.location("Hall", Some(&plant)).await;
    let start = head(&app).await;

    app.ok("location", "saveLocation", json!({"id": plant["id"], "name": "Works"}))
        .await;

    let (events, _) = feed(&app, &app.client, start).await;
    assert_eq!(summary(&events), pairs(&[("Location", "UPDATE"), ("Location", "UPDATE")]));
    assert_eq!(events[1]["entityId"], hall["id"]);
    assert_eq!(events[1]["changes"]["path"], json!(["Plant/Hall", "Works/Hall"]));
    app.stop().await;
}

#[tokio::test]
async fn the_feed_shows_a_caller_only_the_events_of_entities_it_may_read() {
    let app = spawn_app().await;
    let orders_only = authorized_client(&token_with(&app, "orders", &["PRODUCTION_ORDER.READ.GET"]).await);
    let with_materials = authorized_client(&token_with(&app, "materials", &["PRODUCTION_ORDER.READ.GET", "MATERIAL.READ.GET"]).await);
    let start = head(&app).await;
    let (unit, material) = app.master_data().await;
    let order = app.order("O1", &unit, &material).await;
    app.ok("security", "saveUser", json!({"name": "bob"})).await;
    let end = head(&app).await;

    let (seen, last) = feed(&app, &orders_only, start).await;
    assert_eq!(summary(&seen), pairs(&[("ProductionOrder", "CREATE")]));
    assert_eq!(seen[0]["orderId"], order["id"]);
    assert_eq!(last, end, "the cursor moves past the events the caller may not see");

    let (seen, _) = feed(&app, &with_materials, start).await;
    assert_eq!(
        summary(&seen),
        pairs(&[("MaterialClass", "CREATE"), ("Material", "CREATE"), ("ProductionOrder", "CREATE")])
    );

    let (seen, _) = feed(&app, &app.client, start).await;
    assert_eq!(seen.len(), 5, "an administrator sees every event, users' too: {seen:?}");
    assert_eq!(seen[4]["entity"], "User");

    let nothing = orders_only
        .get(format!("{}/api/v1/events?after={}&timeout=0", app.address, seen[3]["sequence"]))
        .send()
        .await
        .unwrap();
    assert_eq!(nothing.headers()["x-last-sequence"].to_str().unwrap(), end.to_string());
    assert!(nothing.text().await.unwrap().trim().is_empty());
    app.stop().await;
}
