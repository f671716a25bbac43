//! The token cache (issue 19): a request's secret resolved to its caller — user, permissions,
//! token — kept in memory, so that authenticating a request needs no read transaction.
//!
//! What keeps it exact is the database's **security generation** (migration 18): a number that
//! triggers on `users`, `roles` and `api_tokens` move forward with every change that could
//! alter what a secret resolves to, whoever makes it (a service, the command line, another
//! instance, raw SQL). An entry is used only while the generation it was read at is still the
//! current one; the current one is re-read (one single-row read, shared by every request
//! waiting for it) whenever
//! - the store's change feed moved since the last reading (`Store::last_event`: every service
//!   write commits a history event, and the feed is published after the commit and before the
//!   write is answered — so a revoke, a disabled user or a changed role made through this
//!   server or, on PostgreSQL, through another instance (LISTEN/NOTIFY) stops the token on the
//!   very next request), or
//! - [`RECHECK_AFTER`] passed since it (changes that write no history event: raw SQL, or on
//!   SQLite another process such as `shopfloor user`/`shopfloor token` run beside the server;
//!   they take effect within that bound).
//!
//! Only secrets that resolved are kept (an unknown secret costs a read every time, as before);
//! an entry also ends with its token's expiry, after [`MAX_AGE`], and the cache holds at most
//! [`MAX_ENTRIES`].

use shopfloor_core::errors::CoreResult;
use shopfloor_core::service::security::{self, hash_token, Principal};
use shopfloor_core::time::Timestamp;
use shopfloor_store::Store;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Longest a reading of the security generation is trusted without a new one, for changes the
/// change feed does not announce (see the module documentation).
pub const RECHECK_AFTER: Duration = Duration::from_secs(1);
/// Longest an entry is used, whatever the generation says.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// Most secrets kept; when full, stale entries go first, then all.
pub const MAX_ENTRIES: usize = 10_000;

/// The last reading of the security generation.
#[derive(Clone, Copy)]
struct Reading {
    generation: i64,
    /// The change feed's position when the reading started: every write committed by then is
    /// counted in `generation`.
    event: i64,
    at: Instant,
}

struct Entry {
    principal: Principal,
    generation: i64,
    filled: Instant,
}

#[derive(Default)]
pub struct TokenCache {
    reading: Mutex<Option<Reading>>,
    /// Held by the one request re-reading the generation; the others wait and use its reading.
    rereading: tokio::sync::Mutex<()>,
    entries: Mutex<HashMap<String, Entry>>,
}

impl TokenCache {
    /// The reading, when it covers every change announced up to feed position `event` and is
    /// recent enough.
    fn current(&self, event: i64) -> Option<i64> {
        let reading = (*self.reading.lock().ok()?)?;
        (reading.event >= event && reading.at.elapsed() < RECHECK_AFTER).then_some(reading.generation)
    }

    /// The current security generation, re-read when the feed moved or the reading is old.
    async fn generation(&self, store: &Store) -> CoreResult<i64> {
        let event = *store.last_event().borrow();
        if let Some(g) = self.current(event) {
            return Ok(g);
        }
        let _rereading = self.rereading.lock().await;
        if let Some(g) = self.current(event) {
            return Ok(g);
        }
        let event = *store.last_event().borrow();
        let at = Instant::now();
        let generation = store.read(|tx| tx.security_generation()).await?;
        self.note(Reading { generation, event, at });
        Ok(generation)
    }

    /// Keeps a reading unless a newer one is already kept (the generation only grows).
    fn note(&self, new: Reading) {
        if let Ok(mut reading) = self.reading.lock() {
            match &mut *reading {
                Some(old) if old.generation > new.generation => {}
                Some(old) if old.generation == new.generation => {
                    old.event = old.event.max(new.event);
                    old.at = old.at.max(new.at);
                }
                _ => *reading = Some(new),
            }
        }
    }

    /// The caller `secret` stands for now: from the cache while its generation is current, else
    /// read (with the generation, in one transaction) and kept.
    pub async fn principal(&self, store: &Store, secret: &str) -> CoreResult<Option<Principal>> {
        let key = hash_token(secret);
        let generation = self.generation(store).await?;
        let now = Timestamp::now();
        if let Some(p) = self.lookup(&key, generation, now) {
            return Ok(Some(p));
        }
        let owned = secret.to_string();
        let (read_at, found) = store
            .read(move |tx| Ok((tx.security_generation()?, security::authenticate(tx, &owned, now)?)))
            .await?;
        if let Some(p) = &found {
            self.keep(key, p.clone(), read_at, generation);
        }
        Ok(found)
    }

    fn lookup(&self, key: &str, generation: i64, now: Timestamp) -> Option<Principal> {
        let entries = self.entries.lock().ok()?;
        let e = entries.get(key)?;
        let fresh = e.generation == generation && e.filled.elapsed() < MAX_AGE && e.principal.expires.is_none_or(|t| t > now);
        fresh.then(|| e.principal.clone())
    }

    /// Keeps what was read at generation `read_at`. It is kept only when that is the current
    /// generation `current` (a change between the two readings makes it useless until the next).
    fn keep(&self, key: String, principal: Principal, read_at: i64, current: i64) {
        if read_at != current {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.generation == current && e.filled.elapsed() < MAX_AGE);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                principal,
                generation: read_at,
                filled: Instant::now(),
            },
        );
    }
}
