//! The job queue's statements. A job is claimed by moving it to `running` with a lease (its
//! `run_after`), and every later step names the attempt it belongs to, so a worker whose lease
//! ran out (and whose job another worker claimed) cannot complete, fail or release it.

/// Expands to `mod jobs`: the job queue over the invoking store's `Conn`. `$claim_lock` is
/// appended to the claim's choice of job (`" FOR UPDATE SKIP LOCKED"` lets PostgreSQL
/// workers claim side by side, each skipping the rows the others are claiming), and
/// `$row_lock` to the read of a read-modify-write (`" FOR UPDATE"`).
macro_rules! job_statements {
    (claim_lock: $claim_lock:literal, row_lock: $row_lock:literal) => {
        pub(super) mod jobs {
            use omi_model::Structured;
            use sqlx::{FromRow, Row};

            use super::memories::upsert_memory;
            use super::{Conn, Db, DbRow};
            use $crate::store::rows::{JobRow, json_err, map_err};
            use $crate::store::{
                Job, JobKind, NewJob, PreparedMemory, StoreError, StoreResult,
            };
            use omi_extract::ProcessedConversation;

            /// The most unrunnable jobs (out of attempts, unreadable) one claim fails before
            /// it gives up for this call, so that one claim stays a short write.
            const MAX_UNRUNNABLE_PER_CLAIM: usize = 16;

            /// What the owner of a conversation whose job stopped in every attempt reads.
            const STOPPED_REPEATEDLY: &str = "processing stopped before it finished, too many times";

            /// Queue a job.
            pub(crate) async fn insert(conn: &mut Conn, job: &NewJob) -> StoreResult<()> {
                let at = job.created_at.timestamp_micros();
                sqlx::query(
                    "INSERT INTO jobs (kind, uid, subject_id, payload, status, attempts, \
                     max_attempts, run_after, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $6, $6)",
                )
                .bind(job.task.kind().as_str())
                .bind(job.uid.as_str())
                .bind(job.task.subject_id())
                .bind(job.task.payload()?)
                .bind(job.max_attempts)
                .bind(at)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                Ok(())
            }

            /// Claim the job due longest (queued and due, or running with an expired lease),
            /// leasing it until `lease_until` (microseconds).
            ///
            /// A job is never claimed past its `max_attempts`: one whose attempts ran out
            /// while it was running (its worker died or lost the lease every time: a poison
            /// job) is failed instead, with its conversation, and so is a row that cannot be
            /// read; then the next job is tried. Either way the queue moves on.
            pub(crate) async fn claim(
                conn: &mut Conn,
                now: i64,
                lease_until: i64,
            ) -> StoreResult<Option<Job>> {
                for _ in 0..MAX_UNRUNNABLE_PER_CLAIM {
                    let Some(row) = claim_row(conn, now, lease_until).await? else {
                        return Ok(None);
                    };
                    let id: i64 = row.try_get("id").map_err(map_err)?;
                    match JobRow::from_row(&row).map_err(map_err).and_then(JobRow::into_job) {
                        Ok(job) if job.attempts <= job.max_attempts => return Ok(Some(job)),
                        Ok(job) => {
                            let error = format!(
                                "the job stopped without an outcome in each of its {} attempts \
                                 (its worker crashed or lost the lease)",
                                job.max_attempts
                            );
                            tracing::error!(job_id = id, %error, "job failed for good");
                            fail(conn, &job, &error, STOPPED_REPEATEDLY, now).await?;
                        }
                        Err(e) => {
                            tracing::error!(job_id = id, error = %e, "a job row cannot be read; failing it");
                            fail_unreadable(conn, id, &e.to_string(), now).await?;
                        }
                    }
                }
                // Many unrunnable jobs in a row: the caller claims again at once.
                Ok(None)
            }

            /// Move the job due longest to `running` with a new attempt and lease.
            async fn claim_row(
                conn: &mut Conn,
                now: i64,
                lease_until: i64,
            ) -> StoreResult<Option<DbRow>> {
                sqlx::query(concat!(
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
                .map_err(map_err)
            }

            /// Fail a job whose row cannot be read (unknown kind, bad payload), by id.
            async fn fail_unreadable(
                conn: &mut Conn,
                id: i64,
                error: &str,
                now: i64,
            ) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE jobs SET status = 'failed', last_error = $1, updated_at = $2 \
                     WHERE id = $3",
                )
                .bind(format!("the job cannot be read: {error}"))
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                Ok(())
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
                let Some(user) = user_edits(conn, job).await? else {
                    // Deleted while it was processed: nothing found in it is kept.
                    complete_memories(conn, job, &[], now).await?;
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
                sqlx::query(
                    "UPDATE conversations SET status = 'completed', structured = $1, \
                     transcript_segments = $2, discarded = $3, failure_reason = NULL, \
                     updated_at = $4 WHERE uid = $5 AND id = $6",
                )
                .bind(serde_json::to_string(&structured).map_err(json_err)?)
                .bind(serde_json::to_string(&processed.transcript_segments).map_err(json_err)?)
                .bind(user.discarded.unwrap_or(processed.discarded))
                .bind(now)
                .bind(job.uid.as_str())
                .bind(job.task.subject_id())
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                complete_memories(conn, job, memories, now).await?;
                Ok(true)
            }

            /// What the user set (by PATCH) on a job's conversation while it was processed,
            /// which its completion keeps; `None` when the conversation no longer exists.
            async fn user_edits(conn: &mut Conn, job: &Job) -> StoreResult<Option<UserEdits>> {
                let row = sqlx::query(concat!(
                    "SELECT structured, discarded, title_set_by_user, discarded_set_by_user \
                     FROM conversations WHERE uid = $1 AND id = $2",
                    $row_lock
                ))
                .bind(job.uid.as_str())
                .bind(job.task.subject_id())
                .fetch_optional(&mut *conn)
                .await
                .map_err(map_err)?;
                let Some(row) = row else { return Ok(None) };
                let title = if row.try_get("title_set_by_user").map_err(map_err)? {
                    let text: String = row.try_get("structured").map_err(map_err)?;
                    let structured: Structured = serde_json::from_str(&text).map_err(json_err)?;
                    Some(structured.title)
                } else {
                    None
                };
                let discarded = if row.try_get("discarded_set_by_user").map_err(map_err)? {
                    Some(row.try_get("discarded").map_err(map_err)?)
                } else {
                    None
                };
                Ok(Some(UserEdits { title, discarded }))
            }

            /// The fields of a conversation its user set while it was processed.
            struct UserEdits {
                title: Option<String>,
                discarded: Option<bool>,
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
            /// `failed` with `public_reason`.
            pub(crate) async fn fail(
                conn: &mut Conn,
                job: &Job,
                error: &str,
                public_reason: &str,
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
                if job.kind() == JobKind::ProcessConversation {
                    sqlx::query(
                        "UPDATE conversations SET status = 'failed', failure_reason = $1, \
                         updated_at = $2 WHERE uid = $3 AND id = $4",
                    )
                    .bind(public_reason)
                    .bind(now)
                    .bind(job.uid.as_str())
                    .bind(job.task.subject_id())
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

            /// Delete at most `at_most` jobs that finished (`done` or `failed`) before
            /// `before` (microseconds), the longest finished first. A finished job's
            /// `updated_at` is when it finished; queued and running jobs are never touched.
            /// The literal status term matches the partial index `jobs_finished`.
            pub(crate) async fn purge_finished(
                pool: &sqlx::Pool<Db>,
                before: i64,
                at_most: i64,
            ) -> StoreResult<u64> {
                let done = sqlx::query(
                    "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs \
                     WHERE status IN ('done', 'failed') AND updated_at < $1 \
                     ORDER BY updated_at, id LIMIT $2)",
                )
                .bind(before)
                .bind(at_most)
                .execute(pool)
                .await
                .map_err(map_err)?;
                Ok(done.rows_affected())
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
