//! `system.mes.shift`: shift definitions and the records of shifts worked at a location.

use crate::registry::{optional, record_or_null, records, required, Builder, EntityFunctions};
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, shift};

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
    let record_json = |r: shopfloor_core::record::Record| r.to_json(Entity::ShiftRecord.def());
    m.function("startShift")
        .params([required("shiftIdOrName"), optional("locationIdOrPath")])
        .permission("SHIFT.EXECUTE")
        .writes()
        .summary("Starts a shift at a location (closing the location's active record); returns the new ACTIVE record.")
        .handler(move |tx, c, a| shift::start(tx, c, &a.str("shiftIdOrName")?, a.opt_str("locationIdOrPath")?.as_deref()).map(record_json));
    m.function("stopShift")
        .params([required("shiftIdOrName"), optional("locationIdOrPath")])
        .permission("SHIFT.EXECUTE")
        .writes()
        .summary("Stops the shift's active record; returns it CLOSED.")
        .handler(move |tx, c, a| shift::stop(tx, c, &a.str("shiftIdOrName")?, a.opt_str("locationIdOrPath")?.as_deref()).map(record_json));
    m.function("getCurrentShiftRecord")
        .params([required("locationIdOrPath")])
        .permission("SHIFT.READ.GET")
        .summary("The active shift record at the location or its nearest ancestor, or null.")
        .handler(|tx, _, a| {
            let location = entity::require_as_field(tx, Entity::Location, &a.str("locationIdOrPath")?, "locationIdOrPath")?;
            let current = match location.id() {
                Some(id) => shift::current_record(tx, id)?,
                None => None,
            };
            Ok(record_or_null(Entity::ShiftRecord, current))
        });
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
