-- 0015: conversation folders and stars (/v1/dev/user/folders; `starred`, `folder_id` and
-- `folder_name` on every conversation).
--
-- A folder's id is unique on its own (a new UUID), so a conversation names its folder by id
-- alone; a conversation is only ever moved into a folder of its own user (checked in the
-- move's transaction). A folder's conversation count is counted when it is read.
CREATE TABLE folders (
    id           TEXT PRIMARY KEY NOT NULL,
    uid          TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    color        TEXT NOT NULL,
    icon         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    sort_order   INTEGER NOT NULL,
    is_default   INTEGER NOT NULL DEFAULT 0,
    is_system    INTEGER NOT NULL DEFAULT 0
);

-- GET /v1/dev/user/folders: one user's folders in their order.
CREATE INDEX folders_by_user ON folders (uid, sort_order, id);

ALTER TABLE conversations ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN folder_id TEXT;

-- The developer list filtered by folder (and a folder's count), newest first; and by star.
CREATE INDEX conversations_dev_list_by_folder
    ON conversations (uid, folder_id, created_at DESC, id DESC)
    WHERE folder_id IS NOT NULL;
CREATE INDEX conversations_dev_list_starred
    ON conversations (uid, created_at DESC, id DESC)
    WHERE starred = TRUE;
