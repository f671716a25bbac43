//! The script API: `POST /api/v1/script/{module}/{function}` for every catalogue function and
//! `GET /api/v1/script`, the list clients build `system.mes.<module>.<function>` from.

use super::body::json_body;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use shopfloor_catalogue::CATALOGUE;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/script", get(list))
        .route("/api/v1/script/{module}/{function}", post(call))
}

async fn list() -> Json<Value> {
    let modules: Vec<Value> = CATALOGUE
        .modules()
        .into_iter()
        .map(|m| {
            let functions: Vec<Value> = CATALOGUE.functions.iter().filter(|f| f.module == m).map(|f| f.to_json()).collect();
            json!({"name": m, "functions": functions})
        })
        .collect();
    Json(json!({ "modules": modules }))
}

async fn call(
    State(state): State<AppState>,
    Path((module, function)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let f = CATALOGUE
        .get(&module, &function)
        .ok_or_else(|| ApiError::NotFound(format!("no function system.mes.{module}.{function}")))?;
    let body = json_body(body)?;
    Ok(Json(state.call(f, body).await?))
}
