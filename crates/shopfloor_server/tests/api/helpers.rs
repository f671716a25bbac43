//! `spawn_app()` and small request helpers shared by the integration tests.

use reqwest::StatusCode;
use serde_json::{json, Value};
use shopfloor_server::{Application, ServerConfig};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub struct TestApp {
    pub address: String,
    /// A client that sends the admin's bearer token on every request.
    pub client: reqwest::Client,
    /// The first API token of `admin` (Administrator), created when the server started.
    pub token: String,
    pub dir: TempDir,
    /// The database the server runs on (a SQLite file in `dir`, or a PostgreSQL database).
    pub database: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// A fresh database for one test: a SQLite file in the test's directory, or — when
/// `TEST_DATABASE_URL` names a PostgreSQL server — a database `t_<random>` created on it and
/// dropped when the test ends.
pub struct TestDatabase {
    pub url: String,
    /// The PostgreSQL server's maintenance URL and the database's name.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub fn new(dir: &TempDir) -> TestDatabase {
        match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(server) => {
                let name = unique_database_name();
                let admin = server.clone();
                let statement = format!("CREATE DATABASE {name}");
                on_own_thread(move || {
                    let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("TEST_DATABASE_URL answers");
                    client.batch_execute(&statement).expect("test database created");
                });
                TestDatabase {
                    url: with_database(&server, &name),
                    postgres: Some((server, name)),
                }
            }
            None => TestDatabase {
                url: dir.path().join("shopfloor.db").to_string_lossy().to_string(),
                postgres: None,
            },
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// Every stored text value of the named tables (what is at rest in the database), for
    /// tests that check secrets are not stored in clear.
    pub fn stored_text(&self, dir: &TempDir, tables: &[&str]) -> String {
        match &self.postgres {
            None => {
                let mut stored = Vec::new();
                for entry in std::fs::read_dir(dir.path()).unwrap() {
                    stored.extend(std::fs::read(entry.unwrap().path()).unwrap_or_default());
                }
                String::from_utf8_lossy(&stored).to_string()
            }
            Some(_) => {
                let url = self.url.clone();
                let tables: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
                on_own_thread(move || {
                    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                    let mut out = String::new();
                    for t in tables {
                        for row in client.query(&format!("SELECT row_to_json(x)::text FROM {t} x"), &[]).unwrap() {
                            out.push_str(row.get::<_, &str>(0));
                        }
                    }
                    out
                })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = self.postgres.take() {
            on_own_thread(move || {
                if let Ok(mut client) = postgres::Client::connect(&server, postgres::NoTls) {
                    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            });
        }
    }
}

/// `t_<pid>_<time>_<n>`: unique across the tests of a run and across runs.
fn unique_database_name() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("t_{}_{nanos:x}_{n}", std::process::id())
}

/// The URL with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Runs blocking PostgreSQL client work off the async runtime (the sync driver may not block
/// an async thread).
pub fn on_own_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("database helper thread")
}

/// Boots the real server on 127.0.0.1:0 with a fresh database (see [`TestDatabase`]).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with a chance to change the configuration first.
pub async fn spawn_app_with(configure: impl FnOnce(&mut ServerConfig)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::new(&dir);
    let mut config = ServerConfig::new(database.url.clone(), "127.0.0.1:0");
    configure(&mut config);
    let app = Application::build(config).await.expect("server starts");
    let token = app
        .bootstrap_token()
        .expect("a fresh database creates admin and its token")
        .to_string();
    let address = format!("http://127.0.0.1:{}", app.port());
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until(async {
            let _ = rx.await;
        })
        .await
        .expect("server runs");
    });
    TestApp {
        address,
        client: authorized_client(&token),
        token,
        dir,
        database,
        shutdown: Some(tx),
        server: Some(server),
    }
}

/// A client sending `Authorization: Bearer <token>` on every request.
pub fn authorized_client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).expect("token is a valid header value");
    headers.insert(reqwest::header::AUTHORIZATION, value);
    reqwest::Client::builder().default_headers(headers).build().expect("client builds")
}

impl TestApp {
    /// A user holding `roles` (made by the administrator) and a client sending its new token.
    pub async fn user_with_roles(&self, name: &str, roles: &[&str]) -> reqwest::Client {
        self.ok("security", "saveUser", json!({"name": name, "roles": roles})).await;
        let token = self.ok("security", "createApiToken", json!([name, "test"])).await;
        authorized_client(token["token"].as_str().expect("a token"))
    }

