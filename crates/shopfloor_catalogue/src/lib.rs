//! The script API: every `system.mes.<module>.<function>` with its parameters, permission and
//! handler, one file per script module. The HTTP dispatcher, the `GET /api/v1/script` list, the
//! OpenAPI document, the Python client and the permission matrix all come from this one table.
//!
//! A new function: a `m.function("name")…handler(…)` call in its module's file, reading its
//! arguments by the parameter names it declares ([`Args`]).

mod args;
mod customer;
mod integration;
mod location;
mod master_data_exchange;
mod material;
mod personnel;
mod production_order;
mod properties;
mod query;
mod registry;
mod role;
mod schedule;
mod security;
mod shift;
mod unit_of_measure;

pub use args::Args;
pub use registry::{Access, Answer, Catalogue, Function, Handler, Param, TxJob};
use std::sync::LazyLock;

pub static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(build);

fn build() -> Catalogue {
    let mut b = registry::Builder::default();
    production_order::register(&mut b);
    unit_of_measure::register(&mut b);
    material::register(&mut b);
    location::register(&mut b);
    customer::register(&mut b);
    personnel::register(&mut b);
    shift::register(&mut b);
    query::register(&mut b);
    security::register(&mut b);
    role::register(&mut b);
    schedule::register(&mut b);
    integration::register(&mut b);
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shopfloor_core::errors::CoreError;
    use shopfloor_core::schema::Entity;

    #[test]
    fn the_seed_functions_are_registered_with_their_permissions() {
        let save = CATALOGUE.get("productionOrder", "saveProductionOrder").unwrap();
        assert_eq!(save.permission.as_deref(), Some("PRODUCTION_ORDER.WRITE.SAVE"));
        assert!(CATALOGUE.get("productionOrder", "newProductionOrder").unwrap().permission.is_none());
        assert!(CATALOGUE.get("unitOfMeasure", "getAllUnitsOfMeasure").is_some());
    }

    #[test]
    fn positional_and_keyword_calls_bind_alike() {
        let f = CATALOGUE.get("productionOrder", "reportProduction").unwrap();
        let a = Args::bind(f, json!(["O1", 5])).unwrap();
        let b = Args::bind(f, json!({"productionOrderIdOrName": "O1", "quantity": 5})).unwrap();
        assert_eq!(a.str("productionOrderIdOrName").unwrap(), b.str("productionOrderIdOrName").unwrap());
        assert_eq!(a.json("quantity").unwrap(), b.json("quantity").unwrap());
    }

    #[test]
    fn wrong_argument_counts_and_names_are_bad_requests() {
        let f = CATALOGUE.get("productionOrder", "getProductionOrder").unwrap();
        assert!(matches!(Args::bind(f, json!([])), Err(CoreError::BadRequest(_))));
        assert!(matches!(Args::bind(f, json!(["a", "b"])), Err(CoreError::BadRequest(_))));
        assert!(matches!(Args::bind(f, json!({"nope": 1})), Err(CoreError::BadRequest(_))));
        assert!(matches!(Args::bind(f, json!("a")), Err(CoreError::BadRequest(_))));
    }

    #[test]
    fn reading_an_undeclared_parameter_is_an_internal_error_not_a_panic() {
        let f = CATALOGUE.get("productionOrder", "reportProduction").unwrap();
        let a = Args::bind(f, json!(["O1", 5])).unwrap();
        assert!(matches!(a.str("orderName"), Err(CoreError::Internal(_))));
    }

    #[test]
    fn every_entity_has_its_common_calls_named_after_its_nouns() {
        for e in Entity::ALL {
            let d = e.def();
            for name in [
                format!("new{}", d.noun),
                format!("save{}", d.noun),
                format!("validate{}", d.noun),
                format!("get{}", d.noun),
                format!("getAll{}", d.plural),
                format!("find{}", d.plural),
                format!("get{}References", d.noun),
                format!("delete{}", d.noun),
            ] {
                assert!(CATALOGUE.get(d.module, &name).is_some(), "{}.{name} is not registered", d.module);
            }
        }
    }

    #[test]
    fn reading_a_record_needs_the_permission_that_shows_its_events_in_the_feed() {
        for e in Entity::ALL {
            let d = e.def();
            let get = CATALOGUE.get(d.module, &format!("get{}", d.noun)).unwrap();
            assert_eq!(get.permission.as_deref(), Some(d.read_permission().as_str()), "{}", d.noun);
        }
    }

    #[test]
    fn every_lifecycle_verb_is_a_function() {
        for verb in shopfloor_core::lifecycle::VERBS {
            let f = CATALOGUE.get("productionOrder", verb.function).unwrap();
            assert_eq!(f.permission.as_deref(), Some(verb.permission));
        }
    }

    /// Every function name is written in the source as callers spell it, so grep finds its
    /// registration (the verbs in the core's verb table, everything else in this crate).
    #[test]
    fn every_function_name_is_spelled_out_in_the_source() {
        fn sources(dir: &std::path::Path, out: &mut String) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push_str(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut text = String::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut text);
        let verbs: Vec<&str> = shopfloor_core::lifecycle::VERBS.iter().map(|v| v.function).collect();
        for f in &CATALOGUE.functions {
            let literal = format!("\"{}\"", f.name);
            assert!(
                text.contains(&literal) || verbs.contains(&f.name.as_str()),
                "{}.{} is not spelled out in the catalogue's source",
                f.module,
                f.name
            );
        }
    }

    #[test]
    fn the_known_permissions_are_exactly_those_the_functions_need() {
        let mut known: Vec<String> = shopfloor_core::permissions::KNOWN.iter().map(|p| p.to_string()).collect();
        known.sort();
        assert_eq!(CATALOGUE.permissions(), known);
    }
}
