//! A `shopfloor serve` child process for the binary's integration tests: listens on
//! 127.0.0.1:0 and reports its address in its JSON log (no port is guessed), hands over the
//! admin token a first start prints, and is killed (only it, by its own handle) when dropped.

#![allow(dead_code)] // each test binary uses a part

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `shopfloor serve`; killed (SIGKILL) on drop if still running.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// The admin token the first start on an empty database prints (SPEC security.md).
    pub token: Option<String>,
    log: Option<std::thread::JoinHandle<Vec<String>>>,
    ended: bool,
}

impl Server {
    /// Starts `serve` on `db` (a SQLite path or a PostgreSQL URL); `fresh`: the database is
    /// empty, so the server prints the bootstrap admin token on stdout (before it logs that it
    /// listens).
    pub fn start(db: impl AsRef<OsStr>, fresh: bool) -> Server {
        Server::start_with(db, fresh, &[])
    }

    /// Like [`Server::start`], with more `serve` flags.
    pub fn start_with(db: impl AsRef<OsStr>, fresh: bool, serve_flags: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shopfloor"))
            .arg("--database")
            .arg(db.as_ref())
            .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
            .args(serve_flags)
            .env("SHOPFLOOR_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("shopfloor starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let stdout = child.stdout.take().expect("piped stdout");
        // Reads stdout to its end; reports the indented line after "… API token …" (or None
        // when stdout ends without one).
        let (token_found, token) = mpsc::channel::<Option<String>>();
        std::thread::spawn(move || {
            let mut announced = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.contains("API token") {
                    announced = true;
                } else if announced && !line.trim().is_empty() {
                    let _ = token_found.send(Some(line.trim().to_string()));
                    announced = false;
                }
            }
            let _ = token_found.send(None);
        });
        let (found, address) = mpsc::channel::<String>();
        // Reads the log to its end (so the server never blocks on a full pipe), reporting the
        // listening address once.
        let log = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Ok(entry) = serde_json::from_str::<Value>(&line) {
                    if entry["fields"]["message"] == "shopfloor is listening" {
                        if let Some(a) = entry["fields"]["address"].as_str() {
                            let _ = found.send(a.to_string());
                        }
                    }
                }
                lines.push(line);
            }
            lines
        });
        let token = if fresh { token.recv().ok().flatten() } else { None };
        match address.recv() {
            Ok(a) => Server {
                child,
                base: format!("http://{a}"),
                token,
                log: Some(log),
                ended: false,
            },
            Err(_) => {
                let status = child.wait();
                let lines = log.join().unwrap_or_default();
                panic!("shopfloor serve ended before listening ({status:?}):\n{}", lines.join("\n"));
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM to this server (through kill(1): the workspace forbids unsafe code).
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// Waits for the process to end; returns its status and log.
    pub fn wait(mut self) -> (ExitStatus, Vec<String>) {
        let status = self.child.wait().expect("wait for shopfloor");
        self.ended = true;
        let log = self.log.take().map(|l| l.join().unwrap_or_default()).unwrap_or_default();
        (status, log)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Reaped children are never signalled again (their pid may be reused).
        if !self.ended {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A client sending the bearer token (when there is one) on every request.
pub fn client(token: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(t) = token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            reqwest::header::HeaderValue::from_str(&format!("Bearer {t}")).expect("token header"),
        );
    }
    // The timeout only bounds a hung test; no assertion depends on it.
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("http client")
}

pub async fn call(http: &reqwest::Client, base: &str, module: &str, function: &str, body: Value) -> reqwest::Result<(StatusCode, Value)> {
    let resp = http
        .post(format!("{base}/api/v1/script/{module}/{function}"))
        .json(&body)
        .send()
        .await?;
    let status = resp.status();
    let value = resp.json().await?;
    Ok((status, value))
}

/// Like [`call`], where the server must answer (it panics if not); a body that is not JSON
/// reads as null.
pub async fn answered(http: &reqwest::Client, base: &str, module: &str, function: &str, body: Value) -> (StatusCode, Value) {
    let resp = http
        .post(format!("{base}/api/v1/script/{module}/{function}"))
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{module}.{function}: the server did not answer: {e}"));
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

pub async fn ok(http: &reqwest::Client, base: &str, module: &str, function: &str, body: Value) -> Value {
    let (status, value) = call(http, base, module, function, body.clone())
        .await
        .unwrap_or_else(|e| panic!("{module}.{function}: {e}"));
    assert_eq!(status, StatusCode::OK, "{module}.{function}({body}) answered {value}");
    value
}

/// Every event after `after`, as the change feed lists them (page by page, not waiting).
pub async fn feed_events(http: &reqwest::Client, base: &str, after: i64) -> Vec<Value> {
    let (mut out, mut after) = (Vec::new(), after);
    loop {
        let r = http
            .get(format!("{base}/api/v1/events?after={after}&timeout=0"))
            .send()
            .await
            .unwrap();
        let last: i64 = r.headers()["x-last-sequence"].to_str().unwrap().parse().unwrap();
        let text = r.text().await.unwrap();
        if text.trim().is_empty() {
            return out;
        }
        out.extend(text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()));
        after = last;
    }
}

/// A unit and a material: (unit id, material id).
pub async fn master_data(http: &reqwest::Client, base: &str) -> (String, String) {
    let unit = ok(
        http,
        base,
        "unitOfMeasure",
        "saveUnitOfMeasure",
        json!({"name": "Each", "symbol": "ea"}),
    )
    .await;
    let class = ok(http, base, "material", "saveMaterialClass", json!({"name": "FG"})).await;
    let material = ok(
        http,
        base,
        "material",
        "saveMaterial",
        json!({"name": "Widget", "materialClassId": class["id"], "unitOfMeasureId": unit["id"]}),
    )
    .await;
    (
        unit["id"].as_str().unwrap().to_string(),
        material["id"].as_str().unwrap().to_string(),
    )
}

/// Runs blocking PostgreSQL client work off the async runtime.
pub fn on_own_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("database helper thread")
}

/// A database of its own on the `TEST_DATABASE_URL` server, dropped at the end.
pub struct Database {
    server: String,
    name: String,
    pub url: String,
}

impl Database {
    /// `label` tells apart the databases of the tests of one binary.
    pub fn create(server: &str, label: &str) -> Database {
        let name = format!("t_{label}_{}", std::process::id());
        let (admin, n) = (server.to_string(), name.clone());
        on_own_thread(move || {
            let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("TEST_DATABASE_URL answers");
            c.batch_execute(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)")).unwrap();
            c.batch_execute(&format!("CREATE DATABASE {n}")).unwrap();
        });
        let base = server.split('?').next().unwrap();
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        Database {
            server: server.to_string(),
            name,
            url,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let (admin, n) = (self.server.clone(), self.name.clone());
        on_own_thread(move || {
            if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"));
            }
        });
    }
}
