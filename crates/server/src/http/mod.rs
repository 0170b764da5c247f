//! The HTTP layer: thin axum handlers over the service.
//!
//! Each resource module has a `router()`; handlers extract, call an `omi-api` trait on a
//! handle made for the request's credentials, and map the result with
//! [`respond::respond`]. Errors become responses only in [`error`].

pub mod action_items;
pub mod dev_conversations;
pub mod developer;
pub mod docs;
pub mod error;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod integration;
pub mod metrics;
pub mod respond;

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{HeaderName, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
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
}

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The largest request body accepted, in bytes (larger: 413).
    pub body_limit: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit: 1024 * 1024,
        }
    }
}

/// Every route the server answers except the reference page's, each with its OpenAPI
/// operation (`#[utoipa::path]` on its handler, added with `routes!`). Routes are added only
/// here, so each one is documented; `tests/server/openapi.rs` checks it both ways.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(integration::router())
        .merge(developer::router())
        .merge(dev_conversations::router())
        .merge(action_items::router())
        .merge(health::router())
        .merge(metrics::router())
        .merge(docs::router())
}

/// The whole application: every route and the reference page, the JSON 404/405 fallbacks,
/// the body limit, idempotency keys, request ids, request logs and request metrics.
pub fn app(service: Service, config: &HttpConfig) -> Router {
    crate::metrics::install();
    let request_id = HeaderName::from_static("x-request-id");
    let state = AppState {
        service,
        body_limit: config.body_limit,
    };
    let (api, _) = routes().split_for_parts();
    api.merge(docs::reference_page())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .with_state(state)
        .layer(DefaultBodyLimit::max(config.body_limit))
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
                ),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
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
