//! Text search on order names (docs/adr/0014): `CONTAINS` and `ENDS_WITH` of three characters or
//! more go through the trigram index of `name_key`, `STARTS_WITH` through a range of the key's
//! index; shorter operands scan. The answers and counts are those of the scan, and the index
//! follows every insert, rename and delete.

use crate::helpers::*;
use serde_json::{json, Value};

const PO: &str = "productionOrder";

/// The names `condition` `value` on `name` finds, sorted, and `totalElements` of a page of one.
async fn search(app: &TestApp, condition: &str, value: &str) -> (Vec<String>, u64) {
    let filters = json!([{"field": "name", "condition": condition, "stringValue": value}]);
    let found = app
        .ok(PO, "findProductionOrders", json!({"filters": filters, "sortFields": ["name"]}))
        .await;
    let names: Vec<String> = found["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    let page = app.ok(PO, "findProductionOrders", json!({"filters": filters, "pageSize": 1})).await;
    let total = page["totalElements"].as_u64().unwrap();
    assert_eq!(total, names.len() as u64, "{condition} {value}: the count is exact");
    (names, total)
}

#[tokio::test]
async fn name_searches_find_what_the_scan_finds_and_follow_inserts_renames_and_deletes() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    for name in ["Alpha-Widget-01", "beta-WIDGET-02", "Gamma-gadget", "ÄPFEL-Bündel", "Ord\"er%_x"] {
        app.order(name, &unit, &material).await;
    }
    assert_eq!(search(&app, "CONTAINS", "widget").await.0, ["Alpha-Widget-01", "beta-WIDGET-02"]);
    assert_eq!(search(&app, "CONTAINS", "WIDGET-0").await.1, 2);
    assert_eq!(search(&app, "ENDS_WITH", "et-02").await.0, ["beta-WIDGET-02"]);
    assert_eq!(search(&app, "STARTS_WITH", "ALPHA-w").await.0, ["Alpha-Widget-01"]);
    assert_eq!(search(&app, "STARTS_WITH", "a").await.0, ["Alpha-Widget-01"]);
    // Two characters scan: `ge` is in `gadget` and in both widgets.
    assert_eq!(search(&app, "CONTAINS", "ge").await.1, 3);
    assert_eq!(search(&app, "ENDS_WITH", "ET").await.0, ["Gamma-gadget"]);
    // Keys, not spellings: decomposed and upper-case operands find the composed name.
    assert_eq!(search(&app, "CONTAINS", "A\u{308}pfel-b").await.0, ["ÄPFEL-Bündel"]);
    assert_eq!(search(&app, "ENDS_WITH", "ÜNDEL").await.0, ["ÄPFEL-Bündel"]);
    // Quotes and LIKE wildcards are plain characters.
    assert_eq!(search(&app, "CONTAINS", "d\"er%_").await.0, ["Ord\"er%_x"]);
    assert_eq!(search(&app, "CONTAINS", "r%_").await.0, ["Ord\"er%_x"]);
    assert_eq!(search(&app, "CONTAINS", "a_w").await.1, 0);
    assert_eq!(search(&app, "STARTS_WITH", "ord\"").await.0, ["Ord\"er%_x"]);
    assert_eq!(search(&app, "CONTAINS", "nothing here").await.1, 0);

    // A rename moves the order in the index; a delete takes it out; a new order comes in.
    let gamma: Value = app.get_order("Gamma-gadget").await;
    app.ok(PO, "saveProductionOrder", json!({"id": gamma["id"], "name": "Gamma-Gizmo"}))
        .await;
    assert_eq!(search(&app, "CONTAINS", "gadget").await.1, 0);
    assert_eq!(search(&app, "CONTAINS", "gizmo").await.0, ["Gamma-Gizmo"]);
    assert_eq!(
        app.ok(PO, "deleteProductionOrder", json!(["beta-WIDGET-02"])).await["success"],
        true
    );
    assert_eq!(search(&app, "CONTAINS", "widget").await.0, ["Alpha-Widget-01"]);
    app.order("Delta-widget", &unit, &material).await;
    assert_eq!(search(&app, "CONTAINS", "widget").await.0, ["Alpha-Widget-01", "Delta-widget"]);
    // An update that keeps the name keeps the order findable.
    let delta: Value = app.get_order("Delta-widget").await;
    app.ok(PO, "saveProductionOrder", json!({"id": delta["id"], "quantity": 5})).await;
    assert_eq!(search(&app, "ENDS_WITH", "a-widget").await.0, ["Delta-widget"]);
    app.stop().await;
}
