-- 0018: a new memory's search terms wait in `memory_search_pending` until the end of the
-- transaction that wrote it, and go into FTS5 together, in row-number order.
--
-- FTS5 writes its pending terms out as a new segment whenever a row number is not above the
-- one written before it in the transaction. Since 0016 a row number starts with the
-- memory's length, so the memories of one group-commit transaction came in no useful order
-- and nearly every one made a segment of its own (and merging those is most of what a create
-- cost). The SQLite writer now moves the pending rows into `memory_search` in row-number order
-- just before each commit (`crates/server/src/store/sqlite/group_commit.rs`), and a store
-- that opens moves any left over; a search reads the pending rows too, so a memory is found
-- whichever table holds it.
--
-- Changes and deletions still go to `memory_search` directly (they are few), and take the
-- memory out of `memory_search_pending` as well.

CREATE TABLE memory_search_pending (
    row INTEGER PRIMARY KEY,
    terms TEXT NOT NULL
);

DROP TRIGGER memories_search_insert;
DROP TRIGGER memories_search_update;
DROP TRIGGER memories_search_delete;

CREATE TRIGGER memories_search_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memory_search_rows (memory_id) VALUES (new.id);
    INSERT INTO memory_search_pending (row, terms) VALUES (
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
    DELETE FROM memory_search_pending WHERE row =
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
    DELETE FROM memory_search_pending WHERE row =
        (min(CASE WHEN old.search_terms = '' THEN 0
             ELSE length(old.search_terms) - length(replace(old.search_terms, ' ', '')) + 1 END,
             4194303) << 40)
        + (SELECT row FROM memory_search_rows WHERE memory_id = old.id);
    DELETE FROM memory_search_rows WHERE memory_id = old.id;
END;
