//! The OpenAPI 3.1 document, generated from the record catalogue, the function catalogue and the
//! REST route table (`rest::table`) so that it cannot drift from what the server does.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use shopfloor_catalogue::Param;
use shopfloor_catalogue::CATALOGUE;
use shopfloor_core::query::Condition;
use shopfloor_core::schema::{Access, Entity, Kind};
use std::sync::LazyLock;

use super::rest::Route;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(|| async { Json(DOCUMENT.clone()) }))
}

static DOCUMENT: LazyLock<Value> = LazyLock::new(document);

/// A ULID in either accepted spelling: 26 Crockford base-32 symbols, or dashed 10-8-8.
const ULID_PATTERN: &str =
    "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{9}(-[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{8}-[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{8}|[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{16})$";
/// A number written as text (`"100"`, `"-2.5"`, `"1e3"`), as scripts often send quantities.
const NUMERIC_TEXT_PATTERN: &str = "^-?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$";

fn ulid_schema() -> Value {
    json!({"type": "string", "pattern": ULID_PATTERN, "description": "ULID, dashed 10-8-8 on output"})
}

fn time_schema() -> Value {
    json!({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "integer"}],
        "description": "RFC 3339 or epoch milliseconds; RFC 3339 UTC on output"})
}

pub(crate) fn number_schema() -> Value {
    json!({"anyOf": [{"type": "number"}, {"type": "string", "pattern": NUMERIC_TEXT_PATTERN}], "description": "a number or numeric string"})
}

fn nullable(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

fn kind_schema(kind: Kind) -> Value {
    match kind {
        Kind::Id | Kind::Ref(_) => nullable(ulid_schema()),
        Kind::Name => json!({"type": ["string", "null"], "maxLength": 255}),
        Kind::Text { max } => json!({"type": ["string", "null"], "maxLength": max}),
        Kind::Real { .. } => nullable(number_schema()),
        Kind::Int => json!({"type": ["integer", "null"]}),
        Kind::Bool => json!({"type": ["boolean", "null"]}),
        Kind::Time => nullable(time_schema()),
        Kind::Json => json!({"description": "a value typed by the property's dataType"}),
        Kind::Enum(options) => {
            let mut values: Vec<Value> = options.iter().map(|o| json!(o)).collect();
            values.push(Value::Null);
            json!({"enum": values})
        }
    }
}

/// The QueryRequest of one entity: its filterable and sortable fields by name (any field a
/// record shows, derived names included; `property:<name>` for orders).
fn query_schema(e: Entity) -> Value {
    let def = e.def();
    let mut fields: Vec<Value> = def
        .fields
        .iter()
        .filter(|f| f.access != Access::Hidden)
        .map(|f| json!(f.key))
        .chain(def.derived.iter().map(|d| json!(d.key)))
        .collect();
    fields.dedup();
    let field = if e == Entity::ProductionOrder {
        json!({"anyOf": [{"enum": fields}, {"type": "string", "pattern": "^property:.+"}]})
    } else {
        json!({"enum": fields})
    };
    let conditions = Condition::names();
    let list = |item: Value| json!({"type": ["array", "null"], "items": item});
    let filter = json!({"type": "object", "required": ["field", "condition"], "additionalProperties": false, "properties": {
        "field": field, "condition": {"enum": conditions, "description": "also accepted in any case, with spaces for _"},
        "type": {"enum": ["string", "number", "boolean", "date", null]},
        "stringValue": {"type": ["string", "null"]}, "numberValue": nullable(number_schema()), "dateValue": nullable(time_schema()),
        "booleanValue": {"type": ["boolean", "null"]},
        "minNumberValue": nullable(number_schema()), "maxNumberValue": nullable(number_schema()),
        "minDateValue": nullable(time_schema()), "maxDateValue": nullable(time_schema()),
        "stringListValue": list(json!({"type": "string"})), "numberListValue": list(number_schema()), "dateListValue": list(time_schema())
    }});
    let direction = json!({"enum": ["Ascending", "Descending", "asc", "desc", "ASC", "DESC", "ascending", "descending"]});
    json!({"type": "object", "additionalProperties": false, "properties": {
        "pageSize": {"type": ["integer", "null"], "minimum": 1, "maximum": 10000}, "pageIndex": {"type": ["integer", "null"], "minimum": 0},
        "sortFields": list(field), "sortDirections": list(direction.clone()), "sortDirection": nullable(direction),
        "sortNulls": {"type": ["string", "array", "null"], "items": {"type": "string"}, "description": "FIRST or LAST, one per sort field or one for all; default: nulls first ascending, last descending"},
        "filters": list(filter),
        "fields": {"type": ["array", "null"], "minItems": 1, "items": {"enum": fields}, "description": "the fields each record answers with (default: all)"}}})
}

fn entity_schemas(e: Entity) -> (Value, Value) {
    let def = e.def();
    let mut record = Map::new();
    let mut input = Map::new();
    for f in def.fields.iter().filter(|f| f.access != Access::Hidden) {
        record.insert(f.key.into(), kind_schema(f.kind));
        if f.access == Access::Input || f.key == "version" {
            input.insert(f.key.into(), kind_schema(f.kind));
        }
    }
    for d in &def.derived {
        record.insert(d.key.into(), json!({"type": ["string", "null"], "readOnly": true}));
    }
    for (alias, _) in def.aliases {
        input.insert((*alias).into(), json!({"type": ["string", "null"], "description": "alias"}));
    }
    if e == Entity::User {
        input.insert(
            "password".into(),
            json!({"type": ["string", "null"], "description": "set (string) or keep (absent, null); stored as an argon2id hash"}),
        );
    }
    let required: Vec<&str> = def.fields.iter().filter(|f| f.required).map(|f| f.key).collect();
    (
        json!({"type": "object", "properties": record, "required": required}),
        json!({"type": "object", "properties": input, "additionalProperties": false}),
    )
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// A reference to a schema of `components/schemas`.
pub(crate) fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The input of a new record: the entity's input with its required fields.
pub(crate) fn create_schema(e: Entity) -> Value {
    let def = e.def();
    let required: Vec<&str> = def
        .fields
        .iter()
        .filter(|f| f.required && f.access == Access::Input)
        .map(|f| f.key)
        .collect();
    json!({"allOf": [schema_ref(&format!("{}Input", def.noun))], "required": required})
}

/// The operation of one REST route: its summary, the permission it needs (`x-permission`), its
/// path and query parameters, request body, and success and error responses.
fn rest_operation(route: &Route, errors: &Value) -> Value {
    let permission = route.permission().ok();
    let mut parameters: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let mut p = json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
            if let (Some(d), "key") = (&route.doc.key, name) {
                p["description"] = json!(d);
            }
            p
        })
        .collect();
    parameters.extend(route.doc.query.iter().cloned());
    let mut responses = Value::Object(route.doc.responses.clone());
    for (k, v) in errors.as_object().into_iter().flatten() {
        responses[k] = v.clone();
    }
    let mut op = json!({"tags": [route.module], "summary": route.summary,
        "description": format!("Permission: {} (that of system.mes.{}.{}).", permission.unwrap_or("none"), route.module, route.function),
        "x-permission": permission, "parameters": parameters, "responses": responses});
    if let Some(body) = &route.doc.body {
        op["requestBody"] = body.clone();
    }
    op
}

