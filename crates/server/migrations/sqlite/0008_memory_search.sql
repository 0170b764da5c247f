-- 0008: full-text search of memories (GET /v1/dev/user/memories/vector/search).
--
-- `search_terms` is the memory's content as the search sees it, computed in Rust
-- (`omi_extract::search::index_terms`: folded, stemmed words and character pairs of
-- text without spaces, separated by spaces), so both stores index the same terms. Every
-- write of a memory sets it; the triggers below keep the FTS5 index in the same
-- transaction, so a memory is searchable the moment its write commits.
ALTER TABLE memories ADD COLUMN search_terms TEXT NOT NULL DEFAULT '';

-- The FTS5 row of each memory. An explicit INTEGER PRIMARY KEY, so VACUUM keeps the
-- numbers the index refers to.
CREATE TABLE memory_search_rows (
    row        INTEGER PRIMARY KEY,
    memory_id  TEXT NOT NULL UNIQUE
);

-- The terms are already folded and split: the tokenizer only splits on the spaces.
CREATE VIRTUAL TABLE memory_search USING fts5(
    terms,
    tokenize = 'unicode61 remove_diacritics 0'
);

INSERT INTO memory_search_rows (memory_id) SELECT id FROM memories;
INSERT INTO memory_search (rowid, terms) SELECT row, '' FROM memory_search_rows;

CREATE TRIGGER memories_search_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memory_search_rows (memory_id) VALUES (new.id);
    INSERT INTO memory_search (rowid, terms)
        SELECT row, new.search_terms FROM memory_search_rows WHERE memory_id = new.id;
END;

CREATE TRIGGER memories_search_update AFTER UPDATE OF search_terms ON memories BEGIN
    UPDATE memory_search SET terms = new.search_terms
        WHERE rowid = (SELECT row FROM memory_search_rows WHERE memory_id = new.id);
END;

CREATE TRIGGER memories_search_delete AFTER DELETE ON memories BEGIN
    DELETE FROM memory_search
        WHERE rowid = (SELECT row FROM memory_search_rows WHERE memory_id = old.id);
    DELETE FROM memory_search_rows WHERE memory_id = old.id;
END;

-- The memories stored before this migration get their terms when the store opens
-- (they cannot be computed in SQL).
INSERT INTO store_tasks (name) VALUES ('index_memory_search');
