-- 0004: full-text search of memories (GET /v1/dev/user/memories/vector/search).
--
-- `search_terms` is the memory's content as the search sees it, computed in Rust
-- (`omi_extract::search::index_terms`: folded, stemmed words and character pairs of
-- text without spaces, separated by spaces), so both stores index the same terms. Every
-- write of a memory sets it; `search` is generated from it in the same statement, so a
-- memory is searchable the moment its write commits. The `simple` configuration only
-- splits and lower-cases: the terms are folded and stemmed already.
ALTER TABLE memories ADD COLUMN search_terms TEXT NOT NULL DEFAULT '';
ALTER TABLE memories ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_terms)) STORED;
CREATE INDEX memories_search ON memories USING GIN (search);

-- Work the store finishes in Rust when it opens the database: here, the terms of the
-- memories stored before this migration.
CREATE TABLE store_tasks (
    name  TEXT PRIMARY KEY
);
INSERT INTO store_tasks (name) VALUES ('index_memory_search');
