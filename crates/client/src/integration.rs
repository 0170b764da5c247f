//! The Integration Imports API over HTTP.

use async_trait::async_trait;
use futures::{Stream, TryStreamExt};
use omi_api::IntegrationImports;
use omi_model::{
    ApiKey, Conversation, ConversationsResponse, CreateConversationRequest, CreateMemoriesRequest,
    EmptyResponse, ListConversationsQuery, ListMemoriesQuery, ListTasksQuery, MemoriesResponse,
    Memory, SearchConversationsQuery, SearchConversationsRequest, SearchConversationsResponse,
    Task, TasksResponse,
};
use reqwest::Method;
use serde::Serialize;

use crate::client::Request;
use crate::paging::pages;
use crate::{Client, Error};

/// The Integration Imports API of one app, called with one of its keys; every call names
/// the user (`uid`) it acts for.
///
/// Every route is an inherent method (the same calls as its `IntegrationImports`
/// implementation, which needs no import to use them), and each list is also a stream.
///
/// ```no_run
/// use omi_client::Client;
/// use omi_client::model::CreateConversationRequest;
///
/// # async fn run() -> Result<(), omi_client::Error> {
/// let client = Client::new("http://127.0.0.1:8080")?;
/// let app = client.integration("my_app_id", "sk_0123456789abcdef0123456789abcdef");
/// app.create_conversation("user_123", CreateConversationRequest::from_text("Me: I love tea.")).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct IntegrationClient {
    client: Client,
    app_id: String,
    key: ApiKey,
}

impl IntegrationClient {
    pub(crate) fn new(client: Client, app_id: String, key: ApiKey) -> Self {
        Self {
            client,
            app_id,
            key,
        }
    }

    async fn call<B: Serialize + Sync, T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        resource: &[&str],
        uid: &str,
        mut query: Vec<(&'static str, String)>,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let mut path = vec!["v2", "integrations", self.app_id.as_str()];
        path.extend_from_slice(resource);
        query.insert(0, ("uid", uid.to_owned()));
        self.client
            .call(Request {
                method,
                path: &path,
                query: &query,
                key: &self.key,
                body,
            })
            .await
    }

    /// `POST /v2/integrations/{app_id}/user/conversations?uid=`: store a conversation for
    /// processing (capability `external_integration` with `create_conversation`). Answers
    /// `{}` once it is durably stored; processing runs afterwards.
    pub async fn create_conversation(
        &self,
        uid: &str,
        request: CreateConversationRequest,
    ) -> Result<EmptyResponse, Error> {
        self.call(
            Method::POST,
            &["user", "conversations"],
            uid,
            vec![],
            Some(&request),
        )
        .await
    }

    /// `POST /v2/integrations/{app_id}/user/memories?uid=`: store explicit memories and/or
    /// a text to extract memories from. Answers `{}` once durably stored.
    pub async fn create_memories(
        &self,
        uid: &str,
        request: CreateMemoriesRequest,
    ) -> Result<EmptyResponse, Error> {
        self.call(
            Method::POST,
            &["user", "memories"],
            uid,
            vec![],
            Some(&request),
        )
        .await
    }

    /// `GET /v2/integrations/{app_id}/conversations?uid=`: one page of the user's
    /// conversations, newest first. [`conversations_stream`](Self::conversations_stream)
    /// pages through all of them.
    pub async fn list_conversations(
        &self,
        uid: &str,
        query: ListConversationsQuery,
    ) -> Result<ConversationsResponse, Error> {
        self.call::<(), _>(
            Method::GET,
            &["conversations"],
            uid,
            query.to_query_pairs(),
            None,
        )
        .await
    }

    /// `POST /v2/integrations/{app_id}/search/conversations?uid=`: one page of the user's
    /// conversations whose title, overview or text match `request.query`, newest first
    /// (capability `read_conversations`). An unreadable date is a 400.
    /// [`search_conversations_stream`](Self::search_conversations_stream) pages through all
    /// of them.
    pub async fn search_conversations(
        &self,
        uid: &str,
        request: SearchConversationsRequest,
        query: SearchConversationsQuery,
    ) -> Result<SearchConversationsResponse, Error> {
        self.call(
            Method::POST,
            &["search", "conversations"],
            uid,
            query.to_query_pairs(),
            Some(&request),
        )
        .await
    }

