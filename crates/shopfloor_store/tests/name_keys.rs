//! Migration 8 re-keys a database written under the old name rule (lower case only): afterwards
//! names and paths are found whatever Unicode form or case is typed, and a look-alike duplicate
//! is refused; names that became equal stop the upgrade with a message naming them, and leave
//! the database as it was (issue 22 #7, docs/adr/0010-name-comparison.md). On SQLite always, on
//! PostgreSQL when `TEST_DATABASE_URL` names a server (`scripts/with-postgres`).

use serde_json::{json, Map, Value as Json};
use shopfloor_core::errors::CoreError;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, generic};
use shopfloor_core::tx::Caller;
use shopfloor_store::{Store, StoreConfig, StoreError};

/// The migrations an earlier version applied, before the name rule changed.
const BEFORE: [(u32, &str, &str); 7] = [
    (
        1,
        include_str!("../migrations/sqlite/0001_init.sql"),
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        include_str!("../migrations/sqlite/0002_properties_bill_of_materials.sql"),
        include_str!("../migrations/postgres/0002_properties_bill_of_materials.sql"),
    ),
    (
        3,
        include_str!("../migrations/sqlite/0003_security.sql"),
        include_str!("../migrations/postgres/0003_security.sql"),
    ),
    (
        4,
        include_str!("../migrations/sqlite/0004_order_sort_indexes.sql"),
        include_str!("../migrations/postgres/0004_order_sort_indexes.sql"),
    ),
    (
        5,
        include_str!("../migrations/sqlite/0005_import_jobs.sql"),
        include_str!("../migrations/postgres/0005_import_jobs.sql"),
    ),
    (
        6,
        include_str!("../migrations/sqlite/0006_import_job_rows_status.sql"),
        include_str!("../migrations/postgres/0006_import_job_rows_status.sql"),
    ),
    (
        7,
        include_str!("../migrations/sqlite/0007_import_jobs_create_missing.sql"),
        include_str!("../migrations/postgres/0007_import_jobs_create_missing.sql"),
    ),
];

const UNIT_ID: &str = "01J0000000-00000000-00000001";
const CLASS_ID: &str = "01J0000000-00000000-00000002";
const MATERIAL_ID: &str = "01J0000000-00000000-00000003";
const LOCATION_ID: &str = "01J0000000-00000000-00000004";
const TWIN_ID: &str = "01J0000000-00000000-00000005";

/// Rows as the earlier version wrote them: `name_key` the lower-cased name. A fullwidth unit, a
/// material whose name is decomposed (A + U+0308) in a class, a location with a zero-width space.
fn old_rows() -> String {
    format!(
        "INSERT INTO units_of_measure (id, name, name_key, symbol, created_date, created_by) \
             VALUES ('{UNIT_ID}', '\u{FF2B}\u{FF27}', '\u{FF4B}\u{FF47}', 'kg', 0, 'x');
         INSERT INTO material_classes (id, name, name_key, path, created_date, created_by) \
             VALUES ('{CLASS_ID}', 'Obst', 'obst', 'Obst', 0, 'x');
         INSERT INTO materials (id, name, name_key, material_class_id, unit_of_measure_id, path, created_date, created_by) \
             VALUES ('{MATERIAL_ID}', 'A\u{308}pfel', 'a\u{308}pfel', '{CLASS_ID}', '{UNIT_ID}', 'Obst/A\u{308}pfel', 0, 'x');
         INSERT INTO locations (id, name, name_key, type, path, created_date, created_by) \
             VALUES ('{LOCATION_ID}', 'Hall\u{200B}1', 'hall\u{200B}1', 'SITE', 'Hall\u{200B}1', 0, 'x');"
    )
}

/// Two units that differ under the old rule and are equal under the new one.
fn twin_rows() -> String {
    format!(
        "INSERT INTO units_of_measure (id, name, name_key, symbol, created_date, created_by) \
             VALUES ('{UNIT_ID}', '\u{C4}PFEL', '\u{E4}pfel', 'a', 0, 'x'), \
                    ('{TWIN_ID}', 'A\u{308}PFEL', 'a\u{308}pfel', 'b', 0, 'x');"
    )
}

/// A database of `backend` as the earlier version left it, holding `rows`.
trait OldDatabase {
    fn batch(&mut self, sql: &str);
    fn url(&self) -> String;
    fn version(&mut self) -> i64;
    fn unit_keys(&mut self) -> Vec<String>;
}

struct SqliteDb {
    _dir: tempfile::TempDir,
    path: String,
}

impl SqliteDb {
    fn create(rows: &str) -> SqliteDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db").to_str().unwrap().to_string();
        let mut db = SqliteDb { _dir: dir, path };
        db.batch("CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)");
        for (version, sqlite, _) in BEFORE {
            db.batch(sqlite);
            db.batch(&format!("INSERT INTO schema_migrations VALUES ({version}, 0)"));
        }
        db.batch(rows);
        db
    }

    fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }
}

impl OldDatabase for SqliteDb {
    fn batch(&mut self, sql: &str) {
        self.conn().execute_batch(sql).unwrap();
    }
    fn url(&self) -> String {
        self.path.clone()
    }
    fn version(&mut self) -> i64 {
        self.conn()
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get(0))
            .unwrap()
    }
    fn unit_keys(&mut self) -> Vec<String> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT name_key FROM units_of_measure ORDER BY id").unwrap();
        let keys = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        keys
    }
}

/// A database of its own on the server `TEST_DATABASE_URL` names, dropped at the end.
struct PostgresDb {
    server: String,
    name: String,
    url: String,
}

fn on_own_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("helper thread")
}

