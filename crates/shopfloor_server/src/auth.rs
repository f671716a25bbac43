//! Authentication, in one place: every request but `/healthz`, `/readyz`, the login and the web
//! page shell and assets (`routes::web::is_open`) needs a
//! valid API token (`Authorization: Bearer …`) or session cookie; cookie-authenticated writes
//! also need the session's CSRF token (`X-CSRF-Token`). The authenticated caller is set for the
//! request's task, and each function's permission is checked against it — the catalogue's for
//! the script API, the same function's for the REST route standing for it (`routes::rest`).
//! A secret's caller comes from the token cache (`auth_cache`) while the database's security
//! generation says nothing changed; an open change stream re-checks without it ([`recheck`]).

use crate::error::envelope;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shopfloor_core::id::Id;
use shopfloor_core::service::security::{self, hash_token, Principal};
use shopfloor_core::time::Timestamp;
use shopfloor_core::tx::Caller;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

tokio::task_local! {
    /// The authenticated caller of the request being handled.
    pub static CALLER: Caller;
}

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "shopfloor_session";

/// Paths reachable without credentials.
const OPEN_PATHS: &[&str] = &["/healthz", "/readyz", "/api/v1/login"];

/// How often a token's `lastUsedDate` is written at most.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// How long a failed login for a name from a client address is remembered.
const FAILURE_MEMORY: Duration = Duration::from_secs(900);
/// The delay after the first recent failure; it doubles with each further one.
const FIRST_DELAY: Duration = Duration::from_millis(250);
/// The longest delay.
const MAX_DELAY: Duration = Duration::from_secs(5);
/// Name-and-address pairs with recent failures kept at most before the old ones are forgotten.
const MAX_FAILING_NAMES: usize = 10_000;

/// Who a login slow-down applies to: the user name (by its key, as users are found) tried from one client
/// address. Keyed by both so that failures from one address never slow down the same name from
/// another — an attacker cannot keep a named user out (issue 22). `None` when the address is
/// unknown (a router driven without the accept loop): such logins share one slow-down per name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LoginKey {
    name: String,
    client: Option<IpAddr>,
}

impl LoginKey {
    pub fn new(name: &str, client: Option<IpAddr>) -> LoginKey {
        LoginKey {
            name: shopfloor_core::name_key::name_key(name),
            client,
        }
    }
}

/// Failed-login bookkeeping and last-used throttling.
///
/// The login slow-down is ours rather than a rate-limiting crate's (`governor`): what API.md
/// promises is a delay that doubles with each recent failure for a name from a client address
/// (250 ms, 0.5 s, 1 s, … up to 5 s), is forgotten 15 minutes after the last failure, and ends
/// at the next successful login from there, while the answer stays the same `401`. A GCRA
/// limiter allows a fixed rate (no doubling), counts every attempt rather than failures, and
/// has no per-key reset.
#[derive(Default)]
pub struct AuthState {
    failures: Mutex<HashMap<LoginKey, (u32, Instant)>>,
    touched: Mutex<HashMap<Id, Instant>>,
    /// Secrets resolved to their callers, kept while the security generation stays the same.
    pub tokens: crate::auth_cache::TokenCache,
}

/// The delay before answering a login after `failures` recent failures for its key.
fn delay_after(failures: u32) -> Duration {
    match failures {
        0 => Duration::ZERO,
        n => FIRST_DELAY.saturating_mul(1 << (n - 1).min(5)).min(MAX_DELAY),
    }
}

impl AuthState {
    /// The delay before answering a login for `key`: doubles with each recent failure, up to 5 s.
    pub fn login_delay(&self, key: &LoginKey) -> Duration {
        let failures = self
            .failures
            .lock()
            .map(|f| {
                f.get(key)
                    .map(|(n, at)| if at.elapsed() < FAILURE_MEMORY { *n } else { 0 })
                    .unwrap_or(0)
            })
            .unwrap_or(0);
        delay_after(failures)
    }

    pub fn record_failure(&self, key: &LoginKey) {
        if let Ok(mut f) = self.failures.lock() {
            let entry = f.entry(key.clone()).or_insert((0, Instant::now()));
            *entry = (entry.0.saturating_add(1), Instant::now());
            if f.len() > MAX_FAILING_NAMES {
                f.retain(|_, (_, at)| at.elapsed() < FAILURE_MEMORY);
            }
        }
    }

    pub fn record_success(&self, key: &LoginKey) {
        if let Ok(mut f) = self.failures.lock() {
            f.remove(key);
        }
    }

    fn should_touch(&self, token: Id) -> bool {
        let Ok(mut t) = self.touched.lock() else { return false };
        match t.get(&token) {
            Some(at) if at.elapsed() < TOUCH_EVERY => false,
            _ => {
                t.insert(token, Instant::now());
                true
            }
        }
    }
}

