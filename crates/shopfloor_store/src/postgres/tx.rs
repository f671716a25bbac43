//! [`Tx`] over one PostgreSQL connection inside an open transaction. The SQL comes from the
//! shared generator (`crate::sql`) in the PostgreSQL dialect; values keep the SQLite shapes
//! (epoch milliseconds, 0/1 booleans, ULID text) so both backends decode alike.

use super::pool::Conn;
use crate::sql::{self as gen, for_dialect, row_params, Dialect, EntitySql, Param};
use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::Row;
use shopfloor_core::errors::{CoreError, CoreResult, FieldErrors};
use shopfloor_core::history::{Event, NewEvent};
use shopfloor_core::id::Id;
use shopfloor_core::query::{Filter, Query};
use shopfloor_core::record::{Record, Value};
use shopfloor_core::schema::{Entity, EntityDef, Kind};
use shopfloor_core::time::Timestamp;
use shopfloor_core::tx::Tx;
use std::error::Error as StdError;

/// The channel on which committing writers announce new history events to every instance.
pub const EVENTS_CHANNEL: &str = "shopfloor_events";

pub struct PgTx<'a> {
    /// A connection inside an open transaction (begun and ended by the caller).
    pub conn: &'a mut Conn,
    /// The highest history sequence appended in this transaction.
    pub last_sequence: Option<i64>,
    /// A read transaction: rows are not locked (PostgreSQL refuses `FOR UPDATE` there, and a
    /// snapshot read needs no lock).
    pub read_only: bool,
}

/// Whether the error means the connection (or the server) is gone rather than the statement
/// being wrong: such errors become "unavailable" and the connection is not reused.
pub fn is_connection_error(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        // Class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now),
        // 53 (insufficient resources), 57014 (statement timeout / cancel).
        Some(code) => {
            let c = code.code();
            c.starts_with("08") || c.starts_with("57P") || c.starts_with("53") || *code == SqlState::QUERY_CANCELED
        }
        // No SQLSTATE: an I/O failure on the socket, or a value the driver could not convert.
        None => e.source().is_some_and(|s| s.is::<std::io::Error>()),
    }
}

/// Whether the connection itself is gone (closed socket, server shut down or restarted), as
/// opposed to a statement that failed or timed out on a live connection: only then is a pooled
/// connection replaced and its first statement tried again.
pub fn is_dead_connection(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        Some(code) => {
            let c = code.code();
            c.starts_with("08") || c == "57P01" || c == "57P02" || c == "57P03"
        }
        None => e.source().is_some_and(|s| s.is::<std::io::Error>()),
    }
}

/// Maps a database error to the domain like the SQLite backend does: unique names become field
/// errors (by index name), lost connections and timeouts "unavailable", anything else internal.
pub fn db_error(e: postgres::Error) -> CoreError {
    if let Some(db) = e.as_db_error() {
        if *db.code() == SqlState::UNIQUE_VIOLATION {
            let constraint = db.constraint().unwrap_or_default();
            if constraint.contains("erp_id") {
                return CoreError::Validation(FieldErrors::single("erpId", "this erpId is already used"));
            }
            if constraint.starts_with("uq_") && constraint.ends_with("_name") {
                return CoreError::Validation(FieldErrors::single("name", "a record with this name already exists"));
            }
        }
    }
    if is_connection_error(&e) {
        return CoreError::Unavailable(format!("database unavailable: {}", describe(&e)));
    }
    CoreError::Internal(describe(&e))
}

/// The error with its cause (the driver's own text is often just "db error").
pub fn describe(e: &postgres::Error) -> String {
    match e.source() {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    }
}

/// A driver-independent parameter, converted to whatever type PostgreSQL inferred for its
/// place in the statement (a whole number compared with a double column, and so on).
#[derive(Debug)]
pub struct PgParam(pub Param);

fn mismatch(value: &Param, ty: &Type) -> Box<dyn StdError + Sync + Send> {
    format!("cannot use {value:?} as {ty}").into()
}

