//! The definition of webhooks (issue 20): where committed history events are POSTed. The
//! secret that signs each delivery is stored (it must be, to sign) but never answered: the field
//! is hidden, and `saveWebhook` takes it apart from the record's fields.

use super::fields::{f, fields, hidden, req, TEXT};
use super::types::{Entity::*, EntityDef, Kind, Lookup, UniqueName};

/// Longest webhook URL accepted.
pub const URL_MAX: usize = 2000;

pub(super) fn webhook() -> EntityDef {
    EntityDef {
        entity: Webhook,
        noun: "Webhook",
        plural: "Webhooks",
        label: "webhook",
        module: "integration",
        permission_prefix: "INTEGRATION",
        table: "webhooks",
        rest: "webhooks",
        unique_name: UniqueName::Global,
        lookup: Lookup::Name,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            req("url", "url", Kind::Text { max: URL_MAX }),
            f("entities", "entities", Kind::Json),
            f("actions", "actions", Kind::Json),
            hidden("secret", "secret", TEXT),
        ]),
        derived: vec![],
        aliases: &[],
        params: None,
    }
}
