//! The PostgreSQL store seen from outside. The write lock: while another session holds it
//! every write waits (and, past `statement_timeout`, answers "unavailable" instead of hanging),
//! reads do not wait, and writes go through once the lock is free. The pool: with every
//! connection busy a request waits `pool_timeout`, then answers "unavailable"; a closed store
//! refuses work. Savepoints: a failed statement spoils only its savepoint. The import queue:
//! two stores (instances) running it on one database apply every row exactly once. Runs when
//! `TEST_DATABASE_URL` names a PostgreSQL server (`scripts/with-postgres`).

use serde_json::{json, Map, Value as Json};
use shopfloor_core::errors::CoreError;
use shopfloor_core::id::Id;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::entity;
use shopfloor_core::tx::{Caller, Tx};
use shopfloor_exchange::{queue, Format};
use shopfloor_store::{Store, StoreConfig};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The key every write transaction locks (see `postgres/mod.rs`).
const WRITE_LOCK: i64 = 0x7368_6f70_666c_6f72;

fn on_own_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("helper thread")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_wait_for_the_write_lock_and_time_out_as_unavailable_while_reads_go_on() {
    let Some(db) = Database::create("lock") else {
        eprintln!("write lock: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    let url = db.url.clone();
    let store = Store::open(&StoreConfig::new(format!("{url}?statement_timeout=1"))).expect("store opens");
    assert_eq!(store.backend(), "postgres");

    // Another session (another instance, say) holds the write lock until told to let go.
    let (release, released) = mpsc::channel::<()>();
    let (held, is_held) = mpsc::channel::<()>();
    let holder_url = url.clone();
    let holder = std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&holder_url, postgres::NoTls).unwrap();
        let mut tx = c.transaction().unwrap();
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK]).unwrap();
        held.send(()).unwrap();
        released.recv().unwrap();
        tx.commit().unwrap();
    });
    is_held.recv().unwrap();

    let started = Instant::now();
    let blocked = store.write(|tx| tx.count(Entity::UnitOfMeasure, &[])).await;
    let waited = started.elapsed();
    assert!(matches!(blocked, Err(CoreError::Unavailable(_))), "{blocked:?}");
    assert!(waited >= Duration::from_millis(900), "the write waited for the lock: {waited:?}");
    // Reads do not take the lock.
    let count = store.read(|tx| tx.count(Entity::UnitOfMeasure, &[])).await.unwrap();
    assert_eq!(count, 0);

    release.send(()).unwrap();
    holder.join().unwrap();
    let count = store.write(|tx| tx.count(Entity::UnitOfMeasure, &[])).await;
    assert_eq!(count.unwrap(), 0, "the write goes through once the lock is free");
    store.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_every_connection_busy_a_request_waits_then_is_answered_unavailable() {
    let Some(db) = Database::create("pool") else {
        eprintln!("pool: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    let store = Store::open(&StoreConfig::new(format!("{}?pool_size=1&pool_timeout=1", db.url))).expect("store opens");

    // A read holds the only connection until told to let go.
    let (release, released) = mpsc::channel::<()>();
    let (busy, is_busy) = mpsc::channel::<()>();
    let holder = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .read(move |tx| {
                    busy.send(()).unwrap();
                    released.recv().unwrap();
                    tx.count(Entity::UnitOfMeasure, &[])
                })
                .await
        })
    };
    tokio::task::spawn_blocking(move || is_busy.recv().unwrap()).await.unwrap();

    let refused = store.read(|tx| tx.count(Entity::UnitOfMeasure, &[])).await;
    assert!(
        matches!(&refused, Err(CoreError::Unavailable(m)) if m.contains("all 1 database connections stayed busy")),
        "{refused:?}"
    );
    release.send(()).unwrap();
    assert_eq!(holder.await.unwrap().unwrap(), 0, "the holder finished its read");
    let count = store.write(|tx| tx.count(Entity::UnitOfMeasure, &[])).await;
    assert_eq!(count.unwrap(), 0, "the freed connection serves the next request");

    store.close();
    let closed = store.read(|tx| tx.count(Entity::UnitOfMeasure, &[])).await;
    assert!(
        matches!(&closed, Err(CoreError::Unavailable(m)) if m.contains("closed")),
        "{closed:?}"
    );
}

/// A database of its own on the `TEST_DATABASE_URL` server (dropped at the end), or `None`
/// when no server is named.
struct Database {
    server: String,
    name: String,
    url: String,
}

impl Database {
    fn create(tag: &str) -> Option<Database> {
        let server = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
        let name = format!("t_{tag}_{}", std::process::id());
        let (admin, n) = (server.clone(), name.clone());
        on_own_thread(move || {
            let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
            c.batch_execute(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)")).unwrap();
            c.batch_execute(&format!("CREATE DATABASE {n}")).unwrap();
        });
        let base = server.split('?').next().unwrap();
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        Some(Database { server, name, url })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let (admin, n) = (self.server.clone(), self.name.clone());
        on_own_thread(move || {
            if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"));
            }
        });
    }
}

fn object(v: Json) -> Map<String, Json> {
    v.as_object().expect("an object").clone()
}