impl ToSql for PgParam {
    fn to_sql(&self, ty: &Type, out: &mut postgres::types::private::BytesMut) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let text_like = matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN);
        match (&self.0, ty) {
            (Param::Null, _) => Ok(IsNull::Yes),
            (Param::Int(i), &Type::INT8) => i.to_sql(ty, out),
            (Param::Int(i), &Type::INT4) => i32::try_from(*i).map_err(|_| mismatch(&self.0, ty))?.to_sql(ty, out),
            (Param::Int(i), &Type::INT2) => i16::try_from(*i).map_err(|_| mismatch(&self.0, ty))?.to_sql(ty, out),
            (Param::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (Param::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out),
            (Param::Int(i), _) if text_like => i.to_string().to_sql(&Type::TEXT, out),
            (Param::Real(r), &Type::FLOAT8) => r.to_sql(ty, out),
            (Param::Real(r), &Type::INT8) if r.fract() == 0.0 && r.abs() < 9.0e18 => (*r as i64).to_sql(ty, out),
            (Param::Real(r), _) if text_like => r.to_string().to_sql(&Type::TEXT, out),
            (Param::Text(s), _) if text_like => s.to_sql(&Type::TEXT, out),
            (Param::Text(s), &Type::INT8) => s.parse::<i64>().map_err(|_| mismatch(&self.0, ty))?.to_sql(ty, out),
            (Param::Text(s), &Type::FLOAT8) => s.parse::<f64>().map_err(|_| mismatch(&self.0, ty))?.to_sql(ty, out),
            _ => Err(mismatch(&self.0, ty)),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// One cell, whatever its column type, in the shapes the SQLite backend decodes.
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

fn cell(row: &Row, i: usize) -> Result<Cell, postgres::Error> {
    let ty = row.columns()[i].type_().clone();
    Ok(match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map_or(Cell::Null, Cell::Int),
        Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map_or(Cell::Null, |v| Cell::Int(v.into())),
        Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map_or(Cell::Null, |v| Cell::Int(v.into())),
        Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map_or(Cell::Null, |v| Cell::Int(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map_or(Cell::Null, Cell::Real),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map_or(Cell::Null, |v| Cell::Real(v.into())),
        _ => row.try_get::<_, Option<String>>(i)?.map_or(Cell::Null, Cell::Text),
    })
}

impl Cell {
    fn text(self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Text(s) => Some(s),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Real(r) => Some(r.to_string()),
        }
    }
    fn int(self) -> Option<i64> {
        match self {
            Cell::Int(i) => Some(i),
            Cell::Real(r) => Some(r as i64),
            Cell::Text(s) => s.parse().ok(),
            Cell::Null => None,
        }
    }
    fn real(self) -> Option<f64> {
        match self {
            Cell::Real(r) => Some(r),
            Cell::Int(i) => Some(i as f64),
            Cell::Text(s) => s.parse().ok(),
            Cell::Null => None,
        }
    }
}

fn decode(def: &EntityDef, row: &Row) -> Result<Record, postgres::Error> {
    let mut r = Record::default();
    for (i, f) in def.fields.iter().enumerate() {
        let c = cell(row, i)?;
        let v = match f.kind {
            Kind::Id | Kind::Ref(_) => c.text().map(|s| Id::parse(&s).map(Value::Id).unwrap_or(Value::Text(s.into()))),
            Kind::Name | Kind::Text { .. } | Kind::Enum(_) => c.text().map(|s| Value::Text(s.into())),
            Kind::Real { .. } => c.real().map(Value::Real),
            Kind::Int => c.int().map(Value::Int),
            Kind::Bool => c.int().map(|b| Value::Bool(b != 0)),
            Kind::Time => c.int().map(|t| Value::Time(Timestamp(t))),
            Kind::Json => c
                .text()
                .map(|s| Value::Json(serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))),
        };
        r.set(f.key, v.unwrap_or(Value::Null));
    }
    let n = def.fields.len();
    for (i, d) in def.derived.iter().enumerate() {
        r.set(
            d.key,
            cell(row, n + i)?.text().map(|s| Value::Text(s.into())).unwrap_or(Value::Null),
        );
    }
    Ok(r)
}

/// [`gen::INSERT_EVENT`] answering the event's sequence number.
static INSERT_EVENT: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| for_dialect(Dialect::Postgres, gen::INSERT_EVENT).into_owned() + " RETURNING sequence");

