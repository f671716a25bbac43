//! The MQTT publisher (issue 20, ADR 0011): a [`CommitFollower`] that publishes every history
//! event with QoS 1 to `<prefix>/events/<entity>/<action>`, keeps each order's current state
//! retained at `<prefix>/orders/<order name>/state`, and says `online` / `offline` (retained,
//! `offline` also as its last will) at `<prefix>/status`.
//!
//! Its cursor is stored in the database (`follower_cursors`, name [`NAME`]) and moved only once
//! the broker has acknowledged (PUBACK) every message of a batch, so a broker outage or a
//! restart loses nothing: the runner hands the same events over again and the publisher
//! catches up in order (a message may come twice). Instances sharing a database take a lease
//! on the cursor, so one of them publishes at a time. A broken connection is dropped whole and
//! opened afresh at the next try, so nothing queued for the old one is sent out of turn.

use super::follower::{CommitFollower, FollowError};
use rumqttc::{AsyncClient, Event as MqttEvent, EventLoop, LastWill, MqttOptions, Outgoing, Packet, QoS, Transport};
use serde_json::{json, Value as Json};
use shopfloor_core::history::Event;
use shopfloor_core::id::Id;
use shopfloor_core::schema::Entity;
use shopfloor_core::time::Timestamp;
use shopfloor_store::Store;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The publisher's name in `follower_cursors` and in the follower metrics.
pub const NAME: &str = "mqtt";
/// How long the lease on the cursor lasts; each batch renews it.
const LEASE: Duration = Duration::from_secs(15);
/// Longest wait for the broker's CONNACK, and for the PUBACKs of one batch.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(15);
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Where and how to publish (`serve --mqtt-url`, `--mqtt-topic-prefix`).
#[derive(Clone)]
pub struct MqttConfig {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub credentials: Option<(String, String)>,
    pub prefix: String,
}

impl std::fmt::Debug for MqttConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        write!(f, "{}", self.redacted())
    }
}

impl MqttConfig {
    /// Parses `mqtt://[user[:password]@]host[:port]` or `mqtts://…` (port 1883 / 8883 by
    /// default; user and password may be percent-encoded).
    pub fn parse(url: &str, prefix: &str) -> Result<MqttConfig, String> {
        let (tls, rest) = if let Some(rest) = url.strip_prefix("mqtt://") {
            (false, rest)
        } else if let Some(rest) = url.strip_prefix("mqtts://") {
            (true, rest)
        } else {
            return Err(format!("--mqtt-url must start with mqtt:// or mqtts://, got '{}'", redact(url)));
        };
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let credentials = match userinfo {
            None => None,
            Some(u) => {
                let (user, password) = u.split_once(':').unwrap_or((u, ""));
                Some((percent_decode(user)?, percent_decode(password)?))
            }
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => {
                let port = p.parse::<u16>().map_err(|_| format!("--mqtt-url has a bad port '{p}'"))?;
                (h, port)
            }
            _ => (hostport, if tls { 8883 } else { 1883 }),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains('/') {
            return Err(format!("--mqtt-url names no host: '{}'", redact(url)));
        }
        let prefix = prefix.trim_matches('/');
        if prefix.is_empty() || prefix.contains(['+', '#']) {
            return Err(format!("--mqtt-topic-prefix must be a topic without + or #, got '{prefix}'"));
        }
        Ok(MqttConfig {
            host: host.to_string(),
            port,
            tls,
            credentials,
            prefix: prefix.to_string(),
        })
    }

    /// The URL without its password, for logs.
    pub fn redacted(&self) -> String {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        let user = self.credentials.as_ref().map(|(u, _)| format!("{u}:***@")).unwrap_or_default();
        format!("{scheme}://{user}{}:{} (topics under {}/)", self.host, self.port, self.prefix)
    }

    pub fn status_topic(&self) -> String {
        format!("{}/status", self.prefix)
    }

    pub fn event_topic(&self, event: &Event) -> String {
        format!(
            "{}/events/{}/{}",
            self.prefix,
            topic_level(&event.entity),
            topic_level(&event.action)
        )
    }

    pub fn order_topic(&self, order_name: &str) -> String {
        format!("{}/orders/{}/state", self.prefix, topic_level(order_name))
    }
}

/// A name as one topic level: `/`, `+` and `#` (level separator and wildcards) become `_`.
pub fn topic_level(name: &str) -> String {
    name.chars().map(|c| if matches!(c, '/' | '+' | '#') { '_' } else { c }).collect()
}

/// A URL with any password replaced.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***{}", &url[..s + 3], &url[at..]),
        _ => url.to_string(),
    }
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            out.push(hex.ok_or("--mqtt-url has a bad %-escape")?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "--mqtt-url: user or password is not UTF-8".to_string())
}

