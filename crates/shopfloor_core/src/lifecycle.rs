//! The production-order lifecycle (SPEC §2.1): one transition table used by saves, verbs and
//! imports alike, and the side effects of entering a status, both applied by [`transition`]
//! only (the services reach it through `service::production_order::change_status`).

use crate::errors::{CoreError, CoreResult};
use crate::id::Id;
use crate::record::{Record, Value};
use crate::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Idle,
    Scheduled,
    Running,
    Paused,
    Stopped,
    Closed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Idle,
        Status::Scheduled,
        Status::Running,
        Status::Paused,
        Status::Stopped,
        Status::Closed,
        Status::Cancelled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Idle => "IDLE",
            Status::Scheduled => "SCHEDULED",
            Status::Running => "RUNNING",
            Status::Paused => "PAUSED",
            Status::Stopped => "STOPPED",
            Status::Closed => "CLOSED",
            Status::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The transition table: the statuses reachable from `self` in one step.
    pub fn targets(self) -> &'static [Status] {
        use Status::*;
        match self {
            Idle => &[Scheduled, Running, Cancelled],
            Scheduled => &[Idle, Running, Cancelled],
            Running => &[Paused, Stopped],
            Paused => &[Running, Stopped],
            Stopped => &[Running, Closed],
            Closed | Cancelled => &[],
        }
    }

    /// CLOSED and CANCELLED orders only accept changes to notes, enabled and spares.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::Cancelled)
    }

    /// Production may be reported while running, paused or stopped (SPEC §2.2).
    pub fn accepts_reports(self) -> bool {
        matches!(self, Status::Running | Status::Paused | Status::Stopped)
    }
}

/// A lifecycle verb of the script API: the function that moves an order to one status. The one
/// table the catalogue registers the functions from, REST's `POST …/transitions` maps a status
/// through, and the web pages read (`GET /api/v1/script`) for their buttons.
#[derive(Clone, Copy, Debug)]
pub struct Verb {
    /// The script function, as callers spell it (`system.mes.productionOrder.<function>`).
    pub function: &'static str,
    pub to: Status,
    /// The button's words on the web pages.
    pub label: &'static str,
    /// What cannot be undone, for a confirmation before it (`None`: no confirmation needed).
    pub consequence: Option<&'static str>,
    /// The permission the verb needs (also a save or import that moves an order into `to`).
    /// Each lies below `PRODUCTION_ORDER.EXECUTE`, so a role holding that prefix may do all.
    pub permission: &'static str,
}

/// Every lifecycle verb. A status the transition table lets an order enter has one verb here
/// (the test `every_enterable_status_has_one_verb` keeps the two together).
pub const VERBS: &[Verb] = &[
    Verb {
        function: "scheduleProductionOrder",
        to: Status::Scheduled,
        label: "Schedule",
        consequence: None,
        permission: "PRODUCTION_ORDER.EXECUTE.SCHEDULE",
    },
    Verb {
        function: "unscheduleProductionOrder",
        to: Status::Idle,
        label: "Unschedule",
        consequence: None,
        permission: "PRODUCTION_ORDER.EXECUTE.UNSCHEDULE",
    },
    Verb {
        function: "startProductionOrder",
        to: Status::Running,
        label: "Start",
        consequence: None,
        permission: "PRODUCTION_ORDER.EXECUTE.START",
    },
    Verb {
        function: "pauseProductionOrder",
        to: Status::Paused,
        label: "Pause",
        consequence: None,
        permission: "PRODUCTION_ORDER.EXECUTE.PAUSE",
    },
    Verb {
        function: "stopProductionOrder",
        to: Status::Stopped,
        label: "Stop",
        consequence: Some("The order stops running and gets its end date."),
        permission: "PRODUCTION_ORDER.EXECUTE.STOP",
    },
    Verb {
        function: "closeProductionOrder",
        to: Status::Closed,
        label: "Close",
        consequence: Some("A closed order accepts no more production, status or field changes (only notes)."),
        permission: "PRODUCTION_ORDER.EXECUTE.CLOSE",
    },
    Verb {
        function: "cancelProductionOrder",
        to: Status::Cancelled,
        label: "Cancel order",
        consequence: Some("A cancelled order can never run again (only notes can change)."),
        permission: "PRODUCTION_ORDER.EXECUTE.CANCEL",
    },
];

/// The verb that moves an order to `to`.
pub fn verb_to(to: Status) -> Option<&'static Verb> {
    VERBS.iter().find(|v| v.to == to)
}

/// Fields that a final order still accepts.
pub const EDITABLE_WHEN_FINAL: &[&str] = &["notes", "enabled", "spare1", "spare2", "spare3"];

/// A status change of an order: the one place where the transition table is checked and the
/// effects of entering a status are applied. `from` is the stored status, or `None` for an
/// order being created, which may start in any status (with the effects of entering it).
/// Staying in a status changes nothing. Sets `status`; `active_shift_record(location)` is asked
/// only when it matters (entering RUNNING without a shift record, at a location). A refusal is
/// an error on `status` that names the allowed targets, and leaves the order as it was.
pub fn transition(
    order: &mut Record,
    from: Option<Status>,
    to: Status,
    now: Timestamp,
    active_shift_record: impl FnOnce(Id) -> CoreResult<Option<Id>>,
) -> CoreResult<()> {
    if let Some(from) = from {
        if from == to {
            return Ok(());
        }
        check(from, to).map_err(|m| CoreError::field("status", m))?;
    }
    order.set("status", Value::Text(to.as_str().into()));
    apply_effects(order, to, now, active_shift_record)
}

