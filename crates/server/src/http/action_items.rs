//! `/v1/dev/user/action-items...`: the Developer API's action items.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use omi_api::{ApiError, DeveloperActionItems};
use omi_model::{
    BatchCreateActionItemsRequest, CreateActionItemRequest, ListActionItemsQuery,
    UpdateActionItemRequest,
};

use super::AppState;
use super::extract::{ApiJson, Bearer, RawQueryString};
use super::respond::respond;

/// The routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/dev/user/action-items", get(list).post(create))
        .route("/v1/dev/user/action-items/batch", post(create_batch))
        .route(
            "/v1/dev/user/action-items/{action_item_id}",
            get(get_one).patch(update).delete(delete),
        )
}

async fn list(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    RawQueryString(raw): RawQueryString,
) -> Response {
    let api = state.service.developer(key);
    let result = match ListActionItemsQuery::from_query_str(&raw) {
        Ok(q) => api.list_action_items(q).await,
        Err(e) => Err(ApiError::from(e)),
    };
    respond(result, api.quota())
}

async fn create(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    ApiJson(body): ApiJson<CreateActionItemRequest>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.create_action_item(body).await;
    respond(result, api.quota())
}

async fn create_batch(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    ApiJson(body): ApiJson<BatchCreateActionItemsRequest>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.create_action_items_batch(body).await;
    respond(result, api.quota())
}

async fn get_one(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    Path(action_item_id): Path<String>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.get_action_item(&action_item_id).await;
    respond(result, api.quota())
}

async fn update(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    Path(action_item_id): Path<String>,
    ApiJson(body): ApiJson<UpdateActionItemRequest>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.update_action_item(&action_item_id, body).await;
    respond(result, api.quota())
}

async fn delete(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    Path(action_item_id): Path<String>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.delete_action_item(&action_item_id).await;
    respond(result, api.quota())
}
