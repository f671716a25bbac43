//! Opening connections with the settings durability and correctness depend on.

use crate::StoreError;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OpenFlags};
use std::time::Duration;

/// The text-keying function (see `crate::sql::FOLD`): `shopfloor_core::name_key`, so that text
/// conditions on SQLite compare exactly the keys the services compute. Used in queries only,
/// never in the schema, so the database stays readable by any SQLite tool.
use crate::sql::FOLD;

fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(FOLD, 1, FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC, |ctx| {
        let v: Option<String> = ctx.get(0)?;
        Ok(v.map(|s| shopfloor_core::name_key::name_key(&s)))
    })
}

/// The one writer connection: WAL, `synchronous=FULL` (every commit durable), foreign keys.
pub fn open_writer(path: &str) -> Result<Connection, StoreError> {
    let err = |source| StoreError::Open {
        path: path.to_string(),
        source,
    };
    let conn = Connection::open(path).map_err(err)?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(err)?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
    conn.pragma_update(None, "synchronous", "FULL").map_err(err)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(err)?;
    conn.pragma_update(None, "temp_store", "MEMORY").map_err(err)?;
    conn.pragma_update(None, "cache_size", -65_536).map_err(err)?;
    conn.set_prepared_statement_cache_capacity(256);
    register_functions(&conn).map_err(err)?;
    Ok(conn)
}

/// A read-only connection; any write through it fails.
pub fn open_reader(path: &str) -> Result<Connection, StoreError> {
    let err = |source| StoreError::Open {
        path: path.to_string(),
        source,
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(err)?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(err)?;
    conn.set_prepared_statement_cache_capacity(256);
    register_functions(&conn).map_err(err)?;
    Ok(conn)
}
