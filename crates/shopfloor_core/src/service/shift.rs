//! Shifts and shift records: start, stop, the current record of a location (walking up the
//! tree), and records in a time window.

use crate::errors::{CoreError, CoreResult};
use crate::id::Id;
use crate::query::{Condition, FieldRef, Filter, Operand, Query, Sort};
use crate::record::{parse_time, Record, Value};
use crate::schema::Entity;
use crate::service::generic::{self, check_dates, Draft, Event, Hooks};
use crate::tx::{Caller, Tx};
use serde_json::Value as Json;

const RECORD: Entity = Entity::ShiftRecord;
const MAX_DEPTH: usize = 64;

/// Shifts have no rules beyond the catalogue's.
pub static SHIFT_HOOKS: Hooks = Hooks::plain(Entity::Shift);

pub static SHIFT_RECORD_HOOKS: Hooks = Hooks {
    save_rules: Some(record_rules),
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
    q.sort = vec![Sort {
        field: FieldRef::resolve(def, "startDate").expect("startDate"),
        descending: true,
    }];
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

/// Resolves `(shiftIdOrName, locationIdOrPath)`: a shift id alone, or a name looked up at the
/// location and then up its ancestors. Returns the shift and the location the record is for.
fn resolve(tx: &mut dyn Tx, shift: &str, location: Option<&str>) -> CoreResult<(Record, Id)> {
    let at = match location {
        Some(l) => Some(generic::require_as_field(tx, Entity::Location, l, "locationIdOrPath")?),
        None => None,
    };
    if let Some(found) = generic::lookup(tx, Entity::Shift, shift)? {
        let loc = at
            .as_ref()
            .and_then(Record::id)
            .or(found.get("locationId").as_id())
            .ok_or_else(|| CoreError::Internal("shift without location".into()))?;
        return Ok((found, loc));
    }
    let Some(at) = at else {
        return Err(CoreError::field(
            "shiftIdOrName",
            format!("no shift with id '{shift}' (give locationIdOrPath to find a shift by name)"),
        ));
    };
    let at_id = at.id().ok_or_else(|| CoreError::Internal("location without id".into()))?;
    let def = Entity::Shift.def();
    let mut cursor = Some(at_id);
    for _ in 0..MAX_DEPTH {
        let Some(loc) = cursor else { break };
        if let Some(s) = tx
            .find(
                Entity::Shift,
                &Query::eq(def, "name", Value::Text(shift.trim().into())).and_eq(def, "locationId", Value::Id(loc)),
            )?
            .into_iter()
            .next()
        {
            return Ok((s, at_id));
        }
        cursor = tx.get(Entity::Location, loc)?.and_then(|l| l.get("parentId").as_id());
    }
    Err(CoreError::field(
        "shiftIdOrName",
        format!("no shift named '{shift}' at {} or above", at.text("path").unwrap_or_default()),
    ))
}

fn close(tx: &mut dyn Tx, caller: &Caller, record: Record) -> CoreResult<Record> {
    let mut closed = record.clone();
    closed.set("status", Value::Text("CLOSED".into()));
    if closed.get("endDate").is_null() {
        closed.set("endDate", Value::Time(caller.now));
    }
    generic::write(tx, caller, &SHIFT_RECORD_HOOKS, closed, Some(record), Event::default())
}

/// `startShift(shiftIdOrName, locationIdOrPath=None)`: closes the location's active record and
/// opens a new ACTIVE one.
pub fn start(tx: &mut dyn Tx, caller: &Caller, shift: &str, location: Option<&str>) -> CoreResult<Record> {
    let (shift, loc) = resolve(tx, shift, location)?;
    if let Some(active) = active_at(tx, loc)? {
        close(tx, caller, active)?;
    }
    let mut record = Record::template(RECORD.def());
    record.set("shiftId", shift.get("id").clone());
    record.set("locationId", Value::Id(loc));
    record.set("startDate", Value::Time(caller.now));
    record.set("status", Value::Text("ACTIVE".into()));
    generic::write(tx, caller, &SHIFT_RECORD_HOOKS, record, None, Event::default())
}

/// `stopShift(shiftIdOrName, locationIdOrPath=None)`: closes the shift's active record there.
pub fn stop(tx: &mut dyn Tx, caller: &Caller, shift: &str, location: Option<&str>) -> CoreResult<Record> {
    let (shift, loc) = resolve(tx, shift, location)?;
    match active_at(tx, loc)? {
        Some(active) if active.get("shiftId") == shift.get("id") => close(tx, caller, active),
        _ => Err(CoreError::field(
            "shiftIdOrName",
            format!("shift '{}' is not running there", shift.text("name").unwrap_or_default()),
        )),
    }
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
    q.sort = vec![Sort {
        field: field("startDate"),
        descending: false,
    }];
    tx.find(RECORD, &q)
}
