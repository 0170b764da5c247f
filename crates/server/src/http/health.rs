//! `/healthz` (the process is alive) and `/readyz` (the database and the workers run).

use axum::extract::State;
use axum::response::Response;
use omi_api::{ApiError, ErrorBody};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::respond::respond;
use crate::http::openapi::OPERATIONS_TAG;

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
/// Answers 200 while the server can do its work: the database answers, its writer runs, and
/// every job worker runs; 503 while one of them does not.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = OPERATIONS_TAG,
    responses(
        (status = 200, description = "Ready", body = Value, example = json!({"status": "ready"})),
        (status = 503, description = "The database cannot be reached, or the job workers are not running", body = ErrorBody),
    ),
)]
async fn readyz(State(state): State<AppState>) -> Response {
    let result = state
        .service
        .ready()
        .await
        .map(|()| json!({"status": "ready"}));
    respond(result, None)
}
