//! The HTTP layer: thin axum handlers over the service.
//!
//! Each resource module has a `router()`; handlers extract, call an `omi-api` trait on a
//! handle made for the request's credentials, and map the result with
//! [`respond::respond`]. Errors become responses only in [`error`].

pub mod action_items;
pub mod callers;
pub mod conversations;
pub mod docs;
pub mod error;
pub mod export;
pub mod extractors;
pub mod goals;
pub mod health;
pub mod idempotency;
pub mod import;
pub mod integration;
pub mod keys;
pub mod mcp;
pub mod memories;
pub mod metrics;
pub mod openapi;
pub mod respond;
pub mod serve;
mod shed;
pub mod webhooks;

use std::any::Any;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{HeaderName, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use omi_api::{ApiError, messages};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

use crate::service::Service;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The API over the store.
    pub service: Service,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The largest import body (`POST /v1/dev/user/import`), in bytes.
    pub import_body_limit: usize,
}

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The largest request body accepted, in bytes (larger: 413).
    pub body_limit: usize,
    /// The largest body of an import (`POST /v1/dev/user/import`), read as it arrives
    /// (larger: 413).
    pub import_body_limit: usize,
    /// The longest a request may take, from its headers to its answer (longer: 503 with
    /// `Retry-After`, and the work is dropped).
    pub request_timeout: Duration,
    /// The longest a client may take to send its request headers, and to wait idle on a
    /// kept-alive connection before its next request; then the connection is closed.
    pub header_read_timeout: Duration,
    /// The longest a client may take to send its request body (longer: 400).
    pub body_read_timeout: Duration,
    /// The most API requests worked on at once; one more is answered at once with 503 and
    /// `Retry-After` (health, readiness, metrics and docs are never refused).
    pub max_in_flight: usize,
}

impl HttpConfig {
    /// The default [`HttpConfig::request_timeout`].
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
    /// The default [`HttpConfig::header_read_timeout`].
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default [`HttpConfig::body_read_timeout`].
    pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default [`HttpConfig::import_body_limit`]: 64 MiB.
    pub const DEFAULT_IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;
    /// The default [`HttpConfig::max_in_flight`].
    pub const DEFAULT_MAX_IN_FLIGHT: usize = 1024;
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit: 1024 * 1024,
            import_body_limit: Self::DEFAULT_IMPORT_BODY_LIMIT,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: Self::DEFAULT_BODY_READ_TIMEOUT,
            max_in_flight: Self::DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

/// Every route the server answers except the reference page's, each with its OpenAPI
/// operation (`#[utoipa::path]` on its handler, added with `routes!`). Routes are added only
/// here, so each one is documented; `tests/server/openapi.rs` checks it both ways.
pub fn routes() -> OpenApiRouter<AppState> {
    resource_routes().merge(operation_routes())
}

/// The routes over a user's data, which take keys and are shed under overload.
fn resource_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(integration::router())
        .merge(memories::router())
        .merge(keys::router())
        .merge(conversations::router())
        .merge(action_items::router())
        .merge(goals::router())
        .merge(webhooks::router())
        .merge(export::router())
        .merge(import::router())
}

/// Health, readiness, metrics and the OpenAPI document: never shed.
fn operation_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(docs::router())
}

/// The whole application: every route and the reference page, the JSON 404/405 fallbacks,
/// the body limit, idempotency keys, request ids, request logs and request metrics, time
/// limits on requests and their bodies, and a JSON 500 for a handler that panics (caught,
/// logged with the request id, counted; the connection and the server go on).
pub fn app(service: Service, config: &HttpConfig) -> Router {
    crate::metrics::install();
    let state = AppState {
        service,
        body_limit: config.body_limit,
        import_body_limit: config.import_body_limit,
    };
    let (resources, _) = resource_routes().split_for_parts();
    let (operations, _) = operation_routes().split_for_parts();
    let resources = resources
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .route_layer(middleware::map_response(respond::rate_limit_headers));
    let resources = resources.merge(mcp::router(&state.service));
    let router = shed::beyond(resources, config.max_in_flight)
        .merge(operations)
        .merge(docs::reference_page())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state);
    with_request_layers(router, config)
}

