//! `shopfloor bench`: measures the real server over HTTP next to two baselines measured in the
//! same run on the same machine (raw SQLite, one durable row per commit = the naive limit; the
//! same rows in large transactions = the physical ceiling). See docs/PERFORMANCE.md.
//!
//! The server is started as a child process of this one (the same executable, `serve`), so its
//! peak resident memory can be read from `/proc/<pid>/status`; or `--url`/`--token` target a
//! running server. Timing is printed, never judged: the command fails only when something does
//! not work (a scenario with errors, report totals that do not add up), not when it is slow.

mod baseline;
mod driver;
mod events;
mod import;
mod load;
mod output;
mod postgres;
mod report;
mod server;
mod soak;
mod stats;

use anyhow::{bail, Context};
use clap::ValueEnum;
use std::time::{Duration, Instant};

/// The scenarios, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// Clients creating orders (`saveProductionOrder`).
    Save,
    /// Clients merging changes into existing orders by id (`saveProductionOrder` with `id`).
    Update,
    /// Clients calling `reportProduction` on 100 RUNNING orders; totals checked at the end.
    Report,
    /// `getProductionOrder` by name on the big database.
    Get,
    /// `findProductionOrders`: status IN (SCHEDULED, RUNNING), dueDate in a 30-day window, by dueDate, 50 a page.
    Find,
    /// `findProductionOrders` by name: `CONTAINS` five digits or `STARTS_WITH` a loaded order's
    /// prefix and first five digits, 50 a page (the trigram and key indexes, docs/adr/0014).
    Search,
    /// `findProductionOrders` of every order sorted by schedulePriority (by rank) and dueDate,
    /// descending, one of the first 20 pages of 50.
    FindPriority,
    /// 80 % get/find, 20 % save/report.
    Mixed,
}

impl Scenario {
    pub const ALL: [Scenario; 8] = [
        Scenario::Get,
        Scenario::Find,
        Scenario::Search,
        Scenario::FindPriority,
        Scenario::Save,
        Scenario::Update,
        Scenario::Report,
        Scenario::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Save => "save",
            Scenario::Update => "update",
            Scenario::Report => "report",
            Scenario::Get => "get",
            Scenario::Find => "find",
            Scenario::Search => "search",
            Scenario::FindPriority => "find-priority",
            Scenario::Mixed => "mixed",
        }
    }

    /// Whether every operation of the scenario is a durable write (compared with the naive baseline).
    pub fn writes(self) -> bool {
        matches!(self, Scenario::Save | Scenario::Update | Scenario::Report)
    }
}

/// Benchmarks other than the API scenarios.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Suite {
    /// ERP import of one JSON file (issue 9) next to a raw-SQLite batch baseline; `--orders`
    /// sets the file's size (default 100,000; 2,000 with --quick).
    Import,
    /// Save throughput without events out and with 3 webhooks and MQTT on, and the delivery
    /// lag (issue 20); `--clients`, `--duration`/`--ops`, `--quick` apply.
    Events,
}

/// Options of `shopfloor bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// `import`: the import benchmark instead of the API scenarios.
    #[arg(value_enum)]
    pub suite: Option<Suite>,
    /// Scenario to run (repeatable); default: all of them.
    #[arg(long = "scenario", value_enum)]
    pub scenarios: Vec<Scenario>,
    /// Concurrent HTTP clients per scenario.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Seconds each scenario (and the naive baseline) runs.
    #[arg(long, conflicts_with = "ops")]
    pub duration: Option<f64>,
    /// Run each scenario (and the naive baseline) for this many operations instead of a duration.
    #[arg(long)]
    pub ops: Option<u64>,
    /// Production orders in the database that get/find/update run on.
    #[arg(long, default_value_t = 1_000_000)]
    pub orders: u64,
    /// Rows the physical-ceiling baseline inserts (in transactions of 10,000); default: min(orders, 200,000).
    #[arg(long)]
    pub ceiling_rows: Option<u64>,
    /// Tiny sizes for a smoke check: 2,000 orders, 2 s per scenario, 8 clients unless given.
    #[arg(long)]
    pub quick: bool,
    /// Print the results as JSON (on stdout) instead of the table.
    #[arg(long)]
    pub json: bool,
    /// `import` only: every Nth order of the file has a property value of the wrong type (an
    /// error row found after its order and items were written, the costliest kind to undo),
    /// to measure what bad rows cost the rows around them.
    #[arg(long)]
    pub bad_every: Option<u64>,
    /// Target a running server instead of starting one (data is then loaded through the API).
    #[arg(long)]
    pub url: Option<String>,
    /// Bearer token for the requests (with --url; a self-started server gets one from `token create`).
    #[arg(long, env = "SHOPFLOOR_TOKEN")]
    pub token: Option<String>,
    /// Skip the raw-SQLite baselines.
    #[arg(long)]
    pub no_baselines: bool,
    /// Keep the temporary directory (database, server log) and print where it is.
    #[arg(long)]
    pub keep: bool,
    /// Soak: split each scenario into this many consecutive windows and check that the
    /// server's memory stays flat and its latency does not drift (see docs/RELIABILITY.md).
    #[arg(long, default_value_t = 1)]
    pub windows: usize,
    /// With the global `--database postgres://…`: run this executable as the server instead of
    /// this one (to compare two builds with the same driver).
    #[arg(long)]
    pub server_exe: Option<std::path::PathBuf>,
    /// `events` only: the MQTT broker to publish to (default: a mosquitto started on a free
    /// local port, when installed).
    #[arg(long)]
    pub mqtt_url: Option<String>,
}

