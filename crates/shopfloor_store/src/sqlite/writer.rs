//! Group commit: one thread owns the write connection, takes every queued write job, runs each
//! inside a savepoint of one shared transaction, commits once, and only then answers the jobs.
//! A failing job rolls back to its savepoint and spoils nothing else; a failing commit fails
//! every job of the group. With `synchronous=FULL`, one fsync covers the whole group.
//! When SQLite rolls the whole transaction back by itself (a full disk, an I/O error), the
//! group stops there and every job of it fails: none is answered as written.

use super::driver::{db_error, SqliteDriver, SqliteTx};
use crate::tx::SqlTx;
use crate::{StoreError, StoreStats, WriteCounters};
use rusqlite::Connection;
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::tx::Tx;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::{oneshot, watch};

/// Called once the group's fate is known: `Ok` when committed.
type Deliver = Box<dyn FnOnce(CoreResult<()>) + Send>;
/// Runs one job on the writer's transaction; says how it went and how to answer it.
type Job = Box<dyn FnOnce(&mut SqliteTx<'_, '_>) -> (Ran, Deliver) + Send>;

/// How a job went: succeeded, failed on its own (validation, conflict…), or failed because the
/// database could not write.
#[derive(Clone, Copy, PartialEq)]
enum Ran {
    Ok,
    Failed,
    Unavailable,
}

#[derive(Default)]
struct Counters {
    writes: WriteCounters,
    /// Why writes fail, from the last failed write until one succeeds.
    failing: Mutex<Option<String>>,
}

impl Counters {
    fn set_failing(&self, cause: Option<String>) {
        if let Ok(mut failing) = self.failing.lock() {
            *failing = cause;
        }
    }
}

pub struct Writer {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    last_event: watch::Receiver<i64>,
    counters: Arc<Counters>,
}

impl Writer {
    pub fn start(conn: Connection, max_batch: usize) -> Result<Writer, StoreError> {
        let last: i64 = conn.query_row("SELECT COALESCE(MAX(sequence), 0) FROM history_events", [], |r| r.get(0))?;
        let (events_tx, events_rx) = watch::channel(last);
        let (jobs_tx, jobs_rx) = mpsc::channel::<Job>();
        let counters = Arc::new(Counters::default());
        let thread_counters = counters.clone();
        let thread = std::thread::Builder::new()
            .name("shopfloor-writer".into())
            .spawn(move || run(conn, jobs_rx, max_batch.max(1), events_tx, thread_counters))
            .map_err(StoreError::Thread)?;
        Ok(Writer {
            jobs: Mutex::new(Some(jobs_tx)),
            thread: Mutex::new(Some(thread)),
            last_event: events_rx,
            counters,
        })
    }

    pub async fn submit<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        let (reply, answer) = oneshot::channel::<CoreResult<T>>();
        let job: Job = Box::new(move |tx: &mut SqliteTx<'_, '_>| {
            let result = match catch_unwind(AssertUnwindSafe(|| f(tx))) {
                Ok(r) => r,
                Err(_) => Err(CoreError::Internal("a write job panicked".into())),
            };
            let ran = match &result {
                Ok(_) => Ran::Ok,
                Err(CoreError::Unavailable(_)) => Ran::Unavailable,
                Err(_) => Ran::Failed,
            };
            let deliver: Deliver = Box::new(move |committed: CoreResult<()>| {
                let _ = reply.send(match (result, committed) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Err(e), _) => Err(e),
                    (Ok(_), Err(e)) => Err(e),
                });
            });
            (ran, deliver)
        });
        self.send(job)?;
        answer
            .await
            .map_err(|_| CoreError::Unavailable("the writer stopped before answering".into()))?
    }

    /// `Ok` while writes succeed. After a failed write, tries a harmless write that must reach
    /// the disk and says why it fails, so readiness recovers by itself once the cause is gone.
    pub async fn check_writes(&self) -> CoreResult<()> {
        if self.counters.failing.lock().map(|f| f.is_none()).unwrap_or(false) {
            return Ok(());
        }
        let (reply, answer) = oneshot::channel::<CoreResult<()>>();
        let job: Job = Box::new(move |tx: &mut SqliteTx<'_, '_>| {
            // A write SQLite cannot skip as unchanged: the header's user_version (unused
            // otherwise) flips.
            let conn = tx.driver.conn;
            let probe = conn
                .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
                .and_then(|v| conn.execute_batch(&format!("PRAGMA user_version = {}", (v + 1) % 2)))
                .map_err(db_error);
            let ran = if probe.is_ok() { Ran::Ok } else { Ran::Unavailable };
            let deliver: Deliver = Box::new(move |committed: CoreResult<()>| {
                let _ = reply.send(probe.and(committed).map(|_| ()));
            });
            (ran, deliver)
        });
        self.send(job)?;
        let outcome = answer
            .await
            .map_err(|_| CoreError::Unavailable("the writer stopped before answering".into()))?;
        outcome.map_err(|e| CoreError::Unavailable(format!("writes fail: {e}")))
    }

    fn send(&self, job: Job) -> CoreResult<()> {
        let sender = self
            .jobs
            .lock()
            .map_err(|_| CoreError::Internal("writer lock poisoned".into()))?
            .clone();
        let sender = sender.ok_or_else(|| CoreError::Unavailable("the server is shutting down".into()))?;
        sender
            .send(job)
            .map_err(|_| CoreError::Unavailable("the writer has stopped".into()))
    }

    pub fn last_event(&self) -> watch::Receiver<i64> {
        self.last_event.clone()
    }

    pub fn stats(&self) -> StoreStats {
        self.counters.writes.stats()
    }

    /// Stops taking jobs, lets the thread finish what is queued, and waits for it.
    pub fn close(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        let handle = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

fn run(conn: Connection, jobs: mpsc::Receiver<Job>, max_batch: usize, events: watch::Sender<i64>, counters: Arc<Counters>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        counters.writes.jobs.fetch_add(batch.len() as u64, Ordering::Relaxed);
        let group = run_group(&conn, batch);
        let committed = group.committed;
        match &committed {
            Ok(()) => {
                counters.writes.commits.fetch_add(1, Ordering::Relaxed);
                if let Some(seq) = group.last_sequence {
                    events.send_replace(seq);
                }
                if group.wrote {
                    counters.set_failing(None);
                } else if let Some(cause) = group.unavailable {
                    counters.set_failing(Some(cause));
                }
            }
            Err(e) => {
                counters.writes.failed_commits.fetch_add(1, Ordering::Relaxed);
                counters.set_failing(Some(e.to_string()));
                tracing::error!(error = %e, "group commit failed");
            }
        }
        let deliveries = group.deliveries;
        for deliver in deliveries {
            deliver(committed.clone_shallow());
        }
    }
    // Every sender is gone: the queue is drained. Fold the WAL back for a tidy file.
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
}

