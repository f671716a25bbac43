//! The import queue's tables (migration 0005) behind [`ImportQueue`]; the statements are
//! shared with PostgreSQL (`crate::import_queue`).

use super::tx::{db_error, SqliteTx};
use crate::import_queue::{self as q, permissions_of, permissions_text, sql_count};
use rusqlite::{params, OptionalExtension, Row};
use shopfloor_core::errors::CoreResult;
use shopfloor_core::id::Id;
use shopfloor_core::import_queue::{ImportQueue, Job, QueuedRow};
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
        self.conn
            .prepare_cached(q::INSERT_JOB)
            .and_then(|mut s| {
                s.execute(params![
                    job.id.to_string(),
                    job.created_at.millis(),
                    job.created_by,
                    permissions_text(job.permissions.as_ref()),
                    job.format,
                    job.total as i64,
                    job.finished_at.map(|t| t.millis()),
                    i64::from(job.create_missing)
                ])
            })
            .map_err(db_error)?;
        Ok(())
    }

    fn insert_row(&mut self, row: &QueuedRow) -> CoreResult<()> {
        self.conn
            .prepare_cached(q::INSERT_ROW)
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
            .prepare_cached(q::JOB)
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
                        r.get::<_, i64>(7)?,
                    ))
                })
                .optional()
            })
            .map_err(db_error)?;
        let Some((id, created, by, permissions, format, total, finished, create_missing)) = found else {
            return Ok(None);
        };
        Ok(Some(Job {
            id: id_of(id).map_err(db_error)?,
            created_at: Timestamp(created),
            created_by: by,
            permissions: permissions_of(permissions)?,
            format,
            total: total as u64,
            finished_at: finished.map(Timestamp),
            create_missing: create_missing != 0,
        }))
    }

    fn job_counts(&mut self, id: Id) -> CoreResult<Vec<(String, u64)>> {
        let mut s = self.conn.prepare_cached(q::JOB_COUNTS).map_err(db_error)?;
        let rows = s
            .query_map([id.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
            })
            .map_err(db_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
    }

    fn job_rows(&mut self, id: Id, status: Option<&str>, offset: u64, limit: u64) -> CoreResult<Vec<QueuedRow>> {
        let (limit, offset) = (sql_count(limit), sql_count(offset));
        let rows = match status {
            None => {
                let mut s = self.conn.prepare_cached(q::JOB_ROWS).map_err(db_error)?;
                let rows = s.query_map(params![id.to_string(), limit, offset], row_of).map_err(db_error)?;
                rows.collect::<Result<Vec<_>, _>>()
            }
            Some(status) => {
                let mut s = self.conn.prepare_cached(q::JOB_ROWS_WITH_STATUS).map_err(db_error)?;
                let rows = s
                    .query_map(params![id.to_string(), limit, offset, status], row_of)
                    .map_err(db_error)?;
                rows.collect::<Result<Vec<_>, _>>()
            }
        };
        rows.map_err(db_error)
    }

    fn next_pending(&mut self, limit: u32) -> CoreResult<Vec<QueuedRow>> {
        // One writer: the rows read here are this transaction's until it ends.
        let mut s = self.conn.prepare_cached(q::NEXT_PENDING).map_err(db_error)?;
        let rows = s.query_map([limit], row_of).map_err(db_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
    }

    fn finish_row(&mut self, row: &QueuedRow) -> CoreResult<()> {
        self.conn
            .prepare_cached(q::FINISH_ROW)
            .and_then(|mut s| {
                s.execute(params![
                    row.job.to_string(),
                    row.row as i64,
                    row.status,
                    row.order_id,
                    row.errors,
                    row.notes
                ])
            })
            .map_err(db_error)?;
        Ok(())
    }

    fn pending_count(&mut self, job: Option<Id>) -> CoreResult<u64> {
        let n: i64 = match job {
            Some(id) => self.conn.query_row(q::PENDING_COUNT_OF_JOB, [id.to_string()], |r| r.get(0)),
            None => self.conn.query_row(q::PENDING_COUNT, [], |r| r.get(0)),
        }
        .map_err(db_error)?;
        Ok(n as u64)
    }

    fn set_finished(&mut self, job: Id, at: Timestamp) -> CoreResult<()> {
        self.conn
            .execute(q::SET_FINISHED, params![job.to_string(), at.millis()])
            .map_err(db_error)?;
        Ok(())
    }

    fn cancel_pending(&mut self, at: Timestamp) -> CoreResult<u64> {
        self.conn.execute(q::CANCEL_JOBS, [at.millis()]).map_err(db_error)?;
        let n = self.conn.execute(q::CANCEL_ROWS, []).map_err(db_error)?;
        Ok(n as u64)
    }

    fn purge_finished(&mut self, before: Timestamp) -> CoreResult<u64> {
        self.conn.execute(q::PURGE_ROWS, [before.millis()]).map_err(db_error)?;
        let n = self.conn.execute(q::PURGE_JOBS, [before.millis()]).map_err(db_error)?;
        Ok(n as u64)
    }
}