/// The effective settings after `--quick` and the defaults are applied.
#[derive(Clone, Debug)]
pub struct Settings {
    pub scenarios: Vec<Scenario>,
    pub clients: usize,
    pub limit: Limit,
    pub orders: u64,
    pub ceiling_rows: u64,
    pub report_orders: usize,
    pub windows: usize,
}

/// How long a scenario runs.
#[derive(Clone, Copy, Debug)]
pub enum Limit {
    Time(Duration),
    Ops(u64),
}

impl Limit {
    /// One of `n` equal parts.
    fn split(self, n: usize) -> Limit {
        let n = n.max(1);
        match self {
            Limit::Time(d) => Limit::Time(d / n as u32),
            Limit::Ops(ops) => Limit::Ops((ops / n as u64).max(1)),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Limit::Time(d) => format!("{} s", d.as_secs_f64()),
            Limit::Ops(n) => format!("{n} ops"),
        }
    }
}

impl Args {
    fn settings(&self) -> anyhow::Result<Settings> {
        let user_gave_orders = std::env::args().any(|a| a == "--orders" || a.starts_with("--orders="));
        let user_gave_clients = std::env::args().any(|a| a == "--clients" || a.starts_with("--clients="));
        let orders = if self.quick && !user_gave_orders { 2_000 } else { self.orders };
        let clients = if self.quick && !user_gave_clients { 8 } else { self.clients };
        if clients == 0 {
            bail!("--clients must be at least 1");
        }
        if orders < 1 {
            bail!("--orders must be at least 1");
        }
        if self.windows == 0 {
            bail!("--windows must be at least 1");
        }
        let limit = match (self.ops, self.duration) {
            (Some(0), _) => bail!("--ops must be at least 1"),
            (Some(n), _) => Limit::Ops(n),
            (None, Some(s)) if s > 0.0 => match Duration::try_from_secs_f64(s) {
                Ok(d) => Limit::Time(d),
                Err(_) => bail!("--duration is too long: {s} seconds"),
            },
            (None, Some(_)) => bail!("--duration must be a positive number of seconds"),
            (None, None) if self.quick => Limit::Time(Duration::from_secs(2)),
            (None, None) => Limit::Time(Duration::from_secs(10)),
        };
        let ceiling_rows = self
            .ceiling_rows
            .unwrap_or(if self.quick { 5_000 } else { orders.min(200_000) })
            .max(1);
        let scenarios = if self.scenarios.is_empty() {
            Scenario::ALL.to_vec()
        } else {
            Scenario::ALL.into_iter().filter(|s| self.scenarios.contains(s)).collect()
        };
        Ok(Settings {
            scenarios,
            clients,
            limit,
            orders,
            ceiling_rows,
            report_orders: 100,
            windows: self.windows,
        })
    }
}

/// Everything one run measured; printed as a table or JSON.
#[derive(Debug, Default)]
pub struct Results {
    pub target: String,
    pub command: String,
    pub clients: usize,
    pub limit: String,
    pub orders: u64,
    pub load: Option<LoadResult>,
    pub naive: Option<stats::Measured>,
    pub ceiling: Option<stats::Measured>,
    pub scenarios: Vec<stats::ScenarioResult>,
    pub report_check: Option<report::ReportCheck>,
    pub soak: Vec<soak::Verdict>,
    pub notes: Vec<String>,
}

/// How the orders got into the database.
#[derive(Debug, Clone)]
pub struct LoadResult {
    pub method: String,
    pub orders: u64,
    pub seconds: f64,
}

