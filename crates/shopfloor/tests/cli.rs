//! The account commands work directly on the database: `user add`, `token create` (printing
//! only the token), `token revoke` — and a running server honours their effect at once.

mod support;

use reqwest::blocking::Client;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use support::Server;

const BIN: &str = env!("CARGO_BIN_EXE_shopfloor");

fn shopfloor(db: &Path, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .arg("--database")
        .arg(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shopfloor runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn call(server: &Server, token: &str, function: &str, body: &str) -> (u16, serde_json::Value) {
    let resp = Client::new()
        .post(format!("{}/api/v1/script/{function}", server.base))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    (resp.status().as_u16(), resp.json().unwrap_or(serde_json::Value::Null))
}

#[test]
fn users_and_tokens_made_on_the_command_line_work_and_revoke_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopfloor.db");
    let server = Server::start(&db, true);
    let admin_token = server.token.clone().expect("the first start prints the admin token");
    assert!(admin_token.starts_with("sft_"));

    let (ok, _, err) = shopfloor(
        &db,
        &["user", "add", "olga", "--role", "Operator", "--password-stdin"],
        Some("a long enough password\n"),
    );
    assert!(ok, "user add failed: {err}");
    let (ok, out, err) = shopfloor(&db, &["token", "create", "olga", "--label", "line 1", "--expires-in", "30d"], None);
    assert!(ok, "token create failed: {err}");
    let token = out.trim().to_string();
    assert!(
        token.starts_with("sft_") && !token.contains(char::is_whitespace),
        "stdout is only the token: {out:?}"
    );

    let (status, _) = call(&server, &token, "productionOrder/getAllProductionOrders", "[]");
    assert_eq!(status, 200);
    let (status, body) = call(
        &server,
        &token,
        "unitOfMeasure/saveUnitOfMeasure",
        r#"{"name": "Each", "symbol": "ea"}"#,
    );
    assert_eq!(status, 403, "{body}");

    let (_, tokens) = call(
        &server,
        &admin_token,
        "security/findApiTokens",
        r#"{"filters": [{"field": "label", "condition": "EQUALS", "stringValue": "line 1"}]}"#,
    );
    let id = tokens["content"][0]["id"].as_str().unwrap().to_string();
    assert!(tokens["content"][0]["expiresDate"].is_string());
    let (ok, _, err) = shopfloor(&db, &["token", "revoke", &id], None);
    assert!(ok, "token revoke failed: {err}");
    let (status, _) = call(&server, &token, "productionOrder/getAllProductionOrders", "[]");
    assert_eq!(status, 401);

    let login = Client::new()
        .post(format!("{}/api/v1/login", server.base))
        .json(&serde_json::json!({"name": "olga", "password": "a long enough password"}))
        .send()
        .unwrap();
    assert_eq!(login.status().as_u16(), 200);
}

#[test]
fn bad_command_line_input_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopfloor.db");
    let (ok, _, err) = shopfloor(&db, &["user", "add", "x", "--role", "NoSuchRole"], None);
    assert!(!ok);
    assert!(err.contains("NoSuchRole"), "{err}");
    let (ok, _, err) = shopfloor(&db, &["token", "create", "nobody"], None);
    assert!(!ok);
    assert!(err.contains("nobody"), "{err}");
    let (ok, _, _) = shopfloor(&db, &["user", "add", "y", "--role", "Viewer"], None);
    assert!(ok);
    let (ok, _, err) = shopfloor(&db, &["token", "create", "y", "--expires-in", "soon"], None);
    assert!(!ok);
    assert!(err.contains("soon"), "{err}");
}
