//! The Developer API's conversations over the store.
//!
//! Both create routes store the conversation and its processing job in one transaction and
//! answer at once; the worker processes it as it processes an integration import.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_api::{ApiError, DeveloperConversations, messages};
use omi_extract::search::{QueryPhrase, SNIPPET_CHARS, highlighted_snippet, query_phrases};
use omi_model::{
    Conversation, ConversationSearchItem, ConversationSearchResponse, ConversationStatus,
    CreateConversationFromSegmentsRequest, CreateConversationRequest, CreateConversationResponse,
    Folder, GetConversationQuery, ListDevConversationsQuery, SearchDevConversationsQuery,
    SuccessResponse, TranscriptSegment, Uid, UpdateConversationRequest,
};

use super::{AuthorizedDeveloper, DeveloperHandle, dev_access, store_error};
use crate::store::{ConversationRecord, IdempotentAnswer, JobTask, RankedConversation, StoreError};

impl AuthorizedDeveloper {
    /// Store `record` (with the transcript the caller gave, if any) and its processing job in
    /// one transaction, wake a worker, and answer.
    async fn store_conversation(
        &self,
        record: ConversationRecord,
        segments: Option<&[TranscriptSegment]>,
        now: DateTime<Utc>,
    ) -> Result<CreateConversationResponse, ApiError> {
        let id = record.id.clone();
        match self.insert_conversation(record, segments, now).await? {
            Some(created) => Ok(created),
            None => self
                .answer_of(&id)
                .await?
                .ok_or_else(|| ApiError::message(409, messages::CONVERSATION_CREATION_IN_PROGRESS)),
        }
    }

    /// [`store_conversation`](Self::store_conversation)'s write: its answer, or `None` when
    /// a conversation with the record's id (a session's, made by a concurrent request)
    /// committed first, so nothing of this one was kept.
    async fn insert_conversation(
        &self,
        record: ConversationRecord,
        segments: Option<&[TranscriptSegment]>,
        now: DateTime<Utc>,
    ) -> Result<Option<CreateConversationResponse>, ApiError> {
        let service = self.service();
        let task = JobTask::ProcessConversation {
            conversation_id: record.id.clone(),
        };
        let job = service.new_job(record.uid.clone(), task, now);
        let id = record.id.clone();
        let write = |answer: Option<IdempotentAnswer<bool>>| async move {
            let answer = answer.map(|a| a.of_result(true));
            let store = service.store();
            let stored = match segments {
                None => store.insert_conversation(&record, &job, answer).await,
                Some(segments) => {
                    store
                        .insert_transcript_conversation(&record, segments, &job, answer)
                        .await
                }
            };
            match stored {
                Ok(()) => {}
                Err(StoreError::Conflict(cause)) if record.client.session_id.is_some() => {
                    tracing::info!(conversation_id = %record.id, %cause, "session already stored");
                    return Ok(false);
                }
                Err(e) => return Err(e),
            }
            service.job_enqueued();
            tracing::info!(conversation_id = %record.id, "developer conversation stored");
            Ok(true)
        };
        let answer = move |inserted: &bool| {
            inserted.then(|| CreateConversationResponse {
                id: id.clone(),
                status: ConversationStatus::Processing,
                discarded: false,
            })
        };
        service.create_once(answer, write).await
    }

    /// The create answer of the caller's conversation `id` as it is now, if there is one:
    /// what a retry of a recording session gets.
    async fn answer_of(&self, id: &str) -> Result<Option<CreateConversationResponse>, ApiError> {
        let found = self
            .service()
            .store()
            .conversation(&self.uid, id)
            .await
            .map_err(store_error)?;
        Ok(found.map(|c| CreateConversationResponse {
            id: c.id,
            status: c.status.unwrap_or(ConversationStatus::Completed),
            discarded: c.discarded,
        }))
    }

    async fn conversation_of(&self, uid: &Uid, id: &str) -> Result<Conversation, ApiError> {
        self.service()
            .store()
            .conversation(uid, id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(messages::CONVERSATION_NOT_FOUND))
    }
}

impl AuthorizedDeveloper {
    /// [`DeveloperConversations::list_conversations`] for this caller.
    pub async fn list_conversations(
        &self,
        query: ListDevConversationsQuery,
    ) -> Result<Vec<Conversation>, ApiError> {
        let params = query.validate()?;
        let conversations = self
            .service()
            .store()
            .list_dev_conversations(&self.uid, &params)
            .await
            .map_err(store_error)?;
        Ok(conversations
            .into_iter()
            .map(|c| c.for_developer(params.include_transcript))
            .collect())
    }

