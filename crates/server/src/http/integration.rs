//! `/v2/integrations/{app_id}/...`: the Integration Imports API.

use axum::response::Response;
use omi_model::{
    ConversationsResponse, CreateConversationRequest, CreateMemoriesRequest, EmptyResponse,
    ListConversationsQuery, ListMemoriesQuery, ListTasksQuery, MemoriesResponse,
    SearchConversationsQuery, SearchConversationsRequest, SearchConversationsResponse,
    TasksResponse,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::callers::App;
use super::extractors::ApiJson;
use crate::http::openapi::{AppIdParam, INTEGRATION_TAG, UidParam};
use crate::service::app_access;

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_conversation))
        .routes(routes!(create_memories))
        .routes(routes!(list_conversations))
        .routes(routes!(search_conversations))
        .routes(routes!(list_memories))
        .routes(routes!(list_tasks))
}

/// Create a conversation
///
/// Stores the conversation (status `processing`) and its processing job in one transaction,
/// then answers `{}`; a worker adds the title, overview, transcript segments, action items,
/// events and memories afterwards. Defaults: `started_at` now, `finished_at` `started_at` +
/// 5 minutes, `language` `en`, `text_source` `audio_transcript`.
#[utoipa::path(
    post,
    path = "/v2/integrations/{app_id}/user/conversations",
    operation_id = "create_conversation",
    tag = INTEGRATION_TAG,
    params(AppIdParam, UidParam),
    request_body = CreateConversationRequest,
    responses((status = 200, description = "Stored durably; processed asynchronously", body = EmptyResponse)),
    security(("app_key" = ["create_conversation"])),
)]
async fn create_conversation(
    app: App<app_access::CreateConversation>,
    ApiJson(body): ApiJson<CreateConversationRequest>,
) -> Response {
    app.answer(app.api.create_conversation(body).await)
}

/// Create memories
///
/// Stores explicit `memories` at once (category `system`) and turns `text` into a job whose
/// extraction adds memories afterwards; answers `{}` once both are stored. One of a non-blank
/// `text` or a non-empty `memories` is required.
#[utoipa::path(
    post,
    path = "/v2/integrations/{app_id}/user/memories",
    operation_id = "create_memories",
    tag = INTEGRATION_TAG,
    params(AppIdParam, UidParam),
    request_body = CreateMemoriesRequest,
    responses((status = 200, description = "Stored durably; extraction runs asynchronously", body = EmptyResponse)),
    security(("app_key" = ["create_memories"])),
)]
async fn create_memories(
    app: App<app_access::CreateMemories>,
    ApiJson(body): ApiJson<CreateMemoriesRequest>,
) -> Response {
    app.answer(app.api.create_memories(body).await)
}

/// Read conversations
///
/// The user's conversations, newest first, one page at a time.
#[utoipa::path(
    get,
    path = "/v2/integrations/{app_id}/conversations",
    operation_id = "list_conversations",
    tag = INTEGRATION_TAG,
    params(AppIdParam, UidParam, ListConversationsQuery),
    responses((status = 200, description = "A page of conversations, newest first", body = ConversationsResponse)),
    security(("app_key" = ["read_conversations"])),
)]
async fn list_conversations(app: App<app_access::ReadConversations>) -> Response {
    app.answer_query(|query: ListConversationsQuery| app.api.list_conversations(query))
        .await
}

/// Search conversations
///
/// The user's conversations whose title, overview or text contain the query's words (in
/// any form: "hiking" finds "hike"; case and accents aside; any part of a Japanese, Chinese
/// or Thai text), newest first, a page at a time. With an empty query the date and speaker
/// filters alone choose; with neither the page is empty. `page` and `per_page` out of range
/// are brought into it (1.., 1..=250); a date that is neither ISO 8601 nor `YYYY-MM-DD` is
/// a 400.
#[utoipa::path(
    post,
    path = "/v2/integrations/{app_id}/search/conversations",
    operation_id = "search_conversations",
    tag = INTEGRATION_TAG,
    params(AppIdParam, UidParam, SearchConversationsQuery),
    request_body = SearchConversationsRequest,
    responses((status = 200, description = "A page of the conversations found, newest first", body = SearchConversationsResponse)),
    security(("app_key" = ["read_conversations"])),
)]
async fn search_conversations(
    app: App<app_access::SearchConversations>,
    ApiJson(body): ApiJson<SearchConversationsRequest>,
) -> Response {
    app.answer_query(|query: SearchConversationsQuery| app.api.search_conversations(body, query))
        .await
}

/// Read memories
///
/// The user's memories, highest `scoring` first, then newest, one page at a time.
#[utoipa::path(
    get,
    path = "/v2/integrations/{app_id}/memories",
    operation_id = "list_memories",
    tag = INTEGRATION_TAG,
    params(AppIdParam, UidParam, ListMemoriesQuery),
    responses((status = 200, description = "A page of memories", body = MemoriesResponse)),
    security(("app_key" = ["read_memories"])),
)]
async fn list_memories(app: App<app_access::ReadMemories>) -> Response {
    app.answer_query(|query: ListMemoriesQuery| app.api.list_memories(query))
        .await
}

/// Read tasks
///
/// The user's action items, newest first, a page at a time: optionally completed or open,
/// of one conversation, created or due within dates. A date is `YYYY-MM-DD` (the start or
/// the end of that day, UTC) or ISO 8601 (without an offset: UTC); one that is neither is a
/// 400 naming it. Absent fields of a task are left out, as in OMI's cloud.
#[utoipa::path(
    get,
    path = "/v2/integrations/{app_id}/tasks",
    operation_id = "list_tasks",
    tag = INTEGRATION_TAG,
    params(AppIdParam, UidParam, ListTasksQuery),
    responses((status = 200, description = "A page of tasks, newest first", body = TasksResponse)),
    security(("app_key" = ["read_tasks"])),
)]
async fn list_tasks(app: App<app_access::ReadTasks>) -> Response {
    app.answer_query(|query: ListTasksQuery| app.api.list_tasks(query))
        .await
}
