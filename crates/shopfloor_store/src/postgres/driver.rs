//! The PostgreSQL [`Driver`]: statements on one pooled connection (prepared once per
//! connection, `pool::Conn`), parameters converted to the types PostgreSQL inferred, cells
//! read in the shapes SQLite stores, and PostgreSQL's errors mapped to the domain.

use super::pool::Conn;
use crate::row::{Cell, Row};
use crate::sql::{Dialect, Param};
use crate::tx::Driver;
use crate::unique;
use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use shopfloor_core::errors::{CoreError, CoreResult};
use std::error::Error as StdError;

/// The channel on which committing writers announce new history events to every instance.
pub const EVENTS_CHANNEL: &str = "shopfloor_events";

/// Whether the error means the database cannot serve now rather than the statement being
/// wrong: the connection is gone ([`is_dead_connection`]), the server is shutting down or
/// refusing (57P…), short of resources (class 53), or the statement ran out of time (57014,
/// statement timeout / cancel). Such errors become "unavailable".
pub fn is_connection_error(e: &postgres::Error) -> bool {
    is_dead_connection(e)
        || e.code().is_some_and(|code| {
            let c = code.code();
            c.starts_with("57P") || c.starts_with("53") || *code == SqlState::QUERY_CANCELED
        })
}

/// Whether the connection itself is gone (closed socket, server shut down or restarted), as
/// opposed to a statement that failed or timed out on a live connection: only then is a pooled
/// connection replaced and its first statement tried again.
pub fn is_dead_connection(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        // Class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now).
        Some(code) => {
            let c = code.code();
            c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03")
        }
        // No SQLSTATE: an I/O failure on the socket (not a value the driver could not convert).
        None => e.source().is_some_and(|s| s.is::<std::io::Error>()),
    }
}

/// Whether PostgreSQL ended the transaction to resolve a conflict with a concurrent one
/// (40P01 deadlock, 40001 serialization failure): the whole transaction may be run again.
pub fn is_write_collision(e: &postgres::Error) -> bool {
    e.code()
        .is_some_and(|c| *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE)
}

/// Maps a database error to the domain: a violated unique index becomes what `crate::unique`
/// says its name (the constraint PostgreSQL reports) means, lost connections and timeouts
/// "unavailable", anything else internal.
pub fn db_error(e: postgres::Error) -> CoreError {
    if let Some(db) = e.as_db_error() {
        if *db.code() == SqlState::UNIQUE_VIOLATION {
            if let Some(domain) = db.constraint().and_then(unique::violation) {
                return domain;
            }
        }
    }
    if is_connection_error(&e) {
        return CoreError::Unavailable(format!("database unavailable: {}", describe(&e)));
    }
    if is_write_collision(&e) {
        // Writers of several instances run at once: two that lock the same rows in opposite
        // orders deadlock, and PostgreSQL ends one. Nothing of it was written; the client
        // retries (503 with Retry-After, as for an outage).
        return CoreError::Unavailable(format!("the write collided with a concurrent one, retry it: {}", describe(&e)));
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

impl Row for postgres::Row {
    /// The cell whatever its column type, in the shapes SQLite stores (booleans as 0/1).
    fn cell(&self, i: usize) -> CoreResult<Cell<'_>> {
        let cell = match *self.columns()[i].type_() {
            Type::INT8 => self.try_get::<_, Option<i64>>(i).map(|v| v.map_or(Cell::Null, Cell::Int)),
            Type::INT4 => self
                .try_get::<_, Option<i32>>(i)
                .map(|v| v.map_or(Cell::Null, |v| Cell::Int(v.into()))),
            Type::INT2 => self
                .try_get::<_, Option<i16>>(i)
                .map(|v| v.map_or(Cell::Null, |v| Cell::Int(v.into()))),
            Type::BOOL => self
                .try_get::<_, Option<bool>>(i)
                .map(|v| v.map_or(Cell::Null, |v| Cell::Int(v.into()))),
            Type::FLOAT8 => self.try_get::<_, Option<f64>>(i).map(|v| v.map_or(Cell::Null, Cell::Real)),
            Type::FLOAT4 => self
                .try_get::<_, Option<f32>>(i)
                .map(|v| v.map_or(Cell::Null, |v| Cell::Real(v.into()))),
            _ => self.try_get::<_, Option<&str>>(i).map(|v| v.map_or(Cell::Null, Cell::Text)),
        };
        cell.map_err(db_error)
    }
}

fn params_of(params: &[PgParam]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn wrap(params: Vec<Param>) -> Vec<PgParam> {
    params.into_iter().map(PgParam).collect()
}

impl Conn {
    /// The cached prepared statement for `sql_text`; a failure forgets the cache (a schema
    /// change by another instance can leave cached statements stale).
    fn statement(&mut self, sql_text: &str) -> CoreResult<postgres::Statement> {
        self.prepare(sql_text).map_err(|e| {
            self.forget_statements();
            db_error(e)
        })
    }
}

impl Driver for Conn {
    const DIALECT: Dialect = Dialect::Postgres;

    fn execute(&mut self, sql: &str, params: Vec<Param>) -> CoreResult<u64> {
        let params = wrap(params);
        let stmt = self.statement(sql)?;
        self.client.execute(&stmt, &params_of(&params)).map_err(db_error)
    }

    fn query(&mut self, sql: &str, params: Vec<Param>, each: &mut dyn FnMut(&dyn Row) -> CoreResult<()>) -> CoreResult<()> {
        let params = wrap(params);
        let stmt = self.statement(sql)?;
        for row in self.client.query(&stmt, &params_of(&params)).map_err(db_error)? {
            each(&row)?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> CoreResult<()> {
        self.client.batch_execute(sql).map_err(db_error)
    }
}
