//! The content-word index of memories (`memory_words`, migration 0003): written with each
//! memory, read to find the few memories a new one could be a near-duplicate of. Only a
//! memory's [`indexed_words`] are stored: enough for the lookup to find every near-duplicate.

use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::extract::{content_words, indexed_words};
use crate::store::StoreResult;
use crate::store::rows::map_err;

/// Memories indexed per transaction when indexing the memories of an older database.
const BACKFILL_BATCH: i64 = 1_000;

/// Index a memory just inserted or given new content under `words`: the
/// [`indexed_words`] of its content words.
pub(super) async fn index(
    conn: &mut SqliteConnection,
    uid: &str,
    memory_id: &str,
    words: &[String],
) -> StoreResult<()> {
    if words.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO memory_words (uid, word, memory_id) ");
    q.push_values(words, |mut row, word| {
        row.push_bind(uid).push_bind(word).push_bind(memory_id);
    });
    q.push(" ON CONFLICT DO NOTHING");
    q.build().execute(conn).await.map_err(map_err)?;
    Ok(())
}

/// Remove the index rows of a memory whose content was `content` (before a change or a
/// delete). Found through the primary key, word by word.
pub(super) async fn unindex(
    conn: &mut SqliteConnection,
    uid: &str,
    memory_id: &str,
    content: &str,
) -> StoreResult<()> {
    let words = indexed_words(&content_words(content));
    if words.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Sqlite>::new("DELETE FROM memory_words WHERE uid = ");
    q.push_bind(uid)
        .push(" AND memory_id = ")
        .push_bind(memory_id)
        .push(" AND word IN (");
    let mut list = q.separated(", ");
    for word in &words {
        list.push_bind(word);
    }
    q.push(")");
    q.build().execute(conn).await.map_err(map_err)?;
    Ok(())
}

/// The contents of `uid`'s memories with an indexed word among `words`, those with the most
/// first, at most `limit`.
pub(super) async fn candidates(
    pool: &SqlitePool,
    uid: &str,
    words: &[String],
    limit: i64,
) -> StoreResult<Vec<String>> {
    if words.is_empty() || limit <= 0 {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT m.content FROM memories m JOIN (SELECT memory_id, COUNT(*) AS shared \
         FROM memory_words WHERE uid = ",
    );
    q.push_bind(uid).push(" AND word IN (");
    let mut list = q.separated(", ");
    for word in words {
        list.push_bind(word);
    }
    q.push(") GROUP BY memory_id ORDER BY shared DESC LIMIT ")
        .push_bind(limit)
        .push(") w ON m.id = w.memory_id WHERE m.uid = ")
        .push_bind(uid)
        .push(" ORDER BY w.shared DESC");
    let rows = q.build().fetch_all(pool).await.map_err(map_err)?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(map_err))
        .collect()
}

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
            index(&mut tx, &uid, &id, &indexed_words(&content_words(&content))).await?;
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
