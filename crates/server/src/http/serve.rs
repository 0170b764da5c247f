//! Serving connections: an accept loop over hyper's HTTP/1.1 connections, with the limits
//! axum's `serve` does not set. A client that does not finish sending its request headers within
//! [`HttpConfig::header_read_timeout`](super::HttpConfig::header_read_timeout) is
//! disconnected, so slow or idle clients cannot hold connections open forever. Shutdown is
//! graceful: the listener closes, in-flight requests finish, idle connections close.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long shutdown waits for in-flight requests before it drops their connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// How long the loop pauses after an accept error that is not about one connection (out of
/// file descriptors, say), instead of spinning.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Serve `router` on `listener` until `shutdown` resolves, then finish gracefully.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _peer)) => stream,
                    Err(e) => {
                        tracing::debug!(error = %e, "accept failed");
                        tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = router
                    .clone()
                    .map_request(|req: Request<Incoming>| req.map(Body::new));
                let connection = builder
                    .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::trace!(error = %e, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "in-flight requests did not finish within {} s of shutdown",
            SHUTDOWN_GRACE.as_secs()
        );
    }
    Ok(())
}
