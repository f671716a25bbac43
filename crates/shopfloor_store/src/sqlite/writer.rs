//! Group commit: one thread owns the write connection, takes every queued write job, runs each
//! inside a savepoint of one shared transaction, commits once, and only then answers the jobs.
//! A failing job rolls back to its savepoint and spoils nothing else; a failing commit fails
//! every job of the group. With `synchronous=FULL`, one fsync covers the whole group.

use super::tx::{db_error, SqliteTx};
use crate::{StoreError, StoreStats};
use rusqlite::Connection;
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::tx::Tx;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::{oneshot, watch};

/// Called once the group's fate is known: `Ok` when committed.
type Deliver = Box<dyn FnOnce(CoreResult<()>) + Send>;
/// Runs one job on the writer's transaction; says whether it succeeded and how to answer it.
type Job = Box<dyn FnOnce(&mut SqliteTx) -> (bool, Deliver) + Send>;

#[derive(Default)]
struct Counters {
    commits: AtomicU64,
    jobs: AtomicU64,
    failed_commits: AtomicU64,
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
        let job: Job = Box::new(move |tx: &mut SqliteTx| {
            let result = match catch_unwind(AssertUnwindSafe(|| f(tx))) {
                Ok(r) => r,
                Err(_) => Err(CoreError::Internal("a write job panicked".into())),
            };
            let ok = result.is_ok();
            let deliver: Deliver = Box::new(move |committed: CoreResult<()>| {
                let _ = reply.send(match (result, committed) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Err(e), _) => Err(e),
                    (Ok(_), Err(e)) => Err(e),
                });
            });
            (ok, deliver)
        });
        let sender = self
            .jobs
            .lock()
            .map_err(|_| CoreError::Internal("writer lock poisoned".into()))?
            .clone();
        let sender = sender.ok_or_else(|| CoreError::Unavailable("the server is shutting down".into()))?;
        sender
            .send(job)
            .map_err(|_| CoreError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| CoreError::Unavailable("the writer stopped before answering".into()))?
    }

    pub fn last_event(&self) -> watch::Receiver<i64> {
        self.last_event.clone()
    }

    pub fn stats(&self) -> StoreStats {
        StoreStats {
            commits: self.counters.commits.load(Ordering::Relaxed),
            jobs: self.counters.jobs.load(Ordering::Relaxed),
            failed_commits: self.counters.failed_commits.load(Ordering::Relaxed),
        }
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
        counters.jobs.fetch_add(batch.len() as u64, Ordering::Relaxed);
        let (committed, deliveries, last_sequence) = run_group(&conn, batch);
        match &committed {
            Ok(()) => {
                counters.commits.fetch_add(1, Ordering::Relaxed);
                if let Some(seq) = last_sequence {
                    events.send_replace(seq);
                }
            }
            Err(e) => {
                counters.failed_commits.fetch_add(1, Ordering::Relaxed);
                tracing::error!(error = %e, "group commit failed");
            }
        }
        for deliver in deliveries {
            deliver(committed.clone_shallow());
        }
    }
    // Every sender is gone: the queue is drained. Fold the WAL back for a tidy file.
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
}

/// Runs one group in one transaction; returns the commit outcome, the answers to give, and
/// the last history sequence written.
fn run_group(conn: &Connection, batch: Vec<Job>) -> (CoreResult<()>, Vec<Deliver>, Option<i64>) {
    let mut deliveries = Vec::with_capacity(batch.len());
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        // The jobs cannot run; dropping them answers each caller "unavailable".
        drop(batch);
        return (Err(db_error(e)), deliveries, None);
    }
    let mut last_sequence = None;
    for job in batch {
        if let Err(e) = conn.execute_batch("SAVEPOINT job") {
            tracing::error!(error = %e, "savepoint failed");
            drop(job);
            continue;
        }
        let mut tx = SqliteTx { conn, last_sequence: None };
        let (ok, deliver) = job(&mut tx);
        if ok {
            let _ = conn.execute_batch("RELEASE job");
            last_sequence = tx.last_sequence.or(last_sequence);
        } else {
            let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
        }
        deliveries.push(deliver);
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => (Ok(()), deliveries, last_sequence),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            (Err(db_error(e)), deliveries, None)
        }
    }
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
