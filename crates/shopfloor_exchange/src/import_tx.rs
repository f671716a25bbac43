//! The transaction the rows of an import batch run on. It counts each row's writes (to tell
//! `updated` from `unchanged`) and remembers what the rows read, so that the master data every
//! row points at (its product, unit, components, properties) is read once per batch rather
//! than a dozen times per row. A write to a kind of record forgets what was read of that kind
//! and of every kind whose derived names come through it; undoing a savepoint forgets all.
//! Nothing else writes in the transaction, so what is remembered is what the store would answer.
//!
//! It also knows every item and value of an order created in the current row: they can only
//! have been inserted through it since (the order's id is new), so the services' questions
//! about them ("how many items?", "one for this material already?") are answered without the
//! store.

use shopfloor_core::errors::CoreResult;
use shopfloor_core::history::{Event, NewEvent};
use shopfloor_core::id::Id;
use shopfloor_core::import_queue::ImportQueue;
use shopfloor_core::query::{Condition, Filter, Operand, Query};
use shopfloor_core::record::{Record, Value};
use shopfloor_core::schema::{Entity, Kind};
use shopfloor_core::tx::Tx;
use std::collections::HashMap;

/// Reads remembered at most; beyond, the memory starts again (a dry run of a big file is one
/// transaction).
const MAX_REMEMBERED: usize = 20_000;

/// Queries remembered per kind of record at most.
const MAX_FINDS: usize = 64;

/// What was read of one kind of record.
#[derive(Default)]
struct Remembered {
    gets: HashMap<Id, Option<Record>>,
    /// Found records by query (few per kind: compared one by one).
    finds: Vec<(Query, Vec<Record>)>,
}

pub struct ImportTx<'a> {
    inner: &'a mut dyn Tx,
    /// Writes since the row began or [`ImportTx::take_writes`] was last called.
    writes: u64,
    memory: HashMap<Entity, Remembered>,
    remembered: usize,
    /// Orders created in the current row, and the records inserted since that refer to them
    /// (as the store would read them back).
    new_orders: Vec<Id>,
    new_children: Vec<(Entity, Record)>,
}

impl<'a> ImportTx<'a> {
    pub fn new(inner: &'a mut dyn Tx) -> Self {
        ImportTx {
            inner,
            writes: 0,
            memory: HashMap::new(),
            remembered: 0,
            new_orders: Vec::new(),
            new_children: Vec::new(),
        }
    }

    /// A new row starts: its writes are counted from zero, and what it creates is told apart
    /// from what earlier rows created.
    pub fn begin_row(&mut self) {
        self.writes = 0;
        self.forget_new_orders();
    }

    fn forget_new_orders(&mut self) {
        self.new_orders.clear();
        self.new_children.clear();
    }

    /// Whether the field `key` of `entity` refers to a production order.
    fn order_ref(entity: Entity, key: &str) -> bool {
        entity
            .def()
            .field(key)
            .is_some_and(|f| matches!(f.kind, Kind::Ref(Entity::ProductionOrder)))
    }

    /// The records of `entity` passing `filters` when one of them names an order created in
    /// this row (all its items and values are known here); `None` when the store must answer.
    fn children_of_new_order(&self, entity: Entity, filters: &[Filter]) -> Option<Vec<&Record>> {
        let order = filters.iter().find_map(|f| match (&f.condition, &f.operand) {
            (Condition::Equals, Operand::One(Value::Id(id))) if f.field.via.is_none() && Self::order_ref(entity, f.field.key) => Some(*id),
            _ => None,
        })?;
        if !self.new_orders.contains(&order) {
            return None;
        }
        let mut out = Vec::new();
        for (_, record) in self.new_children.iter().filter(|(e, _)| *e == entity) {
            let mut all = true;
            for f in filters {
                all &= passes(record, f)?;
            }
            if all {
                out.push(record);
            }
        }
        Some(out)
    }

