//! Many clients at once: production reports are never lost, a new name is taken by exactly one
//! of several concurrent saves, and one `version` lets exactly one of several concurrent saves
//! through. The outcomes are decided by the server's rules, never by timing.

use crate::helpers::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

const CLIENTS: usize = 8;

async fn stop(app: Arc<TestApp>) {
    match Arc::try_unwrap(app) {
        Ok(app) => app.stop().await,
        Err(_) => panic!("a client task still holds the app"),
    }
}

/// Runs `CLIENTS` copies of `call(app, client)` at once (released together by a barrier) and
/// returns every answer.
async fn all_at_once<F, Fut>(app: &Arc<TestApp>, call: F) -> Vec<(StatusCode, Value)>
where
    F: Fn(Arc<TestApp>, usize) -> Fut,
    Fut: std::future::Future<Output = (StatusCode, Value)> + Send + 'static,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(CLIENTS));
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let barrier = barrier.clone();
            let request = call(app.clone(), c);
            tokio::spawn(async move {
                barrier.wait().await;
                request.await
            })
        })
        .collect();
    let mut answers = Vec::with_capacity(CLIENTS);
    for t in tasks {
        answers.push(t.await.expect("client task"));
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_production_reports_are_all_counted() {
    const REPORTS: usize = 250;
    let app = Arc::new(spawn_app().await);
    let (unit, material) = app.master_data().await;
    let order = app
        .ok(
            "productionOrder",
            "saveProductionOrder",
            json!({"name": "Busy", "productId": material, "unitOfMeasureId": unit, "status": "RUNNING", "quantity": 2000}),
        )
        .await;
    let id = order["id"].as_str().unwrap().to_string();

    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let app = app.clone();
            let id = id.clone();
            tokio::spawn(async move {
                for i in 0..REPORTS {
                    // Half by id, half by name (case-insensitive lookup), positional and keyword.
                    let body = if (c + i) % 2 == 0 {
                        json!([id, 1])
                    } else {
                        json!({"productionOrderIdOrName": "busy", "quantity": 1, "reason": format!("client {c}")})
                    };
                    let (status, answer) = app.call("productionOrder", "reportProduction", body).await;
                    assert_eq!(status, StatusCode::OK, "client {c} report {i}: {answer}");
                    assert_eq!(answer["status"], "RUNNING");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("client task");
    }

    let total = (CLIENTS * REPORTS) as f64;
    let stored = app.ok("productionOrder", "getProductionOrder", json!([id])).await;
    assert_eq!(stored["quantityProduced"], json!(total), "{stored}");
    assert_eq!(stored["version"], json!(1 + CLIENTS * REPORTS), "every report is one update");

    let history = app.ok("productionOrder", "getProductionOrderHistory", json!([id])).await;
    let events = history.as_array().expect("history is a list");
    let reports: Vec<&Value> = events.iter().filter(|e| e["action"] == "REPORT").collect();
    assert_eq!(reports.len(), CLIENTS * REPORTS, "one REPORT event per report");
    assert_eq!(events.len(), 1 + CLIENTS * REPORTS, "CREATE plus the reports: {:?}", events.first());
    assert_eq!(events[0]["action"], "CREATE");
    // Oldest first, strictly increasing sequences, and each report moved the count by exactly
    // one from where the previous one left it: no lost or doubled update.
    let sequences: Vec<i64> = events.iter().map(|e| e["sequence"].as_i64().expect("sequence")).collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "sequences not increasing");
    let mut steps = BTreeSet::new();
    for (n, e) in reports.iter().enumerate() {
        let change = &e["changes"]["quantityProduced"];
        let old = change[0]
            .as_f64()
            .unwrap_or_else(|| panic!("REPORT without quantityProduced change: {e}"));
        let new = change[1].as_f64().expect("new quantityProduced");
        assert_eq!(old, n as f64, "report {n} started from {old}: {e}");
        assert_eq!(new, old + 1.0, "{e}");
        steps.insert(new as i64);
    }
    assert_eq!(steps.len(), CLIENTS * REPORTS);
    stop(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_name_is_taken_by_exactly_one_of_many_concurrent_saves() {
    let app = Arc::new(spawn_app().await);
    let (unit, material) = app.master_data().await;
    for round in 0..10 {
        let (unit, material) = (unit.clone(), material.clone());
        let answers = all_at_once(&app, move |app, c| {
            // The same name in different letter cases: names are unique case-insensitively.
            let name = match c % 3 {
                0 => format!("Dup-{round}"),
                1 => format!("DUP-{round}"),
                _ => format!("dup-{round}"),
            };
            let body = json!({"name": name, "productId": material, "unitOfMeasureId": unit, "quantity": c});
            async move { app.call("productionOrder", "saveProductionOrder", body).await }
        })
        .await;
        let winners: Vec<&Value> = answers.iter().filter(|(s, _)| *s == StatusCode::OK).map(|(_, v)| v).collect();
        assert_eq!(winners.len(), 1, "round {round}: {answers:?}");
        for (status, answer) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
            assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "round {round}: {answer}");
            assert_eq!(answer["error"]["code"], "validation", "{answer}");
            assert!(
                answer["error"]["fields"]["name"].as_array().is_some_and(|m| !m.is_empty()),
                "the error names `name`: {answer}"
            );
        }
        let found = app
            .ok(
                "productionOrder",
                "findProductionOrders",
                json!({"filters": [{"field": "name", "condition": "EQUALS", "stringValue": format!("dUp-{round}")}]}),
            )
            .await;
        assert_eq!(found["totalElements"], 1, "{found}");
        assert_eq!(found["content"][0]["id"], winners[0]["id"]);
    }
    let all = app.ok("productionOrder", "getAllProductionOrders", json!([])).await;
    assert_eq!(all.as_array().map(Vec::len), Some(10));
    stop(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_version_lets_exactly_one_of_many_concurrent_saves_through() {
    let app = Arc::new(spawn_app().await);
    let (unit, material) = app.master_data().await;
    let order = app.order("Contended", &unit, &material).await;
    let id = order["id"].as_str().unwrap().to_string();
    const ROUNDS: i64 = 10;
    for round in 0..ROUNDS {
        let version = round + 1;
        let id2 = id.clone();
        let answers = all_at_once(&app, move |app, c| {
            let body = json!({"id": id2, "version": version, "quantity": 100 * round + c as i64, "notes": format!("client {c}")});
            async move { app.call("productionOrder", "saveProductionOrder", body).await }
        })
        .await;
        let winners: Vec<&Value> = answers.iter().filter(|(s, _)| *s == StatusCode::OK).map(|(_, v)| v).collect();
        assert_eq!(winners.len(), 1, "round {round}: {answers:?}");
        let winner = winners[0];
        assert_eq!(winner["version"], json!(version + 1), "{winner}");
        for (status, answer) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
            assert_eq!(*status, StatusCode::CONFLICT, "round {round}: {answer}");
            assert_eq!(answer["error"]["code"], "conflict", "{answer}");
            // The conflict returns the stored record: the winner's write.
            let current = &answer["error"]["current"];
            assert_eq!(current["id"], json!(id), "{answer}");
            assert_eq!(current["version"], json!(version + 1), "{answer}");
            assert_eq!(current["quantity"], winner["quantity"], "{answer}");
        }
        let stored = app.ok("productionOrder", "getProductionOrder", json!([id])).await;
        assert_eq!(stored["version"], json!(version + 1));
        assert_eq!(stored["quantity"], winner["quantity"]);
        assert_eq!(stored["notes"], winner["notes"]);
    }
    // Exactly one UPDATE event per round.
    let history = app.ok("productionOrder", "getProductionOrderHistory", json!([id])).await;
    let updates = history.as_array().unwrap().iter().filter(|e| e["action"] == "UPDATE").count();
    assert_eq!(updates as i64, ROUNDS, "{history}");
    stop(app).await;
}