impl PostgresDb {
    fn create(tag: &str, rows: &str) -> Option<PostgresDb> {
        let server = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
        let name = format!("t_keys_{tag}_{}", std::process::id());
        let (admin, n) = (server.clone(), name.clone());
        on_own_thread(move || {
            let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
            c.batch_execute(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)")).unwrap();
            c.batch_execute(&format!("CREATE DATABASE {n}")).unwrap();
        });
        let base = server.split('?').next().unwrap();
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        let mut db = PostgresDb { server, name, url };
        db.batch("CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)");
        for (version, _, postgres) in BEFORE {
            db.batch(postgres);
            db.batch(&format!("INSERT INTO schema_migrations VALUES ({version}, 0)"));
        }
        db.batch(rows);
        Some(db)
    }

    fn client<T: Send + 'static>(&self, f: impl FnOnce(&mut postgres::Client) -> T + Send + 'static) -> T {
        let url = self.url.clone();
        on_own_thread(move || f(&mut postgres::Client::connect(&url, postgres::NoTls).unwrap()))
    }
}

impl OldDatabase for PostgresDb {
    fn batch(&mut self, sql: &str) {
        let sql = sql.to_string();
        self.client(move |c| c.batch_execute(&sql).unwrap());
    }
    fn url(&self) -> String {
        self.url.clone()
    }
    fn version(&mut self) -> i64 {
        self.client(|c| c.query_one("SELECT MAX(version) FROM schema_migrations", &[]).unwrap().get(0))
    }
    fn unit_keys(&mut self) -> Vec<String> {
        self.client(|c| {
            c.query("SELECT name_key FROM units_of_measure ORDER BY id", &[])
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect()
        })
    }
}

impl Drop for PostgresDb {
    fn drop(&mut self) {
        let (admin, n) = (self.server.clone(), self.name.clone());
        on_own_thread(move || {
            if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"));
            }
        });
    }
}

fn migrate(url: String) -> Result<Vec<u32>, StoreError> {
    on_own_thread(move || shopfloor_store::migrate(&url))
}

/// The id of what `text` finds as a name (or path) of `entity`.
async fn found(store: &Store, entity: Entity, text: &'static str) -> Option<String> {
    store
        .read(move |tx| generic::lookup(tx, entity, text))
        .await
        .unwrap()
        .and_then(|r| r.id())
        .map(|id| id.to_string())
}

async fn rekeys_and_finds_every_form(db: &mut dyn OldDatabase) {
    // Migration 8 and every later one (whose new tables the re-keying step skips).
    let applied = migrate(db.url()).expect("migrated");
    assert_eq!(applied.first(), Some(&8), "{applied:?}");
    assert_eq!(db.version(), i64::from(*applied.last().unwrap()));
    assert_eq!(
        db.unit_keys(),
        vec!["kg".to_string()],
        "the fullwidth unit is keyed by its plain form"
    );

    let store = Store::open(&StoreConfig::new(db.url())).expect("store opens");
    assert_eq!(found(&store, Entity::UnitOfMeasure, "KG").await.as_deref(), Some(UNIT_ID));
    assert_eq!(
        found(&store, Entity::Material, "obst/\u{C4}PFEL").await.as_deref(),
        Some(MATERIAL_ID)
    );
    assert_eq!(found(&store, Entity::Location, "HALL1").await.as_deref(), Some(LOCATION_ID));

    // A look-alike of an existing name is a duplicate; the stored name is what was typed.
    let mut data = Map::new();
    data.insert("name".into(), json!("kg"));
    data.insert("symbol".into(), json!("kg"));
    let duplicate = store
        .write(move |tx| entity::save(tx, &Caller::system(), Entity::UnitOfMeasure, &data))
        .await;
    match duplicate {
        Err(CoreError::Validation(f)) => assert!(f.0.contains_key("name"), "{f:?}"),
        other => panic!("a look-alike name was accepted: {other:?}"),
    }
    let name = store
        .read(|tx| generic::require(tx, Entity::Material, MATERIAL_ID))
        .await
        .unwrap()
        .to_json(Entity::Material.def());
    assert_eq!(name["name"], Json::String("A\u{308}pfel".into()));
    store.close();
}

async fn refuses_names_that_became_equal(db: &mut dyn OldDatabase) {
    let Err(StoreError::NameCollisions(message)) = migrate(db.url()) else {
        panic!("the upgrade went on with two names that became equal");
    };
    assert!(message.contains("units_of_measure"), "{message}");
    assert!(message.contains(UNIT_ID) && message.contains(TWIN_ID), "{message}");
    assert_eq!(db.version(), 7, "nothing was migrated");
    assert_eq!(
        db.unit_keys(),
        vec!["\u{E4}pfel".to_string(), "a\u{308}pfel".to_string()],
        "no row was changed"
    );
    // Starting the server says the same, and starts nothing.
    let url = db.url();
    let opened = on_own_thread(move || Store::open(&StoreConfig::new(url)).map(|_| ()));
    assert!(matches!(opened, Err(StoreError::NameCollisions(_))), "{opened:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migration_rekeys_names_and_paths_written_under_the_old_rule() {
    rekeys_and_finds_every_form(&mut SqliteDb::create(&old_rows())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migration_refuses_names_that_became_equal_and_changes_nothing() {
    refuses_names_that_became_equal(&mut SqliteDb::create(&twin_rows())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migration_rekeys_names_and_paths_written_under_the_old_rule() {
    let Some(mut db) = PostgresDb::create("rekey", &old_rows()) else {
        eprintln!("name keys: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    rekeys_and_finds_every_form(&mut db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migration_refuses_names_that_became_equal_and_changes_nothing() {
    let Some(mut db) = PostgresDb::create("twins", &twin_rows()) else {
        eprintln!("name keys: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    refuses_names_that_became_equal(&mut db).await;
}
