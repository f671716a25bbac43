//! The server under test as a child process of the benchmark: the same executable with `serve`,
//! on a free loopback port. It is stopped (SIGTERM, then SIGKILL) by its own pid when the
//! benchmark ends, also when it fails (`Drop`).

use anyhow::{bail, Context};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Child {
    process: Option<std::process::Child>,
    pub url: String,
    log: std::path::PathBuf,
}

impl Child {
    /// Starts `<this exe> serve --database <db> --listen 127.0.0.1:<free port>`; its log goes to `<dir>/server.log`,
    /// its standard output to `<dir>/server.out`.
    pub fn start(db: &str, dir: &Path) -> anyhow::Result<Child> {
        Child::start_with(db, dir, &[])
    }

    /// Like [`Child::start`], with more `serve` flags.
    pub fn start_with(db: &str, dir: &Path, serve_flags: &[String]) -> anyhow::Result<Child> {
        let exe = std::env::current_exe().context("finding the shopfloor executable")?;
        Child::start_exe(&exe, db, dir, serve_flags)
    }

    /// Like [`Child::start_with`], running `exe` (another build) as the server.
    pub fn start_exe(exe: &Path, db: &str, dir: &Path, serve_flags: &[String]) -> anyhow::Result<Child> {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free loopback port")?;
            probe.local_addr()?.port()
        };
        let listen = format!("127.0.0.1:{port}");
        let log = dir.join("server.log");
        let log_file = std::fs::File::create(&log).context("creating the server log")?;
        let out_file = std::fs::File::create(dir.join("server.out")).context("creating the server output file")?;
        let process = Command::new(exe)
            .args(["--database", db, "serve", "--listen", &listen])
            .args(serve_flags)
            .stdin(Stdio::null())
            .stdout(out_file)
            .stderr(log_file)
            .spawn()
            .with_context(|| format!("starting {} serve", exe.display()))?;
        Ok(Child {
            process: Some(process),
            url: format!("http://{listen}"),
            log,
        })
    }

    pub fn pid(&self) -> u32 {
        self.process.as_ref().map(|p| p.id()).unwrap_or(0)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(10)..].join("\n")
    }

    /// Waits until `/readyz` answers 200, or fails when the child exits or the time runs out.
    pub async fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
        let started = Instant::now();
        loop {
            if let Some(p) = self.process.as_mut() {
                if let Some(status) = p.try_wait()? {
                    bail!("the server exited during startup ({status}):\n{}", self.log_tail());
                }
            }
            if let Ok(r) = http.get(format!("{}/readyz", self.url)).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            if started.elapsed() > timeout {
                bail!("the server did not become ready within {timeout:?}:\n{}", self.log_tail());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `<exe> token create admin --database <db>`: the token is the only thing it prints.
    pub fn create_token(&self, db: &str) -> anyhow::Result<String> {
        let exe = std::env::current_exe()?;
        let out = Command::new(exe)
            .args(["token", "create", "admin", "--database", db])
            .stdin(Stdio::null())
            .output()
            .context("running `shopfloor token create admin`")?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            bail!("{}: {}", out.status, err.lines().next().unwrap_or("").trim());
        }
        let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if token.is_empty() || token.contains(char::is_whitespace) {
            bail!("unexpected output {token:?}");
        }
        Ok(token)
    }

    /// Resets the peak resident set (VmHWM) so the next reading covers what follows only.
    pub fn reset_peak_rss(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5");
    }

    /// Peak resident set in KiB (VmHWM), when /proc tells.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        self.status_kib("VmHWM:")
    }

    /// Resident set now in KiB (VmRSS), when /proc tells.
    pub fn rss_kib(&self) -> Option<u64> {
        self.status_kib("VmRSS:")
    }

    fn status_kib(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// CPU time (user + system) the server has used so far.
    pub fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds(&format!("/proc/{}/stat", self.pid()))
    }

    /// SIGTERM (graceful shutdown), then SIGKILL after 10 s; waits for the process.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(mut p) = self.process.take() else { return };
        if let Ok(Some(_)) = p.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &p.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = p.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = p.kill();
        let _ = p.wait();
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// User + system CPU seconds of a process, from its `/proc/<pid>/stat` (fields 14 and 15, in
/// clock ticks of 1/100 s, the value on Linux).
pub fn cpu_seconds(stat_path: &str) -> Option<f64> {
    let text = std::fs::read_to_string(stat_path).ok()?;
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
