-- 0011: conversation folders and stars (as SQLite's 0015).
CREATE TABLE folders (
    id           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    uid          TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    color        TEXT NOT NULL,
    icon         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    sort_order   BIGINT NOT NULL,
    is_default   BOOLEAN NOT NULL DEFAULT FALSE,
    is_system    BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE INDEX folders_by_user ON folders (uid, sort_order, id);

ALTER TABLE conversations ADD COLUMN starred BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE conversations ADD COLUMN folder_id TEXT COLLATE "C";

CREATE INDEX conversations_dev_list_by_folder
    ON conversations (uid, folder_id, created_at DESC, id DESC)
    WHERE folder_id IS NOT NULL;
CREATE INDEX conversations_dev_list_starred
    ON conversations (uid, created_at DESC, id DESC)
    WHERE starred = TRUE;
