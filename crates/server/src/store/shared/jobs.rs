//! The job queue's statements. A job is claimed by moving it to `running` with a lease (its
//! `run_after`), and every later step names the attempt it belongs to, so a worker whose lease
//! ran out (and whose job another worker claimed) cannot complete, fail or release it.

/// Expands to `mod jobs`: the job queue over the invoking store's `Conn`. `$claim_lock` is
/// appended to the claim's choice of job (`" FOR UPDATE SKIP LOCKED"` lets PostgreSQL
/// workers claim side by side, each skipping the rows the others are claiming).
macro_rules! job_statements {
    (claim_lock: $claim_lock:literal) => {
        pub(super) mod jobs {
            use omi_model::Structured;
            use sqlx::{FromRow, Row};

            use super::memories::upsert_memory;
            use super::{Conn, Db};
            use $crate::store::rows::{JobRow, json_err, map_err};
            use $crate::store::{
                Job, JobKind, NewJob, PreparedMemory, ProcessedConversation, StoreError,
                StoreResult,
            };

            /// Queue a job.
            pub(crate) async fn insert(conn: &mut Conn, job: &NewJob) -> StoreResult<()> {
                let at = job.created_at.timestamp_micros();
                sqlx::query(
                    "INSERT INTO jobs (kind, uid, subject_id, payload, status, attempts, \
                     max_attempts, run_after, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $6, $6)",
                )
                .bind(job.kind.as_str())
                .bind(job.uid.as_str())
                .bind(&job.subject_id)
                .bind(job.payload.to_string())
                .bind(job.max_attempts)
                .bind(at)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                Ok(())
            }

            /// Claim the job due longest (queued and due, or running with an expired lease),
            /// leasing it until `lease_until` (microseconds).
            pub(crate) async fn claim(
                conn: &mut Conn,
                now: i64,
                lease_until: i64,
            ) -> StoreResult<Option<Job>> {
                let row = sqlx::query(concat!(
                    "UPDATE jobs SET status = 'running', attempts = attempts + 1, \
                     run_after = $1, updated_at = $2 WHERE id = (SELECT id FROM jobs WHERE \
                     status IN ('queued', 'running') AND run_after <= $2 \
                     ORDER BY run_after, id LIMIT 1",
                    $claim_lock,
                    ") RETURNING *"
                ))
                .bind(lease_until)
                .bind(now)
                .fetch_optional(&mut *conn)
                .await
                .map_err(map_err)?;
                row.map(|r| JobRow::from_row(&r).map_err(map_err)?.into_job())
                    .transpose()
            }

            /// Store what processing made of a conversation, mark it completed, add its
            /// memories, and mark the job done. `false` when the conversation no longer
            /// exists (deleted while it was processed): the job is done, and none of its
            /// memories are added.
            pub(crate) async fn complete_conversation(
                conn: &mut Conn,
                job: &Job,
                processed: &ProcessedConversation,
                memories: &[PreparedMemory],
                now: i64,
            ) -> StoreResult<bool> {
                let structured = Structured {
                    title: processed.title.clone(),
                    overview: processed.overview.clone(),
                    emoji: processed.emoji.clone(),
                    category: processed.category,
                    action_items: processed.action_items.clone(),
                    events: processed.events.clone(),
                };
                let updated = sqlx::query(
                    "UPDATE conversations SET status = 'completed', structured = $1, \
                     transcript_segments = $2, discarded = $3, failure_reason = NULL, \
                     updated_at = $4 WHERE uid = $5 AND id = $6",
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
                // Deleted while it was processed: nothing found in it is kept.
                let exists = updated.rows_affected() > 0;
                let memories = if exists { memories } else { &[] };
                complete_memories(conn, job, memories, now).await?;
                Ok(exists)
            }

            /// Add a job's memories and mark it done.
            pub(crate) async fn complete_memories(
                conn: &mut Conn,
                job: &Job,
                memories: &[PreparedMemory],
                now: i64,
            ) -> StoreResult<()> {
                for m in memories {
                    upsert_memory(conn, &job.uid, m).await?;
                }
                let done = sqlx::query(
                    "UPDATE jobs SET status = 'done', updated_at = $1 \
                     WHERE id = $2 AND status = 'running' AND attempts = $3",
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
            pub(crate) async fn retry(
                conn: &mut Conn,
                job: &Job,
                error: &str,
                run_after: i64,
                now: i64,
            ) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE jobs SET status = 'queued', last_error = $1, run_after = $2, \
                     updated_at = $3 WHERE id = $4 AND status = 'running' AND attempts = $5",
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

            /// Give up on a job, keeping its error; its conversation (if any) becomes
            /// `failed`.
            pub(crate) async fn fail(
                conn: &mut Conn,
                job: &Job,
                error: &str,
                now: i64,
            ) -> StoreResult<()> {
                let failed = sqlx::query(
                    "UPDATE jobs SET status = 'failed', last_error = $1, updated_at = $2 \
                     WHERE id = $3 AND status = 'running' AND attempts = $4",
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
                        "UPDATE conversations SET status = 'failed', failure_reason = $1, \
                         updated_at = $2 WHERE uid = $3 AND id = $4",
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
            pub(crate) async fn renew(conn: &mut Conn, job: &Job, until: i64) -> StoreResult<bool> {
                let renewed = sqlx::query(
                    "UPDATE jobs SET run_after = $1 \
                     WHERE id = $2 AND status = 'running' AND attempts = $3",
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
            pub(crate) async fn release(conn: &mut Conn, job: &Job, now: i64) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_after = $1, \
                     updated_at = $1 WHERE id = $2 AND status = 'running' AND attempts = $3",
                )
                .bind(now)
                .bind(job.id)
                .bind(job.attempts)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                Ok(())
            }

            /// How many jobs are queued or running.
            pub(crate) async fn depth(pool: &sqlx::Pool<Db>) -> StoreResult<i64> {
                let row = sqlx::query(
                    "SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')",
                )
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
        }
    };
}
pub(crate) use job_statements;
