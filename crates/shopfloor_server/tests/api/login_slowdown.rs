//! The login slow-down is kept per user name and client address: failures from one address do
//! not delay the same name from another (issue 22 #10). The test's clients connect to
//! 127.0.0.1 from two loopback addresses.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;
use std::net::IpAddr;
use std::time::{Duration, Instant};

async fn login(app: &TestApp, from: &str, password: &str) -> (StatusCode, Duration) {
    let client = reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .build()
        .unwrap();
    let started = Instant::now();
    let reply = client
        .post(format!("{}/api/v1/login", app.address))
        .json(&json!({"name": "ann", "password": password}))
        .send()
        .await
        .unwrap();
    (reply.status(), started.elapsed())
}

#[tokio::test]
async fn failed_logins_from_one_address_do_not_delay_the_right_password_from_another() {
    let app = spawn_app().await;
    app.ok(
        "security",
        "saveUser",
        json!({"name": "ann", "roles": ["Viewer"], "password": "s3cret pass"}),
    )
    .await;
    // Four failures from the attacker's address: the next attempt from there waits 2 s.
    for _ in 0..4 {
        assert_eq!(login(&app, "127.0.0.2", "guess").await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, took) = login(&app, "127.0.0.1", "s3cret pass").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        took < Duration::from_millis(1500),
        "the user's own address is not slowed down: {took:?}"
    );
    let (status, took) = login(&app, "127.0.0.2", "guess").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(took >= Duration::from_secs(2), "the attacker's address still is: {took:?}");
    // From the failing address the right password is still accepted, after at most 5 s.
    let (status, took) = login(&app, "127.0.0.2", "s3cret pass").await;
    assert_eq!(status, StatusCode::OK);
    assert!(took < Duration::from_secs(7), "{took:?}");
    app.stop().await;
}
