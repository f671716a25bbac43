//! Append-only history events (SPEC §2.5): one per write or delete of any record, master data
//! included; `orderId` names the order when the record is one or belongs to one.

use crate::id::Id;
use crate::time::Timestamp;
use serde_json::{json, Value as Json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    Transition,
    Report,
}

impl Action {
    pub const ALL: [Action; 5] = [Action::Create, Action::Update, Action::Delete, Action::Transition, Action::Report];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "CREATE",
            Action::Update => "UPDATE",
            Action::Delete => "DELETE",
            Action::Transition => "TRANSITION",
            Action::Report => "REPORT",
        }
    }
}

/// An event before it has a sequence number.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub at: Timestamp,
    pub user: String,
    pub entity: &'static str,
    pub entity_id: Id,
    pub order_id: Option<Id>,
    pub action: Action,
    /// `{field: [old, new]}`, as JSON text (written once, by [`crate::service::generic::diff`]).
    pub changes: String,
    pub reason: Option<String>,
    /// The person (personnel `username`) who did it, when the caller named one: an operator at
    /// a shared terminal reports under the terminal's login.
    pub person: Option<String>,
}

/// A stored event, as the API returns it.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub sequence: i64,
    pub at: Timestamp,
    pub user: String,
    pub entity: String,
    pub entity_id: String,
    pub order_id: Option<String>,
    pub action: String,
    pub changes: Json,
    pub reason: Option<String>,
    pub person: Option<String>,
}

impl Event {
    pub fn to_json(&self) -> Json {
        json!({
            "sequence": self.sequence,
            "at": self.at.to_string(),
            "user": self.user,
            "entity": self.entity,
            "entityId": self.entity_id,
            "orderId": self.order_id,
            "action": self.action,
            "changes": self.changes,
            "reason": self.reason,
            "person": self.person,
        })
    }
}
