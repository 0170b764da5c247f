-- 0004: the Developer API's conversations and action items.

-- The developer conversation list filters by `structured.category`. A generated column
-- names it, so the list query stays plain SQL (`category IN (...)`) that the PostgreSQL store
-- can share, and an index can hold it. VIRTUAL: computed when read, nothing to keep in step.
ALTER TABLE conversations ADD COLUMN category TEXT
    GENERATED ALWAYS AS (json_extract(structured, '$.category')) VIRTUAL;

-- GET /v1/dev/user/conversations: one user's completed, kept conversations, newest first.
-- Partial, so the index holds exactly what the list shows and a page is one range scan
-- (the query repeats the WHERE literally, which is how SQLite knows it may use it).
CREATE INDEX conversations_dev_list
    ON conversations (uid, created_at DESC, id DESC)
    WHERE status = 'completed' AND discarded = 0;
-- The same list with `categories`: one range per category asked for.
CREATE INDEX conversations_dev_list_by_category
    ON conversations (uid, category, created_at DESC, id DESC)
    WHERE status = 'completed' AND discarded = 0;

-- Action items: made by hand through the API, or found in a conversation by processing
-- (then `conversation_id` is set). Times are microseconds, `completed_at` is NULL while the
-- item is open.
CREATE TABLE action_items (
    id               TEXT PRIMARY KEY NOT NULL,
    uid              TEXT NOT NULL,
    description      TEXT NOT NULL,
    completed        INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    due_at           INTEGER,
    completed_at     INTEGER,
    conversation_id  TEXT
) WITHOUT ROWID;

-- GET /v1/dev/user/action-items: one user's items, newest first.
CREATE INDEX action_items_by_user_newest
    ON action_items (uid, created_at DESC, id DESC);
-- The same list for one conversation (`conversation_id=`).
CREATE INDEX action_items_by_conversation
    ON action_items (uid, conversation_id, created_at DESC, id DESC);
-- The same list of open or of completed items (`completed=`).
CREATE INDEX action_items_by_completion
    ON action_items (uid, completed, created_at DESC, id DESC);
