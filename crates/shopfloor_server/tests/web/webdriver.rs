//! A small W3C WebDriver client over HTTP for Debian's `chromedriver` and headless `chromium`:
//! just the commands the page tests use. Every lookup waits for its element (no fixed sleeps).

use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a step waits for the page before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The chromedriver process (killed when dropped) and its address.
pub struct Driver {
    child: Child,
    pub url: String,
    http: reqwest::Client,
}

fn binary(var: &str, default: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.to_string()));
    assert!(
        path.exists(),
        "{} not found: the web tests need Debian's chromium and chromium-driver \
         (scripts/setup installs them; or set {var})",
        path.display()
    );
    path
}

impl Driver {
    /// Starts chromedriver on a free loopback port and waits until it answers.
    pub async fn start() -> Driver {
        let chromedriver = binary("SHOPFLOOR_CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let started = Instant::now();
        loop {
            if let Ok(r) = driver.http.get(format!("{}/status", driver.url)).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(started.elapsed() < PATIENCE, "chromedriver did not answer on port {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
    }

    /// A new headless Chromium with its own fresh profile.
    pub async fn session(&self, profile: &Path) -> Browser {
        let chromium = binary("SHOPFLOOR_CHROMIUM", "/usr/bin/chromium");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let r: Value = self
            .http
            .post(format!("{}/session", self.url))
            .json(&caps)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("session JSON");
        let id = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("Chromium did not start: {r}"))
            .to_string();
        Browser {
            base: format!("{}/session/{id}", self.url),
            http: self.http.clone(),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session.
#[derive(Clone)]
pub struct Browser {
    base: String,
    http: reqwest::Client,
}

/// An element reference of a session.
#[derive(Clone, Debug)]
pub struct El(String);

impl Browser {
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.map_err(|e| e.to_string())?;
        let ok = r.status().is_success();
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        if ok {
            Ok(v["value"].clone())
        } else {
            Err(format!("{}: {}", v["value"]["error"], v["value"]["message"]))
        }
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn quit(&self) {
        let _ = self.cmd(reqwest::Method::DELETE, "", None).await;
    }

    /// Sets the window's outer size (e.g. a tablet's screen).
    pub async fn resize(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height}))
            .await
            .expect("window resized");
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await.expect("navigates");
    }

    pub async fn url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None)
            .await
            .expect("url")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Runs a script in the page and returns its value.
    pub async fn js(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs an async script (its last argument is the callback).
    pub async fn js_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({"script": script, "args": args}))
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    async fn find_now(&self, css: &str) -> Option<El> {
        let v = self.post("/element", json!({"using": "css selector", "value": css})).await.ok()?;
        v[ELEMENT].as_str().map(|s| El(s.to_string()))
    }

    /// Waits for a visible element matching `css`.
    pub async fn find(&self, css: &str) -> El {
        let started = Instant::now();
        loop {
            if let Some(el) = self.find_now(css).await {
                let shown = self
                    .cmd(reqwest::Method::GET, &format!("/element/{}/displayed", el.0), None)
                    .await
                    .ok()
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                if shown {
                    return el;
                }
            }
            assert!(started.elapsed() < PATIENCE, "no element {css} on {}", self.url().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Whether an element matching `css` exists right now.
    pub async fn exists(&self, css: &str) -> bool {
        self.js("return document.querySelector(arguments[0]) !== null", json!([css]))
            .await
            .as_bool()
            .unwrap_or(false)
    }

    /// Waits until the text of the first `css` element contains `text`; returns that text.
    pub async fn wait_text(&self, css: &str, text: &str) -> String {
        let started = Instant::now();
        loop {
            let now = self
                .js(
                    "const e = document.querySelector(arguments[0]); return e ? e.innerText : null",
                    json!([css]),
                )
                .await;
            if let Some(t) = now.as_str() {
                if t.contains(text) {
                    return t.to_string();
                }
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{css} never contained {text:?} (last: {now}) on {}",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `condition` (a JS expression) is true.
    pub async fn wait_until(&self, condition: &str, what: &str) {
        let started = Instant::now();
        loop {
            if self.js(&format!("return !!({condition})"), json!([])).await.as_bool() == Some(true) {
                return;
            }
            assert!(started.elapsed() < PATIENCE, "timed out waiting for {what} on {}", self.url().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.post(&format!("/element/{}/click", el.0), json!({}))
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clears the input and types `text` key by key (real input events).
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.post(&format!("/element/{}/clear", el.0), json!({}))
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        self.post(&format!("/element/{}/value", el.0), json!({ "text": text }))
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Picks the option of a `<select>` whose text contains `text`, as a user would.
    pub async fn choose(&self, css: &str, text: &str) {
        self.find(css).await;
        let ok = self
            .js(
                "const s = document.querySelector(arguments[0]);
                 const o = [...s.options].find(o => o.text.includes(arguments[1]));
                 if (!o) return false;
                 s.focus(); s.value = o.value;
                 s.dispatchEvent(new Event('input', {bubbles: true}));
                 s.dispatchEvent(new Event('change', {bubbles: true}));
                 return true;",
                json!([css, text]),
            )
            .await;
        assert_eq!(ok, json!(true), "no option {text:?} in {css}");
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, dir: &Path, name: &str) {
        let data = self.cmd(reqwest::Method::GET, "/screenshot", None).await.expect("screenshot");
        let png = base64_decode(data.as_str().unwrap_or_default());
        std::fs::create_dir_all(dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
    }
}

/// Standard base64 (what WebDriver answers screenshots in).
fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn base64_decodes() {
    assert_eq!(base64_decode("aGVsbG8gd29ybGQ="), b"hello world");
    assert_eq!(base64_decode("YWI="), b"ab");
}
