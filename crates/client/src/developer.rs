//! The Developer API's memories over HTTP.

use async_trait::async_trait;
use futures::Stream;
use omi_api::{ApiError, DeveloperMemories, messages};
use omi_model::{
    ApiKey, BatchCreateMemoriesRequest, BatchMemoriesResponse, CreateMemoryRequest,
    ListDevMemoriesQuery, Memory, SuccessResponse, UpdateMemoryRequest,
};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::{Request, is_sendable_segment};
use crate::paging::pages;
use crate::{Client, Error};

const MEMORIES: &[&str] = &["v1", "dev", "user", "memories"];

/// The Developer API, called with one developer key: it implements `DeveloperMemories`,
/// `DeveloperConversations` and `DeveloperActionItems`, and offers a stream for each list.
///
/// ```no_run
/// use omi_api::DeveloperMemories;
/// use omi_client::Client;
/// use omi_model::CreateMemoryRequest;
///
/// # async fn run() -> Result<(), omi_client::Error> {
/// let client = Client::new("http://127.0.0.1:8080")?;
/// let dev = client.developer("omi_dev_0123456789abcdef0123456789abcdef");
/// let memory = dev.create_memory(CreateMemoryRequest::new("User prefers dark mode")).await?;
/// println!("{} {:?}", memory.id, memory.category);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct DeveloperClient {
    client: Client,
    key: ApiKey,
}

impl DeveloperClient {
    pub(crate) fn new(client: Client, key: ApiKey) -> Self {
        Self { client, key }
    }

    pub(crate) async fn call<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&'static str, String)],
        body: Option<&B>,
    ) -> Result<T, Error> {
        self.client
            .call(Request {
                method,
                path,
                query,
                key: &self.key,
                body,
            })
            .await
    }

    /// A call on one record of `collection`. An id that cannot be sent as a path segment
    /// (empty, `.` or `..`) is no record's id: it is answered here as the server answers an
    /// unknown id, 404 with `not_found`, without a request (so the key is not checked).
    pub(crate) async fn call_item<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: Method,
        collection: &[&str],
        (id, not_found): (&str, &str),
        query: &[(&'static str, String)],
        body: Option<&B>,
    ) -> Result<T, Error> {
        if !is_sendable_segment(id) {
            return Err(Error::Api(ApiError::not_found(not_found)));
        }
        let mut path = collection.to_vec();
        path.push(id);
        self.call(method, &path, query, body).await
    }

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
