//! ERP exchange of production orders (issue 9): import with upsert by order name, one savepoint
//! per row (order + bill of materials + property values), a per-row report, dry runs; the file
//! formats live in their own modules. Imported rows go through the same services as
//! `saveProductionOrder`, `saveBillOfMaterialsItem` and `setPropertyValue`, so validation,
//! lifecycle and history are exactly those of saved orders. Master data (locations, materials,
//! units, shifts, people, departments) is exchanged through the same rows, report and queue
//! ([`master_data`], issue 18). See docs/adr/0006.

mod apply;
pub mod b2mml;
pub mod csv;
mod export;
pub mod import_tx;
pub mod input;
pub mod json;
pub mod kind;
pub mod master_data;
mod natural_keys;
pub mod parsed;
pub mod queue;

pub use export::export;
pub use input::{for_each_input_row, Source};
pub use kind::Kind;
pub use parsed::ParsedFile;

use apply::apply_row;
use import_tx::ImportTx;
use natural_keys::CreateMissing;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value as Json;
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
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

/// `{row, name, status, id}`, with `errors` and `notes` when there are any.
impl Serialize for RowResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("row", &self.row)?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("status", self.status.as_str())?;
        map.serialize_entry("id", &self.id.map(|i| i.to_string()))?;
        if !self.errors.is_empty() {
            map.serialize_entry("errors", &self.errors.0)?;
        }
        if !self.notes.is_empty() {
            map.serialize_entry("notes", &self.notes)?;
        }
        map.end()
    }
}

/// The per-row report of an import, with the file's warnings (what it names that the import
/// does not know, such as a CSV file's unknown columns).
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub rows: Vec<RowResult>,
    pub warnings: Vec<String>,
}

impl Report {
    pub fn count(&self, status: RowStatus) -> usize {
        self.rows.iter().filter(|r| r.status == status).count()
    }

    pub fn to_json(&self, format: Format, dry_run: bool) -> Json {
        serde_json::to_value(ReportView {
            report: self,
            format,
            dry_run,
        })
        .unwrap_or(Json::Null)
    }

    /// The report as the answer of `importProductionOrders`, serialized as it is sent: a big
    /// report never becomes a JSON tree (a map per row costs several times the row's text).
    pub fn answer(self, format: Format, dry_run: bool) -> ReportAnswer {
        ReportAnswer {
            report: self,
            format,
            dry_run,
        }
    }
}

/// A report with its format and mode, as answered (see [`Report::answer`]).
#[derive(Debug)]
pub struct ReportAnswer {
    report: Report,
    format: Format,
    dry_run: bool,
}

impl Serialize for ReportAnswer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ReportView {
            report: &self.report,
            format: self.format,
            dry_run: self.dry_run,
        }
        .serialize(serializer)
    }
}

/// The one shape of a report: `{format, dryRun, total, created, updated, unchanged, errors,
/// rows}`, with `warnings` when the file has any.
struct ReportView<'r> {
    report: &'r Report,
    format: Format,
    dry_run: bool,
}

impl Serialize for ReportView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let r = self.report;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("format", self.format.as_str())?;
        map.serialize_entry("dryRun", &self.dry_run)?;
        map.serialize_entry("total", &r.rows.len())?;
        map.serialize_entry("created", &r.count(RowStatus::Created))?;
        map.serialize_entry("updated", &r.count(RowStatus::Updated))?;
        map.serialize_entry("unchanged", &r.count(RowStatus::Unchanged))?;
        map.serialize_entry("errors", &r.count(RowStatus::Error))?;
        map.serialize_entry("rows", &r.rows)?;
        if !r.warnings.is_empty() {
            map.serialize_entry("warnings", &r.warnings)?;
        }
        map.end()
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

/// `importProductionOrders(data, format, dryRun)` inside one write transaction, reading the
/// file as its rows are applied: the rows of `data` (a JSON array, the text of a file in
/// `format`, or a file's bytes: [`Source`]), each in its own savepoint. A file that cannot be
/// read fails as a whole (the caller's transaction is rolled back, so rows read before the
/// syntax error are undone too); a bad row is reported and the others go on. The server parses
/// first and calls [`import_parsed`] instead, so that no parse runs in its write transaction;
/// this streaming form is the CLI's, whose file may be far larger than memory.
pub fn import<'a>(tx: &mut dyn Tx, caller: &Caller, data: impl Into<Source<'a>>, format: Format, options: Options) -> CoreResult<Report> {
    apply_rows(tx, caller, Kind::Orders, options, |each| for_each_input_row(data, format, each))
}

