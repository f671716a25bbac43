//! Import files are parsed and checked before the write transaction (issue 22): a malformed file
//! or one beyond a limit is refused while another session holds the database's write lock (so
//! its parse cannot have run in a write job), and a CSV header's unknown columns are listed as
//! warnings in the dry run and in the queued job.

use crate::helpers::{fields, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::mpsc;
use std::time::Duration;

const PO: &str = "productionOrder";
const IMPORTS: &str = "/api/v1/production-orders/imports";

/// Another session takes the database's write lock (`BEGIN IMMEDIATE` on SQLite, the write
/// advisory lock on PostgreSQL), as another writer would, and keeps it until the returned
/// sender is dropped: meanwhile every write job of the server waits.
fn hold_write_lock(app: &TestApp) -> mpsc::Sender<()> {
    const POSTGRES_WRITE_LOCK: i64 = 0x7368_6f70_666c_6f72;
    let (release, released) = mpsc::channel::<()>();
    let (held, is_held) = mpsc::channel::<()>();
    let url = app.database.url.clone();
    let postgres = app.database.is_postgres();
    std::thread::spawn(move || {
        if postgres {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("a second session");
            let mut tx = client.transaction().expect("a transaction");
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&POSTGRES_WRITE_LOCK])
                .expect("the write lock");
            held.send(()).expect("the test waits");
            let _ = released.recv();
            tx.rollback().expect("the lock released");
        } else {
            let conn = rusqlite::Connection::open(&url).expect("a second connection");
            conn.execute_batch("BEGIN IMMEDIATE").expect("the write lock");
            held.send(()).expect("the test waits");
            let _ = released.recv();
            conn.execute_batch("ROLLBACK").expect("the lock released");
        }
    });
    is_held.recv().expect("the lock is taken");
    release
}

/// A B2MML schedule whose one request nests `depth` elements.
fn nested_b2mml(depth: usize) -> String {
    format!(
        "<SyncProductionSchedule><ProductionSchedule><ProductionRequest><ID>A</ID>{}{}</ProductionRequest></ProductionSchedule></SyncProductionSchedule>",
        "<X>".repeat(depth),
        "</X>".repeat(depth)
    )
}

#[tokio::test]
async fn bad_import_files_are_refused_without_waiting_for_the_writer() {
    let app = spawn_app().await;
    let wide_header = format!("name,{}\nA\n", (0..1_500).map(|i| format!("c{i}")).collect::<Vec<_>>().join(","));
    let cases = [
        (
            "a CSV record longer than its header",
            "csv",
            "name,quantity\nA,1\nB,2,3\n".to_string(),
            "malformed CSV",
        ),
        ("a CSV header beyond the column limit", "csv", wide_header, "at most 1000"),
        ("B2MML nested beyond the depth limit", "b2mml", nested_b2mml(500), "deep"),
        (
            "JSON cut short",
            "json",
            "[{\"name\": \"A\"}, {\"name\":".to_string(),
            "malformed JSON",
        ),
    ];
    let release = hold_write_lock(&app);
    let within = Duration::from_secs(5);
    for (what, format, file, message) in &cases {
        for dry_run in [false, true] {
            let path = format!("{IMPORTS}?format={format}&dryRun={dry_run}");
            let (status, answer) = tokio::time::timeout(within, app.post_raw(&path, file.clone()))
                .await
                .unwrap_or_else(|_| panic!("{what} (REST, dryRun={dry_run}) waited for the writer"));
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {answer}");
            assert!(
                fields(&answer)["data"][0].as_str().unwrap_or("").contains(message),
                "{what}: {answer}"
            );
            let call = json!({"data": file, "format": format, "dryRun": dry_run});
            let (status, answer) = tokio::time::timeout(within, app.call(PO, "importProductionOrders", call))
                .await
                .unwrap_or_else(|_| panic!("{what} (script, dryRun={dry_run}) waited for the writer"));
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {answer}");
            assert!(
                fields(&answer)["data"][0].as_str().unwrap_or("").contains(message),
                "{what}: {answer}"
            );
        }
    }
    drop(release);
    // Nothing was queued, and the writer serves again.
    assert_eq!(app.ok(PO, "getProductionOrderImportQueueSize", json!([])).await, json!(0));
    let (unit, material) = app.master_data().await;
    app.order("PO-after", &unit, &material).await;
}

/// Polls an import job until no row is pending; answers it with its first page of rows.
async fn finished_job(app: &TestApp, id: &str) -> Value {
    for _ in 0..600 {
        let job = app.ok(PO, "getImportJob", json!([id])).await;
        if job["pending"] == json!(0) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import job {id} did not finish");
}

#[tokio::test]
async fn unknown_csv_columns_are_named_in_the_dry_run_and_in_the_job() {
    let app = spawn_app().await;
    app.master_data().await;
    let file = "name,productPath,unitOfMeasureName,quantity,colour,property:batch,Notes\n\
                PO-1,FG/Widget,Each,5,,,\n\
                PO-2,FG/Widget,Each,7,blue,,\n";
    let warned = |answer: &Value| -> Vec<String> {
        let warnings = answer["warnings"].as_array().unwrap_or_else(|| panic!("no warnings in {answer}"));
        warnings.iter().map(|w| w.as_str().unwrap().to_string()).collect()
    };
    let expected = |warnings: &[String]| {
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("unknown column 'colour'"), "{warnings:?}");
        assert!(warnings[1].starts_with("unknown column 'Notes'"), "{warnings:?}");
    };

    // The dry run, over REST and the script API alike: the warnings beside the rows. A row
    // with a cell in an unknown column is refused as before; an empty cell is not given.
    let (status, report) = app.post_raw(&format!("{IMPORTS}?format=csv&dryRun=true"), file).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    expected(&warned(&report));
    assert_eq!(report["rows"][0]["status"], "created", "{report}");
    assert_eq!(report["rows"][1]["status"], "error", "{report}");
    assert!(report["rows"][1]["errors"]["colour"].is_array(), "{report}");
    let script = app
        .ok(PO, "importProductionOrders", json!({"data": file, "format": "csv", "dryRun": true}))
        .await;
    assert_eq!(script["warnings"], report["warnings"]);
    assert_eq!(
        (script["created"].clone(), script["errors"].clone()),
        (json!(1), json!(1)),
        "{script}"
    );
    // A file without unknown columns answers as before, without the key.
    let clean = "name,productPath,unitOfMeasureName,quantity\nPO-3,FG/Widget,Each,1\n";
    let (_, report) = app.post_raw(&format!("{IMPORTS}?format=csv&dryRun=true"), clean).await;
    assert!(report.get("warnings").is_none(), "{report}");
    assert!(app.all_orders().await.is_empty());

    // The queued import: the job answered at once, and the job read later, name them too.
    let (status, job) = app.post_raw(&format!("{IMPORTS}?format=csv"), file).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    expected(&warned(&job));
    let done = finished_job(&app, job["id"].as_str().unwrap()).await;
    expected(&warned(&done));
    assert_eq!((done["created"].clone(), done["errors"].clone()), (json!(1), json!(1)), "{done}");
    let id = app.ok(PO, "importProductionOrders", json!({"data": clean, "format": "csv"})).await;
    let done = finished_job(&app, id.as_str().unwrap()).await;
    assert!(done.get("warnings").is_none(), "{done}");
}
