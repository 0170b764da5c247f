//! Load shedding: at most [`HttpConfig::max_in_flight`](super::HttpConfig::max_in_flight)
//! API requests are worked on at once, counted over every route of the API together. One
//! more is answered at once, before its body is read, with 503 and `Retry-After: 1`: under
//! overload the server answers every request quickly instead of letting them queue until
//! they time out, its memory stays bounded by the limit, and it is back to normal as soon as
//! the load drops. Health, readiness, metrics and the API reference are never shed.

use axum::BoxError;
use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::response::{IntoResponse, Response};
use omi_api::{ApiError, messages};
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;

use super::error::HttpError;

/// `router` with at most `max_in_flight` of its requests in its handlers at once (shared by
/// all its routes); the rest are answered by [`answer_shed`].
pub(super) fn beyond<S>(router: Router<S>, max_in_flight: usize) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.route_layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(answer_shed))
            .layer(LoadShedLayer::new())
            .layer(GlobalConcurrencyLimitLayer::new(max_in_flight)),
    )
}

/// The answer to a request refused because the server is at its limit (the only error
/// [`LoadShedLayer`] gives): 503 with `Retry-After: 1`, counted.
async fn answer_shed(_: BoxError) -> Response {
    crate::metrics::request_shed();
    HttpError(ApiError::unavailable(messages::SERVER_OVERLOADED).with_retry_after(Some(1)))
        .into_response()
}
