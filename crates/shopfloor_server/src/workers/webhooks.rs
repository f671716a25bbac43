//! Webhook delivery (issue 20, ADR 0011): every committed history event that a webhook's
//! `entities` and `actions` select is POSTed to its URL, in sequence order, at least once.
//!
//! Each hook follows the history from its own durable cursor (`webhook_cursors`), moved only
//! after the receiver answered 2xx, so a failure, a restart or a kill hands the same events over
//! again. A supervisor leases hooks to this instance ([`LEASE`], renewed every
//! [`LEASE_RENEW`]) — instances on one PostgreSQL database share the hooks between them, each
//! delivered by one at a time — and runs one task per leased hook, so a slow or dead receiver
//! holds up only its own hook. Writes never wait for a receiver: they only append events.
//!
//! The events and their bodies come from one [`feed::Feed`] shared by the hook tasks: hooks
//! that keep up want the same events and records, which are then read once, not once per hook.
//!
//! Not a [`super::follower::CommitFollower`]: hooks come and go while the server runs, each has
//! its own cursor, lease, backoff and pause, and a failure belongs to one hook, not the worker.
//!
//! A delivery: `POST` of `{"event": …, "record": …}` (the record as stored when the delivery is
//! made, `null` once deleted) with `Shopfloor-Event: <sequence>` and `Shopfloor-Signature:
//! t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>`; redirects are
//! not followed and each attempt has a timeout. Failures back off exponentially with jitter
//! from [`BACKOFF_FIRST`] to [`BACKOFF_MAX`]; a hook failing for longer than the pause setting
//! is paused with the reason, until it is saved again or replayed.

mod feed;

use super::stopped;
use crate::metrics::{Metrics, WebhookLabels};
use feed::{Feed, Item, Selection};
use hmac::{KeyInit, Mac};
use rand::Rng;
use serde_json::Value as Json;
use shopfloor_core::delivery::{Attempt, HookState};
use shopfloor_core::errors::CoreResult;
use shopfloor_core::id::Id;
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::webhook;
use shopfloor_core::time::Timestamp;
use shopfloor_store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a lease lasts without renewal: another instance takes the hook over after it.
const LEASE: Duration = Duration::from_secs(15);
/// How often the supervisor renews its leases and looks for new hooks.
const LEASE_RENEW: Duration = Duration::from_secs(5);
/// Shortest time between two lease rounds woken by commits.
const LEASE_WAKE: Duration = Duration::from_secs(1);
/// Most events one task delivers before it stores its cursor.
const BATCH: u32 = 100;
/// Longest wait for a commit before a task looks anyway (another instance's commit on the same
/// SQLite file wakes nothing here).
const POLL: Duration = Duration::from_secs(5);
pub const BACKOFF_FIRST: Duration = Duration::from_secs(1);
pub const BACKOFF_MAX: Duration = Duration::from_secs(600);
/// Longest error text kept per attempt.
const ERROR_MAX: usize = 500;

type HmacSha256 = hmac::Hmac<sha2_11::Sha256>;

/// Settings of webhook delivery.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// A hook that has failed for this long is paused (`--webhook-pause-after`).
    pub pause_after: Duration,
    /// Longest wait for one attempt's answer (`--webhook-timeout`).
    pub attempt_timeout: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            pause_after: Duration::from_secs(24 * 3600),
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

/// What every hook task shares.
#[derive(Clone)]
struct Shared {
    store: Store,
    metrics: Arc<Metrics>,
    client: reqwest::Client,
    /// The events and bodies, read once for every hook.
    feed: Arc<Feed>,
    config: WebhookConfig,
    /// This instance's name in the leases.
    owner: Arc<str>,
}

/// The supervisor: leases hooks, runs a task per leased hook, stops them at shutdown.
pub async fn run(store: Store, metrics: Arc<Metrics>, mut shutdown: watch::Receiver<bool>, config: WebhookConfig) {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.attempt_timeout)
        .user_agent(concat!("shopfloor/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhook delivery cannot start: no HTTP client");
            return;
        }
    };
    let shared = Shared {
        feed: Arc::new(Feed::new(store.clone())),
        store,
        metrics,
        client,
        config,
        owner: Arc::from(format!("instance-{}", Id::generate())),
    };
    let mut tasks: HashMap<Id, JoinHandle<()>> = HashMap::new();
    let mut head = shared.store.last_event();
    loop {
        head.borrow_and_update();
        let owner = shared.owner.clone();
        let leased = shared
            .store
            .write(move |tx| {
                let now = Timestamp::now();
                let until = Timestamp(now.millis() + LEASE.as_millis() as i64);
                let delivery = tx.delivery()?;
                let hooks = delivery.lease_hooks(&owner, now, until)?;
                Ok((hooks, delivery.head_sequence()?))
            })
            .await;
        match leased {
            Ok((hooks, head)) => {
                tasks.retain(|_, task| !task.is_finished());
                for state in hooks {
                    shared
                        .metrics
                        .webhook_lag
                        .get_or_create(&labels(&state))
                        .set(head - state.last_sequence);
                    tasks
                        .entry(state.webhook)
                        .or_insert_with(|| tokio::spawn(deliver_hook(shared.clone(), state.webhook, shutdown.clone())));
                }
            }
            Err(e) => tracing::warn!(error = %e, "leasing webhooks failed"),
        }
        // Every LEASE_RENEW, and soon after a commit (a new hook is a commit), at most once per
        // LEASE_WAKE: a new hook starts delivering within about a second.
        let next_round = Instant::now() + LEASE_WAKE;
        tokio::select! {
            () = tokio::time::sleep(LEASE_RENEW) => {}
            _ = head.changed() => tokio::time::sleep_until(next_round.into()).await,
            () = stopped(&mut shutdown) => break,
        }
    }
    for (_, task) in tasks {
        let _ = task.await;
    }
}

