//! Embedded, numbered migrations, applied in order inside one transaction each (with the Rust
//! step of those that have one, `crate::rekey`).

use crate::rekey::{self, KeyedRows};
use crate::sql::Dialect;
use crate::StoreError;
use rusqlite::{Connection, Transaction};

const MIGRATIONS: &[(u32, &str)] = migrations!("sqlite");

/// Applies the missing migrations; returns the versions applied now.
pub fn run(conn: &mut Connection) -> Result<Vec<u32>, StoreError> {
    run_through(conn, u32::MAX)
}

/// Applies the missing migrations up to version `last` (a database as an earlier version left it).
pub fn run_through(conn: &mut Connection, last: u32) -> Result<Vec<u32>, StoreError> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)")?;
    let mut applied = Vec::new();
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= last) {
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
        if rekey::AFTER_MIGRATIONS.contains(version) {
            rekey::run(&mut Rows(&tx))?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, CAST(strftime('%s','now') AS INTEGER) * 1000)",
            [version],
        )?;
        tx.commit()?;
        applied.push(*version);
    }
    Ok(applied)
}

/// The re-keying step's view of the migration's transaction.
struct Rows<'a, 'c>(&'a Transaction<'c>);

impl KeyedRows for Rows<'_, '_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn query(&mut self, select: &str) -> Result<Vec<Vec<Option<String>>>, StoreError> {
        let mut stmt = self.0.prepare(select)?;
        let width = stmt.column_count();
        let rows = stmt.query_map([], |r| (0..width).map(|i| r.get::<_, Option<String>>(i)).collect())?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn execute(&mut self, statement: &str, params: &[&str]) -> Result<(), StoreError> {
        self.0.prepare_cached(statement)?.execute(rusqlite::params_from_iter(params))?;
        Ok(())
    }
}
