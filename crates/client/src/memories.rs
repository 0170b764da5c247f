//! The Developer API's memories (`/v1/dev/user/memories...`) over HTTP: inherent methods on
//! [`DeveloperClient`], which its `DeveloperMemories` implementation calls.

use async_trait::async_trait;
use futures::Stream;
use omi_api::{DeveloperMemories, messages};
use omi_model::{
    BatchCreateMemoriesRequest, BatchMemoriesResponse, CreateMemoryRequest, ListDevMemoriesQuery,
    Memory, MemorySearchResponse, SearchMemoriesQuery, SuccessResponse, UpdateMemoryRequest,
};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::paging::pages;
use crate::{DeveloperClient, Error};

const MEMORIES: &[&str] = &["v1", "dev", "user", "memories"];
const MEMORIES_BATCH: &[&str] = &["v1", "dev", "user", "memories", "batch"];
const MEMORIES_SEARCH: &[&str] = &["v1", "dev", "user", "memories", "vector", "search"];

impl DeveloperClient {
    /// A call on one memory (see [`call_item`](Self::call_item)).
    async fn call_one<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: Method,
        memory_id: &str,
        body: Option<&B>,
    ) -> Result<T, Error> {
        self.call_item(
            method,
            MEMORIES,
            (memory_id, messages::MEMORY_NOT_FOUND),
            &[],
            body,
        )
        .await
    }

    /// `GET /v1/dev/user/memories`: one page of the user's memories, by score, then newest
    /// first (scope `memories:read`). [`memories_stream`](Self::memories_stream) pages
    /// through all of them.
    pub async fn list_memories(&self, query: ListDevMemoriesQuery) -> Result<Vec<Memory>, Error> {
        self.call::<(), _>(Method::GET, MEMORIES, &query.to_query_pairs(), None)
            .await
    }

    /// `GET /v1/dev/user/memories/vector/search`: the user's memories that match the query,
    /// best first (scope `memories:read`): any form of a word finds the others, case and
    /// accents do not matter, and any part of a Japanese, Chinese or Thai text is found.
    pub async fn search_memories(
        &self,
        query: SearchMemoriesQuery,
    ) -> Result<MemorySearchResponse, Error> {
        self.call::<(), _>(Method::GET, MEMORIES_SEARCH, &query.to_query_pairs(), None)
            .await
    }

    /// `POST /v1/dev/user/memories`: create a memory (scope `memories:write`). The same
    /// content a second time answers the existing memory instead of a duplicate.
    pub async fn create_memory(&self, request: CreateMemoryRequest) -> Result<Memory, Error> {
        self.call(Method::POST, MEMORIES, &[], Some(&request)).await
    }

    /// `POST /v1/dev/user/memories/batch`: create up to 25 memories, all or nothing.
    pub async fn create_memories_batch(
        &self,
        request: BatchCreateMemoriesRequest,
    ) -> Result<BatchMemoriesResponse, Error> {
        self.call(Method::POST, MEMORIES_BATCH, &[], Some(&request))
            .await
    }

    /// `GET /v1/dev/user/memories/{id}`: one memory; 404 "Memory not found" for an unknown
    /// id or another user's.
    pub async fn get_memory(&self, memory_id: &str) -> Result<Memory, Error> {
        self.call_one::<(), _>(Method::GET, memory_id, None).await
    }

    /// `PATCH /v1/dev/user/memories/{id}`: change its content, visibility, tags or category.
    /// Content that another memory of the user already has is refused with 409
    /// ([`messages::MEMORY_CONTENT_EXISTS`]), and nothing changes.
    pub async fn update_memory(
        &self,
        memory_id: &str,
        request: UpdateMemoryRequest,
    ) -> Result<Memory, Error> {
        self.call_one(Method::PATCH, memory_id, Some(&request))
            .await
    }

    /// `DELETE /v1/dev/user/memories/{id}`: delete it for good; answers `{"success": true}`.
    pub async fn delete_memory(&self, memory_id: &str) -> Result<SuccessResponse, Error> {
        self.call_one::<(), _>(Method::DELETE, memory_id, None)
            .await
    }

    /// Every memory matching `query`, fetched a page at a time (`query.limit` per page, 100
    /// by default) until none are left. The stream's combinators (`try_collect`,
    /// `try_next`...) are in [`futures`](crate::futures), re-exported by this crate.
    pub fn memories_stream(
        &self,
        query: ListDevMemoriesQuery,
    ) -> impl Stream<Item = Result<Memory, Error>> + Send + '_ {
        pages(query.limit, query.offset, 100, move |limit, offset| {
            let q = ListDevMemoriesQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            };
            async move { self.list_memories(q).await }
        })
    }
}

/// The inherent methods above, as the transport-agnostic trait.
#[async_trait]
impl DeveloperMemories for DeveloperClient {
    type Error = Error;

    async fn list_memories(&self, query: ListDevMemoriesQuery) -> Result<Vec<Memory>, Error> {
        DeveloperClient::list_memories(self, query).await
    }

    async fn search_memories(
        &self,
        query: SearchMemoriesQuery,
    ) -> Result<MemorySearchResponse, Error> {
        DeveloperClient::search_memories(self, query).await
    }

    async fn create_memory(&self, request: CreateMemoryRequest) -> Result<Memory, Error> {
        DeveloperClient::create_memory(self, request).await
    }

    async fn create_memories_batch(
        &self,
        request: BatchCreateMemoriesRequest,
    ) -> Result<BatchMemoriesResponse, Error> {
        DeveloperClient::create_memories_batch(self, request).await
    }

    async fn get_memory(&self, memory_id: &str) -> Result<Memory, Error> {
        DeveloperClient::get_memory(self, memory_id).await
    }

    async fn update_memory(
        &self,
        memory_id: &str,
        request: UpdateMemoryRequest,
    ) -> Result<Memory, Error> {
        DeveloperClient::update_memory(self, memory_id, request).await
    }

    async fn delete_memory(&self, memory_id: &str) -> Result<SuccessResponse, Error> {
        DeveloperClient::delete_memory(self, memory_id).await
    }
}
