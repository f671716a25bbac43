//! The storage interface of the import queue (issue 9, ADR 0006): the jobs and rows a store
//! keeps for `shopfloor_exchange`'s queue. A store's transaction provides it through
//! [`crate::tx::Tx::import_queue`]; what the queue does with them lives in `shopfloor_exchange`.

use crate::errors::CoreResult;
use crate::id::Id;
use crate::time::Timestamp;

/// A row of a job as stored: `pending` (with its data), or its result.
#[derive(Clone, Debug)]
pub struct QueuedRow {
    pub job: Id,
    pub row: u64,
    pub name: Option<String>,
    /// `pending`, `cancelled` or a row status spelling of `shopfloor_exchange`.
    pub status: String,
    pub data: Option<String>,
    pub order_id: Option<String>,
    /// The field errors of an `error` row, as JSON text.
    pub errors: Option<String>,
    /// The row's notes (a JSON list), when it has any.
    pub notes: Option<String>,
}

/// An import job as stored.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: Id,
    /// What the job imports: `ProductionOrder`, or the script noun of the master data an
    /// exchange of `shopfloor_exchange::master_data` reads (`Location`, `Material`, …).
    pub kind: String,
    pub created_at: Timestamp,
    pub created_by: String,
    /// The permissions of the caller who queued it (`None`: unrestricted), used to run it.
    pub permissions: Option<Vec<String>>,
    pub format: String,
    pub total: u64,
    pub finished_at: Option<Timestamp>,
    /// Rows create the units and materials they name but the database lacks.
    pub create_missing: bool,
    /// What the file names that the import does not know (a CSV file's unknown columns).
    pub warnings: Vec<String>,
}

/// Storage of the queue; a store's transaction provides it through [`crate::tx::Tx::import_queue`].
pub trait ImportQueue {
    fn insert_job(&mut self, job: &Job) -> CoreResult<()>;
    fn insert_row(&mut self, row: &QueuedRow) -> CoreResult<()>;
    fn job(&mut self, id: Id) -> CoreResult<Option<Job>>;
    /// How many rows of a job have each status (one `GROUP BY status`; statuses without rows
    /// are left out).
    fn job_counts(&mut self, id: Id) -> CoreResult<Vec<(String, u64)>>;
    /// Up to `limit` rows of a job after the first `offset`, by row number (data left out), only
    /// those with `status` when it is given. (A job's rows are numbered 1 to `total` without
    /// gaps, which a store may use to seek.)
    fn job_rows(&mut self, id: Id, status: Option<&str>, offset: u64, limit: u64) -> CoreResult<Vec<QueuedRow>>;
    /// Up to `limit` pending rows with their data, oldest job first, by row number.
    fn next_pending(&mut self, limit: u32) -> CoreResult<Vec<QueuedRow>>;
    /// Stores a row's result (drops its data).
    fn finish_row(&mut self, row: &QueuedRow) -> CoreResult<()>;
    /// The pending rows of one job, or of every job (`None`).
    fn pending_count(&mut self, job: Option<Id>) -> CoreResult<u64>;
    /// The pending rows of every job of one [`Job::kind`].
    fn pending_count_of_kind(&mut self, kind: &str) -> CoreResult<u64>;
    fn set_finished(&mut self, job: Id, at: Timestamp) -> CoreResult<()>;
    /// Marks every pending row of the jobs of one [`Job::kind`] `cancelled` and finishes those
    /// jobs; returns the rows cancelled.
    fn cancel_pending(&mut self, kind: &str, at: Timestamp) -> CoreResult<u64>;
    /// Deletes jobs (and their rows) finished before `before`; returns how many.
    fn purge_finished(&mut self, before: Timestamp) -> CoreResult<u64>;
}
