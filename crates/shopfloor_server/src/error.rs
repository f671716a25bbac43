//! The one mapping from errors to HTTP status codes and the JSON envelope of api.md.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value as Json};
use shopfloor_core::errors::CoreError;

/// Every failure an HTTP handler can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    NotFound(String),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::Core(CoreError::BadRequest(message.into()))
    }
}

pub fn envelope(status: StatusCode, code: &str, message: &str, details: Option<(&str, Json)>) -> Response {
    let mut error = json!({"code": code, "message": message});
    if let Some((k, v)) = details {
        error[k] = v;
    }
    (status, axum::Json(json!({ "error": error }))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::PayloadTooLarge(m) => envelope(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", &m, None),
            ApiError::NotFound(m) => envelope(StatusCode::NOT_FOUND, "not_found", &m, None),
            ApiError::Core(e) => match e {
                CoreError::Validation(fields) => {
                    let first = fields
                        .0
                        .iter()
                        .next()
                        .map(|(k, v)| format!("{k}: {}", v.join("; ")))
                        .unwrap_or_default();
                    envelope(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation",
                        &format!("validation failed: {first}"),
                        Some(("fields", fields.to_json())),
                    )
                }
                CoreError::BadRequest(m) => envelope(StatusCode::BAD_REQUEST, "bad_request", &m, None),
                CoreError::NotFound(m) => envelope(StatusCode::NOT_FOUND, "not_found", &m, None),
                CoreError::InUse { message, references } => {
                    envelope(StatusCode::CONFLICT, "in_use", &message, Some(("references", references)))
                }
                CoreError::Conflict { message, current } => {
                    envelope(StatusCode::CONFLICT, "conflict", &message, Some(("current", current)))
                }
                CoreError::Forbidden { permission } => envelope(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    &format!("lacking permission {permission}"),
                    Some(("permission", Json::String(permission))),
                ),
                CoreError::Unavailable(cause) => {
                    tracing::warn!(%cause, "database unavailable");
                    envelope(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        "the database is unavailable; try again shortly",
                        None,
                    )
                }
                CoreError::Internal(cause) => {
                    tracing::error!(%cause, "internal error");
                    envelope(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        "internal error; see the server log",
                        None,
                    )
                }
            },
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
