//! ERP exchange of production orders (issue 9): import with upsert by order name, one savepoint
//! per row (order + bill of materials + property values), a per-row report, dry runs; the file
//! formats live in their own modules. Imported rows go through the same services as
//! `saveProductionOrder`, `saveBillOfMaterialsItem` and `setPropertyValue`, so validation,
//! lifecycle and history are exactly those of saved orders. See docs/adr/0006.

mod apply;
pub mod b2mml;
pub mod csv;
mod export;
pub mod import_tx;
pub mod input;
pub mod json;
mod natural_keys;
pub mod queue;

pub use export::export;
pub use input::{for_each_input_row, Source};

use apply::apply_row;
use import_tx::ImportTx;
use natural_keys::CreateMissing;
use serde_json::{json, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult, FieldErrors};
use shopfloor_core::id::Id;
use shopfloor_core::schema::Entity;
use shopfloor_core::tx::{Caller, Tx};

const ORDER: Entity = Entity::ProductionOrder;
const ITEM: Entity = Entity::BillOfMaterialsItem;

/// The formats `importProductionOrders` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    /// Orders, one per line (`property:<name>` columns for values).
    Csv,
    /// Bill-of-materials lines keyed by `productionOrderName`.
    CsvBom,
    /// ISA-95 B2MML production schedules.
    B2mml,
    /// B2MML `SyncProductionPerformance` (export only).
    B2mmlPerformance,
}

impl Format {
    pub fn parse(text: &str) -> CoreResult<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "csv-bom" => Ok(Format::CsvBom),
            "b2mml" => Ok(Format::B2mml),
            "b2mml-performance" => Ok(Format::B2mmlPerformance),
            other => Err(CoreError::field(
                "format",
                format!("unknown format '{other}'; use json, csv, csv-bom, b2mml (or b2mml-performance to export)"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::CsvBom => "csv-bom",
            Format::B2mml => "b2mml",
            Format::B2mmlPerformance => "b2mml-performance",
        }
    }
}

/// What happened to one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowStatus {
    Created,
    Updated,
    Unchanged,
    Error,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Created => "created",
            RowStatus::Updated => "updated",
            RowStatus::Unchanged => "unchanged",
            RowStatus::Error => "error",
        }
    }
}

/// The outcome of one row: its 1-based number in the file, the order name, what happened,
/// the order id (unless it failed) and the field errors / messages of a failed row.
#[derive(Clone, Debug)]
pub struct RowResult {
    pub row: u64,
    pub name: Option<String>,
    pub status: RowStatus,
    pub id: Option<Id>,
    pub errors: FieldErrors,
    /// What the file said that the import did not use (unknown B2MML elements, merged items).
    pub notes: Vec<String>,
}

impl RowResult {
    pub fn to_json(&self) -> Json {
        let mut out = json!({"row": self.row, "name": self.name, "status": self.status.as_str(), "id": self.id.map(|i| i.to_string())});
        if !self.errors.is_empty() {
            out["errors"] = self.errors.to_json();
        }
        if !self.notes.is_empty() {
            out["notes"] = json!(self.notes);
        }
        out
    }
}

/// The per-row report of an import.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub rows: Vec<RowResult>,
}

impl Report {
    pub fn count(&self, status: RowStatus) -> usize {
        self.rows.iter().filter(|r| r.status == status).count()
    }

    pub fn to_json(&self, format: Format, dry_run: bool) -> Json {
        json!({
            "format": format.as_str(),
            "dryRun": dry_run,
            "total": self.rows.len(),
            "created": self.count(RowStatus::Created),
            "updated": self.count(RowStatus::Updated),
            "unchanged": self.count(RowStatus::Unchanged),
            "errors": self.count(RowStatus::Error),
            "rows": self.rows.iter().map(RowResult::to_json).collect::<Vec<_>>(),
        })
    }
}

/// Options of an import.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Report what would happen, write nothing.
    pub dry_run: bool,
    /// Create the units and materials the file names but the database lacks (when the caller
    /// may save them) instead of refusing the row.
    pub create_missing: bool,
}

const ROW_SAVEPOINT: &str = "import_row";
const DRY_RUN_SAVEPOINT: &str = "import_dry_run";

