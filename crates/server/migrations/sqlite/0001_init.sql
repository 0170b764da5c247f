-- 0001: the whole first schema of the embedded (SQLite) store.
--
-- Times are INTEGER microseconds since the Unix epoch (UTC): they sort correctly, compare
-- cheaply, and mean the same in the PostgreSQL store (BIGINT). JSON-shaped values (tags,
-- geolocation, structured, transcript segments, job payloads) are TEXT holding JSON.
-- Every list the API serves has an index in that list's own order, so a page is an index
-- range scan however many rows a user has.

-- A person whose data the server holds. `uid` is chosen by whoever creates the user.
CREATE TABLE users (
    uid         TEXT PRIMARY KEY NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- An integration app. `capabilities` is a comma list of wire names (create_conversation, ...).
CREATE TABLE apps (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    capabilities  TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- An app's API keys. Only the SHA-256 of the secret is kept, plus a label safe to show.
-- Authentication looks a key up by its hash: the UNIQUE index serves it.
CREATE TABLE app_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    app_id       TEXT NOT NULL REFERENCES apps(id),
    secret_hash  TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
) WITHOUT ROWID;

-- Which users enabled which apps. The primary key serves the per-request check.
CREATE TABLE app_enablements (
    uid         TEXT NOT NULL REFERENCES users(uid),
    app_id      TEXT NOT NULL REFERENCES apps(id),
    enabled_at  INTEGER NOT NULL,
    PRIMARY KEY (uid, app_id)
) WITHOUT ROWID;

-- Developer API keys: one user's, with scopes (comma list of memories:read, ...).
CREATE TABLE dev_keys (
    id            TEXT PRIMARY KEY NOT NULL,
    uid           TEXT NOT NULL REFERENCES users(uid),
    secret_hash   TEXT NOT NULL UNIQUE,
    label         TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
) WITHOUT ROWID;

-- Conversations. `structured`, `transcript_segments` and `geolocation` are JSON.
CREATE TABLE conversations (
    id                   TEXT PRIMARY KEY NOT NULL,
    uid                  TEXT NOT NULL,
    app_id               TEXT,
    source               TEXT NOT NULL,
    text                 TEXT NOT NULL,
    text_source          TEXT NOT NULL,
    text_source_spec     TEXT,
    language             TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    started_at           INTEGER NOT NULL,
    finished_at          INTEGER NOT NULL,
    status               TEXT NOT NULL,
    discarded            INTEGER NOT NULL DEFAULT 0,
    geolocation          TEXT,
    structured           TEXT NOT NULL,
    transcript_segments  TEXT NOT NULL DEFAULT '[]',
    failure_reason       TEXT,
    updated_at           INTEGER NOT NULL
) WITHOUT ROWID;

-- The integration list: one user's conversations newest first (created_at DESC, id DESC),
-- with discarded ones skipped by default; the leading `discarded` column lets the default
-- (include_discarded=false) read a single range.
CREATE INDEX conversations_by_user_newest
    ON conversations (uid, discarded, created_at DESC, id DESC);
-- The same order including discarded conversations.
CREATE INDEX conversations_by_user_all_newest
    ON conversations (uid, created_at DESC, id DESC);

-- Memories. `content_key` is the content lower-cased with white space collapsed: the UNIQUE
-- index on (uid, content_key) is what makes the same fact for the same user one memory.
CREATE TABLE memories (
    id               TEXT PRIMARY KEY NOT NULL,
    uid              TEXT NOT NULL,
    content          TEXT NOT NULL,
    content_key      TEXT NOT NULL,
    category         TEXT NOT NULL,
    visibility       TEXT NOT NULL,
    tags             TEXT NOT NULL DEFAULT '[]',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    manually_added   INTEGER NOT NULL,
    scoring          TEXT NOT NULL,
    reviewed         INTEGER NOT NULL DEFAULT 0,
    user_review      INTEGER,
    edited           INTEGER NOT NULL DEFAULT 0,
    app_id           TEXT,
    conversation_id  TEXT
) WITHOUT ROWID;

CREATE UNIQUE INDEX memories_unique_content ON memories (uid, content_key);
-- Both memory lists: by scoring, then newest first.
CREATE INDEX memories_by_user_score
    ON memories (uid, scoring DESC, created_at DESC, id DESC);
-- The developer list filtered by category, same order.
CREATE INDEX memories_by_user_category_score
    ON memories (uid, category, scoring DESC, created_at DESC, id DESC);

-- Durable background work, written in the same transaction as the data it processes.
-- status: queued -> running -> done | failed. `run_after` is when the job may next be
-- claimed: for a queued job its due time (now, or after a retry's backoff), for a running job
-- the end of its worker's lease, so a job whose worker died is claimable again once the
-- lease runs out, by the same query.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    uid           TEXT NOT NULL,
    subject_id    TEXT,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    run_after     INTEGER NOT NULL,
    last_error    TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- The claim query: the unfinished job that has been due longest. Partial, so finished jobs
-- cost nothing here however many accumulate.
CREATE INDEX jobs_claimable ON jobs (run_after, id) WHERE status IN ('queued', 'running');
