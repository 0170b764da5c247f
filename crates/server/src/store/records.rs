//! The records the store reads and writes, in domain terms.

use chrono::{DateTime, Utc};
use omi_extract::identity::{content_key, indexed_words_of};
use omi_model::{Capability, DevScope, Geolocation, MemoryCategory, Uid, Visibility};
use serde::{Deserialize, Serialize};

/// An integration app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRecord {
    /// Its id (the `{app_id}` of the routes).
    pub id: String,
    /// A name for people.
    pub name: String,
    /// What it may do.
    pub capabilities: Vec<Capability>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// An app key: only its hash and label are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppKeyRecord {
    /// Its id (for revoking).
    pub id: String,
    /// The app it belongs to.
    pub app_id: String,
    /// SHA-256 of the secret, lowercase hex.
    pub secret_hash: String,
    /// A label safe to show (`sk_ab12...ef90`).
    pub label: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A developer key: only its hash, label and scopes are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevKeyRecord {
    /// Its id (for revoking).
    pub id: String,
    /// The user it acts for.
    pub uid: Uid,
    /// SHA-256 of the secret, lowercase hex.
    pub secret_hash: String,
    /// A label safe to show.
    pub label: String,
    /// What it may do.
    pub scopes: Vec<DevScope>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

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
    pub source: omi_model::ConversationSource,
    /// The text.
    pub text: String,
    /// The kind of text.
    pub text_source: omi_model::ConversationTextSource,
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
}

/// A memory to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryRecord {
    /// Its id (used only if no memory of the user has the same content).
    pub id: String,
    /// The fact, trimmed.
    pub content: String,
    /// Its category.
    pub category: MemoryCategory,
    /// Who may see it.
    pub visibility: Visibility,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Whether a person or app added it (rather than extraction).
    pub manually_added: bool,
    /// The app that added it.
    pub app_id: Option<String>,
    /// The conversation it was extracted from.
    pub conversation_id: Option<String>,
}

/// A memory ready to insert, with what the statements need computed before the write
/// starts (so a store's writer spends its time on SQL only).
#[derive(Debug, Clone)]
pub(crate) struct PreparedMemory {
    /// The memory.
    pub(crate) record: MemoryRecord,
    /// Its [`content_key`].
    pub(crate) key: String,
    /// Its sort key.
    pub(crate) scoring: String,
    /// Its tags as stored JSON.
    pub(crate) tags: String,
    /// The words it is indexed under ([`indexed_words_of`]).
    pub(crate) words: Vec<String>,
}

/// What changing or deleting a memory writes besides its row, computed before the write
/// starts: the store's writer runs SQL only, never text processing on user input.
#[derive(Debug, Clone, Default)]
pub(crate) struct PreparedEdit {
    /// The index words of the content the memory had when it was read before the write:
    /// the rows to remove. Should another write change the content in between, the rows
    /// of its content linger; lookups compare the memories' real contents, so a lingering
    /// row can only add a candidate, never hide one.
    pub(crate) old_words: Vec<String>,
    /// The new content's [`content_key`], when the content changes.
    pub(crate) new_key: Option<String>,
    /// The new content's index words (empty when the content does not change).
    pub(crate) new_words: Vec<String>,
}

impl PreparedEdit {
    /// An edit of a memory whose content is `old`, to `new` when that is given.
    pub(crate) fn new(old: &str, new: Option<&str>) -> Self {
        Self {
            old_words: indexed_words_of(old),
            new_key: new.map(content_key),
            new_words: new.map(indexed_words_of).unwrap_or_default(),
        }
    }
}

impl PreparedMemory {
    /// `record`, prepared.
    pub(crate) fn new(record: &MemoryRecord) -> super::StoreResult<Self> {
        Ok(Self {
            key: content_key(&record.content),
            scoring: omi_model::scoring(record.manually_added, record.category, record.created_at),
            tags: serde_json::to_string(&record.tags).map_err(super::rows::json_err)?,
            words: indexed_words_of(&record.content),
            record: record.clone(),
        })
    }

    /// The memory object as inserting this one stores it: what reading the new row back
    /// returns (times at the store's microsecond precision, nothing reviewed or edited),
    /// without the read.
    pub(crate) fn inserted(&self) -> omi_model::Memory {
        let m = &self.record;
        let created_at = super::from_micros(super::to_micros(m.created_at));
        omi_model::Memory {
            id: m.id.clone(),
            content: m.content.clone(),
            category: Some(m.category),
            visibility: Some(m.visibility),
            tags: m.tags.clone(),
            created_at,
            updated_at: Some(created_at),
            manually_added: Some(m.manually_added),
            scoring: Some(self.scoring.clone()),
            reviewed: Some(false),
            user_review: None,
            edited: Some(false),
            app_id: m.app_id.clone(),
            conversation_id: m.conversation_id.clone(),
            extra: serde_json::Map::new(),
        }
    }

    /// Every record of `records`, prepared, in order.
    pub(crate) fn all(records: &[MemoryRecord]) -> super::StoreResult<Vec<Self>> {
        records.iter().map(Self::new).collect()
    }
}

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Process a conversation (`subject_id` is its id).
    ProcessConversation,
    /// Extract memories from imported text (the payload holds the text).
    ExtractMemories,
}

impl JobKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProcessConversation => "process_conversation",
            Self::ExtractMemories => "extract_memories",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "process_conversation" => Some(Self::ProcessConversation),
            "extract_memories" => Some(Self::ExtractMemories),
            _ => None,
        }
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What it does.
    pub kind: JobKind,
    /// The user whose data it processes.
    pub uid: Uid,
    /// The record it is about (a conversation id), if any.
    pub subject_id: Option<String>,
    /// Job-specific input (JSON).
    pub payload: serde_json::Value,
    /// Attempts before it fails for good.
    pub max_attempts: i32,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Its id.
    pub id: i64,
    /// What it does.
    pub kind: JobKind,
    /// Its user.
    pub uid: Uid,
    /// The record it is about.
    pub subject_id: Option<String>,
    /// Its input.
    pub payload: serde_json::Value,
    /// Attempts so far, this one included.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
}
