//! The import queue (issue 9, ADR 0006): `importProductionOrders` stores the rows of a file as
//! pending rows of a job in one transaction (the server parses and checks the file before it,
//! [`enqueue_parsed`]), and a background runner applies them in batches. Each row's result is written in the same savepoint as its effects
//! (rows share one in chunks, see [`MAX_CHUNK`]), so a restart resumes at the first pending
//! row: no row is lost or applied twice. Finished jobs stay readable until the retention time has passed.

use super::parsed::row_name;
use super::{apply_row_unguarded, import_row, import_tx::ImportTx, Format, Kind, Options, ParsedFile, RowResult, RowStatus, Source};
use serde_json::{json, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult, FieldErrors};
use shopfloor_core::id::Id;
pub use shopfloor_core::import_queue::{ImportQueue, Job, QueuedRow};
use shopfloor_core::time::Timestamp;
use shopfloor_core::tx::{Caller, Tx};

/// Queues the rows of `data` (a JSON array, the text of a file, or a file's bytes read as they
/// are parsed: [`Source`]) as one job and returns it; a file that cannot be read fails, and the
/// caller's transaction then queues nothing (rows are inserted as they are read). This form
/// parses inside the transaction, for the CLI's files that may be larger than memory; the server
/// parses first and calls [`enqueue_parsed`].
pub fn enqueue<'a>(tx: &mut dyn Tx, caller: &Caller, data: impl Into<Source<'a>>, format: Format, options: Options) -> CoreResult<Job> {
    let id = Id::generate();
    let mut total = 0u64;
    let warnings = {
        let queue = tx.import_queue()?;
        let mut each = |n: u64, row: Json| -> CoreResult<()> {
            total = n;
            insert_pending(queue, id, n, row_name(&row), row.to_string())
        };
        super::for_each_input_row(data, format, &mut each)?
    };
    insert_job(tx, caller, id, Kind::Orders, format, total, options, warnings)
}

/// Queues the rows of a file parsed beforehand ([`ParsedFile::parse`]) as one job and returns
/// it: the transaction only stores rows.
pub fn enqueue_parsed(tx: &mut dyn Tx, caller: &Caller, file: &ParsedFile, options: Options) -> CoreResult<Job> {
    let id = Id::generate();
    let queue = tx.import_queue()?;
    for (n, name, data) in file.rows() {
        insert_pending(queue, id, n, name, data.to_string())?;
    }
    insert_job(
        tx,
        caller,
        id,
        file.kind(),
        file.format(),
        file.len() as u64,
        options,
        file.warnings().to_vec(),
    )
}

/// Stores row `n` of job `id` as pending.
fn insert_pending(queue: &mut dyn ImportQueue, id: Id, n: u64, name: Option<&str>, data: String) -> CoreResult<()> {
    queue.insert_row(&QueuedRow {
        job: id,
        row: n,
        name: name.map(str::to_string),
        status: PENDING.into(),
        data: Some(data),
        order_id: None,
        errors: None,
        notes: None,
    })
}

/// Stores the job of `total` queued rows (finished at once when there are none).
#[allow(clippy::too_many_arguments)]
fn insert_job(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: Id,
    kind: Kind,
    format: Format,
    total: u64,
    options: Options,
    warnings: Vec<String>,
) -> CoreResult<Job> {
    let job = Job {
        id,
        kind: kind.name().into(),
        created_at: caller.now,
        created_by: caller.user.clone(),
        permissions: caller.permissions.clone(),
        format: format.as_str().into(),
        total,
        finished_at: if total == 0 { Some(caller.now) } else { None },
        create_missing: options.create_missing,
        warnings,
    };
    tx.import_queue()?.insert_job(&job)?;
    Ok(job)
}

/// Rows applied in one savepoint at most. A savepoint per row would copy every database page
/// the row touches into its journal; rows sharing a chunk share that cost. A row refused
/// before its first write (missing master data, bad fields) leaves nothing to undo and the
/// chunk goes on. A row that fails after writing undoes its chunk: the rows before it run
/// again as a chunk, then the failed row alone in its own savepoint, and from then on chunks
/// are sized by [`chunk_size`].
const MAX_CHUNK: usize = 128;
const CHUNK_SAVEPOINT: &str = "import_chunk";

