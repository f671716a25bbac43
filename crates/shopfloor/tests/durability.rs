//! The `shopfloor` binary as a process: a save answered 200 survives SIGKILL, SIGTERM finishes
//! what is in flight and exits cleanly, and `migrate` creates the schema once.
//!
//! Each server listens on 127.0.0.1:0 and reports its address in its JSON log, so no port is
//! guessed. Only the processes started here are signalled. Timing decides only *when* the
//! server is stopped, never whether a test passes.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod support;

use support::{call, client, master_data, ok, Server};

const CLIENTS: usize = 8;

/// What one client had acknowledged, and the request it had in flight when the server went away.
#[derive(Debug, Default)]
struct ClientLog {
    /// id → (acknowledged version, quantity sent with it)
    acked: HashMap<String, (i64, f64)>,
    /// name of an order whose create was sent but not answered
    pending_create: Option<String>,
    /// (id, version it would produce, quantity) of an update sent but not answered
    pending_update: Option<(String, i64, f64)>,
    /// Every HTTP answer received that was not 200.
    refused: Vec<(StatusCode, Value)>,
}

/// Creates orders and updates each twice with `version`, until the server stops answering.
async fn save_loop(
    c: usize,
    http: reqwest::Client,
    base: String,
    unit: String,
    material: String,
    acks: Arc<AtomicUsize>,
    progress: Arc<tokio::sync::Notify>,
) -> ClientLog {
    let mut log = ClientLog::default();
    for i in 0.. {
        let name = format!("c{c}-{i}");
        let quantity = (c * 1_000_000 + i * 10) as f64;
        log.pending_create = Some(name.clone());
        let body = json!({"name": name, "productId": material, "unitOfMeasureId": unit, "quantity": quantity});
        let id = match call(&http, &base, "productionOrder", "saveProductionOrder", body).await {
            Ok((StatusCode::OK, saved)) => {
                assert_eq!(saved["version"], 1, "{saved}");
                let id = saved["id"].as_str().expect("id").to_string();
                log.acked.insert(id.clone(), (1, quantity));
                id
            }
            Ok(refused) => {
                log.refused.push(refused);
                return log;
            }
            Err(_) => return log,
        };
        log.pending_create = None;
        acks.fetch_add(1, Ordering::SeqCst);
        progress.notify_one();
        for version in 1..=2i64 {
            let quantity = quantity + version as f64;
            log.pending_update = Some((id.clone(), version + 1, quantity));
            let body = json!({"id": id, "version": version, "quantity": quantity});
            match call(&http, &base, "productionOrder", "saveProductionOrder", body).await {
                Ok((StatusCode::OK, saved)) => {
                    assert_eq!(saved["version"], version + 1, "{saved}");
                    log.acked.insert(id.clone(), (version + 1, quantity));
                }
                Ok(refused) => {
                    log.refused.push(refused);
                    return log;
                }
                Err(_) => return log,
            }
            log.pending_update = None;
            acks.fetch_add(1, Ordering::SeqCst);
            progress.notify_one();
        }
    }
    log
}

/// Starts the save loops, calls `stop` once `target` saves were acknowledged, and collects the logs.
async fn saves_until_stopped(
    http: &reqwest::Client,
    base: &str,
    unit: &str,
    material: &str,
    target: usize,
    stop: impl FnOnce(),
) -> Vec<ClientLog> {
    let acks = Arc::new(AtomicUsize::new(0));
    let progress = Arc::new(tokio::sync::Notify::new());
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            tokio::spawn(save_loop(
                c,
                http.clone(),
                base.to_string(),
                unit.to_string(),
                material.to_string(),
                acks.clone(),
                progress.clone(),
            ))
        })
        .collect();
    while acks.load(Ordering::SeqCst) < target {
        progress.notified().await;
    }
    stop();
    let mut logs = Vec::new();
    for t in tasks {
        logs.push(t.await.expect("client task"));
    }
    logs
}