/// `importProductionOrders(data, format, dryRun)` inside one write transaction: the rows of
/// `data` (a JSON array, the text of a file in `format`, or a file's bytes: [`Source`]), each
/// in its own savepoint. A file that cannot be read fails as a whole (the caller's transaction
/// is rolled back, so rows read before the syntax error are undone too); a bad row is reported
/// and the others go on.
pub fn import<'a>(tx: &mut dyn Tx, caller: &Caller, data: impl Into<Source<'a>>, format: Format, options: Options) -> CoreResult<Report> {
    if options.dry_run {
        tx.savepoint(DRY_RUN_SAVEPOINT)?;
    }
    let mut report = Report::default();
    let mut rows_tx = ImportTx::new(tx);
    let result = for_each_input_row(data, format, &mut |n, row| {
        report.rows.push(import_row(&mut rows_tx, caller, n, row, options.create_missing)?);
        Ok(())
    });
    if options.dry_run {
        tx.rollback_to(DRY_RUN_SAVEPOINT)?;
    }
    result.map(|()| report)
}

/// Imports one row in its own savepoint. Row problems (validation, missing master data,
/// conflicts) become an `error` row; store failures abort the import.
pub fn import_row(tx: &mut ImportTx, caller: &Caller, n: u64, row: Json, create_missing: bool) -> CoreResult<RowResult> {
    tx.savepoint(ROW_SAVEPOINT)?;
    match apply_row_unguarded(tx, caller, n, row, create_missing) {
        Ok((result, writes)) if result.status == RowStatus::Error && writes > 0 => {
            tx.rollback_to(ROW_SAVEPOINT)?;
            Ok(result)
        }
        Ok((result, _)) => {
            tx.release(ROW_SAVEPOINT)?;
            Ok(result)
        }
        Err(e) => {
            let _ = tx.rollback_to(ROW_SAVEPOINT);
            Err(e)
        }
    }
}

/// Imports one row without a savepoint of its own; answers its result and how many writes it
/// made. The caller undoes the writes of an `error` row (by rolling back to a savepoint taken
/// before it), and those of a store failure; an `error` row that made none (refused before its
/// first write, as rows naming missing master data or bad fields are) left nothing to undo.
pub fn apply_row_unguarded(tx: &mut ImportTx, caller: &Caller, n: u64, row: Json, create_missing: bool) -> CoreResult<(RowResult, u64)> {
    let name = row.get("name").and_then(Json::as_str).map(str::to_string);
    let notes: Vec<String> = row
        .get("importNotes")
        .and_then(Json::as_array)
        .map(|n| n.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    tx.begin_row();
    let mut missing = CreateMissing {
        caller: create_missing.then_some(caller),
        created: Vec::new(),
    };
    let outcome = apply_row(tx, caller, row, &mut missing);
    let writes = tx.take_writes();
    let failed = |errors: FieldErrors| -> CoreResult<(RowResult, u64)> {
        let result = RowResult {
            row: n,
            name: name.clone(),
            status: RowStatus::Error,
            id: None,
            errors,
            notes: notes.clone(),
        };
        Ok((result, writes))
    };
    match outcome {
        Ok((id, created)) => {
            let status = match (created, writes) {
                (true, _) => RowStatus::Created,
                (false, 0) => RowStatus::Unchanged,
                (false, _) => RowStatus::Updated,
            };
            let result = RowResult {
                row: n,
                name: name.clone(),
                status,
                id: Some(id),
                errors: FieldErrors::new(),
                notes: notes.iter().cloned().chain(missing.created).collect(),
            };
            Ok((result, writes))
        }
        Err(CoreError::Validation(errors)) => failed(errors),
        Err(CoreError::Conflict { message, .. }) => failed(FieldErrors::single("version", message)),
        Err(CoreError::NotFound(message) | CoreError::BadRequest(message) | CoreError::InUse { message, .. }) => {
            failed(FieldErrors::single("row", message))
        }
        Err(CoreError::Forbidden { permission }) => failed(FieldErrors::single("row", format!("lacking permission {permission}"))),
        Err(e @ (CoreError::Unavailable(_) | CoreError::Internal(_))) => Err(e),
    }
}
