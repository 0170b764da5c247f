//! Storage: the [`Store`] trait the service runs on, its records, and its implementations.
//!
//! SQL lives only below this module. The trait speaks in domain terms (a conversation and its
//! job are inserted together; a job is claimed with a lease), so the PostgreSQL store can
//! satisfy it with the same behaviour as the SQLite one: both run the same statements
//! (`store/sql`, implemented once for every `sql::Backend`), each over its own connections.

mod action_items;
mod conversations;
mod credentials;
mod embeddings;
mod export;
mod folders;
mod goals;
mod idempotency;
mod import;
mod jobs;
mod memories;
pub mod migrate;
pub mod postgres;
mod redact;
mod rows;
mod sql;
pub mod sqlite;
mod webhooks;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::PageParams;

pub use action_items::{ActionItemRecord, ActionItemStore};
pub use conversations::{
    ClientProvenance, ConversationRecord, ConversationSearchPage, ConversationStore,
    RankedConversation,
};
pub use credentials::{AppKeyRecord, AppRecord, CredentialStore, DevKeyRecord};
pub use embeddings::{EmbeddedMemory, EmbeddingStore, MemoryToEmbed};
pub use export::{ExportCursor, ExportStore};
pub use folders::{DeletedFolder, FolderRecord, FolderStore, MAX_FOLDERS_PER_USER};
pub use goals::{GoalChange, GoalChangeOutcome, GoalStore};
pub use idempotency::{EarlierAnswer, IdempotencyKey, IdempotencyStore, IdempotentAnswer};
pub use import::{
    ImportRecord, ImportStore, ImportedActionItem, ImportedBatch, ImportedConversation,
    ImportedMemory, RecordRefused, RefusalReason,
};
pub use jobs::{Job, JobKind, JobStore, JobTask, NewJob, TextToExtract};
pub(crate) use memories::{
    MAX_LOOKUP_WORDS, MAX_POSTINGS_PER_WORD, PreparedEdit, PreparedMemory, word_group_chunks,
};
pub use memories::{MemoryRecord, MemoryStore, Reindexed};
pub use postgres::PostgresStore;
pub use redact::redacted_url;
pub(crate) use rows::relevance;
pub use sqlite::SqliteStore;
pub use webhooks::{
    AttemptOutcome, ClaimedDelivery, DeliveryRecord, MAX_WEBHOOKS_PER_USER, WebhookRecord,
    WebhookStore,
};

/// Every store trait, to bring all their methods into scope at once
/// (`use omi_server::store::prelude::*;`).
pub mod prelude {
    pub use super::{
        ActionItemStore, ConversationStore, CredentialStore, EmbeddingStore, ExportStore,
        FolderStore, GoalStore, IdempotencyStore, ImportStore, JobStore, MemoryStore, Store,
        WebhookStore,
    };
}

/// Why a store operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or refused the connection: retry later (503).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Too many writes are waiting for the database: shed this one (503 with
    /// `Retry-After`); nothing of it was written.
    #[error("overloaded: {0}")]
    Overloaded(String),
    /// A record that must be unique already exists.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A value the database cannot store (PostgreSQL: a NUL character in text): the
    /// caller's input, so a 422, not a failure of ours.
    #[error("value cannot be stored: {0}")]
    Unstorable(String),
    /// A referenced record does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Another request with the same `Idempotency-Key` committed its create first: nothing
    /// of this write was kept, and the earlier answer is the one to give.
    #[error("idempotency key already answered")]
    IdempotencyKeyTaken,
    /// Anything else: a bug or corrupt data (500, logged).
    #[error("storage error: {0}")]
    Internal(String),
}

/// A result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// The persistence the service needs: one trait per resource, and whether the database
/// answers. Every user-data method takes the user's id and never reads or writes another
/// user's rows.
#[async_trait]
pub trait Store:
    CredentialStore
    + ConversationStore
    + MemoryStore
    + ActionItemStore
    + GoalStore
    + FolderStore
    + ExportStore
    + ImportStore
    + EmbeddingStore
    + JobStore
    + IdempotencyStore
    + WebhookStore
    + Send
    + Sync
    + 'static
{
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
}

