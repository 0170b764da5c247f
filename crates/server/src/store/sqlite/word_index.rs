//! Indexing the words of memories stored before the content-word index (`memory_words`,
//! migration 0003) existed. New memories are indexed as they are written
//! (`sql::index_words`).

use sqlx::Row;
use sqlx::sqlite::SqlitePool;

use crate::store::StoreResult;
use crate::store::rows::map_err;
use crate::store::sql::index_words;
use omi_extract::identity::indexed_words_of;

/// Memories indexed per transaction when indexing the memories of an older database.
const BACKFILL_BATCH: i64 = 1_000;

/// Index the memories stored before the word index existed, once: migration 0003 leaves a
/// task row that this removes when done. Batches commit one by one, so a restart in the middle
/// goes on where it stopped (indexing a memory twice does nothing).
pub(super) async fn backfill(writer: &SqlitePool) -> StoreResult<()> {
    let pending = sqlx::query("SELECT 1 FROM store_tasks WHERE name = 'index_memory_words'")
        .fetch_optional(writer)
        .await
        .map_err(map_err)?;
    if pending.is_none() {
        return Ok(());
    }
    let mut after = String::new();
    let mut indexed = 0usize;
    loop {
        let rows =
            sqlx::query("SELECT id, uid, content FROM memories WHERE id > ? ORDER BY id LIMIT ?")
                .bind(&after)
                .bind(BACKFILL_BATCH)
                .fetch_all(writer)
                .await
                .map_err(map_err)?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("id").map_err(map_err)?;
        let mut tx = writer.begin().await.map_err(map_err)?;
        for row in &rows {
            let (id, uid, content): (String, String, String) = (
                row.try_get("id").map_err(map_err)?,
                row.try_get("uid").map_err(map_err)?,
                row.try_get("content").map_err(map_err)?,
            );
            index_words::<sqlx::Sqlite>(&mut tx, &uid, &id, &indexed_words_of(&content)).await?;
        }
        tx.commit().await.map_err(map_err)?;
        indexed += rows.len();
    }
    sqlx::query("DELETE FROM store_tasks WHERE name = 'index_memory_words'")
        .execute(writer)
        .await
        .map_err(map_err)?;
    if indexed > 0 {
        tracing::info!(memories = indexed, "indexed the words of existing memories");
    }
    Ok(())
}
