//! The job queue. A job is claimed by moving it to `running` with a lease (its
//! `run_after`), and every later step names the attempt it belongs to, so a worker whose
//! lease ran out (and whose job another worker claimed) cannot complete, fail or release it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use omi_extract::ProcessedConversation;
use omi_model::{Structured, WebhookEvent};
use sqlx::Pool;

use super::backend::Conn;
use super::parts::owned_row;
use super::webhooks::{self, Announcement};
use super::{
    Arg, Backend, Dialect, action_items, conversation_columns, conversations, locking, memories,
    read,
};
use crate::store::rows::{JobRow, json_err, map_err};
use crate::store::{
    ActionItemRecord, Job, JobKind, JobStore, MemoryRecord, NewJob, PreparedMemory, StoreError,
    StoreResult, to_micros,
};

/// The most unrunnable jobs (out of attempts, unreadable) one claim fails before it gives up
/// for this call, so that one claim stays a short write.
const MAX_UNRUNNABLE_PER_CLAIM: usize = 16;

/// What the owner of a conversation whose job stopped in every attempt reads.
const STOPPED_REPEATEDLY: &str = "processing stopped before it finished, too many times";

#[async_trait]
impl<B: Backend> JobStore for B {
    async fn claim_job(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<Job>> {
        let (now, until) = (to_micros(now), to_micros(lease_until));
        self.write((now, until), |conn, &(now, until)| {
            claim::<B::Db>(conn, now, until).boxed()
        })
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
            .task
            .subject_id()
            .map(|id| ActionItemRecord::extracted_from(processed, id, now))
            .unwrap_or_default();
        let data = (
            job.clone(),
            processed.clone(),
            PreparedMemory::all(memories)?,
            action_items,
            to_micros(now),
        );
        self.write(
            data,
            |conn, (job, processed, memories, action_items, now)| {
                async move {
                    if complete_conversation::<B::Db>(conn, job, processed, memories, *now).await? {
                        action_items::insert::<B::Db>(conn, &job.uid, action_items).await?;
                    }
                    Ok(())
                }
                .boxed()
            },
        )
        .await
    }

    async fn complete_memories_job(
        &self,
        job: &Job,
        memories: &[MemoryRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let data = (job.clone(), PreparedMemory::all(memories)?, to_micros(now));
        self.write(data, |conn, (job, memories, now)| {
            complete_memories::<B::Db>(conn, job, memories, *now).boxed()
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
        let data = (
            job.clone(),
            error.to_owned(),
            to_micros(run_after),
            to_micros(now),
        );
        self.write(data, |conn, (job, error, run_after, now)| {
            retry::<B::Db>(conn, job, error, *run_after, *now).boxed()
        })
        .await
    }

    async fn fail_job(
        &self,
        job: &Job,
        error: &str,
        public_reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let data = (
            job.clone(),
            error.to_owned(),
            public_reason.to_owned(),
            to_micros(now),
        );
        self.write(data, |conn, (job, error, public_reason, now)| {
            fail::<B::Db>(conn, job, error, public_reason, *now).boxed()
        })
        .await
    }

    async fn renew_lease(&self, job: &Job, until: DateTime<Utc>) -> StoreResult<bool> {
        self.write((job.clone(), to_micros(until)), |conn, (job, until)| {
            renew::<B::Db>(conn, job, *until).boxed()
        })
        .await
    }

    async fn release_job(&self, job: &Job, now: DateTime<Utc>) -> StoreResult<()> {
        self.write((job.clone(), to_micros(now)), |conn, (job, now)| {
            release::<B::Db>(conn, job, *now).boxed()
        })
        .await
    }

    async fn queue_depth(&self) -> StoreResult<i64> {
        let row = sqlx::query::<B::Db>(
            "SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')",
        )
        .fetch_one(B::Db::on_pool(self.readers()))
        .await
        .map_err(map_err)?;
        Ok(read::<B::Db, (i64,)>(&row)?.0)
    }

    async fn purge_finished_jobs(
        &self,
        finished_before: DateTime<Utc>,
        at_most: u32,
    ) -> StoreResult<u64> {
        purge_finished(
            self.writer(),
            to_micros(finished_before),
            i64::from(at_most),
        )
        .await
    }
}

/// Queue a job.
pub(super) async fn insert<DB: Dialect>(conn: &mut Conn<DB>, job: &NewJob) -> StoreResult<()> {
    let at = job.created_at.timestamp_micros();
    sqlx::query::<DB>(
        "INSERT INTO jobs (kind, uid, subject_id, payload, status, attempts, max_attempts, \
         run_after, created_at, updated_at) VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $6, $6)",
    )
    .arg(job.task.kind().as_str())
    .arg(job.uid.as_str())
    .arg(job.task.subject_id())
    .arg(job.task.payload()?)
    .arg(job.max_attempts)
    .arg(at)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Claim the job due longest (queued and due, or running with an expired lease), leasing it
/// until `lease_until` (microseconds).
///
/// A job is never claimed past its `max_attempts`: one whose attempts ran out while it was
/// running (its worker died or lost the lease every time: a poison job) is failed instead,
/// with its conversation, and so is a row that cannot be read; then the next job is tried.
/// Either way the queue moves on.
async fn claim<DB: Dialect>(
    conn: &mut Conn<DB>,
    now: i64,
    lease_until: i64,
) -> StoreResult<Option<Job>> {
    for _ in 0..MAX_UNRUNNABLE_PER_CLAIM {
        let Some(row) = claim_row::<DB>(conn, now, lease_until).await? else {
            return Ok(None);
        };
        let id = read::<DB, JobIdRow>(&row)?.id;
        match read::<DB, JobRow>(&row).and_then(JobRow::into_job) {
            Ok(job) if job.attempts <= job.max_attempts => return Ok(Some(job)),
            Ok(job) => {
                let error = format!(
                    "the job stopped without an outcome in each of its {} attempts \
                     (its worker crashed or lost the lease)",
                    job.max_attempts
                );
                tracing::error!(job_id = id, %error, "job failed for good");
                fail::<DB>(conn, &job, &error, STOPPED_REPEATEDLY, now).await?;
            }
            Err(e) => {
                tracing::error!(job_id = id, error = %e, "a job row cannot be read; failing it");
                fail_unreadable::<DB>(conn, id, &e.to_string(), now).await?;
            }
        }
    }
    // Many unrunnable jobs in a row: the caller claims again at once.
    Ok(None)
}

/// The id of a job row, readable even when the rest of the row is not.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct JobIdRow {
    id: i64,
}

/// Move the job due longest to `running` with a new attempt and lease. PostgreSQL workers
/// claim side by side, each skipping the rows the others are claiming.
async fn claim_row<DB: Dialect>(
    conn: &mut Conn<DB>,
    now: i64,
    lease_until: i64,
) -> StoreResult<Option<DB::Row>> {
    const CLAIM: super::Locking = locking!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, run_after = $1, \
         updated_at = $2 WHERE id = (SELECT id FROM jobs WHERE \
         status IN ('queued', 'running') AND run_after <= $2 ORDER BY run_after, id LIMIT 1";
        lock: " FOR UPDATE SKIP LOCKED";
        then: ") RETURNING *"
    );
    sqlx::query::<DB>(DB::text(&CLAIM))
        .arg(lease_until)
        .arg(now)
        .fetch_optional(DB::on(conn))
        .await
        .map_err(map_err)
}

/// Fail a job whose row cannot be read (unknown kind, bad payload), by id.
async fn fail_unreadable<DB: Dialect>(
    conn: &mut Conn<DB>,
    id: i64,
    error: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query::<DB>(
        "UPDATE jobs SET status = 'failed', last_error = $1, updated_at = $2 WHERE id = $3",
    )
    .arg(format!("the job cannot be read: {error}"))
    .arg(now)
    .arg(id)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Store what processing made of a conversation, mark it completed, add its memories, and
/// mark the job done. `false` when the conversation no longer exists (deleted while it was
/// processed): the job is done, and none of its memories are added.
async fn complete_conversation<DB: Dialect>(
    conn: &mut Conn<DB>,
    job: &Job,
    processed: &ProcessedConversation,
    memories: &[PreparedMemory],
    now: i64,
) -> StoreResult<bool> {
    let Some(user) = user_edits::<DB>(conn, job).await? else {
        // Deleted while it was processed: nothing found in it is kept.
        complete_memories::<DB>(conn, job, &[], now).await?;
        return Ok(false);
    };
    let structured = Structured {
        title: user.title.unwrap_or_else(|| processed.title.clone()),
        overview: processed.overview.clone(),
        emoji: processed.emoji.clone(),
        category: processed.category,
        action_items: processed.kept_action_items(),
        events: processed.events.clone(),
    };
    sqlx::query::<DB>(
        "UPDATE conversations SET status = 'completed', structured = $1, \
         transcript_segments = $2, discarded = $3, failure_reason = NULL, updated_at = $4, \
         summary_terms = $7 WHERE uid = $5 AND id = $6",
    )
    .arg(serde_json::to_string(&structured).map_err(json_err)?)
    .arg(serde_json::to_string(&processed.transcript_segments).map_err(json_err)?)
    .arg(user.discarded.unwrap_or(processed.discarded))
    .arg(now)
    .arg(job.uid.as_str())
    .arg(job.task.subject_id())
    .arg(super::search_index::summary_terms(&structured))
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    complete_memories::<DB>(conn, job, memories, now).await?;
    announce_processed::<DB>(conn, job).await?;
    Ok(true)
}

/// Announce that a job's conversation was processed (`conversation.processed`), with the
/// conversation as `GET /v1/dev/user/conversations/{id}` shows it, transcript included.
async fn announce_processed<DB: Dialect>(conn: &mut Conn<DB>, job: &Job) -> StoreResult<()> {
    let event = WebhookEvent::ConversationProcessed;
    let Some(id) = job.task.subject_id() else {
        return Ok(());
    };
    if !webhooks::heard::<DB>(conn, &job.uid, event).await? {
        return Ok(());
    }
    let sql = concat!(
        "SELECT ",
        conversation_columns!(),
        " FROM conversations WHERE uid = $1 AND id = $2"
    );
    let Some(row) = owned_row(DB::on(conn), sql, job.uid.as_str(), id).await? else {
        return Ok(());
    };
    let conversation = conversations::conversation_from_row::<DB>(&row)?.for_developer(true);
    let processed = Announcement {
        event,
        subject_id: id,
        data: &conversation,
    };
    webhooks::announce::<DB, _>(conn, &job.uid, &[processed]).await
}

/// The columns of a conversation that tell what its user set while it was processed.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserEditsRow {
    structured: String,
    discarded: bool,
    title_set_by_user: bool,
    discarded_set_by_user: bool,
}

/// The fields of a conversation its user set while it was processed.
struct UserEdits {
    title: Option<String>,
    discarded: Option<bool>,
}

/// What the user set (by PATCH) on a job's conversation while it was processed, which its
/// completion keeps; `None` when the conversation no longer exists.
async fn user_edits<DB: Dialect>(conn: &mut Conn<DB>, job: &Job) -> StoreResult<Option<UserEdits>> {
    const READ: super::Locking = locking!(
        "SELECT structured, discarded, title_set_by_user, discarded_set_by_user \
         FROM conversations WHERE uid = $1 AND id = $2";
        lock: " FOR UPDATE"
    );
    let row = sqlx::query::<DB>(DB::text(&READ))
        .arg(job.uid.as_str())
        .arg(job.task.subject_id())
        .fetch_optional(DB::on(conn))
        .await
        .map_err(map_err)?;
    let Some(row) = row else { return Ok(None) };
    let row = read::<DB, UserEditsRow>(&row)?;
    let title = if row.title_set_by_user {
        let structured: Structured = serde_json::from_str(&row.structured).map_err(json_err)?;
        Some(structured.title)
    } else {
        None
    };
    let discarded = row.discarded_set_by_user.then_some(row.discarded);
    Ok(Some(UserEdits { title, discarded }))
}

/// Add a job's memories and mark it done.
async fn complete_memories<DB: Dialect>(
    conn: &mut Conn<DB>,
    job: &Job,
    memories: &[PreparedMemory],
    now: i64,
) -> StoreResult<()> {
    memories::upsert_all::<DB>(conn, &job.uid, memories).await?;
    let done = sqlx::query::<DB>(
        "UPDATE jobs SET status = 'done', updated_at = $1 \
         WHERE id = $2 AND status = 'running' AND attempts = $3",
    )
    .arg(now)
    .arg(job.id)
    .arg(job.attempts)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    held(job, DB::rows_affected(&done))
}

/// Put a failed attempt back in the queue, due at `run_after`.
async fn retry<DB: Dialect>(
    conn: &mut Conn<DB>,
    job: &Job,
    error: &str,
    run_after: i64,
    now: i64,
) -> StoreResult<()> {
    sqlx::query::<DB>(
        "UPDATE jobs SET status = 'queued', last_error = $1, run_after = $2, updated_at = $3 \
         WHERE id = $4 AND status = 'running' AND attempts = $5",
    )
    .arg(error)
    .arg(run_after)
    .arg(now)
    .arg(job.id)
    .arg(job.attempts)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Give up on a job, keeping its error; its conversation (if any) becomes `failed` with
/// `public_reason`.
async fn fail<DB: Dialect>(
    conn: &mut Conn<DB>,
    job: &Job,
    error: &str,
    public_reason: &str,
    now: i64,
) -> StoreResult<()> {
    let failed = sqlx::query::<DB>(
        "UPDATE jobs SET status = 'failed', last_error = $1, updated_at = $2 \
         WHERE id = $3 AND status = 'running' AND attempts = $4",
    )
    .arg(error)
    .arg(now)
    .arg(job.id)
    .arg(job.attempts)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    held(job, DB::rows_affected(&failed))?;
    if job.kind() == JobKind::ProcessConversation {
        sqlx::query::<DB>(
            "UPDATE conversations SET status = 'failed', failure_reason = $1, updated_at = $2 \
             WHERE uid = $3 AND id = $4",
        )
        .arg(public_reason)
        .arg(now)
        .arg(job.uid.as_str())
        .arg(job.task.subject_id())
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

/// Extend a running job's lease; `false` when this worker no longer holds it.
async fn renew<DB: Dialect>(conn: &mut Conn<DB>, job: &Job, until: i64) -> StoreResult<bool> {
    let renewed = sqlx::query::<DB>(
        "UPDATE jobs SET run_after = $1 WHERE id = $2 AND status = 'running' AND attempts = $3",
    )
    .arg(until)
    .arg(job.id)
    .arg(job.attempts)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(DB::rows_affected(&renewed) == 1)
}

/// Hand a claimed job back unfinished, due at once.
async fn release<DB: Dialect>(conn: &mut Conn<DB>, job: &Job, now: i64) -> StoreResult<()> {
    sqlx::query::<DB>(
        "UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_after = $1, \
         updated_at = $1 WHERE id = $2 AND status = 'running' AND attempts = $3",
    )
    .arg(now)
    .arg(job.id)
    .arg(job.attempts)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Delete at most `at_most` jobs that finished (`done` or `failed`) before `before`
/// (microseconds), the longest finished first. A finished job's `updated_at` is when it
/// finished; queued and running jobs are never touched. The literal status term matches the
/// partial index `jobs_finished`.
async fn purge_finished<DB: Dialect>(
    pool: &Pool<DB>,
    before: i64,
    at_most: i64,
) -> StoreResult<u64> {
    let done = sqlx::query::<DB>(
        "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs \
         WHERE status IN ('done', 'failed') AND updated_at < $1 \
         ORDER BY updated_at, id LIMIT $2)",
    )
    .arg(before)
    .arg(at_most)
    .execute(DB::on_pool(pool))
    .await
    .map_err(map_err)?;
    Ok(DB::rows_affected(&done))
}

/// `Ok` when one row was changed, that is when the worker still held `job`.
fn held(job: &Job, rows_affected: u64) -> StoreResult<()> {
    if rows_affected == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "job {} is no longer held by this worker (its lease ran out)",
            job.id
        )))
    }
}
