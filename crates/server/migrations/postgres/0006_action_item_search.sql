-- 0006: full-text search of action items (GET /v1/dev/user/action-items/search).
--
-- As for memories (0004): `search_terms` is the description's terms, computed in Rust
-- (`omi_extract::search::index_terms`); `search` is generated from it in the same
-- statement.
ALTER TABLE action_items ADD COLUMN search_terms TEXT NOT NULL DEFAULT '';
ALTER TABLE action_items ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_terms)) STORED;
CREATE INDEX action_items_search ON action_items USING GIN (search);

INSERT INTO store_tasks (name) VALUES ('index_action_item_search');
