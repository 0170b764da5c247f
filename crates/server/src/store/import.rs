//! The storage side of imports: [`ImportStore`], records of an export stored with their
//! ids, times and every field, a batch in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_extract::identity::{content_key, indexed_words_of};
use omi_extract::search::index_terms;
use omi_model::{
    ActionItem, Conversation, ConversationSource, ConversationStatus, ConversationTextSource,
    ExportCounts, ExportKind, Folder, Goal, GoalHistoryEntry, Memory, MemoryCategory, Uid,
    Visibility,
};

use super::rows::json_err;
use super::sql::{summary_terms, text_terms};
use super::{StoreResult, to_micros};

/// A record to import, with what its statements need computed before the write starts.
#[derive(Debug, Clone)]
pub enum ImportRecord {
    /// A memory.
    Memory(Box<ImportedMemory>),
    /// A folder.
    Folder(Box<Folder>),
    /// A conversation.
    Conversation(Box<ImportedConversation>),
    /// An action item.
    ActionItem(Box<ImportedActionItem>),
    /// A goal and its progress history.
    Goal(Box<Goal>, Vec<GoalHistoryEntry>),
}

impl ImportRecord {
    /// The kind of record.
    pub fn kind(&self) -> ExportKind {
        match self {
            Self::Memory(_) => ExportKind::Memories,
            Self::Folder(_) => ExportKind::Folders,
            Self::Conversation(_) => ExportKind::Conversations,
            Self::ActionItem(_) => ExportKind::ActionItems,
            Self::Goal(..) => ExportKind::Goals,
        }
    }
}

/// A memory to import, its stored columns computed.
#[derive(Debug, Clone)]
pub struct ImportedMemory {
    /// The memory as exported.
    pub memory: Memory,
    /// Its category (`system` when the line had none).
    pub category: MemoryCategory,
    /// Its visibility (`private` when the line had none).
    pub visibility: Visibility,
    /// When it last changed (its creation when the line did not say).
    pub updated_at: i64,
    /// Its content key (the user's memories are unique by it).
    pub key: String,
    /// Its sort key (as exported, or computed as a create computes it).
    pub scoring: String,
    /// Its tags as stored JSON.
    pub tags: String,
    /// Its near-duplicate index words.
    pub words: Vec<String>,
    /// Its full-text search terms.
    pub search_terms: String,
}

impl ImportedMemory {
    /// `memory`, prepared.
    pub fn new(memory: Memory) -> StoreResult<Self> {
        let category = memory.category.unwrap_or(MemoryCategory::System);
        let manually_added = memory.manually_added.unwrap_or(false);
        Ok(Self {
            category,
            visibility: memory.visibility.unwrap_or(Visibility::Private),
            updated_at: to_micros(memory.updated_at.unwrap_or(memory.created_at)),
            key: content_key(&memory.content),
            scoring: memory
                .scoring
                .clone()
                .unwrap_or_else(|| omi_model::scoring(manually_added, category, memory.created_at)),
            tags: serde_json::to_string(&memory.tags).map_err(json_err)?,
            words: indexed_words_of(&memory.content),
            search_terms: index_terms(&memory.content),
            memory,
        })
    }
}

/// A conversation to import, its stored columns computed.
#[derive(Debug, Clone)]
pub struct ImportedConversation {
    /// The conversation as exported.
    pub conversation: Conversation,
    /// Its source (`external_integration` when the line had none).
    pub source: ConversationSource,
    /// Its status (`completed` when the line had none).
    pub status: ConversationStatus,
    /// Its imported text (empty when none).
    pub text: String,
    /// Where its text came from (`external_data.text_source`; `other_text` when absent).
    pub text_source: ConversationTextSource,
    /// The text source's detail (`external_data.text_source_spec`).
    pub text_source_spec: Option<String>,
    /// Why it failed, when it did (`failure_reason`).
    pub failure_reason: Option<String>,
    /// Its `structured` as stored JSON.
    pub structured: String,
    /// Its transcript as stored JSON.
    pub transcript: String,
    /// Its place as stored JSON.
    pub geolocation: Option<String>,
    /// Its title's and overview's search terms.
    pub summary_terms: String,
    /// Its text's search terms.
    pub text_terms: String,
}

