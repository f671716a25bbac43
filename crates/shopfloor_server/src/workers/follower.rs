//! Work that follows the history's commits from a sequence cursor (the change feed's sequence,
//! `Tx::events_after`): a [`CommitFollower`] says what to do with events and where its cursor
//! lives; [`run`] is the one loop that feeds it. Delivery is at least once and in sequence
//! order: the runner moves its cursor past a batch only once the follower has handled it and
//! stored the cursor, so a failure or a restart hands the same events over again.
//!
//! A cursor never skips an event committed later with a smaller number: SQLite has one writer,
//! and on PostgreSQL `events_after` reads no further than the feed's horizon, below which every
//! sequence is committed or gone for good (ADR 0005, addendum on concurrent writers).

use super::stopped;
use crate::metrics::{FollowerLabels, Metrics};
use shopfloor_core::errors::CoreError;
use shopfloor_core::history::Event;
use shopfloor_store::Store;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Most events handed to a follower at once.
const BATCH: u32 = 256;
/// Longest wait for a commit before the runner looks anyway: a commit by another process on
/// the same SQLite file wakes nothing here, and a lost PostgreSQL notification should not
/// strand a follower.
const POLL: Duration = Duration::from_secs(5);
/// The first wait after a failure; each further failure in a row doubles it, up to
/// [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(500);
const RETRY_MAX: Duration = Duration::from_secs(60);

/// Why a follower could not do its part; the runner logs it and tries again later.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    Store(#[from] CoreError),
    /// The follower's own destination failed (an endpoint, a broker).
    #[error("{0}")]
    Destination(String),
}

/// Work that follows commits, fed by [`run`].
pub trait CommitFollower: Send + 'static {
    /// Names the follower in logs and in `shopfloor_follower_last_sequence{follower=…}`.
    fn name(&self) -> &'static str;

    /// The sequence of the last event already handled: the runner feeds the events after it.
    /// By default the head of the history when the follower starts, so that it sees what is
    /// committed from then on; a follower that must not miss events across restarts keeps its
    /// cursor in the store ([`store_cursor`](Self::store_cursor)) and reads it here.
    fn load_cursor(&mut self, store: &Store) -> impl Future<Output = Result<i64, FollowError>> + Send {
        let head = *store.last_event().borrow();
        async move { Ok(head) }
    }

    /// Handles committed events: never empty, oldest first, each after the ones handed over
    /// before. After an error the same events come again.
    fn handle(&mut self, events: &[Event]) -> impl Future<Output = Result<(), FollowError>> + Send;

    /// Records that every event up to `sequence` is handled. By default nothing is kept: the
    /// follower starts from the head again (see [`load_cursor`](Self::load_cursor)).
    fn store_cursor(&mut self, store: &Store, sequence: i64) -> impl Future<Output = Result<(), FollowError>> + Send {
        let _ = (store, sequence);
        async { Ok(()) }
    }
}

/// Feeds `follower` the events committed after its cursor, batch by batch, waking on each
/// commit, until shutdown is signalled (a batch being handled then is dropped unfinished and
/// comes again at the next start).
pub async fn run<F: CommitFollower>(mut follower: F, store: Store, metrics: Arc<Metrics>, mut shutdown: watch::Receiver<bool>) {
    let name = follower.name();
    let position = metrics
        .follower_last_sequence
        .get_or_create(&FollowerLabels { follower: name })
        .clone();
    let mut backoff = Backoff::default();
    let mut cursor = loop {
        match until_stopped(&mut shutdown, follower.load_cursor(&store)).await {
            None => return,
            Some(Ok(cursor)) => break cursor,
            Some(Err(e)) => tracing::warn!(follower = name, error = %e, "loading the follower's cursor failed"),
        }
        if !backoff.wait(&mut shutdown).await {
            return;
        }
    };
    position.set(cursor);
    let mut head = store.last_event();
    loop {
        // Marks the head seen before reading, so that a commit after the read wakes the wait.
        head.borrow_and_update();
        let events = match until_stopped(&mut shutdown, store.read(move |tx| tx.events_after(cursor, BATCH))).await {
            None => return,
            Some(Ok(events)) => events,
            Some(Err(e)) => {
                tracing::warn!(follower = name, error = %e, "reading the history failed");
                if !backoff.wait(&mut shutdown).await {
                    return;
                }
                continue;
            }
        };
        let Some(last) = events.last().map(|e| e.sequence) else {
            tokio::select! {
                () = next_commit(&mut head) => {}
                () = tokio::time::sleep(POLL) => {}
                () = stopped(&mut shutdown) => return,
            }
            continue;
        };
        let done = async {
            follower.handle(&events).await?;
            follower.store_cursor(&store, last).await
        };
        match until_stopped(&mut shutdown, done).await {
            None => return,
            Some(Ok(())) => {
                cursor = last;
                position.set(cursor);
                backoff = Backoff::default();
            }
            Some(Err(e)) => {
                tracing::warn!(follower = name, after = cursor, error = %e, "a follower failed; its events come again");
                if !backoff.wait(&mut shutdown).await {
                    return;
                }
            }
        }
    }
}

