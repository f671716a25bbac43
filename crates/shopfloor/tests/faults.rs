//! Disk faults under a running server, on a real filesystem of the test's own: a small ext4
//! image on a loop device. A full disk: writes answer 503, nothing half-written, and service
//! (and `/readyz`) comes back by itself once space is freed. A filesystem that turns
//! read-only (the kernel's answer to an I/O error, `errors=remount-ro`): writes answer 503,
//! reads go on, the server does not crash, and what was acknowledged before is intact.
//!
//! Mounting needs root. Without it these tests say so and pass, unless
//! `SHOPFLOOR_REQUIRE_FAULT_TESTS=1` (the README test command sets it) makes that a failure.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

use support::{answered as call, client, master_data, Server};

/// An ext4 filesystem in a file, mounted on a loop device; unmounted on drop.
struct LoopFs {
    _dir: tempfile::TempDir,
    mount: PathBuf,
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} cannot run: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl LoopFs {
    /// `None` (with a note) when this process may not mount and the tests are not required.
    fn new(megabytes: u64) -> Option<LoopFs> {
        let uid = run("id", &["-u"]);
        if uid != "0" {
            assert!(
                std::env::var("SHOPFLOOR_REQUIRE_FAULT_TESTS").as_deref() != Ok("1"),
                "disk-fault tests need root (loop mounts); SHOPFLOOR_REQUIRE_FAULT_TESTS=1 requires them"
            );
            eprintln!("SKIPPED: disk-fault tests need root to mount a loop filesystem");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let image = dir.path().join("disk.img");
        let mount = dir.path().join("mnt");
        std::fs::create_dir(&mount).unwrap();
        std::fs::File::create(&image)
            .and_then(|f| f.set_len(megabytes * 1024 * 1024))
            .expect("image file");
        run("mkfs.ext4", &["-q", "-m", "0", image.to_str().unwrap()]);
        run(
            "mount",
            &["-o", "loop,errors=remount-ro", image.to_str().unwrap(), mount.to_str().unwrap()],
        );
        Some(LoopFs { _dir: dir, mount })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.mount.join(name)
    }

    /// Writes a filler file until the filesystem is full.
    fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.path("filler")).unwrap();
        let block = vec![0xA5u8; 64 * 1024];
        loop {
            if f.write_all(&block).and_then(|_| f.sync_all()).is_err() {
                break;
            }
        }
        // Fill the last partial blocks too.
        while f.write_all(&block[..512]).and_then(|_| f.sync_all()).is_ok() {}
    }

    fn free(&self) {
        std::fs::remove_file(self.path("filler")).expect("remove the filler");
        run("sync", &[]);
    }

    /// Makes ext4 report an error, which with `errors=remount-ro` turns the filesystem
    /// read-only at once, under the open files.
    fn fail(&self) {
        let source = run("findmnt", &["-no", "SOURCE", self.mount.to_str().unwrap()]);
        let device = Path::new(&source).file_name().unwrap().to_string_lossy().to_string();
        std::fs::write(format!("/sys/fs/ext4/{device}/trigger_fs_error"), "shopfloor fault test").expect("trigger an ext4 error");
        let options = run("findmnt", &["-no", "OPTIONS", self.mount.to_str().unwrap()]);
        assert!(options.starts_with("ro") || options.contains("emergency_ro"), "{options}");
    }
}

impl Drop for LoopFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
    }
}

async fn readyz(http: &reqwest::Client, base: &str) -> (StatusCode, Value) {
    let resp = http.get(format!("{base}/readyz")).send().await.expect("readyz answers");
    let status = resp.status();
    (status, resp.json().await.expect("JSON"))
}

fn order(name: &str, unit: &str, material: &str) -> Value {
    // A long description makes each save write several pages.
    json!({"name": name, "productId": material, "unitOfMeasureId": unit, "quantity": 10, "notes": "x".repeat(8000), "spare1": "y".repeat(8000)})
}

