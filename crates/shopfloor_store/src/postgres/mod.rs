//! The PostgreSQL backend: a pool of blocking connections, one transaction per service call,
//! and a change-feed listener that learns of events committed by any instance.
//!
//! Multi-instance safety (docs/adr/0005-postgresql-backend.md): every write transaction first
//! takes one transaction-level advisory lock, so writes of all instances on one database run
//! one at a time — the SQLite writer's guarantee, across processes. Each statement of a write
//! (READ COMMITTED) then sees everything committed before it, so version checks, unique-name
//! checks, `reportProduction` sums, BOM positions and history sequences read current data;
//! history sequence numbers are handed out in commit order, so a change-feed reader that has
//! seen sequence N never later finds a committed event below N. Row locks (`get_for_update`)
//! and unique indexes hold as a second line of defence.

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

/// Starts a write: READ COMMITTED, then the advisory lock every write transaction holds until
/// it ends (key 0x73686f70666c6f72, the bytes of "shopflor").
const BEGIN_WRITE: &str = "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(8316019240485023602)";
const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

pub struct Postgres {
    pool: pool::Pool,
    events: Arc<watch::Sender<i64>>,
    last_event: watch::Receiver<i64>,
    counters: Arc<WriteCounters>,
    feed: feed::Feed,
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
            let row = client
                .query_one("SELECT COALESCE(MAX(sequence), 0) FROM history_events", &[])
                .map_err(|e| StoreError::Postgres(describe(&e)))?;
            row.try_get::<_, i64>(0).map_err(|e| StoreError::Postgres(describe(&e)))
        })
        .join()
        .map_err(|_| StoreError::Config("opening the database panicked".into()))??;
        let (events, last_event) = watch::channel(last);
        let events = Arc::new(events);
        let feed = feed::Feed::start(settings.clone(), events.clone()).map_err(StoreError::Thread)?;
        Ok(Postgres {
            pool: pool::Pool::new(settings)?,
            events,
            last_event,
            counters: Arc::new(WriteCounters::default()),
            feed,
        })
    }

    pub async fn write<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        let counters = self.counters.clone();
        counters.jobs.fetch_add(1, Ordering::Relaxed);
        let (result, sequence) = self
            .pool
            .run(BEGIN_WRITE, move |conn| {
                let mut tx = SqlTx::new(&mut *conn, false);
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
                let finish = match sequence {
                    // Delivered to every listening instance when (and only if) this commits.
                    Some(seq) => format!("SELECT pg_notify('{EVENTS_CHANNEL}', '{seq}'); COMMIT"),
                    None => "COMMIT".to_string(),
                };
                match client.batch_execute(&finish) {
                    Ok(()) => {
                        counters.commits.fetch_add(1, Ordering::Relaxed);
                        Ok((result, sequence))
                    }
                    Err(e) => {
                        let _ = client.batch_execute("ROLLBACK");
                        counters.failed_commits.fetch_add(1, Ordering::Relaxed);
                        tracing::error!(error = %describe(&e), "commit failed");
                        Err(db_error(e))
                    }
                }
            })
            .await?;
        if let Some(seq) = sequence {
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

    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        self.pool
            .run(BEGIN_READ, move |conn| {
                let result = {
                    let mut tx = SqlTx::new(&mut *conn, true);
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
