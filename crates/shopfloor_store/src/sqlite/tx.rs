//! [`Tx`] over one SQLite connection inside an open transaction.

use crate::sql::{self as gen, row_params, Dialect, Param};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, ErrorCode, Row};
use shopfloor_core::errors::{CoreError, CoreResult, FieldErrors};
use shopfloor_core::history::{Event, NewEvent};
use shopfloor_core::id::Id;
use shopfloor_core::query::{Filter, Query};
use shopfloor_core::record::{Record, Value};
use shopfloor_core::schema::{Entity, EntityDef, Kind};
use shopfloor_core::time::Timestamp;
use shopfloor_core::tx::Tx;

pub struct SqliteTx<'c> {
    pub conn: &'c Connection,
    /// The highest history sequence appended in this transaction.
    pub last_sequence: Option<i64>,
}

/// Maps a database error to the domain: unique names become field errors (by index name),
/// busy / full / read-only / I/O become "unavailable", anything else internal.
pub fn db_error(e: rusqlite::Error) -> CoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        let text = msg.clone().unwrap_or_default();
        match f.code {
            ErrorCode::ConstraintViolation if text.contains("name_key") || text.contains("uq_") && text.contains("_name") => {
                return CoreError::Validation(FieldErrors::single("name", "a record with this name already exists"));
            }
            ErrorCode::ConstraintViolation if text.contains("erp_id") => {
                return CoreError::Validation(FieldErrors::single("erpId", "this erpId is already used"));
            }
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::DiskFull
            | ErrorCode::ReadOnly
            | ErrorCode::SystemIoFailure
            | ErrorCode::CannotOpen => {
                return CoreError::Unavailable(e.to_string());
            }
            _ => {}
        }
    }
    CoreError::Internal(e.to_string())
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

/// A text column read in place (no copy until the value is built).
fn text<'r>(row: &'r Row, i: usize) -> rusqlite::Result<Option<&'r str>> {
    row.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn decode(def: &EntityDef, row: &Row) -> rusqlite::Result<Record> {
    let mut r = Record::default();
    for (i, f) in def.fields.iter().enumerate() {
        let v = match f.kind {
            Kind::Id | Kind::Ref(_) => text(row, i)?.map(|s| Id::parse(s).map(Value::Id).unwrap_or(Value::Text(s.into()))),
            Kind::Name | Kind::Text { .. } | Kind::Enum(_) => text(row, i)?.map(|s| Value::Text(s.into())),
            Kind::Real { .. } => row.get::<_, Option<f64>>(i)?.map(Value::Real),
            Kind::Int => row.get::<_, Option<i64>>(i)?.map(Value::Int),
            Kind::Bool => row.get::<_, Option<i64>>(i)?.map(|b| Value::Bool(b != 0)),
            Kind::Time => row.get::<_, Option<i64>>(i)?.map(|t| Value::Time(Timestamp(t))),
            Kind::Json => row
                .get::<_, Option<String>>(i)?
                .map(|s| Value::Json(serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))),
        };
        r.set(f.key, v.unwrap_or(Value::Null));
    }
    let n = def.fields.len();
    for (i, d) in def.derived.iter().enumerate() {
        r.set(d.key, text(row, n + i)?.map(|s| Value::Text(s.into())).unwrap_or(Value::Null));
    }
    Ok(r)
}

fn decode_event(row: &Row) -> rusqlite::Result<Event> {
    let changes: String = row.get(7)?;
    Ok(Event {
        sequence: row.get(0)?,
        at: Timestamp(row.get(1)?),
        user: row.get(2)?,
        entity: row.get(3)?,
        entity_id: row.get(4)?,
        order_id: row.get(5)?,
        action: row.get(6)?,
        changes: serde_json::from_str(&changes).unwrap_or(serde_json::Value::Null),
        reason: row.get(8)?,
    })
}

impl SqliteTx<'_> {
    fn query_records(&self, def: &EntityDef, sql_text: &str, params: Vec<Param>) -> CoreResult<Vec<Record>> {
        let mut stmt = self.conn.prepare_cached(sql_text).map_err(db_error)?;
        let rows = stmt
            .query_map(params_from_iter(params.into_iter().map(value)), |row| decode(def, row))
            .map_err(db_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
    }

    fn write_row(&mut self, entity: Entity, record: &Record, statement: &str) -> CoreResult<()> {
        let def = entity.def();
        let params = row_params(def, record);
        let mut stmt = self.conn.prepare_cached(statement).map_err(db_error)?;
        stmt.execute(params_from_iter(params.into_iter().map(value))).map_err(db_error)?;
        Ok(())
    }
}