/// [`import`] of a file parsed beforehand ([`ParsedFile::parse`]): the transaction only applies
/// rows, each made a JSON tree while it is applied.
pub fn import_parsed(tx: &mut dyn Tx, caller: &Caller, file: &ParsedFile, options: Options) -> CoreResult<Report> {
    apply_rows(tx, caller, file.kind(), options, |each| {
        file.for_each_row(each)?;
        Ok(file.warnings().to_vec())
    })
}

/// Applies the rows `feed` hands to its callback, each in its own savepoint (all undone at the
/// end of a dry run); `feed` answers the file's warnings.
fn apply_rows(
    tx: &mut dyn Tx,
    caller: &Caller,
    kind: Kind,
    options: Options,
    feed: impl FnOnce(&mut dyn FnMut(u64, Json) -> CoreResult<()>) -> CoreResult<Vec<String>>,
) -> CoreResult<Report> {
    if options.dry_run {
        tx.savepoint(DRY_RUN_SAVEPOINT)?;
    }
    let mut rows = Vec::new();
    let mut rows_tx = ImportTx::new(tx);
    let result = feed(&mut |n, row| {
        rows.push(import_row(&mut rows_tx, caller, kind, n, row, options.create_missing)?);
        Ok(())
    });
    if options.dry_run {
        tx.rollback_to(DRY_RUN_SAVEPOINT)?;
    }
    result.map(|warnings| Report { rows, warnings })
}

/// Imports one row in its own savepoint. Row problems (validation, missing master data,
/// conflicts) become an `error` row; store failures abort the import.
pub fn import_row(tx: &mut ImportTx, caller: &Caller, kind: Kind, n: u64, row: Json, create_missing: bool) -> CoreResult<RowResult> {
    tx.savepoint(ROW_SAVEPOINT)?;
    match apply_row_unguarded(tx, caller, kind, n, row, create_missing) {
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
pub fn apply_row_unguarded(
    tx: &mut ImportTx,
    caller: &Caller,
    kind: Kind,
    n: u64,
    row: Json,
    create_missing: bool,
) -> CoreResult<(RowResult, u64)> {
    let name = match kind {
        Kind::Orders => parsed::row_name(&row),
        Kind::MasterData(_) => master_data::row_name(&row),
    }
    .map(str::to_string);
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
    let outcome = match kind {
        Kind::Orders => apply_row(tx, caller, row, &mut missing),
        Kind::MasterData(x) => master_data::apply_row(tx, caller, x, row),
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_answers_its_counts_rows_and_warnings_in_one_shape() {
        let row = |n, status| RowResult {
            row: n,
            name: Some(format!("PO-{n}")),
            status,
            id: None,
            errors: if status == RowStatus::Error {
                FieldErrors::single("quantity", "must be a number")
            } else {
                FieldErrors::new()
            },
            notes: Vec::new(),
        };
        let mut report = Report {
            rows: vec![row(1, RowStatus::Created), row(2, RowStatus::Error)],
            warnings: Vec::new(),
        };
        let json = report.to_json(Format::Csv, true);
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["format", "dryRun", "total", "created", "updated", "unchanged", "errors", "rows"]
        );
        assert_eq!(
            json["rows"][0],
            serde_json::json!({"row": 1, "name": "PO-1", "status": "created", "id": null})
        );
        assert_eq!(json["rows"][1]["errors"], serde_json::json!({"quantity": ["must be a number"]}));
        report.warnings.push("unknown column 'x'".into());
        let written = serde_json::to_vec(&report.clone().answer(Format::Csv, true)).unwrap();
        let read: Json = serde_json::from_slice(&written).unwrap();
        assert_eq!(read, report.to_json(Format::Csv, true));
        assert_eq!(read["warnings"], serde_json::json!(["unknown column 'x'"]));
    }
}
