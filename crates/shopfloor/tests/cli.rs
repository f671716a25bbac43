//! The account commands work directly on the database: `user add`, `token create` (printing
//! only the token), `token revoke` — and a running server honours their effect at once.

use reqwest::blocking::Client;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// A server on a free loopback port; killed (by its own pid) when dropped.
struct Server {
    child: Child,
    url: String,
    admin_token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path) -> Server {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(BIN)
        .arg("--database")
        .arg(db)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let stdout = child.stdout.take().unwrap();
    let mut admin_token = String::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if line.trim().starts_with("sft_") {
            admin_token = line.trim().to_string();
            break;
        }
    }
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Client::new().get(format!("{url}/healthz")).send().is_err() {
        assert!(Instant::now() < deadline, "server did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, url, admin_token }
}

fn call(server: &Server, token: &str, function: &str, body: &str) -> (u16, serde_json::Value) {
    let resp = Client::new()
        .post(format!("{}/api/v1/script/{function}", server.url))
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
    let server = serve(&db);
    assert!(server.admin_token.starts_with("sft_"), "the first start prints the admin token");

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
        &server.admin_token,
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
        .post(format!("{}/api/v1/login", server.url))
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