pub(crate) fn document() -> Value {
    let mut schemas = Map::new();
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"enum": ["validation", "bad_request", "not_found", "in_use", "conflict", "unauthenticated", "forbidden", "payload_too_large", "timeout", "too_many_requests", "internal", "unavailable"]},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            "references": {"type": "array"}, "current": {"type": "object"}, "permission": {"type": "string"}
        }}}}),
    );
    schemas.insert("QueryResult".into(), json!({"type": "object", "required": ["content", "totalElements", "totalPages", "pageSize", "pageIndex", "hasContent", "isFirst", "isLast", "hasNext", "hasPrevious"], "properties": {
        "content": {"type": "array", "items": {"type": "object"}}, "totalElements": {"type": "integer"}, "totalPages": {"type": "integer"},
        "pageSize": {"type": "integer"}, "pageIndex": {"type": "integer"}, "hasContent": {"type": "boolean"}, "isFirst": {"type": "boolean"},
        "isLast": {"type": "boolean"}, "hasNext": {"type": "boolean"}, "hasPrevious": {"type": "boolean"}}}));
    let mut paths = Map::new();
    // The keyword-argument objects of the generic calls: save/validate take the entity's
    // input, find its QueryRequest.
    let mut kwargs_schemas: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
    let errors = json!({
        "400": error_response("malformed JSON or wrong arguments"), "404": error_response("no such function or record"),
        "409": error_response("in use or version conflict"), "413": error_response("body too large"),
        "422": error_response("validation failed"), "503": error_response("database unavailable")
    });
    for e in Entity::ALL {
        let def = e.def();
        let (record, input) = entity_schemas(e);
        schemas.insert(def.noun.into(), record);
        schemas.insert(format!("{}Input", def.noun), input);
        schemas.insert(format!("{}Query", def.noun), query_schema(e));
        let q = schema_ref(&format!("{}Query", def.noun));
        let i = schema_ref(&format!("{}Input", def.noun));
        let save = json!({"anyOf": [create_schema(e), {"allOf": [i], "required": ["id"]}]});
        kwargs_schemas.insert(format!("save{}", def.noun), save.clone());
        kwargs_schemas.insert(format!("validate{}", def.noun), save);
        kwargs_schemas.insert(format!("find{}", def.plural), q);
    }
    for route in super::rest::table() {
        let op = rest_operation(&route, &errors);
        let entry = paths.entry(route.path.clone()).or_insert_with(|| json!({}));
        entry[route.method.as_str().to_ascii_lowercase()] = op;
    }
    for f in &CATALOGUE.functions {
        let body = match f.params.iter().find(|p| p.kwargs) {
            // `f(**data)`: the body is the keyword-argument object itself.
            Some(_) => kwargs_schemas.get(&f.name).cloned().unwrap_or_else(|| json!({"type": "object"})),
            None => {
                // Each parameter under its own name and the documented other names (`also`).
                let mut props = Map::new();
                for p in &f.params {
                    props.insert(p.name.clone(), json!({}));
                    for alias in &p.also {
                        props.insert(alias.clone(), json!({"description": format!("the same as `{}`", p.name)}));
                    }
                }
                let required: Vec<&Param> = f.params.iter().filter(|p| p.required).collect();
                let one_name_each: Vec<Value> = required
                    .iter()
                    .map(|p| {
                        let names = std::iter::once(&p.name).chain(&p.also);
                        json!({"anyOf": names.map(|n| json!({"required": [n]})).collect::<Vec<_>>()})
                    })
                    .collect();
                let mut keywords =
                    json!({"type": "object", "description": "keyword arguments", "properties": props, "additionalProperties": false});
                // `allOf` must not be empty (a function without required arguments has none).
                if !one_name_each.is_empty() {
                    keywords["allOf"] = Value::Array(one_name_each);
                }
                json!({"oneOf": [
                    keywords,
                    {"type": "array", "description": "positional arguments", "minItems": required.len(), "maxItems": f.params.len()}]})
            }
        };
        let mut responses = json!({"200": {"description": "the function's return value", "content": {"application/json": {"schema": {}}}}});
        for (k, v) in errors.as_object().into_iter().flatten() {
            responses[k] = v.clone();
        }
        paths.insert(
            format!("/api/v1/script/{}/{}", f.module, f.name),
            json!({"post": {"tags": [format!("script.{}", f.module)], "operationId": format!("{}.{}", f.module, f.name), "summary": f.summary,
                "description": format!("system.mes.{}.{}({}). Permission: {}.", f.module, f.name,
                    f.params.iter().map(|p| if p.kwargs { format!("**{}", p.name) } else { p.name.clone() }).collect::<Vec<_>>().join(", "),
                    f.permission.as_deref().unwrap_or("none")),
                "x-permission": f.permission, "requestBody": {"content": {"application/json": {"schema": body}}}, "responses": responses}}),
        );
    }
    paths.insert("/api/v1/script".into(), json!({"get": {"summary": "Modules, functions, parameter names and permissions", "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}}}));
    paths.insert("/api/v1/events".into(), json!({"get": {"summary": "Change feed: history events after a sequence (JSON lines, or SSE with Accept: text/event-stream)",
        "parameters": [{"name": "after", "in": "query", "schema": {"type": "integer"}}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}, {"name": "timeout", "in": "query", "schema": {"type": "number", "minimum": 0}}],
        "responses": {"200": {"description": "events, one JSON object per line", "content": {"application/x-ndjson": {"schema": {"type": "string"}}, "text/event-stream": {"schema": {"type": "string"}}}}, "400": error_response("bad parameters")}}}));
    paths.insert(
        "/healthz".into(),
        json!({"get": {"summary": "Process up", "responses": {"200": {"description": "OK"}}}}),
    );
    paths.insert("/readyz".into(), json!({"get": {"summary": "Database reachable", "responses": {"200": {"description": "ready"}, "503": {"description": "database unavailable"}}}}));
    paths.insert(
        "/metrics".into(),
        json!({"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format"}}}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Shopfloor", "version": env!("CARGO_PKG_VERSION"), "description": "Production orders and their master data: the script API (system.mes.*) and REST resources."},
        "paths": paths,
        "components": {"schemas": schemas}
    })
}
