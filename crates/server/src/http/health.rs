//! `/healthz` (the process is alive) and `/readyz` (the database answers).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use omi_api::{ApiError, messages};
use serde_json::{Value, json};

use super::AppState;
use super::respond::respond;

/// The routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Response {
    respond(Ok::<Value, ApiError>(json!({"status": "ok"})), None)
}

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
