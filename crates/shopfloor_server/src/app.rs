//! Building and running the HTTP application: bind the listener (port 0 picks a free one, which
//! tests use), serve until the shutdown future resolves, then let the store finish its queue.

use crate::error::envelope;
use crate::metrics::Metrics;
use crate::routes;
use crate::serve::{serve, ConnectionLimits};
use crate::state::AppState;
use crate::workers::{self, WorkerConfig, Workers};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use shopfloor_core::service::security;
use shopfloor_core::tx::Caller;
use shopfloor_store::{Store, StoreConfig, StoreError};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_http::timeout::TimeoutLayer;
use tracing::Instrument;

/// Settings of the server (the binary fills them from flags and environment).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub database: String,
    pub listen: String,
    pub body_limit: usize,
    pub request_timeout: Duration,
    pub max_poll: Duration,
    pub readers: usize,
    /// Most open connections; more are answered 503 and closed.
    pub max_connections: usize,
    /// How long a client may stall (request head, idle keep-alive, unread response).
    pub client_timeout: Duration,
    /// How long finished import jobs stay readable.
    pub import_retention: Duration,
    /// Webhook delivery: the pause after failing this long, the timeout per attempt.
    pub webhooks: workers::webhooks::WebhookConfig,
    /// The MQTT broker to publish events to (`--mqtt-url`), if any.
    pub mqtt: Option<workers::mqtt::MqttConfig>,
}

impl ServerConfig {
    pub fn new(database: impl Into<String>, listen: impl Into<String>) -> Self {
        ServerConfig {
            database: database.into(),
            listen: listen.into(),
            body_limit: 4 * 1024 * 1024,
            request_timeout: Duration::from_secs(60),
            max_poll: Duration::from_secs(30),
            readers: 4,
            max_connections: 512,
            client_timeout: Duration::from_secs(30),
            import_retention: Duration::from_secs(7 * 24 * 3600),
            webhooks: workers::webhooks::WebhookConfig::default(),
            mqtt: None,
        }
    }
}

pub struct Application {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    store: Store,
    shutdown: tokio::sync::watch::Sender<bool>,
    bootstrap_token: Option<String>,
    limits: ConnectionLimits,
    workers: Workers,
}

impl Application {
    /// Opens and migrates the database and binds the listener.
    pub async fn build(config: ServerConfig) -> Result<Application, StartError> {
        let mut store_config = StoreConfig::new(config.database.clone());
        store_config.readers = config.readers;
        let store = Store::open(&store_config)?;
        let bootstrap_token = store
            .write(|tx| security::bootstrap(tx, &Caller::system()))
            .await
            .map_err(|e| StartError::Bootstrap(e.to_string()))?;
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .map_err(|source| StartError::Listen {
                address: config.listen.clone(),
                source,
            })?;
        let (shutdown, shutdown_rx) = tokio::sync::watch::channel(false);
        let metrics = Arc::new(Metrics::new(store.clone()));
        let workers = workers::spawn_all(
            &store,
            &metrics,
            &shutdown_rx,
            &WorkerConfig {
                import_retention: config.import_retention,
                webhooks: config.webhooks.clone(),
                mqtt: config.mqtt.clone(),
            },
        );
        let state = AppState {
            store: store.clone(),
            metrics,
            max_poll: config.max_poll,
            shutdown: shutdown_rx,
            auth: Arc::new(crate::auth::AuthState::default()),
        };
        // The middleware wraps the routed application once, as one service (outermost first),
        // and an empty router serves it: a Router with many routes is cloned for every
        // connection, which a router without routes makes cheap.
        let service = tower::ServiceBuilder::new()
            .layer(middleware::from_fn(answer_headers))
            .layer(DefaultBodyLimit::max(config.body_limit))
            .layer(middleware::from_fn_with_state(state.clone(), observe))
            .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.request_timeout))
            .layer(middleware::from_fn_with_state(state.clone(), crate::auth::authenticate))
            .service(routes::router().with_state(state));
        let router = axum::Router::new().fallback_service(service);
        Ok(Application {
            listener,
            router,
            store,
            shutdown,
            bootstrap_token,
            limits: ConnectionLimits {
                max_connections: config.max_connections,
                client_timeout: config.client_timeout,
            },
            workers,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener has an address")
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// The first API token of `admin`, when this start created that user (empty database).
    pub fn bootstrap_token(&self) -> Option<&str> {
        self.bootstrap_token.as_deref()
    }

    /// Serves until `shutdown` resolves, finishes in-flight requests (ending change-feed waits
    /// and streams at once), stops the background work, then drains the writer.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let store = self.store.clone();
        let signal = Arc::new(self.shutdown);
        let stopping = {
            let signal = signal.clone();
            async move {
                shutdown.await;
                signal.send_replace(true);
            }
        };
        let result = serve(self.listener, self.router, self.limits, stopping).await;
        // However serving ended, the workers stop: each finishes or drops its batch.
        signal.send_replace(true);
        self.workers.join().await;
        tokio::task::spawn_blocking(move || store.close()).await.ok();
        result
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {address}: {source}")]
    Listen { address: String, source: std::io::Error },
    #[error("cannot create the built-in roles and first user: {0}")]
    Bootstrap(String),
}

/// Headers every answer carries: `nosniff` always, and `Cache-Control: no-store` on JSON answers
/// unless the route chose its own caching (the script listing's and web assets' ETags).
async fn answer_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

/// A span and id per request, metrics, and the JSON envelope for errors the framework answers
/// itself (405, 408, 413, …).
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let span = tracing::info_span!("request", id, %method, %path);
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let (code, message) = match status {
            StatusCode::METHOD_NOT_ALLOWED => ("bad_request", format!("method {method} is not allowed on {path}")),
            StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long".to_string()),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "payload_too_large",
                "the request body is larger than the server accepts".to_string(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ("bad_request", "unsupported media type".to_string()),
            s if s.is_server_error() => ("internal", "internal error; see the server log".to_string()),
            _ => ("bad_request", status.canonical_reason().unwrap_or("bad request").to_string()),
        };
        response = envelope(status, code, &message, None);
    }
    if let Ok(v) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert("x-request-id", v);
    }
    let elapsed = started.elapsed();
    state.metrics.observe(status.as_u16(), elapsed);
    if status.is_server_error() {
        tracing::error!(parent: &span, status = status.as_u16(), ?elapsed, "request failed");
    } else {
        tracing::debug!(parent: &span, status = status.as_u16(), ?elapsed, "request");
    }
    response
}
