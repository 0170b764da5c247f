//! `/v1/dev/user/conversations...`: the Developer API's conversations.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use omi_api::{ApiError, DeveloperConversations};
use omi_model::{
    CreateConversationFromSegmentsRequest, CreateConversationRequest, GetConversationQuery,
    ListDevConversationsQuery, UpdateConversationRequest,
};

use super::AppState;
use super::extract::{ApiJson, Bearer, RawQueryString};
use super::respond::respond;

/// The routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/dev/user/conversations", get(list).post(create))
        .route(
            "/v1/dev/user/conversations/from-segments",
            post(create_from_segments),
        )
        .route(
            "/v1/dev/user/conversations/{conversation_id}",
            get(get_one).patch(update).delete(delete),
        )
}

async fn list(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    RawQueryString(raw): RawQueryString,
) -> Response {
    let api = state.service.developer(key);
    let result = match ListDevConversationsQuery::from_query_str(&raw) {
        Ok(q) => api.list_conversations(q).await,
        Err(e) => Err(ApiError::from(e)),
    };
    respond(result, api.quota())
}

async fn create(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    ApiJson(body): ApiJson<CreateConversationRequest>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.create_conversation(body).await;
    respond(result, api.quota())
}

async fn create_from_segments(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    ApiJson(body): ApiJson<CreateConversationFromSegmentsRequest>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.create_conversation_from_segments(body).await;
    respond(result, api.quota())
}

async fn get_one(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    Path(conversation_id): Path<String>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    let api = state.service.developer(key);
    let result = match GetConversationQuery::from_query_str(&raw) {
        Ok(q) => api.get_conversation(&conversation_id, q).await,
        Err(e) => Err(ApiError::from(e)),
    };
    respond(result, api.quota())
}

async fn update(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    Path(conversation_id): Path<String>,
    ApiJson(body): ApiJson<UpdateConversationRequest>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.update_conversation(&conversation_id, body).await;
    respond(result, api.quota())
}

async fn delete(
    State(state): State<AppState>,
    Bearer(key): Bearer,
    Path(conversation_id): Path<String>,
) -> Response {
    let api = state.service.developer(key);
    let result = api.delete_conversation(&conversation_id).await;
    respond(result, api.quota())
}
