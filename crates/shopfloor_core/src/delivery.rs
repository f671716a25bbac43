//! The storage interface of event delivery (issue 20, ADR 0011): for each webhook, how far
//! delivery has got along the history (its durable cursor), who is delivering it (a lease, so
//! that several instances on one database deliver each event once per hook), its failures and
//! pause, and the log of delivery attempts. A store's transaction provides it through
//! [`crate::tx::Tx::delivery`]; the worker that delivers lives in `shopfloor_server`.

use crate::errors::CoreResult;
use crate::id::Id;
use crate::time::Timestamp;
use serde_json::{json, Value as Json};

/// Where delivery of one webhook stands.
#[derive(Clone, Debug, PartialEq)]
pub struct HookState {
    pub webhook: Id,
    /// The sequence of the last event delivered (or passed over: not of the hook's entities
    /// and actions): delivery goes on after it.
    pub last_sequence: i64,
    /// The instance delivering the hook, until `lease_until`.
    pub lease_owner: Option<String>,
    pub lease_until: Option<Timestamp>,
    /// When the failures in a row began (`None`: the last attempt succeeded).
    pub failing_since: Option<Timestamp>,
    /// Failed attempts in a row (drives the backoff).
    pub failures: i64,
    /// No attempt before this time (the backoff's wait).
    pub next_attempt: Option<Timestamp>,
    /// Why delivery stopped (it failed for longer than the pause setting); `None`: running.
    pub paused_reason: Option<String>,
    pub last_error: Option<String>,
}

impl HookState {
    /// A hook that starts delivering after `sequence`.
    pub fn new(webhook: Id, sequence: i64) -> HookState {
        HookState {
            webhook,
            last_sequence: sequence,
            lease_owner: None,
            lease_until: None,
            failing_since: None,
            failures: 0,
            next_attempt: None,
            paused_reason: None,
            last_error: None,
        }
    }

    /// Back to delivering at once: failures forgotten, pause lifted.
    pub fn resume(&mut self) {
        self.failing_since = None;
        self.failures = 0;
        self.next_attempt = None;
        self.paused_reason = None;
    }

    /// As `getWebhook` shows it, with the lag behind `head` (the newest event's sequence).
    pub fn to_json(&self, head: i64) -> Json {
        json!({
            "lastDeliveredSequence": self.last_sequence,
            "headSequence": head,
            "lag": (head - self.last_sequence).max(0),
            "failures": self.failures,
            "failingSince": self.failing_since.map(|t| t.to_string()),
            "nextAttemptDate": self.next_attempt.map(|t| t.to_string()),
            "paused": self.paused_reason.is_some(),
            "pausedReason": self.paused_reason,
            "lastError": self.last_error,
        })
    }
}

/// One delivery attempt of one event to one webhook.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub webhook: Id,
    pub sequence: i64,
    pub at: Timestamp,
    /// The receiver's HTTP status (`None`: no answer — refused, timed out, cut off).
    pub status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    pub fn to_json(&self) -> Json {
        json!({
            "sequence": self.sequence,
            "at": self.at.to_string(),
            "statusCode": self.status,
            "success": self.succeeded(),
            "error": self.error,
            "durationMs": self.duration_ms,
        })
    }
}

/// Storage of delivery state; a store's transaction provides it through
/// [`crate::tx::Tx::delivery`].
pub trait Delivery {
    /// The sequence of the newest event (0: none yet).
    fn head_sequence(&mut self) -> CoreResult<i64>;
    fn hook_state(&mut self, webhook: Id) -> CoreResult<Option<HookState>>;
    /// Inserts or replaces the state of one hook.
    fn put_hook_state(&mut self, state: &HookState) -> CoreResult<()>;
    /// The deliverer's update of a hook it holds (`owner`) whose cursor stood at `from`; false
    /// (nothing written) when it lost the lease or the cursor was moved meanwhile (a replay).
    fn advance(&mut self, owner: &str, from: i64, state: &HookState) -> CoreResult<bool>;
    /// Forgets a hook's state and attempts (the hook was deleted).
    fn delete_hook_state(&mut self, webhook: Id) -> CoreResult<()>;
    /// Leases to `owner` until `until` every hook whose lease is free, run out (before `now`)
    /// or already `owner`'s, and returns their states. Runs in a write transaction, so that
    /// instances sharing a database take turns and never hold one hook at once.
    fn lease_hooks(&mut self, owner: &str, now: Timestamp, until: Timestamp) -> CoreResult<Vec<HookState>>;
    fn add_attempt(&mut self, attempt: &Attempt) -> CoreResult<()>;
    /// The cursor of the publisher `name` (created at `start` when it has none).
    fn follower_cursor(&mut self, name: &str, start: i64) -> CoreResult<i64>;
    /// Leases the publisher `name` to `owner` until `until` if its lease is free, run out
    /// (before `now`) or already `owner`'s; its cursor when leased, `None` when another
    /// instance holds it. Runs in a write transaction, as [`Delivery::lease_hooks`].
    fn lease_follower(&mut self, name: &str, owner: &str, now: Timestamp, until: Timestamp) -> CoreResult<Option<i64>>;
    /// Moves the publisher's cursor while `owner` holds its lease; false when it does not.
    fn store_follower(&mut self, name: &str, owner: &str, sequence: i64) -> CoreResult<bool>;
    /// A page of a hook's attempts, newest first, and how many there are.
    fn attempts(&mut self, webhook: Id, offset: u64, limit: u64) -> CoreResult<(Vec<Attempt>, u64)>;
    /// Deletes a hook's attempts but the newest `keep`.
    fn trim_attempts(&mut self, webhook: Id, keep: u64) -> CoreResult<()>;
}
