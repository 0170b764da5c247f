//! The Developer API's memories (`/v1/dev/user/memories...`) over HTTP.

use async_trait::async_trait;
use futures::Stream;
use omi_api::{DeveloperMemories, messages};
use omi_model::{
    BatchCreateMemoriesRequest, BatchMemoriesResponse, CreateMemoryRequest, ListDevMemoriesQuery,
    Memory, SuccessResponse, UpdateMemoryRequest,
};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::paging::pages;
use crate::{DeveloperClient, Error};

const MEMORIES: &[&str] = &["v1", "dev", "user", "memories"];

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

    /// Every memory matching `query`, fetched a page at a time (`query.limit` per page, 100
    /// by default) until none are left.
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

#[async_trait]
impl DeveloperMemories for DeveloperClient {
    type Error = Error;

    async fn list_memories(&self, query: ListDevMemoriesQuery) -> Result<Vec<Memory>, Error> {
        self.call::<(), _>(Method::GET, MEMORIES, &query.to_query_pairs(), None)
            .await
    }

    async fn create_memory(&self, request: CreateMemoryRequest) -> Result<Memory, Error> {
        self.call(Method::POST, MEMORIES, &[], Some(&request)).await
    }

    async fn create_memories_batch(
        &self,
        request: BatchCreateMemoriesRequest,
    ) -> Result<BatchMemoriesResponse, Error> {
        let mut path = MEMORIES.to_vec();
        path.push("batch");
        self.call(Method::POST, &path, &[], Some(&request)).await
    }

    async fn get_memory(&self, memory_id: &str) -> Result<Memory, Error> {
        self.call_one::<(), _>(Method::GET, memory_id, None).await
    }

    async fn update_memory(
        &self,
        memory_id: &str,
        request: UpdateMemoryRequest,
    ) -> Result<Memory, Error> {
        self.call_one(Method::PATCH, memory_id, Some(&request))
            .await
    }

    async fn delete_memory(&self, memory_id: &str) -> Result<SuccessResponse, Error> {
        self.call_one::<(), _>(Method::DELETE, memory_id, None)
            .await
    }
}