fn save(tx: &mut dyn Tx, entity: Entity, data: Json) -> Id {
    let record = entity::save(tx, &Caller::system(), entity, &object(data)).expect("saved");
    record.id().expect("an id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_statement_spoils_only_its_savepoint() {
    let Some(db) = Database::create("savepoint") else {
        eprintln!("savepoints: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    let store = Store::open(&StoreConfig::new(db.url.clone())).expect("store opens");
    let each = store
        .write(|tx| Ok(save(tx, Entity::UnitOfMeasure, json!({"name": "Each", "symbol": "ea"}))))
        .await
        .unwrap();

    let outcome = store
        .write(move |tx| {
            tx.savepoint("row")?;
            save(tx, Entity::UnitOfMeasure, json!({"name": "Box", "symbol": "bx"}));
            // The same name again, past the service's check: the unique index refuses it.
            let mut twin = tx.get(Entity::UnitOfMeasure, each)?.expect("Each exists");
            twin.set("id", shopfloor_core::record::Value::Id(Id::generate()));
            let refused = tx.insert(Entity::UnitOfMeasure, &twin);
            assert!(matches!(refused, Err(CoreError::Validation(_))), "{refused:?}");
            // PostgreSQL now refuses everything until the savepoint is rolled back to.
            let spoiled = tx.count(Entity::UnitOfMeasure, &[]);
            assert!(spoiled.is_err(), "{spoiled:?}");
            tx.rollback_to("row")?;
            assert_eq!(tx.count(Entity::UnitOfMeasure, &[])?, 1, "Box went with its savepoint");
            tx.savepoint("row")?;
            save(tx, Entity::UnitOfMeasure, json!({"name": "Crate", "symbol": "cr"}));
            tx.release("row")?;
            tx.count(Entity::UnitOfMeasure, &[])
        })
        .await;
    assert_eq!(outcome.unwrap(), 2, "the transaction went on after the rollback");
    let names: Vec<String> = store
        .read(|tx| entity::all(tx, Entity::UnitOfMeasure))
        .await
        .unwrap()
        .iter()
        .map(|r| r.text("name").unwrap_or_default().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"Each".to_string()) && names.contains(&"Crate".to_string()),
        "{names:?}"
    );
    let bad = store.write(|tx| tx.savepoint("no; DROP TABLE x")).await;
    assert!(matches!(bad, Err(CoreError::Internal(_))), "{bad:?}");
    store.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_running_the_import_queue_apply_each_row_once() {
    let Some(db) = Database::create("queue") else {
        eprintln!("import queue: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    let a = Store::open(&StoreConfig::new(db.url.clone())).expect("store opens");
    let b = Store::open(&StoreConfig::new(db.url.clone())).expect("second store opens");
    const ROWS: usize = 300;
    let job = a
        .write(|tx| {
            let each = save(tx, Entity::UnitOfMeasure, json!({"name": "Each", "symbol": "ea"}));
            let fg = save(tx, Entity::MaterialClass, json!({"name": "FG"}));
            save(
                tx,
                Entity::Material,
                json!({"name": "Widget", "materialClassId": fg.to_string(), "unitOfMeasureId": each.to_string()}),
            );
            let rows: Vec<Json> = (0..ROWS)
                .map(|i| json!({"name": format!("Q{i:04}"), "productPath": "FG/Widget", "unitOfMeasureName": "Each", "quantity": i}))
                .collect();
            queue::enqueue(tx, &Caller::system(), &Json::Array(rows), Format::Json, Default::default())
        })
        .await
        .expect("queued");
    let id = job.id;
    assert_eq!(job.total, ROWS as u64);
    let queued = b.read(move |tx| queue::job_json(tx, id, None)).await.unwrap();
    assert_eq!(queued["status"], "QUEUED", "{queued}");

    // Both instances' runners take small batches at once until the queue is empty.
    let runner = |store: Store| {
        tokio::spawn(async move {
            let mut applied = 0;
            loop {
                let n = store.write(|tx| queue::run_pending(tx, 8)).await.expect("a batch");
                if n == 0 {
                    return applied;
                }
                applied += n;
            }
        })
    };
    let (by_a, by_b) = (runner(a.clone()), runner(b.clone()));
    let (by_a, by_b) = (by_a.await.unwrap(), by_b.await.unwrap());
    assert_eq!(by_a + by_b, ROWS, "every row was claimed once ({by_a} by one, {by_b} by the other)");

    let page = queue::RowsPage {
        size: 200,
        index: 1,
        ..queue::RowsPage::default()
    };
    let done = b.read(move |tx| queue::job_json(tx, id, Some(&page))).await.unwrap();
    assert_eq!(done["status"], "DONE", "{done}");
    assert_eq!(done["created"], json!(ROWS), "no row ran twice (a second run would be unchanged)");
    assert_eq!(done["unchanged"], 0);
    assert_eq!(done["errors"], 0);
    // The second page of 200 rows: rows 201 to 300, in order.
    let rows = done["rows"].as_array().unwrap();
    assert_eq!(
        (rows.len(), done["totalElements"].clone(), done["hasNext"].clone()),
        (100, json!(ROWS), json!(false))
    );
    assert!(rows
        .iter()
        .enumerate()
        .all(|(i, r)| r["row"] == json!(201 + i) && r["status"] == "created"));
    // The feed shows events up to its horizon, taken at most every `feed_horizon_ms` after the
    // last writes (ADR 0005): wait for it to pass them, then count.
    let started = std::time::Instant::now();
    let (orders, creates) = loop {
        let (orders, events) = a
            .read(|tx| {
                let orders = tx.count(Entity::ProductionOrder, &[])?;
                let events = tx.events_after(0, 10_000)?;
                Ok((orders, events))
            })
            .await
            .unwrap();
        let creates = events
            .iter()
            .filter(|e| e.entity == "ProductionOrder" && e.action == "CREATE")
            .count();
        if creates >= ROWS || started.elapsed() > std::time::Duration::from_secs(10) {
            break (orders, creates);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(orders, ROWS as u64);
    assert_eq!(creates, ROWS, "one CREATE event per order");
    a.close();
    b.close();
}
