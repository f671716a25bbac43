//! The token cache (issue 19): a request's secret resolved to its caller — user, permissions,
//! token — kept in memory, so that authenticating a request needs no read transaction.
//!
//! What keeps it exact is the database's **security generation** (migration 18): a number that
//! triggers on `users`, `roles` and `api_tokens` move forward with every change that could
//! alter what a secret resolves to, whoever makes it (a service, the command line, another
//! instance, raw SQL). An entry is used only while the generation it was read at is still the
//! current one, and a request trusts only a reading of the current generation that **started
//! after the request arrived** — so every change committed before a request arrives counts for
//! it, from wherever it came. One single-row read serves every request that arrived before it
//! started (the others wait for it, as writes wait for a group commit): under load that is one
//! small read per batch of requests instead of the token, its user and every role per request.
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

/// Longest an entry is used, whatever the generation says.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// Most secrets kept; when full, stale entries go first, then all.
pub const MAX_ENTRIES: usize = 10_000;

/// The last reading of the security generation.
#[derive(Clone, Copy)]
struct Reading {
    generation: i64,
    /// When the read started: every change committed by then is counted in `generation`.
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
    /// The kept reading, when it started at or after `arrived`.
    fn current(&self, arrived: Instant) -> Option<i64> {
        let reading = (*self.reading.lock().ok()?)?;
        (reading.at >= arrived).then_some(reading.generation)
    }

    /// The security generation as of a read that started after `arrived`: a reading another
    /// request started meanwhile, or this request's own.
    async fn generation(&self, store: &Store, arrived: Instant) -> CoreResult<i64> {
        let _rereading = self.rereading.lock().await;
        if let Some(g) = self.current(arrived) {
            return Ok(g);
        }
        let at = Instant::now();
        let generation = store.read(|tx| tx.security_generation()).await?;
        self.note(Reading { generation, at });
        Ok(generation)
    }

    /// Keeps a reading unless a newer one is already kept (the generation only grows).
    fn note(&self, new: Reading) {
        if let Ok(mut reading) = self.reading.lock() {
            match &mut *reading {
                Some(old) if old.generation > new.generation => {}
                Some(old) if old.generation == new.generation => old.at = old.at.max(new.at),
                _ => *reading = Some(new),
            }
        }
    }

    /// The caller `secret` stands for now: from the cache while its generation is current, else
    /// read (with the generation, in one transaction) and kept.
    pub async fn principal(&self, store: &Store, secret: &str) -> CoreResult<Option<Principal>> {
        let arrived = Instant::now();
        let key = hash_token(secret);
        let generation = self.generation(store, arrived).await?;
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
