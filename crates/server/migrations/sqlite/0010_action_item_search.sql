-- 0010: full-text search of action items (GET /v1/dev/user/action-items/search).
--
-- As for memories (0008): `search_terms` is the description's terms, computed in Rust
-- (`omi_extract::search::index_terms`) and written with every insert and change of the
-- description; the triggers keep the FTS5 index in the same transaction.
ALTER TABLE action_items ADD COLUMN search_terms TEXT NOT NULL DEFAULT '';

-- The FTS5 row of each action item (an INTEGER PRIMARY KEY, so VACUUM keeps the numbers).
CREATE TABLE action_item_search_rows (
    row             INTEGER PRIMARY KEY,
    action_item_id  TEXT NOT NULL UNIQUE
);

CREATE VIRTUAL TABLE action_item_search USING fts5(
    terms,
    tokenize = 'unicode61 remove_diacritics 0'
);

INSERT INTO action_item_search_rows (action_item_id) SELECT id FROM action_items;
INSERT INTO action_item_search (rowid, terms) SELECT row, '' FROM action_item_search_rows;

CREATE TRIGGER action_items_search_insert AFTER INSERT ON action_items BEGIN
    INSERT INTO action_item_search_rows (action_item_id) VALUES (new.id);
    INSERT INTO action_item_search (rowid, terms)
        SELECT row, new.search_terms FROM action_item_search_rows WHERE action_item_id = new.id;
END;

CREATE TRIGGER action_items_search_update AFTER UPDATE OF search_terms ON action_items BEGIN
    UPDATE action_item_search SET terms = new.search_terms
        WHERE rowid = (SELECT row FROM action_item_search_rows WHERE action_item_id = new.id);
END;

CREATE TRIGGER action_items_search_delete AFTER DELETE ON action_items BEGIN
    DELETE FROM action_item_search
        WHERE rowid = (SELECT row FROM action_item_search_rows WHERE action_item_id = old.id);
    DELETE FROM action_item_search_rows WHERE action_item_id = old.id;
END;

-- The action items stored before this migration get their terms when the store opens.
INSERT INTO store_tasks (name) VALUES ('index_action_item_search');
