//! The import queue's tables (migrations 0005-0007, 0010, 0015) behind [`ImportQueue`], written once for
//! both backends over [`SqlTx`]: the statements (with `?N` parameters, which
//! [`crate::sql::for_dialect`] spells for PostgreSQL), the decoding of their rows, and the
//! encoding of a job's permissions.
//!
//! Several instances may run the queue on one PostgreSQL database, their writers at once
//! (READ COMMITTED, `postgres/mod.rs`). The runner claims rows with `next_pending` inside its
//! write transaction, which locks the rows it returns (`FOR UPDATE`) until the batch commits:
//! a second runner that reaches a claimed row waits, then re-evaluates it on the committed row
//! and passes over it (no longer pending), so no row is applied twice, and rows of one file
//! are applied in order. (Not `SKIP LOCKED`: it would let a later row of a file overtake an
//! earlier one for the same order.) A job is marked finished by the runner whose count of its
//! pending rows, a statement after the other runners' batches committed, finds none. SQLite
//! has one writer: the rows a write reads are its own until it ends.
//!
//! [`ImportQueue`]: shopfloor_core::import_queue::ImportQueue

use crate::row::{self, Row};
use crate::sql::{for_dialect, Param};
use crate::tx::{Driver, SqlTx};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::id::Id;
use shopfloor_core::import_queue::{ImportQueue, Job, QueuedRow};
use shopfloor_core::time::Timestamp;

pub const INSERT_JOB: &str =
    "INSERT INTO import_jobs (id, created_at, created_by, permissions, format, total, finished_at, create_missing, warnings, kind) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
pub const INSERT_ROW: &str =
    "INSERT INTO import_job_rows (job_id, row_number, name, status, data, order_id, errors) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
pub const JOB: &str =
    "SELECT id, created_at, created_by, permissions, format, total, finished_at, create_missing, warnings, kind FROM import_jobs WHERE id = ?1";
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
/// Pending rows with their data, oldest job first (PostgreSQL appends a row lock, see above).
pub const NEXT_PENDING: &str =
    "SELECT r.job_id, r.row_number, r.name, r.status, r.data, r.order_id, r.errors, r.notes FROM import_job_rows r \
     JOIN import_jobs j ON j.id = r.job_id WHERE r.status = 'pending' \
     ORDER BY j.created_at, r.job_id, r.row_number LIMIT ?1";
pub const FINISH_ROW: &str =
    "UPDATE import_job_rows SET status = ?3, data = NULL, order_id = ?4, errors = ?5, notes = ?6 WHERE job_id = ?1 AND row_number = ?2";
pub const PENDING_COUNT_OF_JOB: &str = "SELECT COUNT(*) FROM import_job_rows WHERE status = 'pending' AND job_id = ?1";
pub const PENDING_COUNT: &str = "SELECT COUNT(*) FROM import_job_rows WHERE status = 'pending'";
pub const PENDING_COUNT_OF_KIND: &str = "SELECT COUNT(*) FROM import_job_rows r JOIN import_jobs j ON j.id = r.job_id \
     WHERE r.status = 'pending' AND j.kind = ?1";
pub const SET_FINISHED: &str = "UPDATE import_jobs SET finished_at = ?2 WHERE id = ?1 AND finished_at IS NULL";
pub const CANCEL_JOBS: &str = "UPDATE import_jobs SET finished_at = ?1 WHERE finished_at IS NULL AND kind = ?2 \
     AND id IN (SELECT job_id FROM import_job_rows WHERE status = 'pending')";
pub const CANCEL_ROWS: &str = "UPDATE import_job_rows SET status = 'cancelled', data = NULL WHERE status = 'pending' \
     AND job_id IN (SELECT id FROM import_jobs WHERE kind = ?1)";
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

/// A job's warnings as stored: a JSON list, `NULL` when there are none.
pub fn warnings_text(warnings: &[String]) -> Option<String> {
    (!warnings.is_empty()).then(|| serde_json::to_string(warnings).unwrap_or_else(|_| "[]".into()))
}

/// The stored warnings of a job back as a list.
pub fn warnings_of(text: Option<String>) -> CoreResult<Vec<String>> {
    match text {
        Some(text) => serde_json::from_str(&text).map_err(|e| CoreError::Internal(format!("import job warnings: {e}"))),
        None => Ok(Vec::new()),
    }
}

/// A row of [`JOB_ROWS`], [`JOB_ROWS_WITH_STATUS`] or [`NEXT_PENDING`].
fn queued_row(r: &dyn Row) -> CoreResult<QueuedRow> {
    Ok(QueuedRow {
        job: row::id(r, 0)?,
        row: row::int(r, 1)?.max(0) as u64,
        name: row::opt_text(r, 2)?,
        status: row::text(r, 3)?,
        data: row::opt_text(r, 4)?,
        order_id: row::opt_text(r, 5)?,
        errors: row::opt_text(r, 6)?,
        notes: row::opt_text(r, 7)?,
    })
}

