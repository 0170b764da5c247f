//! The embedded store: one SQLite file in WAL mode.
//!
//! SQLite allows one writer at a time, so writes go through a pool of exactly one connection
//! (more would only add lock waits) and reads through a pool of read-only connections, which
//! WAL lets run beside the writer.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use omi_model::{
    Conversation, ConversationListParams, DevMemoryListParams, Memory, MemoryUpdate, Structured,
    Uid,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{FromRow, QueryBuilder, Row, Sqlite};

mod developer;
mod group_commit;
mod idempotency;
mod jobs;
mod words;

use group_commit::GroupCommit;

use super::rows::{
    AppKeyRow, AppRow, ConversationRow, DevKeyRow, MemoryRow, comma_list, json_err, map_err,
};
use super::{
    ActionItemRecord, AppKeyRecord, AppRecord, ConversationRecord, DevKeyRecord, IdempotencyBegin,
    IdempotencyKey, Job, MemoryRecord, NewJob, ProcessedConversation, Store, StoreError,
    StoreResult, apply_update, content_key, page_bounds, to_micros,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The columns a memory object is built from (`MemoryRow`): every column but `uid` and
/// `content_key`. The driver copies each value of each row, so a list reads no more than it
/// returns.
macro_rules! memory_columns {
    () => {
        "id, content, category, visibility, tags, created_at, updated_at, manually_added, \
         scoring, reviewed, user_review, edited, app_id, conversation_id"
    };
}

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
    group: GroupCommit,
}

impl SqliteStore {
    /// Open (creating if missing) the database at `url` (`sqlite://path` or `sqlite:path`),
    /// apply the embedded migrations, and use `readers` read connections.
    pub async fn open(url: &str, readers: u32) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Internal(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(map_err)?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|e| StoreError::Internal(format!("migrations failed: {e}")))?;
        let readers = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .connect_with(options.read_only(true))
            .await
            .map_err(map_err)?;
        words::backfill(&writer).await?;
        let group = GroupCommit::start(writer.clone());
        Ok(Self {
            writer,
            readers,
            group,
        })
    }

    /// Close both pools, waiting for connections to finish.
    pub async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
    }
}

fn memory_from_row(row: &SqliteRow) -> StoreResult<Memory> {
    MemoryRow::from_row(row).map_err(map_err)?.into_memory()
}

fn conversation_from_row(row: &SqliteRow) -> StoreResult<Conversation> {
    ConversationRow::from_row(row)
        .map_err(map_err)?
        .into_conversation()
}

