//! The web pages: `GET /` answers the page shell and `GET /ui/<file>` its scripts and styles,
//! all embedded in the binary (plain files under `crates/shopfloor_server/web/`, no build step).
//! The shell and assets load without credentials (they hold no data); every API call they make
//! stays behind authentication. `GET /api/v1/web/session` tells the page who is logged in, which
//! catalogue functions that caller may call (the same check the server applies), and the change
//! feed's current sequence to follow from.

use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use shopfloor_catalogue::CATALOGUE;

/// An embedded file: name under `/ui/`, media type, content.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    body: &'static str,
}

const INDEX: Asset = Asset {
    name: "index.html",
    media_type: "text/html; charset=utf-8",
    body: include_str!("../../web/index.html"),
};

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.js",
        media_type: "text/javascript; charset=utf-8",
        body: include_str!("../../web/app.js"),
    },
    Asset {
        name: "app.css",
        media_type: "text/css; charset=utf-8",
        body: include_str!("../../web/app.css"),
    },
];

/// Pages may load only what this server serves: no inline script, no other origin.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/ui/{file}", get(asset))
        .route("/api/v1/web/session", get(session))
}

/// Whether a request may pass without credentials: reading the shell or an asset.
pub fn is_open(method: &Method, path: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD) && (path == "/" || path.starts_with("/ui/"))
}

async fn index(headers: HeaderMap) -> Response {
    serve(&INDEX, &headers)
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.iter().find(|a| a.name == file) {
        Some(a) => serve(a, &headers),
        None => crate::error::envelope(StatusCode::NOT_FOUND, "not_found", &format!("no resource at /ui/{file}"), None),
    }
}

/// FNV-1a of the content: a validator that changes whenever the embedded file does.
fn etag(body: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

/// Answers the file, or 304 when the browser's copy is current. `no-cache` makes browsers
/// revalidate every time, so a new binary's pages are seen at once.
fn serve(asset: &Asset, headers: &HeaderMap) -> Response {
    let tag = etag(asset.body);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.media_type)], asset.body).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// Who the caller is, the functions it may call (`module.function`), and where the change feed is.
async fn session(State(state): State<AppState>) -> Json<Value> {
    let caller = state.caller();
    let allowed: Vec<String> = CATALOGUE
        .functions
        .iter()
        .filter(|f| match &f.permission {
            None => true,
            Some(p) => caller.require(p).is_ok(),
        })
        .map(|f| format!("{}.{}", f.module, f.name))
        .collect();
    let feed = caller.require(super::events::FEED_PERMISSION).is_ok();
    let last_sequence = *state.store.last_event().borrow();
    Json(json!({
        "user": caller.user,
        "permissions": caller.permissions,
        "functions": allowed,
        "changeFeed": feed,
        "lastSequence": last_sequence,
    }))
}