/// An open broker connection: the client, and what its event loop (polled by its own task)
/// reports.
struct Connection {
    client: AsyncClient,
    events: mpsc::UnboundedReceiver<Result<MqttEvent, String>>,
    task: JoinHandle<()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The publisher, run by [`super::follower::run`].
pub struct MqttPublisher {
    pub config: MqttConfig,
    pub store: Store,
    /// This instance's name in the lease.
    owner: String,
    connection: Option<Connection>,
}

impl MqttPublisher {
    pub fn new(config: MqttConfig, store: Store) -> MqttPublisher {
        MqttPublisher {
            config,
            store,
            owner: format!("instance-{}", Id::generate()),
            connection: None,
        }
    }

    async fn connect(&self) -> Result<Connection, FollowError> {
        let c = &self.config;
        let mut options = MqttOptions::new(format!("shopfloor-{}", Id::generate()), c.host.clone(), c.port);
        options.set_keep_alive(KEEP_ALIVE);
        options.set_last_will(LastWill::new(c.status_topic(), "offline", QoS::AtLeastOnce, true));
        if let Some((user, password)) = &c.credentials {
            options.set_credentials(user.clone(), password.clone());
        }
        if c.tls {
            options.set_transport(Transport::tls_with_default_config());
        }
        let (client, eventloop) = AsyncClient::new(options, 1024);
        let (tx, events) = mpsc::unbounded_channel();
        let task = tokio::spawn(poll(eventloop, tx));
        let mut connection = Connection { client, events, task };
        let connected = tokio::time::timeout(ANSWER_TIMEOUT, async {
            loop {
                match connection.events.recv().await {
                    Some(Ok(MqttEvent::Incoming(Packet::ConnAck(_)))) => return Ok(()),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e),
                    None => return Err("the connection ended".to_string()),
                }
            }
        })
        .await;
        match connected {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(FollowError::Destination(format!("connecting to {}: {e}", c.redacted()))),
            Err(_) => return Err(FollowError::Destination(format!("no CONNACK from {}", c.redacted()))),
        }
        let online = vec![(c.status_topic(), true, b"online".to_vec())];
        publish_all(&mut connection, online).await?;
        tracing::info!(broker = %c.redacted(), "MQTT publisher connected");
        Ok(connection)
    }

    /// This instance's lease on the cursor: the stored cursor, or an error when another
    /// instance publishes.
    async fn lease(&self) -> Result<i64, FollowError> {
        let owner = self.owner.clone();
        let leased = self
            .store
            .write(move |tx| {
                let now = Timestamp::now();
                let until = Timestamp(now.millis() + LEASE.as_millis() as i64);
                tx.delivery()?.lease_follower(NAME, &owner, now, until)
            })
            .await?;
        leased.ok_or_else(|| FollowError::Destination("another instance is publishing to the broker".into()))
    }

    /// The messages of a batch: each event, then the retained state of each order the batch
    /// touched (its last state; an empty retained message clears the topic of a deleted order).
    async fn messages(&self, events: Vec<Event>) -> Result<Vec<(String, bool, Vec<u8>)>, FollowError> {
        let mut out: Vec<(String, bool, Vec<u8>)> = events
            .iter()
            .map(|e| (self.config.event_topic(e), false, e.to_json().to_string().into_bytes()))
            .collect();
        let orders: BTreeMap<String, Option<String>> = events
            .iter()
            .filter_map(|e| e.order_id.clone().map(|id| (id, deleted_order_name(e))))
            .collect();
        let states = self
            .store
            .read(move |tx| {
                let mut states = Vec::new();
                for (id, gone_name) in orders {
                    let found = match Id::parse(&id) {
                        Ok(id) => tx.get(Entity::ProductionOrder, id)?,
                        Err(_) => None,
                    };
                    match (found, gone_name) {
                        (Some(order), _) => states.push((order_state(&order), false)),
                        (None, Some(name)) => states.push((json!({"name": name}), true)),
                        (None, None) => {}
                    }
                }
                Ok(states)
            })
            .await?;
        for (state, gone) in states {
            let name = state["name"].as_str().unwrap_or_default().to_string();
            let payload = if gone { Vec::new() } else { state.to_string().into_bytes() };
            out.push((self.config.order_topic(&name), true, payload));
        }
        Ok(out)
    }
}

/// The name of the order an order's own DELETE event removed.
fn deleted_order_name(event: &Event) -> Option<String> {
    if event.entity != "ProductionOrder" || event.action != "DELETE" {
        return None;
    }
    event.changes["name"][0].as_str().map(str::to_string)
}

/// What `<prefix>/orders/<name>/state` holds: status, quantities, dates, line.
fn order_state(order: &shopfloor_core::record::Record) -> Json {
    let json = order.to_json(Entity::ProductionOrder.def());
    let keys = [
        "id",
        "name",
        "status",
        "quantity",
        "quantityProduced",
        "quantityScheduled",
        "startDate",
        "endDate",
        "dueDate",
        "locationId",
        "locationName",
        "locationPath",
        "productName",
        "version",
    ];
    let picked: serde_json::Map<String, Json> = keys.iter().map(|k| (k.to_string(), json[*k].clone())).collect();
    Json::Object(picked)
}

