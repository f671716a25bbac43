//! The PostgreSQL backend: a pool of blocking connections, one transaction per service call,
//! and a change-feed listener that learns of events committed by any instance.
//!
//! Multi-instance safety (docs/adr/0005-postgresql-backend.md, addendum 2026-12): writers of
//! all instances run at once (READ COMMITTED). What two writers could both read and then both
//! change is ordered by row locks (`get_for_update`: versions, `reportProduction` sums, token
//! use against revocation); names by the unique indexes on `name_key` (a violation is the same
//! field error). The change feed: history sequences are drawn while a transaction runs, so
//! they may commit out of order; every write therefore holds the feed lock ([`feed::LOCK`])
//! *shared* for its whole transaction, and readers of the feed see events only up to the
//! horizon the feed thread computes by taking that lock exclusively for an instant (every
//! event at or below it is then committed or gone). A reader that has seen sequence N never
//! later finds a committed event below N, while writers never wait for each other on it.

pub mod driver;
mod feed;
pub mod migrations;
mod pool;
pub use pool::connect_for_setup;
pub mod settings;

use crate::tx::SqlTx;
use crate::{StoreError, StoreStats, WriteCounters};
use driver::{db_error, describe, EVENTS_CHANNEL};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::tx::Tx;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::watch;

/// Starts a write: READ COMMITTED, then the feed lock held shared until it ends (see
/// [`feed::LOCK`]; writers never wait for each other on it, only for a feed horizon being taken).
const BEGIN_WRITE: &str = "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock_shared(8316019240485023602)";
/// A write without the feed lock: only with the test switch `unsafe_feed_without_horizon`.
const BEGIN_WRITE_UNLOCKED: &str = "BEGIN ISOLATION LEVEL READ COMMITTED";
const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

pub struct Postgres {
    pool: pool::Pool,
    events: Arc<watch::Sender<i64>>,
    last_event: watch::Receiver<i64>,
    counters: Arc<WriteCounters>,
    feed: feed::Feed,
    /// Whether feed readers are held to the horizon (off only by the test switch).
    feed_horizon: bool,
}

impl Postgres {
    /// Connects, migrates (one instance at a time) and starts the change-feed listener.
    /// Blocking: runs on its own thread, as the driver may not block an async thread.
    pub fn open(url: &str) -> Result<Postgres, StoreError> {
        let settings = settings::parse(url)?;
        let setup = settings.clone();
        let last = std::thread::spawn(move || -> Result<i64, StoreError> {
            let mut client = pool::connect_for_setup(&setup)?;
            migrations::run(&mut client)?;
            feed::horizon(&mut client, setup.feed_horizon).map_err(|e| StoreError::Postgres(describe(&e)))
        })
        .join()
        .map_err(|_| StoreError::Config("opening the database panicked".into()))??;
        let (events, last_event) = watch::channel(last);
        let events = Arc::new(events);
        let feed = feed::Feed::start(settings.clone(), events.clone()).map_err(StoreError::Thread)?;
        let feed_horizon = settings.feed_horizon;
        Ok(Postgres {
            pool: pool::Pool::new(settings)?,
            events,
            last_event,
            counters: Arc::new(WriteCounters::default()),
            feed,
            feed_horizon,
        })
    }

    pub async fn write<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        let counters = self.counters.clone();
        counters.jobs.fetch_add(1, Ordering::Relaxed);
        let horizon = self.horizon();
        let begin = if self.feed_horizon { BEGIN_WRITE } else { BEGIN_WRITE_UNLOCKED };
        let feed_horizon = self.feed_horizon;
        let (result, published) = self
            .pool
            .run(begin, move |conn| {
                let mut tx = SqlTx::new(&mut *conn, false);
                tx.horizon = horizon;
                let result = match catch_unwind(AssertUnwindSafe(|| f(&mut tx))) {
                    Ok(r) => r,
                    Err(_) => Err(CoreError::Internal("a write job panicked".into())),
                };
                let sequence = tx.last_sequence;
                let client = &mut conn.client;
                if result.is_err() {
                    let _ = client.batch_execute("ROLLBACK");
                    return Ok((result, None));
                }
                let finish = match (sequence, feed_horizon) {
                    // Delivered to every listening instance when (and only if) this commits;
                    // then, in the same round-trip, a horizon if no writer is in flight now,
                    // so that the writer's own event is in the feed when its answer arrives.
                    (Some(seq), true) => format!("SELECT pg_notify('{EVENTS_CHANNEL}', '{seq}'); COMMIT; {}", feed::TRY_HORIZON),
                    (Some(seq), false) => format!("SELECT pg_notify('{EVENTS_CHANNEL}', '{seq}'); COMMIT"),
                    (None, _) => "COMMIT".to_string(),
                };
                match client.simple_query(&finish) {
                    Ok(messages) => {
                        counters.commits.fetch_add(1, Ordering::Relaxed);
                        let published = if feed_horizon { feed::horizon_in(&messages) } else { sequence };
                        Ok((result, published))
                    }
                    Err(e) => {
                        // Also lets go of a horizon lock the batch may have taken (pooled
                        // connections hold no other session lock).
                        let _ = client.batch_execute("ROLLBACK; SELECT pg_advisory_unlock_all()");
                        counters.failed_commits.fetch_add(1, Ordering::Relaxed);
                        tracing::error!(error = %describe(&e), "commit failed");
                        Err(db_error(e))
                    }
                }
            })
            .await?;
        // A horizon taken right after the commit, or (test switch) the sequence itself; the
        // sequence alone may not be published while horizons hold: an earlier one of a
        // concurrent writer may still commit.
        if let Some(seq) = published {
            self.events.send_if_modified(|last| {
                let newer = seq > *last;
                if newer {
                    *last = seq;
                }
                newer
            });
        }
        result
    }

    /// The feed horizon a transaction starting now holds its feed readers to (see
    /// [`feed::horizon`]); `None` with the test switch.
    fn horizon(&self) -> Option<i64> {
        self.feed_horizon.then(|| *self.last_event.borrow())
    }

    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        let horizon = self.horizon();
        self.pool
            .run(BEGIN_READ, move |conn| {
                let result = {
                    let mut tx = SqlTx::new(&mut *conn, true);
                    tx.horizon = horizon;
                    match catch_unwind(AssertUnwindSafe(|| f(&mut tx))) {
                        Ok(r) => r,
                        Err(_) => Err(CoreError::Internal("a read job panicked".into())),
                    }
                };
                let _ = conn.client.batch_execute("ROLLBACK");
                result
            })
            .await
    }

    pub async fn ping(&self) -> CoreResult<()> {
        self.pool
            .run(BEGIN_READ, |conn| {
                let r = conn.client.simple_query("SELECT 1").map(|_| ()).map_err(db_error);
                let _ = conn.client.batch_execute("ROLLBACK");
                r
            })
            .await
    }

    pub fn last_event(&self) -> watch::Receiver<i64> {
        self.last_event.clone()
    }

    pub fn stats(&self) -> StoreStats {
        self.counters.stats()
    }

    pub fn close(&self) {
        self.pool.close();
        self.feed.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_begins_by_taking_the_feed_lock_shared() {
        assert!(BEGIN_WRITE.ends_with(&format!("pg_advisory_xact_lock_shared({})", feed::LOCK)));
    }
}