async fn insert_conversation_row(
    conn: &mut SqliteConnection,
    c: &ConversationRecord,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let geolocation = c
        .geolocation
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(json_err)?;
    let structured = serde_json::to_string(&Structured::default()).map_err(json_err)?;
    sqlx::query(
        "INSERT INTO conversations (id, uid, app_id, source, text, text_source, \
         text_source_spec, language, created_at, started_at, finished_at, status, \
         discarded, geolocation, structured, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'processing', 0, ?, ?, ?)",
    )
    .bind(&c.id)
    .bind(c.uid.as_str())
    .bind(&c.app_id)
    .bind(c.source.as_str())
    .bind(&c.text)
    .bind(c.text_source.as_str())
    .bind(&c.text_source_spec)
    .bind(&c.language)
    .bind(to_micros(c.created_at))
    .bind(to_micros(c.started_at))
    .bind(to_micros(c.finished_at))
    .bind(geolocation)
    .bind(structured)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// A memory ready to insert, with what the statements need computed before the write reaches
/// the single writer (so the writer spends its time on SQL only).
#[derive(Debug, Clone)]
struct PreparedMemory {
    record: MemoryRecord,
    key: String,
    scoring: String,
    tags: String,
    words: Vec<String>,
}

impl PreparedMemory {
    fn new(record: &MemoryRecord) -> StoreResult<Self> {
        Ok(Self {
            key: content_key(&record.content),
            scoring: omi_model::scoring(record.manually_added, record.category, record.created_at),
            tags: serde_json::to_string(&record.tags).map_err(json_err)?,
            words: crate::extract::indexed_words(&crate::extract::content_words(&record.content)),
            record: record.clone(),
        })
    }

    fn all(records: &[MemoryRecord]) -> StoreResult<Vec<Self>> {
        records.iter().map(Self::new).collect()
    }
}

/// Insert one memory unless the user has its content already; return the stored one.
async fn upsert_memory(
    conn: &mut SqliteConnection,
    uid: &Uid,
    p: &PreparedMemory,
) -> StoreResult<Memory> {
    let m = &p.record;
    let created = to_micros(m.created_at);
    let inserted = sqlx::query(concat!(
        "INSERT INTO memories (id, uid, content, content_key, category, visibility, tags, \
         created_at, updated_at, manually_added, scoring, app_id, conversation_id) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (uid, content_key) DO NOTHING RETURNING ",
        memory_columns!()
    ))
    .bind(&m.id)
    .bind(uid.as_str())
    .bind(&m.content)
    .bind(&p.key)
    .bind(m.category.as_str())
    .bind(m.visibility.as_str())
    .bind(&p.tags)
    .bind(created)
    .bind(created)
    .bind(m.manually_added)
    .bind(&p.scoring)
    .bind(&m.app_id)
    .bind(&m.conversation_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?;
    if let Some(row) = inserted {
        words::index(conn, uid.as_str(), &m.id, &p.words).await?;
        return memory_from_row(&row);
    }
    let row = sqlx::query(concat!(
        "SELECT ",
        memory_columns!(),
        " FROM memories WHERE uid = ? AND content_key = ?"
    ))
    .bind(uid.as_str())
    .bind(&p.key)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    memory_from_row(&row)
}

/// Apply `update` to one of a user's memories; `None` when it does not exist.
async fn update_memory_row(
    conn: &mut SqliteConnection,
    uid: Uid,
    id: String,
    update: MemoryUpdate,
    now: DateTime<Utc>,
) -> StoreResult<Option<Memory>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        memory_columns!(),
        " FROM memories WHERE uid = ? AND id = ?"
    ))
    .bind(uid.as_str())
    .bind(&id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?;
    let Some(row) = row else { return Ok(None) };
    let before = memory_from_row(&row)?;
    let old_content = before.content.clone();
    let changed = apply_update(before, &update, now);
    sqlx::query(
        "UPDATE memories SET content = ?, content_key = ?, category = ?, visibility = ?, \
         tags = ?, updated_at = ?, scoring = ?, edited = ? WHERE uid = ? AND id = ?",
    )
    .bind(&changed.content)
    .bind(content_key(&changed.content))
    .bind(changed.category.map(|c| c.as_str()))
    .bind(changed.visibility.map(|v| v.as_str()))
    .bind(serde_json::to_string(&changed.tags).map_err(json_err)?)
    .bind(changed.updated_at.map(to_micros))
    .bind(&changed.scoring)
    .bind(changed.edited)
    .bind(uid.as_str())
    .bind(&id)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if changed.content != old_content {
        words::unindex(conn, uid.as_str(), &id, &old_content).await?;
        let new_words =
            crate::extract::indexed_words(&crate::extract::content_words(&changed.content));
        words::index(conn, uid.as_str(), &id, &new_words).await?;
    }
    Ok(Some(changed))
}