/// `work`'s result, or `None` when shutdown comes first.
async fn until_stopped<T>(shutdown: &mut watch::Receiver<bool>, work: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        done = work => Some(done),
        () = stopped(shutdown) => None,
    }
}

/// Resolves at the next commit; never, once the store has stopped announcing commits.
async fn next_commit(head: &mut watch::Receiver<i64>) {
    if head.changed().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The wait after failures in a row.
struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: RETRY_FIRST }
    }
}

impl Backoff {
    /// Waits before the next try; false when shutdown comes first.
    async fn wait(&mut self, shutdown: &mut watch::Receiver<bool>) -> bool {
        let wait = self.next;
        self.next = (self.next * 2).min(RETRY_MAX);
        until_stopped(shutdown, tokio::time::sleep(wait)).await.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopfloor_core::history::{Action, NewEvent};
    use shopfloor_core::id::Id;
    use shopfloor_core::time::Timestamp;
    use shopfloor_store::StoreConfig;
    use tokio::sync::mpsc;

    /// Hands the sequences of each batch to the test; fails the first `failures` batches.
    struct Recorder {
        start: i64,
        failures: u32,
        batches: mpsc::UnboundedSender<Vec<i64>>,
    }

    impl CommitFollower for Recorder {
        fn name(&self) -> &'static str {
            "recorder"
        }

        async fn load_cursor(&mut self, _store: &Store) -> Result<i64, FollowError> {
            Ok(self.start)
        }

        async fn handle(&mut self, events: &[Event]) -> Result<(), FollowError> {
            let sequences = events.iter().map(|e| e.sequence).collect();
            if self.failures > 0 {
                self.failures -= 1;
                let _ = self.batches.send(sequences);
                return Err(FollowError::Destination("the destination is down".into()));
            }
            let _ = self.batches.send(sequences);
            Ok(())
        }
    }

    struct Setup {
        _dir: tempfile::TempDir,
        store: Store,
        metrics: Arc<Metrics>,
        shutdown: watch::Sender<bool>,
    }

