//! The Developer API's conversations (`/v1/dev/user/conversations...`) over HTTP, on
//! [`DeveloperClient`]. What processing asks for joins the action items (`action_items`).
//!
//! ```no_run
//! use omi_api::{DeveloperActionItems, DeveloperConversations};
//! use omi_client::Client;
//! use omi_model::{CreateActionItemRequest, CreateConversationRequest, UpdateActionItemRequest};
//!
//! # async fn run() -> Result<(), omi_client::Error> {
//! let dev = Client::new("http://127.0.0.1:8080")?.developer("omi_dev_...");
//! // A note becomes a conversation, processed after the answer; what it asks for joins the
//! // action items, beside those made by hand.
//! let note = CreateConversationRequest::from_text("Boss: Can you send the report by Friday?");
//! let created = dev.create_conversation(note).await?;
//! println!("{} is {}", created.id, created.status);
//! let task = dev.create_action_item(CreateActionItemRequest::new("Book the dentist")).await?;
//! dev.update_action_item(&task.id, UpdateActionItemRequest::completed(true)).await?;
//! # Ok(())
//! # }
//! ```

use async_trait::async_trait;
use futures::Stream;
use omi_api::{DeveloperConversations, messages};
use omi_model::{
    Conversation, CreateConversationFromSegmentsRequest, CreateConversationRequest,
    CreateConversationResponse, GetConversationQuery, ListDevConversationsQuery, SuccessResponse,
    UpdateConversationRequest,
};
use reqwest::Method;

use crate::paging::pages;
use crate::{DeveloperClient, Error};

const CONVERSATIONS: &[&str] = &["v1", "dev", "user", "conversations"];
const FROM_SEGMENTS: &[&str] = &["v1", "dev", "user", "conversations", "from-segments"];

impl DeveloperClient {
    /// Every conversation matching `query`, fetched a page at a time (`query.limit` per page,
    /// 100 by default) until none are left.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use omi_client::Client;
    /// use omi_model::ListDevConversationsQuery;
    ///
    /// # async fn run() -> Result<(), omi_client::Error> {
    /// let dev = Client::new("http://127.0.0.1:8080")?.developer("omi_dev_...");
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

#[async_trait]
impl DeveloperConversations for DeveloperClient {
    type Error = Error;

    async fn list_conversations(
        &self,
        query: ListDevConversationsQuery,
    ) -> Result<Vec<Conversation>, Error> {
        self.call::<(), _>(Method::GET, CONVERSATIONS, &query.to_query_pairs(), None)
            .await
    }

    async fn create_conversation(
        &self,
        request: CreateConversationRequest,
    ) -> Result<CreateConversationResponse, Error> {
        self.call(Method::POST, CONVERSATIONS, &[], Some(&request))
            .await
    }

    async fn create_conversation_from_segments(
        &self,
        request: CreateConversationFromSegmentsRequest,
    ) -> Result<CreateConversationResponse, Error> {
        self.call(Method::POST, FROM_SEGMENTS, &[], Some(&request))
            .await
    }

    async fn get_conversation(
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

    async fn update_conversation(
        &self,
        conversation_id: &str,
        request: UpdateConversationRequest,
    ) -> Result<Conversation, Error> {
        let id = (conversation_id, messages::CONVERSATION_NOT_FOUND);
        self.call_item(Method::PATCH, CONVERSATIONS, id, &[], Some(&request))
            .await
    }

    async fn delete_conversation(&self, conversation_id: &str) -> Result<SuccessResponse, Error> {
        let id = (conversation_id, messages::CONVERSATION_NOT_FOUND);
        self.call_item::<(), _>(Method::DELETE, CONVERSATIONS, id, &[], None)
            .await
    }
}
