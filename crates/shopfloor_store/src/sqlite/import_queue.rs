//! The import queue's tables (migration 0005) behind [`ImportQueue`].

use super::tx::{db_error, SqliteTx};
use rusqlite::{params, OptionalExtension, Row};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::exchange::queue::{ImportQueue, Job, QueuedRow};
use shopfloor_core::id::Id;
use shopfloor_core::time::Timestamp;

fn id_of(text: String) -> rusqlite::Result<Id> {
    Id::parse(&text).map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into()))
}

fn row_of(r: &Row) -> rusqlite::Result<QueuedRow> {
    Ok(QueuedRow {
        job: id_of(r.get(0)?)?,
        row: r.get::<_, i64>(1)? as u64,
        name: r.get(2)?,
        status: r.get(3)?,
        data: r.get(4)?,
        order_id: r.get(5)?,
        errors: r.get(6)?,
        notes: r.get(7)?,
    })
}

impl ImportQueue for SqliteTx<'_> {
    fn insert_job(&mut self, job: &Job) -> CoreResult<()> {
        let permissions = job
            .permissions
            .as_ref()
            .map(|p| serde_json::to_string(p).unwrap_or_else(|_| "[]".into()));
        self.conn
            .prepare_cached("INSERT INTO import_jobs (id, created_at, created_by, permissions, format, total, finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .and_then(|mut s| {
                s.execute(params![
                    job.id.to_string(),
                    job.created_at.millis(),
                    job.created_by,
                    permissions,
                    job.format,
                    job.total as i64,
                    job.finished_at.map(|t| t.millis())
                ])
            })
            .map_err(db_error)?;
        Ok(())
    }

    fn insert_row(&mut self, row: &QueuedRow) -> CoreResult<()> {
        self.conn
            .prepare_cached("INSERT INTO import_job_rows (job_id, row_number, name, status, data, order_id, errors) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .and_then(|mut s| {
                s.execute(params![
                    row.job.to_string(),
                    row.row as i64,
                    row.name,
                    row.status,
                    row.data,
                    row.order_id,
                    row.errors
                ])
            })
            .map_err(db_error)?;
        Ok(())
    }

    fn job(&mut self, id: Id) -> CoreResult<Option<Job>> {
        let found = self
            .conn
            .prepare_cached("SELECT id, created_at, created_by, permissions, format, total, finished_at FROM import_jobs WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id.to_string()], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                    ))
                })
                .optional()
            })
            .map_err(db_error)?;
        let Some((id, created, by, permissions, format, total, finished)) = found else {
            return Ok(None);
        };
        let permissions = match permissions {
            Some(text) => {
                Some(serde_json::from_str::<Vec<String>>(&text).map_err(|e| CoreError::Internal(format!("import job permissions: {e}")))?)
            }
            None => None,
        };
        Ok(Some(Job {
            id: id_of(id).map_err(db_error)?,
            created_at: Timestamp(created),
            created_by: by,
            permissions,
            format,
            total: total as u64,
            finished_at: finished.map(Timestamp),
        }))
    }

    fn job_rows(&mut self, id: Id) -> CoreResult<Vec<QueuedRow>> {
        let mut s = self
            .conn
            .prepare_cached("SELECT job_id, row_number, name, status, NULL, order_id, errors, notes FROM import_job_rows WHERE job_id = ?1 ORDER BY row_number")
            .map_err(db_error)?;
        let rows = s.query_map([id.to_string()], row_of).map_err(db_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
    }

    fn next_pending(&mut self, limit: u32) -> CoreResult<Vec<QueuedRow>> {
        let mut s = self
            .conn
            .prepare_cached(
                "SELECT r.job_id, r.row_number, r.name, r.status, r.data, r.order_id, r.errors, r.notes FROM import_job_rows r \
                 JOIN import_jobs j ON j.id = r.job_id WHERE r.status = 'pending' \
                 ORDER BY j.created_at, r.job_id, r.row_number LIMIT ?1",
            )
            .map_err(db_error)?;
        let rows = s.query_map([limit], row_of).map_err(db_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
    }

    fn finish_row(&mut self, row: &QueuedRow) -> CoreResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE import_job_rows SET status = ?3, data = NULL, order_id = ?4, errors = ?5, notes = ?6 WHERE job_id = ?1 AND row_number = ?2",
            )
            .and_then(|mut s| s.execute(params![row.job.to_string(), row.row as i64, row.status, row.order_id, row.errors, row.notes]))
            .map_err(db_error)?;
        Ok(())
    }

    fn pending_count(&mut self, job: Option<Id>) -> CoreResult<u64> {
        let n: i64 = match job {
            Some(id) => self.conn.query_row(
                "SELECT COUNT(*) FROM import_job_rows WHERE status = 'pending' AND job_id = ?1",
                [id.to_string()],
                |r| r.get(0),
            ),
            None => self
                .conn
                .query_row("SELECT COUNT(*) FROM import_job_rows WHERE status = 'pending'", [], |r| r.get(0)),
        }
        .map_err(db_error)?;
        Ok(n as u64)
    }

    fn set_finished(&mut self, job: Id, at: Timestamp) -> CoreResult<()> {
        self.conn
            .execute(
                "UPDATE import_jobs SET finished_at = ?2 WHERE id = ?1 AND finished_at IS NULL",
                params![job.to_string(), at.millis()],
            )
            .map_err(db_error)?;
        Ok(())
    }

    fn cancel_pending(&mut self, at: Timestamp) -> CoreResult<u64> {
        self.conn
            .execute(
                "UPDATE import_jobs SET finished_at = ?1 WHERE finished_at IS NULL \
                 AND id IN (SELECT job_id FROM import_job_rows WHERE status = 'pending')",
                [at.millis()],
            )
            .map_err(db_error)?;
        let n = self
            .conn
            .execute(
                "UPDATE import_job_rows SET status = 'cancelled', data = NULL WHERE status = 'pending'",
                [],
            )
            .map_err(db_error)?;
        Ok(n as u64)
    }

    fn purge_finished(&mut self, before: Timestamp) -> CoreResult<u64> {
        self.conn
            .execute(
                "DELETE FROM import_job_rows WHERE job_id IN (SELECT id FROM import_jobs WHERE finished_at < ?1)",
                [before.millis()],
            )
            .map_err(db_error)?;
        let n = self
            .conn
            .execute("DELETE FROM import_jobs WHERE finished_at < ?1", [before.millis()])
            .map_err(db_error)?;
        Ok(n as u64)
    }
}