/// Runs the benchmark; fails only when something does not work (or, with `--windows`, when
/// memory grows or latency drifts grossly). With the global `--database` naming a PostgreSQL
/// server, the PostgreSQL writers comparison runs instead (bench/postgres.rs).
pub async fn run(args: Args, database: &str) -> anyhow::Result<()> {
    if args.suite == Some(Suite::Import) {
        let user_gave_orders = std::env::args().any(|a| a == "--orders" || a.starts_with("--orders="));
        let orders = match (user_gave_orders, args.quick) {
            (true, _) => args.orders,
            (false, true) => 2_000,
            (false, false) => 100_000,
        };
        return import::run(orders.max(1), args.bad_every.filter(|n| *n > 0), args.json).await;
    }
    let settings = args.settings()?;
    if args.suite == Some(Suite::Events) {
        return events::run(&settings, args.mqtt_url.clone(), args.json).await;
    }
    if shopfloor_store::postgres::settings::is_postgres_url(database) {
        return postgres::run_postgres(database, args.server_exe.clone(), &settings).await;
    }
    let dir = tempfile::Builder::new()
        .prefix("shopfloor-bench-")
        .tempdir()
        .context("creating a temporary directory")?;
    let mut results = Results {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        clients: settings.clients,
        limit: settings.limit.describe(),
        orders: settings.orders,
        ..Results::default()
    };
    let progress = |msg: &str| eprintln!("bench: {msg}");

    if !args.no_baselines {
        progress("baseline: raw SQLite, one row per durable commit (naive limit)");
        let path = dir.path().join("naive.db");
        let master = baseline::prepare(&path).await?;
        let naive = baseline::naive(&path, &master, settings.limit)?;
        progress(&format!("  {:.0} rows/s", naive.throughput));
        results.naive = Some(naive);
        progress(&format!(
            "baseline: raw SQLite, {} rows in transactions of 10,000 (ceiling)",
            settings.ceiling_rows
        ));
        let path = dir.path().join("ceiling.db");
        let master = baseline::prepare(&path).await?;
        let ceiling = baseline::ceiling(&path, &master, settings.ceiling_rows)?;
        progress(&format!("  {:.0} rows/s", ceiling.throughput));
        results.ceiling = Some(ceiling);
    }

    // The server: ours (a child process on a bulk-loaded database) or the one at --url.
    let mut child: Option<server::Child> = None;
    let (base_url, token, fixture) = match &args.url {
        Some(url) => {
            let url = url.trim_end_matches('/').to_string();
            results.target = url.clone();
            let client = driver::Client::new(&url, args.token.clone(), settings.clients)?;
            progress(&format!("loading {} orders through the API of {url}", settings.orders));
            let started = Instant::now();
            let fixture = load::through_api(&client, settings.orders, settings.clients).await?;
            results.load = Some(LoadResult {
                method: format!("API saveProductionOrder, {} clients", settings.clients),
                orders: settings.orders,
                seconds: started.elapsed().as_secs_f64(),
            });
            (url, args.token.clone(), fixture)
        }
        None => {
            let db = dir.path().join("db");
            let db_text = db.to_str().context("temporary path is not UTF-8")?.to_string();
            progress("creating master data through the services");
            let master = load::master_data(&db_text).await?;
            progress(&format!("bulk-loading {} orders straight into the database file", settings.orders));
            let started = Instant::now();
            let fixture = load::bulk(&db, &master, settings.orders)?;
            let seconds = started.elapsed().as_secs_f64();
            progress(&format!("  {:.1} s ({:.0} orders/s)", seconds, settings.orders as f64 / seconds));
            results.load = Some(LoadResult {
                method: "bulk loader (rusqlite, transactions of 50,000 rows, indexes rebuilt after)".into(),
                orders: settings.orders,
                seconds,
            });
            let started_child = server::Child::start(&db_text, dir.path())?;
            let url = started_child.url.clone();
            results.target = format!("self-started child server pid {} at {url}", started_child.pid());
            child = Some(started_child);
            let c = child.as_mut().expect("just set");
            c.wait_ready(Duration::from_secs(60)).await?;
            let token = match &args.token {
                Some(t) => Some(t.clone()),
                None => match c.create_token(&db_text) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        results.notes.push(format!(
                            "no token: `shopfloor token create admin` failed ({e}); requests sent without Authorization"
                        ));
                        None
                    }
                },
            };
            (url, token, fixture)
        }
    };

    let outcome = drive(&settings, &base_url, token, fixture, child.as_ref(), &mut results, &progress).await;
    if let Some(c) = child.take() {
        c.stop();
    }
    if args.keep {
        let kept = dir.keep();
        eprintln!("bench: kept {}", kept.display());
    }
    outcome?;

    if args.json {
        println!("{}", serde_json::to_string_pretty(&output::to_json(&results))?);
    } else {
        print!("{}", output::table(&results));
    }
    let failed: Vec<String> = results
        .scenarios
        .iter()
        .filter(|s| s.errors > 0)
        .map(|s| format!("{} ({} errors)", s.name, s.errors))
        .collect();
    if !failed.is_empty() {
        bail!("scenarios with errors: {}", failed.join(", "));
    }
    if let Some(check) = &results.report_check {
        if !check.exact {
            bail!("report totals are not exact: {}", check.detail);
        }
    }
    let unsteady: Vec<String> = results.soak.iter().filter(|v| !v.steady()).map(|v| v.summary()).collect();
    if !unsteady.is_empty() {
        bail!("soak: {}", unsteady.join("; "));
    }
    Ok(())
}

