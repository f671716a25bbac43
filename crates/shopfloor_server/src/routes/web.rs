//! The web pages: `GET /` answers the page shell and `GET /ui/<path>` its stylesheet and ES
//! modules (`/ui/js/main.js` and what it imports), all embedded in the binary (plain files under
//! `crates/shopfloor_server/web/`, no build step; a file not in `ASSETS` is a 404).
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

/// An embedded file: path under `/ui/` (and under `crates/shopfloor_server/web/`), media type,
/// content.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    body: &'static str,
    /// The body's ETag hash, computed when the binary is built ([`etag_hash`]).
    tag: u64,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

/// One table row per file under `web/`: the path is written once and names both the URL and the
/// file compiled in.
macro_rules! asset {
    ($path:literal, $media_type:expr) => {
        Asset {
            name: $path,
            media_type: $media_type,
            body: include_str!(concat!("../../web/", $path)),
            tag: etag_hash(include_str!(concat!("../../web/", $path))),
        }
    };
}

const INDEX: Asset = asset!("index.html", HTML);

/// The stylesheet and the ES modules: `js/main.js` is the entry the shell loads; the others are
/// imported by relative path (`./api.js`), so they resolve under `/ui/js/`.
const ASSETS: &[Asset] = &[
    asset!("app.css", CSS),
    asset!("js/main.js", JS),
    asset!("js/api.js", JS),
    asset!("js/session.js", JS),
    asset!("js/catalogue.js", JS),
    asset!("js/feed.js", JS),
    asset!("js/router.js", JS),
    asset!("js/dom.js", JS),
    asset!("js/format.js", JS),
    asset!("js/lookups.js", JS),
    asset!("js/login.js", JS),
    asset!("js/board.js", JS),
    asset!("js/saved-views.js", JS),
    asset!("js/line.js", JS),
    asset!("js/timeline.js", JS),
    asset!("js/order.js", JS),
    asset!("js/barcode.js", JS),
    asset!("js/traveler.js", JS),
    asset!("js/order-actions.js", JS),
    asset!("js/order-fields.js", JS),
    asset!("js/order-tabs.js", JS),
    asset!("js/master-data.js", JS),
    asset!("js/admin.js", JS),
    asset!("js/webhooks.js", JS),
];

/// Pages may load only what this server serves: no inline script, no other origin.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/ui/{*file}", get(asset))
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

/// FNV-1a of the content: a validator that changes whenever the embedded file does. A `const fn`,
/// so that an embedded file's tag is computed once, when the binary is built.
pub(crate) const fn etag_hash(body: &str) -> u64 {
    let bytes = body.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// Answers an embedded file with the pages' security headers (`nosniff` comes with every answer, `app::answer_headers`).
fn serve(asset: &Asset, headers: &HeaderMap) -> Response {
    let mut response = fixed_body(asset.media_type, asset.body, asset.tag, "no-cache", headers);
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// Answers a body that only changes with the binary (an embedded file, the script listing) with
/// its ETag, or `304` when the client's copy is current. `no-cache` makes clients revalidate every
/// time, so a new binary's content is seen at once.
pub(crate) fn fixed_body(
    media_type: &'static str,
    body: &'static str,
    tag: u64,
    cache_control: &'static str,
    headers: &HeaderMap,
) -> Response {
    let tag = format!("\"{tag:016x}\"");
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, media_type)], body).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path as FsPath;

    fn files_under(dir: &FsPath, prefix: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("web folder") {
            let entry = entry.expect("web folder entry");
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.path().is_dir() {
                files_under(&entry.path(), &format!("{name}/"), out);
            } else {
                out.push(name);
            }
        }
    }

    #[test]
    fn every_file_of_the_web_folder_is_served() {
        let mut files = Vec::new();
        files_under(&FsPath::new(env!("CARGO_MANIFEST_DIR")).join("web"), "", &mut files);
        for file in files {
            assert!(
                file == INDEX.name || ASSETS.iter().any(|a| a.name == file),
                "web/{file} is not in routes/web.rs's ASSETS table"
            );
        }
    }

    /// `import … from './x.js'` in a module resolves to `/ui/<its folder>/x.js`, which must be served.
    #[test]
    fn every_module_import_names_a_served_file() {
        for module in ASSETS.iter().filter(|a| a.media_type == JS) {
            let folder = module.name.rsplit_once('/').map_or("", |(dir, _)| dir);
            for spec in module
                .body
                .split("from '")
                .skip(1)
                .filter_map(|rest| rest.split_once('\''))
                .map(|(spec, _)| spec)
            {
                let target = spec
                    .strip_prefix("./")
                    .unwrap_or_else(|| panic!("{}: import {spec:?} is not relative", module.name));
                let path = if folder.is_empty() {
                    target.to_string()
                } else {
                    format!("{folder}/{target}")
                };
                assert!(
                    ASSETS.iter().any(|a| a.name == path),
                    "{} imports {spec}, which /ui/ does not serve",
                    module.name
                );
            }
        }
    }

    #[test]
    fn the_shell_loads_the_entry_module() {
        assert!(INDEX.body.contains(r#"<script type="module" src="/ui/js/main.js">"#));
        assert!(ASSETS.iter().any(|a| a.name == "js/main.js"));
    }
}
