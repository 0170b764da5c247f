//! Rows as both SQL stores read them, and their conversion into domain records.
//!
//! Each row struct derives `sqlx::FromRow` for any database, so the SQLite and PostgreSQL
//! stores share one mapping and cannot drift apart: the same columns, the same decoding,
//! the same errors for corrupt data.

use std::str::FromStr;

use omi_model::{
    Capability, Conversation, DevScope, Folder, Memory, MemorySearchItem, Structured, Uid,
};
use serde_json::{Map, Value};

use super::{
    AppKeyRecord, AppRecord, DevKeyRecord, EarlierAnswer, IdempotencyKey, Job, JobTask, StoreError,
    StoreResult, from_micros,
};

/// A sqlx error as a store error: lost connections, a database shutting down or starting,
/// and transactions the database gave up on (deadlock, serialization) are `Unavailable`
/// (retry later: nothing of them was kept); text the database cannot hold (PostgreSQL's
/// 22021 and 22P05: a NUL character) is `Unstorable`; constraint violations are `Conflict` /
/// `NotFound`; the rest `Internal`.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
        sqlx::Error::Database(db) if db.code().is_some_and(|c| is_transient(&c)) => {
            StoreError::Unavailable(db.message().to_owned())
        }
        sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("22021" | "22P05")) => {
            StoreError::Unstorable(db.message().to_owned())
        }
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_owned())
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::NotFound(db.message().to_owned())
        }
        _ => StoreError::Internal(e.to_string()),
    }
}

/// Whether a PostgreSQL SQLSTATE means "try again later": connection exceptions (08),
/// insufficient resources (53), operator intervention such as a shutdown or a restart (57P),
/// a serialization failure or a deadlock (40001, 40P01).
fn is_transient(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57P")
        || matches!(code, "40001" | "40P01")
}

/// Stored JSON that does not parse: corrupt data.
pub(crate) fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Internal(format!("stored JSON is unreadable: {e}"))
}

/// Values as a stored comma list (capabilities, scopes).
pub(crate) fn comma_list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_list<T: FromStr>(raw: &str) -> Vec<T> {
    raw.split(',').filter_map(|s| s.parse().ok()).collect()
}

fn parse_wire<T: FromStr>(raw: &str) -> StoreResult<T> {
    raw.parse()
        .map_err(|_| StoreError::Internal(format!("unknown stored value {raw:?}")))
}

/// A stored user id, checked.
pub(crate) fn uid_of(raw: String) -> StoreResult<Uid> {
    Uid::try_from(raw).map_err(|e| StoreError::Internal(format!("stored uid is invalid: {e}")))
}

/// A `memories` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MemoryRow {
    id: String,
    content: String,
    category: String,
    visibility: String,
    tags: String,
    created_at: i64,
    updated_at: i64,
    manually_added: bool,
    scoring: String,
    reviewed: bool,
    user_review: Option<bool>,
    edited: bool,
    app_id: Option<String>,
    conversation_id: Option<String>,
    source_id: Option<String>,
    source_url: Option<String>,
}

impl MemoryRow {
    /// Read from a row of `memory_columns!()` (in that order) of an owned SQLite connection
    /// (`store/sqlite/owned_reads.rs`), as `sqlx::FromRow` reads it from the pools.
    pub(crate) fn from_owned_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            content: row.get(1)?,
            category: row.get(2)?,
            visibility: row.get(3)?,
            tags: row.get(4)?,
            created_at: row.get(5)?,
            updated_at: row.get(6)?,
            manually_added: row.get(7)?,
            scoring: row.get(8)?,
            reviewed: row.get(9)?,
            user_review: row.get(10)?,
            edited: row.get(11)?,
            app_id: row.get(12)?,
            conversation_id: row.get(13)?,
            source_id: row.get(14)?,
            source_url: row.get(15)?,
        })
    }

    /// The memory object.
    pub(crate) fn into_memory(self) -> StoreResult<Memory> {
        Ok(Memory {
            id: self.id,
            content: self.content,
            category: Some(parse_wire(&self.category)?),
            visibility: Some(parse_wire(&self.visibility)?),
            tags: serde_json::from_str(&self.tags).map_err(json_err)?,
            created_at: from_micros(self.created_at),
            updated_at: Some(from_micros(self.updated_at)),
            manually_added: Some(self.manually_added),
            scoring: Some(self.scoring),
            reviewed: Some(self.reviewed),
            user_review: self.user_review,
            edited: Some(self.edited),
            app_id: self.app_id,
            conversation_id: self.conversation_id,
            source_id: self.source_id,
            source_url: self.source_url,
            extra: Map::new(),
        })
    }
}

/// A memory found by a search: its id, content and category, and how well it matches
/// (`score`, in `[0, 1)`, higher is better).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SearchHitRow {
    id: String,
    content: String,
    category: String,
    score: f64,
}

impl SearchHitRow {
    /// A hit scored outside SQL: `score` in [0, 1), higher is better.
    pub(crate) fn new(id: String, content: String, category: String, score: f64) -> Self {
        Self {
            id,
            content,
            category,
            score,
        }
    }