fn labels(state: &HookState) -> WebhookLabels {
    WebhookLabels {
        webhook: state.webhook.to_string(),
    }
}

/// One hook, read with its state.
struct Hook {
    record: Record,
    state: HookState,
}

impl Hook {
    fn url(&self) -> &str {
        self.record.text("url").unwrap_or_default()
    }

    /// The events the hook delivers: its `entities` and `actions` (an empty list: all), none
    /// while disabled.
    fn selection(&self) -> Selection {
        let names = |key: &str| match self.record.get(key) {
            shopfloor_core::record::Value::Json(Json::Array(items)) => {
                Some(items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
            }
            _ => None,
        };
        Selection {
            enabled: self.record.get("enabled") != &shopfloor_core::record::Value::Bool(false),
            entities: names("entities"),
            actions: names("actions"),
        }
    }
}

/// Delivers one hook until it is gone, no longer leased here, or shutdown.
async fn deliver_hook(shared: Shared, id: Id, mut shutdown: watch::Receiver<bool>) {
    let mut head = shared.store.last_event();
    loop {
        head.borrow_and_update();
        let read = shared.store.read(move |tx| {
            let Some(record) = tx.get(Entity::Webhook, id)? else {
                return Ok(None);
            };
            let Some(state) = tx.delivery()?.hook_state(id)? else {
                return Ok(None);
            };
            Ok(Some(Hook { record, state }))
        });
        let hook = match read.await {
            Ok(Some(hook)) => hook,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(webhook = %id, error = %e, "reading a webhook failed");
                if !sleep(&mut shutdown, POLL).await {
                    return;
                }
                continue;
            }
        };
        if hook.state.lease_owner.as_deref() != Some(&*shared.owner) {
            return;
        }
        let now = Timestamp::now().millis();
        let wait = match (&hook.state.paused_reason, hook.state.next_attempt) {
            (Some(_), _) => Some(POLL),
            (None, Some(at)) if at.millis() > now => Some(Duration::from_millis((at.millis() - now) as u64).min(POLL)),
            _ => None,
        };
        if let Some(wait) = wait {
            if !sleep(&mut shutdown, wait).await {
                return;
            }
            continue;
        }
        let selection = hook.selection();
        let events = match shared.feed.batch(hook.state.last_sequence, BATCH, &selection).await {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!(webhook = %id, error = %e, "reading the history failed");
                if !sleep(&mut shutdown, POLL).await {
                    return;
                }
                continue;
            }
        };
        if events.is_empty() {
            tokio::select! {
                _ = head.changed() => {}
                () = tokio::time::sleep(POLL) => {}
                () = stopped(&mut shutdown) => return,
            }
            continue;
        }
        let outcome = tokio::select! {
            outcome = deliver_batch(&shared, &hook, &selection, &events) => outcome,
            () = stopped(&mut shutdown) => return,
        };
        if let Err(e) = store_outcome(&shared, hook, outcome).await {
            tracing::warn!(webhook = %id, error = %e, "storing a webhook's progress failed");
            if !sleep(&mut shutdown, POLL).await {
                return;
            }
        }
    }
}

/// What a batch came to: the attempts made, how far the cursor may move, the failure if any.
struct Outcome {
    attempts: Vec<Attempt>,
    delivered_to: i64,
    failure: Option<String>,
}

