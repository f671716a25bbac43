//! Shifts and shift records: start, stop, the current record of a location (walking up the
//! tree), and records in a time window.

use crate::errors::{CoreError, CoreResult};
use crate::id::Id;
use crate::query::{Condition, FieldRef, Filter, Operand, Query, Sort};
use crate::record::{parse_time, Record, Value};
use crate::schema::Entity;
use crate::service::generic::{self, check_dates, Draft, Event, Hooks};
use crate::time::Timestamp;
use crate::tx::{Caller, Tx};
use serde_json::Value as Json;

const RECORD: Entity = Entity::ShiftRecord;
const MAX_DEPTH: usize = 64;

/// Shifts have no rules beyond the catalogue's.
pub static SHIFT_HOOKS: Hooks = Hooks::plain(Entity::Shift);

pub static SHIFT_RECORD_HOOKS: Hooks = Hooks {
    save_rules: Some(record_rules),
    after_write: Some(track_current),
    ..Hooks::plain(RECORD)
};

/// A shift record does not end before it starts.
fn record_rules(_: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    check_dates(&draft.record, "startDate", "endDate", &mut draft.errors);
    Ok(())
}

fn active_at(tx: &mut dyn Tx, location: Id) -> CoreResult<Option<Record>> {
    let def = RECORD.def();
    let mut q = Query::eq(def, "locationId", Value::Id(location)).and_eq(def, "status", Value::Text("ACTIVE".into()));
    q.sort = vec![Sort::new(FieldRef::resolve(def, "startDate").expect("startDate"), true)];
    Ok(tx.find(RECORD, &q)?.into_iter().next())
}

/// The active shift record at `location` or the nearest ancestor that has one.
pub fn current_record(tx: &mut dyn Tx, location: Id) -> CoreResult<Option<Record>> {
    let mut cursor = Some(location);
    for _ in 0..MAX_DEPTH {
        let Some(loc) = cursor else { break };
        if let Some(r) = active_at(tx, loc)? {
            return Ok(Some(r));
        }
        cursor = tx.get(Entity::Location, loc)?.and_then(|l| l.get("parentId").as_id());
    }
    Ok(None)
}

pub fn current_record_id(tx: &mut dyn Tx, location: Id) -> CoreResult<Option<Id>> {
    Ok(current_record(tx, location)?.and_then(|r| r.id()))
}

/// Keeps each shift's `currentRecordId` on its ACTIVE record, whichever way a record is written
/// (`startShift`, `stopShift`, `saveShiftRecord`). It is the server's state, not an edit of the
/// shift: no version change, no history event.
fn track_current(tx: &mut dyn Tx, _: &Caller, _: Entity, record: &Record, before: Option<&Record>) -> CoreResult<()> {
    let id = record.get("id").clone();
    let active = record.text("status") == Some("ACTIVE");
    let moved_from = before
        .and_then(|b| b.get("shiftId").as_id())
        .filter(|old| Some(*old) != record.get("shiftId").as_id());
    for (shift_id, is_current) in [(record.get("shiftId").as_id(), active), (moved_from, false)] {
        let Some(mut shift) = shift_id.map(|s| tx.get(Entity::Shift, s)).transpose()?.flatten() else {
            continue;
        };
        let pointer = match (is_current, shift.get("currentRecordId") == &id) {
            (true, false) => id.clone(),
            (false, true) => Value::Null,
            _ => continue,
        };
        shift.set("currentRecordId", pointer);
        tx.update_fields(Entity::Shift, &shift, &["currentRecordId"])?;
    }
    Ok(())
}

/// Which shift a `startShift`/`stopShift`/`getShift` call names, in the documented forms.
#[derive(Clone, Copy, Debug)]
pub enum ShiftRef<'a> {
    /// `(shiftId)`: the shift with that id, at its own location.
    Id(&'a str),
    /// `(locationIdOrPath, name)`: the shift of that name defined at the location or the
    /// nearest ancestor that has one (or the shift with that id), run at the given location.
    AtLocation { location: &'a str, name: &'a str },
}

/// The shift a call names and the location its record is for; `None` when there is no such
/// shift. An unknown location is an error naming `locationIdOrPath`.
fn find_shift(tx: &mut dyn Tx, which: ShiftRef) -> CoreResult<Option<(Record, Id)>> {
    let (location, name) = match which {
        ShiftRef::Id(id) => return Ok(generic::lookup(tx, Entity::Shift, id)?.and_then(|s| s.get("locationId").as_id().map(|l| (s, l)))),
        ShiftRef::AtLocation { location, name } => (location, name),
    };
    let at = generic::require_as_field(tx, Entity::Location, location, "locationIdOrPath")?;
    let at_id = at.id().ok_or_else(|| CoreError::Internal("location without id".into()))?;
    if let Some(by_id) = generic::lookup(tx, Entity::Shift, name)? {
        return Ok(Some((by_id, at_id)));
    }
    let def = Entity::Shift.def();
    let mut cursor = Some(at_id);
    for _ in 0..MAX_DEPTH {
        let Some(loc) = cursor else { break };
        let named_here = Query::eq(def, "name", Value::Text(name.trim().into())).and_eq(def, "locationId", Value::Id(loc));
        if let Some(s) = tx.find(Entity::Shift, &named_here)?.into_iter().next() {
            return Ok(Some((s, at_id)));
        }
        cursor = tx.get(Entity::Location, loc)?.and_then(|l| l.get("parentId").as_id());
    }
    Ok(None)
}

