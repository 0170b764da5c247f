-- 0005: the developer conversation list's partial indexes, with `discarded = FALSE`.
--
-- Both stores now run the same statements, and PostgreSQL's BOOLEAN `discarded` cannot be
-- compared with 0. SQLite uses a partial index only when the query repeats its WHERE term
-- as written, so the indexes of 0004 are made again with the term the shared query says.
DROP INDEX conversations_dev_list;
DROP INDEX conversations_dev_list_by_category;

CREATE INDEX conversations_dev_list
    ON conversations (uid, created_at DESC, id DESC)
    WHERE status = 'completed' AND discarded = FALSE;
CREATE INDEX conversations_dev_list_by_category
    ON conversations (uid, category, created_at DESC, id DESC)
    WHERE status = 'completed' AND discarded = FALSE;