/// Saves orders named `prefix-0…` until one is refused or `limit` were tried; returns the
/// names acknowledged and the refusals (status, answer).
async fn save_until_refused(
    http: &reqwest::Client,
    base: &str,
    ids: (&str, &str),
    prefix: &str,
    limit: usize,
) -> (Vec<String>, Vec<(StatusCode, Value)>) {
    let mut acked = Vec::new();
    let mut refused = Vec::new();
    for i in 0..limit {
        let name = format!("{prefix}-{i}");
        let (status, answer) = call(http, base, "productionOrder", "saveProductionOrder", order(&name, ids.0, ids.1)).await;
        if status == StatusCode::OK {
            acked.push(name);
        } else {
            refused.push((status, answer));
            if refused.len() >= 3 {
                break;
            }
        }
    }
    (acked, refused)
}

async fn stored_names(http: &reqwest::Client, base: &str) -> HashSet<String> {
    let (status, all) = call(http, base, "productionOrder", "getAllProductionOrders", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    all.as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect()
}

fn assert_refusals_are_503(refused: &[(StatusCode, Value)]) {
    assert!(!refused.is_empty(), "the fault never refused a write");
    for (status, answer) in refused {
        assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
        assert_eq!(answer["error"]["code"], "unavailable", "{answer}");
    }
}

fn integrity(db: &Path) {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open the database");
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_with_503_and_service_resumes_when_space_is_back() {
    let Some(fs) = LoopFs::new(48) else { return };
    let db = fs.path("shopfloor.db");
    let server = Server::start(&db, true);
    let http = client(server.token.as_deref());
    let base = server.base.clone();
    let ids = master_data(&http, &base).await;
    let (mut acked, refused) = save_until_refused(&http, &base, (&ids.0, &ids.1), "before", 20).await;
    assert!(refused.is_empty(), "{refused:?}");

    fs.fill();
    let (during, refused) = save_until_refused(&http, &base, (&ids.0, &ids.1), "full", 5000).await;
    assert_refusals_are_503(&refused);
    acked.extend(during);
    let (status, ready) = readyz(&http, &base).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    assert!(ready["database"].as_str().unwrap().contains("full"), "{ready}");
    // Reads go on, and show exactly the acknowledged orders: nothing half-written.
    let stored = stored_names(&http, &base).await;
    assert_eq!(stored, acked.iter().cloned().collect::<HashSet<_>>());

    fs.free();
    let (status, ready) = readyz(&http, &base).await;
    assert_eq!(status, StatusCode::OK, "readiness recovers by itself: {ready}");
    let (after, refused) = save_until_refused(&http, &base, (&ids.0, &ids.1), "after", 20).await;
    assert!(refused.is_empty(), "{refused:?}");
    acked.extend(after);
    assert_eq!(stored_names(&http, &base).await, acked.iter().cloned().collect::<HashSet<_>>());

    server.terminate();
    let (status, log) = server.wait();
    assert!(status.success(), "{status:?}\n{}", log.join("\n"));
    integrity(&db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filesystem_turned_read_only_refuses_writes_with_503_and_keeps_serving_reads() {
    let Some(fs) = LoopFs::new(32) else { return };
    let db = fs.path("shopfloor.db");
    let server = Server::start(&db, true);
    let http = client(server.token.as_deref());
    let base = server.base.clone();
    let ids = master_data(&http, &base).await;
    let (acked, refused) = save_until_refused(&http, &base, (&ids.0, &ids.1), "before", 20).await;
    assert!(refused.is_empty(), "{refused:?}");

    fs.fail();
    let (during, refused) = save_until_refused(&http, &base, (&ids.0, &ids.1), "ro", 20).await;
    assert!(during.is_empty(), "a write was acknowledged on a read-only filesystem: {during:?}");
    assert_refusals_are_503(&refused);
    let (status, ready) = readyz(&http, &base).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    assert_eq!(stored_names(&http, &base).await, acked.iter().cloned().collect::<HashSet<_>>());

    server.terminate();
    let (status, log) = server.wait();
    assert!(
        status.code().is_some(),
        "the server ended by a signal: {status:?}\n{}",
        log.join("\n")
    );
    integrity(&db);
}