/// Polls the event loop until it fails, reporting each event.
async fn poll(mut eventloop: EventLoop, tx: mpsc::UnboundedSender<Result<MqttEvent, String>>) {
    loop {
        let next = eventloop.poll().await.map_err(|e| e.to_string());
        let failed = next.is_err();
        if tx.send(next).is_err() || failed {
            return;
        }
    }
}

/// Publishes every message with QoS 1 and waits until the broker acknowledged them all.
async fn publish_all(connection: &mut Connection, messages: Vec<(String, bool, Vec<u8>)>) -> Result<(), FollowError> {
    let count = messages.len();
    let acked = async {
        for (topic, retain, payload) in messages {
            connection
                .client
                .publish(topic, QoS::AtLeastOnce, retain, payload)
                .await
                .map_err(|e| e.to_string())?;
        }
        // Packet ids are reused only once acknowledged, so "sent and not yet acknowledged" is
        // a set of ids.
        let (mut sent, mut outstanding) = (0usize, HashMap::<u16, usize>::new());
        while sent < count || !outstanding.is_empty() {
            match connection.events.recv().await {
                Some(Ok(MqttEvent::Outgoing(Outgoing::Publish(pkid)))) => {
                    sent += 1;
                    *outstanding.entry(pkid).or_default() += 1;
                }
                Some(Ok(MqttEvent::Incoming(Packet::PubAck(ack)))) => {
                    if let Some(n) = outstanding.get_mut(&ack.pkid) {
                        *n -= 1;
                        if *n == 0 {
                            outstanding.remove(&ack.pkid);
                        }
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Err("the connection ended".to_string()),
            }
        }
        Ok(())
    };
    match tokio::time::timeout(ANSWER_TIMEOUT, acked).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(FollowError::Destination(format!("publishing: {e}"))),
        Err(_) => Err(FollowError::Destination("the broker did not acknowledge in time".into())),
    }
}

impl CommitFollower for MqttPublisher {
    fn name(&self) -> &'static str {
        NAME
    }

    /// The stored cursor (created at the head on the first start: the publisher publishes
    /// what is committed from then on). Connects to the broker, so that `online` is said at
    /// once; a failure there is only logged (handling events retries).
    async fn load_cursor(&mut self, store: &Store) -> Result<i64, FollowError> {
        let head = *store.last_event().borrow();
        let cursor = store.write(move |tx| tx.delivery()?.follower_cursor(NAME, head)).await?;
        match self.connect().await {
            Ok(connection) => self.connection = Some(connection),
            Err(e) => tracing::warn!(error = %e, "the MQTT broker is not reachable yet"),
        }
        Ok(cursor)
    }

    async fn handle(&mut self, events: &[Event]) -> Result<(), FollowError> {
        let stored = self.lease().await?;
        // Events another instance published while it held the lease are not published again.
        let fresh: Vec<Event> = events.iter().filter(|e| e.sequence > stored).cloned().collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let messages = self.messages(fresh).await?;
        let mut connection = match self.connection.take() {
            Some(connection) => connection,
            None => self.connect().await?,
        };
        publish_all(&mut connection, messages).await?;
        // Kept only when every message was acknowledged: after a failure the next try opens a
        // new connection.
        self.connection = Some(connection);
        Ok(())
    }

    async fn store_cursor(&mut self, store: &Store, sequence: i64) -> Result<(), FollowError> {
        let owner = self.owner.clone();
        let kept = store.write(move |tx| tx.delivery()?.store_follower(NAME, &owner, sequence)).await?;
        if kept {
            Ok(())
        } else {
            Err(FollowError::Destination("the lease on the MQTT cursor was lost".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_host_port_tls_and_credentials() {
        let c = MqttConfig::parse("mqtt://broker.local", "shopfloor").unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.tls, c.credentials.clone()),
            ("broker.local", 1883, false, None)
        );
        let c = MqttConfig::parse("mqtts://line%401:p%3Ass@10.0.0.5:9883/", "plant/a/").unwrap();
        assert_eq!((c.host.as_str(), c.port, c.tls), ("10.0.0.5", 9883, true));
        assert_eq!(c.credentials, Some(("line@1".into(), "p:ss".into())));
        assert_eq!(c.prefix, "plant/a");
        assert!(!format!("{c:?}").contains("p:ss"), "the password stays out of logs");
    }

    #[test]
    fn bad_urls_and_prefixes_are_refused_without_showing_the_password() {
        for (url, prefix) in [
            ("http://broker", "shopfloor"),
            ("mqtt://", "shopfloor"),
            ("mqtt://broker:99999", "shopfloor"),
            ("mqtt://u:secret@broker", "a/#"),
            ("mqtt://broker", ""),
        ] {
            let e = MqttConfig::parse(url, prefix).unwrap_err();
            assert!(!e.contains("secret"), "{e}");
        }
        let e = MqttConfig::parse("tcp://u:secret@broker", "x").unwrap_err();
        assert!(!e.contains("secret"), "{e}");
    }

    #[test]
    fn names_become_single_topic_levels() {
        let c = MqttConfig::parse("mqtt://b", "sf").unwrap();
        assert_eq!(c.order_topic("PO/12+#"), "sf/orders/PO_12__/state");
    }
}
