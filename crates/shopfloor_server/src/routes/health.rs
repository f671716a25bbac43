//! Liveness, readiness and Prometheus metrics.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::sync::atomic::Ordering;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ready", "database": "ok"}))),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "database": e.to_string()})),
        ),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let m = &state.metrics;
    let s = state.store.stats();
    let last_event = *state.store.last_event().borrow();
    let body = format!(
        "# HELP shopfloor_http_requests_total HTTP requests answered, by status class.\n\
         # TYPE shopfloor_http_requests_total counter\n\
         shopfloor_http_requests_total{{class=\"2xx\"}} {}\n\
         shopfloor_http_requests_total{{class=\"4xx\"}} {}\n\
         shopfloor_http_requests_total{{class=\"5xx\"}} {}\n\
         # HELP shopfloor_http_request_duration_seconds_sum Time spent answering requests.\n\
         # TYPE shopfloor_http_request_duration_seconds_sum counter\n\
         shopfloor_http_request_duration_seconds_sum {:.6}\n\
         # HELP shopfloor_store_commits_total Group commits of the writer.\n\
         # TYPE shopfloor_store_commits_total counter\n\
         shopfloor_store_commits_total {}\n\
         # HELP shopfloor_store_write_jobs_total Write jobs run by the writer.\n\
         # TYPE shopfloor_store_write_jobs_total counter\n\
         shopfloor_store_write_jobs_total {}\n\
         # HELP shopfloor_store_failed_commits_total Group commits that failed.\n\
         # TYPE shopfloor_store_failed_commits_total counter\n\
         shopfloor_store_failed_commits_total {}\n\
         # HELP shopfloor_history_last_sequence Sequence number of the latest history event.\n\
         # TYPE shopfloor_history_last_sequence gauge\n\
         shopfloor_history_last_sequence {}\n",
        m.responses_2xx.load(Ordering::Relaxed),
        m.responses_4xx.load(Ordering::Relaxed),
        m.responses_5xx.load(Ordering::Relaxed),
        m.duration_micros.load(Ordering::Relaxed) as f64 / 1e6,
        s.commits,
        s.jobs,
        s.failed_commits,
        last_event,
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