/// A row of [`JOB`].
fn job(r: &dyn Row) -> CoreResult<Job> {
    Ok(Job {
        id: row::id(r, 0)?,
        created_at: Timestamp(row::int(r, 1)?),
        created_by: row::text(r, 2)?,
        permissions: permissions_of(row::opt_text(r, 3)?)?,
        format: row::text(r, 4)?,
        total: row::int(r, 5)?.max(0) as u64,
        finished_at: row::opt_int(r, 6)?.map(Timestamp),
        create_missing: row::int(r, 7)? != 0,
        warnings: warnings_of(row::opt_text(r, 8)?)?,
        kind: row::text(r, 9)?,
    })
}

impl<D: Driver> SqlTx<'_, D> {
    fn queue_execute(&mut self, text: &'static str, params: Vec<Param>) -> CoreResult<u64> {
        self.execute(&for_dialect(D::DIALECT, text), params)
    }
}

impl<D: Driver> ImportQueue for SqlTx<'_, D> {
    fn insert_job(&mut self, job: &Job) -> CoreResult<()> {
        let params = vec![
            Param::Text(job.id.to_string()),
            Param::Int(job.created_at.millis()),
            Param::from(job.created_by.as_str()),
            Param::from(permissions_text(job.permissions.as_ref())),
            Param::from(job.format.as_str()),
            Param::Int(sql_count(job.total)),
            Param::from(job.finished_at.map(|t| t.millis())),
            Param::Int(job.create_missing.into()),
            Param::from(warnings_text(&job.warnings)),
            Param::from(job.kind.as_str()),
        ];
        self.queue_execute(INSERT_JOB, params).map(|_| ())
    }

    fn insert_row(&mut self, row: &QueuedRow) -> CoreResult<()> {
        let params = vec![
            Param::Text(row.job.to_string()),
            Param::Int(sql_count(row.row)),
            Param::from(row.name.clone()),
            Param::from(row.status.as_str()),
            Param::from(row.data.clone()),
            Param::from(row.order_id.clone()),
            Param::from(row.errors.clone()),
        ];
        self.queue_execute(INSERT_ROW, params).map(|_| ())
    }

    fn job(&mut self, id: Id) -> CoreResult<Option<Job>> {
        let text = for_dialect(D::DIALECT, JOB);
        Ok(self.rows(&text, vec![Param::Text(id.to_string())], job)?.pop())
    }

    fn job_counts(&mut self, id: Id) -> CoreResult<Vec<(String, u64)>> {
        let text = for_dialect(D::DIALECT, JOB_COUNTS);
        self.rows(&text, vec![Param::Text(id.to_string())], |r| {
            Ok((row::text(r, 0)?, row::int(r, 1)?.max(0) as u64))
        })
    }

    fn job_rows(&mut self, id: Id, status: Option<&str>, offset: u64, limit: u64) -> CoreResult<Vec<QueuedRow>> {
        let mut params = vec![
            Param::Text(id.to_string()),
            Param::Int(sql_count(limit)),
            Param::Int(sql_count(offset)),
        ];
        let text = match status {
            None => JOB_ROWS,
            Some(status) => {
                params.push(Param::from(status));
                JOB_ROWS_WITH_STATUS
            }
        };
        self.rows(&for_dialect(D::DIALECT, text), params, queued_row)
    }

    fn next_pending(&mut self, limit: u32) -> CoreResult<Vec<QueuedRow>> {
        let mut text = for_dialect(D::DIALECT, NEXT_PENDING).into_owned();
        // A read transaction may not lock rows (and applies nothing).
        if let Some(lock) = self.row_lock("r") {
            text.push(' ');
            text.push_str(&lock);
        }
        self.rows(&text, vec![Param::Int(limit.into())], queued_row)
    }

    fn finish_row(&mut self, row: &QueuedRow) -> CoreResult<()> {
        let params = vec![
            Param::Text(row.job.to_string()),
            Param::Int(sql_count(row.row)),
            Param::from(row.status.as_str()),
            Param::from(row.order_id.clone()),
            Param::from(row.errors.clone()),
            Param::from(row.notes.clone()),
        ];
        self.queue_execute(FINISH_ROW, params).map(|_| ())
    }

    fn pending_count(&mut self, job: Option<Id>) -> CoreResult<u64> {
        let n = match job {
            Some(id) => self.number(&for_dialect(D::DIALECT, PENDING_COUNT_OF_JOB), vec![Param::Text(id.to_string())])?,
            None => self.number(PENDING_COUNT, Vec::new())?,
        };
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    fn pending_count_of_kind(&mut self, kind: &str) -> CoreResult<u64> {
        let n = self.number(&for_dialect(D::DIALECT, PENDING_COUNT_OF_KIND), vec![Param::from(kind)])?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    fn set_finished(&mut self, job: Id, at: Timestamp) -> CoreResult<()> {
        self.queue_execute(SET_FINISHED, vec![Param::Text(job.to_string()), Param::Int(at.millis())])
            .map(|_| ())
    }

    fn cancel_pending(&mut self, kind: &str, at: Timestamp) -> CoreResult<u64> {
        self.queue_execute(CANCEL_JOBS, vec![Param::Int(at.millis()), Param::from(kind)])?;
        self.queue_execute(CANCEL_ROWS, vec![Param::from(kind)])
    }

    fn purge_finished(&mut self, before: Timestamp) -> CoreResult<u64> {
        self.queue_execute(PURGE_ROWS, vec![Param::Int(before.millis())])?;
        self.queue_execute(PURGE_JOBS, vec![Param::Int(before.millis())])
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