    /// [`DeveloperConversations::search_conversations`] for this caller.
    pub async fn search_conversations(
        &self,
        query: SearchDevConversationsQuery,
    ) -> Result<ConversationSearchResponse, ApiError> {
        let search = query.validate()?;
        let found = self
            .service()
            .store()
            .rank_conversations(&self.uid, &search)
            .await
            .map_err(store_error)?;
        // A snippet reads the whole text (up to 100 000 characters per hit): off the async
        // threads.
        let items = tokio::task::spawn_blocking(move || {
            let phrases = query_phrases(&search.query);
            found
                .into_iter()
                .map(|hit| ConversationSearchItem {
                    relevance_score: hit.relevance,
                    snippet: conversation_snippet(&hit, &phrases),
                    conversation: hit.conversation.for_developer(false),
                })
                .collect()
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "making the snippets of a conversation search failed");
            ApiError::internal()
        })?;
        Ok(ConversationSearchResponse::new(items))
    }

    /// [`DeveloperConversations::create_conversation`] for this caller.
    pub async fn create_conversation(
        &self,
        request: CreateConversationRequest,
    ) -> Result<CreateConversationResponse, ApiError> {
        let now = self.service().now();
        let new = request.validate_developer(now)?;
        let record = ConversationRecord::developer(self.uid.clone(), new);
        self.store_conversation(record, None, now).await
    }

    /// [`DeveloperConversations::create_conversation_from_segments`] for this caller.
    pub async fn create_conversation_from_segments(
        &self,
        request: CreateConversationFromSegmentsRequest,
    ) -> Result<CreateConversationResponse, ApiError> {
        let now = self.service().now();
        let new = request.validate(now)?;
        let record = ConversationRecord::from_transcript(self.uid.clone(), &new);
        if record.client.session_id.is_some()
            && let Some(earlier) = self.answer_of(&record.id).await?
        {
            return Ok(earlier);
        }
        self.store_conversation(record, Some(&new.segments), now)
            .await
    }

    /// [`DeveloperConversations::get_conversation`] for this caller.
    pub async fn get_conversation(
        &self,
        conversation_id: &str,
        query: GetConversationQuery,
    ) -> Result<Conversation, ApiError> {
        let conversation = self.conversation_of(&self.uid, conversation_id).await?;
        Ok(conversation.for_developer(query.include_transcript()))
    }

    /// [`DeveloperConversations::update_conversation`] for this caller.
    pub async fn update_conversation(
        &self,
        conversation_id: &str,
        request: UpdateConversationRequest,
    ) -> Result<Conversation, ApiError> {
        self.conversation_of(&self.uid, conversation_id).await?;
        let update = request.validate()?;
        let now = self.service().now();
        let updated = self
            .service()
            .store()
            .update_conversation(&self.uid, conversation_id, &update, now)
            .await;
        match updated {
            Ok(Some(changed)) => Ok(changed.for_developer(true)),
            Ok(None) => Err(ApiError::not_found(messages::CONVERSATION_NOT_FOUND)),
            Err(StoreError::NotFound(_)) => Err(ApiError::not_found(messages::FOLDER_NOT_FOUND)),
            Err(e) => Err(store_error(e)),
        }
    }

    /// [`DeveloperConversations::list_folders`] for this caller.
    pub async fn list_folders(&self) -> Result<Vec<Folder>, ApiError> {
        self.service()
            .store()
            .list_folders(&self.uid)
            .await
            .map_err(store_error)
    }

    /// [`DeveloperConversations::delete_conversation`] for this caller.
    pub async fn delete_conversation(
        &self,
        conversation_id: &str,
    ) -> Result<SuccessResponse, ApiError> {
        let deleted = self
            .service()
            .store()
            .delete_conversation(&self.uid, conversation_id)
            .await
            .map_err(store_error)?;
        if deleted {
            Ok(SuccessResponse::OK)
        } else {
            Err(ApiError::not_found(messages::CONVERSATION_NOT_FOUND))
        }
    }
}

#[async_trait]
impl DeveloperConversations for DeveloperHandle {
    type Error = ApiError;

    async fn list_conversations(
        &self,
        query: ListDevConversationsQuery,
    ) -> Result<Vec<Conversation>, ApiError> {
        self.authorized::<dev_access::ConversationsRead>()
            .await?
            .list_conversations(query)
            .await
    }

    async fn search_conversations(
        &self,
        query: SearchDevConversationsQuery,
    ) -> Result<ConversationSearchResponse, ApiError> {
        self.authorized::<dev_access::ConversationsRead>()
            .await?
            .search_conversations(query)
            .await
    }

    async fn create_conversation(
        &self,
        request: CreateConversationRequest,
    ) -> Result<CreateConversationResponse, ApiError> {
        self.authorized::<dev_access::ConversationsWrite>()
            .await?
            .create_conversation(request)
            .await
    }

    async fn create_conversation_from_segments(
        &self,
        request: CreateConversationFromSegmentsRequest,
    ) -> Result<CreateConversationResponse, ApiError> {
        self.authorized::<dev_access::ConversationsWrite>()
            .await?
            .create_conversation_from_segments(request)
            .await
    }

    async fn get_conversation(
        &self,
        conversation_id: &str,
        query: GetConversationQuery,
    ) -> Result<Conversation, ApiError> {
        self.authorized::<dev_access::ConversationsRead>()
            .await?
            .get_conversation(conversation_id, query)
            .await
    }

    async fn update_conversation(
        &self,
        conversation_id: &str,
        request: UpdateConversationRequest,
    ) -> Result<Conversation, ApiError> {
        self.authorized::<dev_access::ConversationsWrite>()
            .await?
            .update_conversation(conversation_id, request)
            .await
    }

    async fn delete_conversation(
        &self,
        conversation_id: &str,
    ) -> Result<SuccessResponse, ApiError> {
        self.authorized::<dev_access::ConversationsWrite>()
            .await?
            .delete_conversation(conversation_id)
            .await
    }

    async fn list_folders(&self) -> Result<Vec<Folder>, ApiError> {
        self.authorized::<dev_access::ConversationsRead>()
            .await?
            .list_folders()
            .await
    }
}

/// The snippet of a conversation found: of its text where the words are, else of its
/// overview, else of its title.
fn conversation_snippet(hit: &RankedConversation, phrases: &[QueryPhrase]) -> Option<String> {
    let structured = &hit.conversation.structured;
    [&hit.text, &structured.overview, &structured.title]
        .into_iter()
        .find_map(|text| highlighted_snippet(text, phrases, SNIPPET_CHARS))
}
