//! ERP import and export of orders (issue 9, ADR 0006), over `shopfloor_exchange`.

use crate::registry::{optional, required, Answer, Module};
use serde_json::{json, Value as Json};
use shopfloor_core::errors::CoreError;
use shopfloor_exchange::{self as exchange, queue, Format, Kind, Options, ParsedFile};

/// The `format` argument, JSON when absent.
fn format(a: &crate::Args) -> shopfloor_core::errors::CoreResult<Format> {
    Format::parse(&a.opt_str("format")?.unwrap_or_else(|| "json".into()))
}

pub fn register(m: &mut Module) {
    m.function("importProductionOrders")
        .params([required("data"), optional("format"), optional("dryRun"), optional("createMissing")])
        .permission("PRODUCTION_ORDER.WRITE.SAVE")
        .writes()
        .summary("Queues an import of orders (upsert by name; each order with its bill of materials and property values all or nothing) and returns the import job id; with dryRun, returns at once the per-row report of what it would do, writing nothing; with createMissing, units and materials the file names but the database lacks are created (with the caller's UNIT_OF_MEASURE / MATERIAL WRITE.SAVE permissions).")
        // The file is parsed and checked here, before the transaction and off the writer; the
        // transaction only stores (or, in a dry run, applies) rows already parsed.
        .prepared(|_, a| {
            let format = format(&a)?;
            let data = a.json("data")?.unwrap_or(&Json::Null);
            let options = Options {
                dry_run: a.flag("dryRun")?,
                create_missing: a.flag("createMissing")?,
            };
            let file = ParsedFile::parse(data, format)?;
            Ok(Box::new(move |tx, c| {
                if options.dry_run {
                    let answer = exchange::import_parsed(tx, c, &file, options)?.answer(format, true);
                    Ok(Answer::Text(Box::new(move || {
                        serde_json::to_vec(&answer).map_err(|e| CoreError::Internal(format!("writing the import report: {e}")))
                    })))
                } else {
                    let job = queue::enqueue_parsed(tx, c, &file, options)?;
                    Ok(Answer::Value(Json::String(job.id.to_string())))
                }
            }))
        });
    m.function("getImportJob")
        .params([required("jobId"), optional("status"), optional("pageIndex"), optional("pageSize")])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary("An import job: status (QUEUED, RUNNING, DONE, CANCELLED), counts and one page of the per-row results (`rows`; only rows with `status` when given; pageSize 1 to 1000, default 100); null when unknown or expired.")
        .handler(|tx, _, a| {
            let page = queue::RowsPage::parse(a.json("status")?, a.json("pageIndex")?, a.json("pageSize")?)?;
            match queue::parse_job_id(&a.str("jobId")?) {
                Some(id) => queue::job_json(tx, id, Some(&page)),
                None => Ok(Json::Null),
            }
        });
    m.function("getProductionOrderImportQueueSize")
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary("How many imported rows are still waiting to be applied.")
        .handler(|tx, _, _| Ok(json!(queue::queue_size(tx, Kind::Orders)?)));
    m.function("cancelProductionOrderImportQueue")
        .permission("PRODUCTION_ORDER.WRITE.SAVE")
        .writes()
        .summary("Cancels every queued row not yet applied; returns how many.")
        .handler(|tx, c, _| Ok(json!(queue::cancel(tx, c, Kind::Orders)?)));
    m.function("exportProductionOrders")
        .params([optional("format"), optional("queryRequest")])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary(
            "The orders the QueryRequest selects (all without one) with their bill of materials and property values, in an import format.",
        )
        .handler(|tx, _, a| exchange::export(tx, format(a)?, &a.opt_object("queryRequest")?));
}
