//! `shopfloor import FILE` and `shopfloor export` (issue 9, ADR 0006), directly on the database
//! like the other admin commands: an import is queued as a job and applied here, with progress
//! on standard error and a summary; a server on the same database would share the queue. The
//! file is read as its rows are parsed (never whole into memory), in the transaction that
//! queues them: a file that fails half-way (malformed, not UTF-8) queues nothing.

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value as Json};
use shopfloor_core::tx::Caller;
use shopfloor_exchange::queue::{self, RowsPage};
use shopfloor_exchange::{self as exchange, Format, Options, Source};
use shopfloor_store::{Store, StoreConfig};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// Largest import file the command reads (bigger ones are refused before reading, and one
/// that grows past it while being read fails).
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
    /// Create the units and materials the file names but the database lacks.
    #[arg(long)]
    create_missing: bool,
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
    let file = open_import_file(&args.file)?;
    let store = Store::open(&StoreConfig::new(database)).with_context(|| format!("opening {database}"))?;
    let options = Options {
        dry_run: args.dry_run,
        create_missing: args.create_missing,
    };
    let outcome = run_import(&store, file, format, options).await;
    store.close();
    let summary = outcome?;
    println!("{summary}");
    Ok(())
}

/// The file to import, opened for reading (nothing read yet); one larger than [`MAX_FILE`] is
/// refused here, and one that grows past it while read fails the import.
pub(crate) fn open_import_file(path: &Path) -> anyhow::Result<std::fs::File> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let size = file.metadata().with_context(|| format!("reading {}", path.display()))?.len();
    if size > MAX_FILE {
        bail!(
            "{} is {size} bytes; the import reads at most {MAX_FILE} bytes (1 GiB): split the file",
            path.display()
        );
    }
    Ok(file)
}

/// Imports `file` (read as its rows are parsed: never held in memory as a whole): queued as a
/// job and applied here with a progress report on standard error, or for a dry run reported
/// without writing. Answers the summary line.
pub(crate) async fn run_import(store: &Store, mut file: std::fs::File, format: Format, options: Options) -> anyhow::Result<String> {
    if options.dry_run {
        let report = store
            .write(move |tx| {
                let source = Source::reader(&mut file, MAX_FILE);
                exchange::import(tx, &cli_caller(), source, format, options)
            })
            .await
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
        let json = report.to_json(format, true);
        for row in json["rows"].as_array().map(Vec::as_slice).unwrap_or_default() {
            print_error(row);
        }
        return Ok(summary("dry run (nothing written)", &json));
    }
    let job = store
        .write(move |tx| queue::enqueue(tx, &cli_caller(), Source::reader(&mut file, MAX_FILE), format, options))
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    let (job_id, total) = (job.id, job.total);
    let mut progress = Progress::new(total);
    loop {
        let left = store
            .write(move |tx| {
                queue::run_pending(tx, 1024)?;
                tx.import_queue()?.pending_count(Some(job_id))
            })
            .await
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
        progress.show(total - left.min(total));
        if left == 0 {
            break;
        }
    }
    progress.finish();
    // The error rows, a page at a time (a big import may have many).
    let mut page = RowsPage {
        status: Some("error".into()),
        size: queue::MAX_ROWS_PAGE,
        ..RowsPage::default()
    };
    let done = loop {
        let asked = page.clone();
        let job = store
            .read(move |tx| queue::job_json(tx, job_id, Some(&asked)))
            .await
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
        for row in job["rows"].as_array().map(Vec::as_slice).unwrap_or_default() {
            print_error(row);
        }
        if job["hasNext"] != true {
            break job;
        }
        page.index += 1;
    };
    Ok(summary(&format!("import job {job_id}"), &done))
}

/// How far an import is, on standard error: on a terminal, indicatif's bar (repainted in
/// place, with rate and time left); otherwise (a log, a pipe), where indicatif draws nothing,
/// a plain line at most every few seconds or tenth of the rows, and at the end.
enum Progress {
    Bar(ProgressBar),
    Lines(ProgressLines),
}

impl Progress {
    fn new(total: u64) -> Progress {
        let bar = ProgressBar::new(total);
        if bar.is_hidden() {
            return Progress::Lines(ProgressLines {
                total,
                last_line: Instant::now(),
                last_tenth: 0,
                shown: None,
            });
        }
        let style = ProgressStyle::with_template("[{bar:40}] {pos}/{len} rows ({per_sec:0}, {eta} left)")
            .map(|s| s.progress_chars("#> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress::Bar(bar)
    }

    fn show(&mut self, done: u64) {
        match self {
            Progress::Bar(bar) => bar.set_position(done),
            Progress::Lines(lines) => lines.show(done),
        }
    }

    fn finish(&mut self) {
        if let Progress::Bar(bar) = self {
            bar.finish();
        }
    }
}

/// Progress as plain lines, for standard error that is not a terminal: indicatif keeps quiet
/// there, and a log should still tell how far a long import got.
struct ProgressLines {
    total: u64,
    last_line: Instant,
    last_tenth: u64,
    shown: Option<u64>,
}

/// Least time between two progress lines when standard error is not a terminal.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

impl ProgressLines {
    fn show(&mut self, done: u64) {
        let total = self.total;
        let tenth = (done * 10).checked_div(total).unwrap_or(10);
        let due = self.last_line.elapsed() >= PROGRESS_EVERY || tenth > self.last_tenth || done == total;
        if due && self.shown != Some(done) {
            let percent = (done * 100).checked_div(total).unwrap_or(100);
            eprintln!("import: {done}/{total} rows applied ({percent}%)");
            self.last_line = Instant::now();
            self.last_tenth = tenth;
            self.shown = Some(done);
        }
    }
}

fn print_error(row: &Json) {
    if row["status"] == "error" {
        eprintln!("row {} ({}): {}", row["row"], row["name"].as_str().unwrap_or("?"), row["errors"]);
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
        None => match std::io::stdout().write_all(text.as_bytes()) {
            // The reader went away (`shopfloor export | head`): nobody is left to tell.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            written => written?,
        },
    }
    Ok(())
}
