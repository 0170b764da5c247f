//! The storage of conversations: [`ConversationStore`] and [`ConversationRecord`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::{
    Conversation, ConversationListParams, ConversationSearch, ConversationSource,
    ConversationTextSource, ConversationUpdate, DevConversationListParams, Geolocation,
    NewConversation, NewTranscriptConversation, RankedSearch, TranscriptSegment, Uid,
};

use super::sql::text_terms;
use super::{IdempotentAnswer, NewJob, StoreResult};

/// A conversation as inserted (status `processing`, nothing extracted yet).
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRecord {
    /// Its id.
    pub id: String,
    /// Its user.
    pub uid: Uid,
    /// The app that imported it, if any.
    pub app_id: Option<String>,
    /// What created it (wire name).
    pub source: ConversationSource,
    /// The text.
    pub text: String,
    /// The kind of text.
    pub text_source: ConversationTextSource,
    /// A note on the source.
    pub text_source_spec: Option<String>,
    /// Its language.
    pub language: String,
    /// When it was created (equal to `started_at` for imports).
    pub created_at: DateTime<Utc>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// Where it happened.
    pub geolocation: Option<Geolocation>,
    /// The terms its text is found by (`omi_extract::search::index_terms`, capped),
    /// computed when the record is made, never in the store's writer.
    pub text_terms: String,
    /// What the recording client said of itself (transcripts of `from-segments` only).
    pub client: ClientProvenance,
}

/// What a recording client says of a transcript it sends: kept with the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientProvenance {
    /// Its id of the recording session (the conversation's id is derived from it).
    pub session_id: Option<String>,
    /// The recording device.
    pub device_id: Option<String>,
    /// The recording platform.
    pub platform: Option<String>,
}

impl ConversationRecord {
    /// A conversation app `app_id` imported for `uid` (source `workflow`).
    pub fn imported(uid: Uid, app_id: &str, new: NewConversation) -> Self {
        Self {
            app_id: Some(app_id.to_owned()),
            source: ConversationSource::Workflow,
            ..Self::of_text(uid, new)
        }
    }

    /// A conversation of text `uid` gave the Developer API (source `external_integration`).
    pub fn developer(uid: Uid, new: NewConversation) -> Self {
        Self::of_text(uid, new)
    }

    /// A conversation `uid` gave the Developer API as transcript segments; its text is the
    /// transcript, one `Name: text` line per segment (the user's under `User`). Its id is
    /// derived from the user and the client's session when one is given
    /// (the cloud's `uuid5`, `keys::session_conversation_id`), else new.
    pub fn from_transcript(uid: Uid, new: &NewTranscriptConversation) -> Self {
        let text = transcript_text(&new.segments);
        let session = new
            .client_session_id
            .as_ref()
            .map(|s| s.as_str().to_owned());
        let id = match &session {
            Some(session) => crate::keys::session_conversation_id(&uid, session),
            None => crate::keys::new_id(),
        };
        Self {
            id,
            client: ClientProvenance {
                session_id: session,
                device_id: new.client_device_id.clone(),
                platform: new.client_platform.clone(),
            },
            uid,
            app_id: None,
            source: new.source,
            text_terms: text_terms(&text),
            text,
            text_source: ConversationTextSource::AudioTranscript,
            text_source_spec: None,
            language: new.language.as_str().to_owned(),
            created_at: new.started_at,
            started_at: new.started_at,
            finished_at: new.finished_at,
            geolocation: new.geolocation.clone(),
        }
    }

    /// `new` with a new id, from no app (source `external_integration`), created when it
    /// started.
    fn of_text(uid: Uid, new: NewConversation) -> Self {
        let text = new.text.into_inner();
        Self {
            id: crate::keys::new_id(),
            uid,
            app_id: None,
            source: ConversationSource::ExternalIntegration,
            text_terms: text_terms(&text),
            text,
            text_source: new.text_source,
            text_source_spec: new.text_source_spec.map(|s| s.into_inner()),
            language: new.language.as_str().to_owned(),
            created_at: new.started_at,
            started_at: new.started_at,
            finished_at: new.finished_at,
            geolocation: new.geolocation,
            client: ClientProvenance::default(),
        }
    }
}

/// The text the extractor reads for a transcript: one `Name: text` line per segment, the
/// user's lines under `User` (a name the extractor knows as the user).
pub(crate) fn transcript_text(segments: &[TranscriptSegment]) -> String {
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

/// One page of the conversations an Integration API search found, and how many it found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConversationSearchPage {
    /// The page, newest first.
    pub conversations: Vec<Conversation>,
    /// How many conversations the search found in all.
    pub found: u64,
}

/// A conversation the Developer API's search found.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedConversation {
    /// The conversation as the Developer API lists it (no transcript).
    pub conversation: Conversation,
    /// Its text, for the snippet.
    pub text: String,
    /// How well it matches, in [0.5, 1).
    pub relevance: f64,
}

/// The persistence of conversations (the routes of both APIs). Every method takes the user's
/// id and never reads or writes another user's rows.
#[async_trait]
pub trait ConversationStore: Send + Sync + 'static {
    /// Insert a conversation and its processing job in one transaction, with `answer` (the
    /// create's answer under its `Idempotency-Key`) when given.
    async fn insert_conversation(
        &self,
        conversation: &ConversationRecord,
        job: &NewJob,
        answer: Option<IdempotentAnswer<()>>,
    ) -> StoreResult<()>;

    /// A page of a user's conversations, newest first.
    async fn list_conversations(
        &self,
        uid: &Uid,
        params: &ConversationListParams,
    ) -> StoreResult<Vec<Conversation>>;

    /// One of a user's conversations.
    async fn conversation(&self, uid: &Uid, id: &str) -> StoreResult<Option<Conversation>>;

    /// Insert a conversation whose transcript the caller gave, with its processing job, in
    /// one transaction (with `answer`, the create's answer under its `Idempotency-Key`, when
    /// given). Processing keeps these segments.
    async fn insert_transcript_conversation(
        &self,
        conversation: &ConversationRecord,
        segments: &[TranscriptSegment],
        job: &NewJob,
        answer: Option<IdempotentAnswer<()>>,
    ) -> StoreResult<()>;

    /// A page of a user's completed, kept conversations, newest first.
    async fn list_dev_conversations(
        &self,
        uid: &Uid,
        params: &DevConversationListParams,
    ) -> StoreResult<Vec<Conversation>>;

    /// Change one of a user's conversations; `None` when it does not exist. A move into a
    /// folder the user does not have is [`StoreError::NotFound`](super::StoreError::NotFound),
    /// and nothing is written.
    async fn update_conversation(
        &self,
        uid: &Uid,
        id: &str,
        update: &ConversationUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Conversation>>;

    /// Delete one of a user's conversations; `false` when it did not exist.
    async fn delete_conversation(&self, uid: &Uid, id: &str) -> StoreResult<bool>;

    /// The Integration API's search: a page of a user's conversations whose title, overview
    /// or text matches (all that pass the filters when the query is empty), newest first.
    async fn search_conversations(
        &self,
        uid: &Uid,
        search: &ConversationSearch,
    ) -> StoreResult<ConversationSearchPage>;

    /// The Developer API's search: a user's completed, kept conversations that match, best
    /// first.
    async fn rank_conversations(
        &self,
        uid: &Uid,
        search: &RankedSearch,
    ) -> StoreResult<Vec<RankedConversation>>;
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
