-- 0003: the content words of each memory, so a new memory is checked for near-duplicates
-- against only the memories that share enough of its words, not against all of a user's
-- memories.
--
-- A row says that memory `memory_id` of user `uid` holds content word `word` (lower-cased,
-- stemmed, synonyms folded: `omi_server::extract::content_words`). The primary key is the
-- lookup order: the memories of a user holding a word. Rows of a deleted memory may linger
-- for a moment; the lookup joins `memories`, so they never match anything.
CREATE TABLE memory_words (
    uid        TEXT NOT NULL,
    word       TEXT NOT NULL,
    memory_id  TEXT NOT NULL,
    PRIMARY KEY (uid, word, memory_id)
) WITHOUT ROWID;

-- Work the store finishes in Rust when it opens the database: here, indexing the words of
-- memories stored before this migration (their stems cannot be computed in SQL).
CREATE TABLE store_tasks (
    name  TEXT PRIMARY KEY NOT NULL
) WITHOUT ROWID;

INSERT INTO store_tasks (name) VALUES ('index_memory_words');
