-- 0005: full-text search of conversations (POST /v2/integrations/{app_id}/search/conversations,
-- GET /v1/dev/user/conversations/search).
--
-- As for memories (0004), the terms are computed in Rust (`omi_extract::search::index_terms`)
-- so both stores index the same terms: `summary_terms` of the title and the overview (set
-- when processing or the user writes them), `text_terms` of the conversation's text (set at
-- insert; the text never changes). `search` is generated in the same statement, the title
-- and overview weighted A and the text B (`ts_rank_cd` weighs them 1.0 and 0.4).
ALTER TABLE conversations ADD COLUMN summary_terms TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN text_terms TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, summary_terms), 'A')
    || setweight(to_tsvector('simple'::regconfig, text_terms), 'B')
) STORED;
CREATE INDEX conversations_search ON conversations USING GIN (search);

INSERT INTO store_tasks (name) VALUES ('index_conversation_search');