impl ImportedConversation {
    /// `conversation`, prepared.
    pub fn new(conversation: Conversation) -> StoreResult<Self> {
        let external = conversation.extra.get("external_data");
        let external_text = |key: &str| {
            external
                .and_then(|e| e.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let text = conversation.text.clone().unwrap_or_default();
        let transcript = conversation.transcript_segments.clone().unwrap_or_default();
        Ok(Self {
            source: conversation
                .source
                .unwrap_or(ConversationSource::ExternalIntegration),
            status: conversation.status.unwrap_or(ConversationStatus::Completed),
            text_source: external_text("text_source")
                .and_then(|s| s.parse().ok())
                .unwrap_or(ConversationTextSource::OtherText),
            text_source_spec: external_text("text_source_spec"),
            failure_reason: conversation
                .extra
                .get(Conversation::FAILURE_REASON)
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            structured: serde_json::to_string(&conversation.structured).map_err(json_err)?,
            transcript: serde_json::to_string(&transcript).map_err(json_err)?,
            geolocation: conversation
                .geolocation
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(json_err)?,
            summary_terms: summary_terms(&conversation.structured),
            text_terms: text_terms(&text),
            text,
            conversation,
        })
    }

    /// When it started (its creation when the line did not say).
    pub fn started_at(&self) -> DateTime<Utc> {
        self.conversation
            .started_at
            .unwrap_or(self.conversation.created_at)
    }

    /// When it finished (its start when the line did not say).
    pub fn finished_at(&self) -> DateTime<Utc> {
        self.conversation.finished_at.unwrap_or(self.started_at())
    }
}

/// An action item to import, its stored columns computed.
#[derive(Debug, Clone)]
pub struct ImportedActionItem {
    /// The action item as exported.
    pub item: ActionItem,
    /// When it was made (the import's time when the line did not say).
    pub created_at: i64,
    /// When it last changed (its creation when the line did not say).
    pub updated_at: i64,
    /// Its description's search terms.
    pub search_terms: String,
}

impl ImportedActionItem {
    /// `item`, prepared; `now` stands for a creation time the line did not give.
    pub fn new(item: ActionItem, now: DateTime<Utc>) -> Self {
        let created_at = to_micros(item.created_at.unwrap_or(now));
        Self {
            updated_at: item.updated_at.map_or(created_at, to_micros),
            created_at,
            search_terms: index_terms(&item.description),
            item,
        }
    }
}

/// What an import's batch did: the records it stored, and those the user had already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportedBatch {
    /// Records stored, by kind.
    pub created: ExportCounts,
    /// Records left as they were (the same id, or a memory of the same content), by kind.
    pub already_present: ExportCounts,
}

/// Why a batch was not applied: record `index` of it cannot be stored. Nothing of the batch
/// was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRefused {
    /// The record's place in the batch.
    pub index: usize,
    /// What is wrong with it.
    pub reason: RefusalReason,
}

/// What keeps an imported record out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    /// Another user's record of its kind has its id (ids are unique across users).
    IdTaken,
    /// It is a folder beyond the user's [`MAX_FOLDERS_PER_USER`](super::MAX_FOLDERS_PER_USER).
    TooManyFolders,
}

/// Storing imported records. Every method takes the user's id and never reads or writes
/// another user's rows (it only learns that an id is taken).
#[async_trait]
pub trait ImportStore: Send + Sync + 'static {
    /// Store `records` for `uid` in one transaction: each record whose id the user does
    /// not have yet (and, for a memory, whose content the user does not have) is inserted
    /// as given; the others are left as they are. `Ok(Err(_))` when a record's id belongs
    /// to another user, or a folder would pass the user's limit: then nothing is written.
    async fn import_batch(
        &self,
        uid: &Uid,
        records: Vec<ImportRecord>,
    ) -> StoreResult<Result<ImportedBatch, RecordRefused>>;
}
