//! Debian's `chromedriver` and headless `chromium` for the page tests: starting the driver, a
//! browser session with the flags a closed network needs, and the steps the tests take. The
//! WebDriver protocol is `fantoccini`'s; what is here is waiting: every lookup waits for its
//! element or condition (no fixed sleeps) and fails with what it waited for.

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Map, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a step waits for the page before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);
/// How often a waiting step looks again.
const POLL: Duration = Duration::from_millis(50);

/// The chromedriver process (killed when dropped) and its address.
pub struct Driver {
    child: Child,
    pub url: String,
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
    /// Starts chromedriver on a free loopback port and waits until it accepts connections.
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
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(started.elapsed() < PATIENCE, "chromedriver did not listen on port {port}");
            tokio::time::sleep(POLL).await;
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A new headless Chromium with its own fresh profile.
    pub async fn session(&self, profile: &Path) -> Browser {
        let chromium = binary("SHOPFLOOR_CHROMIUM", "/usr/bin/chromium");
        let options = json!({
            "binary": chromium.to_string_lossy(),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        });
        let mut capabilities = Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("Chromium did not start: {e}"));
        Browser { client }
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
    client: Client,
}

/// A JSON array of script arguments as the list WebDriver takes.
fn arguments(args: Value) -> Vec<Value> {
    match args {
        Value::Array(list) => list,
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

impl Browser {
    pub async fn quit(self) {
        let _ = self.client.close().await;
    }

    /// Sets the window's outer size (e.g. a tablet's screen).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.expect("window resized");
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("navigate to {url}: {e}"));
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default()
    }

    /// Runs a script in the page and returns its value.
    pub async fn js(&self, script: &str, args: Value) -> Value {
        self.client
            .execute(script, arguments(args))
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs an async script (its last argument is the callback).
    /// Runs a library's source in the page; a failure names the library, not its text.
    pub async fn inject(&self, name: &str, source: &str) {
        self.client
            .execute(source, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("injecting {name} failed: {e}"));
    }

    pub async fn js_async(&self, script: &str, args: Value) -> Value {
        self.client
            .execute_async(script, arguments(args))
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits for a visible element matching `css`.
    pub async fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if el.is_displayed().await.unwrap_or(false) {
                    return el;
                }
            }
            assert!(started.elapsed() < PATIENCE, "no element {css} on {}", self.url().await);
            tokio::time::sleep(POLL).await;
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
            tokio::time::sleep(POLL).await;
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
            tokio::time::sleep(POLL).await;
        }
    }

    /// Clicks the element `css` finds. A page the live feed redraws between the find and the
    /// click replaces the element (a stale reference): then the new one is found and clicked,
    /// as a user would click what is on screen now.
    pub async fn click(&self, css: &str) {
        for _ in 0..3 {
            match self.find(css).await.click().await {
                Ok(()) => return,
                Err(e) if e.to_string().contains("stale element") => tokio::time::sleep(POLL).await,
                Err(e) => panic!("click {css}: {e}"),
            }
        }
        panic!("click {css}: the element was replaced three times in a row");
    }

    /// Clears the input and types `text` key by key (real input events).
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
        el.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
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

    /// Drags the element matching `css` with the mouse, as a hand would: presses at its centre,
    /// moves by (`dx`, `dy`) pixels in a few steps (real pointer events) and lets go.
    pub async fn drag(&self, css: &str, dx: f64, dy: f64) {
        let element = self.find(css).await;
        let step = |part: f64| PointerAction::MoveBy {
            duration: Some(Duration::from_millis(60)),
            x: (dx * part).round(),
            y: (dy * part).round(),
        };
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element,
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .then(step(0.25))
            .then(step(0.25))
            .then(step(0.5))
            .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        self.client
            .perform_actions(mouse)
            .await
            .unwrap_or_else(|e| panic!("drag {css}: {e}"));
    }

    /// Waits for the page's confirmation dialog (`dom.js` `confirmAction`), checks that it says
    /// `text`, and confirms; returns the dialog's words.
    pub async fn accept_confirm(&self, text: &str) -> String {
        let said = self.wait_text("dialog.confirm", text).await;
        self.click("#confirm-ok").await;
        said
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, dir: &Path, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::create_dir_all(dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
    }
}