fn decode_event(row: &Row) -> Result<Event, postgres::Error> {
    let changes: String = row.try_get(7)?;
    Ok(Event {
        sequence: row.try_get(0)?,
        at: Timestamp(row.try_get(1)?),
        user: row.try_get(2)?,
        entity: row.try_get(3)?,
        entity_id: row.try_get(4)?,
        order_id: row.try_get(5)?,
        action: row.try_get(6)?,
        changes: serde_json::from_str(&changes).unwrap_or(serde_json::Value::Null),
        reason: row.try_get(8)?,
    })
}

fn sql(entity: Entity) -> &'static EntitySql {
    gen::sql(Dialect::Postgres, entity)
}

fn params_of(params: &[PgParam]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn wrap(params: Vec<Param>) -> Vec<PgParam> {
    params.into_iter().map(PgParam).collect()
}

impl PgTx<'_> {
    /// The cached prepared statement for `sql_text`; a failure forgets the cache (a schema
    /// change by another instance can leave cached statements stale).
    pub(super) fn prepare(&mut self, sql_text: &str) -> CoreResult<postgres::Statement> {
        self.conn.prepare(sql_text).map_err(|e| {
            self.conn.forget_statements();
            db_error(e)
        })
    }

    fn query_records(&mut self, def: &EntityDef, sql_text: &str, params: Vec<Param>) -> CoreResult<Vec<Record>> {
        let params = wrap(params);
        let stmt = self.prepare(sql_text)?;
        let rows = self.conn.client.query(&stmt, &params_of(&params)).map_err(db_error)?;
        rows.iter().map(|r| decode(def, r).map_err(db_error)).collect()
    }

    fn execute(&mut self, sql_text: &str, params: Vec<Param>) -> CoreResult<u64> {
        let params = wrap(params);
        let stmt = self.prepare(sql_text)?;
        self.conn.client.execute(&stmt, &params_of(&params)).map_err(db_error)
    }

    fn events(&mut self, sql_text: &str, params: &[&(dyn ToSql + Sync)]) -> CoreResult<Vec<Event>> {
        let stmt = self.prepare(sql_text)?;
        let rows = self.conn.client.query(&stmt, params).map_err(db_error)?;
        rows.iter().map(|r| decode_event(r).map_err(db_error)).collect()
    }
}

