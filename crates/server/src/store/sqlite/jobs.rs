//! The job queue's statements, each run on the writer's connection inside a group-commit
//! transaction, so a worker's claims and completions share commits with the creates beside
//! them instead of waiting for the writer one by one.

use omi_model::Structured;
use sqlx::sqlite::SqliteConnection;
use sqlx::{FromRow, Row};

use super::{PreparedMemory, upsert_memory};
use crate::store::rows::{JobRow, json_err, map_err};
use crate::store::{Job, JobKind, NewJob, ProcessedConversation, StoreError, StoreResult};

/// Queue a job.
pub(super) async fn insert(conn: &mut SqliteConnection, job: &NewJob) -> StoreResult<()> {
    let at = job.created_at.timestamp_micros();
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

/// Claim the job due longest (queued and due, or running with an expired lease), leasing it
/// until `lease_until` (microseconds).
pub(super) async fn claim(
    conn: &mut SqliteConnection,
    now: i64,
    lease_until: i64,
) -> StoreResult<Option<Job>> {
    let row = sqlx::query(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, run_after = ?, \
         updated_at = ? WHERE id = (SELECT id FROM jobs WHERE \
         status IN ('queued', 'running') AND run_after <= ? \
         ORDER BY run_after, id LIMIT 1) RETURNING *",
    )
    .bind(lease_until)
    .bind(now)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?;
    row.map(|r| JobRow::from_row(&r).map_err(map_err)?.into_job())
        .transpose()
}

/// Store what processing made of a conversation, mark it completed, add its memories, and
/// mark the job done.
pub(super) async fn complete_conversation(
    conn: &mut SqliteConnection,
    job: &Job,
    processed: &ProcessedConversation,
    memories: &[PreparedMemory],
    now: i64,
) -> StoreResult<()> {
    let structured = Structured {
        title: processed.title.clone(),
        overview: processed.overview.clone(),
        emoji: processed.emoji.clone(),
        category: processed.category,
        action_items: processed.action_items.clone(),
        events: processed.events.clone(),
    };
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
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    complete_memories(conn, job, memories, now).await
}

/// Add a job's memories and mark it done.
pub(super) async fn complete_memories(
    conn: &mut SqliteConnection,
    job: &Job,
    memories: &[PreparedMemory],
    now: i64,
) -> StoreResult<()> {
    for m in memories {
        upsert_memory(conn, &job.uid, m).await?;
    }
    finish(conn, job, now).await
}

/// Mark a job done, if this worker still holds it: a job whose lease ran out may have been
/// claimed again (its `attempts` moved on), and then this completion must not count.
async fn finish(conn: &mut SqliteConnection, job: &Job, now: i64) -> StoreResult<()> {
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
    held(job, done.rows_affected())
}

/// Put a failed attempt back in the queue, due at `run_after`.
pub(super) async fn retry(
    conn: &mut SqliteConnection,
    job: &Job,
    error: &str,
    run_after: i64,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE jobs SET status = 'queued', last_error = ?, run_after = ?, updated_at = ? \
         WHERE id = ? AND status = 'running' AND attempts = ?",
    )
    .bind(error)
    .bind(run_after)
    .bind(now)
    .bind(job.id)
    .bind(job.attempts)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Give up on a job, keeping its error; its conversation (if any) becomes `failed`.
pub(super) async fn fail(
    conn: &mut SqliteConnection,
    job: &Job,
    error: &str,
    now: i64,
) -> StoreResult<()> {
    let failed = sqlx::query(
        "UPDATE jobs SET status = 'failed', last_error = ?, updated_at = ? \
         WHERE id = ? AND status = 'running' AND attempts = ?",
    )
    .bind(error)
    .bind(now)
    .bind(job.id)
    .bind(job.attempts)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    held(job, failed.rows_affected())?;
    if job.kind == JobKind::ProcessConversation {
        sqlx::query(
            "UPDATE conversations SET status = 'failed', failure_reason = ?, updated_at = ? \
             WHERE uid = ? AND id = ?",
        )
        .bind(error)
        .bind(now)
        .bind(job.uid.as_str())
        .bind(&job.subject_id)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

/// Extend a running job's lease; `false` when this worker no longer holds it.
pub(super) async fn renew(conn: &mut SqliteConnection, job: &Job, until: i64) -> StoreResult<bool> {
    let renewed = sqlx::query(
        "UPDATE jobs SET run_after = ? WHERE id = ? AND status = 'running' AND attempts = ?",
    )
    .bind(until)
    .bind(job.id)
    .bind(job.attempts)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(renewed.rows_affected() == 1)
}

/// Hand a claimed job back unfinished, due at once.
pub(super) async fn release(conn: &mut SqliteConnection, job: &Job, now: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_after = ?, \
         updated_at = ? WHERE id = ? AND status = 'running' AND attempts = ?",
    )
    .bind(now)
    .bind(now)
    .bind(job.id)
    .bind(job.attempts)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// How many jobs are queued or running.
pub(super) async fn depth(pool: &sqlx::SqlitePool) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')")
        .fetch_one(pool)
        .await
        .map_err(map_err)?;
    row.try_get("n").map_err(map_err)
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
