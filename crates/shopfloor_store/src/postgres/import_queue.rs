//! The import queue's tables (migration 0005) behind [`ImportQueue`] on PostgreSQL; the
//! statements are the SQLite ones (`crate::import_queue`), parameters spelled `$N`.
//!
//! Several instances may run the queue on one database. The runner claims rows with
//! `next_pending` inside a write transaction, which already holds the write advisory lock
//! (`postgres/mod.rs`): runners of all instances take turns, and each one's READ COMMITTED
//! statements see the rows the previous one finished, so no row is applied twice. As a second
//! line of defence the claim also locks the rows it returns (`FOR UPDATE`) until the batch
//! commits: a transaction that found them locked would wait, then pass over the rows that are
//! no longer pending. (Not `SKIP LOCKED`: it would let a later row of a file overtake an
//! earlier one for the same order.)

use super::tx::{db_error, PgTx};
use crate::import_queue::{self as q, permissions_of, permissions_text, sql_count};
use crate::sql::{for_dialect, Dialect};
use postgres::types::ToSql;
use postgres::Row;
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::id::Id;
use shopfloor_core::import_queue::{ImportQueue, Job, QueuedRow};
use shopfloor_core::time::Timestamp;

/// `next_pending` in a write transaction: holds the rows it hands out until the transaction ends.
const CLAIM: &str = " FOR UPDATE OF r";

fn id_of(text: &str) -> CoreResult<Id> {
    Id::parse(text).map_err(|e| CoreError::Internal(format!("import queue: bad id '{text}': {e}")))
}

fn row_of(r: &Row) -> CoreResult<QueuedRow> {
    let job: String = r.try_get(0).map_err(db_error)?;
    Ok(QueuedRow {
        job: id_of(&job)?,
        row: r.try_get::<_, i64>(1).map_err(db_error)? as u64,
        name: r.try_get(2).map_err(db_error)?,
        status: r.try_get(3).map_err(db_error)?,
        data: r.try_get(4).map_err(db_error)?,
        order_id: r.try_get(5).map_err(db_error)?,
        errors: r.try_get(6).map_err(db_error)?,
        notes: r.try_get(7).map_err(db_error)?,
    })
}

impl PgTx<'_> {
    fn queue_execute(&mut self, text: &'static str, params: &[&(dyn ToSql + Sync)]) -> CoreResult<u64> {
        let stmt = self.prepare(&for_dialect(Dialect::Postgres, text))?;
        self.conn.client.execute(&stmt, params).map_err(db_error)
    }

    fn queue_query(&mut self, text: &str, params: &[&(dyn ToSql + Sync)]) -> CoreResult<Vec<Row>> {
        let stmt = self.prepare(text)?;
        self.conn.client.query(&stmt, params).map_err(db_error)
    }
}

impl ImportQueue for PgTx<'_> {
    fn insert_job(&mut self, job: &Job) -> CoreResult<()> {
        self.queue_execute(
            q::INSERT_JOB,
            &[
                &job.id.to_string(),
                &job.created_at.millis(),
                &job.created_by,
                &permissions_text(job.permissions.as_ref()),
                &job.format,
                &(job.total as i64),
                &job.finished_at.map(|t| t.millis()),
                &i64::from(job.create_missing),
            ],
        )?;
        Ok(())
    }

    fn insert_row(&mut self, row: &QueuedRow) -> CoreResult<()> {
        self.queue_execute(
            q::INSERT_ROW,
            &[
                &row.job.to_string(),
                &(row.row as i64),
                &row.name,
                &row.status,
                &row.data,
                &row.order_id,
                &row.errors,
            ],
        )?;
        Ok(())
    }

    fn job(&mut self, id: Id) -> CoreResult<Option<Job>> {
        let rows = self.queue_query(&for_dialect(Dialect::Postgres, q::JOB), &[&id.to_string()])?;
        let Some(r) = rows.first() else { return Ok(None) };
        let id: String = r.try_get(0).map_err(db_error)?;
        Ok(Some(Job {
            id: id_of(&id)?,
            created_at: Timestamp(r.try_get(1).map_err(db_error)?),
            created_by: r.try_get(2).map_err(db_error)?,
            permissions: permissions_of(r.try_get(3).map_err(db_error)?)?,
            format: r.try_get(4).map_err(db_error)?,
            total: r.try_get::<_, i64>(5).map_err(db_error)? as u64,
            finished_at: r.try_get::<_, Option<i64>>(6).map_err(db_error)?.map(Timestamp),
            create_missing: r.try_get::<_, i64>(7).map_err(db_error)? != 0,
        }))
    }

    fn job_counts(&mut self, id: Id) -> CoreResult<Vec<(String, u64)>> {
        let rows = self.queue_query(&for_dialect(Dialect::Postgres, q::JOB_COUNTS), &[&id.to_string()])?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get(0).map_err(db_error)?;
                let n: i64 = r.try_get(1).map_err(db_error)?;
                Ok((status, n.max(0) as u64))
            })
            .collect()
    }

    fn job_rows(&mut self, id: Id, status: Option<&str>, offset: u64, limit: u64) -> CoreResult<Vec<QueuedRow>> {
        let (id, limit, offset) = (id.to_string(), sql_count(limit), sql_count(offset));
        let rows = match status {
            None => self.queue_query(&for_dialect(Dialect::Postgres, q::JOB_ROWS), &[&id, &limit, &offset])?,
            Some(status) => self.queue_query(
                &for_dialect(Dialect::Postgres, q::JOB_ROWS_WITH_STATUS),
                &[&id, &limit, &offset, &status],
            )?,
        };
        rows.iter().map(row_of).collect()
    }

    fn next_pending(&mut self, limit: u32) -> CoreResult<Vec<QueuedRow>> {
        let mut text = for_dialect(Dialect::Postgres, q::NEXT_PENDING).into_owned();
        // A read transaction may not lock rows (and applies nothing).
        if !self.read_only {
            text.push_str(CLAIM);
        }
        let rows = self.queue_query(&text, &[&i64::from(limit)])?;
        rows.iter().map(row_of).collect()
    }

    fn finish_row(&mut self, row: &QueuedRow) -> CoreResult<()> {
        self.queue_execute(
            q::FINISH_ROW,
            &[
                &row.job.to_string(),
                &(row.row as i64),
                &row.status,
                &row.order_id,
                &row.errors,
                &row.notes,
            ],
        )?;
        Ok(())
    }

    fn pending_count(&mut self, job: Option<Id>) -> CoreResult<u64> {
        let rows = match job {
            Some(id) => self.queue_query(&for_dialect(Dialect::Postgres, q::PENDING_COUNT_OF_JOB), &[&id.to_string()])?,
            None => self.queue_query(q::PENDING_COUNT, &[])?,
        };
        let n: i64 = match rows.first() {
            Some(r) => r.try_get(0).map_err(db_error)?,
            None => 0,
        };
        Ok(n.max(0) as u64)
    }

    fn set_finished(&mut self, job: Id, at: Timestamp) -> CoreResult<()> {
        self.queue_execute(q::SET_FINISHED, &[&job.to_string(), &at.millis()])?;
        Ok(())
    }

    fn cancel_pending(&mut self, at: Timestamp) -> CoreResult<u64> {
        self.queue_execute(q::CANCEL_JOBS, &[&at.millis()])?;
        self.queue_execute(q::CANCEL_ROWS, &[])
    }

    fn purge_finished(&mut self, before: Timestamp) -> CoreResult<u64> {
        self.queue_execute(q::PURGE_ROWS, &[&before.millis()])?;
        self.queue_execute(q::PURGE_JOBS, &[&before.millis()])
    }
}
