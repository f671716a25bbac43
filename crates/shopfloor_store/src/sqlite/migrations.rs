//! Embedded, numbered migrations, applied in order inside one transaction each.

use crate::StoreError;
use rusqlite::Connection;

const MIGRATIONS: &[(u32, &str)] = migrations!("sqlite");

/// Applies the missing migrations; returns the versions applied now.
pub fn run(conn: &mut Connection) -> Result<Vec<u32>, StoreError> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)")?;
    let mut applied = Vec::new();
    for (version, sql) in MIGRATIONS {
        let done: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if done {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|source| StoreError::Migration { version: *version, source })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, CAST(strftime('%s','now') AS INTEGER) * 1000)",
            [version],
        )?;
        tx.commit()?;
        applied.push(*version);
    }
    Ok(applied)
}
