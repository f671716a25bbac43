//! REST resources over the same service functions as the script API: one collection per entity
//! (`/api/v1/production-orders`, `/api/v1/materials`, …) with list/search, create, get, replace
//! (PUT), merge (PATCH), delete and references, plus the order's history, transitions,
//! production reports, property values and bill of materials, the location tree, shift
//! start/stop, unit conversion and order imports.
//!
//! [`table`] is the only list of routes: each [`Route`] names its method, path, the catalogue
//! function whose permission it needs, its summary and OpenAPI details, and its handler. The axum
//! router ([`router`], which checks that permission before the handler runs), the OpenAPI paths
//! (`openapi.rs`) and the permission matrix (`tests/api/security.rs`) are all built from it.

mod imports;
mod master_data;
mod orders;
mod records;

use crate::error::{ApiError, ApiResult};
use crate::state::{request_caller, AppState};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, Request};
use axum::handler::Handler;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use shopfloor_catalogue::CATALOGUE;
use shopfloor_core::errors::CoreError;
use shopfloor_core::schema::Entity;
use std::collections::HashMap;

/// One REST route: what it is, what it needs, how it is documented and who answers it.
pub struct Route {
    pub method: Method,
    /// The path template, as axum and OpenAPI both spell it (`/api/v1/locations/{key}`).
    pub path: String,
    /// The catalogue function (`system.mes.<module>.<function>`) whose permission the route
    /// needs: the route does what that function does, through the same service function.
    pub module: &'static str,
    pub function: String,
    pub summary: String,
    pub doc: Doc,
    handler: MethodRouter<AppState>,
}

/// What the OpenAPI document says about a route beyond its method, path, summary and permission.
#[derive(Default)]
pub struct Doc {
    /// What the `{key}` path parameter names.
    pub key: Option<String>,
    /// Query parameters, as OpenAPI parameter objects.
    pub query: Vec<Value>,
    /// The OpenAPI `requestBody` object.
    pub body: Option<Value>,
    /// The success responses by status code (the error responses are common to all routes).
    pub responses: Map<String, Value>,
}

impl Route {
    fn new<H, T>(
        method: Method,
        path: impl Into<String>,
        module: &'static str,
        function: impl Into<String>,
        summary: impl Into<String>,
        handler: H,
    ) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or_else(|_| panic!("no method filter for {method}"));
        Route {
            method,
            path: path.into(),
            module,
            function: function.into(),
            summary: summary.into(),
            doc: Doc::default(),
            handler: on(filter, handler),
        }
    }

    fn key(mut self, description: impl Into<String>) -> Route {
        self.doc.key = Some(description.into());
        self
    }

    fn query(mut self, name: &str, schema: Value, description: Option<&str>) -> Route {
        let mut p = json!({"name": name, "in": "query", "schema": schema});
        if let Some(d) = description {
            p["description"] = json!(d);
        }
        self.doc.query.push(p);
        self
    }

    /// A JSON request body of this schema.
    fn body(mut self, schema: Value) -> Route {
        self.doc.body = Some(json!({"content": {"application/json": {"schema": schema}}}));
        self
    }

    fn raw_body(mut self, body: Value) -> Route {
        self.doc.body = Some(body);
        self
    }

    /// A JSON success response of this schema.
    fn ok(self, status: &str, description: &str, schema: Value) -> Route {
        self.response(
            status,
            json!({"description": description, "content": {"application/json": {"schema": schema}}}),
        )
    }

    fn response(mut self, status: &str, response: Value) -> Route {
        self.doc.responses.insert(status.into(), response);
        self
    }

    /// The permission the route needs: that of its catalogue function. An error when the
    /// function is not registered or needs none (every REST route needs one; the table's test
    /// checks it, and the router refuses such a route rather than opening it).
    pub fn permission(&self) -> Result<&'static str, String> {
        match CATALOGUE.get(self.module, &self.function) {
            None => Err(format!(
                "{} {} names {}.{}, which is not registered",
                self.method, self.path, self.module, self.function
            )),
            Some(f) => f.permission.as_deref().ok_or_else(|| {
                format!(
                    "{} {} names {}.{}, which needs no permission",
                    self.method, self.path, self.module, self.function
                )
            }),
        }
    }
}

/// Every REST route.
pub fn table() -> Vec<Route> {
    let mut routes: Vec<Route> = Entity::ALL.into_iter().flat_map(records::routes).collect();
    routes.extend(orders::routes());
    routes.extend(master_data::routes());
    routes.extend(imports::routes());
    routes
}

/// The axum router of [`table`]: each route behind the check of its permission.
pub fn router() -> Router<AppState> {
    table().into_iter().fold(Router::new(), |router, route| {
        let needed = route.permission();
        let check = middleware::from_fn(move |request: Request, next: Next| {
            let needed = needed.clone();
            async move {
                let allowed = needed.map_err(CoreError::Internal).and_then(|p| request_caller().require(p));
                match allowed {
                    Ok(()) => next.run(request).await,
                    Err(e) => ApiError::from(e).into_response(),
                }
            }
        });
        router.route(&route.path, route.handler.route_layer(check))
    })
}

type Body = Result<Bytes, BytesRejection>;
type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The query-string parameters, or 400.
fn params(q: Params) -> ApiResult<HashMap<String, String>> {
    let Query(params) = q.map_err(|err| ApiError::bad_request(format!("bad query parameters: {err}")))?;
    Ok(params)
}

/// A record response with its `ETag` (the version).
fn with_etag(status: StatusCode, record: Value) -> Response {
    let mut resp = (status, Json(record.clone())).into_response();
    if let Some(v) = record.get("version").and_then(Value::as_i64) {
        if let Ok(h) = HeaderValue::from_str(&format!("\"{v}\"")) {
            resp.headers_mut().insert(header::ETAG, h);
        }
    }
    resp
}

/// 201 for a record just created (version 1), else 200; with its `ETag`.
fn saved(record: Value) -> Response {
    let status = if record["version"] == 1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    with_etag(status, record)
}

/// An optional text field of a request body: a string, or a number taken as its text.
fn text_field(body: &Map<String, Value>, name: &str) -> ApiResult<Option<String>> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(ApiError::bad_request(format!(
            "'{name}' must be a string, got {}",
            shopfloor_core::record::describe(other)
        ))),
    }
}

fn no_order(key: &str) -> ApiError {
    ApiError::NotFound(format!("no production order '{key}'"))
}

#[cfg(test)]
mod tests;
