//! The SQLite backend: one writer thread with group commit, a pool of read-only connections.

pub mod connection;
pub mod import_queue;
pub mod migrations;
pub mod tx;
pub mod writer;

use crate::{StoreConfig, StoreError, StoreStats};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::tx::Tx;
use std::sync::Mutex;
use tokio::sync::{watch, Semaphore};

/// Below this much free space on the database's disk the server reports itself not ready:
/// a group commit of large saves and the WAL's checkpoints need room.
const MIN_FREE_BYTES: u64 = 4 * 1024 * 1024;

pub struct Sqlite {
    path: String,
    writer: writer::Writer,
    readers: Mutex<Vec<rusqlite::Connection>>,
    reader_slots: Semaphore,
}

impl Sqlite {
    pub fn open(path: &str, config: &StoreConfig) -> Result<Sqlite, StoreError> {
        let mut conn = connection::open_writer(path)?;
        migrations::run(&mut conn)?;
        let writer = writer::Writer::start(conn, config.max_batch)?;
        Ok(Sqlite {
            path: path.to_string(),
            writer,
            readers: Mutex::new(Vec::new()),
            reader_slots: Semaphore::new(config.readers.max(1)),
        })
    }

    pub async fn write<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        self.writer.submit(f).await
    }

    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        let _slot = self
            .reader_slots
            .acquire()
            .await
            .map_err(|_| CoreError::Unavailable("store closed".into()))?;
        let conn = self
            .readers
            .lock()
            .map_err(|_| CoreError::Internal("reader pool poisoned".into()))?
            .pop();
        let path = self.path.clone();
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let conn = match conn {
                Some(c) => c,
                None => match connection::open_reader(&path) {
                    Ok(c) => c,
                    Err(e) => return (None, Err(CoreError::Unavailable(e.to_string()))),
                },
            };
            let result = tx::read_transaction(&conn, f);
            (Some(conn), result)
        })
        .await
        .map_err(|e| CoreError::Internal(format!("read task failed: {e}")))?;
        if let Some(conn) = conn {
            if let Ok(mut pool) = self.readers.lock() {
                pool.push(conn);
            }
        }
        result
    }

    /// Whether the database answers a read, its disk has room, and, after a failed write,
    /// it takes a write.
    pub async fn ping(&self) -> CoreResult<()> {
        self.read(|tx| tx.events_after(i64::MAX, 1).map(|_| ())).await?;
        let folder = std::path::Path::new(&self.path).parent().filter(|p| !p.as_os_str().is_empty());
        if let Ok(free) = fs4::available_space(folder.unwrap_or(std::path::Path::new("."))) {
            if free < MIN_FREE_BYTES {
                return Err(CoreError::Unavailable(format!(
                    "the database's disk is full: {free} bytes free, writes need at least {MIN_FREE_BYTES}"
                )));
            }
        }
        self.writer.check_writes().await
    }

    pub fn last_event(&self) -> watch::Receiver<i64> {
        self.writer.last_event()
    }

    pub fn stats(&self) -> StoreStats {
        self.writer.stats()
    }

    pub fn close(&self) {
        self.writer.close();
    }
}
