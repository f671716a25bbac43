//! The import/export functions of the master-data modules (issue 18, ADR 0006 "Master data"),
//! over `shopfloor_exchange::master_data`: one call per module registers them, so that every
//! module's functions behave alike.
//!
//! - [`Module::master_data_exchange`]: for each exchange of the module the queued import
//!   (`importLocations(data, format, dryRun)`, per-row, as `importProductionOrders`), the export
//!   (`exportLocations(format)`), the queue's size and cancel (`getLocationImportQueueSize`,
//!   `cancelLocationImportQueue`), and the module's `getImportJob`.
//! - [`Module::documented_files_as_text`] / [`Module::documented_files_as_bytes`]: the documented
//!   `exportAsCsv`…`importFromJson` of the location and material modules, whose documents give
//!   them different shapes (text and a count there, bytes and an ApiResponse here). Their
//!   imports are all or nothing: a failed row undoes the file.

use crate::args::Args;
use crate::registry::{optional, required, Answer, Module, TxJob};
use serde_json::{json, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::service::entity::api_response;
use shopfloor_core::tx::Caller;
use shopfloor_exchange::master_data::{self, Exchange, Selection};
use shopfloor_exchange::{import_parsed, queue, Format, Kind, Options, ParsedFile, Report, RowStatus};

/// The names of one exchange's functions, spelled out as callers spell them.
pub struct ExchangeFunctions {
    pub import: &'static str,
    pub export: &'static str,
    pub queue_size: &'static str,
    pub cancel_queue: &'static str,
}

/// The `format` argument: `json` (the default) or `csv`.
fn format(a: &Args) -> CoreResult<Format> {
    master_data::format(a.opt_str("format")?.as_deref())
}

/// Rows created or updated by an import.
fn written(report: &Report) -> usize {
    report.count(RowStatus::Created) + report.count(RowStatus::Updated)
}

impl Module<'_> {
    /// Registers the queued import, the export and the queue functions of each exchange, and
    /// the module's `getImportJob` (its own jobs only).
    pub fn master_data_exchange(&mut self, exchanges: &[(&'static Exchange, ExchangeFunctions)]) {
        for (x, names) in exchanges {
            let x: &'static Exchange = x;
            let label = x.main().def().label;
            self.function(names.import)
                .params([required("data"), optional("format"), optional("dryRun")])
                .permission(&x.save_permission())
                .writes()
                .summary(format!("Queues an import of {label} records (json or csv; upsert by natural key, each row on its own) and returns the import job id; with dryRun, returns at once the per-row report of what it would do, writing nothing."))
                .prepared(move |_, a| {
                    let (format, dry_run) = (format(&a)?, a.flag("dryRun")?);
                    let file = master_data::parse(x, a.json("data")?.unwrap_or(&Json::Null), format)?;
                    Ok(Box::new(move |tx, c| {
                        let options = Options {
                            dry_run,
                            create_missing: false,
                        };
                        if dry_run {
                            let answer = import_parsed(tx, c, &file, options)?.answer(format, true);
                            Ok(Answer::Text(Box::new(move || {
                                serde_json::to_vec(&answer).map_err(|e| CoreError::Internal(format!("writing the import report: {e}")))
                            })))
                        } else {
                            let job = queue::enqueue_parsed(tx, c, &file, options)?;
                            Ok(Answer::Value(Json::String(job.id.to_string())))
                        }
                    }))
                });
            self.function(names.export)
                .params([optional("format")])
                .permission(&x.read_permission())
                .summary(format!("Every {label} record as a file that the import reads back: a list of records (json) or CSV text with a header row (csv); references as natural keys (paths, names)."))
                .handler(move |tx, _, a| match format(a)? {
                    Format::Csv => master_data::export(tx, x, Format::Csv, Selection::All).map(Json::String),
                    _ => Ok(Json::Array(master_data::rows(tx, x, Selection::All)?.into_iter().map(Json::Object).collect())),
                });
            self.function(names.queue_size)
                .permission(&x.read_permission())
                .summary(format!("How many queued {label} import rows are still waiting to be applied."))
                .handler(move |tx, _, _| Ok(json!(queue::queue_size(tx, Kind::MasterData(x))?)));
            self.function(names.cancel_queue)
                .permission(&x.save_permission())
                .writes()
                .summary(format!(
                    "Cancels every queued {label} import row not yet applied; returns how many."
                ))
                .handler(move |tx, c, _| Ok(json!(queue::cancel(tx, c, Kind::MasterData(x))?)));
        }
        let kinds: Vec<Kind> = exchanges.iter().map(|(x, _)| Kind::MasterData(x)).collect();
        let read = exchanges[0].0.read_permission();
        self.function("getImportJob")
            .params([required("jobId"), optional("status"), optional("pageIndex"), optional("pageSize")])
            .permission(&read)
            .summary("An import job of this module: status (QUEUED, RUNNING, DONE, CANCELLED), counts and one page of the per-row results (`rows`; only rows with `status` when given; pageSize 1 to 1000, default 100); null when unknown, expired or of another module.")
            .handler(move |tx, _, a| {
                let page = queue::RowsPage::parse(a.json("status")?, a.json("pageIndex")?, a.json("pageSize")?)?;
                match queue::parse_job_id(&a.str("jobId")?) {
                    Some(id) => queue::job_json_of(tx, &kinds, id, Some(&page)),
                    None => Ok(Json::Null),
                }
            });
    }

    /// The location module's documented file functions: `exportAsCsv()`/`exportAsJson()` answer
    /// text, `exportAsCsvBytes()`/`exportAsJsonBytes()` its bytes, `importFromCsv`/
    /// `importFromJson` take text or bytes and answer how many records were created or updated.
    pub fn documented_files_as_text(&mut self, x: &'static Exchange) {
        let label = x.main().def().label;
        for (name, format, bytes) in [
            ("exportAsCsv", Format::Csv, false),
            ("exportAsCsvBytes", Format::Csv, true),
            ("exportAsJson", Format::Json, false),
            ("exportAsJsonBytes", Format::Json, true),
        ] {
            self.function(name)
                .permission(&x.read_permission())
                .summary(format!(
                    "Every {label} as a {} file{} that importFrom{} reads back.",
                    format.as_str().to_uppercase(),
                    if bytes { " (its UTF-8 bytes, numbers 0 to 255)" } else { "" },
                    if format == Format::Csv { "Csv" } else { "Json" }
                ))
                .handler(move |tx, _, _| {
                    let text = master_data::export(tx, x, format, Selection::All)?;
                    Ok(if bytes {
                        master_data::bytes_json(&text)
                    } else {
                        Json::String(text)
                    })
                });
        }
        for (name, format) in [("importFromCsv", Format::Csv), ("importFromJson", Format::Json)] {
            self.function(name)
                .params([required("importString").or("importBytes")])
                .permission(&x.save_permission())
                .writes()
                .summary(format!("Creates or updates {label} records from a {} file (text or bytes), matched by natural key; all or nothing. Returns how many were created or updated.", format.as_str().to_uppercase()))
                .prepared(move |_, a| {
                    let file = master_data::parse(x, a.json("importString")?.unwrap_or(&Json::Null), format)?;
                    Ok(Box::new(move |tx, c| {
                        let report = master_data::import_all(tx, c, &file)?;
                        Ok(Answer::Value(json!(written(&report))))
                    }))
                });
        }
    }

    /// The material module's documented file functions: `exportAsCsv(idsOrPaths=None)`/
    /// `exportAsJson(idsOrPaths=None)` answer bytes, `importFromCsv`/`importFromJson` take bytes
    /// (or text) and answer an ApiResponse whose `data` is how many records were created or
    /// updated — `success: false` with the errors by row and field, nothing written, when any
    /// row or the file is refused.
    pub fn documented_files_as_bytes(&mut self, x: &'static Exchange) {
        let label = x.main().def().label;
        let labels = x.entities.iter().map(|e| e.def().label).collect::<Vec<_>>().join(" and ");
        for (name, format) in [("exportAsCsv", Format::Csv), ("exportAsJson", Format::Json)] {
            self.function(name)
                .params([optional("idsOrPaths")])
                .permission(&x.read_permission())
                .summary(format!(
                    "The {labels} records (all, or those named by id or path) as the UTF-8 bytes (numbers 0 to 255) of a {} file that importFrom{} reads back.",
                    format.as_str().to_uppercase(),
                    if format == Format::Csv { "Csv" } else { "Json" }
                ))
                .handler(move |tx, _, a| {
                    let keys = match a.json("idsOrPaths")? {
                        None | Some(Json::Null) => None,
                        Some(_) => Some(a.str_list("idsOrPaths")?),
                    };
                    let selection = match &keys {
                        None => Selection::All,
                        Some(keys) => Selection::Some {
                            keys,
                            param: "idsOrPaths",
                        },
                    };
                    Ok(master_data::bytes_json(&master_data::export(tx, x, format, selection)?))
                });
        }
        for (name, format) in [("importFromCsv", Format::Csv), ("importFromJson", Format::Json)] {
            self.function(name)
                .params([required("importBytes").or("importString")])
                .permission(&x.save_permission())
                .writes()
                .summary(format!("Creates or updates {label} records and their classes from a {} file (bytes or text), matched by path; all or nothing. Returns an ApiResponse whose data is how many were created or updated.", format.as_str().to_uppercase()))
                .prepared(move |_, a| {
                    let parsed = master_data::parse(x, a.json("importBytes")?.unwrap_or(&Json::Null), format);
                    Ok(import_answering_api_response(parsed))
                });
        }
    }
}

/// The transaction part of an import answered as an ApiResponse: a file or row refused is
/// `success: false` with the field errors as `data` (and nothing written), not an error.
fn import_answering_api_response(parsed: CoreResult<ParsedFile>) -> TxJob {
    let refused = |e: CoreError| -> CoreResult<Answer> {
        match e {
            CoreError::Validation(fields) => Ok(Answer::Value(api_response(
                false,
                "the import was refused; nothing was written".into(),
                fields.to_json(),
            ))),
            other => Err(other),
        }
    };
    Box::new(move |tx, c: &Caller| match parsed {
        Err(e) => refused(e),
        Ok(file) => match master_data::import_all(tx, c, &file) {
            Ok(report) => {
                let n = written(&report);
                Ok(Answer::Value(api_response(
                    true,
                    format!("{n} records created or updated"),
                    json!(n),
                )))
            }
            Err(e) => refused(e),
        },
    })
}
