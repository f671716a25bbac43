//! Shopfloor's storage: opening a database by URL, migrations, and running service calls in
//! read or write transactions. SQLite (the embedded default) commits concurrent writes in
//! groups on one writer thread (`sqlite/writer.rs`); PostgreSQL (`postgres://…`) runs each call
//! on a pooled connection, writers of every instance at once, with a change feed kept gap-free
//! by horizons (`postgres/mod.rs`, docs/adr/0005-postgresql-backend.md). Both share one SQL generator
//! (`sql`), one transaction over a small driver interface (`tx`, `row`, `import_queue`) and one
//! meaning of each unique index (`unique`); each backend keeps only its driver.

/// The numbered migrations of one dialect (`"sqlite"` or `"postgres"`), embedded from
/// `migrations/<dialect>/`: both folders hold the same numbered files, mirrored one-to-one (the
/// schema parity test compares what they build), so the list is written once.
macro_rules! migrations {
    ($dialect:literal) => {
        &[
            (
                1,
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $dialect, "/0001_init.sql")),
            ),
            (
                2,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0002_properties_bill_of_materials.sql"
                )),
            ),
            (
                3,
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $dialect, "/0003_security.sql")),
            ),
            (
                4,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0004_order_sort_indexes.sql"
                )),
            ),
            (
                5,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0005_import_jobs.sql"
                )),
            ),
            (
                6,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0006_import_job_rows_status.sql"
                )),
            ),
            (
                7,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0007_import_jobs_create_missing.sql"
                )),
            ),
            (
                8,
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $dialect, "/0008_name_keys.sql")),
            ),
            (
                9,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0009_shift_fields.sql"
                )),
            ),
            (
                10,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0010_import_jobs_warnings.sql"
                )),
            ),
            (
                11,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0011_location_material_properties.sql"
                )),
            ),
            (
                12,
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $dialect, "/0012_webhooks.sql")),
            ),
            (
                13,
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $dialect, "/0013_personnel.sql")),
            ),
            (
                14,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0014_order_search.sql"
                )),
            ),
            (
                15,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0015_import_jobs_kind.sql"
                )),
            ),
            (
                16,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0016_role_security_levels.sql"
                )),
            ),
            (
                17,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0017_history_person.sql"
                )),
            ),
            (
                18,
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $dialect, "/0018_read_side.sql")),
            ),
            (
                19,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0019_due_nulls_last.sql"
                )),
            ),
            (
                20,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/migrations/",
                    $dialect,
                    "/0020_stop_reasons.sql"
                )),
            ),
        ]
    };
}

pub mod delivery;
pub mod import_queue;
pub mod postgres;
mod rekey;
pub mod row;
pub mod search;
pub mod sql;
pub mod sqlite;
pub mod tx;
mod unique;

pub use postgres::settings::redact as redact_url;

use shopfloor_core::errors::CoreResult;
use shopfloor_core::tx::Tx;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::watch;

/// Failures opening or migrating a database (startup and CLI only).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use a SQLite file path, sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot open database {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("migration {version} failed: {source}")]
    Migration { version: u32, source: rusqlite::Error },
    #[error("cannot start the writer thread: {0}")]
    Thread(std::io::Error),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("invalid database setting: {0}")]
    Config(String),
    #[error("PostgreSQL error: {0}")]
    Postgres(String),
    #[error("migration {version} failed: {message}")]
    PgMigration { version: u32, message: String },
    /// Records whose names became equal under the name comparison rule (docs/adr/0010): the
    /// database is left as it was, for someone to rename one of each pair.
    #[error("{0}")]
    NameCollisions(String),
}

/// Settings of a store. PostgreSQL's pool settings travel in its URL (see
/// `postgres::settings`), so that every command that takes `--database` takes them too.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    pub url: String,
    /// Read connections (and concurrent read transactions).
    pub readers: usize,
    /// Most write jobs committed in one transaction.
    pub max_batch: usize,
}

