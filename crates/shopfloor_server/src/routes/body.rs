//! Request-body reading shared by the handlers: size limit and malformed JSON become the
//! documented 413 / 400 envelopes, never a framework default.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde_json::Value as Json;

/// The body as it came (too large: 413; unreadable: 400).
pub fn raw_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge("the request body is larger than the server accepts".into())
        } else {
            ApiError::bad_request(format!("cannot read the request body: {rejection}"))
        }
    })
}

/// The body as JSON; an empty body is `null`.
pub fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Json, ApiError> {
    let bytes = raw_body(body)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Json::Null);
    }
    serde_json::from_slice(&bytes).map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))
}

/// The body as a JSON object (an empty body is `{}`).
pub fn object_body(body: Result<Bytes, BytesRejection>) -> Result<serde_json::Map<String, Json>, ApiError> {
    match json_body(body)? {
        Json::Null => Ok(serde_json::Map::new()),
        Json::Object(m) => Ok(m),
        _ => Err(ApiError::bad_request("the request body must be a JSON object")),
    }
}