/// Like [`find_shift`], but a missing shift is an error naming the argument.
fn require_shift(tx: &mut dyn Tx, which: ShiftRef) -> CoreResult<(Record, Id)> {
    find_shift(tx, which)?.ok_or_else(|| match which {
        ShiftRef::Id(id) => CoreError::field("shiftId", format!("no shift with id '{id}'")),
        ShiftRef::AtLocation { location, name } => CoreError::field("name", format!("no shift named '{name}' at '{location}' or above it")),
    })
}

/// `getShift(id)` · `getShift(locationIdOrPath, name)`.
pub fn get(tx: &mut dyn Tx, which: ShiftRef) -> CoreResult<Option<Record>> {
    Ok(find_shift(tx, which)?.map(|(shift, _)| shift))
}

fn close(tx: &mut dyn Tx, caller: &Caller, record: Record, at: Timestamp) -> CoreResult<Record> {
    let mut closed = record.clone();
    closed.set("status", Value::Text("CLOSED".into()));
    if closed.get("endDate").is_null() {
        closed.set("endDate", Value::Time(at));
    }
    generic::write(tx, caller, &SHIFT_RECORD_HOOKS, closed, Some(record), Event::default())
}

/// `startShift(shiftId[, startDateMillis])` · `startShift(locationIdOrPath, name[, startDateMillis])`:
/// opens an ACTIVE record. Another record active at the location is closed first, or — when the
/// shift's `runningConflictStrategy` is `THROW_EXCEPTION` — the start is refused.
pub fn start(tx: &mut dyn Tx, caller: &Caller, which: ShiftRef, at: Option<Timestamp>) -> CoreResult<Record> {
    let (shift, loc) = require_shift(tx, which)?;
    let at = at.unwrap_or(caller.now);
    if let Some(active) = active_at(tx, loc)? {
        if shift.text("runningConflictStrategy") == Some("THROW_EXCEPTION") {
            let running = match active.get("shiftId").as_id() {
                Some(id) => tx.get(Entity::Shift, id)?.and_then(|s| s.text("name").map(str::to_string)),
                None => None,
            };
            return Err(CoreError::field(
                "runningConflictStrategy",
                format!(
                    "shift '{}' is running here; stop it first (this shift's runningConflictStrategy is THROW_EXCEPTION)",
                    running.unwrap_or_default()
                ),
            ));
        }
        close(tx, caller, active, at)?;
    }
    let mut record = Record::template(RECORD.def());
    record.set("shiftId", shift.get("id").clone());
    record.set("locationId", Value::Id(loc));
    record.set("startDate", Value::Time(at));
    record.set("status", Value::Text("ACTIVE".into()));
    generic::write(tx, caller, &SHIFT_RECORD_HOOKS, record, None, Event::default())
}

/// `stopShift(shiftId[, endDateMillis])` · `stopShift(locationIdOrPath, name[, endDateMillis])`:
/// closes the shift's active record there.
pub fn stop(tx: &mut dyn Tx, caller: &Caller, which: ShiftRef, at: Option<Timestamp>) -> CoreResult<Record> {
    let (shift, loc) = require_shift(tx, which)?;
    let at = at.unwrap_or(caller.now);
    match active_at(tx, loc)? {
        Some(active) if active.get("shiftId") == shift.get("id") => close(tx, caller, active, at),
        _ => Err(CoreError::field(
            "name",
            format!("shift '{}' is not running there", shift.text("name").unwrap_or_default()),
        )),
    }
}

