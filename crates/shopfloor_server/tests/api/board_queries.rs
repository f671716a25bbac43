//! The order board's queries (issue 21, docs/adr/0016): due dates ascending with undated orders
//! last (`sortNulls`), and one search box over the order's name, product and customer (the
//! `search` field), with exact counts — on SQLite and PostgreSQL alike.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PO: &str = "productionOrder";

fn names(found: &Value) -> Vec<&str> {
    found["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect()
}

/// Orders with due dates 2030-01-0<day> (none: undated), saved in the given order.
async fn dated(app: &TestApp, unit: &str, material: &str, orders: &[(&str, Option<u32>)]) {
    for (name, day) in orders {
        let due = day.map(|d| format!("2030-01-0{d}T00:00:00Z"));
        app.ok(
            PO,
            "saveProductionOrder",
            json!({"name": name, "productId": material, "unitOfMeasureId": unit, "dueDate": due}),
        )
        .await;
    }
}

#[tokio::test]
async fn undated_orders_sort_last_only_when_the_query_asks() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    dated(
        &app,
        &unit,
        &material,
        &[("C", Some(3)), ("U1", None), ("A", Some(1)), ("U2", None), ("B", Some(2))],
    )
    .await;
    let find = |q: Value| app.ok(PO, "findProductionOrders", q);

    // The default stays: nulls are the smallest value.
    let plain = find(json!({"sortFields": ["dueDate", "name"]})).await;
    assert_eq!(names(&plain), ["U1", "U2", "A", "B", "C"]);
    let desc = find(json!({"sortFields": ["dueDate"], "sortDirections": ["desc"]})).await;
    assert_eq!(&names(&desc)[3..], ["U2", "U1"], "descending: nulls last, ties by id descending");

    // Asked: undated last ascending, first descending; pages are stable across the boundary.
    let last = find(json!({"sortFields": ["dueDate", "name"], "sortNulls": ["LAST", "FIRST"]})).await;
    assert_eq!(names(&last), ["A", "B", "C", "U1", "U2"]);
    let first = find(json!({"sortFields": ["dueDate"], "sortDirections": ["desc"], "sortNulls": "first"})).await;
    assert_eq!(&names(&first)[2..], ["C", "B", "A"]);
    let mut paged = Vec::new();
    for page in 0..3 {
        let p = find(json!({"sortFields": ["dueDate"], "sortNulls": "last", "pageSize": 2, "pageIndex": page})).await;
        assert_eq!(p["totalElements"], 5);
        paged.extend(names(&p).into_iter().map(String::from));
    }
    assert_eq!(&paged[..3], ["A", "B", "C"]);
    assert_eq!(paged.len(), 5);

    // Over REST too (comma-separated, like sortDirections).
    let (status, rest) = app
        .get("/api/v1/production-orders?sortFields=dueDate,name&sortNulls=last,first")
        .await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    assert_eq!(names(&rest), ["A", "B", "C", "U1", "U2"]);

    // A word other than FIRST or LAST is a validation error naming the entry.
    let (status, body) = app
        .call(PO, "findProductionOrders", json!({"sortFields": ["dueDate"], "sortNulls": ["end"]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("sortNulls[0]"), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn the_search_field_finds_orders_by_name_product_or_customer_with_exact_counts() {
    let app = spawn_app().await;
    let (unit, widget) = app.master_data().await;
    let class = app.ok("material", "saveMaterialClass", json!({"name": "Raw"})).await;
    let gear = app
        .ok(
            "material",
            "saveMaterial",
            json!({"name": "Gearbox Assembly", "materialClassId": class["id"], "unitOfMeasureId": unit}),
        )
        .await;
    let acme = app.ok("customer", "saveCustomer", json!({"name": "Acme Gears Ltd"})).await;
    let other = app.ok("customer", "saveCustomer", json!({"name": "Bolt & Co"})).await;
    for (name, product, customer) in [
        ("WO-100", widget.as_str(), None),
        ("WO-101", gear["id"].as_str().unwrap(), None),
        ("WO-102", widget.as_str(), Some(&acme)),
        ("WO-103", widget.as_str(), Some(&other)),
        ("GEAR-7", widget.as_str(), None),
    ] {
        app.ok(
            PO,
            "saveProductionOrder",
            json!({"name": name, "productId": product, "unitOfMeasureId": unit, "customerId": customer.map(|c| &c["id"])}),
        )
        .await;
    }
    let search = |condition: &'static str, value: &'static str| {
        let app = &app;
        async move {
            let filters = json!([{"field": "search", "condition": condition, "stringValue": value}]);
            let all = app
                .ok(PO, "findProductionOrders", json!({"filters": filters, "sortFields": ["name"]}))
                .await;
            let page = app
                .ok(
                    PO,
                    "findProductionOrders",
                    json!({"filters": filters, "pageSize": 1, "pageIndex": 0}),
                )
                .await;
            let found: Vec<String> = names(&all).into_iter().map(String::from).collect();
            assert_eq!(page["totalElements"], found.len(), "{condition} {value}: the count is exact");
            found
        }
    };

    // "gear" is in an order's name, a product's name and a customer's name: each order once.
    assert_eq!(search("CONTAINS", "GEAR").await, ["GEAR-7", "WO-101", "WO-102"]);
    // Shorter than a trigram (scanned) and prefix searches agree.
    assert_eq!(search("CONTAINS", "ar").await, ["GEAR-7", "WO-101", "WO-102"]);
    assert_eq!(search("STARTS_WITH", "bolt").await, ["WO-103"]);
    assert_eq!(search("EQUALS", "widget").await, ["GEAR-7", "WO-100", "WO-102", "WO-103"]);
    assert_eq!(search("CONTAINS", "wo-10").await, ["WO-100", "WO-101", "WO-102", "WO-103"]);
    assert!(search("CONTAINS", "nothing").await.is_empty());

    // With the other filters: AND, as every filter.
    let narrowed = app
        .ok(
            PO,
            "findProductionOrders",
            json!({"filters": [
                {"field": "search", "condition": "CONTAINS", "stringValue": "gear"},
                {"field": "productName", "condition": "EQUALS", "stringValue": "Widget"}],
                "sortFields": ["name"]}),
        )
        .await;
    assert_eq!(names(&narrowed), ["GEAR-7", "WO-102"]);

    // A renamed customer is found by its new name.
    app.ok("customer", "saveCustomer", json!({"id": other["id"], "name": "Sprocket Inc"}))
        .await;
    assert_eq!(search("CONTAINS", "sprocket").await, ["WO-103"]);

    // Refused: conditions a row could meet through a name it does not have, sorting by it,
    // and the field on entities without one.
    for (q, key) in [
        (
            json!({"filters": [{"field": "search", "condition": "NOT_EQUALS", "stringValue": "x"}]}),
            "filters[0].condition",
        ),
        (json!({"sortFields": ["search"]}), "sortFields[0]"),
    ] {
        let (status, body) = app.call(PO, "findProductionOrders", q).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.to_string().contains(key), "{body}");
    }
    let (status, body) = app
        .call(
            "customer",
            "findCustomers",
            json!({"filters": [{"field": "search", "condition": "CONTAINS", "stringValue": "x"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    app.stop().await;
}
