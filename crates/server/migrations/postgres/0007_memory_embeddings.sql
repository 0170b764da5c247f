-- 0007: the vectors of memories for semantic search (`--embeddings`).
--
-- One row per memory the embedder has handled: the vector of its content as it was at
-- `memory_at` (the memory's `updated_at` then), made by `model`, as little-endian f32s of
-- unit length; or, while the endpoint fails, no vector, the attempts so far and when to try
-- again. A memory whose `updated_at` moved on, or a row of another model, is embedded anew.
CREATE TABLE memory_embeddings (
    memory_id  TEXT COLLATE "C" PRIMARY KEY REFERENCES memories (id) ON DELETE CASCADE,
    uid        TEXT NOT NULL,
    model      TEXT NOT NULL,
    memory_at  BIGINT NOT NULL,
    vector     BYTEA,
    attempts   INTEGER NOT NULL DEFAULT 0,
    retry_at   BIGINT NOT NULL DEFAULT 0
);

-- A search reads one user's vectors.
CREATE INDEX memory_embeddings_by_user ON memory_embeddings (uid);
