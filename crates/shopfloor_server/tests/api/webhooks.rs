//! Webhooks (issue 20): a real HTTP receiver on 127.0.0.1 gets every selected event, signed, in
//! sequence order, at least once — through a burst, a receiver that fails for a while, a replay;
//! bad definitions are 422 naming the field, and the secret is never answered.

use crate::helpers::{fields, spawn_app, spawn_app_with, verifies, TestApp};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use axum::Router;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const INT: &str = "integration";
const SECRET: &str = "a-secret-of-some-length";

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub event_header: String,
    pub signature: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("the body is JSON")
    }

    pub fn sequence(&self) -> i64 {
        self.json()["event"]["sequence"].as_i64().expect("a sequence")
    }
}

#[derive(Default)]
struct Inbox {
    /// Requests answered 2xx, in arrival order.
    accepted: Mutex<Vec<Received>>,
    /// How many requests to answer 500 before accepting.
    fail_next: AtomicUsize,
    refused: AtomicUsize,
}

/// A webhook receiver on 127.0.0.1:0.
pub struct Receiver {
    pub url: String,
    inbox: Arc<Inbox>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inbox = Arc::new(Inbox::default());
        let app = Router::new().route("/hook", post(receive)).with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, inbox }
    }

    /// Answers the next `n` requests 500.
    pub fn fail_next(&self, n: usize) {
        self.inbox.fail_next.store(n, Ordering::SeqCst);
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.inbox.accepted.lock().unwrap().clone()
    }

    pub fn refused(&self) -> usize {
        self.inbox.refused.load(Ordering::SeqCst)
    }

    /// Waits until `done` holds for what was accepted (at most 60 s).
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.accepted();
            if done(&got) {
                return got;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "{what}: got {} deliveries", got.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: String) -> AxumStatus {
    let failing = inbox
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        inbox.refused.fetch_add(1, Ordering::SeqCst);
        return AxumStatus::INTERNAL_SERVER_ERROR;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    inbox.accepted.lock().unwrap().push(Received {
        event_header: header("shopfloor-event"),
        signature: header("shopfloor-signature"),
        body,
    });
    AxumStatus::OK
}

async fn hook(app: &TestApp, name: &str, url: &str, extra: Value) -> Value {
    let mut data = json!({"name": name, "url": url, "secret": SECRET});
    for (k, v) in extra.as_object().unwrap() {
        data[k] = v.clone();
    }
    app.ok(INT, "saveWebhook", data).await
}

