//! The import-queue runner (issue 9, ADR 0006): applies pending import rows in batches through
//! the writer (each batch one write job, each row its own savepoint with its result), and drops
//! finished jobs after the retention time. It resumes whatever a previous run left pending, and
//! stops between batches once shutdown is signalled.

use super::{stopped, stopping};
use shopfloor_core::errors::CoreError;
use shopfloor_core::time::Timestamp;
use shopfloor_exchange::queue;
use shopfloor_store::Store;
use std::time::Duration;
use tokio::sync::watch;

/// Rows per write job: small enough that other writers wait at most a few milliseconds.
const BATCH: u32 = 64;
/// How often an idle runner looks for new rows.
const IDLE: Duration = Duration::from_millis(100);

/// Runs until shutdown is signalled.
pub(super) async fn run(store: Store, mut shutdown: watch::Receiver<bool>, retention: Duration) {
    let mut last_purge: Option<std::time::Instant> = None;
    loop {
        if stopping(&shutdown) {
            break;
        }
        match store.write(|tx| queue::run_pending(tx, BATCH)).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => {
                if stopping(&shutdown) {
                    break;
                }
                tracing::error!(error = %e, "import queue batch failed");
                // Unavailable is worth a retry; anything else would fail again: apply the
                // batch row by row and mark a row that fails alone as an error.
                if !matches!(e, CoreError::Unavailable(_)) {
                    if let Err(e) = store.write(|tx| queue::run_pending(tx, 1)).await {
                        let message = format!("the row could not be applied: {e}");
                        if let Err(e) = store.write(move |tx| queue::fail_next(tx, &message)).await {
                            tracing::error!(error = %e, "marking a failed import row failed");
                        }
                    }
                    continue;
                }
            }
        }
        if last_purge.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
            last_purge = Some(std::time::Instant::now());
            let cutoff = Timestamp(Timestamp::now().millis() - retention.as_millis() as i64);
            if let Err(e) = store.write(move |tx| tx.import_queue()?.purge_finished(cutoff)).await {
                tracing::warn!(error = %e, "purging finished import jobs failed");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(IDLE) => {}
            () = stopped(&mut shutdown) => {}
        }
    }
}
