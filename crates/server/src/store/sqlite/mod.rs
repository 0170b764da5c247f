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
    Capability, Conversation, ConversationListParams, DevMemoryListParams, DevScope, Memory,
    MemoryUpdate, Structured, Uid,
};
use sqlx::sqlite::SqliteConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};

mod group_commit;

use group_commit::GroupCommit;

use super::{
    AppKeyRecord, AppRecord, ConversationRecord, DevKeyRecord, IdempotencyBegin, IdempotencyKey,
    Job, JobKind, MemoryRecord, NewJob, ProcessedConversation, Store, StoreError, StoreResult,
    apply_update, content_key, from_micros, page_bounds, to_micros,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

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

fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            StoreError::Unavailable(e.to_string())
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

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Internal(format!("stored JSON is unreadable: {e}"))
}

fn comma_list<T: std::fmt::Display>(items: &[T]) -> String {
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

fn uid_of(raw: String) -> StoreResult<Uid> {
    Uid::try_from(raw).map_err(|e| StoreError::Internal(format!("stored uid is invalid: {e}")))
}

fn memory_from_row(row: &SqliteRow) -> StoreResult<Memory> {
    let tags: String = row.try_get("tags").map_err(map_err)?;
    let user_review: Option<bool> = row.try_get("user_review").map_err(map_err)?;
    Ok(Memory {
        id: row.try_get("id").map_err(map_err)?,
        content: row.try_get("content").map_err(map_err)?,
        category: Some(parse_wire(
            &row.try_get::<String, _>("category").map_err(map_err)?,
        )?),
        visibility: Some(parse_wire(
            &row.try_get::<String, _>("visibility").map_err(map_err)?,
        )?),
        tags: serde_json::from_str(&tags).map_err(json_err)?,
        created_at: from_micros(row.try_get("created_at").map_err(map_err)?),
        updated_at: Some(from_micros(row.try_get("updated_at").map_err(map_err)?)),
        manually_added: Some(row.try_get("manually_added").map_err(map_err)?),
        scoring: Some(row.try_get("scoring").map_err(map_err)?),
        reviewed: Some(row.try_get("reviewed").map_err(map_err)?),
        user_review,
        edited: Some(row.try_get("edited").map_err(map_err)?),
        app_id: row.try_get("app_id").map_err(map_err)?,
        conversation_id: row.try_get("conversation_id").map_err(map_err)?,
        extra: serde_json::Map::new(),
    })
}

fn conversation_from_row(row: &SqliteRow) -> StoreResult<Conversation> {
    let structured: String = row.try_get("structured").map_err(map_err)?;
    let segments: String = row.try_get("transcript_segments").map_err(map_err)?;
    let geolocation: Option<String> = row.try_get("geolocation").map_err(map_err)?;
    Ok(Conversation {
        id: row.try_get("id").map_err(map_err)?,
        created_at: from_micros(row.try_get("created_at").map_err(map_err)?),
        started_at: Some(from_micros(row.try_get("started_at").map_err(map_err)?)),
        finished_at: Some(from_micros(row.try_get("finished_at").map_err(map_err)?)),
        source: Some(parse_wire(
            &row.try_get::<String, _>("source").map_err(map_err)?,
        )?),
        language: Some(row.try_get("language").map_err(map_err)?),
        status: Some(parse_wire(
            &row.try_get::<String, _>("status").map_err(map_err)?,
        )?),
        discarded: row.try_get("discarded").map_err(map_err)?,
        app_id: row.try_get("app_id").map_err(map_err)?,
        text: Some(row.try_get("text").map_err(map_err)?),
        structured: serde_json::from_str::<Structured>(&structured).map_err(json_err)?,
        transcript_segments: Some(serde_json::from_str(&segments).map_err(json_err)?),
        geolocation: geolocation
            .map(|g| serde_json::from_str(&g))
            .transpose()
            .map_err(json_err)?,
        extra: external_data(
            row.try_get("text_source").map_err(map_err)?,
            row.try_get("text_source_spec").map_err(map_err)?,
        ),
    })
}

/// Where an imported conversation's text came from, kept as OMI keeps it
/// (`external_data: {text_source, text_source_spec}`).
fn external_data(
    text_source: String,
    spec: Option<String>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut data = serde_json::Map::new();
    data.insert("text_source".into(), text_source.into());
    data.insert("text_source_spec".into(), spec.into());
    let mut extra = serde_json::Map::new();
    extra.insert("external_data".into(), data.into());
    extra
}

/// What an earlier request's record says about a new one with the same key.
fn earlier_request(row: &SqliteRow, key: &IdempotencyKey) -> StoreResult<IdempotencyBegin> {
    let fingerprint: String = row.try_get("fingerprint").map_err(map_err)?;
    if fingerprint != key.fingerprint {
        return Ok(IdempotencyBegin::Mismatch);
    }
    let state: String = row.try_get("state").map_err(map_err)?;
    if state != "done" {
        return Ok(IdempotencyBegin::InProgress);
    }
    let status: i64 = row.try_get("status").map_err(map_err)?;
    Ok(IdempotencyBegin::Replay {
        status: u16::try_from(status).unwrap_or(500),
        body: row.try_get("body").map_err(map_err)?,
    })
}

fn job_from_row(row: &SqliteRow) -> StoreResult<Job> {
    let kind: String = row.try_get("kind").map_err(map_err)?;
    let payload: String = row.try_get("payload").map_err(map_err)?;
    Ok(Job {
        id: row.try_get("id").map_err(map_err)?,
        kind: JobKind::parse(&kind)
            .ok_or_else(|| StoreError::Internal(format!("unknown job kind {kind:?}")))?,
        uid: uid_of(row.try_get("uid").map_err(map_err)?)?,
        subject_id: row.try_get("subject_id").map_err(map_err)?,
        payload: serde_json::from_str(&payload).map_err(json_err)?,
        attempts: row.try_get("attempts").map_err(map_err)?,
        max_attempts: row.try_get("max_attempts").map_err(map_err)?,
    })
}

async fn insert_job(conn: &mut SqliteConnection, job: &NewJob) -> StoreResult<()> {
    let at = to_micros(job.created_at);
    sqlx::query(
        "INSERT INTO jobs (kind, uid, subject_id, payload, status, attempts, max_attempts, \
         run_after, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?)",
    )
    .bind(job.kind.as_str())
    .bind(job.uid.as_str())
    .bind(&job.subject_id)
    .bind(job.payload.to_string())
    .bind(job.max_attempts)
    .bind(at)
    .bind(at)
    .bind(at)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
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

/// Insert one memory unless the user has its content already; return the stored one.
async fn upsert_memory(
    conn: &mut SqliteConnection,
    uid: &Uid,
    m: &MemoryRecord,
) -> StoreResult<Memory> {
    let key = content_key(&m.content);
    let created = to_micros(m.created_at);
    let scoring = omi_model::scoring(m.manually_added, m.category, m.created_at);
    sqlx::query(
        "INSERT INTO memories (id, uid, content, content_key, category, visibility, tags, \
         created_at, updated_at, manually_added, scoring, app_id, conversation_id) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (uid, content_key) DO NOTHING",
    )
    .bind(&m.id)
    .bind(uid.as_str())
    .bind(&m.content)
    .bind(&key)
    .bind(m.category.as_str())
    .bind(m.visibility.as_str())
    .bind(serde_json::to_string(&m.tags).map_err(json_err)?)
    .bind(created)
    .bind(created)
    .bind(m.manually_added)
    .bind(scoring)
    .bind(&m.app_id)
    .bind(&m.conversation_id)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    let row = sqlx::query("SELECT * FROM memories WHERE uid = ? AND content_key = ?")
        .bind(uid.as_str())
        .bind(&key)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)?;
    memory_from_row(&row)
}

/// Mark a job done, if this worker still holds it: a job whose lease ran out may have been
/// claimed again (its `attempts` moved on), and then this completion must not count.
async fn finish_job(conn: &mut SqliteConnection, job: &Job, now: i64) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE jobs SET status = 'done', updated_at = ? \
         WHERE id = ? AND status = 'running' AND attempts = ?",
    )
    .bind(now)
    .bind(job.id)
    .bind(job.attempts)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "job {} is no longer held by this worker (its lease ran out)",
            job.id
        )))
    }
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
        row.map(|r| {
            Ok(AppRecord {
                id: r.try_get("id").map_err(map_err)?,
                name: r.try_get("name").map_err(map_err)?,
                capabilities: parse_list::<Capability>(
                    &r.try_get::<String, _>("capabilities").map_err(map_err)?,
                ),
                created_at: from_micros(r.try_get("created_at").map_err(map_err)?),
            })
        })
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
        row.map(|r| {
            Ok(AppKeyRecord {
                id: r.try_get("id").map_err(map_err)?,
                app_id: r.try_get("app_id").map_err(map_err)?,
                secret_hash: r.try_get("secret_hash").map_err(map_err)?,
                label: r.try_get("label").map_err(map_err)?,
                created_at: from_micros(r.try_get("created_at").map_err(map_err)?),
            })
        })
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
        row.map(|r| {
            Ok(DevKeyRecord {
                id: r.try_get("id").map_err(map_err)?,
                uid: uid_of(r.try_get("uid").map_err(map_err)?)?,
                secret_hash: r.try_get("secret_hash").map_err(map_err)?,
                label: r.try_get("label").map_err(map_err)?,
                scopes: parse_list::<DevScope>(&r.try_get::<String, _>("scopes").map_err(map_err)?),
                created_at: from_micros(r.try_get("created_at").map_err(map_err)?),
            })
        })
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
                    insert_job(conn, &job).await
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
        let (uid, memories, job) = (uid.clone(), memories.to_vec(), job.cloned());
        self.group
            .write(move |conn| {
                async move {
                    let mut stored = Vec::with_capacity(memories.len());
                    for m in &memories {
                        stored.push(upsert_memory(conn, &uid, m).await?);
                    }
                    if let Some(job) = &job {
                        insert_job(conn, job).await?;
                    }
                    Ok(stored)
                }
                .boxed()
            })
            .await
    }

    async fn list_memories(
        &self,
        uid: &Uid,
        params: &DevMemoryListParams,
    ) -> StoreResult<Vec<Memory>> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM memories WHERE uid = ");
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
        let row = sqlx::query("SELECT * FROM memories WHERE uid = ? AND id = ?")
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
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let row = sqlx::query("SELECT * FROM memories WHERE uid = ? AND id = ?")
            .bind(uid.as_str())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        let Some(row) = row else { return Ok(None) };
        let changed = apply_update(memory_from_row(&row)?, update, now);
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
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Some(changed))
    }

    async fn delete_memory(&self, uid: &Uid, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM memories WHERE uid = ? AND id = ?")
            .bind(uid.as_str())
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn claim_job(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<Job>> {
        let now = to_micros(now);
        let row = sqlx::query(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, run_after = ?, \
             updated_at = ? WHERE id = (SELECT id FROM jobs WHERE \
             status IN ('queued', 'running') AND run_after <= ? \
             ORDER BY run_after, id LIMIT 1) RETURNING *",
        )
        .bind(to_micros(lease_until))
        .bind(now)
        .bind(now)
        .fetch_optional(&self.writer)
        .await
        .map_err(map_err)?;
        row.as_ref().map(job_from_row).transpose()
    }

    async fn complete_conversation_job(
        &self,
        job: &Job,
        processed: &ProcessedConversation,
        memories: &[MemoryRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let structured = Structured {
            title: processed.title.clone(),
            overview: processed.overview.clone(),
            emoji: processed.emoji.clone(),
            category: processed.category,
            action_items: processed.action_items.clone(),
            events: processed.events.clone(),
        };
        let now = to_micros(now);
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        sqlx::query(
            "UPDATE conversations SET status = 'completed', structured = ?, \
             transcript_segments = ?, discarded = ?, failure_reason = NULL, updated_at = ? \
             WHERE uid = ? AND id = ?",
        )
        .bind(serde_json::to_string(&structured).map_err(json_err)?)
        .bind(serde_json::to_string(&processed.transcript_segments).map_err(json_err)?)
        .bind(processed.discarded)
        .bind(now)
        .bind(job.uid.as_str())
        .bind(&job.subject_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        for m in memories {
            upsert_memory(&mut tx, &job.uid, m).await?;
        }
        finish_job(&mut tx, job, now).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn complete_memories_job(
        &self,
        job: &Job,
        memories: &[MemoryRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        for m in memories {
            upsert_memory(&mut tx, &job.uid, m).await?;
        }
        finish_job(&mut tx, job, to_micros(now)).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn retry_job(
        &self,
        job: &Job,
        error: &str,
        run_after: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE jobs SET status = 'queued', last_error = ?, run_after = ?, updated_at = ? \
             WHERE id = ? AND status = 'running' AND attempts = ?",
        )
        .bind(error)
        .bind(to_micros(run_after))
        .bind(to_micros(now))
        .bind(job.id)
        .bind(job.attempts)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn fail_job(&self, job: &Job, error: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let now = to_micros(now);
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let failed = sqlx::query(
            "UPDATE jobs SET status = 'failed', last_error = ?, updated_at = ? \
             WHERE id = ? AND status = 'running' AND attempts = ?",
        )
        .bind(error)
        .bind(now)
        .bind(job.id)
        .bind(job.attempts)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if failed.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "job {} is no longer held by this worker",
                job.id
            )));
        }
        if job.kind == JobKind::ProcessConversation {
            sqlx::query(
                "UPDATE conversations SET status = 'failed', failure_reason = ?, updated_at = ? \
                 WHERE uid = ? AND id = ?",
            )
            .bind(error)
            .bind(now)
            .bind(job.uid.as_str())
            .bind(&job.subject_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn release_job(&self, job: &Job, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_after = ?, \
             updated_at = ? WHERE id = ? AND status = 'running' AND attempts = ?",
        )
        .bind(to_micros(now))
        .bind(to_micros(now))
        .bind(job.id)
        .bind(job.attempts)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn queue_depth(&self) -> StoreResult<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')")
                .fetch_one(&self.readers)
                .await
                .map_err(map_err)?;
        row.try_get("n").map_err(map_err)
    }

    async fn begin_idempotent(
        &self,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> StoreResult<IdempotencyBegin> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let row = sqlx::query(
            "SELECT fingerprint, state, status, body FROM idempotency_keys \
             WHERE caller = ? AND key = ? AND created_at >= ?",
        )
        .bind(&key.caller)
        .bind(&key.key)
        .bind(to_micros(expired_before))
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        if let Some(row) = row {
            return earlier_request(&row, key);
        }
        sqlx::query(
            "INSERT INTO idempotency_keys (caller, key, fingerprint, state, created_at) \
             VALUES (?, ?, ?, 'pending', ?) ON CONFLICT (caller, key) DO UPDATE SET \
             fingerprint = excluded.fingerprint, state = 'pending', status = NULL, body = NULL, \
             created_at = excluded.created_at",
        )
        .bind(&key.caller)
        .bind(&key.key)
        .bind(&key.fingerprint)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(IdempotencyBegin::New)
    }

    async fn finish_idempotent(
        &self,
        key: &IdempotencyKey,
        status: u16,
        body: &[u8],
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', status = ?, body = ? \
             WHERE caller = ? AND key = ?",
        )
        .bind(i64::from(status))
        .bind(body)
        .bind(&key.caller)
        .bind(&key.key)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn abandon_idempotent(&self, key: &IdempotencyKey) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE caller = ? AND key = ? AND state = 'pending'",
        )
        .bind(&key.caller)
        .bind(&key.key)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
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
}
