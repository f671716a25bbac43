//! ERP order imports over REST: `POST /api/v1/production-orders/imports` queues the file given
//! as the raw body (or, with `dryRun`, reports what it would do) and
//! `GET /api/v1/production-orders/imports/{key}` follows the job.

use super::{params, Body, Params, Route};
use crate::error::{ApiError, ApiResult};
use crate::routes::body::raw_body;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use shopfloor_core::errors::CoreError;
use shopfloor_exchange::{self as exchange, queue};
use std::collections::HashMap;

const IMPORTS: &str = "/api/v1/production-orders/imports";

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::POST,
            IMPORTS,
            "productionOrder",
            "importProductionOrders",
            "Imports orders from an ERP file (queued; a dry run reports at once)",
            import,
        )
        .query(
            "format",
            json!({"enum": ["json", "csv", "csv-bom", "b2mml"]}),
            Some("else from the content type"),
        )
        .query("dryRun", json!({"type": "boolean"}), None)
        .query("createMissing", json!({"type": "boolean"}), None)
        .raw_body(json!({"required": true, "content": {"application/json": {"schema": {}},
                "text/csv": {"schema": {"type": "string"}}, "application/xml": {"schema": {"type": "string"}}}}))
        .ok(
            "202",
            "the queued job (a dry run answers 200 with the report)",
            json!({"type": "object"}),
        )
        .response("200", json!({"description": "the dry run's report"})),
        Route::new(
            Method::GET,
            format!("{IMPORTS}/{{key}}"),
            "productionOrder",
            "getImportJob",
            "An import job with its counts and one page of its per-row results",
            import_job,
        )
        .key("the job id")
        .query("status", json!({"type": "string"}), None)
        .query("pageIndex", json!({"type": "integer", "minimum": 0}), None)
        .query("pageSize", json!({"type": "integer", "minimum": 1}), None)
        .ok("200", "OK", json!({"type": "object"})),
    ]
}

/// The import format: the `format` parameter, else the content type (JSON when neither says).
fn format(params: &HashMap<String, String>, headers: &HeaderMap) -> Result<exchange::Format, CoreError> {
    let named = match params.get("format") {
        Some(f) => f.as_str(),
        None => {
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase();
            if content_type.contains("csv") {
                "csv"
            } else if content_type.contains("xml") {
                "b2mml"
            } else {
                "json"
            }
        }
    };
    exchange::Format::parse(named)
}

/// `POST /api/v1/production-orders/imports?format=…&dryRun=…&createMissing=…` with the import
/// file as the raw body.
async fn import(State(s): State<AppState>, headers: HeaderMap, q: Params, body: Body) -> ApiResult<Response> {
    let params = params(q)?;
    let bytes = raw_body(body)?;
    let flag = |name: &str| match params.get(name).map(|v| v.to_ascii_lowercase()) {
        None => Ok(false),
        Some(v) if v == "true" || v == "1" => Ok(true),
        Some(v) if v == "false" || v == "0" => Ok(false),
        Some(v) => Err(CoreError::field(name, format!("must be true or false, got '{v}'"))),
    };
    let options = exchange::Options {
        dry_run: flag("dryRun")?,
        create_missing: flag("createMissing")?,
    };
    let text = String::from_utf8(Vec::from(bytes)).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count();
        CoreError::field(
            "data",
            format!("the import file is not UTF-8 text: a byte that is not part of a UTF-8 character at byte {at} (line {line})"),
        )
    })?;
    let format = format(&params, &headers)?;
    // The file is parsed and checked here, off the writer; the write job only stores (or, in a
    // dry run, applies) rows already parsed, so a slow or refused file never holds it.
    let file = tokio::task::spawn_blocking(move || exchange::ParsedFile::parse(&Value::String(text), format))
        .await
        .map_err(|e| CoreError::Internal(format!("parsing the import file: {e}")))??;
    if options.dry_run {
        let report = s.write(move |tx, c| exchange::import_parsed(tx, c, &file, options)).await?;
        return Ok((StatusCode::OK, Json(report.answer(format, true))).into_response());
    }
    // A queued job is accepted, not done: the answer is the job as it was queued, its progress
    // at the job's URL.
    let (id, job) = s
        .write(move |tx, c| {
            let id = queue::enqueue_parsed(tx, c, &file, options)?.id;
            Ok((id, queue::job_json(tx, id, None)?))
        })
        .await?;
    let mut resp = (StatusCode::ACCEPTED, Json(job)).into_response();
    if let Ok(h) = HeaderValue::from_str(&format!("{IMPORTS}/{id}")) {
        resp.headers_mut().insert(header::LOCATION, h);
    }
    Ok(resp)
}

/// `GET /api/v1/production-orders/imports/{id}?status=&pageIndex=&pageSize=`.
async fn import_job(State(s): State<AppState>, Path(key): Path<String>, q: Params) -> ApiResult<Json<Value>> {
    let mut paging: [Option<Value>; 3] = [None, None, None];
    for (k, v) in params(q)? {
        let (i, value) = match k.as_str() {
            "status" => (0, Value::String(v)),
            "pageIndex" => (1, v.parse::<u64>().map(Value::from).unwrap_or(Value::String(v))),
            "pageSize" => (2, v.parse::<u64>().map(Value::from).unwrap_or(Value::String(v))),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter '{k}'; an import job takes status, pageIndex and pageSize"
                )))
            }
        };
        paging[i] = Some(value);
    }
    let page = queue::RowsPage::parse(paging[0].as_ref(), paging[1].as_ref(), paging[2].as_ref())?;
    let k = key.clone();
    let job = s
        .read(move |tx, _| match queue::parse_job_id(&k) {
            Some(id) => queue::job_json(tx, id, Some(&page)),
            None => Ok(Value::Null),
        })
        .await?;
    match job {
        Value::Null => Err(ApiError::NotFound(format!("no import job '{key}'"))),
        job => Ok(Json(job)),
    }
}
