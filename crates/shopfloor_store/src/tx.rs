//! [`Tx`] written once for both backends, over a [`Driver`]: what one open transaction on one
//! connection can do (run a statement with parameters, run a query and hand over its rows, run
//! plain statements). The SQL comes from the shared generator (`crate::sql`) in the driver's
//! dialect; rows are decoded by `crate::row`; the import queue's half is in
//! `crate::import_queue`. Each backend keeps only its driver: binding parameters, reading
//! cells and mapping its errors (`sqlite/driver.rs`, `postgres/driver.rs`).

use crate::row::{self, Row};
use crate::sql::{self as gen, for_dialect, row_params, Dialect, EntitySql, Param};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::history::{Event, NewEvent};
use shopfloor_core::id::Id;
use shopfloor_core::query::{Filter, Query};
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_core::tx::Tx;

/// One connection inside an open transaction (begun and ended by the caller). Errors come back
/// already mapped to the domain (unique names, unavailability), see `crate::unique`.
pub trait Driver {
    const DIALECT: Dialect;
    /// Runs one statement; the number of rows it changed.
    fn execute(&mut self, sql: &str, params: Vec<Param>) -> CoreResult<u64>;
    /// Runs one query, handing each row to `each` in turn.
    fn query(&mut self, sql: &str, params: Vec<Param>, each: &mut dyn FnMut(&dyn Row) -> CoreResult<()>) -> CoreResult<()>;
    /// Runs statements that take no parameters (savepoints).
    fn batch(&mut self, sql: &str) -> CoreResult<()>;
}

pub struct SqlTx<'a, D: Driver> {
    pub driver: &'a mut D,
    /// The highest history sequence appended in this transaction.
    pub last_sequence: Option<i64>,
    /// A read transaction: rows are not locked (PostgreSQL refuses `FOR UPDATE` there, and a
    /// snapshot read needs no lock).
    pub read_only: bool,
    /// The change feed's horizon when the transaction began (PostgreSQL, `postgres/feed.rs`):
    /// feed readers see no event above it, since a concurrent writer may still commit one
    /// below a higher visible sequence. `None`: every committed event counts (SQLite's one
    /// writer commits sequences in order).
    pub horizon: Option<i64>,
}

impl<'a, D: Driver> SqlTx<'a, D> {
    pub fn new(driver: &'a mut D, read_only: bool) -> Self {
        SqlTx {
            driver,
            last_sequence: None,
            read_only,
            horizon: None,
        }
    }

