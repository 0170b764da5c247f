-- 0016: memory search finds its best page without ranking every match (issue 18, speed).
--
-- A memory's FTS5 row number now says how many terms the memory has: `terms << 40` plus its
-- number in `memory_search_rows` (the low 40 bits). FTS5 hands out a phrase's matches in
-- row-number order, so a search reads each phrase's matches shortest memory first, and a
-- shorter memory is worth more to every phrase it holds (the search scores a phrase found
-- by its weight over the memory's length, as bm25 does for one occurrence). The search stops
-- reading once no memory not yet read can beat the page it has
-- (`crates/server/src/store/sql/memory_search.rs`); the cost of a search no longer grows
-- with the number of memories that match.
--
-- The search computes its scores itself, so FTS5 keeps no column sizes (`columnsize=0`: one
-- table less to write at every commit). `memory_search_rows` stays as it was: it numbers the
-- memories for FTS5 (an INTEGER PRIMARY KEY, so VACUUM keeps the numbers).

DROP TRIGGER memories_search_insert;
DROP TRIGGER memories_search_update;
DROP TRIGGER memories_search_delete;
DROP TABLE memory_search;

CREATE VIRTUAL TABLE memory_search USING fts5(
    terms,
    tokenize = 'unicode61 remove_diacritics 0',
    columnsize = 0
);

-- The terms of `search_terms` are separated by single spaces: their count is the number of
-- spaces plus one (none for no terms), at most 2^22 - 1 in the row number.
INSERT INTO memory_search (rowid, terms)
    SELECT (min(CASE WHEN m.search_terms = '' THEN 0
                ELSE length(m.search_terms) - length(replace(m.search_terms, ' ', '')) + 1 END,
                4194303) << 40) + r.row,
           m.search_terms
    FROM memory_search_rows AS r JOIN memories AS m ON m.id = r.memory_id;

CREATE TRIGGER memories_search_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memory_search_rows (memory_id) VALUES (new.id);
    INSERT INTO memory_search (rowid, terms) VALUES (
        (min(CASE WHEN new.search_terms = '' THEN 0
             ELSE length(new.search_terms) - length(replace(new.search_terms, ' ', '')) + 1 END,
             4194303) << 40) + last_insert_rowid(),
        new.search_terms);
END;

CREATE TRIGGER memories_search_update AFTER UPDATE OF search_terms ON memories BEGIN
    DELETE FROM memory_search WHERE rowid =
        (min(CASE WHEN old.search_terms = '' THEN 0
             ELSE length(old.search_terms) - length(replace(old.search_terms, ' ', '')) + 1 END,
             4194303) << 40)
        + (SELECT row FROM memory_search_rows WHERE memory_id = old.id);
    INSERT INTO memory_search (rowid, terms)
        SELECT (min(CASE WHEN new.search_terms = '' THEN 0
                    ELSE length(new.search_terms) - length(replace(new.search_terms, ' ', '')) + 1 END,
                    4194303) << 40) + row,
               new.search_terms
        FROM memory_search_rows WHERE memory_id = new.id;
END;

CREATE TRIGGER memories_search_delete AFTER DELETE ON memories BEGIN
    DELETE FROM memory_search WHERE rowid =
        (min(CASE WHEN old.search_terms = '' THEN 0
             ELSE length(old.search_terms) - length(replace(old.search_terms, ' ', '')) + 1 END,
             4194303) << 40)
        + (SELECT row FROM memory_search_rows WHERE memory_id = old.id);
    DELETE FROM memory_search_rows WHERE memory_id = old.id;
END;
