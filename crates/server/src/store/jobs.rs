//! The durable job queue: [`JobStore`] and its jobs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_extract::ProcessedConversation;
use omi_model::{MemoryTextSource, Uid};
use serde::{Deserialize, Serialize};

use super::{MemoryRecord, StoreResult};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Process a conversation ([`JobTask::ProcessConversation`]).
    ProcessConversation,
    /// Extract memories from imported text ([`JobTask::ExtractMemories`]).
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

/// What a job does, with everything it needs: stored as the job's `kind`, `subject_id` and
/// JSON `payload` columns, and read back typed, so a row that cannot be read fails its job
/// instead of running it with defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobTask {
    /// Process conversation `conversation_id`, stored in the job's own transaction.
    ProcessConversation {
        /// The conversation's id (the `subject_id` column).
        conversation_id: String,
    },
    /// Extract memories from a text an app imported (the `payload` column).
    ExtractMemories(TextToExtract),
}

/// The payload of a [`JobTask::ExtractMemories`] job: the imported text and where it came
/// from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextToExtract {
    /// The text, as imported.
    pub text: String,
    /// What kind of text it is.
    pub text_source: MemoryTextSource,
    /// The importer's note on the source.
    #[serde(default)]
    pub text_source_spec: Option<String>,
    /// The app that imported it; its memories are that app's.
    #[serde(default)]
    pub app_id: Option<String>,
    /// The importing app's id of the text's source; its memories keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// A link to the text's source; its memories keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

impl JobTask {
    /// Its kind (the `kind` column).
    pub fn kind(&self) -> JobKind {
        match self {
            Self::ProcessConversation { .. } => JobKind::ProcessConversation,
            Self::ExtractMemories(_) => JobKind::ExtractMemories,
        }
    }

    /// The record it is about (the `subject_id` column): a conversation's id.
    pub fn subject_id(&self) -> Option<&str> {
        match self {
            Self::ProcessConversation { conversation_id } => Some(conversation_id),
            Self::ExtractMemories(_) => None,
        }
    }

    /// Its `payload` column: `{}` for a conversation, the text to extract for memories.
    pub(crate) fn payload(&self) -> StoreResult<String> {
        match self {
            Self::ProcessConversation { .. } => Ok("{}".to_owned()),
            Self::ExtractMemories(text) => {
                serde_json::to_string(text).map_err(super::rows::json_err)
            }
        }
    }

    /// The task a job row holds, or why it cannot be read.
    pub(crate) fn from_columns(
        kind: &str,
        subject_id: Option<String>,
        payload: &str,
    ) -> Result<Self, String> {
        match JobKind::parse(kind) {
            Some(JobKind::ProcessConversation) => subject_id
                .map(|conversation_id| Self::ProcessConversation { conversation_id })
                .ok_or_else(|| "a conversation job without a conversation id".to_owned()),
            Some(JobKind::ExtractMemories) => serde_json::from_str(payload)
                .map(Self::ExtractMemories)
                .map_err(|e| format!("unreadable payload of a memories job: {e}")),
            None => Err(format!("unknown job kind {kind:?}")),
        }
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What it does.
    pub task: JobTask,
    /// The user whose data it processes.
    pub uid: Uid,
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
    pub task: JobTask,
    /// Its user.
    pub uid: Uid,
    /// Attempts so far, this one included.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
}

impl Job {
    /// What kind of job it is.
    pub fn kind(&self) -> JobKind {
        self.task.kind()
    }
}

/// The durable job queue: jobs are inserted with the writes that need them (a conversation,
/// memories to extract), claimed with a lease, and finished in the transaction that stores
/// what they made.
#[async_trait]
pub trait JobStore: Send + Sync + 'static {
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
}
