//! `system.mes.query`: QueryRequest and FilterRequest templates and their validation.

use crate::registry::{kwargs, Builder};
use serde_json::json;
use shopfloor_core::query::{self, new_filter_request, new_query_request};
use shopfloor_core::schema::Entity;

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
        .summary("Checks a QueryRequest against production-order fields; returns {field: [messages]}.")
        .handler(|_, _, a| {
            Ok(match query::parse_query(Entity::ProductionOrder.def(), a.object("queryRequest")?) {
                Ok(_) => json!({}),
                Err(e) => e.to_json(),
            })
        });
    m.function("validateFilterRequest")
        .params([kwargs("filterRequest")])
        .permission("QUERY.READ.VALIDATE")
        .summary("Checks a FilterRequest against production-order fields; returns {field: [messages]}.")
        .handler(|_, _, a| {
            Ok(
                match query::parse_filter(Entity::ProductionOrder.def(), a.object("filterRequest")?, "") {
                    Ok(_) => json!({}),
                    Err(e) => e.to_json(),
                },
            )
        });
}
