//! Webhook delivery by the `shopfloor` binary as a process (issue 20): a server SIGKILLed in the
//! middle of delivering, then restarted, delivers every event at least once and none out of
//! order; two instances on one PostgreSQL database deliver each event once per hook between
//! them (needs `TEST_DATABASE_URL`, as `scripts/with-postgres` provides; without it that test
//! says so and passes).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;
use support::{client, feed_events, master_data, ok, Database, Server};

/// The `Shopfloor-Event` sequences the receiver accepted, in arrival order.
type Inbox = Arc<Mutex<Vec<i64>>>;

/// A slow receiver on 127.0.0.1:0 (20 ms per request, so a kill lands mid-delivery).
async fn receiver() -> (String, Inbox) {
    async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: String) -> AxumStatus {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let sequence: i64 = headers["shopfloor-event"].to_str().unwrap().parse().unwrap();
        let event: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(event["event"]["sequence"], sequence);
        inbox.lock().unwrap().push(sequence);
        AxumStatus::OK
    }
    let inbox = Inbox::default();
    let app = Router::new().route("/hook", post(receive)).with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, inbox)
}

/// The sequences of the order events after `after`, as the feed lists them.
async fn order_events(http: &reqwest::Client, base: &str, after: i64) -> Vec<i64> {
    let events = feed_events(http, base, after).await;
    events
        .iter()
        .filter(|e| e["entity"] == "ProductionOrder")
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect()
}

/// Waits until every sequence of `expected` has arrived (at most 90 s).
async fn wait_for_all(inbox: &Inbox, expected: &[i64]) -> Vec<i64> {
    let started = Instant::now();
    loop {
        let got = inbox.lock().unwrap().clone();
        if expected.iter().all(|s| got.contains(s)) {
            return got;
        }
        let missing: Vec<&i64> = expected.iter().filter(|s| !got.contains(s)).collect();
        assert!(started.elapsed() < Duration::from_secs(90), "never delivered: {missing:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Creates the hook and then `n` orders; returns the hook's start (the head before the orders).
async fn hook_and_orders(http: &reqwest::Client, base: &str, url: &str, n: usize) -> i64 {
    let (unit, material) = master_data(http, base).await;
    let data = json!({"name": "erp", "url": url, "secret": "sixteen-chars-at-least", "entities": ["ProductionOrder"]});
    let hook = ok(http, base, "integration", "saveWebhook", data).await;
    let start = hook["delivery"]["lastDeliveredSequence"].as_i64().unwrap();
    for i in 0..n {
        let order = json!({"name": format!("W{i:03}"), "productId": material, "unitOfMeasureId": unit});
        ok(http, base, "productionOrder", "saveProductionOrder", order).await;
    }
    start
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_delivery_delivers_every_event_after_its_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopfloor.db");
    let (url, inbox) = receiver().await;
    let mut server = Server::start(&db, true);
    let http = client(server.token.as_deref());
    let start = hook_and_orders(&http, &server.base, &url, 150).await;
    let expected = order_events(&http, &server.base, start).await;
    assert_eq!(expected.len(), 150);
    let started = Instant::now();
    while inbox.lock().unwrap().len() < 10 {
        assert!(started.elapsed() < Duration::from_secs(60), "delivery never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.child.kill().expect("SIGKILL");
    let _ = server.wait();
    let before_restart = inbox.lock().unwrap().len();
    assert!(
        before_restart < expected.len(),
        "the kill came mid-delivery ({before_restart} delivered)"
    );

    let server = Server::start(&db, false);
    let got = wait_for_all(&inbox, &expected).await;
    // At least once: a batch cut short by the kill may come again, from its start.
    let mut first_arrivals = Vec::new();
    for s in &got {
        if !first_arrivals.contains(s) {
            first_arrivals.push(*s);
        }
    }
    assert_eq!(first_arrivals, expected, "every event, first seen in sequence order");
    let redelivered = &got[before_restart..];
    assert!(redelivered.windows(2).all(|w| w[0] < w[1]), "after the restart, in order again");
    server.terminate();
    let (status, _) = server.wait();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgresql_deliver_each_event_once_per_hook() {
    let Some(pg) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("webhooks on two instances: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    let db = Database::create(&pg, "webhooks");
    let (url, inbox) = receiver().await;
    let first = Server::start(&db.url, true);
    let second = Server::start(&db.url, false);
    let http = client(first.token.as_deref());
    let start = hook_and_orders(&http, &first.base, &url, 60).await;
    let expected = order_events(&http, &first.base, start).await;
    assert_eq!(expected.len(), 60);

    let got = wait_for_all(&inbox, &expected).await;
    // Both instances run a deliverer; give a second one time to deliver anything twice.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let got_later = inbox.lock().unwrap().clone();
    assert_eq!(got_later.len(), got.len(), "nothing more arrived");
    assert_eq!(got_later, expected, "each event once, in sequence order");
    drop((first, second));
}