    /// The search item, its score mapped into [0.5, 1): a memory found matches the query
    /// (bm25 gives a word that most of the memories hold next to no weight, which says
    /// nothing of the match), and better matches come closer to 1; rounded to four decimals
    /// as OMI's cloud rounds it.
    pub(crate) fn into_item(self) -> StoreResult<MemorySearchItem> {
        Ok(MemorySearchItem {
            id: self.id,
            content: self.content,
            category: Some(parse_wire(&self.category)?),
            relevance_score: Some(relevance(self.score)),
        })
    }
}

/// A full-text score in [0, 1) (the stores' ranking mapped there) as the relevance a hit
/// shows: in [0.5, 1), since what a search finds matches the query (bm25 gives a word that
/// most of the rows hold next to no weight, which says nothing of the match), better
/// matches closer to 1, rounded to four decimals as OMI's cloud rounds it.
pub(crate) fn relevance(score: f64) -> f64 {
    let relevance = 0.5 + 0.5 * score.clamp(0.0, 1.0);
    ((relevance * 10_000.0).round() / 10_000.0).min(0.9999)
}

/// An action item the Developer API's search found, and its score.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RankedActionItemRow {
    #[sqlx(flatten)]
    item: ActionItemRow,
    score: f64,
}

impl RankedActionItemRow {
    /// The action item and its relevance.
    pub(crate) fn into_ranked(self) -> StoreResult<(omi_model::ActionItem, f64)> {
        Ok((self.item.into_action_item(), relevance(self.score)))
    }
}

/// A conversation the Developer API's search found: its columns as the developer list reads
/// them, its text (for the snippet) and its score.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RankedConversationRow {
    #[sqlx(flatten)]
    conversation: DevConversationRow,
    text: String,
    score: f64,
}

impl RankedConversationRow {
    /// The conversation, its text and its relevance.
    pub(crate) fn into_ranked(self) -> StoreResult<crate::store::RankedConversation> {
        Ok(crate::store::RankedConversation {
            conversation: self.conversation.into_conversation()?,
            text: self.text,
            relevance: relevance(self.score),
        })
    }
}

/// A `conversations` row as the Developer API shows it: the columns of
/// `dev_conversation_columns!()`, and `transcript_segments` only when the transcript is
/// shown (a list without it never reads that column, the largest of the row).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DevConversationRow {
    id: String,
    source: String,
    language: String,
    created_at: i64,
    started_at: i64,
    finished_at: i64,
    status: String,
    discarded: bool,
    geolocation: Option<String>,
    structured: String,
    failure_reason: Option<String>,
    starred: bool,
    folder_id: Option<String>,
    folder_name: Option<String>,
    #[sqlx(default)]
    transcript_segments: Option<String>,
}

impl DevConversationRow {
    /// The conversation object without the imported text, the importing app and the text
    /// source (what `Conversation::for_developer` leaves out anyway); `transcript_segments`
    /// only when the column was read. A `failed` conversation says why, as `failure_reason`
    /// (an addition to OMI's object).
    pub(crate) fn into_conversation(self) -> StoreResult<Conversation> {
        let mut extra = Map::new();
        if let Some(reason) = self.failure_reason {
            extra.insert(Conversation::FAILURE_REASON.into(), reason.into());
        }
        Ok(Conversation {
            id: self.id,
            created_at: from_micros(self.created_at),
            started_at: Some(from_micros(self.started_at)),
            finished_at: Some(from_micros(self.finished_at)),
            source: Some(parse_wire(&self.source)?),
            language: Some(self.language),
            status: Some(parse_wire(&self.status)?),
            discarded: self.discarded,
            app_id: None,
            text: None,
            structured: serde_json::from_str::<Structured>(&self.structured).map_err(json_err)?,
            transcript_segments: self
                .transcript_segments
                .map(|t| serde_json::from_str(&t))
                .transpose()
                .map_err(json_err)?,
            geolocation: self
                .geolocation
                .map(|g| serde_json::from_str(&g))
                .transpose()
                .map_err(json_err)?,
            starred: self.starred,
            folder_id: self.folder_id,
            folder_name: self.folder_name,
            extra,
        })
    }
}

/// A `conversations` row with every column of the conversation object
/// (`conversation_columns!()`): the developer's shape plus the imported text, the importing
/// app, the text source and the transcript.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ConversationRow {
    #[sqlx(flatten)]
    shown: DevConversationRow,
    app_id: Option<String>,
    text: String,
    text_source: String,
    text_source_spec: Option<String>,
}

impl ConversationRow {
    /// The conversation object. Where an imported text came from is kept as OMI keeps it,
    /// under `external_data: {text_source, text_source_spec}`; a `failed` conversation also
    /// says why, as `failure_reason` (an addition to OMI's object).
    pub(crate) fn into_conversation(self) -> StoreResult<Conversation> {
        let mut conversation = self.shown.into_conversation()?;
        let mut external = Map::new();
        external.insert("text_source".into(), self.text_source.into());
        external.insert("text_source_spec".into(), self.text_source_spec.into());
        let mut extra = Map::new();
        extra.insert("external_data".into(), Value::Object(external));
        extra.append(&mut conversation.extra);
        conversation.extra = extra;
        conversation.app_id = self.app_id;
        conversation.text = Some(self.text);
        Ok(conversation)
    }
}