/// Reads the stopped database directly: integrity, and (id, name, version, quantity) of every order.
fn inspect(db: &Path) -> HashMap<String, (String, i64, f64)> {
    let conn = rusqlite::Connection::open(db).expect("open the database");
    let check: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(check, vec!["ok".to_string()], "integrity_check");
    let fk: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 0, "foreign_key_check");
    // Every committed change of an order has its history event (same transaction).
    let mismatched: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM production_orders o WHERE o.version <> \
             (SELECT COUNT(*) FROM history_events e WHERE e.entity_id = o.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(mismatched, 0, "orders whose history does not match their version");
    let mut stmt = conn.prepare("SELECT id, name, version, quantity FROM production_orders").unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// Every acknowledged save is stored (or superseded by the one unanswered update of the same
/// client), and nothing is stored that no client sent.
fn assert_acknowledged_saves_survived(logs: &[ClientLog], stored: &HashMap<String, (String, i64, f64)>) {
    let mut acked_total = 0;
    for (c, log) in logs.iter().enumerate() {
        assert!(log.refused.is_empty(), "client {c} got answers other than 200: {:?}", log.refused);
        for (id, (version, quantity)) in &log.acked {
            acked_total += 1;
            let (_, stored_version, stored_quantity) = stored
                .get(id)
                .unwrap_or_else(|| panic!("acknowledged order {id} (version {version}) of client {c} is lost"));
            let in_flight = log.pending_update.as_ref().filter(|(p, _, _)| p == id);
            match in_flight {
                Some((_, v, q)) if stored_version == v => assert_eq!(stored_quantity, q, "order {id}"),
                _ => {
                    assert_eq!(stored_version, version, "order {id} of client {c}: acknowledged version");
                    assert_eq!(stored_quantity, quantity, "order {id} of client {c}: acknowledged quantity");
                }
            }
        }
    }
    for (id, (name, _, _)) in stored {
        let known = logs
            .iter()
            .any(|l| l.acked.contains_key(id) || l.pending_create.as_deref() == Some(name.as_str()));
        assert!(known, "stored order {name} ({id}) was never sent or acknowledged");
    }
    assert!(stored.len() >= acked_total);
}

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db");
    (dir, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn saves_answered_200_survive_sigkill() {
    let (_dir, db) = temp_db();
    let mut server = Server::start(&db, true);
    let http = client(server.token.as_deref());
    let base = server.base.clone();
    let (unit, material) = master_data(&http, &base).await;

    let child = &mut server.child;
    let logs = saves_until_stopped(&http, &base, &unit, &material, 600, || {
        // SIGKILL while the clients keep saving.
        child.kill().expect("SIGKILL");
    })
    .await;
    let (status, _) = server.wait();
    assert!(!status.success(), "killed, not exited: {status:?}");
    let acked: usize = logs.iter().map(|l| l.acked.len()).sum();
    assert!(acked >= 200, "{acked} orders acknowledged");
    let unanswered = logs
        .iter()
        .filter(|l| l.pending_create.is_some() || l.pending_update.is_some())
        .count();
    eprintln!("durability: {acked} orders acknowledged, {unanswered} saves in flight at SIGKILL");

    // Restart on the same file: every acknowledged order is there, with the acknowledged version.
    let server = Server::start(&db, false);
    for (c, log) in logs.iter().enumerate() {
        for (id, (version, _)) in &log.acked {
            let got = ok(&http, &server.base, "productionOrder", "getProductionOrder", json!([id])).await;
            let pending = log.pending_update.as_ref().filter(|(p, _, _)| p == id).map(|(_, v, _)| *v);
            assert!(
                got["version"] == json!(version) || pending.is_some_and(|v| got["version"] == json!(v)),
                "client {c}: order {id} acknowledged at version {version}, stored {got}"
            );
        }
    }
    // The restarted server keeps working on the recovered file.
    let after = ok(
        &http,
        &server.base,
        "productionOrder",
        "saveProductionOrder",
        json!({"name": "after-restart", "productId": material, "unitOfMeasureId": unit}),
    )
    .await;
    assert_eq!(after["version"], 1);
    server.terminate();
    let (status, log) = server.wait();
    assert!(status.success(), "graceful stop after restart: {status:?}\n{}", log.join("\n"));

    let mut stored = inspect(&db);
    assert!(stored.remove(after["id"].as_str().unwrap()).is_some());
    assert_acknowledged_saves_survived(&logs, &stored);
}

/// One order's life in the mixed load: create, start, report twice. Each acknowledged step is
/// the order's expected stored state (version, status, produced).
type Step = (i64, &'static str, f64);

/// Runs order lives until the server stops answering; returns, per order, the last
/// acknowledged step and the step in flight (sent, not answered) if any.
async fn mixed_loop(
    c: usize,
    http: reqwest::Client,
    base: String,
    ids: (String, String),
    acks: Arc<AtomicUsize>,
) -> Vec<(String, Step, Option<Step>)> {
    let mut orders = Vec::new();
    for i in 0.. {
        let name = format!("m{c}-{i}");
        let body = json!({"name": name, "productId": ids.1, "unitOfMeasureId": ids.0, "quantity": 100});
        let Ok((StatusCode::OK, saved)) = call(&http, &base, "productionOrder", "saveProductionOrder", body).await else {
            return orders;
        };
        let id = saved["id"].as_str().expect("id").to_string();
        let mut acked: Step = (1, "IDLE", 0.0);
        let steps: [(&str, Value, Step); 3] = [
            ("startProductionOrder", json!([id]), (2, "RUNNING", 0.0)),
            ("reportProduction", json!([id, 3]), (3, "RUNNING", 3.0)),
            ("reportProduction", json!([id, 4]), (4, "RUNNING", 7.0)),
        ];
        for (function, body, expected) in steps {
            match call(&http, &base, "productionOrder", function, body).await {
                Ok((StatusCode::OK, answer)) => {
                    assert_eq!(answer["version"], expected.0, "{function}: {answer}");
                    acked = expected;
                    acks.fetch_add(1, Ordering::SeqCst);
                }
                Ok((status, answer)) => panic!("client {c}: {function} answered {status}: {answer}"),
                Err(_) => {
                    orders.push((id, acked, Some(expected)));
                    return orders;
                }
            }
        }
        orders.push((id, acked, None));
    }
    orders
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lifecycle_and_reports_answered_200_survive_sigkill() {
    let (_dir, db) = temp_db();
    let mut server = Server::start(&db, true);
    let http = client(server.token.as_deref());
    let base = server.base.clone();
    let ids = master_data(&http, &base).await;
    let acks = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| tokio::spawn(mixed_loop(c, http.clone(), base.clone(), ids.clone(), acks.clone())))
        .collect();
    while acks.load(Ordering::SeqCst) < 600 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().expect("SIGKILL");
    let mut orders = Vec::new();
    for t in tasks {
        orders.extend(t.await.expect("client task"));
    }
    let _ = server.wait();

    let server = Server::start(&db, false);
    for (id, acked, in_flight) in &orders {
        let got = ok(&http, &server.base, "productionOrder", "getProductionOrder", json!([id])).await;
        let stored: Step = (
            got["version"].as_i64().unwrap(),
            match got["status"].as_str().unwrap() {
                "IDLE" => "IDLE",
                "RUNNING" => "RUNNING",
                other => panic!("order {id}: unexpected status {other}"),
            },
            got["quantityProduced"].as_f64().unwrap(),
        );
        assert!(
            stored == *acked || Some(stored) == *in_flight,
            "order {id}: acknowledged {acked:?} (in flight {in_flight:?}), stored {stored:?}"
        );
    }
    server.terminate();
    let (status, log) = server.wait();
    assert!(status.success(), "graceful stop after restart: {status:?}\n{}", log.join("\n"));
    inspect(&db);
    eprintln!(
        "durability: {} orders with {} acknowledged lifecycle steps and reports",
        orders.len(),
        acks.load(Ordering::SeqCst)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_finishes_requests_in_flight_and_exits_cleanly() {
    let (_dir, db) = temp_db();
    let server = Server::start(&db, true);
    let http = client(server.token.as_deref());
    let base = server.base.clone();
    let (unit, material) = master_data(&http, &base).await;

    // A change-feed long-poll that is surely inside the server when SIGTERM arrives: request ids
    // come from one counter, so a gap between two consecutive probes of ours (nothing else is
    // running yet) is the long-poll entering.
    let probe = |http: reqwest::Client, base: String| async move {
        let resp = http.get(format!("{base}/healthz")).send().await.expect("healthz");
        assert_eq!(resp.status(), StatusCode::OK);
        resp.headers()["x-request-id"].to_str().unwrap().parse::<u64>().unwrap()
    };
    let mut last = probe(http.clone(), base.clone()).await;
    let poll = {
        let (http, base) = (http.clone(), base.clone());
        tokio::spawn(async move {
            let resp = http
                .get(format!("{base}/api/v1/events?after=1000000000&timeout=30"))
                .send()
                .await
                .expect("the long-poll is answered");
            let status = resp.status();
            (status, resp.text().await.expect("long-poll body"))
        })
    };
    loop {
        let id = probe(http.clone(), base.clone()).await;
        if id > last + 1 {
            break;
        }
        last = id;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let logs = saves_until_stopped(&http, &base, &unit, &material, 300, || server.terminate()).await;
    let (status, log) = server.wait();
    assert!(status.success(), "SIGTERM ends with success: {status:?}\n{}", log.join("\n"));
    assert!(
        log.iter().any(|l| l.contains("stopped")),
        "the server logs its orderly stop:\n{}",
        log.join("\n")
    );
    let (poll_status, body) = poll.await.expect("long-poll task");
    assert_eq!(poll_status, StatusCode::OK, "{body}");
    assert_eq!(body.trim(), "", "no events after that sequence");

    // Nothing half-done: the stopped file is intact and holds every acknowledged save.
    let stored = inspect(&db);
    assert_acknowledged_saves_survived(&logs, &stored);
    // A graceful stop folds the WAL back into the database file.
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    assert!(std::fs::metadata(&wal).map(|m| m.len() == 0).unwrap_or(true), "WAL left behind");
}

fn migrate(db: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_shopfloor"))
        .arg("--database")
        .arg(db)
        .arg("migrate")
        .env("SHOPFLOOR_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("shopfloor migrate runs");
    assert!(
        out.status.success(),
        "migrate failed: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn migrate_creates_the_schema_once() {
    let (_dir, db) = temp_db();
    let first = migrate(&db);
    // "… (applied now: [1, 2, …])": every embedded migration, in order, starting at 1.
    let applied: Vec<i64> = first
        .split("applied now: [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("unexpected output: {first}"))
        .split(',')
        .map(|v| v.trim().parse().unwrap_or_else(|_| panic!("unexpected output: {first}")))
        .collect();
    assert_eq!(applied, (1..=applied.len() as i64).collect::<Vec<_>>(), "{first}");
    let read = |db: &Path| -> (Vec<(i64, i64)>, i64) {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn
            .prepare("SELECT version, applied_at FROM schema_migrations ORDER BY version")
            .unwrap();
        let versions = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN \
                 ('production_orders', 'materials', 'units_of_measure', 'locations', 'customers', 'history_events')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        (versions, tables)
    };
    let (versions, tables) = read(&db);
    assert_eq!(versions.iter().map(|v| v.0).collect::<Vec<_>>(), applied);
    assert_eq!(tables, 6);

    let second = migrate(&db);
    assert!(second.contains("applied now: []"), "{second}");
    assert_eq!(read(&db), (versions, tables), "a second run changes nothing");
}
