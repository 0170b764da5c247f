//! `/v1/dev/user/memories...`: the Developer API's memories.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use omi_api::{ApiError, DeveloperMemories};
use omi_model::{
    BatchCreateMemoriesRequest, CreateMemoryRequest, ListDevMemoriesQuery, UpdateMemoryRequest,
};

use super::AppState;
use super::extract::{ApiJson, Bearer, RawQueryString};
use super::respond::respond;

/// The routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/dev/user/memories", get(list).post(create))
        .route("/v1/dev/user/memories/batch", post(create_batch))
        .route(
            "/v1/dev/user/memories/{memory_id}",
            get(get_one).patch(update).delete(delete),
        )
}

async fn list(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    RawQueryString(raw): RawQueryString,
) -> Response {
    let api = state.service.developer(key);
    let result = match ListDevMemoriesQuery::from_query_str(&raw) {
        Ok(q) => api.list_memories(q).await,
        Err(e) => Err(ApiError::from(e)),
    };
    respond(result, api.quota())
}

async fn create(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    ApiJson(body): ApiJson<CreateMemoryRequest>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.create_memory(body).await;
    respond(result, api.quota())
}

async fn create_batch(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    ApiJson(body): ApiJson<BatchCreateMemoriesRequest>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.create_memories_batch(body).await;
    respond(result, api.quota())
}

async fn get_one(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    Path(memory_id): Path<String>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.get_memory(&memory_id).await;
    respond(result, api.quota())
}

async fn update(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    Path(memory_id): Path<String>,
    ApiJson(body): ApiJson<UpdateMemoryRequest>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.update_memory(&memory_id, body).await;
    respond(result, api.quota())
}

async fn delete(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    Path(memory_id): Path<String>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.delete_memory(&memory_id).await;
    respond(result, api.quota())
}