    /// Every conversation [`search_conversations`](Self::search_conversations) finds, a page
    /// at a time from `request.page` (`request.per_page` per page), until the last page.
    pub fn search_conversations_stream<'a>(
        &'a self,
        uid: &'a str,
        request: SearchConversationsRequest,
        query: SearchConversationsQuery,
    ) -> impl Stream<Item = Result<Conversation, Error>> + Send + 'a {
        let first = request.page.unwrap_or(1).max(1);
        futures::stream::try_unfold(Some(first), move |next| {
            let request = request.clone();
            async move {
                let Some(page) = next else {
                    return Ok::<_, Error>(None);
                };
                let asked = SearchConversationsRequest {
                    page: Some(page),
                    ..request
                };
                let answer = self.search_conversations(uid, asked, query).await?;
                let last = u64::try_from(page).unwrap_or(u64::MAX) >= answer.total_pages
                    || answer.conversations.is_empty();
                let next = (!last).then(|| page.saturating_add(1));
                let items = answer.conversations.into_iter().map(Ok::<_, Error>);
                Ok(Some((futures::stream::iter(items), next)))
            }
        })
        .try_flatten()
    }

    /// `GET /v2/integrations/{app_id}/memories?uid=`: one page of the user's memories.
    /// [`memories_stream`](Self::memories_stream) pages through all of them.
    pub async fn list_memories(
        &self,
        uid: &str,
        query: ListMemoriesQuery,
    ) -> Result<MemoriesResponse, Error> {
        self.call::<(), _>(
            Method::GET,
            &["memories"],
            uid,
            query.to_query_pairs(),
            None,
        )
        .await
    }

    /// Every conversation matching `query`, newest first, fetched a page at a time
    /// (`query.limit` per page, 100 by default) until none are left. The stream's
    /// combinators are in [`futures`](crate::futures), re-exported by this crate.
    pub fn conversations_stream<'a>(
        &'a self,
        uid: &'a str,
        query: ListConversationsQuery,
    ) -> impl Stream<Item = Result<Conversation, Error>> + Send + 'a {
        pages(query.limit, query.offset, 100, move |limit, offset| {
            let q = ListConversationsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            };
            async move { Ok(self.list_conversations(uid, q).await?.conversations) }
        })
    }

    /// Every memory, fetched a page at a time (`query.limit` per page, 100 by default). The
    /// stream's combinators are in [`futures`](crate::futures), re-exported by this crate.
    pub fn memories_stream<'a>(
        &'a self,
        uid: &'a str,
        query: ListMemoriesQuery,
    ) -> impl Stream<Item = Result<Memory, Error>> + Send + 'a {
        pages(query.limit, query.offset, 100, move |limit, offset| {
            let q = ListMemoriesQuery {
                limit: Some(limit),
                offset: Some(offset),
            };
            async move { Ok(self.list_memories(uid, q).await?.memories) }
        })
    }

    /// `GET /v2/integrations/{app_id}/tasks?uid=`: one page of the user's action items,
    /// newest first, filtered by completion, conversation, creation and due dates
    /// (capability `read_tasks`). [`tasks_stream`](Self::tasks_stream) pages through all.
    pub async fn list_tasks(
        &self,
        uid: &str,
        query: ListTasksQuery,
    ) -> Result<TasksResponse, Error> {
        self.call::<(), _>(Method::GET, &["tasks"], uid, query.to_query_pairs(), None)
            .await
    }

    /// Every task matching `query`, fetched a page at a time (`query.limit` per page, 100 by
    /// default) until none are left.
    pub fn tasks_stream<'a>(
        &'a self,
        uid: &'a str,
        query: ListTasksQuery,
    ) -> impl Stream<Item = Result<Task, Error>> + Send + 'a {
        pages(query.limit, query.offset, 100, move |limit, offset| {
            let q = ListTasksQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            };
            async move { Ok(self.list_tasks(uid, q).await?.tasks) }
        })
    }
}

/// The inherent methods above, as the transport-agnostic trait.
#[async_trait]
impl IntegrationImports for IntegrationClient {
    type Error = Error;

    async fn create_conversation(
        &self,
        uid: &str,
        request: CreateConversationRequest,
    ) -> Result<EmptyResponse, Error> {
        IntegrationClient::create_conversation(self, uid, request).await
    }

    async fn create_memories(
        &self,
        uid: &str,
        request: CreateMemoriesRequest,
    ) -> Result<EmptyResponse, Error> {
        IntegrationClient::create_memories(self, uid, request).await
    }

    async fn list_conversations(
        &self,
        uid: &str,
        query: ListConversationsQuery,
    ) -> Result<ConversationsResponse, Error> {
        IntegrationClient::list_conversations(self, uid, query).await
    }

    async fn search_conversations(
        &self,
        uid: &str,
        request: SearchConversationsRequest,
        query: SearchConversationsQuery,
    ) -> Result<SearchConversationsResponse, Error> {
        IntegrationClient::search_conversations(self, uid, request, query).await
    }

    async fn list_memories(
        &self,
        uid: &str,
        query: ListMemoriesQuery,
    ) -> Result<MemoriesResponse, Error> {
        IntegrationClient::list_memories(self, uid, query).await
    }

    async fn list_tasks(&self, uid: &str, query: ListTasksQuery) -> Result<TasksResponse, Error> {
        IntegrationClient::list_tasks(self, uid, query).await
    }
}
