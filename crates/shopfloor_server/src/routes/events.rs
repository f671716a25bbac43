//! The change feed: `GET /api/v1/events?after=<sequence>` over the history. Plain requests
//! long-poll and answer JSON lines (one event per line, possibly none after the timeout);
//! `Accept: text/event-stream` streams Server-Sent Events until the client leaves.
//!
//! Access is checked again while a request is open ([`crate::auth::recheck`]): a stream before
//! each batch of events and at least every [`RECHECK_EVERY`], a long-poll after its wait. A
//! revoked token, a disabled or deleted user or a role without [`FEED_PERMISSION`] ends the
//! stream and refuses the long-poll's answer.
//!
//! The history holds the events of every entity; a caller sees an event only when it may read
//! that entity's records ([`may_see`]): orders' with [`FEED_PERMISSION`], a material's with
//! `MATERIAL.READ.GET`, users', roles' and tokens' only with `SYSTEM.ADMIN`. Events a caller may
//! not see are skipped, and `X-Last-Sequence` (the cursor to send as `after` next) moves past
//! them all the same.

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
use shopfloor_core::schema::Entity;
use shopfloor_core::tx::Caller;
use std::convert::Infallible;
use std::time::Duration;

const MAX_LIMIT: u32 = 1000;

/// Longest an open stream goes without checking its caller's access again.
pub const RECHECK_EVERY: Duration = Duration::from_secs(3);

/// What a caller needs to open the change feed (and what the web session reports as
/// `changeFeed`): reading orders, whose history is what the feed mostly carries. Events of other
/// entities need more ([`may_see`]).
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

/// Whether `caller` may see `event`: when it may read records of the event's entity.
pub fn may_see(caller: &Caller, event: &Event) -> bool {
    Entity::from_noun(&event.entity).is_some_and(|entity| caller.require(&entity.def().read_permission()).is_ok())
}

/// What one read of the history gives a caller: the events it may see, and the sequence read up
/// to (the cursor to go on from, past events it may not see).
struct Page {
    shown: Vec<Event>,
    last: i64,
}

async fn read_after(state: &AppState, caller: &Caller, after: i64, limit: u32) -> ApiResult<Page> {
    let found = state.store.read(move |tx| tx.events_after(after, limit)).await?;
    let last = found.last().map(|e| e.sequence).unwrap_or(after);
    let shown = found.into_iter().filter(|e| may_see(caller, e)).collect();
    Ok(Page { shown, last })
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
    let mut page = read_after(&state, &state.caller(), after, limit).await?;
    if page.shown.is_empty() && !wait.is_zero() {
        wait_for(&state, page.last, wait).await;
        let caller = match crate::auth::recheck(&state, &secret, FEED_PERMISSION).await {
            Ok(caller) => caller,
            Err(refused) => return Ok(refused),
        };
        page = read_after(&state, &caller, page.last, limit).await?;
    }
    let Page { shown: found, last } = page;
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
                let Ok(caller) = crate::auth::recheck(&state, &secret, FEED_PERMISSION).await else {
                    return None;
                };
                match read_after(&state, &caller, cursor, limit).await {
                    Ok(page) if !page.shown.is_empty() => pending = page.shown,
                    Ok(page) if page.last > cursor => cursor = page.last,
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
