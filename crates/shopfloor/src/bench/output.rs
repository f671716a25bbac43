//! The table and the JSON document of a run.

use super::stats::{Measured, ScenarioResult};
use super::Results;
use serde_json::{json, Value};
use std::fmt::Write;

fn ratio(s: &ScenarioResult, naive: Option<&Measured>) -> Option<f64> {
    match naive {
        Some(n) if s.writes && n.throughput > 0.0 => Some(s.measured.throughput / n.throughput),
        _ => None,
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|v| format!("{v:.digits$}")).unwrap_or_else(|| "-".into())
}

/// The human-readable table.
pub fn table(r: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "shopfloor bench: {}", r.command);
    let _ = writeln!(
        out,
        "target: {}; {} clients; {} per scenario; {} orders in the database",
        r.target, r.clients, r.limit, r.orders
    );
    if let Some(l) = &r.load {
        let _ = writeln!(
            out,
            "load: {} orders in {:.1} s ({:.0} orders/s) by {}",
            l.orders,
            l.seconds,
            l.orders as f64 / l.seconds.max(1e-9),
            l.method
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<18} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>9} {:>9} {:>9} {:>7}",
        "scenario",
        "ops/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "RSS MiB",
        "x naive",
        "jobs/cmt",
        "srv cpu",
        "cli cpu",
        "ops",
        "errors"
    );
    let base_row = |out: &mut String, name: &str, m: &Measured, with_latency: bool| {
        let lat = |v: f64| if with_latency { format!("{:.2}", v / 1000.0) } else { "-".into() };
        let _ = writeln!(
            out,
            "{:<18} {:>10.0} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>9} {:>9} {:>9} {:>7}",
            name,
            m.throughput,
            lat(m.p50_us),
            lat(m.p95_us),
            lat(m.p99_us),
            lat(m.max_us),
            "-",
            "-",
            "-",
            "-",
            "-",
            m.ops,
            0
        );
    };
    if let Some(n) = &r.naive {
        base_row(&mut out, "sqlite naive", n, true);
    }
    if let Some(c) = &r.ceiling {
        base_row(&mut out, "sqlite ceiling", c, false);
    }
    for s in &r.scenarios {
        let m = &s.measured;
        let _ = writeln!(
            out,
            "{:<18} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9} {:>8} {:>10} {:>9} {:>9} {:>9} {:>7}",
            s.label(),
            m.throughput,
            m.p50_ms(),
            m.p95_ms(),
            m.p99_ms(),
            m.max_us / 1000.0,
            opt(s.peak_rss_kib.map(|k| k as f64 / 1024.0), 1),
            opt(ratio(s, r.naive.as_ref()), 2),
            opt(s.group_size(), 1),
            opt(s.cpu_ms_per_op(s.server_cpu), 3),
            opt(s.cpu_ms_per_op(s.client_cpu), 3),
            m.ops,
            s.errors
        );
    }
    if let (Some(n), Some(c)) = (&r.naive, &r.ceiling) {
        if n.throughput > 0.0 {
            let _ = writeln!(out, "\nceiling / naive: {:.1}x", c.throughput / n.throughput);
        }
    }
    if let Some(check) = &r.report_check {
        let _ = writeln!(
            out,
            "report totals: {} ({} acknowledged, {} counted; {})",
            if check.exact { "EXACT" } else { "WRONG" },
            check.acknowledged,
            check.counted,
            check.detail
        );
    }
    for s in r.scenarios.iter().filter(|s| s.errors > 0) {
        let _ = writeln!(out, "{}: first error: {}", s.label(), s.first_error.as_deref().unwrap_or("?"));
    }
    for v in &r.soak {
        let _ = writeln!(out, "soak: {}", v.summary());
    }
    for note in &r.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let _ = writeln!(
        out,
        "(x naive = scenario ops/s / naive rows/s, for write scenarios; jobs/cmt = write jobs per group commit, from /metrics; \
         RSS = server VmHWM during the scenario; srv/cli cpu = CPU ms per operation used by the server / by the bench clients)"
    );
    out
}

fn measured_json(m: &Measured, with_latency: bool) -> Value {
    let mut v = json!({"ops": m.ops, "seconds": m.seconds, "throughput": m.throughput});
    if with_latency {
        v["p50Ms"] = json!(m.p50_us / 1000.0);
        v["p95Ms"] = json!(m.p95_us / 1000.0);
        v["p99Ms"] = json!(m.p99_us / 1000.0);
        v["maxMs"] = json!(m.max_us / 1000.0);
    }
    v
}

/// The machine-readable document (`--json`).
pub fn to_json(r: &Results) -> Value {
    let scenarios: Vec<Value> = r
        .scenarios
        .iter()
        .map(|s| {
            let mut v = measured_json(&s.measured, true);
            v["name"] = json!(s.name);
            v["window"] = json!(s.window);
            v["endRssMiB"] = json!(s.end_rss_kib.map(|k| k as f64 / 1024.0));
            v["clients"] = json!(s.clients);
            v["errors"] = json!(s.errors);
            v["firstError"] = json!(s.first_error);
            v["peakRssMiB"] = json!(s.peak_rss_kib.map(|k| k as f64 / 1024.0));
            v["ratioToNaive"] = json!(ratio(s, r.naive.as_ref()));
            v["commits"] = json!(s.commits);
            v["writeJobs"] = json!(s.write_jobs);
            v["jobsPerCommit"] = json!(s.group_size());
            v["serverCpuMsPerOp"] = json!(s.cpu_ms_per_op(s.server_cpu));
            v["clientCpuMsPerOp"] = json!(s.cpu_ms_per_op(s.client_cpu));
            v
        })
        .collect();
    json!({
        "command": r.command,
        "target": r.target,
        "clients": r.clients,
        "limit": r.limit,
        "orders": r.orders,
        "load": r.load.as_ref().map(|l| json!({"method": l.method, "orders": l.orders, "seconds": l.seconds,
            "ordersPerSecond": l.orders as f64 / l.seconds.max(1e-9)})),
        "baselines": {
            "naive": r.naive.as_ref().map(|m| measured_json(m, true)),
            "ceiling": r.ceiling.as_ref().map(|m| measured_json(m, false)),
        },
        "scenarios": scenarios,
        "reportCheck": r.report_check.as_ref().map(|c| json!({"exact": c.exact, "orders": c.orders,
            "acknowledged": c.acknowledged, "counted": c.counted, "detail": c.detail})),
        "soak": r.soak.iter().map(|v| json!({"scenario": v.scenario, "windows": v.windows,
            "rssStartMiB": v.rss_start_kib.map(|k| k as f64 / 1024.0), "rssEndMiB": v.rss_end_kib.map(|k| k as f64 / 1024.0),
            "memoryFlat": v.memory_flat(), "p50Drift": v.p50_drift, "p99Drift": v.p99_drift, "serverCpuDrift": v.cpu_drift,
            "latencySteady": v.latency_steady()})).collect::<Vec<_>>(),
        "notes": r.notes,
    })
}
