//! The Developer API's conversations over the store.
//!
//! Both create routes store the conversation and its processing job in one transaction and
//! answer at once; the worker processes it as it processes an integration import.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_api::{ApiError, DeveloperConversations, messages};
use omi_model::{
    Conversation, ConversationStatus, CreateConversationFromSegmentsRequest,
    CreateConversationRequest, CreateConversationResponse, DevScope, GetConversationQuery,
    ListDevConversationsQuery, SuccessResponse, TranscriptSegment, Uid, UpdateConversationRequest,
};

use super::{DevQueryRoute, DeveloperHandle, store_error};
use crate::ratelimit::Policy;
use crate::store::{ConversationRecord, JobTask};

impl DeveloperHandle {
    /// Store `record` (with the transcript the caller gave, if any) and its processing job in
    /// one transaction, wake a worker, and answer.
    async fn store_conversation(
        &self,
        record: ConversationRecord,
        segments: Option<&[TranscriptSegment]>,
        now: DateTime<Utc>,
    ) -> Result<CreateConversationResponse, ApiError> {
        let service = self.service();
        let task = JobTask::ProcessConversation {
            conversation_id: record.id.clone(),
        };
        let job = service.new_job(record.uid.clone(), task, now);
        let id = record.id.clone();
        let write = |answer| async move {
            let store = service.store();
            match segments {
                None => store.insert_conversation(&record, &job, answer).await,
                Some(segments) => {
                    store
                        .insert_transcript_conversation(&record, segments, &job, answer)
                        .await
                }
            }?;
            service.job_enqueued();
            tracing::info!(conversation_id = %record.id, "developer conversation stored");
            Ok(())
        };
        let answer = move |_: &()| CreateConversationResponse {
            id: id.clone(),
            status: ConversationStatus::Processing,
            discarded: false,
        };
        service.create_once(answer, write).await
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

#[async_trait]
impl DeveloperConversations for DeveloperHandle {
    type Error = ApiError;

    async fn list_conversations(
        &self,
        query: ListDevConversationsQuery,
    ) -> Result<Vec<Conversation>, ApiError> {
        let uid = self
            .authorize_route(DevQueryRoute::ListConversations)
            .await?;
        let params = query.validate()?;
        let conversations = self
            .service()
            .store()
            .list_dev_conversations(&uid, &params)
            .await
            .map_err(store_error)?;
        Ok(conversations
            .into_iter()
            .map(|c| c.for_developer(params.include_transcript))
            .collect())
    }

    async fn create_conversation(
        &self,
        request: CreateConversationRequest,
    ) -> Result<CreateConversationResponse, ApiError> {
        let uid = self
            .authorize(DevScope::ConversationsWrite, Policy::DevConversationWrites)
            .await?;
        let now = self.service().now();
        let new = request.validate_developer(now)?;
        let record = ConversationRecord::developer(uid, new);
        self.store_conversation(record, None, now).await
    }

    async fn create_conversation_from_segments(
        &self,
        request: CreateConversationFromSegmentsRequest,
    ) -> Result<CreateConversationResponse, ApiError> {
        let uid = self
            .authorize(DevScope::ConversationsWrite, Policy::DevConversationWrites)
            .await?;
        let now = self.service().now();
        let new = request.validate(now)?;
        let record = ConversationRecord::from_transcript(uid, &new);
        self.store_conversation(record, Some(&new.segments), now)
            .await
    }

    async fn get_conversation(
        &self,
        conversation_id: &str,
        query: GetConversationQuery,
    ) -> Result<Conversation, ApiError> {
        let uid = self.authorize_route(DevQueryRoute::GetConversation).await?;
        let conversation = self.conversation_of(&uid, conversation_id).await?;
        Ok(conversation.for_developer(query.include_transcript()))
    }

    async fn update_conversation(
        &self,
        conversation_id: &str,
        request: UpdateConversationRequest,
    ) -> Result<Conversation, ApiError> {
        let uid = self
            .authorize(DevScope::ConversationsWrite, Policy::DevConversationWrites)
            .await?;
        self.conversation_of(&uid, conversation_id).await?;
        let update = request.validate()?;
        let now = self.service().now();
        self.service()
            .store()
            .update_conversation(&uid, conversation_id, &update, now)
            .await
            .map_err(store_error)?
            .map(|c| c.for_developer(true))
            .ok_or_else(|| ApiError::not_found(messages::CONVERSATION_NOT_FOUND))
    }

    async fn delete_conversation(
        &self,
        conversation_id: &str,
    ) -> Result<SuccessResponse, ApiError> {
        let uid = self
            .authorize(DevScope::ConversationsWrite, Policy::DevConversationWrites)
            .await?;
        let deleted = self
            .service()
            .store()
            .delete_conversation(&uid, conversation_id)
            .await
            .map_err(store_error)?;
        if deleted {
            Ok(SuccessResponse::OK)
        } else {
            Err(ApiError::not_found(messages::CONVERSATION_NOT_FOUND))
        }
    }
}
