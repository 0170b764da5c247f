//! `/healthz` (the process is alive) and `/readyz` (the database answers).

use axum::extract::State;
use axum::response::Response;
use omi_api::{ApiError, ErrorBody, messages};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::respond::respond;
use crate::openapi::OPERATIONS_TAG;

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// Liveness
///
/// Answers while the process runs.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = OPERATIONS_TAG,
    responses((status = 200, description = "Alive", body = Value, example = json!({"status": "ok"}))),
)]
async fn healthz() -> Response {
    respond(Ok::<Value, ApiError>(json!({"status": "ok"})), None)
}

/// Readiness
///
/// Answers 200 while the database answers, 503 while it does not.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = OPERATIONS_TAG,
    responses(
        (status = 200, description = "Ready", body = Value, example = json!({"status": "ready"})),
        (status = 503, description = "The database cannot be reached", body = ErrorBody),
    ),
)]
async fn readyz(State(state): State<AppState>) -> Response {
    let result = match state.service.store().ping().await {
        Ok(()) => Ok(json!({"status": "ready"})),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::unavailable(messages::DATABASE_UNAVAILABLE))
        }
    };
    respond(result, None)
}
