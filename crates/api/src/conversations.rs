//! The Developer API's conversations.

use std::time::Duration;

use async_trait::async_trait;
use omi_model::{
    Conversation, ConversationSearchResponse, CreateConversationFromSegmentsRequest,
    CreateConversationRequest, CreateConversationResponse, Folder, GetConversationQuery,
    ListDevConversationsQuery, SearchDevConversationsQuery, SuccessResponse,
    UpdateConversationRequest,
};

use crate::CallError;
use crate::wait::{WaitError, until_processed};

/// The Developer API's conversations (`/v1/dev/user/conversations`), built with a developer
/// key; every call acts for the key's user. Reads need the `conversations:read` scope, writes
/// `conversations:write`.
///
/// A created conversation is answered `{"id", "status": "processing", "discarded": false}` as
/// soon as it and its processing job are stored; a worker then processes it with the same
/// extractor as the integration route, and its action items and memories join the user's
/// lists. Checks run as for every developer route: key (401), scope (403), rate limit (429),
/// then the input (400/422) and the id (404 "Conversation not found", also for another
/// user's conversation).
#[async_trait]
pub trait DeveloperConversations: Send + Sync {
    /// What a call fails with: [`ApiError`](crate::ApiError) in-process; over HTTP also transport failures.
    type Error: CallError;

    /// `GET /v1/dev/user/conversations`: the user's completed, kept (not discarded)
    /// conversations, newest first; `folder_id` keeps those of one folder, `starred` the
    /// starred (or unstarred) ones.
    async fn list_conversations(
        &self,
        query: ListDevConversationsQuery,
    ) -> Result<Vec<Conversation>, Self::Error>;

    /// `GET /v1/dev/user/conversations/search` (ours; OMI's cloud has no such route): the
    /// user's completed, kept conversations whose title, overview or transcript match
    /// `query.query`, best first (a word of the title or overview weighs more), each with a
    /// short snippet of the text around the words found; `limit` 1..=100 (default 10) and
    /// `offset` page through them, `start_date` / `end_date` bound `created_at`. Words are
    /// found in any form ("hiking" finds "hike"), without regard to case or accents, and
    /// any part of a text in a script without spaces (Japanese, Chinese, Thai).
    async fn search_conversations(
        &self,
        query: SearchDevConversationsQuery,
    ) -> Result<ConversationSearchResponse, Self::Error>;

    /// `POST /v1/dev/user/conversations`: create a conversation from a text (at most
    /// 100 000 characters; `text_source` defaults to `other_text`).
    async fn create_conversation(
        &self,
        request: CreateConversationRequest,
    ) -> Result<CreateConversationResponse, Self::Error>;

    /// `POST /v1/dev/user/conversations/from-segments`: create a conversation from 1 to 500
    /// transcript segments, kept as given.
    async fn create_conversation_from_segments(
        &self,
        request: CreateConversationFromSegmentsRequest,
    ) -> Result<CreateConversationResponse, Self::Error>;

    /// `GET /v1/dev/user/conversations/{id}`: one conversation, in any state.
    async fn get_conversation(
        &self,
        conversation_id: &str,
        query: GetConversationQuery,
    ) -> Result<Conversation, Self::Error>;

    /// `PATCH /v1/dev/user/conversations/{id}`: change its title, discard it, star it or
    /// move it into one of the user's folders (`folder_id`; `null` takes it out; an id the
    /// user has no folder with is 404 "Folder not found"); answers the changed conversation
    /// with its transcript.
    async fn update_conversation(
        &self,
        conversation_id: &str,
        request: UpdateConversationRequest,
    ) -> Result<Conversation, Self::Error>;

    /// `DELETE /v1/dev/user/conversations/{id}`: delete it for good; answers
    /// `{"success": true}`. Its action items and memories stay.
    async fn delete_conversation(
        &self,
        conversation_id: &str,
    ) -> Result<SuccessResponse, Self::Error>;

    /// `GET /v1/dev/user/folders`: the user's conversation folders in their order, each
    /// with the count of its conversations that are not discarded (scope
    /// `conversations:read`); `[]` when the user has none.
    async fn list_folders(&self) -> Result<Vec<Folder>, Self::Error>;

    /// Read the conversation until it is processed, its status `completed` or `failed`, and
    /// answer it as [`get_conversation`](Self::get_conversation) with the default query does
    /// (without its transcript; read it again with `GetConversationQuery::WITH_TRANSCRIPT`
    /// for that). A `failed` conversation is an answer too: look at its `status`.
    ///
    /// Between reads it pauses [`FIRST_PAUSE`](crate::wait::FIRST_PAUSE), doubling up to
    /// [`MAX_PAUSE`](crate::wait::MAX_PAUSE), never past `timeout`; when `timeout` has passed
    /// it gives up with [`WaitError::TimedOut`] (a `timeout` of zero reads once). A read that
    /// fails ends the wait with [`WaitError::Call`]: 404 "Conversation not found" for an
    /// unknown id, 403 without the `conversations:read` scope. Every transport shares this
    /// one loop; it needs no async runtime.
    async fn wait_until_processed(
        &self,
        conversation_id: &str,
        timeout: Duration,
    ) -> Result<Conversation, WaitError<Self::Error>> {
        until_processed(self, conversation_id, timeout).await
    }
}
