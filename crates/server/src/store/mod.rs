//! Storage: the [`Store`] trait the service runs on, its records, and its implementations.
//!
//! SQL lives only below this module. The trait speaks in domain terms (a conversation and its
//! job are inserted together; a job is claimed with a lease), so the PostgreSQL store can
//! satisfy it with the same behaviour as the SQLite one: both run the same statements
//! (`store/shared`), each over its own connections.

mod developer;
mod idempotency;
pub mod migrate;
pub mod postgres;
mod records;
mod rows;
mod shared;
pub mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_extract::ProcessedConversation;
use omi_model::{
    Conversation, ConversationListParams, DevMemoryListParams, Memory, MemoryUpdate, PageParams,
    Uid,
};

pub use developer::{ActionItemRecord, DeveloperStore};
pub use idempotency::{EarlierAnswer, IdempotencyKey, IdempotentAnswer};
pub use postgres::PostgresStore;
pub use records::{
    AppKeyRecord, AppRecord, ConversationRecord, DevKeyRecord, Job, JobKind, MemoryRecord, NewJob,
};
pub(crate) use records::{PreparedEdit, PreparedMemory};
pub use sqlite::SqliteStore;

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

/// The persistence the service needs. Every user-data method takes the user's id and never
/// reads or writes another user's rows. The Developer API's conversations and action items
/// are its part [`DeveloperStore`].
#[async_trait]
pub trait Store: DeveloperStore + Send + Sync + 'static {
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Create a user; `false` when it already existed.
    async fn create_user(&self, uid: &Uid, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Whether a user exists.
    async fn user_exists(&self, uid: &Uid) -> StoreResult<bool>;
    /// Store a new app.
    async fn create_app(&self, app: &AppRecord) -> StoreResult<()>;
    /// An app by id.
    async fn app(&self, app_id: &str) -> StoreResult<Option<AppRecord>>;
    /// Store a new app key (its hash and label only).
    async fn create_app_key(&self, key: &AppKeyRecord) -> StoreResult<()>;
    /// The live (not revoked) app key with this secret hash.
    async fn app_key_by_hash(&self, secret_hash: &str) -> StoreResult<Option<AppKeyRecord>>;
    /// Enable or disable an app for a user.
    async fn set_app_enabled(
        &self,
        uid: &Uid,
        app_id: &str,
        enabled: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Whether a user enabled an app.
    async fn is_app_enabled(&self, uid: &Uid, app_id: &str) -> StoreResult<bool>;
    /// Store a new developer key (its hash, label and scopes only).
    async fn create_dev_key(&self, key: &DevKeyRecord) -> StoreResult<()>;
    /// The live developer key with this secret hash.
    async fn dev_key_by_hash(&self, secret_hash: &str) -> StoreResult<Option<DevKeyRecord>>;
    /// Record that a developer key was used.
    async fn touch_dev_key(&self, key_id: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Revoke an app or developer key by id; `false` when no live key has that id.
    async fn revoke_key(&self, key_id: &str, now: DateTime<Utc>) -> StoreResult<bool>;

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

    /// Insert memories (and optionally a job) in one transaction. A memory whose content a
    /// memory of the user already has is not inserted; the existing one is returned in its
    /// place. The result is in input order. `answer`, when given, is remembered in the same
    /// transaction.
    async fn insert_memories(
        &self,
        uid: &Uid,
        memories: &[MemoryRecord],
        job: Option<&NewJob>,
        answer: Option<IdempotentAnswer<Vec<Memory>>>,
    ) -> StoreResult<Vec<Memory>>;
    /// For each group of content words in `groups` (those of one memory to check), the
    /// contents of the user's memories whose indexed words
    /// ([`omi_extract::identity::indexed_words`] of their content words) hold the most of the
    /// group, at most `limit_each` per group: the only memories a new memory with these
    /// content words can be a near-duplicate of. One list without repeats, from one query
    /// (callers bound the number of groups and words).
    async fn near_duplicate_candidates(
        &self,
        uid: &Uid,
        groups: &[Vec<String>],
        limit_each: i64,
    ) -> StoreResult<Vec<String>>;
    /// A page of a user's memories by scoring, then newest first.
    async fn list_memories(
        &self,
        uid: &Uid,
        params: &DevMemoryListParams,
    ) -> StoreResult<Vec<Memory>>;
    /// One of a user's memories.
    async fn memory(&self, uid: &Uid, id: &str) -> StoreResult<Option<Memory>>;
    /// Change one of a user's memories; `None` when it does not exist.
    async fn update_memory(
        &self,
        uid: &Uid,
        id: &str,
        update: &MemoryUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Memory>>;
    /// Delete one of a user's memories; `false` when it did not exist.
    async fn delete_memory(&self, uid: &Uid, id: &str) -> StoreResult<bool>;

    /// Claim the oldest runnable job (queued and due, or running with an expired lease),
    /// leasing it until `lease_until`.
    async fn claim_job(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<Job>>;
    /// Finish a conversation job: store what processing made, mark the conversation
    /// completed, add its memories, and mark the job done, in one transaction.
    async fn complete_conversation_job(
        &self,
        job: &Job,
        processed: &ProcessedConversation,
        memories: &[MemoryRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Finish a memories job: add the extracted memories and mark the job done.
    async fn complete_memories_job(
        &self,
        job: &Job,
        memories: &[MemoryRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Put a failed attempt back in the queue, to run again at `run_after`.
    async fn retry_job(
        &self,
        job: &Job,
        error: &str,
        run_after: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Give up on a job for good, keeping `error` on the job; its conversation (if any) is
    /// `failed` with `public_reason` (what its owner may read: nothing of the cause's detail).
    async fn fail_job(
        &self,
        job: &Job,
        error: &str,
        public_reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Extend a running job's lease to `until`; `false` when this worker no longer holds it.
    async fn renew_lease(&self, job: &Job, until: DateTime<Utc>) -> StoreResult<bool>;
    /// Release a claimed job unfinished (shutdown), so another worker runs it at once.
    async fn release_job(&self, job: &Job, now: DateTime<Utc>) -> StoreResult<()>;
    /// How many jobs are queued or running.
    async fn queue_depth(&self) -> StoreResult<i64>;
    /// Delete at most `at_most` jobs that finished (done or failed) before `finished_before`,
    /// the longest finished first; the number deleted. Queued and running jobs are never
    /// deleted, and neither is anything a job made (its conversation, memories, action items).
    async fn purge_finished_jobs(
        &self,
        finished_before: DateTime<Utc>,
        at_most: u32,
    ) -> StoreResult<u64>;

    /// What the latest answer remembered under `key`'s caller and key, if it was made at or
    /// after `not_before`, says about a request with `key`'s fingerprint. Creates remember
    /// their answers themselves ([`IdempotentAnswer`]).
    async fn earlier_answer(
        &self,
        key: &IdempotencyKey,
        not_before: DateTime<Utc>,
    ) -> StoreResult<Option<EarlierAnswer>>;
    /// Delete idempotency records created before `before`.
    async fn purge_idempotency(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// A memory with `update` applied at `now`: a content change marks it edited; a category
/// change recomputes its scoring.
pub fn apply_update(mut memory: Memory, update: &MemoryUpdate, now: DateTime<Utc>) -> Memory {
    if let Some(content) = &update.content {
        memory.edited = Some(true);
        memory.content = content.as_str().to_owned();
    }
    if let Some(v) = update.visibility {
        memory.visibility = Some(v);
    }
    if let Some(tags) = &update.tags {
        memory.tags = tags.to_strings();
    }
    if let Some(c) = update.category {
        memory.category = Some(c);
        let manual = memory.manually_added.unwrap_or(false);
        memory.scoring = Some(omi_model::scoring(manual, c, memory.created_at));
    }
    memory.updated_at = Some(omi_model::timestamp::normalize(now));
    memory
}

/// The most words one near-duplicate lookup binds (two parameters each; SQLite takes at
/// most 32 766 in one statement).
pub(crate) const MAX_LOOKUP_WORDS: usize = 8_000;

/// The most memories holding one word (the newest) that a near-duplicate lookup pairs with
/// the memories it checks: a word every memory of a large user holds would otherwise pair
/// each checked memory with all of them.
pub(crate) const MAX_POSTINGS_PER_WORD: i64 = 200;

/// `groups` cut into runs of whole groups holding at most `max_words` words between them
/// (a group larger than that alone forms a run).
pub(crate) fn word_group_chunks(
    groups: &[Vec<String>],
    max_words: usize,
) -> impl Iterator<Item = &[Vec<String>]> {
    let mut rest = groups;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut words = 0;
        let mut end = 0;
        while end < rest.len() && (end == 0 || words + rest[end].len() <= max_words) {
            words += rest[end].len();
            end += 1;
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
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

    use super::{ConversationRecord, JobKind, NewJob};

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
        };
        let job = NewJob {
            kind: JobKind::ProcessConversation,
            uid: uid.clone(),
            subject_id: Some(id.into()),
            payload: serde_json::json!({}),
            max_attempts: 3,
            created_at: now,
        };
        (conversation, job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_groups_are_chunked_whole_and_bounded() {
        let group = |n: usize| vec!["w".to_owned(); n];
        let groups = [group(3), group(4), group(2), group(9), group(1)];
        let sizes: Vec<Vec<usize>> = word_group_chunks(&groups, 7)
            .map(|c| c.iter().map(Vec::len).collect())
            .collect();
        // An oversized group (9 words) goes alone; every other chunk holds at most 7 words.
        assert_eq!(sizes, [vec![3, 4], vec![2], vec![9], vec![1]]);
        assert_eq!(word_group_chunks(&[], 7).count(), 0);
    }
}
