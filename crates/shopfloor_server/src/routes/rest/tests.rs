//! The route table against what is built from it: the router, the OpenAPI document and the
//! permissions.

use super::*;
use crate::routes::openapi;
use shopfloor_core::lifecycle::VERBS;
use std::collections::BTreeSet;

/// Paths of the document that are not REST resources of the table.
fn other_surface(path: &str) -> bool {
    path == "/api/v1/script" || path.starts_with("/api/v1/script/") || ["/api/v1/events", "/healthz", "/readyz", "/metrics"].contains(&path)
}

#[test]
fn every_route_needs_the_permission_of_a_registered_function_and_the_router_builds() {
    let routes = table();
    assert!(routes.len() > 100, "only {} routes", routes.len());
    for route in &routes {
        let permission = route.permission().unwrap_or_else(|e| panic!("{e}"));
        assert!(!permission.is_empty(), "{} {}", route.method, route.path);
    }
    // Two routes with one method and path would make this panic.
    let _ = router();
}

#[test]
fn the_openapi_document_has_every_route_with_its_permission_and_no_other_rest_operation() {
    let doc = openapi::document();
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented: BTreeSet<(String, String)> = paths
        .iter()
        .filter(|(path, _)| !other_surface(path))
        .flat_map(|(path, item)| {
            let methods = item.as_object().expect("a path item").keys();
            methods.filter(|m| *m != "parameters").map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    for route in table() {
        let method = route.method.as_str().to_ascii_lowercase();
        let op = &paths
            .get(&route.path)
            .unwrap_or_else(|| panic!("{} missing in the document", route.path))[&method];
        assert!(op.is_object(), "{} {} missing in the document", route.method, route.path);
        assert_eq!(
            op["x-permission"],
            json!(route.permission().unwrap()),
            "{} {}",
            route.method,
            route.path
        );
        assert_eq!(op["summary"], json!(route.summary), "{} {}", route.method, route.path);
        assert!(
            documented.remove(&(method, route.path.clone())),
            "{} {} twice",
            route.method,
            route.path
        );
    }
    assert!(documented.is_empty(), "documented, but not in the route table: {documented:?}");
}

#[test]
fn every_lifecycle_verb_has_its_own_permission_below_execute_and_the_catalogue_uses_it() {
    let route = table()
        .into_iter()
        .find(|r| r.method == Method::POST && r.path.ends_with("/transitions"))
        .expect("POST …/transitions");
    assert_eq!(
        route.permission().unwrap(),
        "PRODUCTION_ORDER.READ.GET",
        "the service checks the verb's permission"
    );
    let mut seen = BTreeSet::new();
    for verb in VERBS {
        assert!(verb.permission.starts_with("PRODUCTION_ORDER.EXECUTE."), "{}", verb.permission);
        assert!(seen.insert(verb.permission), "{} twice", verb.permission);
        let f = CATALOGUE.get("productionOrder", verb.function);
        let f = f.unwrap_or_else(|| panic!("{} is not registered", verb.function));
        assert_eq!(f.permission.as_deref(), Some(verb.permission), "{}", f.name);
    }
}
