//! `/v2/integrations/{app_id}/...`: the Integration Imports API.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use omi_api::{ApiError, IntegrationImports};
use omi_model::{
    CreateConversationRequest, CreateMemoriesRequest, ListConversationsQuery, ListMemoriesQuery,
};

use super::AppState;
use super::extract::{ApiJson, Bearer, UidQuery};
use super::respond::respond;

/// The routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v2/integrations/{app_id}/user/conversations",
            post(create_conversation),
        )
        .route(
            "/v2/integrations/{app_id}/user/memories",
            post(create_memories),
        )
        .route(
            "/v2/integrations/{app_id}/conversations",
            get(list_conversations),
        )
        .route("/v2/integrations/{app_id}/memories", get(list_memories))
}

async fn create_conversation(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Bearer(key): Bearer,
    query: UidQuery,
    ApiJson(body): ApiJson<CreateConversationRequest>,
) -> Response {
    let api = state.service.integration(app_id, key);
    let result = api.create_conversation(&query.uid, body).await;
    respond(result, api.quota())
}

async fn create_memories(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Bearer(key): Bearer,
    query: UidQuery,
    ApiJson(body): ApiJson<CreateMemoriesRequest>,
) -> Response {
    let api = state.service.integration(app_id, key);
    let result = api.create_memories(&query.uid, body).await;
    respond(result, api.quota())
}

async fn list_conversations(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Bearer(key): Bearer,
    query: UidQuery,
) -> Response {
    let api = state.service.integration(app_id, key);
    let result = match ListConversationsQuery::from_query_str(&query.raw) {
        Ok(q) => api.list_conversations(&query.uid, q).await,
        Err(e) => Err(ApiError::from(e)),
    };
    respond(result, api.quota())
}

async fn list_memories(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Bearer(key): Bearer,
    query: UidQuery,
) -> Response {
    let api = state.service.integration(app_id, key);
    let result = match ListMemoriesQuery::from_query_str(&query.raw) {
        Ok(q) => api.list_memories(&query.uid, q).await,
        Err(e) => Err(ApiError::from(e)),
    };
    respond(result, api.quota())
}
