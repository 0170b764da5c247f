//! The Developer API's conversations (`/v1/dev/user/conversations...`) over HTTP: inherent
//! methods on [`DeveloperClient`], which its `DeveloperConversations` implementation calls.
//! What processing asks for joins the action items (`action_items`).

use std::time::Duration;

use async_trait::async_trait;
use futures::Stream;
use omi_api::{DeveloperConversations, WaitError, messages};
use omi_model::{
    Conversation, ConversationSearchItem, ConversationSearchResponse,
    CreateConversationFromSegmentsRequest, CreateConversationRequest, CreateConversationResponse,
    Folder, GetConversationQuery, ListDevConversationsQuery, SearchDevConversationsQuery,
    SuccessResponse, UpdateConversationRequest,
};
use reqwest::Method;

use crate::paging::pages;
use crate::{DeveloperClient, Error};

const CONVERSATIONS: &[&str] = &["v1", "dev", "user", "conversations"];
const FROM_SEGMENTS: &[&str] = &["v1", "dev", "user", "conversations", "from-segments"];
const CONVERSATIONS_SEARCH: &[&str] = &["v1", "dev", "user", "conversations", "search"];
const FOLDERS: &[&str] = &["v1", "dev", "user", "folders"];

impl DeveloperClient {
    /// `GET /v1/dev/user/conversations`: one page of the user's completed, kept (not
    /// discarded) conversations, newest first (scope `conversations:read`).
    /// [`conversations_stream`](Self::conversations_stream) pages through all of them.
    pub async fn list_conversations(
        &self,
        query: ListDevConversationsQuery,
    ) -> Result<Vec<Conversation>, Error> {
        self.call::<(), _>(Method::GET, CONVERSATIONS, &query.to_query_pairs(), None)
            .await
    }

    /// `GET /v1/dev/user/conversations/search`: the user's completed, kept conversations
    /// whose title, overview or transcript match the query, best first, each with a
    /// highlighted snippet (scope `conversations:read`; ours, not in OMI's cloud).
    /// [`search_conversations_stream`](Self::search_conversations_stream) pages through all
    /// of them.
    pub async fn search_conversations(
        &self,
        query: SearchDevConversationsQuery,
    ) -> Result<ConversationSearchResponse, Error> {
        self.call::<(), _>(
            Method::GET,
            CONVERSATIONS_SEARCH,
            &query.to_query_pairs(),
            None,
        )
        .await
    }

