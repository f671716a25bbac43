//! The accept loop. Each connection holds one of `max_connections` slots; a connection beyond
//! them is answered 503 and closed at once. A client that stalls — sends a request's head too
//! slowly, sits idle between requests, or stops reading its response — loses its connection
//! after `client_timeout`, which frees the slot. Shutdown stops accepting, lets requests in
//! flight finish and closes idle connections. Every request carries its client's address as
//! axum's `ConnectInfo<SocketAddr>` (the login slow-down is keyed by it).

use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;
use tower::ServiceExt;

/// How many connections, and how long a client may stall.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub client_timeout: Duration,
}

pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.client_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.client_timeout)
        .keep_alive_timeout(limits.client_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin; the
                    // listener stays open.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse(stream));
            continue;
        };
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let service = TowerToHyperService::new(router.clone().map_request(with_client_address(peer)));
        tokio::spawn(async move {
            // Until the first byte, hyper waits unbounded (to tell HTTP/1 from HTTP/2).
            if !matches!(
                tokio::time::timeout(limits.client_timeout, stream.peek(&mut [0u8; 1])).await,
                Ok(Ok(1))
            ) {
                return;
            }
            let _ = stream.set_nodelay(true);
            let mut io = TimeoutStream::new(stream);
            io.set_write_timeout(Some(limits.client_timeout));
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(Box::pin(io)), service);
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Puts the connection's client address into each request, where `ConnectInfo` finds it.
fn with_client_address<B>(peer: SocketAddr) -> impl Fn(Request<B>) -> Request<B> + Clone {
    move |mut request| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    }
}

const REFUSAL_BODY: &str =
    r#"{"error":{"code":"unavailable","message":"the server has as many connections as it accepts; try again shortly"}}"#;

/// Answers a connection beyond the limit with a 503 and closes it. Reads the request first
/// (briefly) so that closing does not reset the connection before the client reads the answer.
async fn refuse(mut stream: TcpStream) {
    let quick = Duration::from_millis(500);
    let mut buf = [0u8; 8192];
    let _ = tokio::time::timeout(quick, stream.read(&mut buf)).await;
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{REFUSAL_BODY}",
        REFUSAL_BODY.len()
    );
    let answered = tokio::time::timeout(quick, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
    if matches!(answered, Ok(Ok(()))) {
        // Drain until the client closes (or a short while), so its request is not reset.
        let _ = tokio::time::timeout(quick, async { while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {} }).await;
    }
}