    /// After an insert: an order starts its row's list of children; a child of such an order
    /// joins it (or, without its derived names, makes the store answer for that order again).
    fn note_insert(&mut self, entity: Entity, record: &Record, written: Option<&Record>) {
        if entity == Entity::ProductionOrder {
            self.new_orders.extend(record.id());
            return;
        }
        let parents: Vec<Id> = entity
            .def()
            .fields
            .iter()
            .filter(|f| matches!(f.kind, Kind::Ref(Entity::ProductionOrder)))
            .filter_map(|f| record.get(f.key).as_id())
            .filter(|id| self.new_orders.contains(id))
            .collect();
        if parents.is_empty() {
            return;
        }
        match written {
            Some(w) => self.new_children.push((entity, w.clone())),
            None => self.new_orders.retain(|o| !parents.contains(o)),
        }
    }

    /// After an update or delete of a child: the lists kept here may be stale.
    fn note_change(&mut self, entity: Entity) {
        if entity != Entity::ProductionOrder {
            self.forget_new_orders();
        }
    }

    /// The writes made since the last call.
    pub fn take_writes(&mut self) -> u64 {
        std::mem::take(&mut self.writes)
    }

    fn forget_all(&mut self) {
        self.memory.clear();
        self.remembered = 0;
    }

    /// After a write to `entity`: its records, and those of kinds referring to it (their
    /// derived names and joins come through it), may read differently now.
    fn wrote(&mut self, entity: Entity) {
        self.writes += 1;
        self.memory
            .retain(|e, _| *e != entity && !e.def().fields.iter().any(|f| matches!(f.kind, Kind::Ref(t) if t == entity)));
    }

    /// `record` with its derived names taken from the remembered records they come through;
    /// `None` when one of those is not remembered.
    fn with_derived_names(&self, entity: Entity, record: &Record) -> Option<Record> {
        let def = entity.def();
        let mut out = record.clone();
        for d in &def.derived {
            let Some(via) = record.get(d.via).as_id() else {
                out.set(d.key, Value::Null);
                continue;
            };
            let Kind::Ref(target) = def.field(d.via)?.kind else { return None };
            let referenced = self.memory.get(&target)?.gets.get(&via)?.as_ref()?;
            let column = target.def().fields.iter().find(|f| f.column == d.column)?;
            out.set(d.key, referenced.get(column.key).clone());
        }
        Some(out)
    }

    /// The memory of `entity`, with room for one more read.
    fn remember(&mut self, entity: Entity) -> &mut Remembered {
        if self.remembered >= MAX_REMEMBERED {
            self.forget_all();
        }
        self.remembered += 1;
        self.memory.entry(entity).or_default()
    }

    /// [`Tx::find`] over the children of an order created in this row: unpaged, sorted by
    /// whole-number fields (ties by id, as the store sorts).
    fn children_found(&self, entity: Entity, query: &Query) -> Option<Vec<Record>> {
        if query.page.is_some()
            || query
                .sort
                .iter()
                .any(|s| s.field.via.is_some() || s.field.kind != Kind::Int || s.nulls_reversed())
        {
            return None;
        }
        let mut found: Vec<Record> = self.children_of_new_order(entity, &query.filters)?.into_iter().cloned().collect();
        found.sort_by(|a, b| {
            let by_sort = query.sort.iter().map(|s| {
                let order = a.get(s.field.key).as_int().cmp(&b.get(s.field.key).as_int());
                if s.descending {
                    order.reverse()
                } else {
                    order
                }
            });
            by_sort
                .fold(std::cmp::Ordering::Equal, std::cmp::Ordering::then)
                .then(a.id().cmp(&b.id()))
        });
        Some(found)
    }
}

/// Whether `record` passes `filter`, for the plain filters on stored whole numbers and ids
/// the services use; `None` when it cannot be told here.
fn passes(record: &Record, filter: &Filter) -> Option<bool> {
    if filter.field.via.is_some() || filter.field.property.is_some() {
        return None;
    }
    let value = record.get(filter.field.key);
    match (filter.condition, &filter.operand) {
        (Condition::Equals, Operand::One(v @ (Value::Id(_) | Value::Int(_)))) => Some(value == v),
        (Condition::GreaterThanOrEqualTo, Operand::One(Value::Int(v))) => Some(value.as_int().is_some_and(|x| x >= *v)),
        _ => None,
    }
}