    /// Every hit of [`search_conversations`](Self::search_conversations), a page
    /// (`query.limit`, 10 by default) at a time.
    pub fn search_conversations_stream(
        &self,
        query: SearchDevConversationsQuery,
    ) -> impl Stream<Item = Result<ConversationSearchItem, Error>> + Send + '_ {
        pages(query.limit, query.offset, 10, move |limit, offset| {
            let q = SearchDevConversationsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            };
            async move { Ok(self.search_conversations(q).await?.items) }
        })
    }

    /// `POST /v1/dev/user/conversations`: create a conversation from a text (at most
    /// 100 000 characters; `text_source` defaults to `other_text`; scope
    /// `conversations:write`). It is answered `processing` at once and processed afterwards:
    /// [`wait_until_processed`](Self::wait_until_processed) waits for that.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// use omi_client::Client;
    /// use omi_client::model::{
    ///     CreateActionItemRequest, CreateConversationRequest, UpdateActionItemRequest,
    /// };
    ///
    /// # async fn run() -> Result<(), omi_client::Error> {
    /// let dev = Client::new("http://127.0.0.1:8080")?.developer("omi_dev_0123456789abcdef0123456789abcdef");
    /// // A note becomes a conversation, processed after the answer; what it asks for joins the
    /// // action items, beside those made by hand.
    /// let note = CreateConversationRequest::from_text("Boss: Can you send the report by Friday?");
    /// let created = dev.create_conversation(note).await?;
    /// println!("{} is {}", created.id, created.status);
    /// let done = dev.wait_until_processed(&created.id, Duration::from_secs(30)).await?;
    /// println!("{:?}: {}", done.status, done.structured.title);
    /// let task = dev.create_action_item(CreateActionItemRequest::new("Book the dentist")).await?;
    /// dev.update_action_item(&task.id, UpdateActionItemRequest::completed(true)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_conversation(
        &self,
        request: CreateConversationRequest,
    ) -> Result<CreateConversationResponse, Error> {
        self.call(Method::POST, CONVERSATIONS, &[], Some(&request))
            .await
    }

    /// `POST /v1/dev/user/conversations/from-segments`: create a conversation from 1 to 500
    /// transcript segments, kept as given.
    pub async fn create_conversation_from_segments(
        &self,
        request: CreateConversationFromSegmentsRequest,
    ) -> Result<CreateConversationResponse, Error> {
        self.call(Method::POST, FROM_SEGMENTS, &[], Some(&request))
            .await
    }

    /// `GET /v1/dev/user/conversations/{id}`: one conversation, in any state; 404
    /// "Conversation not found" for an unknown id or another user's.
    pub async fn get_conversation(
        &self,
        conversation_id: &str,
        query: GetConversationQuery,
    ) -> Result<Conversation, Error> {
        let id = (conversation_id, messages::CONVERSATION_NOT_FOUND);
        self.call_item::<(), _>(
            Method::GET,
            CONVERSATIONS,
            id,
            &query.to_query_pairs(),
            None,
        )
        .await
    }

    /// `PATCH /v1/dev/user/conversations/{id}`: change its title or discard it; answers the
    /// changed conversation with its transcript.
    pub async fn update_conversation(
        &self,
        conversation_id: &str,
        request: UpdateConversationRequest,
    ) -> Result<Conversation, Error> {
        let id = (conversation_id, messages::CONVERSATION_NOT_FOUND);
        self.call_item(Method::PATCH, CONVERSATIONS, id, &[], Some(&request))
            .await
    }

    /// `DELETE /v1/dev/user/conversations/{id}`: delete it for good; answers
    /// `{"success": true}`. Its action items and memories stay.
    pub async fn delete_conversation(
        &self,
        conversation_id: &str,
    ) -> Result<SuccessResponse, Error> {
        let id = (conversation_id, messages::CONVERSATION_NOT_FOUND);
        self.call_item::<(), _>(Method::DELETE, CONVERSATIONS, id, &[], None)
            .await
    }

    /// `GET /v1/dev/user/folders`: the user's conversation folders in their order, each
    /// with the count of its conversations that are not discarded (scope
    /// `conversations:read`). One call answers every folder (at most 1 000), so there is no
    /// stream. Move a conversation into one with
    /// [`update_conversation`](Self::update_conversation) and `folder_id`; list a folder's
    /// with `ListDevConversationsQuery { folder_id: Some(id), ..Default::default() }`.
    pub async fn list_folders(&self) -> Result<Vec<Folder>, Error> {
        self.call::<(), _>(Method::GET, FOLDERS, &[], None).await
    }

    /// Read the conversation until its status is `completed` or `failed`, pausing between
    /// reads (50 ms, doubling up to 1 s), for at most `timeout`: the loop every transport
    /// shares, [`DeveloperConversations::wait_until_processed`]. Giving up is
    /// [`WaitError::TimedOut`]; `?` turns it into [`Error::NotProcessed`] in a function that
    /// returns [`Error`]. See [`create_conversation`](Self::create_conversation) for an
    /// example.
    pub async fn wait_until_processed(
        &self,
        conversation_id: &str,
        timeout: Duration,
    ) -> Result<Conversation, WaitError<Error>> {
        <Self as DeveloperConversations>::wait_until_processed(self, conversation_id, timeout).await
    }

    /// Every conversation matching `query`, fetched a page at a time (`query.limit` per page,
    /// 100 by default) until none are left. The stream's combinators are in
    /// [`futures`](crate::futures), re-exported by this crate.
    ///
    /// ```no_run
    /// use omi_client::Client;
    /// use omi_client::futures::TryStreamExt;
    /// use omi_client::model::ListDevConversationsQuery;
    ///
    /// # async fn run() -> Result<(), omi_client::Error> {
    /// let dev = Client::new("http://127.0.0.1:8080")?.developer("omi_dev_0123456789abcdef0123456789abcdef");
    /// let all: Vec<_> = dev
    ///     .conversations_stream(ListDevConversationsQuery::default())
    ///     .try_collect()
    ///     .await?;
    /// println!("{} conversations", all.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn conversations_stream(
        &self,
        query: ListDevConversationsQuery,
    ) -> impl Stream<Item = Result<Conversation, Error>> + Send + '_ {
        pages(query.limit, query.offset, 100, move |limit, offset| {
            let q = ListDevConversationsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            };
            async move { self.list_conversations(q).await }
        })
    }
}

/// The inherent methods above, as the transport-agnostic trait (`wait_until_processed` is
/// the trait's own).
#[async_trait]
impl DeveloperConversations for DeveloperClient {
    type Error = Error;

    async fn search_conversations(
        &self,
        query: SearchDevConversationsQuery,
    ) -> Result<ConversationSearchResponse, Error> {
        DeveloperClient::search_conversations(self, query).await
    }

    async fn list_conversations(
        &self,
        query: ListDevConversationsQuery,
    ) -> Result<Vec<Conversation>, Error> {
        DeveloperClient::list_conversations(self, query).await
    }

    async fn create_conversation(
        &self,
        request: CreateConversationRequest,
    ) -> Result<CreateConversationResponse, Error> {
        DeveloperClient::create_conversation(self, request).await
    }

    async fn create_conversation_from_segments(
        &self,
        request: CreateConversationFromSegmentsRequest,
    ) -> Result<CreateConversationResponse, Error> {
        DeveloperClient::create_conversation_from_segments(self, request).await
    }

    async fn get_conversation(
        &self,
        conversation_id: &str,
        query: GetConversationQuery,
    ) -> Result<Conversation, Error> {
        DeveloperClient::get_conversation(self, conversation_id, query).await
    }

    async fn update_conversation(
        &self,
        conversation_id: &str,
        request: UpdateConversationRequest,
    ) -> Result<Conversation, Error> {
        DeveloperClient::update_conversation(self, conversation_id, request).await
    }

    async fn delete_conversation(&self, conversation_id: &str) -> Result<SuccessResponse, Error> {
        DeveloperClient::delete_conversation(self, conversation_id).await
    }

    async fn list_folders(&self) -> Result<Vec<Folder>, Error> {
        DeveloperClient::list_folders(self).await
    }
}