/// Checks `from → to` against the table; the message names the allowed targets.
fn check(from: Status, to: Status) -> Result<(), String> {
    if from == to || from.targets().contains(&to) {
        return Ok(());
    }
    let allowed: Vec<&str> = from.targets().iter().map(|s| s.as_str()).collect();
    Err(if allowed.is_empty() {
        format!(
            "cannot change status from {} to {}: a {} order accepts no status change",
            from.as_str(),
            to.as_str(),
            from.as_str()
        )
    } else {
        format!(
            "cannot change status from {} to {}; allowed: {}",
            from.as_str(),
            to.as_str(),
            allowed.join(", ")
        )
    })
}

/// Applies the side effects of entering `to` (SPEC §2.1) on an order record.
fn apply_effects(
    order: &mut Record,
    to: Status,
    now: Timestamp,
    active_shift_record: impl FnOnce(Id) -> CoreResult<Option<Id>>,
) -> CoreResult<()> {
    match to {
        Status::Running => {
            if order.get("startDate").is_null() {
                order.set("startDate", Value::Time(now));
            }
            if let (Value::Null, Some(location)) = (order.get("shiftRecordId"), order.get("locationId").as_id()) {
                if let Some(id) = active_shift_record(location)? {
                    order.set("shiftRecordId", Value::Id(id));
                }
            }
        }
        Status::Stopped | Status::Closed | Status::Cancelled if order.get("endDate").is_null() => {
            order.set("endDate", Value::Time(now));
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_allows_exactly_the_documented_transitions() {
        use Status::*;
        let allowed = [
            (Idle, Scheduled),
            (Idle, Running),
            (Idle, Cancelled),
            (Scheduled, Idle),
            (Scheduled, Running),
            (Scheduled, Cancelled),
            (Running, Paused),
            (Running, Stopped),
            (Paused, Running),
            (Paused, Stopped),
            (Stopped, Running),
            (Stopped, Closed),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                let expected = from == to || allowed.contains(&(from, to));
                assert_eq!(check(from, to).is_ok(), expected, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn every_enterable_status_has_one_verb() {
        for to in Status::ALL {
            let enterable = Status::ALL.iter().any(|from| from.targets().contains(&to));
            let verbs = VERBS.iter().filter(|v| v.to == to).count();
            assert_eq!(verbs, usize::from(enterable), "{to:?}");
        }
    }

    #[test]
    fn a_refusal_names_the_allowed_targets() {
        let msg = check(Status::Idle, Status::Closed).unwrap_err();
        assert!(msg.contains("SCHEDULED, RUNNING, CANCELLED"), "{msg}");
    }

    fn order_in(status: Status) -> Record {
        let mut order = Record::default();
        order.set("status", Value::Text(status.as_str().into()));
        order
    }

    fn no_shift(_: Id) -> CoreResult<Option<Id>> {
        Ok(None)
    }

    #[test]
    fn entering_running_sets_the_start_date_only_once() {
        let mut order = order_in(Status::Idle);
        transition(&mut order, Some(Status::Idle), Status::Running, Timestamp(5), no_shift).unwrap();
        transition(&mut order, Some(Status::Running), Status::Paused, Timestamp(7), no_shift).unwrap();
        transition(&mut order, Some(Status::Paused), Status::Running, Timestamp(9), no_shift).unwrap();
        assert_eq!(order.get("startDate"), &Value::Time(Timestamp(5)));
        assert_eq!(order.text("status"), Some("RUNNING"));
    }

    #[test]
    fn a_refused_transition_leaves_the_order_as_it_was() {
        let mut order = order_in(Status::Idle);
        let refused = transition(&mut order, Some(Status::Idle), Status::Closed, Timestamp(5), no_shift);
        assert!(matches!(refused, Err(CoreError::Validation(e)) if e.has("status")));
        assert_eq!(order.text("status"), Some("IDLE"));
        assert!(order.get("endDate").is_null());
    }

    #[test]
    fn a_new_order_may_start_in_any_status_with_its_effects() {
        let mut order = order_in(Status::Closed);
        transition(&mut order, None, Status::Closed, Timestamp(5), no_shift).unwrap();
        assert_eq!(order.get("endDate"), &Value::Time(Timestamp(5)));
    }

    #[test]
    fn entering_running_at_a_location_takes_its_active_shift_record() {
        let (location, shift_record) = (Id::generate(), Id::generate());
        let mut order = order_in(Status::Scheduled);
        order.set("locationId", Value::Id(location));
        let asked = |at: Id| Ok(Some(shift_record).filter(|_| at == location));
        transition(&mut order, Some(Status::Scheduled), Status::Running, Timestamp(5), asked).unwrap();
        assert_eq!(order.get("shiftRecordId"), &Value::Id(shift_record));
    }

    #[test]
    fn staying_in_a_status_changes_nothing() {
        let mut order = order_in(Status::Stopped);
        transition(&mut order, Some(Status::Stopped), Status::Stopped, Timestamp(5), no_shift).unwrap();
        assert!(order.get("endDate").is_null());
    }
}
