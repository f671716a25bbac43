//! The SQLite backend: one writer thread with group commit, a pool of read-only connections.

pub mod connection;
pub mod driver;
pub mod migrations;
pub mod writer;

use crate::{StoreConfig, StoreError, StoreStats};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::tx::Tx;
use std::sync::Mutex;
use tokio::sync::{watch, Semaphore};

/// Whether the filesystem holding `folder` is mounted read-only, or turned read-only after an
/// error (ext4's `errors=remount-ro` shows as `emergency_ro` in the mount options, not in
/// statvfs; such a filesystem may still take a small overwrite into the page cache and report it
/// synced, so a probe write alone cannot tell).
fn read_only_mount(folder: &std::path::Path) -> bool {
    let (Ok(folder), Ok(mounts)) = (folder.canonicalize(), std::fs::read_to_string("/proc/self/mountinfo")) else {
        return false;
    };
    // Fields: id parent dev root MOUNT_POINT MOUNT_OPTIONS [optional…] - fstype source SUPER_OPTIONS
    let mut best: Option<(usize, bool)> = None;
    for line in mounts.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(dash) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        let (Some(point), Some(options), Some(super_options)) = (fields.get(4), fields.get(5), fields.get(dash + 3)) else {
            continue;
        };
        let point = point.replace("\\040", " ");
        if !folder.starts_with(&point) || best.is_some_and(|(len, _)| len > point.len()) {
            continue;
        }
        let read_only = |opts: &str| opts.split(',').any(|o| o == "ro" || o == "emergency_ro");
        best = Some((point.len(), read_only(options) || read_only(super_options)));
    }
    best.is_some_and(|(_, read_only)| read_only)
}

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
            let result = driver::read_transaction(&conn, f);
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

    /// Whether the database answers a read, its filesystem is writable and has room, and,
    /// after a failed write, it takes a write.
    pub async fn ping(&self) -> CoreResult<()> {
        self.read(|tx| tx.events_after(i64::MAX, 1).map(|_| ())).await?;
        let folder = std::path::Path::new(&self.path).parent().filter(|p| !p.as_os_str().is_empty());
        let folder = folder.unwrap_or(std::path::Path::new("."));
        if read_only_mount(folder) {
            return Err(CoreError::Unavailable("the database's filesystem is read-only".into()));
        }
        if let Ok(fs) = rustix::fs::statvfs(folder) {
            let free = fs.f_bavail.saturating_mul(fs.f_frsize);
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
