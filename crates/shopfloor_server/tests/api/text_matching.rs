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