async fn drive(
    settings: &Settings,
    base_url: &str,
    token: Option<String>,
    fixture: load::Fixture,
    child: Option<&server::Child>,
    results: &mut Results,
    progress: &dyn Fn(&str),
) -> anyhow::Result<()> {
    let client = driver::Client::new(base_url, token, settings.clients)?;
    let needs_report = settings.scenarios.iter().any(|s| matches!(s, Scenario::Report | Scenario::Mixed));
    let report_orders = if needs_report {
        progress(&format!("creating {} RUNNING orders for report", settings.report_orders));
        report::create_running_orders(&client, &fixture, settings.report_orders).await?
    } else {
        Vec::new()
    };
    let ctx = std::sync::Arc::new(driver::Context::new(fixture, report_orders));
    let limit = settings.limit.split(settings.windows);
    for &scenario in &settings.scenarios {
        progress(&format!(
            "scenario {} ({} clients, {}{})",
            scenario.name(),
            settings.clients,
            settings.limit.describe(),
            if settings.windows > 1 {
                format!(" in {} windows", settings.windows)
            } else {
                String::new()
            }
        ));
        let first = results.scenarios.len();
        for window in 1..=settings.windows {
            let mut result = measure(&client, &ctx, scenario, settings.clients, limit, child).await;
            if settings.windows > 1 {
                result.window = Some(window);
                result.end_rss_kib = child.and_then(|c| c.rss_kib());
            }
            progress(&format!(
                "  {}{:.0} ops/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
                result.window.map(|w| format!("#{w}: ")).unwrap_or_default(),
                result.measured.throughput,
                result.measured.p50_ms(),
                result.measured.p99_ms(),
                result.errors
            ));
            if let Some(e) = &result.first_error {
                progress(&format!("  first error: {e}"));
            }
            results.scenarios.push(result);
        }
        if settings.windows > 1 {
            results.soak.push(soak::Verdict::of(&results.scenarios[first..]));
        }
    }
    if needs_report {
        results.report_check = Some(report::check_totals(&client, &ctx).await?);
    }
    Ok(())
}

/// Runs one scenario (or one window of it) and reads the server's counters around it.
async fn measure(
    client: &driver::Client,
    ctx: &std::sync::Arc<driver::Context>,
    scenario: Scenario,
    clients: usize,
    limit: Limit,
    child: Option<&server::Child>,
) -> stats::ScenarioResult {
    if let Some(c) = child {
        c.reset_peak_rss();
    }
    let before = client.metrics().await.ok();
    let server_cpu_before = child.and_then(|c| c.cpu_seconds());
    let client_cpu_before = server::cpu_seconds("/proc/self/stat");
    let mut result = driver::run_scenario(client, ctx, scenario, clients, limit).await;
    let server_cpu_after = child.and_then(|c| c.cpu_seconds());
    let client_cpu_after = server::cpu_seconds("/proc/self/stat");
    let after = client.metrics().await.ok();
    result.server_cpu = server_cpu_after.zip(server_cpu_before).map(|(a, b)| a - b);
    result.client_cpu = client_cpu_after.zip(client_cpu_before).map(|(a, b)| a - b);
    if let (Some(b), Some(a)) = (before, after) {
        result.commits = Some(a.commits.saturating_sub(b.commits));
        result.write_jobs = Some(a.jobs.saturating_sub(b.jobs));
    }
    if let Some(c) = child {
        result.peak_rss_kib = c.peak_rss_kib();
    }
    result
}