    fn setup() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("shopfloor.db").to_string_lossy().to_string();
        let store = Store::open(&StoreConfig::new(url)).unwrap();
        let metrics = Arc::new(Metrics::new(store.clone()));
        let (shutdown, _) = watch::channel(false);
        Setup {
            _dir: dir,
            store,
            metrics,
            shutdown,
        }
    }

    /// Commits `n` events, one transaction each; answers their sequences.
    async fn commit_events(store: &Store, n: usize) -> Vec<i64> {
        let mut sequences = Vec::new();
        for _ in 0..n {
            let event = NewEvent {
                at: Timestamp::now(),
                user: "test".into(),
                entity: "UnitOfMeasure",
                entity_id: Id::generate(),
                order_id: None,
                action: Action::Create,
                changes: "{}".into(),
                reason: None,
                person: None,
            };
            sequences.push(store.write(move |tx| tx.append_event(&event)).await.unwrap());
        }
        sequences
    }

    /// The sequences handed over until `expected` many have come (each batch as it came).
    async fn receive(batches: &mut mpsc::UnboundedReceiver<Vec<i64>>, expected: usize) -> Vec<Vec<i64>> {
        let mut got = Vec::new();
        while got.iter().map(Vec::len).sum::<usize>() < expected {
            let batch = tokio::time::timeout(Duration::from_secs(30), batches.recv())
                .await
                .expect("the follower is fed within 30 s")
                .expect("the runner is alive");
            got.push(batch);
        }
        got
    }

    /// The metrics once they show `needle`, or after 30 s as they are then.
    async fn shown_soon(metrics: &Metrics, needle: &str) -> String {
        let mut shown = metrics.render();
        for _ in 0..300 {
            if shown.contains(needle) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            shown = metrics.render();
        }
        shown
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_follower_gets_the_events_after_its_cursor_in_order_then_each_new_commit_and_stops_on_shutdown() {
        let s = setup();
        let before = commit_events(&s.store, 3).await;
        let (tx, mut batches) = mpsc::unbounded_channel();
        let recorder = Recorder {
            start: before[0],
            failures: 0,
            batches: tx,
        };
        let runner = tokio::spawn(run(recorder, s.store.clone(), s.metrics.clone(), s.shutdown.subscribe()));

        let first = receive(&mut batches, 2).await;
        assert_eq!(first, [before[1..].to_vec()], "the events after the cursor, in one batch");
        let later = commit_events(&s.store, 2).await;
        let second: Vec<i64> = receive(&mut batches, 2).await.concat();
        assert_eq!(second, later, "each commit wakes the runner; nothing is skipped or repeated");
        let position = format!("shopfloor_follower_last_sequence{{follower=\"recorder\"}} {}", later[1]);
        let shown = shown_soon(&s.metrics, &position).await;
        assert!(shown.contains(&position), "the runner shows how far the follower got:\n{shown}");

        s.shutdown.send_replace(true);
        tokio::time::timeout(Duration::from_secs(30), runner)
            .await
            .expect("the runner stops on shutdown")
            .unwrap();
        s.store.close();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_that_fails_comes_again_and_the_cursor_waits_for_it() {
        let s = setup();
        let events = commit_events(&s.store, 2).await;
        let (tx, mut batches) = mpsc::unbounded_channel();
        let recorder = Recorder {
            start: 0,
            failures: 1,
            batches: tx,
        };
        let runner = tokio::spawn(run(recorder, s.store.clone(), s.metrics.clone(), s.shutdown.subscribe()));

        let got = receive(&mut batches, 4).await;

        assert_eq!(got, [events.clone(), events], "the failed batch, then the same batch again");
        s.shutdown.send_replace(true);
        runner.await.unwrap();
        s.store.close();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn by_default_a_follower_starts_at_the_head_of_the_history() {
        let s = setup();
        let old = commit_events(&s.store, 2).await;
        let metrics = s.metrics.clone();
        let history = super::super::history_metrics::HistoryMetrics { metrics: metrics.clone() };
        let runner = tokio::spawn(run(history, s.store.clone(), metrics.clone(), s.shutdown.subscribe()));
        let started = format!("shopfloor_follower_last_sequence{{follower=\"history_metrics\"}} {}", old[1]);
        assert!(
            shown_soon(&metrics, &started).await.contains(&started),
            "the cursor starts at the head"
        );
        let new = commit_events(&s.store, 3).await;

        let caught_up = format!("shopfloor_follower_last_sequence{{follower=\"history_metrics\"}} {}", new[2]);
        let shown = shown_soon(&metrics, &caught_up).await;

        assert!(shown.contains(&caught_up), "{shown}");
        assert!(
            shown.contains("shopfloor_history_events_total{entity=\"UnitOfMeasure\",action=\"CREATE\"} 3"),
            "only the events committed after the start are counted:\n{shown}"
        );
        s.shutdown.send_replace(true);
        runner.await.unwrap();
        s.store.close();
    }
}
