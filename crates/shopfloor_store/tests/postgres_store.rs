//! The PostgreSQL store's write lock, seen from outside: while another session holds the lock
//! every write waits (and, past `statement_timeout`, answers "unavailable" instead of hanging),
//! reads do not wait, and writes go through once the lock is free. Runs when
//! `TEST_DATABASE_URL` names a PostgreSQL server (`scripts/with-postgres`).

use shopfloor_core::errors::CoreError;
use shopfloor_core::schema::Entity;
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
    let Some(server) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("write lock: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    let name = format!("t_lock_{}", std::process::id());
    let (admin, n) = (server.clone(), name.clone());
    on_own_thread(move || {
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)")).unwrap();
        c.batch_execute(&format!("CREATE DATABASE {n}")).unwrap();
    });
    let base = server.split('?').next().unwrap();
    let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
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
    drop(store);

    on_own_thread(move || {
        let mut c = postgres::Client::connect(&server, postgres::NoTls).unwrap();
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
    });
}
