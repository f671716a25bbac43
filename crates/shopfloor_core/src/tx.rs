//! The storage interface the services run on. A store implements it for one open transaction;
//! the services never see SQL, and every call of one service function shares that transaction.

use crate::errors::CoreResult;
use crate::history::{Event, NewEvent};
use crate::id::Id;
use crate::query::{Filter, Query};
use crate::record::Record;
use crate::schema::Entity;

pub trait Tx {
    /// The record with its derived names, or `None`.
    fn get(&mut self, entity: Entity, id: Id) -> CoreResult<Option<Record>>;
    /// Like `get`, but holds the row against concurrent writers until the transaction ends
    /// (a plain read where the store has one writer).
    fn get_for_update(&mut self, entity: Entity, id: Id) -> CoreResult<Option<Record>> {
        self.get(entity, id)
    }
    /// Whether a record with this id exists (a cheaper probe than `get`, which joins derived names).
    fn exists(&mut self, entity: Entity, id: Id) -> CoreResult<bool> {
        Ok(self.get(entity, id)?.is_some())
    }
    /// Records matching the query, sorted (ties by id) and paged as it says.
    fn find(&mut self, entity: Entity, query: &Query) -> CoreResult<Vec<Record>>;
    fn count(&mut self, entity: Entity, filters: &[Filter]) -> CoreResult<u64>;
    fn insert(&mut self, entity: Entity, record: &Record) -> CoreResult<()>;
    fn update(&mut self, entity: Entity, record: &Record) -> CoreResult<()>;
    /// Writes only the named fields of the record (so that unchanged indexed columns are not
    /// rewritten); the default writes the whole row.
    fn update_fields(&mut self, entity: Entity, record: &Record, keys: &[&'static str]) -> CoreResult<()> {
        let _ = keys;
        self.update(entity, record)
    }
    fn delete(&mut self, entity: Entity, id: Id) -> CoreResult<()>;
    /// Appends a history event; returns its sequence number.
    fn append_event(&mut self, event: &NewEvent) -> CoreResult<i64>;
    /// The events of one order, oldest first.
    fn order_events(&mut self, order_id: Id) -> CoreResult<Vec<Event>>;
    /// Up to `limit` events with a sequence greater than `after`, oldest first.
    fn events_after(&mut self, after: i64, limit: u32) -> CoreResult<Vec<Event>>;
    /// Opens a nested savepoint (`name` is a plain identifier), so that part of a transaction
    /// can be undone alone (one row of an import). Stores without savepoints refuse.
    fn savepoint(&mut self, name: &str) -> CoreResult<()> {
        let _ = name;
        Err(crate::errors::CoreError::Internal("this store has no savepoints".into()))
    }
    /// Keeps the work since the savepoint `name` (as part of the enclosing transaction).
    fn release(&mut self, name: &str) -> CoreResult<()> {
        let _ = name;
        Err(crate::errors::CoreError::Internal("this store has no savepoints".into()))
    }
    /// The import queue's tables (issue 9), where the store has them.
    fn import_queue(&mut self) -> CoreResult<&mut dyn crate::import_queue::ImportQueue> {
        Err(crate::errors::CoreError::Unavailable("this store has no import queue".into()))
    }
    /// The delivery state of webhooks (issue 20), where the store has it.
    fn delivery(&mut self) -> CoreResult<&mut dyn crate::delivery::Delivery> {
        Err(crate::errors::CoreError::Unavailable(
            "this store has no webhook delivery state".into(),
        ))
    }
    /// Undoes the work since the savepoint `name` and closes it.
    fn rollback_to(&mut self, name: &str) -> CoreResult<()> {
        let _ = name;
        Err(crate::errors::CoreError::Internal("this store has no savepoints".into()))
    }
    /// The security generation: a number the database moves forward with every change of
    /// users, roles and what authenticates a token (migration 18), whoever writes; the server's
    /// token cache keeps a resolved caller only while it stays the same.
    fn security_generation(&mut self) -> CoreResult<i64> {
        Err(crate::errors::CoreError::Unavailable(
            "this store keeps no security generation".into(),
        ))
    }
}

/// Who is calling and when: what `createdBy`, `modifiedBy` and history record, and the
/// permissions held (`None`: not restricted, as before authentication exists).
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: String,
    pub now: crate::time::Timestamp,
    pub permissions: Option<Vec<String>>,
    /// The person (personnel `username`) the call is done for, when it names one: its history
    /// events carry it (`service::personnel::acting_for`).
    pub person: Option<String>,
}

impl Caller {
    pub fn system() -> Self {
        Caller {
            user: "system".into(),
            now: crate::time::Timestamp::now(),
            permissions: None,
            person: None,
        }
    }

    /// Refuses unless the caller holds `permission` (or a prefix of it).
    pub fn require(&self, permission: &str) -> crate::errors::CoreResult<()> {
        match &self.permissions {
            None => Ok(()),
            Some(held) if held.iter().any(|h| crate::permissions::grants(h, permission)) => Ok(()),
            Some(_) => Err(crate::errors::CoreError::Forbidden {
                permission: permission.to_string(),
            }),
        }
    }
}
