//! One async trait per API surface.

use async_trait::async_trait;
use omi_model::{
    BatchCreateMemoriesRequest, BatchMemoriesResponse, ConversationsResponse,
    CreateConversationRequest, CreateMemoriesRequest, CreateMemoryRequest, EmptyResponse,
    ListConversationsQuery, ListDevMemoriesQuery, ListMemoriesQuery, MemoriesResponse, Memory,
    SuccessResponse, UpdateMemoryRequest,
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

    /// `GET /v2/integrations/{app_id}/memories?uid=`: the user's memories.
    async fn list_memories(
        &self,
        uid: &str,
        query: ListMemoriesQuery,
    ) -> Result<MemoriesResponse, Self::Error>;
}

/// The Developer API's memories (`/v1/dev/user/memories`), built with a developer key; every
/// call acts for the key's user. Reads need the `memories:read` scope, writes
/// `memories:write`.
#[async_trait]
pub trait DeveloperMemories: Send + Sync {
    /// What a call fails with: [`ApiError`](crate::ApiError) in-process; over HTTP also transport failures.
    type Error: CallError;

    /// `GET /v1/dev/user/memories`: the user's memories by score, then newest first.
    async fn list_memories(&self, query: ListDevMemoriesQuery) -> Result<Vec<Memory>, Self::Error>;

    /// `POST /v1/dev/user/memories`: create a memory. The same content a second time gives
    /// back the existing memory instead of a duplicate.
    async fn create_memory(&self, request: CreateMemoryRequest) -> Result<Memory, Self::Error>;

    /// `POST /v1/dev/user/memories/batch`: create up to 25 memories, all or nothing.
    async fn create_memories_batch(
        &self,
        request: BatchCreateMemoriesRequest,
    ) -> Result<BatchMemoriesResponse, Self::Error>;

    /// `GET /v1/dev/user/memories/{id}`: one memory (an addition to OMI's cloud).
    async fn get_memory(&self, memory_id: &str) -> Result<Memory, Self::Error>;

    /// `PATCH /v1/dev/user/memories/{id}`: change content, visibility, tags or category.
    async fn update_memory(
        &self,
        memory_id: &str,
        request: UpdateMemoryRequest,
    ) -> Result<Memory, Self::Error>;

    /// `DELETE /v1/dev/user/memories/{id}`: delete for good; answers `{"success": true}`.
    async fn delete_memory(&self, memory_id: &str) -> Result<SuccessResponse, Self::Error>;
}
