//! Shopfloor's storage: opening a database by URL, migrations, and running service calls in
//! read or write transactions. SQLite (the embedded default) commits concurrent writes in
//! groups on one writer thread; see `sqlite/writer.rs`.

pub mod sqlite;

use shopfloor_core::errors::CoreResult;
use shopfloor_core::tx::Tx;
use std::sync::Arc;
use tokio::sync::watch;

/// Failures opening or migrating a database (startup and CLI only).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use a SQLite file path or sqlite://PATH")]
    UnsupportedUrl(String),
    #[error("cannot open database {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("migration {version} failed: {source}")]
    Migration { version: u32, source: rusqlite::Error },
    #[error("cannot start the writer thread: {0}")]
    Thread(std::io::Error),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// Settings of a store.
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
    inner: Arc<sqlite::Sqlite>,
}

/// Counters for `/metrics`.
#[derive(Clone, Copy, Debug, Default)]
pub struct StoreStats {
    pub commits: u64,
    pub jobs: u64,
    pub failed_commits: u64,
}

impl Store {
    /// Opens (creating if needed) and migrates the database named by `config.url`.
    pub fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        let path = sqlite_path(&config.url)?;
        Ok(Store {
            inner: Arc::new(sqlite::Sqlite::open(&path, config)?),
        })
    }

    /// Runs `f` in a write transaction; the result is returned only after it is durable.
    pub async fn write<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        self.inner.write(f).await
    }

    /// Runs `f` in a read transaction (a consistent snapshot) on the blocking pool.
    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        self.inner.read(f).await
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> CoreResult<()> {
        self.inner.ping().await
    }

    /// The sequence number of the latest committed history event; changes wake waiters.
    pub fn last_event(&self) -> watch::Receiver<i64> {
        self.inner.last_event()
    }

    pub fn stats(&self) -> StoreStats {
        self.inner.stats()
    }

    /// Finishes queued writes and stops the writer (waits for it).
    pub fn close(&self) {
        self.inner.close();
    }
}

/// `sqlite://PATH`, `sqlite:PATH` or a plain file path.
fn sqlite_path(url: &str) -> Result<String, StoreError> {
    if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        return Ok(rest.to_string());
    }
    if url.contains("://") {
        return Err(StoreError::UnsupportedUrl(url.to_string()));
    }
    Ok(url.to_string())
}

/// Runs the migrations alone (`shopfloor migrate`); returns the versions applied now.
pub fn migrate(url: &str) -> Result<Vec<u32>, StoreError> {
    let path = sqlite_path(url)?;
    let mut conn = sqlite::connection::open_writer(&path)?;
    sqlite::migrations::run(&mut conn)
}
