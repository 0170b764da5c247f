-- 0019: a conversation's search terms, new or changed, wait in `conversation_search_pending`
-- until the end of the transaction that wrote them, and go into FTS5 together, in row order.
--
-- Every statement that fires a trigger writing FTS5 is journaled so that it can roll back
-- alone, and FTS5 writes its pending terms out as a new segment at each such statement. So
-- with the triggers of 0009 writing `conversation_search` directly, nearly every conversation
-- of a group-commit transaction made a segment of its own, and merging those was a third of
-- what a conversation create cost. The SQLite writer now moves the pending rows just before
-- each commit (`crates/server/src/store/sqlite/search_pending.rs`), as it does memories'
-- (0018), and a store that opens moves any left over.
--
-- A change goes to `conversation_search_pending` too (the move replaces the row's old terms);
-- a deletion still goes to `conversation_search` directly (deletions are few).

CREATE TABLE conversation_search_pending (
    row      INTEGER PRIMARY KEY,
    summary  TEXT NOT NULL,
    body     TEXT NOT NULL
);

DROP TRIGGER conversations_search_insert;
DROP TRIGGER conversations_search_update;
DROP TRIGGER conversations_search_delete;

CREATE TRIGGER conversations_search_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_search_rows (conversation_id) VALUES (new.id);
    INSERT INTO conversation_search_pending (row, summary, body)
        VALUES (last_insert_rowid(), new.summary_terms, new.text_terms);
END;

CREATE TRIGGER conversations_search_update AFTER UPDATE OF summary_terms, text_terms
    ON conversations BEGIN
    INSERT INTO conversation_search_pending (row, summary, body)
        SELECT row, new.summary_terms, new.text_terms
        FROM conversation_search_rows WHERE conversation_id = new.id
        ON CONFLICT (row) DO UPDATE SET summary = excluded.summary, body = excluded.body;
END;

CREATE TRIGGER conversations_search_delete AFTER DELETE ON conversations BEGIN
    DELETE FROM conversation_search
        WHERE rowid = (SELECT row FROM conversation_search_rows WHERE conversation_id = old.id);
    DELETE FROM conversation_search_pending
        WHERE row = (SELECT row FROM conversation_search_rows WHERE conversation_id = old.id);
    DELETE FROM conversation_search_rows WHERE conversation_id = old.id;
END;