/// Delete one of a user's memories and its word index; `false` when it did not exist.
async fn delete_memory_row(conn: &mut SqliteConnection, uid: Uid, id: String) -> StoreResult<bool> {
    let deleted = sqlx::query("DELETE FROM memories WHERE uid = ? AND id = ? RETURNING content")
        .bind(uid.as_str())
        .bind(&id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    let Some(row) = deleted else { return Ok(false) };
    let content: String = row.try_get("content").map_err(map_err)?;
    words::unindex(conn, uid.as_str(), &id, &content).await?;
    Ok(true)
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.readers)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn create_user(&self, uid: &Uid, now: DateTime<Utc>) -> StoreResult<bool> {
        let done =
            sqlx::query("INSERT INTO users (uid, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(uid.as_str())
                .bind(to_micros(now))
                .execute(&self.writer)
                .await
                .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn user_exists(&self, uid: &Uid) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 FROM users WHERE uid = ?")
            .bind(uid.as_str())
            .fetch_optional(&self.readers)
            .await
            .map_err(map_err)?;
        Ok(row.is_some())
    }

    async fn create_app(&self, app: &AppRecord) -> StoreResult<()> {
        sqlx::query("INSERT INTO apps (id, name, capabilities, created_at) VALUES (?, ?, ?, ?)")
            .bind(&app.id)
            .bind(&app.name)
            .bind(comma_list(&app.capabilities))
            .bind(to_micros(app.created_at))
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn app(&self, app_id: &str) -> StoreResult<Option<AppRecord>> {
        let row = sqlx::query("SELECT * FROM apps WHERE id = ?")
            .bind(app_id)
            .fetch_optional(&self.readers)
            .await
            .map_err(map_err)?;
        row.map(|r| Ok(AppRow::from_row(&r).map_err(map_err)?.into_app()))
            .transpose()
    }

    async fn create_app_key(&self, key: &AppKeyRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO app_keys (id, app_id, secret_hash, label, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&key.id)
        .bind(&key.app_id)
        .bind(&key.secret_hash)
        .bind(&key.label)
        .bind(to_micros(key.created_at))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn app_key_by_hash(&self, secret_hash: &str) -> StoreResult<Option<AppKeyRecord>> {
        let row =
            sqlx::query("SELECT * FROM app_keys WHERE secret_hash = ? AND revoked_at IS NULL")
                .bind(secret_hash)
                .fetch_optional(&self.readers)
                .await
                .map_err(map_err)?;
        row.map(|r| Ok(AppKeyRow::from_row(&r).map_err(map_err)?.into_key()))
            .transpose()
    }

    async fn set_app_enabled(
        &self,
        uid: &Uid,
        app_id: &str,
        enabled: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let query = if enabled {
            "INSERT INTO app_enablements (uid, app_id, enabled_at) VALUES (?, ?, ?) \
             ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM app_enablements WHERE uid = ? AND app_id = ? AND ? IS NOT NULL"
        };
        sqlx::query(query)
            .bind(uid.as_str())
            .bind(app_id)
            .bind(to_micros(now))
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn is_app_enabled(&self, uid: &Uid, app_id: &str) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 FROM app_enablements WHERE uid = ? AND app_id = ?")
            .bind(uid.as_str())
            .bind(app_id)
            .fetch_optional(&self.readers)
            .await
            .map_err(map_err)?;
        Ok(row.is_some())
    }

    async fn create_dev_key(&self, key: &DevKeyRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO dev_keys (id, uid, secret_hash, label, scopes, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&key.id)
        .bind(key.uid.as_str())
        .bind(&key.secret_hash)
        .bind(&key.label)
        .bind(comma_list(&key.scopes))
        .bind(to_micros(key.created_at))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn dev_key_by_hash(&self, secret_hash: &str) -> StoreResult<Option<DevKeyRecord>> {
        let row =
            sqlx::query("SELECT * FROM dev_keys WHERE secret_hash = ? AND revoked_at IS NULL")
                .bind(secret_hash)
                .fetch_optional(&self.readers)
                .await
                .map_err(map_err)?;
        row.map(|r| DevKeyRow::from_row(&r).map_err(map_err)?.into_key())
            .transpose()
    }

    async fn touch_dev_key(&self, key_id: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE dev_keys SET last_used_at = ? WHERE id = ?")
            .bind(to_micros(now))
            .bind(key_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn revoke_key(&self, key_id: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let mut revoked = 0;
        for sql in [
            "UPDATE app_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            "UPDATE dev_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        ] {
            revoked += sqlx::query(sql)
                .bind(to_micros(now))
                .bind(key_id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?
                .rows_affected();
        }
        tx.commit().await.map_err(map_err)?;
        Ok(revoked > 0)
    }

    async fn insert_conversation(&self, c: &ConversationRecord, job: &NewJob) -> StoreResult<()> {
        let (c, job) = (c.clone(), job.clone());
        self.group
            .write(move |conn| {
                async move {
                    insert_conversation_row(conn, &c, job.created_at).await?;
                    jobs::insert(conn, &job).await
                }
                .boxed()
            })
            .await
    }

    async fn list_conversations(
        &self,
        uid: &Uid,
        params: &ConversationListParams,
    ) -> StoreResult<Vec<Conversation>> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM conversations WHERE uid = ");
        q.push_bind(uid.as_str());
        if !params.include_discarded {
            q.push(" AND discarded = 0");
        }
        if !params.statuses.is_empty() {
            q.push(" AND status IN (");
            let mut sep = q.separated(", ");
            for s in &params.statuses {
                sep.push_bind(s.as_str());
            }
            q.push(")");
        }
        if let Some(start) = params.start_date {
            q.push(" AND created_at >= ").push_bind(to_micros(start));
        }
        if let Some(end) = params.end_date {
            q.push(" AND created_at <= ").push_bind(to_micros(end));
        }
        let (limit, offset) = page_bounds(&omi_model::PageParams {
            limit: params.limit,
            offset: params.offset,
        });
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = q.build().fetch_all(&self.readers).await.map_err(map_err)?;
        rows.iter().map(conversation_from_row).collect()
    }

    async fn conversation(&self, uid: &Uid, id: &str) -> StoreResult<Option<Conversation>> {
        let row = sqlx::query("SELECT * FROM conversations WHERE uid = ? AND id = ?")
            .bind(uid.as_str())
            .bind(id)
            .fetch_optional(&self.readers)
            .await
            .map_err(map_err)?;
        row.as_ref().map(conversation_from_row).transpose()
    }

    async fn insert_memories(
        &self,
        uid: &Uid,
        memories: &[MemoryRecord],
        job: Option<&NewJob>,
    ) -> StoreResult<Vec<Memory>> {
        let (uid, job) = (uid.clone(), job.cloned());
        let memories = PreparedMemory::all(memories)?;
        self.group
            .write(move |conn| {
                async move {
                    let mut stored = Vec::with_capacity(memories.len());
                    for m in &memories {
                        stored.push(upsert_memory(conn, &uid, m).await?);
                    }
                    if let Some(job) = &job {
                        jobs::insert(conn, job).await?;
                    }
                    Ok(stored)
                }
                .boxed()
            })
            .await
    }

    async fn near_duplicate_candidates(
        &self,
        uid: &Uid,
        words: &[String],
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        words::candidates(&self.readers, uid.as_str(), words, limit).await
    }

    async fn list_memories(
        &self,
        uid: &Uid,
        params: &DevMemoryListParams,
    ) -> StoreResult<Vec<Memory>> {
        let mut q = QueryBuilder::<Sqlite>::new(concat!(
            "SELECT ",
            memory_columns!(),
            " FROM memories WHERE uid = "
        ));
        q.push_bind(uid.as_str());
        if !params.categories.is_empty() {
            q.push(" AND category IN (");
            let mut sep = q.separated(", ");
            for c in &params.categories {
                sep.push_bind(c.as_str());
            }
            q.push(")");
        }
        let (limit, offset) = page_bounds(&params.page);
        q.push(" ORDER BY scoring DESC, created_at DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = q.build().fetch_all(&self.readers).await.map_err(map_err)?;
        rows.iter().map(memory_from_row).collect()
    }

    async fn memory(&self, uid: &Uid, id: &str) -> StoreResult<Option<Memory>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            memory_columns!(),
            " FROM memories WHERE uid = ? AND id = ?"
        ))
        .bind(uid.as_str())
        .bind(id)
        .fetch_optional(&self.readers)
        .await
        .map_err(map_err)?;
        row.as_ref().map(memory_from_row).transpose()
    }

    async fn update_memory(
        &self,
        uid: &Uid,
        id: &str,
        update: &MemoryUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Memory>> {
        let (uid, id, update) = (uid.clone(), id.to_owned(), update.clone());
        self.group
            .write(move |conn| update_memory_row(conn, uid, id, update, now).boxed())
            .await
    }

    async fn delete_memory(&self, uid: &Uid, id: &str) -> StoreResult<bool> {
        let (uid, id) = (uid.clone(), id.to_owned());
        self.group
            .write(move |conn| delete_memory_row(conn, uid, id).boxed())
            .await
    }

    async fn claim_job(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<Job>> {
        let (now, until) = (to_micros(now), to_micros(lease_until));
        self.group
            .write(move |conn| jobs::claim(conn, now, until).boxed())
            .await
    }

    async fn complete_conversation_job(
        &self,
        job: &Job,
        processed: &ProcessedConversation,
        memories: &[MemoryRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        // What processing found to do becomes the conversation's own action items, in the
        // same write that completes the job.
        let action_items = job
            .subject_id
            .as_deref()
            .map(|id| ActionItemRecord::extracted_from(processed, id, now))
            .unwrap_or_default();
        let (job, processed) = (job.clone(), processed.clone());
        let memories = PreparedMemory::all(memories)?;
        let now = to_micros(now);
        self.group
            .write(move |conn| {
                async move {
                    developer::insert_action_item_rows(conn, &job.uid, &action_items).await?;
                    jobs::complete_conversation(conn, &job, &processed, &memories, now).await
                }
                .boxed()
            })
            .await
    }

    async fn complete_memories_job(
        &self,
        job: &Job,
        memories: &[MemoryRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (job, now) = (job.clone(), to_micros(now));
        let memories = PreparedMemory::all(memories)?;
        self.group
            .write(move |conn| {
                async move { jobs::complete_memories(conn, &job, &memories, now).await }.boxed()
            })
            .await
    }

    async fn retry_job(
        &self,
        job: &Job,
        error: &str,
        run_after: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (job, error) = (job.clone(), error.to_owned());
        let (run_after, now) = (to_micros(run_after), to_micros(now));
        self.group
            .write(move |conn| {
                async move { jobs::retry(conn, &job, &error, run_after, now).await }.boxed()
            })
            .await
    }

    async fn fail_job(&self, job: &Job, error: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let (job, error, now) = (job.clone(), error.to_owned(), to_micros(now));
        self.group
            .write(move |conn| async move { jobs::fail(conn, &job, &error, now).await }.boxed())
            .await
    }

    async fn renew_lease(&self, job: &Job, until: DateTime<Utc>) -> StoreResult<bool> {
        let (job, until) = (job.clone(), to_micros(until));
        self.group
            .write(move |conn| async move { jobs::renew(conn, &job, until).await }.boxed())
            .await
    }

    async fn release_job(&self, job: &Job, now: DateTime<Utc>) -> StoreResult<()> {
        let (job, now) = (job.clone(), to_micros(now));
        self.group
            .write(move |conn| async move { jobs::release(conn, &job, now).await }.boxed())
            .await
    }

    async fn queue_depth(&self) -> StoreResult<i64> {
        jobs::depth(&self.readers).await
    }

    async fn begin_idempotent(
        &self,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> StoreResult<IdempotencyBegin> {
        let (key, now, not_before) = (key.clone(), to_micros(now), to_micros(expired_before));
        self.group
            .write(move |conn| {
                async move { idempotency::begin(conn, &key, now, not_before).await }.boxed()
            })
            .await
    }

    async fn finish_idempotent(
        &self,
        key: &IdempotencyKey,
        status: u16,
        body: &[u8],
    ) -> StoreResult<()> {
        let (key, body) = (key.clone(), body.to_vec());
        self.group
            .write(move |conn| {
                async move { idempotency::finish(conn, &key, status, &body).await }.boxed()
            })
            .await
    }

    async fn abandon_idempotent(&self, key: &IdempotencyKey) -> StoreResult<()> {
        let key = key.clone();
        self.group
            .write(move |conn| async move { idempotency::abandon(conn, &key).await }.boxed())
            .await
    }

    async fn purge_idempotency(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < ?")
            .bind(to_micros(before))
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::JobKind;
    use omi_model::{ConversationSource, ConversationTextSource, MemoryCategory, Visibility};

    async fn store() -> (SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        (SqliteStore::open(&url, 2).await.unwrap(), dir)
    }

    fn uid() -> Uid {
        Uid::try_from("u1".to_owned()).unwrap()
    }

    fn memory(content: &str) -> MemoryRecord {
        MemoryRecord {
            id: crate::keys::new_id(),
            content: content.into(),
            category: MemoryCategory::System,
            visibility: Visibility::Private,
            tags: vec![],
            created_at: Utc::now(),
            manually_added: true,
            app_id: None,
            conversation_id: None,
        }
    }

    fn conversation(id: &str) -> (ConversationRecord, NewJob) {
        let now = Utc::now();
        let c = ConversationRecord {
            id: id.into(),
            uid: uid(),
            app_id: None,
            source: ConversationSource::Workflow,
            text: "hello".into(),
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
            uid: uid(),
            subject_id: Some(id.into()),
            payload: serde_json::json!({}),
            max_attempts: 3,
            created_at: now,
        };
        (c, job)
    }

    #[tokio::test]
    async fn concurrent_writes_are_all_committed() {
        let (store, _dir) = store().await;
        let writes = (0..200).map(|i| {
            let store = store.clone();
            async move {
                store
                    .insert_memories(&uid(), &[memory(&format!("fact {i}"))], None)
                    .await
            }
        });
        let results = futures::future::join_all(writes).await;
        assert!(results.iter().all(Result::is_ok));
        let params = DevMemoryListParams {
            page: omi_model::ListMemoriesQuery {
                limit: Some(1000),
                offset: None,
            }
            .validate()
            .unwrap(),
            categories: vec![],
        };
        assert_eq!(
            store.list_memories(&uid(), &params).await.unwrap().len(),
            200
        );
    }

    #[tokio::test]
    async fn a_failing_write_in_a_group_rolls_back_alone() {
        let (store, _dir) = store().await;
        let (dup, dup_job) = conversation("same-id");
        store.insert_conversation(&dup, &dup_job).await.unwrap();
        let (ok, ok_job) = conversation("other-id");
        let (again, again_job) = (dup.clone(), dup_job.clone());
        let (first, second) = tokio::join!(
            store.insert_conversation(&again, &again_job),
            store.insert_conversation(&ok, &ok_job)
        );
        assert!(matches!(first, Err(StoreError::Conflict(_))));
        second.unwrap();
        assert!(
            store
                .conversation(&uid(), "other-id")
                .await
                .unwrap()
                .is_some()
        );
        // The failed write's job was rolled back with it: two jobs, not three.
        assert_eq!(store.queue_depth().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn the_same_content_is_one_memory() {
        let (store, _dir) = store().await;
        let a = store
            .insert_memories(&uid(), &[memory("User likes tea.")], None)
            .await
            .unwrap();
        let b = store
            .insert_memories(&uid(), &[memory("  user LIKES   tea ")], None)
            .await
            .unwrap();
        assert_eq!(a[0].id, b[0].id);
    }

    #[tokio::test]
    async fn a_claimed_job_is_claimable_again_after_its_lease() {
        let (store, _dir) = store().await;
        let (c, job) = conversation("c1");
        store.insert_conversation(&c, &job).await.unwrap();
        let now = Utc::now();
        let lease = chrono::Duration::seconds(30);
        let claimed = store.claim_job(now, now + lease).await.unwrap().unwrap();
        assert_eq!(claimed.attempts, 1);
        assert!(store.claim_job(now, now + lease).await.unwrap().is_none());
        let later = now + lease + chrono::Duration::seconds(1);
        let again = store
            .claim_job(later, later + lease)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.id, again.attempts), (claimed.id, 2));
    }

    async fn sharing(store: &SqliteStore, content: &str) -> Vec<String> {
        let words = crate::extract::content_words(content);
        store
            .near_duplicate_candidates(&uid(), &words, 100)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn memories_sharing_enough_words_are_near_duplicate_candidates() {
        let (store, _dir) = store().await;
        let stored = [
            "User loves hiking in the Alps",
            "User has a sister named Anna",
            "User likes green tea",
        ];
        let records: Vec<_> = stored.iter().map(|c| memory(c)).collect();
        store.insert_memories(&uid(), &records, None).await.unwrap();
        let found = sharing(&store, "User enjoys hiking in the alps").await;
        assert_eq!(
            found.first().map(String::as_str),
            Some("User loves hiking in the Alps"),
            "the memory sharing the most words comes first: {found:?}"
        );
        assert!(
            !found.iter().any(|c| c.contains("sister")),
            "a memory sharing no word is no candidate: {found:?}"
        );
        assert!(sharing(&store, "User plays the cello").await.is_empty());
        let other = Uid::try_from("u2".to_owned()).unwrap();
        let words = crate::extract::content_words("User likes green tea");
        assert!(
            store
                .near_duplicate_candidates(&other, &words, 100)
                .await
                .unwrap()
                .is_empty(),
            "another user's memories are never candidates"
        );
    }

    #[tokio::test]
    async fn the_word_index_follows_updates_and_deletes() {
        let (store, _dir) = store().await;
        let m = memory("User likes green tea");
        store
            .insert_memories(&uid(), std::slice::from_ref(&m), None)
            .await
            .unwrap();
        let update = omi_model::UpdateMemoryRequest {
            content: Some("User plays the cello".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        store
            .update_memory(&uid(), &m.id, &update, Utc::now())
            .await
            .unwrap();
        assert!(sharing(&store, "User likes green tea").await.is_empty());
        assert_eq!(
            sharing(&store, "User plays cello").await,
            ["User plays the cello"]
        );
        assert!(store.delete_memory(&uid(), &m.id).await.unwrap());
        assert!(sharing(&store, "User plays cello").await.is_empty());
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memory_words")
            .fetch_one(&store.readers)
            .await
            .unwrap();
        assert_eq!(left, 0, "a deleted memory leaves no index rows");
    }

    #[tokio::test]
    async fn memories_stored_before_the_word_index_are_indexed_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = SqliteStore::open(&url, 1).await.unwrap();
        store
            .insert_memories(&uid(), &[memory("User likes green tea")], None)
            .await
            .unwrap();
        // As a database migrated from before 0003: memories, no index, the task pending.
        sqlx::query("DELETE FROM memory_words")
            .execute(&store.writer)
            .await
            .unwrap();
        sqlx::query("INSERT INTO store_tasks (name) VALUES ('index_memory_words')")
            .execute(&store.writer)
            .await
            .unwrap();
        store.close().await;
        let store = SqliteStore::open(&url, 1).await.unwrap();
        assert_eq!(
            sharing(&store, "User likes green tea").await,
            ["User likes green tea"]
        );
    }
}