/// A row savepoint costs about a fifth of applying a row (`bench import`: 14.8 s → 12.2 s
/// for 20,000 orders without them).
const SAVEPOINT_COST: f64 = 0.2;

/// The rows of the next chunk, after `failures` rows of the `done` so far in this batch failed
/// after writing: all it may before any did; then the size that balances the savepoints'
/// cost per row (`SAVEPOINT_COST / size`) against the rows run again after a failure (half a
/// chunk at the failure rate seen: `rate · size / 2`), which is `√(2 · SAVEPOINT_COST / rate)`.
fn chunk_size(done: usize, failures: usize) -> usize {
    if failures == 0 {
        return MAX_CHUNK;
    }
    let rate = failures as f64 / done.max(1) as f64;
    ((2.0 * SAVEPOINT_COST / rate).sqrt() as usize).clamp(1, MAX_CHUNK)
}

/// A job whose rows this batch applies: what it imports, its caller, whether it creates
/// missing master data, and the refusal of a caller who may not save what it imports (or of a
/// kind this build does not know): its rows are errors, applying nothing.
struct JobRun {
    id: Id,
    kind: Kind,
    caller: Caller,
    create_missing: bool,
    refused: Option<String>,
}

/// Applies up to `limit` pending rows, in chunks (see [`MAX_CHUNK`]), each row's result
/// written with its effects; returns how many were applied.
pub fn run_pending(tx: &mut dyn Tx, limit: u32) -> CoreResult<usize> {
    let rows = tx.import_queue()?.next_pending(limit)?;
    let tx = &mut ImportTx::new(tx);
    let mut jobs: Vec<JobRun> = Vec::new();
    for row in &rows {
        if !jobs.iter().any(|j| j.id == row.job) {
            let job = tx
                .import_queue()?
                .job(row.job)?
                .ok_or_else(|| CoreError::Internal(format!("import row of unknown job {}", row.job)))?;
            let caller = Caller {
                user: job.created_by,
                now: Timestamp::now(),
                permissions: job.permissions,
                person: None,
            };
            let kind = Kind::parse(&job.kind);
            let refused = match kind {
                Some(kind) => caller.require(&kind.save_permission()).err().map(|e| e.to_string()),
                None => Some(format!("this server does not import '{}'", job.kind)),
            };
            jobs.push(JobRun {
                id: row.job,
                kind: kind.unwrap_or(Kind::Orders),
                caller,
                create_missing: job.create_missing,
                refused,
            });
        }
    }
    let job_of = |row: &QueuedRow| jobs.iter().find(|j| j.id == row.job).expect("every row's job is loaded");
    let (mut start, mut failures, mut alone): (usize, usize, Option<usize>) = (0, 0, None);
    while start < rows.len() {
        let size = chunk_size(start, failures);
        let end = match alone {
            Some(k) if k == start => start + 1,
            Some(k) if k > start => k.min(start + size),
            _ => (start + size).min(rows.len()),
        };
        if end - start == 1 {
            let (row, job) = (&rows[start], job_of(&rows[start]));
            let result = match &job.refused {
                Some(message) => refused(row, message),
                None => import_row(tx, &job.caller, job.kind, row.row, row_data(row)?, job.create_missing)?,
            };
            finish(tx, row, &result)?;
            start = end;
            continue;
        }
        tx.savepoint(CHUNK_SAVEPOINT)?;
        let mut failed = None;
        for (k, row) in rows.iter().enumerate().take(end).skip(start) {
            let job = job_of(row);
            let applied = match &job.refused {
                Some(message) => Ok((refused(row, message), 0)),
                None => row_data(row).and_then(|data| apply_row_unguarded(tx, &job.caller, job.kind, row.row, data, job.create_missing)),
            };
            let result = match applied {
                Ok((result, writes)) if result.status == RowStatus::Error && writes > 0 => {
                    failed = Some(k);
                    break;
                }
                Ok((result, _)) => finish(tx, row, &result),
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                let _ = tx.rollback_to(CHUNK_SAVEPOINT);
                return Err(e);
            }
        }
        match failed {
            None => {
                tx.release(CHUNK_SAVEPOINT)?;
                start = end;
            }
            Some(k) => {
                tx.rollback_to(CHUNK_SAVEPOINT)?;
                alone = Some(k);
                failures += 1;
            }
        }
    }
    for job in &jobs {
        if tx.import_queue()?.pending_count(Some(job.id))? == 0 {
            tx.import_queue()?.set_finished(job.id, job.caller.now)?;
        }
    }
    Ok(rows.len())
}

