-- 0001: the whole schema of the PostgreSQL store, equal to the SQLite store's after its
-- migrations 0001-0005.
--
-- Both stores run the same statements (src/store/shared), so tables, columns and their
-- meaning are the SQLite store's: times are BIGINT microseconds since the Unix epoch (UTC),
-- JSON-shaped values are TEXT holding JSON, flags are BOOLEAN. Text that is sorted or
-- compared for order (ids, scoring) is COLLATE "C", which orders bytes as SQLite does,
-- whatever the database's own collation: both stores list in exactly the same order.
-- Every list the API serves has an index in that list's own order.

CREATE TABLE users (
    uid         TEXT PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

CREATE TABLE apps (
    id            TEXT COLLATE "C" PRIMARY KEY,
    name          TEXT NOT NULL,
    capabilities  TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Only the SHA-256 of a key's secret is kept; authentication looks it up by that hash.
CREATE TABLE app_keys (
    id           TEXT COLLATE "C" PRIMARY KEY,
    app_id       TEXT NOT NULL REFERENCES apps(id),
    secret_hash  TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);

CREATE TABLE app_enablements (
    uid         TEXT NOT NULL REFERENCES users(uid),
    app_id      TEXT NOT NULL REFERENCES apps(id),
    enabled_at  BIGINT NOT NULL,
    PRIMARY KEY (uid, app_id)
);

CREATE TABLE dev_keys (
    id            TEXT COLLATE "C" PRIMARY KEY,
    uid           TEXT NOT NULL REFERENCES users(uid),
    secret_hash   TEXT NOT NULL UNIQUE,
    label         TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);

-- `category` names `structured.category` for the developer list's filter (SQLite: a
-- virtual generated column; here a stored one, since PostgreSQL 15 has no virtual ones).
CREATE TABLE conversations (
    id                   TEXT COLLATE "C" PRIMARY KEY,
    uid                  TEXT NOT NULL,
    app_id               TEXT,
    source               TEXT NOT NULL,
    text                 TEXT NOT NULL,
    text_source          TEXT NOT NULL,
    text_source_spec     TEXT,
    language             TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    started_at           BIGINT NOT NULL,
    finished_at          BIGINT NOT NULL,
    status               TEXT NOT NULL,
    discarded            BOOLEAN NOT NULL DEFAULT FALSE,
    geolocation          TEXT,
    structured           TEXT NOT NULL,
    transcript_segments  TEXT NOT NULL DEFAULT '[]',
    failure_reason       TEXT,
    updated_at           BIGINT NOT NULL,
    category             TEXT GENERATED ALWAYS AS ((structured::jsonb) ->> 'category') STORED
);

-- The integration list, newest first, without and with discarded conversations.
CREATE INDEX conversations_by_user_newest
    ON conversations (uid, discarded, created_at DESC, id DESC);
CREATE INDEX conversations_by_user_all_newest
    ON conversations (uid, created_at DESC, id DESC);
-- The developer list: completed, kept conversations, newest first; and by category.
CREATE INDEX conversations_dev_list
    ON conversations (uid, created_at DESC, id DESC)
    WHERE status = 'completed' AND discarded = FALSE;
CREATE INDEX conversations_dev_list_by_category
    ON conversations (uid, category, created_at DESC, id DESC)
    WHERE status = 'completed' AND discarded = FALSE;

-- `content_key` (content lower-cased, white space collapsed) is unique per user: the same
-- fact for the same user is one memory.
CREATE TABLE memories (
    id               TEXT COLLATE "C" PRIMARY KEY,
    uid              TEXT NOT NULL,
    content          TEXT NOT NULL,
    content_key      TEXT NOT NULL,
    category         TEXT NOT NULL,
    visibility       TEXT NOT NULL,
    tags             TEXT NOT NULL DEFAULT '[]',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    manually_added   BOOLEAN NOT NULL,
    scoring          TEXT COLLATE "C" NOT NULL,
    reviewed         BOOLEAN NOT NULL DEFAULT FALSE,
    user_review      BOOLEAN,
    edited           BOOLEAN NOT NULL DEFAULT FALSE,
    app_id           TEXT,
    conversation_id  TEXT
);

CREATE UNIQUE INDEX memories_unique_content ON memories (uid, content_key);
CREATE INDEX memories_by_user_score
    ON memories (uid, scoring DESC, created_at DESC, id DESC);
CREATE INDEX memories_by_user_category_score
    ON memories (uid, category, scoring DESC, created_at DESC, id DESC);

-- The words a memory is indexed under (`extract::indexed_words`), for near-duplicate checks.
CREATE TABLE memory_words (
    uid        TEXT NOT NULL,
    word       TEXT COLLATE "C" NOT NULL,
    memory_id  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (uid, word, memory_id)
);

-- Durable background work. status: queued -> running -> done | failed; `run_after` is a
-- queued job's due time or a running job's lease end. Workers of every server claim with
-- FOR UPDATE SKIP LOCKED.
CREATE TABLE jobs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT NOT NULL,
    uid           TEXT NOT NULL,
    subject_id    TEXT,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    run_after     BIGINT NOT NULL,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE INDEX jobs_claimable ON jobs (run_after, id) WHERE status IN ('queued', 'running');

-- Idempotency-Key records, per caller (SHA-256 of its credentials).
CREATE TABLE idempotency_keys (
    caller       TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    state        TEXT NOT NULL,
    status       BIGINT,
    body         BYTEA,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (caller, key)
);

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- Action items, made by hand or found in a conversation (`conversation_id`).
CREATE TABLE action_items (
    id               TEXT COLLATE "C" PRIMARY KEY,
    uid              TEXT NOT NULL,
    description      TEXT NOT NULL,
    completed        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    due_at           BIGINT,
    completed_at     BIGINT,
    conversation_id  TEXT
);

CREATE INDEX action_items_by_user_newest
    ON action_items (uid, created_at DESC, id DESC);
CREATE INDEX action_items_by_conversation
    ON action_items (uid, conversation_id, created_at DESC, id DESC);
CREATE INDEX action_items_by_completion
    ON action_items (uid, completed, created_at DESC, id DESC);
