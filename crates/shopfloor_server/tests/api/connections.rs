//! Connection limits and stalled clients, over raw TCP: connections beyond the limit get a
//! clean 503; a client that stalls (a half-sent request head, a body that never finishes, a
//! response it never reads) loses its connection after the timeout, and its slot serves the
//! next client.

use crate::helpers::{spawn_app_with, TestApp};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .expect("connects")
}

/// Sends one `GET /healthz` on a new connection; the status line's code and the body.
async fn healthz(app: &TestApp) -> (u16, String) {
    let mut s = connect(app).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_string(&mut answer))
        .await
        .expect("an answer within 10 s")
        .expect("readable answer");
    let code = answer.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
    (code, body)
}

/// Waits until the server closes `s` (read returns 0 or an error); how long that took.
async fn closed_within(what: &str, s: &mut TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    let mut buf = vec![0u8; 65536];
    tokio::time::timeout(limit, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the server kept {what} open longer than {limit:?}"));
    started.elapsed()
}

#[tokio::test]
async fn connections_beyond_the_limit_get_503_and_a_freed_slot_serves_again() {
    let app = spawn_app_with(|c| c.max_connections = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut s = connect(&app).await;
        // A served keep-alive request proves the connection holds a slot.
        s.write_all(b"GET /healthz HTTP/1.1\r\nhost: test\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).await.unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
        held.push(s);
    }
    for _ in 0..5 {
        let (code, body) = healthz(&app).await;
        assert_eq!(code, 503, "{body}");
        let body: Value = serde_json::from_str(&body).expect("JSON envelope");
        assert_eq!(body["error"]["code"], "unavailable");
    }
    drop(held.pop());
    // The slot is released when the server notices the close; give it a moment.
    let mut code = 0;
    for _ in 0..50 {
        code = healthz(&app).await.0;
        if code == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(code, 200, "a closed connection frees its slot");
    // The held connections still work.
    let s = &mut held[0];
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: test\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 512];
    let n = s.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
}

#[tokio::test]
async fn stalled_request_heads_and_idle_connections_are_closed_and_free_their_slots() {
    let app = spawn_app_with(|c| {
        c.max_connections = 3;
        c.client_timeout = Duration::from_millis(800);
    })
    .await;
    let mut half_head = connect(&app).await;
    half_head.write_all(b"GET /healthz HTTP/1.1\r\nhost: te").await.unwrap();
    let mut idle = connect(&app).await;
    // A keep-alive connection idle after its first request.
    idle.write_all(b"GET /healthz HTTP/1.1\r\nhost: test\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 512];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let mut silent = connect(&app).await;
    // All slots are taken: a third client is refused.
    assert_eq!(healthz(&app).await.0, 503);
    let waited = closed_within("a half-sent request head", &mut half_head, Duration::from_secs(10)).await;
    assert!(waited >= Duration::from_millis(500), "closed after {waited:?}, before the timeout");
    closed_within("an idle keep-alive connection", &mut idle, Duration::from_secs(10)).await;
    closed_within("a connection that never sent a byte", &mut silent, Duration::from_secs(10)).await;
    assert_eq!(healthz(&app).await.0, 200, "the freed slots serve new clients");
}

#[tokio::test]
async fn a_body_that_never_finishes_gets_408() {
    let app = spawn_app_with(|c| c.request_timeout = Duration::from_millis(800)).await;
    let mut s = connect(&app).await;
    let head = format!(
        "POST /api/v1/script/productionOrder/saveProductionOrder HTTP/1.1\r\nhost: test\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"name\":",
        app.token
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut answer))
        .await
        .expect("answered within 10 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"timeout""#), "{answer}");
    let (status, found) = app.call("productionOrder", "getAllProductionOrders", serde_json::json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(found.as_array().map(Vec::len), Some(0), "nothing was written");
}

#[tokio::test]
async fn a_client_that_stops_reading_its_responses_is_closed_and_frees_its_slot() {
    let app = spawn_app_with(|c| {
        c.max_connections = 1;
        c.client_timeout = Duration::from_millis(800);
    })
    .await;
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut s = socket
        .connect(app.address.trim_start_matches("http://").parse().unwrap())
        .await
        .unwrap();
    // Pipelined requests for the OpenAPI document (large), none of whose answers is read:
    // the server's writes stall once the socket buffers are full.
    let request = format!(
        "GET /api/v1/openapi.json HTTP/1.1\r\nhost: test\r\nauthorization: Bearer {}\r\n\r\n",
        app.token
    )
    .repeat(200);
    let _ = tokio::time::timeout(Duration::from_secs(5), s.write_all(request.as_bytes())).await;
    // The only slot is taken until the server gives up on the stalled reader.
    let started = Instant::now();
    let mut code = 0;
    while started.elapsed() < Duration::from_secs(15) {
        code = healthz(&app).await.0;
        if code == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(code, 200, "the stalled reader's slot was never freed");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "served before the stalled reader timed out"
    );
}