    /// `POST /api/v1/script/{module}/{function}` as `client` (see [`TestApp::user_with_roles`]).
    pub async fn call_as(&self, client: &reqwest::Client, module: &str, function: &str, body: Value) -> (StatusCode, Value) {
        let resp = client
            .post(format!("{}/api/v1/script/{module}/{function}", self.address))
            .json(&body)
            .send()
            .await
            .expect("request sent");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// `POST /api/v1/script/{module}/{function}` with a JSON body; status and JSON answer.
    pub async fn call(&self, module: &str, function: &str, body: Value) -> (StatusCode, Value) {
        self.post(&format!("/api/v1/script/{module}/{function}"), body).await
    }

    /// Like [`TestApp::call`] but expects 200 and returns the value.
    pub async fn ok(&self, module: &str, function: &str, body: Value) -> Value {
        let (status, value) = self.call(module, function, body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{module}.{function}({body}) answered {value}");
        value
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.send(reqwest::Method::POST, path, Some(body), &[]).await;
        (r.status, r.json)
    }

    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let req = self
            .client
            .post(format!("{}{path}", self.address))
            .header("content-type", "application/json")
            .body(body);
        let r = Reply::read(req.send().await.expect("request sent")).await;
        (r.status, r.json)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self.send(reqwest::Method::GET, path, None, &[]).await;
        (r.status, r.json)
    }

    /// A unit, a material class and a material to build orders on: (unit id, material id).
    pub async fn master_data(&self) -> (String, String) {
        let unit = self
            .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Each", "symbol": "ea"}))
            .await;
        let class = self.ok("material", "saveMaterialClass", json!({"name": "FG"})).await;
        let material = self
            .ok(
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

    /// Saves an order named `name` on the given master data; returns it.
    pub async fn order(&self, name: &str, unit: &str, material: &str) -> Value {
        self.ok(
            "productionOrder",
            "saveProductionOrder",
            json!({"name": name, "productId": material, "unitOfMeasureId": unit}),
        )
        .await
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A full HTTP answer: status, headers, the body as text and (when it parses) as JSON.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    async fn read(resp: reqwest::Response) -> Reply {
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    /// A header as text ("" when absent).
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    }
}

impl TestApp {
    /// Any method, optional JSON body, extra headers; the whole answer.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.address));
        if let Some(b) = body {
            req = req.json(&b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Reply::read(req.send().await.expect("request sent")).await
    }

    /// Raw bytes with `content-type: application/json`; the whole answer.
    pub async fn send_raw(&self, method: reqwest::Method, path: &str, body: String) -> Reply {
        let req = self
            .client
            .request(method, format!("{}{path}", self.address))
            .header("content-type", "application/json")
            .body(body);
        Reply::read(req.send().await.expect("request sent")).await
    }

    /// `getAllProductionOrders()`.
    pub async fn all_orders(&self) -> Vec<Value> {
        self.ok("productionOrder", "getAllProductionOrders", json!(null))
            .await
            .as_array()
            .cloned()
            .expect("a list of orders")
    }

    /// `getProductionOrder(key)` (null when missing).
    pub async fn get_order(&self, key: &str) -> Value {
        self.ok("productionOrder", "getProductionOrder", json!([key])).await
    }

    /// `getProductionOrderHistory(key)` as a list (empty when null).
    pub async fn history(&self, key: &str) -> Vec<Value> {
        self.ok("productionOrder", "getProductionOrderHistory", json!([key]))
            .await
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Saves a location (`parent` by id, or none); returns it.
    pub async fn location(&self, name: &str, parent: Option<&Value>) -> Value {
        let parent = parent.map(|p| p["id"].clone()).unwrap_or(Value::Null);
        self.ok("location", "saveLocation", json!({"name": name, "parentId": parent})).await
    }
}

/// The `error.fields` map of a validation answer (null when absent).
pub fn fields(body: &Value) -> &Value {
    &body["error"]["fields"]
}

impl TestApp {
    /// `DELETE path`; status and JSON answer.
    pub async fn send_delete(&self, path: &str) -> (StatusCode, Value) {
        let r = self.send(reqwest::Method::DELETE, path, None, &[]).await;
        (r.status, r.json)
    }
}

/// Whether `signature` (`t=…,v1=…`) is the HMAC-SHA256 of `"<t>.<body>"` keyed with `secret`.
pub fn verifies(secret: &str, signature: &str, body: &str) -> bool {
    use hmac::{KeyInit, Mac};
    let Some((t, v1)) = signature.strip_prefix("t=").and_then(|rest| rest.split_once(",v1=")) else {
        return false;
    };
    let mut mac = hmac::Hmac::<sha2_11::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    expected == v1
}
