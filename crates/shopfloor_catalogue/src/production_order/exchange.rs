//! ERP import and export of orders (issue 9, ADR 0006), over `shopfloor_exchange`.

use crate::registry::{optional, required, Module};
use serde_json::{json, Value as Json};
use shopfloor_exchange::{self as exchange, queue, Format, Options};

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
        .handler(|tx, c, a| {
            let format = format(a)?;
            let data = a.json_or_null("data")?;
            let options = Options {
                dry_run: a.flag("dryRun")?,
                create_missing: a.flag("createMissing")?,
            };
            if options.dry_run {
                Ok(exchange::import(tx, c, &data, format, options)?.to_json(format, true))
            } else {
                Ok(Json::String(queue::enqueue(tx, c, &data, format, options)?.id.to_string()))
            }
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
        .handler(|tx, _, _| Ok(json!(queue::queue_size(tx)?)));
    m.function("cancelProductionOrderImportQueue")
        .permission("PRODUCTION_ORDER.WRITE.SAVE")
        .writes()
        .summary("Cancels every queued row not yet applied; returns how many.")
        .handler(|tx, c, _| Ok(json!(queue::cancel(tx, c)?)));
    m.function("exportProductionOrders")
        .params([optional("format"), optional("queryRequest")])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary(
            "The orders the QueryRequest selects (all without one) with their bill of materials and property values, in an import format.",
        )
        .handler(|tx, _, a| exchange::export(tx, format(a)?, &a.opt_object("queryRequest")?));
}