/// The data of a pending row.
fn row_data(row: &QueuedRow) -> CoreResult<Json> {
    serde_json::from_str(row.data.as_deref().unwrap_or("null"))
        .map_err(|e| CoreError::Internal(format!("stored import row is not JSON: {e}")))
}

/// The result of a row whose job's caller may not save what it imports.
fn refused(row: &QueuedRow, message: &str) -> RowResult {
    RowResult {
        row: row.row,
        name: row.name.clone(),
        status: RowStatus::Error,
        id: None,
        errors: FieldErrors::single("row", message),
        notes: Vec::new(),
    }
}

/// Stores a row's result (dropping its data).
fn finish(tx: &mut ImportTx, row: &QueuedRow, result: &RowResult) -> CoreResult<()> {
    tx.import_queue()?.finish_row(&QueuedRow {
        job: row.job,
        row: row.row,
        name: row.name.clone(),
        status: result.status.as_str().into(),
        data: None,
        order_id: result.id.map(|i| i.to_string()),
        errors: (!result.errors.is_empty()).then(|| result.errors.to_json().to_string()),
        notes: (!result.notes.is_empty()).then(|| json!(result.notes).to_string()),
    })
}

/// Marks the first pending row `error` with `message` (after its batch failed with an error
/// that retrying cannot cure), so that one bad row cannot stop the queue.
pub fn fail_next(tx: &mut dyn Tx, message: &str) -> CoreResult<()> {
    let queue = tx.import_queue()?;
    let Some(row) = queue.next_pending(1)?.into_iter().next() else {
        return Ok(());
    };
    queue.finish_row(&QueuedRow {
        status: RowStatus::Error.as_str().into(),
        data: None,
        errors: Some(FieldErrors::single("row", message).to_json().to_string()),
        ..row
    })?;
    if queue.pending_count(Some(row.job))? == 0 {
        queue.set_finished(row.job, Timestamp::now())?;
    }
    Ok(())
}

/// `getProductionOrderImportQueueSize()`, `getLocationImportQueueSize()`, …: the rows of jobs
/// of `kind` still waiting.
pub fn queue_size(tx: &mut dyn Tx, kind: Kind) -> CoreResult<u64> {
    tx.import_queue()?.pending_count_of_kind(kind.name())
}

/// `cancelProductionOrderImportQueue()`, `cancelLocationImportQueue()`, …: cancels the rows of
/// jobs of `kind` not started; returns their count.
pub fn cancel(tx: &mut dyn Tx, caller: &Caller, kind: Kind) -> CoreResult<u64> {
    tx.import_queue()?.cancel_pending(kind.name(), caller.now)
}

const PENDING: &str = "pending";
const CANCELLED: &str = "cancelled";
/// The statuses a row of a job can have.
pub const ROW_STATUSES: [&str; 6] = [PENDING, "created", "updated", "unchanged", "error", CANCELLED];
/// The largest page of rows `getImportJob` answers.
pub const MAX_ROWS_PAGE: u64 = 1000;
/// The page size of `getImportJob` when none is given.
pub const DEFAULT_ROWS_PAGE: u64 = 100;

/// Which rows of a job to answer: page `index` (from 0) of `size` rows, only rows with
/// `status` when it is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowsPage {
    pub status: Option<String>,
    pub index: u64,
    pub size: u64,
}

impl Default for RowsPage {
    fn default() -> RowsPage {
        RowsPage {
            status: None,
            index: 0,
            size: DEFAULT_ROWS_PAGE,
        }
    }
}

