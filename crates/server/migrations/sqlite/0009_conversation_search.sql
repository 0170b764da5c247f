-- 0009: full-text search of conversations (POST /v2/integrations/{app_id}/search/conversations,
-- GET /v1/dev/user/conversations/search).
--
-- As for memories (0008), the terms are computed in Rust (`omi_extract::search::index_terms`)
-- so both stores index the same terms: `summary_terms` of the title and the overview (set
-- when processing or the user writes them), `text_terms` of the conversation's text (set at
-- insert; the text never changes). The triggers keep the FTS5 index in the same
-- transaction, so a conversation is found the moment its write commits.
ALTER TABLE conversations ADD COLUMN summary_terms TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN text_terms TEXT NOT NULL DEFAULT '';

-- The FTS5 row of each conversation (an INTEGER PRIMARY KEY, so VACUUM keeps the numbers).
CREATE TABLE conversation_search_rows (
    row              INTEGER PRIMARY KEY,
    conversation_id  TEXT NOT NULL UNIQUE
);

-- Two columns: a word of the title or the overview weighs four times one of the text.
CREATE VIRTUAL TABLE conversation_search USING fts5(
    summary,
    body,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO conversation_search (conversation_search, rank) VALUES ('rank', 'bm25(4.0, 1.0)');

INSERT INTO conversation_search_rows (conversation_id) SELECT id FROM conversations;
INSERT INTO conversation_search (rowid, summary, body) SELECT row, '', '' FROM conversation_search_rows;

CREATE TRIGGER conversations_search_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_search_rows (conversation_id) VALUES (new.id);
    INSERT INTO conversation_search (rowid, summary, body)
        SELECT row, new.summary_terms, new.text_terms
        FROM conversation_search_rows WHERE conversation_id = new.id;
END;

CREATE TRIGGER conversations_search_update AFTER UPDATE OF summary_terms, text_terms
    ON conversations BEGIN
    UPDATE conversation_search SET summary = new.summary_terms, body = new.text_terms
        WHERE rowid = (SELECT row FROM conversation_search_rows WHERE conversation_id = new.id);
END;

CREATE TRIGGER conversations_search_delete AFTER DELETE ON conversations BEGIN
    DELETE FROM conversation_search
        WHERE rowid = (SELECT row FROM conversation_search_rows WHERE conversation_id = old.id);
    DELETE FROM conversation_search_rows WHERE conversation_id = old.id;
END;

-- The conversations stored before this migration get their terms when the store opens.
INSERT INTO store_tasks (name) VALUES ('index_conversation_search');
