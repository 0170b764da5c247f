//! The Integration Imports API of one app (`/v2/integrations/{app_id}/...`).

use async_trait::async_trait;
use omi_model::{
    ConversationsResponse, CreateConversationRequest, CreateMemoriesRequest, EmptyResponse,
    ListConversationsQuery, ListMemoriesQuery, ListTasksQuery, MemoriesResponse,
    SearchConversationsQuery, SearchConversationsRequest, SearchConversationsResponse,
    TasksResponse,
};

use crate::CallError;

/// The Integration Imports API of one app (`/v2/integrations/{app_id}/...`), built with the
/// app's id and key. Every call names the user it acts for.
///
/// Checks run in OMI's order: key present (401), key belongs to the app (403), rate limit
/// (429), app exists (404), user enabled the app (403), app has the capability (403), then
/// the input (422).
#[async_trait]
pub trait IntegrationImports: Send + Sync {
    /// What a call fails with: [`ApiError`](crate::ApiError) in-process; over HTTP also transport failures.
    type Error: CallError;

    /// `POST /v2/integrations/{app_id}/user/conversations?uid=`: store a conversation for
    /// processing. Answers `{}` once it is durably stored; processing runs afterwards.
    async fn create_conversation(
        &self,
        uid: &str,
        request: CreateConversationRequest,
    ) -> Result<EmptyResponse, Self::Error>;

    /// `POST /v2/integrations/{app_id}/user/memories?uid=`: store explicit memories and/or
    /// text to extract memories from. Answers `{}` once durably stored.
    async fn create_memories(
        &self,
        uid: &str,
        request: CreateMemoriesRequest,
    ) -> Result<EmptyResponse, Self::Error>;

    /// `GET /v2/integrations/{app_id}/conversations?uid=`: the user's conversations, newest
    /// first.
    async fn list_conversations(
        &self,
        uid: &str,
        query: ListConversationsQuery,
    ) -> Result<ConversationsResponse, Self::Error>;

    /// `POST /v2/integrations/{app_id}/search/conversations?uid=`: a page of the user's
    /// conversations whose title, overview or text match `request.query`, newest first, as
    /// OMI's cloud answers it (`{conversations, current_page, per_page, total_pages}`).
    /// With an empty query the date and speaker filters alone choose; with neither, the
    /// page is empty. A date that is neither ISO 8601 nor `YYYY-MM-DD` is a 400; each
    /// conversation shows at most `query.max_transcript_segments` segments (-1: all;
    /// default 100). Capability `read_conversations`.
    async fn search_conversations(
        &self,
        uid: &str,
        request: SearchConversationsRequest,
        query: SearchConversationsQuery,
    ) -> Result<SearchConversationsResponse, Self::Error>;

    /// `GET /v2/integrations/{app_id}/memories?uid=`: the user's memories.
    async fn list_memories(
        &self,
        uid: &str,
        query: ListMemoriesQuery,
    ) -> Result<MemoriesResponse, Self::Error>;

    /// `GET /v2/integrations/{app_id}/tasks?uid=`: the user's action items, newest first,
    /// filtered by completion, conversation, creation and due dates (`YYYY-MM-DD` or ISO
    /// 8601; a date that is neither is a 400 naming it). Capability `read_tasks`.
    async fn list_tasks(
        &self,
        uid: &str,
        query: ListTasksQuery,
    ) -> Result<TasksResponse, Self::Error>;
}
