//! `system.mes.query`: QueryRequest and FilterRequest templates and their validation.

use crate::registry::{kwargs, Builder};
use serde_json::{json, Value as Json};
use shopfloor_core::errors::FieldErrors;
use shopfloor_core::query::{self, new_filter_request, new_query_request};
use shopfloor_core::schema::{Entity, EntityDef};

pub fn register(b: &mut Builder) {
    let mut m = b.module("query");
    m.function("newQueryRequest")
        .summary("An empty QueryRequest.")
        .handler(|_, _, _| Ok(new_query_request()));
    m.function("newFilterRequest")
        .summary("An empty FilterRequest.")
        .handler(|_, _, _| Ok(new_filter_request()));
    m.function("validateQueryRequest")
        .params([kwargs("queryRequest")])
        .permission("QUERY.READ.VALIDATE")
        .summary("Checks a QueryRequest without running it; valid when some entity's find could run it (a request does not say which entity it is for). Returns {field: [messages]}.")
        .handler(|_, _, a| {
            let request = a.object("queryRequest")?;
            Ok(valid_for_some_entity(|def| query::parse_query(def, request).map(|_| ())))
        });
    m.function("validateFilterRequest")
        .params([kwargs("filterRequest")])
        .permission("QUERY.READ.VALIDATE")
        .summary("Checks a FilterRequest the same way; returns {field: [messages]}.")
        .handler(|_, _, a| {
            let filter = a.object("filterRequest")?;
            Ok(valid_for_some_entity(|def| query::parse_filter(def, filter, "").map(|_| ())))
        });
    m.permission_list("getQueryPermissions", "QUERY");
}

/// `{}` when `check` accepts the request for some entity; otherwise the fewest problems found
/// for one entity (production orders first on a tie: most queries are about them).
fn valid_for_some_entity(check: impl Fn(&EntityDef) -> Result<(), FieldErrors>) -> Json {
    let entities = std::iter::once(Entity::ProductionOrder).chain(Entity::ALL.into_iter().filter(|e| *e != Entity::ProductionOrder));
    let mut closest: Option<FieldErrors> = None;
    for entity in entities {
        match check(entity.def()) {
            Ok(()) => return json!({}),
            Err(e) if closest.as_ref().is_none_or(|c| e.0.len() < c.0.len()) => closest = Some(e),
            Err(_) => {}
        }
    }
    closest.map(|e| e.to_json()).unwrap_or_else(|| json!({}))
}
