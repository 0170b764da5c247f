-- 0003: what a user sets on a conversation while it is processed stays.
--
-- A PATCH of `title` or `discarded` marks the field; processing, completing afterwards,
-- keeps a marked field instead of writing what it found.
ALTER TABLE conversations ADD COLUMN title_set_by_user BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE conversations ADD COLUMN discarded_set_by_user BOOLEAN NOT NULL DEFAULT FALSE;