impl StoreConfig {
    pub fn new(url: impl Into<String>) -> Self {
        StoreConfig {
            url: url.into(),
            readers: 4,
            max_batch: 256,
        }
    }
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Backend>,
}

/// The database behind a store, chosen by the URL.
enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

/// Calls the same method on whichever backend the store has.
macro_rules! on_backend {
    ($self:ident, $b:ident => $e:expr) => {
        match &*$self.inner {
            Backend::Sqlite($b) => $e,
            Backend::Postgres($b) => $e,
        }
    };
}

/// Counters for `/metrics`.
#[derive(Clone, Copy, Debug, Default)]
pub struct StoreStats {
    pub commits: u64,
    pub jobs: u64,
    pub failed_commits: u64,
}

/// What a backend counts of its writes; [`StoreStats`] is a reading of it.
#[derive(Default)]
pub(crate) struct WriteCounters {
    pub commits: AtomicU64,
    pub jobs: AtomicU64,
    pub failed_commits: AtomicU64,
}

impl WriteCounters {
    pub fn stats(&self) -> StoreStats {
        StoreStats {
            commits: self.commits.load(Ordering::Relaxed),
            jobs: self.jobs.load(Ordering::Relaxed),
            failed_commits: self.failed_commits.load(Ordering::Relaxed),
        }
    }
}

impl Store {
    /// Opens (creating if needed) and migrates the database named by `config.url`.
    pub fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        let backend = if postgres::settings::is_postgres_url(&config.url) {
            Backend::Postgres(postgres::Postgres::open(&config.url)?)
        } else {
            Backend::Sqlite(sqlite::Sqlite::open(&sqlite_path(&config.url)?, config)?)
        };
        Ok(Store { inner: Arc::new(backend) })
    }

    /// Which backend this is: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match &*self.inner {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Runs `f` in a write transaction; the result is returned only after it is durable.
    pub async fn write<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        on_backend!(self, b => b.write(f).await)
    }

    /// Runs `f` in a read transaction (a consistent snapshot) on the blocking pool.
    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        on_backend!(self, b => b.read(f).await)
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> CoreResult<()> {
        on_backend!(self, b => b.ping().await)
    }

    /// The sequence number of the latest committed history event; changes wake waiters.
    pub fn last_event(&self) -> watch::Receiver<i64> {
        on_backend!(self, b => b.last_event())
    }

    pub fn stats(&self) -> StoreStats {
        on_backend!(self, b => b.stats())
    }

    /// Finishes queued writes and stops the writer (waits for it).
    pub fn close(&self) {
        on_backend!(self, b => b.close());
    }
}

/// `sqlite://PATH`, `sqlite:PATH` or a plain file path.
fn sqlite_path(url: &str) -> Result<String, StoreError> {
    if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        return Ok(rest.to_string());
    }
    if url.contains("://") {
        return Err(StoreError::UnsupportedUrl(redact_url(url)));
    }
    Ok(url.to_string())
}

/// Runs the migrations alone (`shopfloor migrate`); returns the versions applied now.
pub fn migrate(url: &str) -> Result<Vec<u32>, StoreError> {
    if postgres::settings::is_postgres_url(url) {
        let settings = postgres::settings::parse(url)?;
        return std::thread::spawn(move || {
            let mut client = postgres::connect_for_setup(&settings)?;
            postgres::migrations::run(&mut client)
        })
        .join()
        .map_err(|_| StoreError::Config("migrating panicked".into()))?;
    }
    let path = sqlite_path(url)?;
    let mut conn = sqlite::connection::open_writer(&path)?;
    sqlite::migrations::run(&mut conn)
}

/// A SQLite database as an earlier version left it: the migrations up to version `last` (the
/// upgrade tests write old rows into it, then [`migrate`] the rest).
pub fn migrate_sqlite_through(url: &str, last: u32) -> Result<Vec<u32>, StoreError> {
    let path = sqlite_path(url)?;
    let mut conn = sqlite::connection::open_writer(&path)?;
    sqlite::migrations::run_through(&mut conn, last)
}
