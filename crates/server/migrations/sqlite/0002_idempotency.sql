-- 0002: Idempotency-Key records, so a retried POST is applied once.
--
-- A record belongs to the caller that sent the key (the SHA-256 of its Authorization
-- header), so two callers can use the same key. `fingerprint` is the SHA-256 of the method,
-- path, query and body: the same key with a different request is refused. `state` is
-- 'pending' while the first request runs (a concurrent duplicate is told to retry later) and
-- 'done' once its answer is stored in `status` and `body`. Records older than 24 hours are
-- ignored and purged.
CREATE TABLE idempotency_keys (
    caller       TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    state        TEXT NOT NULL,
    status       INTEGER,
    body         BLOB,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (caller, key)
) WITHOUT ROWID;

-- The purge of expired records.
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
