//! The Developer API's conversations over the store.
//!
//! Both create routes store the conversation and its processing job in one transaction and
//! answer at once; the worker processes it as it processes an integration import.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_api::{ApiError, DeveloperConversations, messages};
use omi_model::{
    Conversation, ConversationSource, ConversationStatus, ConversationTextSource,
    CreateConversationFromSegmentsRequest, CreateConversationRequest, CreateConversationResponse,
    DevScope, Geolocation, GetConversationQuery, Language, ListDevConversationsQuery,
    SuccessResponse, TranscriptSegment, Uid, UpdateConversationRequest,
};
use serde_json::json;

use super::{DevQueryRoute, DeveloperHandle, store_error};
use crate::keys;
use crate::ratelimit::Policy;
use crate::store::{ConversationRecord, JobKind, NewJob};

/// The text the extractor reads for a transcript: one `Name: text` line per segment, the
/// user's lines under `User` (a name the extractor knows as the user).
fn transcript_text(segments: &[TranscriptSegment]) -> String {
    segments
        .iter()
        .map(|s| {
            let speaker = if s.is_user {
                "User"
            } else {
                s.speaker.as_str()
            };
            format!("{speaker}: {}", s.text)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A conversation of the developer API (no app, `external_integration`) with a new id, made
/// at `started_at`; the caller sets its text.
fn new_record(
    uid: Uid,
    language: &Language,
    (started_at, finished_at): (DateTime<Utc>, DateTime<Utc>),
    geolocation: Option<Geolocation>,
) -> ConversationRecord {
    ConversationRecord {
        id: keys::new_id(),
        uid,
        app_id: None,
        source: ConversationSource::ExternalIntegration,
        text: String::new(),
        text_source: ConversationTextSource::AudioTranscript,
        text_source_spec: None,
        language: language.as_str().to_owned(),
        created_at: started_at,
        started_at,
        finished_at,
        geolocation,
    }
}

impl DeveloperHandle {
    /// Store `record` (with the transcript the caller gave, if any) and its processing job in
    /// one transaction, wake a worker, and answer.
    async fn store_conversation(
        &self,
        record: ConversationRecord,
        segments: Option<&[TranscriptSegment]>,
        now: DateTime<Utc>,
    ) -> Result<CreateConversationResponse, ApiError> {
        let job = NewJob {
            kind: JobKind::ProcessConversation,
            uid: record.uid.clone(),
            subject_id: Some(record.id.clone()),
            payload: json!({}),
            max_attempts: self.service().max_job_attempts(),
            created_at: now,
        };
        let service = self.service();
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
        let record = ConversationRecord {
            text: new.text.into_inner(),
            text_source: new.text_source,
            text_source_spec: new.text_source_spec.map(|s| s.into_inner()),
            ..new_record(
                uid,
                &new.language,
                (new.started_at, new.finished_at),
                new.geolocation,
            )
        };
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
        let record = ConversationRecord {
            source: new.source,
            text: transcript_text(&new.segments),
            ..new_record(
                uid,
                &new.language,
                (new.started_at, new.finished_at),
                new.geolocation,
            )
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(text: &str, speaker: &str, is_user: bool) -> TranscriptSegment {
        TranscriptSegment {
            text: text.into(),
            speaker: speaker.into(),
            speaker_id: None,
            is_user,
            person_id: None,
            start: 0.0,
            end: 1.0,
            extra: serde_json::Map::new(),
        }
    }

    #[test]
    fn a_transcript_is_read_as_name_lines_with_the_user_named_user() {
        let text = transcript_text(&[
            segment("Don't forget the milk.", "SPEAKER_01", false),
            segment("I love whole grain bread.", "SPEAKER_00", true),
        ]);
        assert_eq!(
            text,
            "SPEAKER_01: Don't forget the milk.\nUser: I love whole grain bread."
        );
    }
}
