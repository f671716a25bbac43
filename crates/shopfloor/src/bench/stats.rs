//! Throughput and latency percentiles (exact: every latency is kept and sorted).

use std::time::Duration;

/// Operations done in a wall-clock time, and their latency percentiles.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    pub ops: u64,
    pub seconds: f64,
    /// Operations (or rows) per second.
    pub throughput: f64,
    /// Latency percentiles in microseconds: p50, p95, p99, max.
    pub p50_us: f64,
    pub p95_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

impl Measured {
    /// From every operation's latency (microseconds) and the elapsed wall-clock time.
    pub fn from_latencies(mut latencies_us: Vec<u32>, elapsed: Duration) -> Measured {
        latencies_us.sort_unstable();
        let seconds = elapsed.as_secs_f64();
        let ops = latencies_us.len() as u64;
        Measured {
            ops,
            seconds,
            throughput: if seconds > 0.0 { ops as f64 / seconds } else { 0.0 },
            p50_us: percentile(&latencies_us, 50.0),
            p95_us: percentile(&latencies_us, 95.0),
            p99_us: percentile(&latencies_us, 99.0),
            max_us: latencies_us.last().copied().unwrap_or(0) as f64,
        }
    }

    /// Rows inserted in batches, where a per-operation latency means little.
    pub fn rows(rows: u64, elapsed: Duration) -> Measured {
        let seconds = elapsed.as_secs_f64();
        Measured {
            ops: rows,
            seconds,
            throughput: if seconds > 0.0 { rows as f64 / seconds } else { 0.0 },
            ..Measured::default()
        }
    }

    pub fn p50_ms(&self) -> f64 {
        self.p50_us / 1000.0
    }
    pub fn p95_ms(&self) -> f64 {
        self.p95_us / 1000.0
    }
    pub fn p99_ms(&self) -> f64 {
        self.p99_us / 1000.0
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64
}

/// One scenario's outcome.
#[derive(Debug, Clone, Default)]
pub struct ScenarioResult {
    pub name: &'static str,
    pub writes: bool,
    pub clients: usize,
    pub measured: Measured,
    /// Requests answered with something other than success (or not answered at all).
    pub errors: u64,
    pub first_error: Option<String>,
    /// Server peak resident set during the scenario (VmHWM, reset before it), in KiB.
    pub peak_rss_kib: Option<u64>,
    /// Group commits and write jobs during the scenario, from /metrics.
    pub commits: Option<u64>,
    pub write_jobs: Option<u64>,
    /// CPU seconds used during the scenario by the server and by this process (the clients).
    pub server_cpu: Option<f64>,
    pub client_cpu: Option<f64>,
    /// With `--windows`: which window of the scenario this is (1-based), and the server's
    /// resident set (VmRSS) at its end, in KiB.
    pub window: Option<usize>,
    pub end_rss_kib: Option<u64>,
}

impl ScenarioResult {
    /// The scenario's name, with the window when there are several.
    pub fn label(&self) -> String {
        match self.window {
            Some(w) => format!("{} #{w}", self.name),
            None => self.name.to_string(),
        }
    }

    /// CPU milliseconds per operation.
    pub fn cpu_ms_per_op(&self, cpu: Option<f64>) -> Option<f64> {
        cpu.filter(|_| self.measured.ops > 0).map(|c| c * 1000.0 / self.measured.ops as f64)
    }

    /// Average write jobs per group commit.
    pub fn group_size(&self) -> Option<f64> {
        match (self.commits, self.write_jobs) {
            (Some(c), Some(j)) if c > 0 => Some(j as f64 / c as f64),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 95.0), 95.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&[7], 99.0), 7.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn throughput_is_ops_over_seconds() {
        let m = Measured::from_latencies(vec![10, 20, 30, 40], Duration::from_secs(2));
        assert_eq!(m.ops, 4);
        assert_eq!(m.throughput, 2.0);
        assert_eq!(m.max_us, 40.0);
    }
}
