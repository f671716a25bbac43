//! `shopfloor import FILE` and `shopfloor export` (issue 9, ADR 0006), directly on the database
//! like the other admin commands: an import is queued as a job and applied here, with a progress
//! bar on standard error and a summary; a server on the same database would share the queue.

use anyhow::{bail, Context};
use clap::Args;
use serde_json::{Map, Value as Json};
use shopfloor_core::exchange::queue::{self, RowsPage};
use shopfloor_core::exchange::{self, Format, Options};
use shopfloor_core::tx::Caller;
use shopfloor_store::{Store, StoreConfig};
use std::io::Write;

/// Largest import file the command reads (bigger ones are refused before reading).
const MAX_FILE: u64 = 1024 * 1024 * 1024;

#[derive(Args)]
pub struct ImportArgs {
    /// The file: a JSON array of orders, a CSV of orders or of BOM lines, or a B2MML schedule.
    file: std::path::PathBuf,
    /// json, csv, csv-bom or b2mml (default: from the file's extension, else json).
    #[arg(long)]
    format: Option<String>,
    /// Report what the import would do and write nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// json, csv, csv-bom, b2mml or b2mml-performance.
    #[arg(long, default_value = "json")]
    format: String,
    /// A QueryRequest (JSON) selecting the orders; all when absent.
    #[arg(long)]
    query: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<std::path::PathBuf>,
}

fn format_of(args: &ImportArgs) -> anyhow::Result<Format> {
    let name = match &args.format {
        Some(f) => f.clone(),
        None => match args
            .file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => "csv".into(),
            Some("xml") => "b2mml".into(),
            _ => "json".into(),
        },
    };
    Format::parse(&name).map_err(|e| anyhow::anyhow!("{}", describe(&e)))
}

fn describe(e: &shopfloor_core::errors::CoreError) -> String {
    match e {
        shopfloor_core::errors::CoreError::Validation(fields) => fields
            .0
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.join("; ")))
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

fn cli_caller() -> Caller {
    Caller {
        user: "cli".into(),
        ..Caller::system()
    }
}

pub async fn import(database: &str, args: ImportArgs) -> anyhow::Result<()> {
    let format = format_of(&args)?;
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?
        .len();
    if size > MAX_FILE {
        bail!("{} is {size} bytes; the import reads at most {MAX_FILE}", args.file.display());
    }
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{} is not UTF-8 text (byte {})", args.file.display(), e.utf8_error().valid_up_to()))?;
    let store = Store::open(&StoreConfig::new(database)).with_context(|| format!("opening {database}"))?;
    let outcome = run_import(&store, text, format, args.dry_run).await;
    store.close();
    let summary = outcome?;
    println!("{summary}");
    Ok(())
}

pub(crate) async fn run_import(store: &Store, text: String, format: Format, dry_run: bool) -> anyhow::Result<String> {
    let data = Json::String(text);
    if dry_run {
        let report = store
            .write(move |tx| exchange::import(tx, &cli_caller(), &data, format, Options { dry_run: true }))
            .await
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
        let json = report.to_json(format, true);
        print_errors(json["rows"].as_array().map(Vec::as_slice).unwrap_or_default());
        return Ok(summary("dry run (nothing written)", &json));
    }
    let job = store
        .write(move |tx| queue::enqueue(tx, &cli_caller(), &data, format))
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    let (job_id, total) = (job.id, job.total);
    let id = job_id.to_string();
    loop {
        let left = store
            .write(move |tx| {
                queue::run_pending(tx, 256)?;
                tx.import_queue()?.pending_count(Some(job_id))
            })
            .await
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
        progress(total - left.min(total), total);
        if left == 0 {
            break;
        }
    }
    eprintln!();
    let errors = RowsPage {
        status: Some("error".into()),
        size: queue::MAX_ROWS_PAGE,
        ..RowsPage::default()
    };
    let done = store
        .read(move |tx| queue::job_json(tx, job_id, Some(&errors)))
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    print_errors(done["rows"].as_array().map(Vec::as_slice).unwrap_or_default());
    Ok(summary(&format!("import job {id}"), &done))
}

fn progress(done: u64, total: u64) {
    let width: u64 = 40;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    let bar: String = (0..width).map(|i| if i < filled { '#' } else { ' ' }).collect();
    eprint!("\r[{bar}] {done}/{total}");
    let _ = std::io::stderr().flush();
}

fn print_errors(rows: &[Json]) {
    for r in rows.iter().filter(|r| r["status"] == "error") {
        eprintln!("row {} ({}): {}", r["row"], r["name"].as_str().unwrap_or("?"), r["errors"]);
    }
}

fn summary(what: &str, report: &Json) -> String {
    format!(
        "{what}: {} rows: {} created, {} updated, {} unchanged, {} errors",
        report["total"], report["created"], report["updated"], report["unchanged"], report["errors"]
    )
}

pub async fn export(database: &str, args: ExportArgs) -> anyhow::Result<()> {
    let format = Format::parse(&args.format).map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    let request: Map<String, Json> = match &args.query {
        Some(q) => serde_json::from_str(q).context("--query must be a JSON object (a QueryRequest)")?,
        None => Map::new(),
    };
    let store = Store::open(&StoreConfig::new(database)).with_context(|| format!("opening {database}"))?;
    let result = store.read(move |tx| exchange::export(tx, format, &request)).await;
    store.close();
    let exported = result.map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    let text = match exported {
        Json::String(s) => s,
        other => serde_json::to_string_pretty(&other)? + "\n",
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}
