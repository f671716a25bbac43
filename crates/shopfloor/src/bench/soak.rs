//! Soak verdict over the windows of one scenario: does the server's memory stay flat, does
//! latency drift? Window 1 warms caches and pools, so the comparison starts at window 2.
//!
//! Memory is the check that matters (a leak grows the resident set whatever the machine's
//! load); latency on a shared 2-core machine moves by tens of percent between windows, so only
//! a gross drift counts (a cost that grows with the requests served, not noise).

use super::stats::ScenarioResult;

/// The resident set may grow this much past window 1's end (KiB) …
const RSS_SLACK_KIB: u64 = 16 * 1024;
/// … or this fraction of it, whichever is larger.
const RSS_SLACK_FRACTION: f64 = 0.2;
/// Later windows' median p50 over earlier windows' that counts as drift.
const DRIFT_LIMIT: f64 = 3.0;

#[derive(Debug, Clone)]
pub struct Verdict {
    pub scenario: &'static str,
    pub windows: usize,
    /// Resident set (KiB) at the end of window 1 and of the last window.
    pub rss_start_kib: Option<u64>,
    pub rss_end_kib: Option<u64>,
    /// Median p50 of the later half of the windows over that of the earlier half (from
    /// window 2); the same for p99.
    pub p50_drift: f64,
    pub p99_drift: f64,
    /// The same for the server's CPU time per operation: on a shared machine the steadier
    /// sign of a cost that grows with the requests served.
    pub cpu_drift: Option<f64>,
}

impl Verdict {
    pub fn of(windows: &[ScenarioResult]) -> Verdict {
        let compared = if windows.len() > 2 { &windows[1..] } else { windows };
        let half = compared.len() / 2;
        let (early, late) = compared.split_at(half.max(1).min(compared.len()));
        let drift = |f: &dyn Fn(&ScenarioResult) -> f64| {
            let e = median(early.iter().map(f).collect());
            let l = median(late.iter().map(f).collect());
            if e > 0.0 && !late.is_empty() {
                l / e
            } else {
                1.0
            }
        };
        Verdict {
            scenario: windows.first().map(|w| w.name).unwrap_or("?"),
            windows: windows.len(),
            rss_start_kib: windows.first().and_then(|w| w.end_rss_kib),
            rss_end_kib: windows.last().and_then(|w| w.end_rss_kib),
            p50_drift: drift(&|w| w.measured.p50_ms()),
            p99_drift: drift(&|w| w.measured.p99_ms()),
            cpu_drift: windows
                .iter()
                .all(|w| w.server_cpu.is_some())
                .then(|| drift(&|w| w.cpu_ms_per_op(w.server_cpu).unwrap_or(0.0))),
        }
    }

    /// Growth of the resident set after window 1, in KiB (negative: it shrank).
    pub fn rss_growth_kib(&self) -> Option<i64> {
        Some(self.rss_end_kib? as i64 - self.rss_start_kib? as i64)
    }

    pub fn memory_flat(&self) -> bool {
        match (self.rss_start_kib, self.rss_growth_kib()) {
            (Some(start), Some(growth)) => growth <= (RSS_SLACK_KIB as f64).max(start as f64 * RSS_SLACK_FRACTION) as i64,
            _ => true,
        }
    }

    pub fn latency_steady(&self) -> bool {
        self.p50_drift <= DRIFT_LIMIT
    }

    pub fn steady(&self) -> bool {
        self.memory_flat() && self.latency_steady()
    }

    pub fn summary(&self) -> String {
        let mib = |k: Option<u64>| k.map(|k| format!("{:.1} MiB", k as f64 / 1024.0)).unwrap_or_else(|| "?".into());
        format!(
            "{} over {} windows: RSS {} after window 1 -> {} at the end ({}), p50 x{:.2}, p99 x{:.2}, server CPU/op x{} later vs earlier windows ({})",
            self.scenario,
            self.windows,
            mib(self.rss_start_kib),
            mib(self.rss_end_kib),
            if self.memory_flat() { "flat" } else { "GROWING" },
            self.p50_drift,
            self.p99_drift,
            self.cpu_drift.map(|d| format!("{d:.2}")).unwrap_or_else(|| "?".into()),
            if self.latency_steady() { "steady" } else { "DRIFTING" },
        )
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::stats::Measured;
    use std::time::Duration;

    fn window(p50_us: u32, rss_kib: u64) -> ScenarioResult {
        ScenarioResult {
            name: "mixed",
            measured: Measured::from_latencies(vec![p50_us; 10], Duration::from_secs(1)),
            end_rss_kib: Some(rss_kib),
            ..ScenarioResult::default()
        }
    }

    #[test]
    fn flat_memory_and_noise_are_steady() {
        let w = [
            window(900, 60_000),
            window(1000, 64_000),
            window(1300, 65_000),
            window(1100, 64_500),
        ];
        let v = Verdict::of(&w);
        assert!(v.steady(), "{}", v.summary());
        assert_eq!(v.rss_growth_kib(), Some(4_500));
    }

    #[test]
    fn growing_memory_is_caught() {
        let w = [
            window(1000, 60_000),
            window(1000, 70_000),
            window(1000, 80_000),
            window(1000, 90_000),
        ];
        let v = Verdict::of(&w);
        assert!(!v.memory_flat(), "{}", v.summary());
    }

    #[test]
    fn gross_latency_drift_is_caught() {
        let w = [
            window(1000, 60_000),
            window(1000, 60_000),
            window(2000, 60_000),
            window(5000, 60_000),
            window(9000, 60_000),
        ];
        let v = Verdict::of(&w);
        assert!(!v.latency_steady(), "{}", v.summary());
    }
}