impl RowsPage {
    /// The page from the arguments of `getImportJob` (`null` or absent: the defaults); bad
    /// values are field errors, all of them at once.
    pub fn parse(status: Option<&Json>, index: Option<&Json>, size: Option<&Json>) -> CoreResult<RowsPage> {
        let mut errors = FieldErrors::new();
        let mut page = RowsPage::default();
        match status.filter(|v| !v.is_null()) {
            None => {}
            Some(Json::String(s)) if ROW_STATUSES.contains(&s.trim().to_ascii_lowercase().as_str()) => {
                page.status = Some(s.trim().to_ascii_lowercase());
            }
            Some(other) => errors.add("status", format!("must be one of {}, got {other}", ROW_STATUSES.join(", "))),
        }
        match index.filter(|v| !v.is_null()) {
            None => {}
            Some(v) => match shopfloor_core::query::as_u64(v) {
                Some(i) => page.index = i,
                None => errors.add("pageIndex", format!("must be a whole number ≥ 0, got {v}")),
            },
        }
        match size.filter(|v| !v.is_null()) {
            None => {}
            Some(v) => match shopfloor_core::query::as_u64(v) {
                Some(s) if (1..=MAX_ROWS_PAGE).contains(&s) => page.size = s,
                _ => errors.add("pageSize", format!("must be a whole number from 1 to {MAX_ROWS_PAGE}, got {v}")),
            },
        }
        errors.into_result()?;
        Ok(page)
    }
}

/// A stored row as `getImportJob` answers it.
fn row_json(r: &QueuedRow) -> Json {
    let mut row = json!({"row": r.row, "name": r.name, "status": r.status, "id": r.order_id});
    if let Some(errors) = r.errors.as_deref().and_then(|e| serde_json::from_str::<Json>(e).ok()) {
        row["errors"] = errors;
    }
    if let Some(notes) = r.notes.as_deref().and_then(|e| serde_json::from_str::<Json>(e).ok()) {
        row["notes"] = notes;
    }
    row
}

/// `getImportJob(jobId, status, pageIndex, pageSize)`: the job with its progress (counts from
/// one `GROUP BY`) and, with `page`, one page of its rows' results with the paging keys of a
/// QueryResult (`totalElements` counts the rows with the status asked for); `null` when there
/// is no such job (or it has expired).
pub fn job_json(tx: &mut dyn Tx, id: Id, page: Option<&RowsPage>) -> CoreResult<Json> {
    job_json_of(tx, &[Kind::Orders], id, page)
}

/// [`job_json`] of a job of one of `kinds` (a module's `getImportJob` answers its own jobs
/// only); `null` for a job of another kind.
pub fn job_json_of(tx: &mut dyn Tx, kinds: &[Kind], id: Id, page: Option<&RowsPage>) -> CoreResult<Json> {
    let queue = tx.import_queue()?;
    let Some(job) = queue.job(id)?.filter(|j| kinds.iter().any(|k| k.name() == j.kind)) else {
        return Ok(Json::Null);
    };
    let counts = queue.job_counts(id)?;
    let count = |s: &str| counts.iter().find(|(status, _)| status == s).map_or(0, |(_, n)| *n);
    let (pending, cancelled) = (count(PENDING), count(CANCELLED));
    let status = match (pending, job.finished_at) {
        (0, Some(_)) if cancelled > 0 => "CANCELLED",
        (0, _) => "DONE",
        (p, _) if p == job.total => "QUEUED",
        _ => "RUNNING",
    };
    let mut out = json!({
        "id": job.id.to_string(),
        "status": status,
        "format": job.format,
        "createdDate": job.created_at.to_string(),
        "createdBy": job.created_by,
        "finishedDate": job.finished_at.map(|t| t.to_string()),
        "total": job.total,
        "pending": pending,
        "created": count("created"),
        "updated": count("updated"),
        "unchanged": count("unchanged"),
        "errors": count("error"),
        "cancelled": cancelled,
    });
    if !job.warnings.is_empty() {
        out["warnings"] = json!(job.warnings);
    }
    if let Some(page) = page {
        let matching = match &page.status {
            Some(s) => count(s),
            None => counts.iter().map(|(_, n)| n).sum(),
        };
        let offset = page.index.saturating_mul(page.size);
        let rows = if offset < matching {
            queue.job_rows(id, page.status.as_deref(), offset, page.size)?
        } else {
            Vec::new()
        };
        let result = shopfloor_core::query::result(
            rows.iter().map(row_json).collect(),
            matching,
            Some(shopfloor_core::query::Page {
                size: page.size,
                index: page.index,
            }),
        );
        let Json::Object(result) = result else {
            return Err(CoreError::Internal("a query result is an object".into()));
        };
        for (key, value) in result {
            out[if key == "content" { "rows" } else { key.as_str() }] = value;
        }
    }
    Ok(out)
}

/// Parses a job id argument; an unparsable one names no job.
pub fn parse_job_id(text: &str) -> Option<Id> {
    Id::parse(text).ok()
}
