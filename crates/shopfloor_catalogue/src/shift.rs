//! `system.mes.shift`: shift definitions and the records of shifts worked at a location.

use crate::args::Args;
use crate::master_data_exchange::ExchangeFunctions;
use crate::registry::{optional, record_or_null, records, required, Builder, EntityFunctions, Param};
use serde_json::{json, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::record::parse_time;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::entity;
use shopfloor_core::service::shift::{self, ShiftRef};
use shopfloor_core::time::Timestamp;
use shopfloor_exchange::master_data;

pub fn register(b: &mut Builder) {
    let mut m = b.module("shift");
    m.entity(
        Entity::Shift,
        EntityFunctions {
            new: "newShift",
            save: "saveShift",
            validate: "validateShift",
            get: "getShift",
            get_all: "getAllShifts",
            find: "findShifts",
            references: "getShiftReferences",
            delete: "deleteShift",
        },
    )
    .register();
    m.entity(
        Entity::ShiftRecord,
        EntityFunctions {
            new: "newShiftRecord",
            save: "saveShiftRecord",
            validate: "validateShiftRecord",
            get: "getShiftRecord",
            get_all: "getAllShiftRecords",
            find: "findShiftRecords",
            references: "getShiftRecordReferences",
            delete: "deleteShiftRecord",
        },
    )
    .register();
    m.permission_list("getShiftPermissions", "SHIFT");
    m.master_data_exchange(&[(
        &master_data::SHIFTS,
        ExchangeFunctions {
            import: "importShifts",
            export: "exportShifts",
            queue_size: "getShiftImportQueueSize",
            cancel_queue: "cancelShiftImportQueue",
        },
    )]);
    let record_json = |r: shopfloor_core::record::Record| r.to_json(Entity::ShiftRecord.def());
    m.function("startShift")
        .params(shift_verb_params("startDateMillis"))
        .permission("SHIFT.EXECUTE")
        .writes()
        .summary("Starts a shift — startShift(shiftId[, startDateMillis]) or startShift(locationIdOrPath, name[, startDateMillis]) — closing the location's active record unless the shift's runningConflictStrategy is THROW_EXCEPTION; returns the new ACTIVE record.")
        .handler(move |tx, c, a| {
            let (which, at) = shift_verb_call(a, "startDateMillis")?;
            shift::start(tx, c, which, at).map(record_json)
        });
    m.function("stopShift")
        .params(shift_verb_params("endDateMillis"))
        .permission("SHIFT.EXECUTE")
        .writes()
        .summary("Stops a shift — stopShift(shiftId[, endDateMillis]) or stopShift(locationIdOrPath, name[, endDateMillis]); returns its record CLOSED.")
        .handler(move |tx, c, a| {
            let (which, at) = shift_verb_call(a, "endDateMillis")?;
            shift::stop(tx, c, which, at).map(record_json)
        });
    m.overload("getShift")
        .params([required("shiftId").or("id").or("locationIdOrPath"), optional("name")])
        .permission("SHIFT.READ.GET")
        .summary("getShift(id), or getShift(locationIdOrPath, name): the shift defined there or at the nearest ancestor; null when none.")
        .handler(|tx, _, a| {
            let (first, name) = (a.str("shiftId")?, a.opt_str("name")?);
            let which = match &name {
                Some(name) => ShiftRef::AtLocation { location: &first, name },
                None => ShiftRef::Id(&first),
            };
            Ok(record_or_null(Entity::Shift, shift::get(tx, which)?))
        });
    m.overload("getAllShifts")
        .params([optional("includeDisabled")])
        .permission("SHIFT.READ.GET")
        .summary("Every enabled shift, or every shift with includeDisabled=True.")
        .handler(|tx, _, a| Ok(records(Entity::Shift, shift::shifts(tx, None, a.flag("includeDisabled")?)?)));
    m.function("getShiftsByLocation")
        .params([required("locationIdOrPath"), optional("includeDisabled")])
        .permission("SHIFT.READ.GET")
        .summary("The shifts defined at a location (enabled ones unless includeDisabled=True).")
        .handler(|tx, _, a| {
            let found = shift::shifts(tx, Some(&a.str("locationIdOrPath")?), a.flag("includeDisabled")?)?;
            Ok(records(Entity::Shift, found))
        });
    m.function("getCurrentShiftRecord")
        .params([required("locationIdOrPath"), optional("timestampMillis")])
        .permission("SHIFT.READ.GET")
        .summary(
            "The shift record in force at the location or its nearest ancestor — now (the ACTIVE one) or at timestampMillis — or null.",
        )
        .handler(|tx, _, a| {
            let found = shift::record_at(tx, &a.str("locationIdOrPath")?, a.opt_time("timestampMillis")?)?;
            Ok(record_or_null(Entity::ShiftRecord, found))
        });
    m.function("getCurrentShift")
        .params([required("locationIdOrPath"), optional("timestampMillis")])
        .permission("SHIFT.READ.GET")
        .summary("The shift of the record getCurrentShiftRecord finds, or null.")
        .handler(|tx, _, a| {
            let found = shift::shift_at(tx, &a.str("locationIdOrPath")?, a.opt_time("timestampMillis")?)?;
            Ok(record_or_null(Entity::Shift, found))
        });
    m.function("getShiftStatus")
        .params([required("id")])
        .permission("SHIFT.READ.GET")
        .summary("The status of the shift's latest record (IDLE when it never ran), or null for no such shift.")
        .handler(|tx, _, a| Ok(json!(shift::status(tx, &a.str("id")?)?)));
    m.function("getShiftRecordStatus")
        .params([required("id")])
        .permission("SHIFT.READ.GET")
        .summary("The status of the shift record, or null for no such record.")
        .handler(|tx, _, a| {
            let found = entity::lookup(tx, Entity::ShiftRecord, &a.str("id")?)?;
            Ok(json!(found.and_then(|r| r.text("status").map(str::to_string))))
        });
    m.function("reloadStateFromDB")
        .permission("SHIFT.READ.GET")
        .summary("Kept for scripts of the original API: Shopfloor reads shift state from the database on every call and evaluates no trigger expressions, so there is nothing to reload.")
        .handler(|_, _, _| Ok(Json::Null));
    m.function("getShiftRecords")
        .params([
            required("locationIdOrPath"),
            optional("startDate").or("startDateMillis"),
            optional("endDate").or("endDateMillis"),
        ])
        .permission("SHIFT.READ.GET")
        .summary("Shift records at a location overlapping the window.")
        .handler(|tx, _, a| {
            let found = shift::records(tx, &a.str("locationIdOrPath")?, a.json("startDate")?, a.json("endDate")?)?;
            Ok(records(Entity::ShiftRecord, found))
        });
}

/// The parameters of `startShift`/`stopShift`: the first names a shift id or a location, the
/// second a shift name or (in the id form) the time, the third the time.
fn shift_verb_params(time: &str) -> [Param; 3] {
    [
        required("shiftIdOrLocationIdOrPath")
            .or("shiftId")
            .or("locationIdOrPath")
            .or("shiftIdOrName"),
        optional("nameOrTime").or("name"),
        optional(time).or("timestampMillis"),
    ]
}

/// Reads the documented call forms: `(shiftId)`, `(shiftId, millis)`, `(locationIdOrPath, name)`,
/// `(locationIdOrPath, name, millis)`. A number in second place is the time of the id form.
fn shift_verb_call<'a>(a: &'a Args, time: &str) -> CoreResult<(ShiftRef<'a>, Option<Timestamp>)> {
    let first = a.json("shiftIdOrLocationIdOrPath")?.and_then(Json::as_str);
    let Some(first) = first else {
        return Err(CoreError::BadRequest(
            "the first argument must be a shift id or a location (id or path)".into(),
        ));
    };
    match a.json("nameOrTime")? {
        None => Ok((ShiftRef::Id(first), a.opt_time(time)?)),
        Some(Json::String(name)) => Ok((ShiftRef::AtLocation { location: first, name }, a.opt_time(time)?)),
        Some(millis @ Json::Number(_)) if a.json(time)?.is_none() => {
            let at = parse_time(millis).map_err(|m| CoreError::field(time, m))?;
            Ok((ShiftRef::Id(first), Some(at)))
        }
        Some(other) => Err(CoreError::field(
            "name",
            format!("must be the shift's name (or, after a shift id, epoch milliseconds), got {other}"),
        )),
    }
}