/// Microseconds since the Unix epoch: how the stores keep times.
pub fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The inverse of [`to_micros`].
pub fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::UNIX_EPOCH)
}

/// A page's limit and offset as SQL integers.
pub fn page_bounds(page: &PageParams) -> (i64, i64) {
    (
        i64::from(page.limit.get()),
        i64::try_from(page.offset.get()).unwrap_or(i64::MAX),
    )
}

/// Records the unit tests of several modules share.
#[cfg(test)]
pub(crate) mod fixtures {
    use chrono::Utc;
    use omi_model::{ConversationSource, ConversationTextSource, Uid};

    use super::{ConversationRecord, JobTask, MemoryRecord, MemoryStore, NewJob};

    /// A memory of `content`, made now.
    pub(crate) fn memory(content: &str) -> MemoryRecord {
        MemoryRecord {
            id: crate::keys::new_id(),
            content: content.into(),
            category: omi_model::MemoryCategory::System,
            visibility: omi_model::Visibility::Private,
            tags: vec![],
            created_at: Utc::now(),
            manually_added: true,
            app_id: None,
            conversation_id: None,
            origin: omi_model::MemoryOrigin::default(),
        }
    }

    /// In `store`, a word held by more memories than [`super::MAX_POSTINGS_PER_WORD`]
    /// pairs only its newest ones (by id) in a near-duplicate lookup, and another word of
    /// the group still finds an older memory that holds it.
    pub(crate) async fn a_common_word_pairs_only_its_newest_memories(store: &impl MemoryStore) {
        let me = Uid::try_from("common-word".to_owned()).unwrap();
        let kept = usize::try_from(super::MAX_POSTINGS_PER_WORD).unwrap();
        let mut records: Vec<_> = (0..kept + 50)
            .map(|n| memory(&format!("User saw kayaking number {n} 🛶")))
            .collect();
        records[0].content = "User saw kayaking with zebrafish 🛶".into();
        store
            .insert_memories(&me, &records, None, None)
            .await
            .unwrap();
        let words = |text| omi_extract::identity::content_words(text);
        let mut found = store
            .near_duplicate_candidates(&me, &[words("kayaking")], 10_000)
            .await
            .unwrap();
        records.sort_by(|a, b| b.id.cmp(&a.id));
        let mut newest: Vec<String> = records
            .iter()
            .take(kept)
            .map(|r| r.content.clone())
            .collect();
        newest.sort();
        found.sort();
        assert_eq!(found, newest, "the word's newest memories, and only those");
        let rare = store
            .near_duplicate_candidates(&me, &[words("kayaking zebrafish")], 10_000)
            .await
            .unwrap();
        assert_eq!(
            rare.first().map(String::as_str),
            Some("User saw kayaking with zebrafish 🛶"),
            "found through its rare word"
        );
    }

    /// A conversation `id` of `uid` holding `text`, received now, and its processing job
    /// (three attempts).
    pub(crate) fn queued_conversation(
        uid: &Uid,
        id: &str,
        text: &str,
    ) -> (ConversationRecord, NewJob) {
        let now = Utc::now();
        let conversation = ConversationRecord {
            id: id.into(),
            uid: uid.clone(),
            app_id: None,
            source: ConversationSource::Workflow,
            text: text.into(),
            text_source: ConversationTextSource::AudioTranscript,
            text_source_spec: None,
            language: "en".into(),
            created_at: now,
            started_at: now,
            finished_at: now,
            geolocation: None,
            text_terms: crate::store::sql::text_terms(text),
            client: super::ClientProvenance::default(),
        };
        let job = NewJob {
            task: JobTask::ProcessConversation {
                conversation_id: id.into(),
            },
            uid: uid.clone(),
            max_attempts: 3,
            created_at: now,
        };
        (conversation, job)
    }
}
