//! The production-order lifecycle (SPEC §2.1): one transition table used by saves, verbs and
//! imports alike, and the side effects of entering a status.

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

    pub fn as_str(self) -> &'static str {
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

/// Fields that a final order still accepts.
pub const EDITABLE_WHEN_FINAL: &[&str] = &["notes", "enabled", "spare1", "spare2", "spare3"];

/// Checks `from → to` against the table; the message names the allowed targets.
pub fn check(from: Status, to: Status) -> Result<(), String> {
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
/// `active_shift_record` is asked only when it matters.
pub fn apply_effects(order: &mut Record, to: Status, now: Timestamp, active_shift_record: impl FnOnce() -> Option<Id>) {
    match to {
        Status::Running => {
            if order.get("startDate").is_null() {
                order.set("startDate", Value::Time(now));
            }
            if order.get("shiftRecordId").is_null() {
                if let Some(id) = active_shift_record() {
                    order.set("shiftRecordId", Value::Id(id));
                }
            }
        }
        Status::Stopped | Status::Closed | Status::Cancelled if order.get("endDate").is_null() => {
            order.set("endDate", Value::Time(now));
        }
        _ => {}
    }
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
    fn a_refusal_names_the_allowed_targets() {
        let msg = check(Status::Idle, Status::Closed).unwrap_err();
        assert!(msg.contains("SCHEDULED, RUNNING, CANCELLED"), "{msg}");
    }

    #[test]
    fn entering_running_sets_the_start_date_only_once() {
        let mut order = Record::default();
        apply_effects(&mut order, Status::Running, Timestamp(5), || None);
        apply_effects(&mut order, Status::Running, Timestamp(9), || None);
        assert_eq!(order.get("startDate"), &Value::Time(Timestamp(5)));
    }
}