    fn sql(entity: Entity) -> &'static EntitySql {
        gen::sql(D::DIALECT, entity)
    }

    /// The rows of a query, each decoded by `decode`.
    pub(crate) fn rows<T>(&mut self, sql: &str, params: Vec<Param>, decode: impl Fn(&dyn Row) -> CoreResult<T>) -> CoreResult<Vec<T>> {
        let mut out = Vec::new();
        self.driver.query(sql, params, &mut |row| {
            out.push(decode(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first column of the first row as a whole number (`None`: no row, or null).
    pub(crate) fn number(&mut self, sql: &str, params: Vec<Param>) -> CoreResult<Option<i64>> {
        Ok(self.rows(sql, params, |r| row::opt_int(r, 0))?.into_iter().next().flatten())
    }

    pub(crate) fn execute(&mut self, sql: &str, params: Vec<Param>) -> CoreResult<u64> {
        self.driver.execute(sql, params)
    }

    fn records(&mut self, entity: Entity, sql: &str, params: Vec<Param>) -> CoreResult<Vec<Record>> {
        let def = entity.def();
        self.rows(sql, params, |r| row::record(def, r))
    }

    /// The record with this id, its row locked (`lock`) until the transaction ends.
    fn by_id(&mut self, entity: Entity, id: Id, lock: Option<String>) -> CoreResult<Option<Record>> {
        let mut text = format!("{} WHERE t.id = {}", Self::sql(entity).select, D::DIALECT.mark(1));
        if let Some(lock) = lock {
            text.push(' ');
            text.push_str(&lock);
        }
        Ok(self.records(entity, &text, vec![Param::Text(id.to_string())])?.pop())
    }

    /// The row lock a write transaction takes on rows it reads to change (`None`: none needed).
    pub(crate) fn row_lock(&self, alias: &str) -> Option<String> {
        if self.read_only {
            None
        } else {
            D::DIALECT.row_lock(alias)
        }
    }
}

impl<D: Driver> Tx for SqlTx<'_, D> {
    fn get(&mut self, entity: Entity, id: Id) -> CoreResult<Option<Record>> {
        self.by_id(entity, id, None)
    }

    /// Locks the row where the backend has writers of several instances (PostgreSQL:
    /// `FOR UPDATE OF t`), so that a concurrent writer waits and then reads the committed result.
    fn get_for_update(&mut self, entity: Entity, id: Id) -> CoreResult<Option<Record>> {
        let lock = self.row_lock("t");
        self.by_id(entity, id, lock)
    }

    fn exists(&mut self, entity: Entity, id: Id) -> CoreResult<bool> {
        let found = self.rows(&Self::sql(entity).exists, vec![Param::Text(id.to_string())], |_| Ok(()))?;
        Ok(!found.is_empty())
    }

    fn find(&mut self, entity: Entity, query: &Query) -> CoreResult<Vec<Record>> {
        let mut params = Vec::new();
        let text = Self::sql(entity).find(entity.def(), query, &mut params);
        self.records(entity, &text, params)
    }

    fn count(&mut self, entity: Entity, filters: &[Filter]) -> CoreResult<u64> {
        let mut params = Vec::new();
        let text = Self::sql(entity).count(entity.def(), filters, &mut params);
        Ok(self.number(&text, params)?.unwrap_or(0).max(0) as u64)
    }

    fn security_generation(&mut self) -> CoreResult<i64> {
        self.number("SELECT generation FROM security_generations WHERE id = 1", Vec::new())?
            .ok_or_else(|| CoreError::Internal("the security generation row is missing".into()))
    }

    fn insert(&mut self, entity: Entity, record: &Record) -> CoreResult<()> {
        let params = row_params(entity.def(), record);
        self.execute(&Self::sql(entity).insert, params).map(|_| ())
    }

    fn update_fields(&mut self, entity: Entity, record: &Record, keys: &[&'static str]) -> CoreResult<()> {
        match Self::sql(entity).update_fields(entity.def(), record, keys) {
            Some((text, params)) => self.execute(&text, params).map(|_| ()),
            None => Ok(()),
        }
    }

    fn update(&mut self, entity: Entity, record: &Record) -> CoreResult<()> {
        let params = row_params(entity.def(), record);
        self.execute(&Self::sql(entity).update, params).map(|_| ())
    }

    fn delete(&mut self, entity: Entity, id: Id) -> CoreResult<()> {
        self.execute(&Self::sql(entity).delete, vec![Param::Text(id.to_string())])
            .map(|_| ())
    }

    fn append_event(&mut self, e: &NewEvent) -> CoreResult<i64> {
        let params = vec![
            Param::Int(e.at.millis()),
            Param::from(e.user.as_str()),
            Param::from(e.entity),
            Param::Text(e.entity_id.to_string()),
            Param::from(e.order_id.map(|i| i.to_string())),
            Param::from(e.action.as_str()),
            Param::from(e.changes.as_str()),
            Param::from(e.reason.clone()),
            Param::from(e.person.clone()),
        ];
        let sequence = self
            .number(&for_dialect(D::DIALECT, gen::INSERT_EVENT), params)?
            .ok_or_else(|| CoreError::Internal("appending an event returned no sequence".into()))?;
        self.last_sequence = Some(sequence);
        Ok(sequence)
    }

    fn order_events(&mut self, order_id: Id) -> CoreResult<Vec<Event>> {
        let text = for_dialect(D::DIALECT, gen::ORDER_EVENTS);
        self.rows(&text, vec![Param::Text(order_id.to_string())], row::event)
    }

    fn events_after(&mut self, after: i64, limit: u32) -> CoreResult<Vec<Event>> {
        let text = for_dialect(D::DIALECT, gen::EVENTS_AFTER);
        let mut events = self.rows(&text, vec![Param::Int(after), Param::Int(limit.into())], row::event)?;
        if let Some(horizon) = self.horizon {
            // In sequence order: what is above the horizon is a tail.
            events.retain(|e| e.sequence <= horizon);
        }
        Ok(events)
    }

    fn import_queue(&mut self) -> CoreResult<&mut dyn shopfloor_core::import_queue::ImportQueue> {
        Ok(self)
    }

    fn delivery(&mut self) -> CoreResult<&mut dyn shopfloor_core::delivery::Delivery> {
        Ok(self)
    }

    fn savepoint(&mut self, name: &str) -> CoreResult<()> {
        self.driver.batch(&format!("SAVEPOINT {}", savepoint_name(name)?))
    }

    fn release(&mut self, name: &str) -> CoreResult<()> {
        self.driver.batch(&format!("RELEASE SAVEPOINT {}", savepoint_name(name)?))
    }

    /// Also what makes a PostgreSQL transaction usable again after a failed statement: it
    /// refuses every statement of a transaction after an error until it rolls back to a
    /// savepoint from before the error.
    fn rollback_to(&mut self, name: &str) -> CoreResult<()> {
        let name = savepoint_name(name)?;
        self.driver
            .batch(&format!("ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}"))?;
        // Events appended since the savepoint are gone (on PostgreSQL their sequence numbers
        // stay unused): the change feed must announce the newest that remains, not wait for them.
        if self.last_sequence.is_some() {
            self.last_sequence = self.number("SELECT MAX(sequence) FROM history_events", Vec::new())?;
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