/// `router` inside the layers every request passes: body limit and time limits, panic
/// containment, metrics, logs and request ids.
fn with_request_layers(router: Router, config: &HttpConfig) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    router
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(RequestBodyTimeoutLayer::new(config.body_read_timeout))
        .layer(CatchPanicLayer::custom(answer_panic))
        .layer(middleware::from_fn(remember_request_id))
        .layer(middleware::from_fn_with_state(
            config.request_timeout,
            limit_duration,
        ))
        .layer(middleware::from_fn(record_metrics))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_response(
                    |res: &axum::response::Response, latency: Duration, _: &tracing::Span| {
                        tracing::info!(status = res.status().as_u16(), latency_ms = latency.as_millis() as u64, "response");
                    },
                )
                .on_failure(log_failure),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

tokio::task_local! {
    /// The `x-request-id` of the request the current task serves, for [`answer_panic`].
    static REQUEST_ID: String;
}

/// Run the rest of the request with its `x-request-id` in [`REQUEST_ID`].
async fn remember_request_id(req: Request<axum::body::Body>, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    REQUEST_ID.scope(id, next.run(req)).await
}

/// The answer to a request whose handler panicked: a JSON 500 that names the request id and
/// reveals nothing else. The panic is logged inside the request's span (so with the same id)
/// and counted.
fn answer_panic(panic: Box<dyn Any + Send + 'static>) -> Response {
    crate::metrics::panic_caught(crate::metrics::PanicSite::Http);
    tracing::error!(panic = %crate::panics::message(&*panic), "a request handler panicked");
    let error = match REQUEST_ID.try_with(Clone::clone) {
        Ok(id) if !id.is_empty() => ApiError::message(500, messages::internal_for_request(&id)),
        _ => ApiError::internal(),
    };
    error::HttpError(error).into_response()
}

/// Answer 503 with `Retry-After` when a request is not done within `timeout`; its work is
/// dropped (a write already queued still commits or not as a whole).
async fn limit_duration(
    axum::extract::State(timeout): axum::extract::State<Duration>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout_s = timeout.as_secs(), "request timed out");
            let error = ApiError::unavailable(messages::REQUEST_TIMEOUT).with_retry_after(Some(1));
            error::HttpError(error).into_response()
        }
    }
}

/// Log a failed request: a 503 (shed, timed out, database unreachable: the client is told to
/// retry, under overload there is one per refused request, and its cause is logged where it
/// happened) only at `debug`; anything else at `error`.
fn log_failure(class: ServerErrorsFailureClass, latency: Duration, _: &tracing::Span) {
    let latency_ms = latency.as_millis() as u64;
    match class {
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => {
            tracing::debug!(latency_ms, "answered 503");
        }
        class => tracing::error!(%class, latency_ms, "request failed"),
    }
}

/// Count and time a request under its route template (`/v1/dev/user/memories/{memory_id}`),
/// never its raw path, so ids do not each make a new time series.
async fn record_metrics(req: Request<axum::body::Body>, next: Next) -> Response {
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map_or_else(
        || crate::metrics::UNMATCHED_ROUTE.to_owned(),
        |path| path.as_str().to_owned(),
    );
    let start = Instant::now();
    let response = next.run(req).await;
    crate::metrics::http_request(&method, &route, response.status(), start.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    async fn call(router: Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    fn panicking_router(config: &HttpConfig) -> Router {
        async fn boom() -> &'static str {
            panic!("injected panic in a handler")
        }
        async fn fine() -> &'static str {
            "fine"
        }
        async fn slow() -> &'static str {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "late"
        }
        crate::metrics::install();
        let router = Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(fine))
            .route("/slow", get(slow));
        with_request_layers(router, config)
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_a_json_500_with_its_request_id() {
        let router = panicking_router(&HttpConfig::default());
        let (status, headers, body) = call(router.clone(), "/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let id = headers["x-request-id"].to_str().unwrap();
        assert_eq!(
            body,
            format!(r#"{{"detail":"Internal server error (request id {id})"}}"#)
        );
        // The same router goes on answering.
        let (status, _, body) = call(router, "/fine").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "fine"));
        assert!(
            crate::metrics::render().contains(r#"panics_total{where="http"}"#),
            "the panic is counted"
        );
    }

    #[tokio::test]
    async fn a_request_past_its_time_limit_answers_503_with_retry_after() {
        let config = HttpConfig {
            request_timeout: Duration::from_millis(50),
            ..HttpConfig::default()
        };
        let (status, headers, body) = call(panicking_router(&config), "/slow").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(headers.get("retry-after").unwrap(), "1");
        assert!(body.contains("took too long"), "{body}");
    }
}
