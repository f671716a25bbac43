//! What both backends' import queues (migration 0005, [`ImportQueue`]) share: the statements,
//! written once with `?N` parameters ([`crate::sql::for_dialect`] spells them for PostgreSQL), and the
//! encoding of a job's permissions.
//!
//! [`ImportQueue`]: shopfloor_core::import_queue::ImportQueue

use shopfloor_core::errors::{CoreError, CoreResult};

pub const INSERT_JOB: &str =
    "INSERT INTO import_jobs (id, created_at, created_by, permissions, format, total, finished_at, create_missing) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
pub const INSERT_ROW: &str =
    "INSERT INTO import_job_rows (job_id, row_number, name, status, data, order_id, errors) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
pub const JOB: &str =
    "SELECT id, created_at, created_by, permissions, format, total, finished_at, create_missing FROM import_jobs WHERE id = ?1";
/// How many rows of a job have each status.
pub const JOB_COUNTS: &str = "SELECT status, COUNT(*) FROM import_job_rows WHERE job_id = ?1 GROUP BY status";
/// A page of a job's rows, the columns in [`QueuedRow`] order (`data` left out): `?2` rows
/// after the first `?3`. A job's rows are numbered 1, 2, … without gaps (they are queued in one
/// transaction and only ever deleted with their job), so the page starts at row number `?3 + 1`:
/// a seek along the primary key (job_id, row_number) rather than an OFFSET that walks past the
/// rows before it.
///
/// [`QueuedRow`]: shopfloor_core::import_queue::QueuedRow
pub const JOB_ROWS: &str = "SELECT job_id, row_number, name, status, NULL, order_id, errors, notes FROM import_job_rows \
     WHERE job_id = ?1 AND row_number > ?3 ORDER BY row_number LIMIT ?2";
/// [`JOB_ROWS`] of one status (`?4`): `LIMIT ?2 OFFSET ?3` along the index (job_id, status,
/// row_number) of migration 0006, which skips index entries only.
pub const JOB_ROWS_WITH_STATUS: &str = "SELECT job_id, row_number, name, status, NULL, order_id, errors, notes FROM import_job_rows \
     WHERE job_id = ?1 AND status = ?4 ORDER BY row_number LIMIT ?2 OFFSET ?3";
/// Pending rows with their data, oldest job first (PostgreSQL appends a row lock, see
/// `postgres/import_queue.rs`).
pub const NEXT_PENDING: &str =
    "SELECT r.job_id, r.row_number, r.name, r.status, r.data, r.order_id, r.errors, r.notes FROM import_job_rows r \
     JOIN import_jobs j ON j.id = r.job_id WHERE r.status = 'pending' \
     ORDER BY j.created_at, r.job_id, r.row_number LIMIT ?1";
pub const FINISH_ROW: &str =
    "UPDATE import_job_rows SET status = ?3, data = NULL, order_id = ?4, errors = ?5, notes = ?6 WHERE job_id = ?1 AND row_number = ?2";
pub const PENDING_COUNT_OF_JOB: &str = "SELECT COUNT(*) FROM import_job_rows WHERE status = 'pending' AND job_id = ?1";
pub const PENDING_COUNT: &str = "SELECT COUNT(*) FROM import_job_rows WHERE status = 'pending'";
pub const SET_FINISHED: &str = "UPDATE import_jobs SET finished_at = ?2 WHERE id = ?1 AND finished_at IS NULL";
pub const CANCEL_JOBS: &str = "UPDATE import_jobs SET finished_at = ?1 WHERE finished_at IS NULL \
     AND id IN (SELECT job_id FROM import_job_rows WHERE status = 'pending')";
pub const CANCEL_ROWS: &str = "UPDATE import_job_rows SET status = 'cancelled', data = NULL WHERE status = 'pending'";
pub const PURGE_ROWS: &str = "DELETE FROM import_job_rows WHERE job_id IN (SELECT id FROM import_jobs WHERE finished_at < ?1)";
pub const PURGE_JOBS: &str = "DELETE FROM import_jobs WHERE finished_at < ?1";

/// A row count or offset as an SQL integer (both dialects' are signed 64-bit).
pub fn sql_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A job's permissions as stored: a JSON list, `None` for unrestricted.
pub fn permissions_text(permissions: Option<&Vec<String>>) -> Option<String> {
    permissions.map(|p| serde_json::to_string(p).unwrap_or_else(|_| "[]".into()))
}

/// The stored permissions of a job back as a list.
pub fn permissions_of(text: Option<String>) -> CoreResult<Option<Vec<String>>> {
    match text {
        Some(text) => serde_json::from_str::<Vec<String>>(&text)
            .map(Some)
            .map_err(|e| CoreError::Internal(format!("import job permissions: {e}"))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{for_dialect, Dialect};

    #[test]
    fn postgres_spelling_numbers_parameters_with_dollars() {
        assert_eq!(
            for_dialect(Dialect::Postgres, SET_FINISHED),
            "UPDATE import_jobs SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL"
        );
        assert_eq!(for_dialect(Dialect::Sqlite, SET_FINISHED), SET_FINISHED);
    }

    #[test]
    fn permissions_round_trip() {
        let p = vec!["PRODUCTION_ORDER".to_string()];
        assert_eq!(permissions_of(permissions_text(Some(&p))).unwrap(), Some(p));
        assert_eq!(permissions_of(permissions_text(None)).unwrap(), None);
    }
}