/// The history's events after `after` (as an administrator sees them).
async fn events_after(app: &TestApp, after: i64) -> Vec<Value> {
    let r = app
        .client
        .get(format!("{}/api/v1/events?after={after}&timeout=0", app.address))
        .send()
        .await
        .unwrap();
    r.text().await.unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

async fn head(app: &TestApp) -> i64 {
    let r = app
        .send(reqwest::Method::GET, "/api/v1/events?after=0&timeout=0&limit=1", None, &[])
        .await;
    let mut after: i64 = r.header("x-last-sequence").parse().unwrap();
    loop {
        let more = events_after(app, after).await;
        match more.last() {
            Some(e) => after = e["sequence"].as_i64().unwrap(),
            None => return after,
        }
    }
}

#[tokio::test]
async fn a_burst_of_writes_arrives_complete_signed_and_in_sequence_order() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (unit, material) = app.master_data().await;
    let created = hook(&app, "all", &receiver.url, json!({})).await;
    assert!(created.get("secret").is_none(), "the secret is write-only: {created}");
    let start = head(&app).await;

    for i in 0..20 {
        let name = format!("B{i}");
        app.order(&name, &unit, &material).await;
        app.ok("productionOrder", "startProductionOrder", json!([name])).await;
    }
    let end = head(&app).await;
    let expected: Vec<i64> = events_after(&app, start)
        .await
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(expected.len(), 40);

    let got = receiver
        .wait_for("every event of the burst", |r| r.last().is_some_and(|l| l.sequence() >= end))
        .await;
    let sequences: Vec<i64> = got.iter().map(Received::sequence).collect();
    assert_eq!(sequences, expected, "each event once, in sequence order");
    for r in &got {
        assert!(verifies(SECRET, &r.signature, &r.body), "signature {} of {}", r.signature, r.body);
        assert!(!verifies("another-secret-entirely", &r.signature, &r.body));
        assert_eq!(r.event_header, r.sequence().to_string());
    }
    let last = got.last().unwrap().json();
    assert_eq!(last["event"]["action"], "TRANSITION");
    assert_eq!(last["record"]["name"], "B19", "the record comes along: {last}");
    assert_eq!(last["record"]["status"], "RUNNING");

    let state = app.ok(INT, "getWebhook", json!(["all"])).await;
    assert!(state.get("secret").is_none(), "{state}");
    // The attempts are logged just after the receiver answers: wait for the last, boundedly.
    let mut deliveries = app.ok(INT, "getWebhookDeliveries", json!(["all", 0, 5])).await;
    for _ in 0..100 {
        if deliveries["content"][0]["sequence"] == end {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        deliveries = app.ok(INT, "getWebhookDeliveries", json!(["all", 0, 5])).await;
    }
    assert_eq!(deliveries["content"].as_array().unwrap().len(), 5, "{deliveries}");
    assert_eq!(deliveries["content"][0]["statusCode"], 200);
    assert_eq!(deliveries["content"][0]["sequence"], end, "newest first");
    app.stop().await;
}

#[tokio::test]
async fn a_receiver_answering_500_for_a_while_gets_every_event_afterwards() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (unit, material) = app.master_data().await;
    hook(&app, "flaky", &receiver.url, json!({"entities": ["ProductionOrder"]})).await;
    receiver.fail_next(3);
    for i in 0..5 {
        app.order(&format!("F{i}"), &unit, &material).await;
    }

    let got = receiver.wait_for("five orders after the failures", |r| r.len() >= 5).await;
    let names: Vec<Value> = got.iter().map(|r| r.json()["record"]["name"].clone()).collect();
    assert_eq!(names, ["F0", "F1", "F2", "F3", "F4"], "in order, none lost");
    assert_eq!(receiver.refused(), 3);
    assert!(
        got.iter().all(|r| r.json()["event"]["entity"] == "ProductionOrder"),
        "only the entities asked for"
    );

    let log = app.ok(INT, "getWebhookDeliveries", json!({"webhookIdOrName": "flaky"})).await;
    let failed: Vec<&Value> = log["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["statusCode"] == 500)
        .collect();
    assert_eq!(failed.len(), 3, "{log}");
    assert!(failed[0]["error"].as_str().unwrap().contains("500"), "{log}");
    // The hook's state is stored just after the receiver answers: wait for it, boundedly.
    let mut state = app.ok(INT, "getWebhook", json!(["flaky"])).await;
    for _ in 0..100 {
        if state["delivery"]["failures"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        state = app.ok(INT, "getWebhook", json!(["flaky"])).await;
    }
    assert_eq!(state["delivery"]["failures"], 0, "{state}");
    assert_eq!(state["delivery"]["paused"], false, "{state}");
    app.stop().await;
}

#[tokio::test]
async fn a_hook_failing_longer_than_the_pause_setting_is_paused_with_its_reason_until_saved() {
    let app = spawn_app_with(|c| c.webhooks.pause_after = Duration::from_millis(1500)).await;
    let receiver = Receiver::start().await;
    hook(&app, "dead", &receiver.url, json!({})).await;
    receiver.fail_next(usize::MAX);
    app.ok("customer", "saveCustomer", json!({"name": "C1"})).await;

    let started = Instant::now();
    let state = loop {
        let state = app.ok(INT, "getWebhook", json!(["dead"])).await;
        if state["delivery"]["paused"] == true {
            break state;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "never paused: {state}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let reason = state["delivery"]["pausedReason"].as_str().unwrap();
    assert!(reason.contains("failing since") && reason.contains("500"), "{reason}");
    assert!(state["delivery"]["lag"].as_i64().unwrap() >= 1, "{state}");
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("shopfloor_webhook_lag{webhook="), "{metrics}");

    receiver.fail_next(0);
    app.ok(
        INT,
        "saveWebhook",
        json!({"name": "dead", "id": state["id"], "notes": "receiver fixed"}),
    )
    .await;
    let got = receiver.wait_for("the customer after the resume", |r| !r.is_empty()).await;
    assert_eq!(got[0].json()["record"]["name"], "C1");
    app.stop().await;
}

#[tokio::test]
async fn a_replay_delivers_again_from_the_sequence_asked_for() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    hook(
        &app,
        "again",
        &receiver.url,
        json!({"entities": ["Customer"], "actions": ["create"]}),
    )
    .await;
    app.ok("customer", "saveCustomer", json!({"name": "R1"})).await;
    app.ok("customer", "saveCustomer", json!({"name": "R2"})).await;
    let first = receiver.wait_for("both customers", |r| r.len() >= 2).await;

    let from = first[0].sequence();
    let (status, answer) = app.call(INT, "replayWebhook", json!(["again", from])).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let got = receiver.wait_for("both again", |r| r.len() >= 4).await;
    let seqs: Vec<i64> = got.iter().map(Received::sequence).collect();
    assert_eq!(seqs, [from, first[1].sequence(), from, first[1].sequence()]);

    let (status, answer) = app.call(INT, "replayWebhook", json!(["again", 0])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&answer)["fromSequence"].is_array(), "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn bad_webhook_definitions_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            "a URL of another scheme",
            json!({"name": "h", "url": "ftp://example.com/x", "secret": SECRET}),
            "url",
        ),
        (
            "a URL without a host",
            json!({"name": "h", "url": "http:///x", "secret": SECRET}),
            "url",
        ),
        ("no secret", json!({"name": "h", "url": "http://127.0.0.1:9/x"}), "secret"),
        (
            "a short secret",
            json!({"name": "h", "url": "http://127.0.0.1:9/x", "secret": "short"}),
            "secret",
        ),
        (
            "an unknown entity",
            json!({"name": "h", "url": "http://127.0.0.1:9/x", "secret": SECRET, "entities": ["Nope"]}),
            "entities",
        ),
        (
            "an unknown action",
            json!({"name": "h", "url": "http://127.0.0.1:9/x", "secret": SECRET, "actions": ["EXPLODE"]}),
            "actions",
        ),
        (
            "entities that are not a list",
            json!({"name": "h", "url": "http://127.0.0.1:9/x", "secret": SECRET, "entities": "Material"}),
            "entities",
        ),
    ];
    for (what, data, field) in cases {
        let (status, answer) = app.call(INT, "saveWebhook", data.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {answer}");
        assert!(fields(&answer)[field].is_array(), "{what}: {answer}");
        let (status, answer) = app.post("/api/v1/webhooks", data).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what} (REST): {answer}");
        assert!(fields(&answer)[field].is_array(), "{what} (REST): {answer}");
    }
    let (status, created) = app
        .post(
            "/api/v1/webhooks",
            json!({"name": "ok", "url": "https://example.com/in", "secret": SECRET}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (_, listed) = app.get("/api/v1/webhooks").await;
    assert!(!listed.to_string().contains(SECRET), "{listed}");
    let history = app.send(reqwest::Method::GET, "/api/v1/events?after=0&timeout=0", None, &[]).await;
    assert!(history.text.contains("\"Webhook\""), "the hook's own CREATE is in the history");
    assert!(!history.text.contains(SECRET));
    let all = app.ok(INT, "getAllWebhooks", json!(null)).await;
    assert!(!all.to_string().contains(SECRET), "{all}");
    let (status, _) = app.call(INT, "deleteWebhook", json!(["ok"])).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

/// What a raw receiver does with the request of each attempt, in order; then it accepts.
#[derive(Clone, Copy, Debug)]
enum Misbehaviour {
    /// Reads the request and never answers.
    Hang,
    /// Reads the headers (and what came with them), then closes the connection mid-body.
    CloseMidBody,
}

/// A receiver written on bare TCP, so that it can hang or cut a request off; after the
/// misbehaviours it answers 200 and keeps the bodies it got (one request per connection
/// read whole: headers, then `content-length` bytes).
struct RawReceiver {
    url: String,
    accepted: Arc<Mutex<Vec<Value>>>,
}

impl RawReceiver {
    async fn start(plan: Vec<Misbehaviour>) -> RawReceiver {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let plan = Arc::new(Mutex::new(std::collections::VecDeque::from(plan)));
        let keep = accepted.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                let (plan, keep) = (plan.clone(), keep.clone());
                tokio::spawn(async move {
                    // Requests on this connection, one after another (keep-alive).
                    let mut buffer = Vec::new();
                    loop {
                        let Some(end) = read_until_headers(&mut socket, &mut buffer).await else {
                            return;
                        };
                        let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        let next = plan.lock().unwrap().pop_front();
                        match next {
                            Some(Misbehaviour::Hang) => {
                                tokio::time::sleep(Duration::from_secs(3600)).await;
                                return;
                            }
                            Some(Misbehaviour::CloseMidBody) => {
                                // Dropping the socket with the body unread (or partly read,
                                // with the headers) closes it before any answer.
                                return;
                            }
                            None => {}
                        }
                        buffer.drain(..end);
                        while buffer.len() < length {
                            let mut chunk = [0u8; 4096];
                            match socket.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                            }
                        }
                        let body: Vec<u8> = buffer.drain(..length).collect();
                        keep.lock().unwrap().push(serde_json::from_slice(&body).expect("a JSON body"));
                        if socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        RawReceiver { url, accepted }
    }

    fn sequences(&self) -> Vec<i64> {
        self.accepted
            .lock()
            .unwrap()
            .iter()
            .map(|b| b["event"]["sequence"].as_i64().expect("a sequence"))
            .collect()
    }
}

/// Reads into `buffer` until it holds a request's headers; their length (with the blank line),
/// or `None` when the connection ends first.
async fn read_until_headers(socket: &mut tokio::net::TcpStream, buffer: &mut Vec<u8>) -> Option<usize> {
    use tokio::io::AsyncReadExt;
    loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(at + 4);
        }
        let mut chunk = [0u8; 4096];
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

#[tokio::test]
async fn a_receiver_that_hangs_or_closes_mid_body_gets_failed_attempts_then_every_event() {
    let app = spawn_app_with(|c| c.webhooks.attempt_timeout = Duration::from_millis(500)).await;
    let receiver = RawReceiver::start(vec![Misbehaviour::Hang, Misbehaviour::CloseMidBody]).await;
    hook(&app, "rude", &receiver.url, json!({"entities": ["Customer"]})).await;
    let start = head(&app).await;
    for name in ["H1", "H2", "H3"] {
        app.ok("customer", "saveCustomer", json!({"name": name})).await;
    }
    let expected: Vec<i64> = events_after(&app, start)
        .await
        .iter()
        .filter(|e| e["entity"] == "Customer")
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(expected.len(), 3);

    let started = Instant::now();
    while receiver.sequences().len() < 3 {
        assert!(started.elapsed() < Duration::from_secs(60), "got {:?}", receiver.sequences());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(receiver.sequences(), expected, "every event, once, in order, after the failures");

    // The failed attempts are in the log: one timed out, one cut off; neither has a status.
    let mut failed = Vec::new();
    for _ in 0..100 {
        let log = app.ok(INT, "getWebhookDeliveries", json!(["rude", 0, 100])).await;
        failed = log["content"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["success"] == false)
            .cloned()
            .collect();
        if failed.len() >= 2 && log["content"][0]["success"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed.iter().all(|a| a["statusCode"].is_null() && a["sequence"] == expected[0]),
        "{failed:?}"
    );
    let errors: Vec<&str> = failed.iter().map(|a| a["error"].as_str().unwrap()).collect();
    assert!(errors[1].contains("timed out"), "the older failure is the hang: {errors:?}");
    assert!(!errors[0].contains("timed out"), "the newer is the cut connection: {errors:?}");
    app.stop().await;
}
