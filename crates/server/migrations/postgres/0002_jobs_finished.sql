-- 0002: finished jobs by the time they finished, for the retention purge (SQLite's 0006).
--
-- A job keeps its payload (the conversation's text) after it is done or failed; the server's
-- housekeeping deletes those that finished longer than `--job-retention` ago, a bounded
-- batch at a time, oldest first:
--   DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status IN ('done', 'failed')
--     AND updated_at < $1 ORDER BY updated_at, id LIMIT $2)
-- A finished job's `updated_at` is when it finished. Partial, so the queue's own rows cost
-- nothing here, and without it each batch would scan every job.
CREATE INDEX jobs_finished ON jobs (updated_at, id) WHERE status IN ('done', 'failed');
