//! `system.mes.schedule`: read-only schedule rows, one per scheduled production order, read
//! from the order itself (`service::schedule`, docs/adr/0015-role-module.md "schedule").

use crate::registry::{kwargs, Builder};
use serde_json::json;
use shopfloor_core::service::schedule;

/// The one permission of the module: schedules are only read.
const READ: &str = "SCHEDULE.READ.GET";

pub fn register(b: &mut Builder) {
    let mut m = b.module("schedule");
    m.function("findSchedules")
        .params([kwargs("queryRequest")])
        .permission(READ)
        .summary("A QueryResult of schedule rows (one per production order that is not IDLE) matching the QueryRequest.")
        .handler(|tx, _, a| schedule::find(tx, a.object("queryRequest")?));
    m.function("getSchedulePermissions")
        .summary("The permission strings of this module.")
        .handler(|_, _, _| Ok(json!([READ])));
}