/// The secret of a request: bearer token, else session cookie (and whether it came by cookie).
pub fn credentials(headers: &HeaderMap) -> Option<(String, bool)> {
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let token = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
            .unwrap_or("")
            .trim();
        return (!token.is_empty()).then(|| (token.to_string(), false));
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| (v.to_string(), true))
}

fn unauthenticated(message: &str) -> Response {
    let mut r = envelope(StatusCode::UNAUTHORIZED, "unauthenticated", message, None);
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    r
}

/// Resolves a secret to the caller it stands for, reading the database (no cache).
pub async fn principal(state: &AppState, secret: String) -> Result<Option<Principal>, shopfloor_core::errors::CoreError> {
    state
        .store
        .read(move |tx| security::authenticate(tx, &secret, Timestamp::now()))
        .await
}

/// The answer to a secret that no longer stands for a caller.
const NOT_AUTHENTICATED: &str = "the token or session is unknown, expired, revoked, or its user is disabled";

/// The caller a principal stands for.
fn caller_of(p: Principal) -> Caller {
    Caller {
        user: p.user,
        now: Timestamp::now(),
        permissions: Some(p.permissions),
        person: None,
    }
}

/// Redoes the check of a request that is still running (an open change stream): the secret must
/// still resolve as [`authenticate`] resolves it and the caller still hold `permission`. `Ok`
/// is the caller as it stands now; `Err` the answer the request would get now (401 or 403); a
/// failing read also counts as `Err` (fail closed: the stream ends, the client reconnects and
/// is checked again).
pub async fn recheck(state: &AppState, secret: &str, permission: &str) -> Result<Caller, Response> {
    match principal(state, secret.to_string()).await {
        Ok(Some(p)) => {
            let caller = caller_of(p);
            match caller.require(permission) {
                Ok(()) => Ok(caller),
                Err(e) => Err(crate::error::ApiError::from(e).into_response()),
            }
        }
        Ok(None) => Err(unauthenticated(NOT_AUTHENTICATED)),
        Err(e) => Err(crate::error::ApiError::from(e).into_response()),
    }
}

pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if OPEN_PATHS.contains(&request.uri().path()) || crate::routes::web::is_open(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let Some((secret, by_cookie)) = credentials(request.headers()) else {
        return unauthenticated("credentials required: send Authorization: Bearer <token>, or log in at /api/v1/login");
    };
    let found = match state.auth.tokens.principal(&state.store, &secret).await {
        Ok(found) => found,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let Some(p) = found else {
        return unauthenticated(NOT_AUTHENTICATED);
    };
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if by_cookie && !safe {
        let sent = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(hash_token);
        if sent.is_none() || sent != p.csrf_hash {
            return envelope(
                StatusCode::FORBIDDEN,
                "forbidden",
                "missing or wrong X-CSRF-Token for a cookie-authenticated change",
                Some(("permission", serde_json::Value::String("CSRF".into()))),
            );
        }
    }
    if state.auth.should_touch(p.token_id) {
        let store = state.store.clone();
        let id = p.token_id;
        tokio::spawn(async move {
            let _ = store.write(move |tx| security::touch_token(tx, id, Timestamp::now())).await;
        });
    }
    CALLER.scope(caller_of(p), next.run(request)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, client: &str) -> LoginKey {
        LoginKey::new(name, Some(client.parse().unwrap()))
    }

    #[test]
    fn the_login_delay_doubles_with_each_failure_up_to_five_seconds() {
        let auth = AuthState::default();
        let sue = key("sue", "10.0.0.1");
        let mut delays = vec![auth.login_delay(&sue)];
        for _ in 0..7 {
            auth.record_failure(&sue);
            delays.push(auth.login_delay(&sue));
        }
        let millis: Vec<u128> = delays.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [0, 250, 500, 1000, 2000, 4000, 5000, 5000]);
    }

    #[test]
    fn a_successful_login_ends_the_delay_for_that_name_only() {
        let auth = AuthState::default();
        auth.record_failure(&key("Sue", "10.0.0.1"));
        auth.record_failure(&key("bob", "10.0.0.1"));
        assert_eq!(
            auth.login_delay(&key("SUE", "10.0.0.1")),
            FIRST_DELAY,
            "names are compared ignoring case"
        );

        auth.record_success(&key("sue", "10.0.0.1"));

        assert_eq!(auth.login_delay(&key("sue", "10.0.0.1")), Duration::ZERO);
        assert_eq!(auth.login_delay(&key("bob", "10.0.0.1")), FIRST_DELAY);
    }

    #[test]
    fn failures_from_one_address_do_not_slow_down_the_name_from_another() {
        let auth = AuthState::default();
        let attacker = key("sue", "10.0.0.66");
        for _ in 0..10 {
            auth.record_failure(&attacker);
        }
        assert_eq!(auth.login_delay(&attacker), MAX_DELAY);
        assert_eq!(auth.login_delay(&key("sue", "10.0.0.1")), Duration::ZERO);
    }
}
