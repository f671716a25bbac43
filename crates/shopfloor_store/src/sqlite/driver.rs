//! The SQLite [`Driver`]: statements on one connection (prepared once and cached by rusqlite),
//! cells read in place, and SQLite's errors mapped to the domain.

use crate::row::{Cell, Row};
use crate::sql::{Dialect, Param};
use crate::tx::{Driver, SqlTx};
use crate::unique;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params_from_iter, Connection, ErrorCode};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::tx::Tx;

/// One SQLite connection inside an open transaction.
pub struct SqliteDriver<'c> {
    pub conn: &'c Connection,
}

/// [`Tx`] on SQLite.
pub type SqliteTx<'a, 'c> = SqlTx<'a, SqliteDriver<'c>>;

/// Maps a database error to the domain: busy / full / read-only / I/O become "unavailable",
/// anything else internal. A violated unique index needs the connection to be named: see
/// [`error`].
pub fn db_error(e: rusqlite::Error) -> CoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if matches!(
            f.code,
            ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::DiskFull
                | ErrorCode::ReadOnly
                | ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen
        ) {
            return CoreError::Unavailable(e.to_string());
        }
    }
    CoreError::Internal(e.to_string())
}

/// Maps an error of a statement run on `conn`: a violated unique index becomes what
/// `crate::unique` says its name means, anything else as [`db_error`].
pub fn error(conn: &Connection, e: rusqlite::Error) -> CoreError {
    match unique_index(conn, &e).as_deref().and_then(unique::violation) {
        Some(domain) => domain,
        None => db_error(e),
    }
}

/// The name of the unique index a failed statement violated (extended code
/// `SQLITE_CONSTRAINT_UNIQUE`; a primary key has a code of its own). SQLite names an index on
/// expressions (`index 'uq_…'`) but lists the columns of an index on plain columns
/// (`materials.material_class_id, materials.name_key`): that one is found in the schema as the
/// unique index of the table on exactly those columns, in order.
fn unique_index(conn: &Connection, e: &rusqlite::Error) -> Option<String> {
    let rusqlite::Error::SqliteFailure(f, Some(message)) = e else {
        return None;
    };
    if f.extended_code != rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE {
        return None;
    }
    let what = message.strip_prefix("UNIQUE constraint failed: ")?;
    if let Some(name) = what.strip_prefix("index '").and_then(|n| n.strip_suffix('\'')) {
        return Some(name.to_string());
    }
    let mut table = None;
    let mut columns = Vec::new();
    for qualified in what.split(", ") {
        let (t, column) = qualified.split_once('.')?;
        if *table.get_or_insert(t) != t {
            return None;
        }
        columns.push(column);
    }
    conn.query_row(
        "SELECT l.name FROM pragma_index_list(?1) l JOIN pragma_index_info(l.name) i \
         WHERE l.\"unique\" = 1 GROUP BY l.name HAVING group_concat(i.name, ',' ORDER BY i.seqno) = ?2",
        [table?, columns.join(",").as_str()],
        |r| r.get(0),
    )
    .ok()
}

/// A driver-independent parameter as SQLite's value.
fn value(p: Param) -> SqlValue {
    match p {
        Param::Null => SqlValue::Null,
        Param::Int(i) => SqlValue::Integer(i),
        Param::Real(r) => SqlValue::Real(r),
        Param::Text(s) => SqlValue::Text(s),
    }
}

impl Row for rusqlite::Row<'_> {
    fn cell(&self, i: usize) -> CoreResult<Cell<'_>> {
        Ok(match self.get_ref(i).map_err(db_error)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(v) => Cell::Int(v),
            ValueRef::Real(v) => Cell::Real(v),
            ValueRef::Text(bytes) => {
                Cell::Text(std::str::from_utf8(bytes).map_err(|e| CoreError::Internal(format!("column {i} is not UTF-8 text: {e}")))?)
            }
            ValueRef::Blob(_) => return Err(CoreError::Internal(format!("column {i} holds a blob, not a value"))),
        })
    }
}