/// What became of one group.
struct Group {
    committed: CoreResult<()>,
    /// The answers to give, once `committed` is known.
    deliveries: Vec<Deliver>,
    /// The last history sequence written.
    last_sequence: Option<i64>,
    /// Whether a job succeeded (and so the commit wrote to the disk).
    wrote: bool,
    /// Why a job could not write, when one failed so.
    unavailable: Option<String>,
}

/// Runs one group in one transaction.
fn run_group(conn: &Connection, batch: Vec<Job>) -> Group {
    let mut group = Group {
        committed: Ok(()),
        deliveries: Vec::with_capacity(batch.len()),
        last_sequence: None,
        wrote: false,
        unavailable: None,
    };
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        // The jobs cannot run; dropping them answers each caller "unavailable".
        group.committed = Err(db_error(e));
        return group;
    }
    // A job alone in its group runs without a savepoint of its own (its failure rolls the
    // whole transaction back), so that its own savepoints are outermost: SQLite then drops
    // their sub-journal when they are released instead of keeping it for the enclosing one.
    let alone = batch.len() == 1;
    for job in batch {
        if !alone {
            if let Err(e) = conn.execute_batch("SAVEPOINT job") {
                tracing::error!(error = %e, "savepoint failed");
                drop(job);
                continue;
            }
        }
        let mut driver = SqliteDriver { conn };
        let mut tx = SqlTx::new(&mut driver, false);
        let (ran, deliver) = job(&mut tx);
        group.deliveries.push(deliver);
        if conn.is_autocommit() {
            // SQLite rolled the whole transaction back (SQLITE_FULL, SQLITE_IOERR…): every
            // job of the group is gone; the rest are dropped, which answers them "unavailable".
            group.committed = Err(CoreError::Unavailable(
                "the database rolled the transaction back (disk full or I/O error)".into(),
            ));
            group.last_sequence = None;
            return group;
        }
        match ran {
            Ran::Ok => {
                if !alone {
                    let _ = conn.execute_batch("RELEASE job");
                }
                group.last_sequence = tx.last_sequence.or(group.last_sequence);
                group.wrote = true;
            }
            Ran::Failed | Ran::Unavailable => {
                if ran == Ran::Unavailable {
                    group.unavailable = Some("a write failed: the database is unavailable (disk full or I/O error)".into());
                }
                if alone {
                    let _ = conn.execute_batch("ROLLBACK");
                    return group;
                }
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
            }
        }
    }
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        group.committed = Err(db_error(e));
        group.last_sequence = None;
    }
    group
}

trait CloneShallow {
    fn clone_shallow(&self) -> Self;
}

impl CloneShallow for CoreResult<()> {
    fn clone_shallow(&self) -> Self {
        match self {
            Ok(()) => Ok(()),
            Err(CoreError::Unavailable(m)) => Err(CoreError::Unavailable(m.clone())),
            Err(e) => Err(CoreError::Internal(e.to_string())),
        }
    }
}
