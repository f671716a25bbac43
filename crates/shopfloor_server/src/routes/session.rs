//! Web login: `POST /api/v1/login {name, password}` sets an HttpOnly, SameSite=Strict session
//! cookie and answers the CSRF token that cookie-authenticated changes must send;
//! `POST /api/v1/logout` ends the session; `GET /api/v1/me` tells who is logged in.

use super::body::object_body;
use crate::auth::{LoginKey, SESSION_COOKIE};
use crate::error::{envelope, ApiResult};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use shopfloor_core::service::security;
use shopfloor_core::time::Timestamp;
use std::net::SocketAddr;

/// Lifetime of a web session.
const SESSION_MS: i64 = 12 * 3600 * 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
        .route("/api/v1/me", get(me))
}

async fn login(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = object_body(body)?;
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default().trim().to_string();
    let password = body.get("password").and_then(Value::as_str).unwrap_or_default().to_string();
    let key = LoginKey::new(&name, client.map(|Extension(ConnectInfo(address))| address.ip()));
    tokio::time::sleep(state.auth.login_delay(&key)).await;
    let lookup_name = name.clone();
    let found = state.store.read(move |tx| security::login_lookup(tx, &lookup_name)).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    // Verify off the async threads; a missing user is checked against a dummy hash, so the
    // answer takes as long either way.
    let ok = tokio::task::spawn_blocking(move || security::verify_password(hash.as_deref(), &password))
        .await
        .unwrap_or(false);
    let user = match user {
        Some(u) if ok && u.get("enabled") == &shopfloor_core::record::Value::Bool(true) => u,
        _ => {
            state.auth.record_failure(&key);
            return Ok(envelope(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "invalid user name or password",
                None,
            ));
        }
    };
    state.auth.record_success(&key);
    let user_id = user
        .id()
        .ok_or_else(|| shopfloor_core::errors::CoreError::Internal("user without id".into()))?;
    let caller = shopfloor_core::tx::Caller {
        user: user.text("name").unwrap_or_default().to_string(),
        now: Timestamp::now(),
        permissions: None,
        person: None,
    };
    let (session, secret, csrf) = state
        .store
        .write(move |tx| security::create_session(tx, &caller, user_id, SESSION_MS))
        .await?;
    let permissions = {
        let u = user.clone();
        state.store.read(move |tx| security::permissions_of(tx, &u)).await?
    };
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        SESSION_MS / 1000
    );
    let mut resp = Json(json!({
        "user": user.text("name"),
        "displayName": user.get("displayName").to_json(),
        "permissions": permissions,
        "csrfToken": csrf,
        "expiresDate": session.get("expiresDate").to_json(),
    }))
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> ApiResult<Response> {
    let secret = crate::auth::credentials(&headers)
        .filter(|(_, by_cookie)| *by_cookie)
        .map(|(secret, _)| secret);
    if let Some(secret) = secret {
        if let Some(p) = crate::auth::principal(&state, secret).await? {
            let id = p.token_id.to_string();
            let caller = state.caller();
            state
                .store
                .write(move |tx| security::revoke_token(tx, &caller, &id).map(|_| ()))
                .await?;
        }
    }
    let mut resp = Json(json!({"success": true})).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("shopfloor_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(resp)
}

async fn me(State(state): State<AppState>) -> Json<Value> {
    let c = state.caller();
    Json(json!({"user": c.user, "permissions": c.permissions}))
}