impl Tx for ImportTx<'_> {
    fn get(&mut self, entity: Entity, id: Id) -> CoreResult<Option<Record>> {
        if let Some(known) = self.memory.get(&entity).and_then(|m| m.gets.get(&id)) {
            return Ok(known.clone());
        }
        let found = self.inner.get(entity, id)?;
        self.remember(entity).gets.insert(id, found.clone());
        Ok(found)
    }

    /// Not remembered: on PostgreSQL it takes the row lock, which a remembered read would skip.
    fn get_for_update(&mut self, entity: Entity, id: Id) -> CoreResult<Option<Record>> {
        self.inner.get_for_update(entity, id)
    }

    /// Read whole on a first probe: the rows' records take their derived names from it.
    fn exists(&mut self, entity: Entity, id: Id) -> CoreResult<bool> {
        if let Some(known) = self.memory.get(&entity).and_then(|m| m.gets.get(&id)) {
            return Ok(known.is_some());
        }
        Ok(self.get(entity, id)?.is_some())
    }

    fn find(&mut self, entity: Entity, query: &Query) -> CoreResult<Vec<Record>> {
        if let Some(found) = self.children_found(entity, query) {
            return Ok(found);
        }
        let known = self.memory.get(&entity).and_then(|m| m.finds.iter().find(|(q, _)| q == query));
        if let Some((_, found)) = known {
            return Ok(found.clone());
        }
        let found = self.inner.find(entity, query)?;
        let finds = &mut self.remember(entity).finds;
        if finds.len() >= MAX_FINDS {
            finds.clear();
        }
        finds.push((query.clone(), found.clone()));
        Ok(found)
    }

    fn count(&mut self, entity: Entity, filters: &[Filter]) -> CoreResult<u64> {
        if let Some(known) = self.children_of_new_order(entity, filters) {
            return Ok(known.len() as u64);
        }
        self.inner.count(entity, filters)
    }

    /// A new record is remembered as written, with its derived names when the records they
    /// come from are remembered: the services read a record back after creating it.
    fn insert(&mut self, entity: Entity, record: &Record) -> CoreResult<()> {
        self.wrote(entity);
        self.inner.insert(entity, record)?;
        let written = self.with_derived_names(entity, record);
        self.note_insert(entity, record, written.as_ref());
        if let (Some(id), Some(written)) = (record.id(), written) {
            self.remember(entity).gets.insert(id, Some(written));
        }
        Ok(())
    }

    fn update(&mut self, entity: Entity, record: &Record) -> CoreResult<()> {
        self.wrote(entity);
        self.note_change(entity);
        self.inner.update(entity, record)
    }

    fn update_fields(&mut self, entity: Entity, record: &Record, keys: &[&'static str]) -> CoreResult<()> {
        self.wrote(entity);
        self.note_change(entity);
        self.inner.update_fields(entity, record, keys)
    }

    fn delete(&mut self, entity: Entity, id: Id) -> CoreResult<()> {
        self.wrote(entity);
        self.note_change(entity);
        self.inner.delete(entity, id)
    }

    fn append_event(&mut self, event: &NewEvent) -> CoreResult<i64> {
        self.inner.append_event(event)
    }

    fn order_events(&mut self, order_id: Id) -> CoreResult<Vec<Event>> {
        self.inner.order_events(order_id)
    }

    fn events_after(&mut self, after: i64, limit: u32) -> CoreResult<Vec<Event>> {
        self.inner.events_after(after, limit)
    }

    fn savepoint(&mut self, name: &str) -> CoreResult<()> {
        self.inner.savepoint(name)
    }

    fn release(&mut self, name: &str) -> CoreResult<()> {
        self.inner.release(name)
    }

    fn rollback_to(&mut self, name: &str) -> CoreResult<()> {
        self.forget_all();
        self.forget_new_orders();
        self.inner.rollback_to(name)
    }

    fn import_queue(&mut self) -> CoreResult<&mut dyn ImportQueue> {
        self.inner.import_queue()
    }
}
