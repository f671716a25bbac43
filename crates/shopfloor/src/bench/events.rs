//! `shopfloor bench events` (issue 20): the `save` scenario against a server without events
//! out, then against one with 3 webhooks (receivers in this process on 127.0.0.1) and the MQTT
//! publisher on (a subscriber in this process), both in this run on the same machine; and the
//! delivery lag of every event (arrival here minus the event's `at`), p50 and p99 per way out.
//! The broker is `--mqtt-url`, or a `mosquitto` this command starts on a free local port; with
//! neither, MQTT is left out and the output says so. Timing is printed, never judged.

use super::load;
use super::server::Child;
use super::stats::percentile;
use super::{driver, Scenario, Settings};
use anyhow::Context;
use axum::routing::post;
use rumqttc::{AsyncClient, Event as MqttEvent, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use shopfloor_core::time::Timestamp;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const HOOKS: usize = 3;
/// Orders loaded before measuring (the save scenario creates its own).
const ORDERS: u64 = 10_000;

/// Lags in milliseconds, one per delivered event.
type Lags = Arc<Mutex<Vec<u32>>>;

fn lag_of(event: &Value) -> Option<u32> {
    let at = Timestamp::parse(event["at"].as_str()?).ok()?;
    Some((Timestamp::now().millis() - at.millis()).max(0) as u32)
}

/// An HTTP receiver on 127.0.0.1:0 recording each delivery's lag; answers 200.
async fn receiver(lags: Lags) -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/hook",
        post(move |body: String| {
            let lags = lags.clone();
            async move {
                if let Some(lag) = serde_json::from_str::<Value>(&body).ok().and_then(|b| lag_of(&b["event"])) {
                    lags.lock().expect("lags").push(lag);
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}

/// A subscriber to `shopfloor/events/#` recording each event's lag.
async fn subscriber(host: &str, port: u16, lags: Lags) {
    let mut options = MqttOptions::new(format!("bench-{}", std::process::id()), host, port);
    options.set_keep_alive(Duration::from_secs(10));
    let (client, mut eventloop) = AsyncClient::new(options, 1000);
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(MqttEvent::Incoming(Packet::ConnAck(_))) => {
                    let _ = client.subscribe("shopfloor/events/#", QoS::AtLeastOnce).await;
                }
                Ok(MqttEvent::Incoming(Packet::Publish(p))) => {
                    if let Some(lag) = serde_json::from_slice::<Value>(&p.payload).ok().and_then(|e| lag_of(&e)) {
                        lags.lock().expect("lags").push(lag);
                    }
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    });
}

/// A mosquitto of this command's own, stopped (only it) when dropped.
struct Broker(std::process::Child);

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `mosquitto` on a free port when it is installed: (broker, port).
fn start_mosquitto(dir: &Path) -> Option<(Broker, u16)> {
    let binary = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let config = dir.join("mosquitto.conf");
    std::fs::write(&config, format!("listener {port} 127.0.0.1\nallow_anonymous true\n")).ok()?;
    let child = std::process::Command::new(binary)
        .arg("-c")
        .arg(&config)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let broker = Broker(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((broker, port));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Makes one write once every hook is set up and waits until each hook delivered it and the
/// MQTT subscriber got a message, then forgets those lags: what is measured is delivery under
/// the save load, not a new hook's first lease round (up to a second) or the broker connecting.
async fn warm_up(client: &driver::Client, hooks: usize, lags: &[&Lags]) -> anyhow::Result<()> {
    client
        .call_ok("customer", "saveCustomer", &json!({"name": "bench-warm-up"}))
        .await?;
    let started = std::time::Instant::now();
    loop {
        let mut behind = 0;
        for i in 0..hooks {
            let hook = client.call_ok("integration", "getWebhook", &json!([format!("bench-{i}")])).await?;
            behind += hook["delivery"]["lag"].as_i64().unwrap_or(1);
        }
        if behind == 0 && lags.iter().all(|l| !l.lock().expect("lags").is_empty()) {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "the hooks did not deliver a first event within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for l in lags {
        l.lock().expect("lags").clear();
    }
    Ok(())
}

/// One server run: throughput of the save scenario, and its errors.
async fn measure_save(
    settings: &Settings,
    dir: &Path,
    serve_flags: &[String],
    hooks: &[String],
    lags: &[&Lags],
) -> anyhow::Result<(f64, u64)> {
    std::fs::create_dir_all(dir)?;
    let db = dir.join("db");
    let db_text = db.to_str().context("temporary path is not UTF-8")?.to_string();
    let master = load::master_data(&db_text).await?;
    let fixture = load::bulk(&db, &master, ORDERS)?;
    let mut child = Child::start_with(&db_text, dir, serve_flags)?;
    child.wait_ready(Duration::from_secs(60)).await?;
    let token = child.create_token(&db_text)?;
    let client = driver::Client::new(&child.url, Some(token), settings.clients)?;
    for (i, url) in hooks.iter().enumerate() {
        let data = json!({"name": format!("bench-{i}"), "url": url, "secret": "bench-secret-of-some-length"});
        client.call_ok("integration", "saveWebhook", &data).await?;
    }
    if !hooks.is_empty() {
        warm_up(&client, hooks.len(), lags).await?;
    }
    let ctx = Arc::new(driver::Context::new(fixture, Vec::new()));
    let result = driver::run_scenario(&client, &ctx, Scenario::Save, settings.clients, settings.limit).await;
    if !hooks.is_empty() {
        // Lets the deliveries of the last saves arrive before the server stops.
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    child.stop();
    Ok((result.measured.throughput, result.errors))
}

fn summary(lags: &Lags) -> (usize, f64, f64) {
    let mut sorted = lags.lock().expect("lags").clone();
    sorted.sort_unstable();
    (sorted.len(), percentile(&sorted, 50.0), percentile(&sorted, 99.0))
}

/// Runs the comparison and prints it (JSON with `--json`).
pub async fn run(settings: &Settings, mqtt_url: Option<String>, json_output: bool) -> anyhow::Result<()> {
    let dir = tempfile::Builder::new().prefix("shopfloor-bench-events-").tempdir()?;
    let progress = |msg: &str| eprintln!("bench events: {msg}");
    let mut notes = Vec::new();
    let mut own_broker = None;
    let broker = match mqtt_url {
        Some(url) => Some(url),
        None => match start_mosquitto(dir.path()) {
            Some((b, port)) => {
                own_broker = Some(b);
                Some(format!("mqtt://127.0.0.1:{port}"))
            }
            None => {
                notes.push("no --mqtt-url and no mosquitto installed: measured with webhooks only".to_string());
                None
            }
        },
    };

    progress(&format!(
        "save without events out ({} clients, {})",
        settings.clients,
        settings.limit.describe()
    ));
    let (plain, plain_errors) = measure_save(settings, &dir.path().join("plain"), &[], &[], &[]).await?;
    progress(&format!("  {plain:.0} saves/s"));

    let webhook_lags = Lags::default();
    let mut hooks = Vec::new();
    for _ in 0..HOOKS {
        hooks.push(receiver(webhook_lags.clone()).await?);
    }
    let mqtt_lags = Lags::default();
    let mut flags = Vec::new();
    if let Some(url) = &broker {
        let parsed = shopfloor_server::workers::mqtt::MqttConfig::parse(url, "shopfloor").map_err(anyhow::Error::msg)?;
        subscriber(&parsed.host, parsed.port, mqtt_lags.clone()).await;
        flags = vec!["--mqtt-url".to_string(), url.clone()];
    }
    progress(&format!(
        "save with {HOOKS} webhooks{}",
        if broker.is_some() { " and MQTT" } else { "" }
    ));
    let mut warm = vec![&webhook_lags];
    if broker.is_some() {
        warm.push(&mqtt_lags);
    }
    let (with_events, event_errors) = measure_save(settings, &dir.path().join("events"), &flags, &hooks, &warm).await?;
    progress(&format!("  {with_events:.0} saves/s"));
    drop(own_broker);

    let ratio = if plain > 0.0 { with_events / plain * 100.0 } else { 0.0 };
    let (hook_n, hook_p50, hook_p99) = summary(&webhook_lags);
    let (mqtt_n, mqtt_p50, mqtt_p99) = summary(&mqtt_lags);
    if json_output {
        let out = json!({
            "clients": settings.clients,
            "limit": settings.limit.describe(),
            "saveThroughputWithout": plain,
            "saveThroughputWith": with_events,
            "ratioPercent": ratio,
            "webhooks": {"hooks": HOOKS, "deliveries": hook_n, "lagP50Ms": hook_p50, "lagP99Ms": hook_p99},
            "mqtt": {"messages": mqtt_n, "lagP50Ms": mqtt_p50, "lagP99Ms": mqtt_p99},
            "errors": plain_errors + event_errors,
            "notes": notes,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("save throughput without events out:      {plain:>10.0} /s");
        println!("save throughput with {HOOKS} webhooks + MQTT:  {with_events:>10.0} /s  ({ratio:.0} % of without)");
        println!("webhook delivery lag ({hook_n} deliveries):  p50 {hook_p50:.0} ms, p99 {hook_p99:.0} ms");
        println!("MQTT delivery lag ({mqtt_n} messages):     p50 {mqtt_p50:.0} ms, p99 {mqtt_p99:.0} ms");
        for n in &notes {
            println!("note: {n}");
        }
    }
    if plain_errors + event_errors > 0 {
        anyhow::bail!("the save scenario had {} errors", plain_errors + event_errors);
    }
    Ok(())
}
