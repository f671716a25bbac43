//! `shopfloor bench --database postgres://…`: the save scenario against one, then two
//! instances of the server on one PostgreSQL database, next to `pgbench` inserting single rows
//! on the same cluster in the same run (the baseline: one durable row per transaction, group
//! commit across its clients). Each run works in a database of its own, created on the server
//! the URL names and dropped afterwards; the cluster should keep PostgreSQL's durable defaults
//! (`fsync`, `synchronous_commit` on), as docs/PERFORMANCE.md describes.
//!
//! The PostgreSQL client programs (`pgbench`, `psql`, `createdb`, `dropdb`) come from `PATH`
//! or Debian's server package layout; `--server-exe` runs another build as the server (to
//! compare builds with the same driver).

use super::driver::{self, Context};
use super::load::{self, Fixture};
use super::server::Child;
use super::stats::ScenarioResult;
use super::{Limit, Scenario, Settings};
use anyhow::{bail, Context as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// The table `pgbench` inserts into: the size of a small order row.
const BASELINE_TABLE: &str = "CREATE TABLE bench_rows (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, at BIGINT NOT NULL)";
const BASELINE_SCRIPT: &str = "\\set n random(1, 1000000000)\nINSERT INTO bench_rows (name, at) VALUES ('row ' || :n, :n);\n";

/// Where a PostgreSQL client program is: on `PATH`, else the newest Debian server package's.
fn program(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    if let Some(p) = on_path {
        return p;
    }
    let mut packaged: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.is_file())
        .collect();
    packaged.sort_by_key(|p| {
        let version = p.iter().rev().nth(2).and_then(|v| v.to_str()).unwrap_or("");
        version.parse::<u32>().unwrap_or(0)
    });
    packaged.pop().unwrap_or_else(|| PathBuf::from(name))
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!("{what} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The URL without Shopfloor's own query parameters, for the client programs (libpq).
fn libpq_url(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// `url` with its database name replaced by `db` (query string kept).
fn with_database(url: &str, db: &str) -> anyhow::Result<String> {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").context("a postgres:// URL")? + 3;
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{db}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

/// A database of this run's own, dropped when it ends.
struct Scratch {
    maintenance: String,
    name: String,
}

impl Scratch {
    fn create(url: &str) -> anyhow::Result<Scratch> {
        let name = format!("shopfloor_bench_{}", std::process::id());
        let maintenance = libpq_url(url).to_string();
        run(
            Command::new(program("createdb")).args(["--maintenance-db", &maintenance, &name]),
            "createdb",
        )?;
        Ok(Scratch { maintenance, name })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = Command::new(program("dropdb"))
            .args(["--force", "--maintenance-db", &self.maintenance, &self.name])
            .output();
    }
}

/// `pgbench`: single-row inserts for `seconds` by `clients` clients; its tps.
fn pgbench(url: &str, clients: usize, seconds: u64, dir: &Path) -> anyhow::Result<f64> {
    run(Command::new(program("psql")).args([url, "-q", "-c", BASELINE_TABLE]), "psql")?;
    let script = dir.join("insert.sql");
    std::fs::write(&script, BASELINE_SCRIPT)?;
    let text = run(
        Command::new(program("pgbench")).args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
            "-f",
            script.to_str().context("temporary path is not UTF-8")?,
            url,
        ]),
        "pgbench",
    )?;
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("tps = "))
        .find_map(|rest| rest.split_whitespace().next().and_then(|n| n.parse().ok()))
        .with_context(|| format!("no tps in pgbench's output:\n{text}"))
}

/// The save scenario with `clients` clients spread over the instances at `bases`, at once.
async fn saves(
    bases: &[String],
    token: &Option<String>,
    ctx: &Arc<Context>,
    clients: usize,
    limit: Limit,
) -> anyhow::Result<Vec<ScenarioResult>> {
    let mut runs = Vec::new();
    for (i, base) in bases.iter().enumerate() {
        let share = clients / bases.len() + usize::from(i < clients % bases.len());
        let client = driver::Client::new(base, token.clone(), share)?;
        let ctx = ctx.clone();
        runs.push(tokio::spawn(async move {
            driver::run_scenario(&client, &ctx, Scenario::Save, share, limit).await
        }));
    }
    let mut out = Vec::new();
    for r in runs {
        out.push(r.await.context("a client task")?);
    }
    Ok(out)
}

/// One line of the table: the instances' saves together.
fn line(label: &str, results: &[ScenarioResult], baseline: f64) -> String {
    let ops: u64 = results.iter().map(|r| r.measured.ops).sum();
    let seconds = results.iter().map(|r| r.measured.seconds).fold(0.0, f64::max);
    let rate = ops as f64 / seconds.max(1e-9);
    let p50 = results.iter().map(|r| r.measured.p50_ms()).fold(0.0, f64::max);
    let p99 = results.iter().map(|r| r.measured.p99_ms()).fold(0.0, f64::max);
    let errors: u64 = results.iter().map(|r| r.errors).sum();
    format!(
        "{label:<28} {rate:>10.0} {p50:>9.2} {p99:>9.2} {:>11.1} % {errors:>7}",
        100.0 * rate / baseline.max(1e-9)
    )
}

/// Runs the PostgreSQL comparison; fails only when something does not work.
pub async fn run_postgres(url: &str, server_exe: Option<PathBuf>, settings: &Settings) -> anyhow::Result<()> {
    let seconds = match settings.limit {
        Limit::Time(d) => d.as_secs().max(1),
        Limit::Ops(_) => bail!("--database postgres://… runs for a --duration, not --ops"),
    };
    let limit = Limit::Time(Duration::from_secs(seconds));
    let dir = tempfile::Builder::new().prefix("shopfloor-bench-pg-").tempdir()?;
    let scratch = Scratch::create(url)?;
    let db = with_database(url, &scratch.name)?;
    let progress = |msg: &str| eprintln!("bench: {msg}");

    progress(&format!(
        "baseline: pgbench, single-row inserts, {} clients, {seconds} s",
        settings.clients
    ));
    let tps = pgbench(libpq_url(&db), settings.clients, seconds, dir.path())?;
    progress(&format!("  {tps:.0} tps"));

    progress("creating master data through the services");
    let master = load::master_data(&db).await?;
    let fixture = Fixture {
        master,
        prefix: "PG-".into(),
        orders: 0,
        sample_ids: Vec::new(),
        now_ms: shopfloor_core::time::Timestamp::now().millis(),
        tag: load::run_tag(),
    };
    let ctx = Arc::new(Context::new(fixture, Vec::new()));
    let exe = match server_exe {
        Some(p) => p,
        None => std::env::current_exe()?,
    };
    let mut servers = Vec::new();
    for i in 0..2 {
        let sub = dir.path().join(format!("instance-{i}"));
        std::fs::create_dir_all(&sub)?;
        let mut child = Child::start_exe(&exe, &db, &sub, &[])?;
        child.wait_ready(Duration::from_secs(60)).await?;
        servers.push(child);
    }
    let token = Some(servers[0].create_token(&db)?);
    let bases: Vec<String> = servers.iter().map(|c| c.url.clone()).collect();

    progress(&format!("save through one instance, {} clients", settings.clients));
    let one = saves(&bases[..1], &token, &ctx, settings.clients, limit).await?;
    progress(&format!("save through two instances, {} clients in all", settings.clients));
    let two = saves(&bases, &token, &ctx, settings.clients, limit).await?;
    for s in servers {
        s.stop();
    }

    let mut out = String::new();
    out.push_str(&format!(
        "shopfloor bench (PostgreSQL): {}\nserver: {}; {} clients; {seconds} s each\n\n",
        std::env::args().collect::<Vec<_>>().join(" "),
        exe.display(),
        settings.clients
    ));
    out.push_str(&format!(
        "{:<28} {:>10} {:>9} {:>9} {:>13} {:>7}\n",
        "run", "ops/s", "p50 ms", "p99 ms", "of pgbench", "errors"
    ));
    out.push_str(&format!(
        "{:<28} {tps:>10.0} {:>9} {:>9} {:>13} {:>7}\n",
        "pgbench single-row insert", "-", "-", "100.0 %", 0
    ));
    out.push_str(&line("save, one instance", &one, tps));
    out.push('\n');
    out.push_str(&line("save, two instances", &two, tps));
    out.push('\n');
    let rate = |rs: &[ScenarioResult]| {
        rs.iter().map(|r| r.measured.ops).sum::<u64>() as f64 / rs.iter().map(|r| r.measured.seconds).fold(0.0, f64::max).max(1e-9)
    };
    out.push_str(&format!("two instances / one: {:.2}x\n", rate(&two) / rate(&one).max(1e-9)));
    print!("{out}");
    let failed: Vec<String> = one
        .iter()
        .chain(&two)
        .filter_map(|r| r.first_error.clone().map(|e| format!("{} errors, first: {e}", r.errors)))
        .collect();
    if !failed.is_empty() {
        bail!("saves failed: {}", failed.join("; "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced_and_the_settings_kept() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5432/postgres?pool_size=4", "b").unwrap(),
            "postgres://u:p@127.0.0.1:5432/b?pool_size=4"
        );
        assert_eq!(with_database("postgres://h", "b").unwrap(), "postgres://h/b");
        assert_eq!(libpq_url("postgres://h/x?pool_size=4"), "postgres://h/x");
    }
}