/// Delivers the events the hook selects, in order, stopping at the first failure.
async fn deliver_batch(shared: &Shared, hook: &Hook, selection: &Selection, events: &[Arc<Item>]) -> Outcome {
    let mut outcome = Outcome {
        attempts: Vec::new(),
        delivered_to: hook.state.last_sequence,
        failure: None,
    };
    for item in events {
        let event = &item.event;
        if !selection.selects(event) {
            outcome.delivered_to = event.sequence;
            continue;
        }
        let Some(body) = item.body() else {
            // The feed builds the body of every event a hook selects; without it, stop here.
            outcome.failure = Some(format!("the body of event {} was not read", event.sequence));
            break;
        };
        let attempt = post(shared, hook, event.sequence, &body).await;
        let ok = attempt.succeeded();
        if !ok {
            outcome.failure = Some(attempt.error.clone().unwrap_or_else(|| "failed".into()));
        }
        outcome.attempts.push(attempt);
        if !ok {
            break;
        }
        outcome.delivered_to = event.sequence;
    }
    outcome
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn signature(secret: &str, unix_seconds: i64, body: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{unix_seconds}.").as_bytes());
    mac.update(body.as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={unix_seconds},v1={hex}")
}

/// One attempt: POST, wait for the status (within the client's timeout), log the outcome.
async fn post(shared: &Shared, hook: &Hook, sequence: i64, body: &str) -> Attempt {
    let at = Timestamp::now();
    let started = Instant::now();
    let secret = hook.record.text("secret").unwrap_or_default();
    let result = shared
        .client
        .post(hook.url())
        .header("content-type", "application/json")
        .header("shopfloor-event", sequence.to_string())
        .header("shopfloor-signature", signature(secret, at.millis() / 1000, body))
        .body(body.to_string())
        .send()
        .await;
    let (status, error) = match result {
        Ok(answer) => {
            let status = answer.status();
            // The body is not read: the status is the answer.
            let error = (!status.is_success()).then(|| format!("answered {status}"));
            (Some(i64::from(status.as_u16())), error)
        }
        Err(e) => (None, Some(describe(&e))),
    };
    Attempt {
        webhook: hook.state.webhook,
        sequence,
        at,
        status,
        error,
        duration_ms: started.elapsed().as_millis() as i64,
    }
}

/// A request error with its causes, cut to [`ERROR_MAX`].
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() { "timed out: ".to_string() } else { String::new() };
    text.push_str(&e.to_string());
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(ERROR_MAX).collect()
}

/// The wait before attempt number `failures + 1`: doubling from [`BACKOFF_FIRST`] up to
/// [`BACKOFF_MAX`], each wait a random part (50 % to 100 %) of that, so that hooks failing
/// together do not retry together.
pub fn backoff(failures: i64) -> Duration {
    let exponent = failures.clamp(1, 20) as u32 - 1;
    let full = BACKOFF_FIRST.saturating_mul(2u32.saturating_pow(exponent)).min(BACKOFF_MAX);
    full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

/// Stores a batch's attempts and the hook's new state, if the hook is still this instance's
/// and nobody moved its cursor meanwhile (a replay: the next round starts from there).
async fn store_outcome(shared: &Shared, hook: Hook, outcome: Outcome) -> CoreResult<()> {
    let from = hook.state.last_sequence;
    let mut state = hook.state;
    state.last_sequence = outcome.delivered_to;
    let now = Timestamp::now();
    match &outcome.failure {
        None => state.resume(),
        Some(error) => {
            state.failures += 1;
            let since = *state.failing_since.get_or_insert(now);
            state.next_attempt = Some(Timestamp(now.millis() + backoff(state.failures).as_millis() as i64));
            state.last_error = Some(error.clone());
            if now.millis() - since.millis() >= shared.config.pause_after.as_millis() as i64 {
                state.paused_reason = Some(format!(
                    "paused: failing since {since} ({} attempts); last error: {error}",
                    state.failures
                ));
            }
        }
    }
    if let Some(reason) = &state.paused_reason {
        tracing::warn!(webhook = %state.webhook, reason = %reason, "webhook paused");
    }
    let owner = shared.owner.clone();
    let lag_labels = labels(&state);
    let stored = state.clone();
    let advanced = shared
        .store
        .write(move |tx| {
            let delivery = tx.delivery()?;
            if !delivery.advance(&owner, from, &stored)? {
                return Ok(None);
            }
            for attempt in &outcome.attempts {
                delivery.add_attempt(attempt)?;
            }
            if !outcome.attempts.is_empty() {
                delivery.trim_attempts(stored.webhook, webhook::ATTEMPTS_KEPT)?;
            }
            Ok(Some(delivery.head_sequence()?))
        })
        .await?;
    if let Some(head) = advanced {
        shared
            .metrics
            .webhook_lag
            .get_or_create(&lag_labels)
            .set(head - state.last_sequence);
    }
    Ok(())
}

/// Sleeps `wait`; false when shutdown comes first.
async fn sleep(shutdown: &mut watch::Receiver<bool>, wait: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(wait) => true,
        () = stopped(shutdown) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_time_dot_body_in_hex() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = signature("Jefe", 0, "what do ya want for nothing?");
        assert_eq!(sig, format!("t=0,v1={}", hmac_hex("Jefe", "0.what do ya want for nothing?")));
        let known = hmac_hex("Jefe", "what do ya want for nothing?");
        assert_eq!(known, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    fn hmac_hex(key: &str, data: &str) -> String {
        let mut mac = HmacSha256::new_from_slice(key.as_bytes()).unwrap();
        mac.update(data.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn backoff_doubles_from_one_second_to_ten_minutes_with_jitter() {
        for _ in 0..50 {
            let first = backoff(1);
            assert!(first >= Duration::from_millis(500) && first <= BACKOFF_FIRST, "{first:?}");
            let late = backoff(30);
            assert!(late >= BACKOFF_MAX / 2 && late <= BACKOFF_MAX, "{late:?}");
        }
        assert!(backoff(4) <= Duration::from_secs(8));
    }
}
