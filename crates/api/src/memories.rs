//! The Developer API's memories (`/v1/dev/user/memories...`).

use async_trait::async_trait;
use omi_model::{
    BatchCreateMemoriesRequest, BatchMemoriesResponse, CreateMemoryRequest, ListDevMemoriesQuery,
    Memory, MemorySearchResponse, SearchMemoriesQuery, SuccessResponse, UpdateMemoryRequest,
};

use crate::CallError;

/// The Developer API's memories (`/v1/dev/user/memories`), built with a developer key; every
/// call acts for the key's user. Reads need the `memories:read` scope, writes
/// `memories:write`.
#[async_trait]
pub trait DeveloperMemories: Send + Sync {
    /// What a call fails with: [`ApiError`](crate::ApiError) in-process; over HTTP also transport failures.
    type Error: CallError;

    /// `GET /v1/dev/user/memories`: the user's memories by score, then newest first.
    async fn list_memories(&self, query: ListDevMemoriesQuery) -> Result<Vec<Memory>, Self::Error>;

    /// `GET /v1/dev/user/memories/vector/search`: the user's memories that match
    /// `query.query`, best first, at most `query.limit` (1..=100, default 10), in OMI's
    /// cloud's envelope. Full-text: any form of a word finds the others ("hiking" finds
    /// "hike"), case and accents do not matter, and any part of a text in a script without
    /// spaces (Japanese, Chinese, Thai) is found; a memory is found as soon as its write is
    /// answered.
    async fn search_memories(
        &self,
        query: SearchMemoriesQuery,
    ) -> Result<MemorySearchResponse, Self::Error>;

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
    /// Content that another memory of the user already has is refused with 409 Conflict
    /// ([`messages::MEMORY_CONTENT_EXISTS`](crate::messages::MEMORY_CONTENT_EXISTS)) and
    /// nothing changes: the memory asked for keeps its id and content, and the other one is
    /// not touched (unlike a create with that content, which answers the existing memory).
    async fn update_memory(
        &self,
        memory_id: &str,
        request: UpdateMemoryRequest,
    ) -> Result<Memory, Self::Error>;

    /// `DELETE /v1/dev/user/memories/{id}`: delete for good; answers `{"success": true}`.
    async fn delete_memory(&self, memory_id: &str) -> Result<SuccessResponse, Self::Error>;
}
