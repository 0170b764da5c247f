-- 0011: the vectors of memories for semantic search (`--embeddings`).
--
-- One row per memory the embedder has handled: the vector of its content as it was at
-- `memory_at` (the memory's `updated_at` then), made by `model`, as little-endian f32s of
-- unit length; or, while the endpoint fails, no vector, the attempts so far and when to try
-- again. A memory whose `updated_at` moved on, or a row of another model, is embedded anew.
CREATE TABLE memory_embeddings (
    memory_id  TEXT PRIMARY KEY NOT NULL,
    uid        TEXT NOT NULL,
    model      TEXT NOT NULL,
    memory_at  INTEGER NOT NULL,
    vector     BLOB,
    attempts   INTEGER NOT NULL DEFAULT 0,
    retry_at   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- A search reads one user's vectors.
CREATE INDEX memory_embeddings_by_user ON memory_embeddings (uid);

CREATE TRIGGER memories_embedding_delete AFTER DELETE ON memories BEGIN
    DELETE FROM memory_embeddings WHERE memory_id = old.id;
END;
