//! `/v1/dev/user/conversations...`: the Developer API's conversations, and the folders
//! they are kept in (`/v1/dev/user/folders`).

use axum::extract::Path;
use axum::response::Response;
use omi_model::{
    Conversation, ConversationSearchResponse, CreateConversationFromSegmentsRequest,
    CreateConversationRequest, CreateConversationResponse, Folder, GetConversationQuery,
    ListDevConversationsQuery, RankedSearchQuery, SearchDevConversationsQuery, SuccessResponse,
    UpdateConversationRequest,
};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::callers::Developer;
use super::extractors::{ApiJson, RawQueryString};
use crate::http::openapi::{ConversationIdParam, DEV_CONVERSATIONS_TAG};
use crate::service::dev_access;

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(create_from_segments))
        .routes(routes!(search))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(folders))
}

/// List conversations
///
/// The key owner's completed, kept (not discarded) conversations, newest first.
#[utoipa::path(
    get,
    path = "/v1/dev/user/conversations",
    operation_id = "list_dev_conversations",
    tag = DEV_CONVERSATIONS_TAG,
    params(ListDevConversationsQuery),
    responses((status = 200, description = "A page of conversations", body = Vec<Conversation>)),
    security(("developer_key" = ["conversations:read"])),
)]
async fn list(
    dev: Developer<dev_access::ConversationsRead>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: ListDevConversationsQuery| {
        dev.api.list_conversations(query)
    })
    .await
}

/// Search conversations
///
/// The key owner's completed, kept conversations whose title, overview or transcript match
/// `query`, best first (a word of the title or overview weighs more than one of the
/// transcript), each with a `snippet` of the text around the words found (`**` marks them).
/// Full-text, offline: any form of a word finds the others ("hiking" finds "hike"), case
/// and accents do not matter, and any part of a Japanese, Chinese or Thai text is found.
/// Not in OMI's cloud.
#[utoipa::path(
    get,
    path = "/v1/dev/user/conversations/search",
    operation_id = "search_dev_conversations",
    tag = DEV_CONVERSATIONS_TAG,
    params(RankedSearchQuery),
    responses((status = 200, description = "The conversations found, best first", body = ConversationSearchResponse)),
    security(("developer_key" = ["conversations:read"])),
)]
async fn search(
    dev: Developer<dev_access::ConversationsRead>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: SearchDevConversationsQuery| {
        dev.api.search_conversations(query)
    })
    .await
}

/// Create conversation
///
/// Stores a conversation from a text (`text_source` defaults to `other_text`) and its
/// processing job, and answers at once with status `processing`.
#[utoipa::path(
    post,
    path = "/v1/dev/user/conversations",
    operation_id = "create_dev_conversation",
    tag = DEV_CONVERSATIONS_TAG,
    request_body = CreateConversationRequest,
    responses((status = 200, description = "Stored; processed asynchronously", body = CreateConversationResponse)),
    security(("developer_key" = ["conversations:write"])),
)]
async fn create(
    dev: Developer<dev_access::ConversationsWrite>,
    ApiJson(body): ApiJson<CreateConversationRequest>,
) -> Response {
    dev.answer(dev.api.create_conversation(body).await)
}

/// Create conversation from segments
///
/// Stores a conversation from 1 to 500 transcript segments, kept as given, and answers at
/// once with status `processing`.
#[utoipa::path(
    post,
    path = "/v1/dev/user/conversations/from-segments",
    operation_id = "create_dev_conversation_from_segments",
    tag = DEV_CONVERSATIONS_TAG,
    request_body = CreateConversationFromSegmentsRequest,
    responses((status = 200, description = "Stored; processed asynchronously", body = CreateConversationResponse)),
    security(("developer_key" = ["conversations:write"])),
)]
async fn create_from_segments(
    dev: Developer<dev_access::ConversationsWrite>,
    ApiJson(body): ApiJson<CreateConversationFromSegmentsRequest>,
) -> Response {
    dev.answer(dev.api.create_conversation_from_segments(body).await)
}

/// Get conversation
///
/// One conversation, in any state. Another user's conversation is not found.
#[utoipa::path(
    get,
    path = "/v1/dev/user/conversations/{conversation_id}",
    operation_id = "get_dev_conversation",
    tag = DEV_CONVERSATIONS_TAG,
    params(ConversationIdParam, GetConversationQuery),
    responses((status = 200, description = "The conversation", body = Conversation)),
    security(("developer_key" = ["conversations:read"])),
)]
async fn get_one(
    dev: Developer<dev_access::ConversationsRead>,
    Path(conversation_id): Path<String>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: GetConversationQuery| {
        dev.api.get_conversation(&conversation_id, query)
    })
    .await
}

/// Update conversation
///
/// Changes its title, discards it, stars it (`starred`) or moves it into one of the key
/// owner's folders (`folder_id`; `null` takes it out of its folder; 404 "Folder not found"
/// for an id the owner has no folder with); answers the conversation with its transcript.
/// `starred` and `folder_id` are ours: OMI's cloud's PATCH takes only the title and
/// `discarded`.
#[utoipa::path(
    patch,
    path = "/v1/dev/user/conversations/{conversation_id}",
    operation_id = "update_dev_conversation",
    tag = DEV_CONVERSATIONS_TAG,
    params(ConversationIdParam),
    request_body = UpdateConversationRequest,
    responses((status = 200, description = "The conversation as updated", body = Conversation)),
    security(("developer_key" = ["conversations:write"])),
)]
async fn update(
    dev: Developer<dev_access::ConversationsWrite>,
    Path(conversation_id): Path<String>,
    ApiJson(body): ApiJson<UpdateConversationRequest>,
) -> Response {
    dev.answer(dev.api.update_conversation(&conversation_id, body).await)
}

/// Delete conversation
///
/// Deletes it for good; its action items and memories stay.
#[utoipa::path(
    delete,
    path = "/v1/dev/user/conversations/{conversation_id}",
    operation_id = "delete_dev_conversation",
    tag = DEV_CONVERSATIONS_TAG,
    params(ConversationIdParam),
    responses((status = 200, description = "Deleted", body = SuccessResponse)),
    security(("developer_key" = ["conversations:write"])),
)]
async fn delete(
    dev: Developer<dev_access::ConversationsWrite>,
    Path(conversation_id): Path<String>,
) -> Response {
    dev.answer(dev.api.delete_conversation(&conversation_id).await)
}

/// List folders
///
/// The key owner's conversation folders in their order, each with the count of its
/// conversations that are not discarded; `[]` when the owner has none. Folders are made
/// with `omi-server admin folder create`.
#[utoipa::path(
    get,
    path = "/v1/dev/user/folders",
    operation_id = "list_folders",
    tag = DEV_CONVERSATIONS_TAG,
    responses((status = 200, description = "The folders", body = Vec<Folder>)),
    security(("developer_key" = ["conversations:read"])),
)]
async fn folders(dev: Developer<dev_access::ConversationsRead>) -> Response {
    dev.answer(dev.api.list_folders().await)
}