impl Tx for PgTx<'_> {
    fn get(&mut self, entity: Entity, id: Id) -> CoreResult<Option<Record>> {
        let text = format!("{} WHERE t.id = $1", sql(entity).select);
        Ok(self.query_records(entity.def(), &text, vec![Param::Text(id.to_string())])?.pop())
    }

    /// Locks the row (`FOR UPDATE OF t`) until the transaction ends, so that a concurrent writer
    /// of another instance waits and then reads the committed result.
    fn get_for_update(&mut self, entity: Entity, id: Id) -> CoreResult<Option<Record>> {
        if self.read_only {
            return self.get(entity, id);
        }
        let text = format!("{} WHERE t.id = $1 FOR UPDATE OF t", sql(entity).select);
        Ok(self.query_records(entity.def(), &text, vec![Param::Text(id.to_string())])?.pop())
    }

    fn exists(&mut self, entity: Entity, id: Id) -> CoreResult<bool> {
        let stmt = self.prepare(&sql(entity).exists)?;
        let rows = self.conn.client.query(&stmt, &[&id.to_string()]).map_err(db_error)?;
        Ok(!rows.is_empty())
    }

    fn find(&mut self, entity: Entity, query: &Query) -> CoreResult<Vec<Record>> {
        let mut params = Vec::new();
        let text = sql(entity).find(entity.def(), query, &mut params);
        self.query_records(entity.def(), &text, params)
    }

    fn count(&mut self, entity: Entity, filters: &[Filter]) -> CoreResult<u64> {
        let mut params = Vec::new();
        let text = sql(entity).count(entity.def(), filters, &mut params);
        let params = wrap(params);
        let stmt = self.prepare(&text)?;
        let row = self.conn.client.query_one(&stmt, &params_of(&params)).map_err(db_error)?;
        let n: i64 = row.try_get(0).map_err(db_error)?;
        Ok(n.max(0) as u64)
    }

    fn insert(&mut self, entity: Entity, record: &Record) -> CoreResult<()> {
        let params = row_params(entity.def(), record);
        self.execute(&sql(entity).insert, params).map(|_| ())
    }

    fn update_fields(&mut self, entity: Entity, record: &Record, keys: &[&'static str]) -> CoreResult<()> {
        match sql(entity).update_fields(entity.def(), record, keys) {
            Some((text, params)) => self.execute(&text, params).map(|_| ()),
            None => Ok(()),
        }
    }

    fn update(&mut self, entity: Entity, record: &Record) -> CoreResult<()> {
        let params = row_params(entity.def(), record);
        self.execute(&sql(entity).update, params).map(|_| ())
    }

    fn delete(&mut self, entity: Entity, id: Id) -> CoreResult<()> {
        self.execute(&sql(entity).delete, vec![Param::Text(id.to_string())]).map(|_| ())
    }

    fn append_event(&mut self, e: &NewEvent) -> CoreResult<i64> {
        let stmt = self.prepare(&INSERT_EVENT)?;
        let row = self
            .conn
            .client
            .query_one(
                &stmt,
                &[
                    &e.at.millis(),
                    &e.user,
                    &e.entity,
                    &e.entity_id.to_string(),
                    &e.order_id.map(|i| i.to_string()),
                    &e.action.as_str(),
                    &e.changes,
                    &e.reason,
                ],
            )
            .map_err(db_error)?;
        let seq: i64 = row.try_get(0).map_err(db_error)?;
        self.last_sequence = Some(seq);
        Ok(seq)
    }

    fn order_events(&mut self, order_id: Id) -> CoreResult<Vec<Event>> {
        self.events(&for_dialect(Dialect::Postgres, gen::ORDER_EVENTS), &[&order_id.to_string()])
    }

    fn events_after(&mut self, after: i64, limit: u32) -> CoreResult<Vec<Event>> {
        self.events(&for_dialect(Dialect::Postgres, gen::EVENTS_AFTER), &[&after, &i64::from(limit)])
    }

    fn import_queue(&mut self) -> CoreResult<&mut dyn shopfloor_core::import_queue::ImportQueue> {
        Ok(self)
    }

    fn savepoint(&mut self, name: &str) -> CoreResult<()> {
        let text = format!("SAVEPOINT {}", savepoint_name(name)?);
        self.conn.client.batch_execute(&text).map_err(db_error)
    }

    fn release(&mut self, name: &str) -> CoreResult<()> {
        let text = format!("RELEASE SAVEPOINT {}", savepoint_name(name)?);
        self.conn.client.batch_execute(&text).map_err(db_error)
    }

    /// Also what makes the transaction usable again after a failed statement: PostgreSQL
    /// refuses every statement of a transaction after an error until it rolls back to a
    /// savepoint from before the error.
    fn rollback_to(&mut self, name: &str) -> CoreResult<()> {
        let name = savepoint_name(name)?;
        self.conn
            .client
            .batch_execute(&format!("ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}"))
            .map_err(db_error)?;
        // Events appended since the savepoint are gone (their sequence numbers stay unused):
        // notify the newest that remains, as the SQLite backend does.
        if self.last_sequence.is_some() {
            let stmt = self.prepare("SELECT MAX(sequence) FROM history_events")?;
            let row = self.conn.client.query_one(&stmt, &[]).map_err(db_error)?;
            self.last_sequence = row.try_get::<_, Option<i64>>(0).map_err(db_error)?;
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
