//! Shopfloor on PostgreSQL as processes: two `shopfloor serve` on one database with 8 clients
//! each stay correct (exact `reportProduction` sums, one winner per contested version, no
//! duplicate names, one change feed, each queued import row applied once), and a server whose
//! PostgreSQL stops answers 503, says why on `/readyz`, and serves again by itself once the
//! database is back.
//!
//! Writers of both instances run at once; the change feed stays gap-free because readers see
//! events only up to the feed horizon (`shopfloor_store/src/postgres/feed.rs`). A third test
//! holds a history event in flight in a session of its own and checks that a later committed
//! one stays hidden until it ends — and, with the horizon switched off by the test switch
//! `unsafe_feed_without_horizon`, that the same check sees the gap.
//!
//! The first and third tests need `TEST_DATABASE_URL`; the second a cluster of its own to stop, started
//! from `SHOPFLOOR_TEST_PG_BIN` (as `SHOPFLOOR_TEST_PG_USER` when running as root) —
//! `scripts/with-postgres` provides all three. Without them the tests say so and pass.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

use support::{answered as call, client, ok, Database, Server};

const CLIENTS_PER_INSTANCE: usize = 8;

/// Runs `per_client(instance_base, client_index)` on 8 clients against each instance at once.
async fn on_both<F, Fut, T>(bases: &[String; 2], token: &str, per_client: F) -> Vec<T>
where
    F: Fn(reqwest::Client, String, usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2 * CLIENTS_PER_INSTANCE));
    let mut tasks = Vec::new();
    for c in 0..2 * CLIENTS_PER_INSTANCE {
        let fut = per_client(client(Some(token)), bases[c % 2].clone(), c);
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            fut.await
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("client task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_stay_correct_under_concurrent_clients() {
    let Some(server) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("two instances: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    let db = Database::create(&server, "instances");
    let a = Server::start(&db.url, true);
    let token = a.token.clone().expect("the first start prints the admin token");
    let b = Server::start(&db.url, false);
    let bases = [a.base.clone(), b.base.clone()];
    let http = client(Some(&token));

    // Master data through one instance is visible through the other at once (no cache).
    let unit = ok(
        &http,
        &bases[0],
        "unitOfMeasure",
        "saveUnitOfMeasure",
        json!({"name": "Each", "symbol": "ea"}),
    )
    .await;
    let class = ok(&http, &bases[1], "material", "saveMaterialClass", json!({"name": "FG"})).await;
    let material = ok(
        &http,
        &bases[0],
        "material",
        "saveMaterial",
        json!({"name": "Widget", "materialClassId": class["id"], "unitOfMeasureId": unit["id"]}),
    )
    .await;
    let order = ok(
        &http,
        &bases[1],
        "productionOrder",
        "saveProductionOrder",
        json!({"name": "Busy", "productId": material["id"], "unitOfMeasureId": unit["id"], "status": "RUNNING", "quantity": 1000}),
    )
    .await;
    let id = order["id"].as_str().unwrap().to_string();
    let feed_start = ok(&http, &bases[0], "productionOrder", "getProductionOrderHistory", json!([id])).await[0]["sequence"]
        .as_i64()
        .expect("CREATE event");

    // 1. reportProduction: 16 clients x 10 reports, half through each instance.
    const REPORTS: usize = 10;
    let id2 = id.clone();
    on_both(&bases, &token, move |http, base, c| {
        let id = id2.clone();
        async move {
            for i in 0..REPORTS {
                let body = if (c + i) % 2 == 0 {
                    json!([id, 1])
                } else {
                    json!({"productionOrderIdOrName": "busy", "quantity": 1, "reason": format!("client {c}")})
                };
                let (status, answer) = call(&http, &base, "productionOrder", "reportProduction", body).await;
                assert_eq!(status, StatusCode::OK, "client {c} report {i}: {answer}");
            }
        }
    })
    .await;
    let total = 2 * CLIENTS_PER_INSTANCE * REPORTS;
    for base in &bases {
        let stored = ok(&http, base, "productionOrder", "getProductionOrder", json!([id])).await;
        assert_eq!(stored["quantityProduced"], json!(total as f64), "{stored}");
        assert_eq!(stored["version"], json!(1 + total), "{stored}");
    }
    let history = ok(&http, &bases[1], "productionOrder", "getProductionOrderHistory", json!([id])).await;
    let reports: Vec<&Value> = history.as_array().unwrap().iter().filter(|e| e["action"] == "REPORT").collect();
    assert_eq!(reports.len(), total);
    let sequences: Vec<i64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert!(
        sequences.windows(2).all(|w| w[0] < w[1]),
        "history sequences increase: {sequences:?}"
    );
    for (n, e) in reports.iter().enumerate() {
        // Each report moved the count by one from where the previous one left it.
        assert_eq!(e["changes"]["quantityProduced"], json!([n as f64, n as f64 + 1.0]), "{e}");
    }

    // 2. Saves carrying the same version: exactly one wins per round, the rest conflict.
    for round in 0..5i64 {
        let version = 1 + total as i64 + round;
        let id2 = id.clone();
        let answers = on_both(&bases, &token, move |http, base, c| {
            let body = json!({"id": id2, "version": version, "notes": format!("round {round} client {c}")});
            async move { call(&http, &base, "productionOrder", "saveProductionOrder", body).await }
        })
        .await;
        let winners = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
        assert_eq!(winners, 1, "round {round}: {answers:?}");
        for (status, answer) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
            assert_eq!(*status, StatusCode::CONFLICT, "round {round}: {answer}");
            assert_eq!(answer["error"]["current"]["version"], json!(version + 1), "{answer}");
        }
    }

    // 3. The same new name (in varying letter case) from 16 clients: exactly one is created.
    for round in 0..5 {
        let answers = on_both(&bases, &token, move |http, base, c| {
            let name = if c % 2 == 0 {
                format!("Line {round}")
            } else {
                format!("LINE {round}")
            };
            async move {
                call(
                    &http,
                    &base,
                    "unitOfMeasure",
                    "saveUnitOfMeasure",
                    json!({"name": name, "symbol": "x"}),
                )
                .await
            }
        })
        .await;
        let created = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
        assert_eq!(created, 1, "round {round}: {answers:?}");
        for (status, answer) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
            assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
            assert!(answer["error"]["fields"]["name"][0].is_string(), "{answer}");
        }
    }
    let units = ok(&http, &bases[0], "unitOfMeasure", "getAllUnitsOfMeasure", json!(null)).await;
    let names: Vec<String> = units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_lowercase())
        .collect();
    let distinct: BTreeSet<&String> = names.iter().collect();
    assert_eq!(names.len(), distinct.len(), "no duplicate names: {names:?}");
    assert_eq!(names.len(), 6);

    // 4. One change feed: both instances list the same events, gap-free in commit order.
    let mut feeds = Vec::new();
    for base in &bases {
        let text = http
            .get(format!("{base}/api/v1/events?after={}&timeout=0", feed_start - 1))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let seqs: Vec<i64> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["sequence"].as_i64().unwrap())
            .collect();
        feeds.push(seqs);
    }
    assert_eq!(feeds[0], feeds[1]);
    assert!(feeds[0].len() > total, "{}", feeds[0].len());

    // 5. A long-poll waiting on one instance wakes for a write made through the other.
    let latest = *feeds[0].last().unwrap();
    let waiter = {
        let http = http.clone();
        let base = bases[1].clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let text = http
                .get(format!("{base}/api/v1/events?after={latest}&timeout=20"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            (started.elapsed(), text)
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    ok(&http, &bases[0], "productionOrder", "reportProduction", json!([id, 1])).await;
    let (waited, text) = waiter.await.unwrap();
    assert!(
        text.contains("\"REPORT\""),
        "the waiter on the other instance got the event: {text}"
    );
    assert!(waited < Duration::from_secs(15), "woken by the commit, not the timeout: {waited:?}");

    // 6. Followers of the feed on both instances, reading "after the last one I saw" while 16
    //    clients create orders (different rows) at once, miss no event: sequences are handed
    //    out in commit order.
    let start = feed_after(&http, &bases[0], 0).await.last().copied().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let followers: Vec<_> = bases
        .iter()
        .map(|base| {
            let (http, base, stop) = (http.clone(), base.clone(), stop.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut cursor = start;
                loop {
                    let stopping = stop.load(Ordering::SeqCst);
                    let got = feed_after(&http, &base, cursor).await;
                    if got.is_empty() && stopping {
                        return seen;
                    }
                    if let Some(last) = got.last() {
                        cursor = *last;
                    }
                    seen.extend(got);
                }
            })
        })
        .collect();
    let (unit_id, material_id) = (unit["id"].clone(), material["id"].clone());
    on_both(&bases, &token, move |http, base, c| {
        let (unit_id, material_id) = (unit_id.clone(), material_id.clone());
        async move {
            for i in 0..10 {
                let body = json!({"name": format!("Feed {c}-{i}"), "productId": material_id, "unitOfMeasureId": unit_id});
                let (status, answer) = call(&http, &base, "productionOrder", "saveProductionOrder", body).await;
                assert_eq!(status, StatusCode::OK, "{answer}");
            }
        }
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    let all = feed_after(&http, &bases[0], start).await;
    assert_eq!(all.len(), 2 * CLIENTS_PER_INSTANCE * 10, "one CREATE per order");
    for follower in followers {
        assert_eq!(follower.await.unwrap(), all, "a follower saw every event, in order");
    }

    // 7. A queued import, with the import runners of both instances at work on one queue:
    //    every row is applied exactly once (a row run twice would end `unchanged`).
    const IMPORTED: usize = 200;
    let before = *all.last().unwrap();
    let rows: Vec<Value> = (0..IMPORTED)
        .map(|i| json!({"name": format!("Import {i:04}"), "productPath": "FG/Widget", "unitOfMeasureName": "Each", "quantity": i}))
        .collect();
    let job = ok(
        &http,
        &bases[0],
        "productionOrder",
        "importProductionOrders",
        json!({"data": rows, "format": "json"}),
    )
    .await;
    let job_id = job.as_str().expect("the bare job id").to_string();
    let mut done = Value::Null;
    for _ in 0..1200 {
        done = ok(&http, &bases[1], "productionOrder", "getImportJob", json!([job_id])).await;
        if done["status"] == "DONE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(done["status"], "DONE", "{done}");
    assert_eq!(done["created"], json!(IMPORTED), "{done}");
    assert_eq!((done["unchanged"].as_u64(), done["errors"].as_u64()), (Some(0), Some(0)), "{done}");
    let imported = feed_after(&http, &bases[1], before).await;
    assert_eq!(imported.len(), IMPORTED, "one CREATE event per imported order");
    drop((a, b));
}

/// The feed lock of the PostgreSQL backend, held shared by every write transaction.
const FEED_LOCK: i64 = 0x7368_6f70_666c_6f72;

/// Appends one history event in a session of its own, as a writer of another instance would.
fn insert_event(tx: &mut postgres::Transaction<'_>, label: &str) -> i64 {
    tx.query_one(
        "INSERT INTO history_events (at, user_name, entity, entity_id, order_id, action, changes) VALUES (0, $1, 'UnitOfMeasure', '01J00000000000000000000000', NULL, 'CREATE', '{}') RETURNING sequence",
        &[&label],
    )
    .expect("an event")
    .get(0)
}

/// With a writer in flight holding sequence N (a session of this test, holding the feed lock
/// shared as every writer does) and sequence N+1 committed by another, what a feed reader of
/// the server gets after N-1: while N is in flight, then once it committed.
async fn feed_around_an_event_in_flight(url: &str) -> (Vec<i64>, Vec<i64>, i64) {
    let server = Server::start(format!("{url}&feed_poll_ms=50"), true);
    let token = server.token.clone().expect("the first start prints the admin token");
    let http = client(Some(&token));
    let (in_flight, is_in_flight) = std::sync::mpsc::channel::<i64>();
    let (finish, finished) = std::sync::mpsc::channel::<()>();
    let writer_url = url.split('?').next().unwrap().to_string();
    let slow_writer = std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&writer_url, postgres::NoTls).unwrap();
        let mut tx = c.transaction().unwrap();
        tx.execute("SELECT pg_advisory_xact_lock_shared($1)", &[&FEED_LOCK]).unwrap();
        in_flight.send(insert_event(&mut tx, "slow")).unwrap();
        finished.recv().unwrap();
        tx.commit().unwrap();
    });
    let n = is_in_flight.recv().unwrap();
    let writer_url = url.split('?').next().unwrap().to_string();
    let later = support::on_own_thread(move || {
        let mut c = postgres::Client::connect(&writer_url, postgres::NoTls).unwrap();
        let mut tx = c.transaction().unwrap();
        let seq = insert_event(&mut tx, "quick");
        tx.commit().unwrap();
        seq
    });
    assert_eq!(later, n + 1);
    // Long enough for the feed to poll several times.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = feed_after(&http, &server.base, n - 1).await;
    finish.send(()).unwrap();
    slow_writer.join().unwrap();
    let mut after = Vec::new();
    for _ in 0..100 {
        after = feed_after(&http, &server.base, n - 1).await;
        if after.len() >= 2 {
            break;
        }
    }
    drop(server);
    (during, after, n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_reader_sees_no_event_above_one_still_in_flight() {
    let Some(server) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("feed horizon: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    let db = Database::create(&server, "horizon");
    let (during, after, n) = feed_around_an_event_in_flight(&format!("{}?pool_size=4", db.url)).await;
    assert_eq!(during, Vec::<i64>::new(), "nothing above the event in flight");
    assert_eq!(after, vec![n, n + 1], "both once it committed");

    // The same check on a server without the horizon sees the later event first: a reader at
    // N+1 would never ask for N again. (The switch exists only to show this.)
    let db = Database::create(&server, "no_horizon");
    let (during, after, n) = feed_around_an_event_in_flight(&format!("{}?unsafe_feed_without_horizon=1", db.url)).await;
    assert_eq!(during, vec![n + 1], "without the horizon the reader skips past the event in flight");
    assert_eq!(after, vec![n, n + 1]);
}

/// The sequences after `after` (long-polling briefly when there are none yet).
async fn feed_after(http: &reqwest::Client, base: &str, after: i64) -> Vec<i64> {
    let text = http
        .get(format!("{base}/api/v1/events?after={after}&timeout=0.2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["sequence"].as_i64().unwrap())
        .collect()
}

/// A PostgreSQL cluster of this test's own, to stop and start.
struct Cluster {
    bin: PathBuf,
    user: Option<String>,
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match &self.user {
            Some(u) => {
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().expect("PostgreSQL tool runs");
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn init(bin: PathBuf, user: Option<String>) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if let Some(u) = &user {
            let ok = Command::new("chown").arg(u).arg(dir.path()).status().unwrap().success();
            assert!(ok, "chown {u}");
        }
        let c = Cluster { bin, user, dir, port };
        let data = c.data();
        c.run(
            "initdb",
            &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
        );
        c
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_string_lossy().to_string()
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log").to_string_lossy().to_string();
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-l", &log, "-w", "-t", "60", "-o", &options, "start"],
        );
    }

    fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
    }
}

async fn get(http: &reqwest::Client, url: &str) -> (StatusCode, Value) {
    let resp = http.get(url).send().await.expect("the server answers");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_database_answers_503_and_service_resumes_by_itself() {
    let Some(bin) = std::env::var("SHOPFLOOR_TEST_PG_BIN").ok().filter(|b| !b.is_empty()) else {
        eprintln!("database outage: SHOPFLOOR_TEST_PG_BIN is not set; run under scripts/with-postgres");
        return;
    };
    let user = std::env::var("SHOPFLOOR_TEST_PG_USER").ok().filter(|u| !u.is_empty());
    let cluster = Cluster::init(PathBuf::from(bin), user);
    cluster.start();
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/postgres?connect_timeout=2&pool_timeout=2&feed_poll_ms=200",
        cluster.port
    );
    let mut server = Server::start(&url, true);
    let token = server.token.clone().expect("admin token");
    let http = client(Some(&token));
    let base = server.base.clone();
    ok(
        &http,
        &base,
        "unitOfMeasure",
        "saveUnitOfMeasure",
        json!({"name": "Before", "symbol": "b"}),
    )
    .await;

    cluster.stop();
    let (status, answer) = call(&http, &base, "unitOfMeasure", "getAllUnitsOfMeasure", json!(null)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["error"]["code"], "unavailable", "{answer}");
    let (status, answer) = call(
        &http,
        &base,
        "unitOfMeasure",
        "saveUnitOfMeasure",
        json!({"name": "During", "symbol": "d"}),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    let (status, ready) = get(&http, &format!("{base}/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    let why = ready["database"].as_str().unwrap_or_default();
    assert!(why.contains("database unreachable"), "readyz says why: {ready}");
    let (status, _) = get(&http, &format!("{base}/healthz")).await;
    assert_eq!(status, StatusCode::OK, "the process itself stays alive");
    assert!(server.child.try_wait().unwrap().is_none(), "the server did not exit");

    cluster.start();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, ready) = get(&http, &format!("{base}/readyz")).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "readyz never recovered: {ready}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The first request after the outage is served (dead pooled connections are replaced).
    ok(
        &http,
        &base,
        "unitOfMeasure",
        "saveUnitOfMeasure",
        json!({"name": "After", "symbol": "a"}),
    )
    .await;
    let units = ok(&http, &base, "unitOfMeasure", "getAllUnitsOfMeasure", json!(null)).await;
    let names: Vec<&str> = units.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"Before") && names.contains(&"After"), "{names:?}");
    assert!(server.child.try_wait().unwrap().is_none(), "the server did not exit");
}
