//! `GET /v1/dev/key`: the calling developer key's own metadata.

use axum::extract::State;
use axum::response::Response;
use omi_model::DevKeyInfo;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extractors::Bearer;
use super::respond::respond;
use crate::http::openapi::DEVELOPER_TAG;
use crate::service::Checked;

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_key))
}

/// Get calling API key
///
/// The calling key's id, name, prefix, creation and last-use times (to the minute) and
/// scopes; never its secret. Any valid developer key may ask: no data scope is needed.
#[utoipa::path(
    get,
    path = "/v1/dev/key",
    operation_id = "get_calling_dev_key",
    tag = DEVELOPER_TAG,
    responses((status = 200, description = "The calling key", body = DevKeyInfo)),
    security(("developer_key" = [])),
)]
async fn get_key(State(state): State<AppState>, Bearer(key): Bearer) -> Response {
    let Checked { caller, quota } = state.service.developer(key).key_info().await;
    respond(caller, quota)
}