/// A `jobs` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct JobRow {
    id: i64,
    kind: String,
    uid: String,
    subject_id: Option<String>,
    payload: String,
    attempts: i32,
    max_attempts: i32,
}

impl JobRow {
    /// The claimed job.
    pub(crate) fn into_job(self) -> StoreResult<Job> {
        Ok(Job {
            id: self.id,
            task: JobTask::from_columns(&self.kind, self.subject_id, &self.payload)
                .map_err(StoreError::Internal)?,
            uid: uid_of(self.uid)?,
            attempts: self.attempts,
            max_attempts: self.max_attempts,
        })
    }
}

/// An `apps` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AppRow {
    id: String,
    name: String,
    capabilities: String,
    created_at: i64,
}

impl AppRow {
    /// The app.
    pub(crate) fn into_app(self) -> AppRecord {
        AppRecord {
            id: self.id,
            name: self.name,
            capabilities: parse_list::<Capability>(&self.capabilities),
            created_at: from_micros(self.created_at),
        }
    }
}

/// An `app_keys` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AppKeyRow {
    id: String,
    app_id: String,
    secret_hash: String,
    label: String,
    created_at: i64,
}

impl AppKeyRow {
    /// The key record.
    pub(crate) fn into_key(self) -> AppKeyRecord {
        AppKeyRecord {
            id: self.id,
            app_id: self.app_id,
            secret_hash: self.secret_hash,
            label: self.label,
            created_at: from_micros(self.created_at),
        }
    }
}

/// A `dev_keys` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DevKeyRow {
    id: String,
    uid: String,
    secret_hash: String,
    label: String,
    scopes: String,
    created_at: i64,
    last_used_at: Option<i64>,
}

impl DevKeyRow {
    /// The key record.
    pub(crate) fn into_key(self) -> StoreResult<DevKeyRecord> {
        Ok(DevKeyRecord {
            id: self.id,
            uid: uid_of(self.uid)?,
            secret_hash: self.secret_hash,
            label: self.label,
            scopes: parse_list::<DevScope>(&self.scopes),
            created_at: from_micros(self.created_at),
            last_used_at: self.last_used_at.map(from_micros),
        })
    }
}

/// An `idempotency_keys` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct IdempotencyRow {
    fingerprint: String,
    state: String,
    status: Option<i64>,
    body: Option<Vec<u8>>,
}

impl IdempotencyRow {
    /// What this earlier request's record says about a new one with the same key: `None`
    /// when it holds no answer (a `pending` record left by an older version, which wrote the
    /// record before the create: nothing says that create happened).
    pub(crate) fn verdict(self, key: &IdempotencyKey) -> Option<EarlierAnswer> {
        let (state, status) = (self.state.as_str(), self.status);
        let status = status.filter(|_| state == "done")?;
        if self.fingerprint != key.fingerprint {
            return Some(EarlierAnswer::OtherRequest);
        }
        Some(EarlierAnswer::Same {
            status: u16::try_from(status).unwrap_or(500),
            body: self.body.unwrap_or_default(),
        })
    }
}

/// An `action_items` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ActionItemRow {
    id: String,
    description: String,
    completed: bool,
    created_at: i64,
    updated_at: i64,
    due_at: Option<i64>,
    completed_at: Option<i64>,
    conversation_id: Option<String>,
}

impl ActionItemRow {
    /// The action item object.
    pub(crate) fn into_action_item(self) -> omi_model::ActionItem {
        omi_model::ActionItem {
            id: self.id,
            description: self.description,
            completed: self.completed,
            created_at: Some(from_micros(self.created_at)),
            updated_at: Some(from_micros(self.updated_at)),
            due_at: self.due_at.map(from_micros),
            completed_at: self.completed_at.map(from_micros),
            conversation_id: self.conversation_id,
        }
    }
}

/// A `folders` row with its conversation count (`sql::folders`).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct FolderRow {
    id: String,
    name: String,
    description: Option<String>,
    color: String,
    icon: String,
    created_at: i64,
    updated_at: i64,
    sort_order: i64,
    is_default: bool,
    is_system: bool,
    conversation_count: i64,
}

impl FolderRow {
    /// The folder object.
    pub(crate) fn into_folder(self) -> Folder {
        Folder {
            id: self.id,
            name: self.name,
            description: self.description,
            color: self.color,
            icon: self.icon,
            created_at: from_micros(self.created_at),
            updated_at: from_micros(self.updated_at),
            order: self.sort_order,
            is_default: self.is_default,
            is_system: self.is_system,
            conversation_count: u64::try_from(self.conversation_count).unwrap_or(0),
        }
    }
}