/// `getCurrentShiftRecord(locationIdOrPath[, timestampMillis])`: without a time, the ACTIVE record
/// at the location or its nearest ancestor; with one, the record that was running then (started
/// at or before it, not ended before it), again walking up the tree.
pub fn record_at(tx: &mut dyn Tx, location: &str, at: Option<Timestamp>) -> CoreResult<Option<Record>> {
    let loc = generic::require_as_field(tx, Entity::Location, location, "locationIdOrPath")?;
    let Some(loc) = loc.id() else { return Ok(None) };
    let Some(at) = at else {
        return current_record(tx, loc);
    };
    let def = RECORD.def();
    let field = |k| FieldRef::resolve(def, k).expect("shift record field");
    let mut cursor = Some(loc);
    for _ in 0..MAX_DEPTH {
        let Some(here) = cursor else { break };
        let mut q = Query::eq(def, "locationId", Value::Id(here));
        q.filters.push(Filter {
            field: field("startDate"),
            condition: Condition::LessThanOrEqualTo,
            operand: Operand::One(Value::Time(at)),
        });
        q.sort = vec![Sort::new(field("startDate"), true)];
        let running = tx
            .find(RECORD, &q)?
            .into_iter()
            .find(|r| r.get("endDate").as_time().is_none_or(|end| end >= at));
        if running.is_some() {
            return Ok(running);
        }
        cursor = tx.get(Entity::Location, here)?.and_then(|l| l.get("parentId").as_id());
    }
    Ok(None)
}

/// `getCurrentShift(locationIdOrPath[, timestampMillis])`: the shift of that record.
pub fn shift_at(tx: &mut dyn Tx, location: &str, at: Option<Timestamp>) -> CoreResult<Option<Record>> {
    match record_at(tx, location, at)?.and_then(|r| r.get("shiftId").as_id()) {
        Some(shift) => tx.get(Entity::Shift, shift),
        None => Ok(None),
    }
}

/// `getShiftStatus(id)`: the status of the shift's latest record; `IDLE` for a shift that never
/// ran, `None` for no such shift.
pub fn status(tx: &mut dyn Tx, shift: &str) -> CoreResult<Option<String>> {
    let Some(id) = generic::lookup(tx, Entity::Shift, shift)?.and_then(|s| s.id()) else {
        return Ok(None);
    };
    let def = RECORD.def();
    let mut q = Query::eq(def, "shiftId", Value::Id(id));
    q.sort = vec![Sort::new(FieldRef::resolve(def, "startDate").expect("startDate"), true)];
    let latest = tx.find(RECORD, &q)?.into_iter().next();
    Ok(Some(
        latest
            .and_then(|r| r.text("status").map(str::to_string))
            .unwrap_or_else(|| "IDLE".into()),
    ))
}

/// `getAllShifts([includeDisabled])` · `getShiftsByLocation(locationIdOrPath[, includeDisabled])`:
/// shifts (defined at the location, when one is given), enabled ones only unless asked.
pub fn shifts(tx: &mut dyn Tx, location: Option<&str>, include_disabled: bool) -> CoreResult<Vec<Record>> {
    let def = Entity::Shift.def();
    let mut q = Query::default();
    if let Some(location) = location {
        let loc = generic::require_as_field(tx, Entity::Location, location, "locationIdOrPath")?;
        q = Query::eq(def, "locationId", loc.get("id").clone());
    }
    if !include_disabled {
        q = q.and_eq(def, "enabled", Value::Bool(true));
    }
    q.sort = vec![Sort::new(FieldRef::resolve(def, "name").expect("name"), false)];
    tx.find(Entity::Shift, &q)
}

/// `getShiftRecords(locationIdOrPath, startDate=None, endDate=None)`: records at the location
/// that overlap the window, oldest first.
pub fn records(tx: &mut dyn Tx, location: &str, start: Option<&Json>, end: Option<&Json>) -> CoreResult<Vec<Record>> {
    let loc = generic::require_as_field(tx, Entity::Location, location, "locationIdOrPath")?;
    let def = RECORD.def();
    let field = |k| FieldRef::resolve(def, k).expect("shift record field");
    let mut q = Query::eq(def, "locationId", loc.get("id").clone());
    let parse = |j: Option<&Json>, name: &str| -> CoreResult<Option<Value>> {
        match j {
            None | Some(Json::Null) => Ok(None),
            Some(v) => parse_time(v).map(|t| Some(Value::Time(t))).map_err(|m| CoreError::field(name, m)),
        }
    };
    if let Some(end) = parse(end, "endDate")? {
        q.filters.push(Filter {
            field: field("startDate"),
            condition: Condition::LessThanOrEqualTo,
            operand: Operand::One(end),
        });
    }
    if let Some(start) = parse(start, "startDate")? {
        // Still running, or ended inside or after the window.
        let open = tx.find(
            RECORD,
            &Query {
                filters: [q.filters.clone(), vec![Query::is_null(def, "endDate")]].concat(),
                ..Query::default()
            },
        )?;
        q.filters.push(Filter {
            field: field("endDate"),
            condition: Condition::GreaterThanOrEqualTo,
            operand: Operand::One(start),
        });
        let mut closed = tx.find(RECORD, &q)?;
        closed.extend(open);
        closed.sort_by_key(|r| (r.get("startDate").as_time(), r.id()));
        return Ok(closed);
    }
    q.sort = vec![Sort::new(field("startDate"), false)];
    tx.find(RECORD, &q)
}