impl Driver for SqliteDriver<'_> {
    const DIALECT: Dialect = Dialect::Sqlite;

    fn execute(&mut self, sql: &str, params: Vec<Param>) -> CoreResult<u64> {
        let conn = self.conn;
        let mut stmt = conn.prepare_cached(sql).map_err(|e| error(conn, e))?;
        let changed = stmt
            .execute(params_from_iter(params.into_iter().map(value)))
            .map_err(|e| error(conn, e))?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, params: Vec<Param>, each: &mut dyn FnMut(&dyn Row) -> CoreResult<()>) -> CoreResult<()> {
        let conn = self.conn;
        let mut stmt = conn.prepare_cached(sql).map_err(|e| error(conn, e))?;
        let mut rows = stmt
            .query(params_from_iter(params.into_iter().map(value)))
            .map_err(|e| error(conn, e))?;
        while let Some(row) = rows.next().map_err(|e| error(conn, e))? {
            each(row)?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> CoreResult<()> {
        self.conn.execute_batch(sql).map_err(|e| error(self.conn, e))
    }
}

/// Runs `f` in a deferred read transaction (one snapshot for all its statements).
pub fn read_transaction<T>(conn: &Connection, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T>) -> CoreResult<T> {
    conn.execute_batch("BEGIN").map_err(db_error)?;
    let mut driver = SqliteDriver { conn };
    let result = f(&mut SqlTx::new(&mut driver, true));
    let _ = conn.execute_batch("ROLLBACK");
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopfloor_core::errors::FieldErrors;

    fn migrated() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db").to_string_lossy().to_string();
        let mut conn = crate::sqlite::connection::open_writer(&path).unwrap();
        crate::sqlite::migrations::run(&mut conn).unwrap();
        (dir, conn)
    }

    fn field_of(e: &CoreError) -> Option<String> {
        match e {
            CoreError::Validation(FieldErrors(fields)) => fields.keys().next().cloned(),
            _ => None,
        }
    }

    /// Runs `sql` on `conn` as the stores do, its error mapped.
    fn run(conn: &Connection, sql: &str) -> CoreResult<()> {
        SqliteDriver { conn }.batch(sql)
    }

    const UNIT: &str = "INSERT INTO units_of_measure (id, name, name_key, symbol, created_date, created_by) VALUES ";
    const CLASS: &str = "INSERT INTO material_classes (id, name, name_key, path, created_date, created_by) VALUES ";
    const MATERIAL: &str =
        "INSERT INTO materials (id, name, name_key, material_class_id, unit_of_measure_id, erp_id, path, created_date, created_by) VALUES ";

    #[test]
    fn unique_indexes_are_recognised_by_name_whether_sqlite_names_them_or_their_columns() {
        let (_dir, conn) = migrated();
        run(&conn, &format!("{UNIT} ('u1', 'Each', 'each', 'ea', 0, 'x')")).unwrap();
        run(&conn, &format!("{CLASS} ('c1', 'FG', 'fg', 'FG', 0, 'x')")).unwrap();
        run(
            &conn,
            &format!("{MATERIAL} ('m1', 'Widget', 'widget', 'c1', 'u1', 'E-1', 'p', 0, 'x')"),
        )
        .unwrap();
        // Indexes on plain columns: SQLite lists the columns (`units_of_measure.name_key`).
        let e = run(&conn, &format!("{UNIT} ('u2', 'EACH', 'each', 'ea', 0, 'x')")).unwrap_err();
        assert_eq!(field_of(&e).as_deref(), Some("name"), "{e:?}");
        let e = run(
            &conn,
            &format!("{MATERIAL} ('m2', 'Widget', 'widget', 'c1', 'u1', 'E-2', 'p', 0, 'x')"),
        )
        .unwrap_err();
        assert_eq!(field_of(&e).as_deref(), Some("name"), "two columns: {e:?}");
        let e = run(
            &conn,
            &format!("{MATERIAL} ('m3', 'Gadget', 'gadget', 'c1', 'u1', 'E-1', 'p', 0, 'x')"),
        )
        .unwrap_err();
        assert_eq!(field_of(&e).as_deref(), Some("erpId"), "{e:?}");
        // An index on an expression (COALESCE(parent_id, '')): SQLite names the index.
        let e = run(&conn, &format!("{CLASS} ('c2', 'fg', 'fg', 'fg', 0, 'x')")).unwrap_err();
        assert_eq!(field_of(&e).as_deref(), Some("name"), "{e:?}");
    }

    #[test]
    fn a_primary_key_or_a_not_null_column_stays_internal() {
        let (_dir, conn) = migrated();
        run(&conn, &format!("{UNIT} ('u1', 'Each', 'each', 'ea', 0, 'x')")).unwrap();
        let e = run(&conn, &format!("{UNIT} ('u1', 'Box', 'box', 'bx', 0, 'x')")).unwrap_err();
        assert!(matches!(e, CoreError::Internal(_)), "{e:?}");
        let e = run(&conn, &format!("{UNIT} ('u2', 'Box', NULL, 'bx', 0, 'x')")).unwrap_err();
        assert!(
            matches!(e, CoreError::Internal(_)),
            "a missing name_key is no duplicate name: {e:?}"
        );
    }

    #[test]
    fn every_unique_index_of_the_schema_has_a_meaning_in_the_table() {
        let (_dir, conn) = migrated();
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE 'CREATE UNIQUE INDEX%' ORDER BY name")
            .unwrap();
        let mut in_schema: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        let mut known: Vec<String> = unique::known().map(str::to_string).collect();
        in_schema.sort();
        known.sort();
        assert_eq!(
            in_schema, known,
            "a new unique index is listed in src/unique.rs with what its violation means"
        );
    }
}
