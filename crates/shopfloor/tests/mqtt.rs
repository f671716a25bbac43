//! The MQTT publisher against a real broker (issue 20): Debian's `mosquitto`, started by the
//! test on a free local port (`scripts/setup` installs it). Every event arrives at
//! `<prefix>/events/<entity>/<action>` in sequence order, each order's state is retained, the
//! broker stopped and started again is caught up with in order while writes go on, and the
//! last will says `offline` when the server is killed.

use rumqttc::{AsyncClient, Event as MqttEvent, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;
use support::{client, feed_events, master_data, ok, Server};

const PREFIX: &str = "plant";

/// A mosquitto process of this test's own; killed (only it) when dropped.
struct Broker {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Broker {
    fn binary() -> PathBuf {
        ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .expect("mosquitto is installed (scripts/setup installs it)")
    }

    /// Starts a broker on `port` (0: a free one), keeping its sessions in `dir` across restarts.
    fn start(dir: &Path, port: u16) -> Broker {
        let port = if port == 0 {
            std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
        } else {
            port
        };
        let config = dir.join("mosquitto.conf");
        std::fs::write(
            &config,
            format!(
                "listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location {}/\nuser root\n",
                dir.display()
            ),
        )
        .unwrap();
        let child = Command::new(Self::binary())
            .arg("-c")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "mosquitto never listened on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Broker {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    /// Stops the broker (SIGTERM: it saves its sessions) and waits for it.
    fn stop(mut self) -> (PathBuf, u16) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let _ = self.child.wait();
        (self.dir.clone(), self.port)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// (topic, payload, retained) of each message received, in arrival order.
type Inbox = Arc<Mutex<Vec<(String, String, bool)>>>;

/// A subscriber to `<PREFIX>/#` with a persistent session (the broker queues QoS 1 messages
/// for it while it reconnects), reconnecting by itself.
fn subscribe(port: u16) -> Inbox {
    let inbox = Inbox::default();
    let mut options = MqttOptions::new("test-subscriber", "127.0.0.1", port);
    options.set_clean_session(false);
    options.set_keep_alive(Duration::from_secs(5));
    let (client, mut eventloop) = AsyncClient::new(options, 100);
    let received = inbox.clone();
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(MqttEvent::Incoming(Packet::ConnAck(_))) => {
                    client.subscribe(format!("{PREFIX}/#"), QoS::AtLeastOnce).await.unwrap();
                }
                Ok(MqttEvent::Incoming(Packet::Publish(p))) => {
                    let payload = String::from_utf8_lossy(&p.payload).to_string();
                    received.lock().unwrap().push((p.topic.clone(), payload, p.retain));
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
    inbox
}

/// Waits until `done` holds for the messages received (at most 90 s).
async fn wait_for(inbox: &Inbox, what: &str, done: impl Fn(&[(String, String, bool)]) -> bool) {
    let started = Instant::now();
    loop {
        // A copy: `done` may read the inbox itself.
        let received = inbox.lock().unwrap().clone();
        if done(&received) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{what}: {:?}",
            inbox.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The sequences of the events received at `<PREFIX>/events/…`, first arrivals only.
fn event_sequences(inbox: &Inbox) -> Vec<i64> {
    let mut out = Vec::new();
    for (topic, payload, _) in inbox.lock().unwrap().iter() {
        if topic.starts_with(&format!("{PREFIX}/events/")) {
            let event: Value = serde_json::from_str(payload).unwrap();
            let expected_topic = format!(
                "{PREFIX}/events/{}/{}",
                event["entity"].as_str().unwrap(),
                event["action"].as_str().unwrap()
            );
            assert_eq!(topic, &expected_topic);
            let s = event["sequence"].as_i64().unwrap();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// Every event's sequence after `after`, as the feed lists them.
async fn feed(http: &reqwest::Client, base: &str, after: i64) -> Vec<i64> {
    feed_events(http, base, after)
        .await
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_reach_the_broker_in_order_and_a_broker_outage_is_caught_up() {
    let broker_dir = tempfile::tempdir().unwrap();
    let broker = Broker::start(broker_dir.path(), 0);
    let inbox = subscribe(broker.port);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopfloor.db");
    let url = format!("mqtt://127.0.0.1:{}", broker.port);
    let mut server = Server::start_with(&db, true, &["--mqtt-url", &url, "--mqtt-topic-prefix", PREFIX]);
    let http = client(server.token.as_deref());
    let base = server.base.clone();
    wait_for(&inbox, "online", |m| m.iter().any(|(t, p, _)| t == "plant/status" && p == "online")).await;

    // 1. A burst: every event, in sequence order.
    let (unit, material) = master_data(&http, &base).await;
    for i in 0..10 {
        let order = json!({"name": format!("M{i}"), "productId": material, "unitOfMeasureId": unit});
        ok(&http, &base, "productionOrder", "saveProductionOrder", order).await;
    }
    ok(&http, &base, "productionOrder", "startProductionOrder", json!(["M3"])).await;
    let expected = feed(&http, &base, 0).await;
    let last = *expected.last().unwrap();
    wait_for(&inbox, "the burst", |_| event_sequences(&inbox).contains(&last)).await;
    let got = event_sequences(&inbox);
    let first = got[0];
    let published: Vec<i64> = expected.iter().copied().filter(|s| *s >= first).collect();
    assert_eq!(got, published, "every event from the publisher's start, in order");
    let state = inbox
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|(t, _, _)| t == "plant/orders/M3/state")
        .map(|(_, p, _)| serde_json::from_str::<Value>(p).unwrap())
        .expect("M3's state");
    assert_eq!(state["status"], "RUNNING", "{state}");

    // 2. The broker goes away; writes go on; it comes back and is caught up, in order.
    let (broker_path, port) = broker.stop();
    for i in 10..20 {
        let order = json!({"name": format!("M{i}"), "productId": material, "unitOfMeasureId": unit});
        ok(&http, &base, "productionOrder", "saveProductionOrder", order).await;
    }
    ok(&http, &base, "productionOrder", "startProductionOrder", json!(["M15"])).await;
    // Long enough for the publisher to fail and back off a few times.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let broker = Broker::start(&broker_path, port);
    let expected = feed(&http, &base, 0).await;
    let last = *expected.last().unwrap();
    wait_for(&inbox, "the events written while the broker was down", |_| {
        event_sequences(&inbox).contains(&last)
    })
    .await;
    let got = event_sequences(&inbox);
    let published: Vec<i64> = expected.iter().copied().filter(|s| *s >= first).collect();
    assert_eq!(got, published, "nothing lost, first arrivals in sequence order");

    // 3. A retained state reaches a subscriber that comes later.
    let late = subscribe_once(broker.port, "plant/orders/M15/state").await;
    let state: Value = serde_json::from_str(&late).unwrap();
    assert_eq!((state["name"].as_str(), state["status"].as_str()), (Some("M15"), Some("RUNNING")));

    // 4. The last will: killed, the server is said to be offline.
    server.child.kill().unwrap();
    let _ = server.wait();
    wait_for(&inbox, "offline", |m| {
        m.iter().any(|(t, p, _)| t == "plant/status" && p == "offline")
    })
    .await;
    drop(broker);
}

/// The retained message of `topic`, as a new subscriber gets it.
async fn subscribe_once(port: u16, topic: &str) -> String {
    let (client, mut eventloop) = AsyncClient::new(MqttOptions::new("test-late", "127.0.0.1", port), 10);
    client.subscribe(topic, QoS::AtLeastOnce).await.unwrap();
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < Duration::from_secs(20), "no retained message at {topic}");
        if let Ok(Ok(MqttEvent::Incoming(Packet::Publish(p)))) = tokio::time::timeout(Duration::from_secs(5), eventloop.poll()).await {
            assert!(p.retain, "a retained message");
            return String::from_utf8_lossy(&p.payload).to_string();
        }
    }
}
