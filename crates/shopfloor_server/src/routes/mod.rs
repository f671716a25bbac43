//! The URL map: one router per surface, merged here, with the fallback for unknown paths.

mod body;
pub mod events;
pub mod health;
pub mod openapi;
pub mod rest;
pub mod script;
pub mod session;
pub mod web;

use crate::error::envelope;
use crate::state::AppState;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(script::router())
        .merge(rest::router())
        .merge(events::router())
        .merge(openapi::router())
        .merge(session::router())
        .merge(web::router())
        .fallback(not_found)
}

async fn not_found(uri: Uri) -> Response {
    envelope(StatusCode::NOT_FOUND, "not_found", &format!("no resource at {}", uri.path()), None)
}
