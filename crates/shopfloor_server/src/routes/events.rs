//! The change feed: `GET /api/v1/events?after=<sequence>` over the history. Plain requests
//! long-poll and answer JSON lines (one event per line, possibly none after the timeout);
//! `Accept: text/event-stream` streams Server-Sent Events until the client leaves.
//!
//! Access is checked again while a request is open ([`crate::auth::recheck`]): a stream before
//! each batch of events and at least every [`RECHECK_EVERY`], a long-poll after its wait. A
//! revoked token, a disabled or deleted user or a role without [`FEED_PERMISSION`] ends the
//! stream and refuses the long-poll's answer.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream;
use serde::Deserialize;
use shopfloor_core::history::Event;
use std::convert::Infallible;
use std::time::Duration;

const MAX_LIMIT: u32 = 1000;

/// Longest an open stream goes without checking its caller's access again.
pub const RECHECK_EVERY: Duration = Duration::from_secs(3);

/// What a caller needs to read the change feed (and what the web session reports as
/// `changeFeed`): the feed shows every order's history, so it needs reading orders.
pub const FEED_PERMISSION: &str = "PRODUCTION_ORDER.READ.GET";

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/events", get(events))
}

#[derive(Deserialize)]
struct FeedQuery {
    after: Option<i64>,
    limit: Option<u32>,
    /// Seconds to wait for an event before answering empty (long-poll only).
    timeout: Option<f64>,
}

async fn read_after(state: &AppState, after: i64, limit: u32) -> ApiResult<Vec<Event>> {
    Ok(state.store.read(move |tx| tx.events_after(after, limit)).await?)
}

/// Waits until an event after `after` is committed, `wait` passes, or the server stops.
async fn wait_for(state: &AppState, after: i64, wait: Duration) {
    let mut last = state.store.last_event();
    let mut stopping = state.shutdown.clone();
    tokio::select! {
        _ = tokio::time::timeout(wait, last.wait_for(|seq| *seq > after)) => {}
        _ = stopping.wait_for(|s| *s) => {}
    }
}

async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    state.caller().require(FEED_PERMISSION)?;
    // The authentication middleware let the request through, so it carries credentials.
    let secret = crate::auth::credentials(&headers).map(|(s, _)| s).unwrap_or_default();
    let Query(q) = query.map_err(|e| ApiError::bad_request(format!("bad query parameters: {e}")))?;
    let after = q.after.unwrap_or(0);
    let limit = q.limit.unwrap_or(MAX_LIMIT).clamp(1, MAX_LIMIT);
    let wants_sse = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    if wants_sse {
        return Ok(sse(state, secret, after, limit).into_response());
    }
    let wait = match q.timeout {
        // Clamped before converting: a huge number of seconds does not fit a `Duration`.
        Some(t) if t.is_finite() && t >= 0.0 => Duration::from_secs_f64(t.min(state.max_poll.as_secs_f64())),
        Some(_) => return Err(ApiError::bad_request("timeout must be a number of seconds ≥ 0")),
        None => state.max_poll,
    };
    let mut found = read_after(&state, after, limit).await?;
    if found.is_empty() && !wait.is_zero() {
        wait_for(&state, after, wait).await;
        if let Err(refused) = crate::auth::recheck(&state, &secret, FEED_PERMISSION).await {
            return Ok(refused);
        }
        found = read_after(&state, after, limit).await?;
    }
    let last = found.last().map(|e| e.sequence).unwrap_or(after);
    let mut body = String::new();
    for e in &found {
        body.push_str(&e.to_json().to_string());
        body.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson".to_string()),
            (header::HeaderName::from_static("x-last-sequence"), last.to_string()),
        ],
        body,
    )
        .into_response())
}

/// The stream ends when the caller's access is withdrawn: checked before each batch is read,
/// so after every wait (a new event, or [`RECHECK_EVERY`] passing).
fn sse(state: AppState, secret: String, after: i64, limit: u32) -> Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>> {
    let stream = stream::unfold(
        (state, secret, after, Vec::<Event>::new()),
        move |(state, secret, mut cursor, mut pending)| async move {
            loop {
                if !pending.is_empty() {
                    let e = pending.remove(0);
                    cursor = e.sequence;
                    let ev = SseEvent::default()
                        .id(e.sequence.to_string())
                        .event("history")
                        .data(e.to_json().to_string());
                    return Some((Ok(ev), (state, secret, cursor, pending)));
                }
                if crate::auth::recheck(&state, &secret, FEED_PERMISSION).await.is_err() {
                    return None;
                }
                match read_after(&state, cursor, limit).await {
                    Ok(found) if !found.is_empty() => pending = found,
                    Ok(_) => wait_for(&state, cursor, RECHECK_EVERY).await,
                    Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::FEED_PERMISSION;

    #[test]
    fn the_feed_permission_is_one_a_role_can_be_given() {
        assert!(shopfloor_core::permissions::KNOWN.contains(&FEED_PERMISSION));
    }
}
