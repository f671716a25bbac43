//! The token cache (crates/shopfloor_server/src/auth_cache.rs): a cached caller never outlives a
//! change of what it was resolved from — a revoked token, a disabled or deleted user, a role
//! that lost a permission, an assignment taken away — on the very next request; a change made
//! beside the server (raw SQL, another process) within the cache's re-check bound.

use crate::helpers::{authorized_client, on_own_thread, spawn_app, TestApp};
use crate::security::token_with;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const SEC: &str = "security";

/// The status of one read the token's holder is allowed while nothing changes.
async fn read_status(app: &TestApp, client: &reqwest::Client) -> StatusCode {
    let url = format!("{}/api/v1/script/productionOrder/getAllProductionOrders", app.address);
    client.post(url).send().await.unwrap().status()
}

/// Runs one statement on the server's database through a connection of its own, as a tool
/// beside the server would.
fn execute_beside(app: &TestApp, statement: &'static str) {
    let url = app.database.url.clone();
    if app.database.is_postgres() {
        on_own_thread(move || {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            client.batch_execute(statement).unwrap();
        });
    } else {
        let conn = rusqlite::Connection::open(&url).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        conn.execute_batch(statement).unwrap();
    }
}

#[tokio::test]
async fn a_role_losing_a_permission_stops_its_holders_on_the_next_request() {
    let app = spawn_app().await;
    let client = authorized_client(&token_with(&app, "reader", &["PRODUCTION_ORDER.READ", "MATERIAL.READ"]).await);
    for _ in 0..3 {
        assert_eq!(read_status(&app, &client).await, StatusCode::OK);
    }
    let role = app.ok(SEC, "getRole", json!(["role reader"])).await;
    app.ok(SEC, "saveRole", json!({"id": role["id"], "permissions": ["MATERIAL.READ"]}))
        .await;

    assert_eq!(read_status(&app, &client).await, StatusCode::FORBIDDEN);

    app.ok(SEC, "saveRole", json!({"id": role["id"], "permissions": ["PRODUCTION_ORDER.READ"]}))
        .await;
    assert_eq!(
        read_status(&app, &client).await,
        StatusCode::OK,
        "a permission given back counts at once too"
    );
}

#[tokio::test]
async fn a_role_taken_from_a_user_and_a_deleted_user_stop_on_the_next_request() {
    let app = spawn_app().await;
    let client = authorized_client(&token_with(&app, "ops", &["PRODUCTION_ORDER.READ"]).await);
    assert_eq!(read_status(&app, &client).await, StatusCode::OK);
    let user: Value = app.ok(SEC, "getUser", json!(["user ops"])).await;

    app.ok(SEC, "saveUser", json!({"id": user["id"], "roles": []})).await;
    assert_eq!(read_status(&app, &client).await, StatusCode::FORBIDDEN);

    app.ok(SEC, "saveUser", json!({"id": user["id"], "roles": ["role ops"]})).await;
    assert_eq!(read_status(&app, &client).await, StatusCode::OK);
    let deleted = app.ok(SEC, "deleteUser", json!(["user ops"])).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert_eq!(read_status(&app, &client).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_revoked_beside_the_server_stops_at_once() {
    let app = spawn_app().await;
    let client = authorized_client(&token_with(&app, "side", &["PRODUCTION_ORDER.READ"]).await);
    assert_eq!(read_status(&app, &client).await, StatusCode::OK);

    // No service call, no history event: only the database's security generation moves.
    execute_beside(
        &app,
        "UPDATE api_tokens SET revoked_date = 1 WHERE user_id = (SELECT id FROM users WHERE name = 'user side')",
    );
    assert_eq!(read_status(&app, &client).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_last_used_date_written_beside_the_server_does_not_move_the_security_generation() {
    let app = spawn_app().await;
    let generation = |app: &TestApp| -> i64 {
        let url = app.database.url.clone();
        if app.database.is_postgres() {
            on_own_thread(move || {
                let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                client.query_one("SELECT generation FROM security_generations", &[]).unwrap().get(0)
            })
        } else {
            let conn = rusqlite::Connection::open(&url).unwrap();
            conn.query_row("SELECT generation FROM security_generations", [], |r| r.get(0))
                .unwrap()
        }
    };
    let before = generation(&app);
    execute_beside(&app, "UPDATE api_tokens SET last_used_date = 5");
    assert_eq!(
        generation(&app),
        before,
        "touching a token changes nothing a caller is resolved from"
    );
    execute_beside(&app, "UPDATE api_tokens SET expires_date = 4102444800000");
    assert!(generation(&app) > before, "a new expiry moves the generation");
}