impl Tx for SqliteTx<'_> {
    fn get(&mut self, entity: Entity, id: Id) -> CoreResult<Option<Record>> {
        let s = gen::sql(Dialect::Sqlite, entity);
        let text = format!("{} WHERE t.id = ?1", s.select);
        Ok(self.query_records(entity.def(), &text, vec![Param::Text(id.to_string())])?.pop())
    }

    fn exists(&mut self, entity: Entity, id: Id) -> CoreResult<bool> {
        let mut stmt = self
            .conn
            .prepare_cached(&gen::sql(Dialect::Sqlite, entity).exists)
            .map_err(db_error)?;
        stmt.exists([id.to_string()]).map_err(db_error)
    }

    fn find(&mut self, entity: Entity, query: &Query) -> CoreResult<Vec<Record>> {
        let mut params = Vec::new();
        let text = gen::sql(Dialect::Sqlite, entity).find(entity.def(), query, &mut params);
        self.query_records(entity.def(), &text, params)
    }

    fn count(&mut self, entity: Entity, filters: &[Filter]) -> CoreResult<u64> {
        let mut params = Vec::new();
        let text = gen::sql(Dialect::Sqlite, entity).count(entity.def(), filters, &mut params);
        let mut stmt = self.conn.prepare_cached(&text).map_err(db_error)?;
        let n: i64 = stmt
            .query_row(params_from_iter(params.into_iter().map(value)), |r| r.get(0))
            .map_err(db_error)?;
        Ok(n.max(0) as u64)
    }

    fn insert(&mut self, entity: Entity, record: &Record) -> CoreResult<()> {
        self.write_row(entity, record, &gen::sql(Dialect::Sqlite, entity).insert)
    }

    fn update_fields(&mut self, entity: Entity, record: &Record, keys: &[&'static str]) -> CoreResult<()> {
        let Some((text, params)) = gen::sql(Dialect::Sqlite, entity).update_fields(entity.def(), record, keys) else {
            return Ok(());
        };
        let mut stmt = self.conn.prepare_cached(&text).map_err(db_error)?;
        stmt.execute(params_from_iter(params.into_iter().map(value))).map_err(db_error)?;
        Ok(())
    }

    fn update(&mut self, entity: Entity, record: &Record) -> CoreResult<()> {
        self.write_row(entity, record, &gen::sql(Dialect::Sqlite, entity).update)
    }

    fn delete(&mut self, entity: Entity, id: Id) -> CoreResult<()> {
        let mut stmt = self
            .conn
            .prepare_cached(&gen::sql(Dialect::Sqlite, entity).delete)
            .map_err(db_error)?;
        stmt.execute([id.to_string()]).map_err(db_error)?;
        Ok(())
    }

    fn append_event(&mut self, e: &NewEvent) -> CoreResult<i64> {
        let mut stmt = self.conn.prepare_cached(gen::INSERT_EVENT).map_err(db_error)?;
        stmt.execute(rusqlite::params![
            e.at.millis(),
            e.user,
            e.entity,
            e.entity_id.to_string(),
            e.order_id.map(|i| i.to_string()),
            e.action.as_str(),
            e.changes,
            e.reason
        ])
        .map_err(db_error)?;
        let seq = self.conn.last_insert_rowid();
        self.last_sequence = Some(seq);
        Ok(seq)
    }

    fn order_events(&mut self, order_id: Id) -> CoreResult<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(gen::ORDER_EVENTS).map_err(db_error)?;
        let rows = stmt.query_map([order_id.to_string()], decode_event).map_err(db_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
    }

    fn events_after(&mut self, after: i64, limit: u32) -> CoreResult<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(gen::EVENTS_AFTER).map_err(db_error)?;
        let rows = stmt.query_map(rusqlite::params![after, limit], decode_event).map_err(db_error)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
    }

    fn import_queue(&mut self) -> CoreResult<&mut dyn shopfloor_core::import_queue::ImportQueue> {
        Ok(self)
    }

    fn savepoint(&mut self, name: &str) -> CoreResult<()> {
        self.conn
            .execute_batch(&format!("SAVEPOINT {}", savepoint_name(name)?))
            .map_err(db_error)
    }

    fn release(&mut self, name: &str) -> CoreResult<()> {
        self.conn
            .execute_batch(&format!("RELEASE {}", savepoint_name(name)?))
            .map_err(db_error)
    }

    fn rollback_to(&mut self, name: &str) -> CoreResult<()> {
        let name = savepoint_name(name)?;
        self.conn
            .execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))
            .map_err(db_error)?;
        // Events appended since the savepoint are gone: the change feed must not wait for them.
        if self.last_sequence.is_some() {
            let last: Option<i64> = self
                .conn
                .query_row("SELECT MAX(sequence) FROM history_events", [], |r| r.get(0))
                .map_err(db_error)?;
            self.last_sequence = last;
        }
        Ok(())
    }
}

/// Savepoint names are spliced into SQL: plain identifiers only.
fn savepoint_name(name: &str) -> CoreResult<&str> {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.starts_with(|c: char| c.is_ascii_digit()) {
        Ok(name)
    } else {
        Err(CoreError::Internal(format!("bad savepoint name '{name}'")))
    }
}

/// Runs `f` in a deferred read transaction (one snapshot for all its statements).
pub fn read_transaction<T>(conn: &Connection, f: impl FnOnce(&mut dyn Tx) -> CoreResult<T>) -> CoreResult<T> {
    conn.execute_batch("BEGIN").map_err(db_error)?;
    let mut tx = SqliteTx { conn, last_sequence: None };
    let result = f(&mut tx);
    let _ = conn.execute_batch("ROLLBACK");
    result
}
