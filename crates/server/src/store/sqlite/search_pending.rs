//! Search terms on their way into FTS5: a memory's insert puts its terms in
//! `memory_search_pending` (migration 0018), a conversation's insert or change puts its terms
//! in `conversation_search_pending` (migration 0019), and the writer moves them into
//! `memory_search` and `conversation_search` in row order just before it commits, so FTS5
//! writes a segment or two per transaction instead of one per write. A memory search reads
//! the pending rows too (`MemoryStreams::pending`); pending conversation rows exist only
//! inside the writer's transaction, or after a move failed until the next commit moves them.

use sqlx::sqlite::{SqliteConnection, SqlitePool};

use crate::store::StoreResult;
use crate::store::rows::map_err;

/// The most pending rows of each table moved by one transaction when a store opens.
const OPEN_BATCH: i64 = 10_000;

/// Move up to `$1` pending rows of each table, lowest row numbers first, and forget them:
/// one query (sqlx runs its statements in one call to the connection's thread) inside a
/// savepoint, so a failure leaves every row pending. A conversation row pending for a change
/// replaces the row FTS5 holds.
const MOVE: &str = "SAVEPOINT move_pending; \
     INSERT INTO memory_search (rowid, terms) \
     SELECT row, terms FROM memory_search_pending ORDER BY row LIMIT $1; \
     DELETE FROM memory_search_pending WHERE row IN \
     (SELECT row FROM memory_search_pending ORDER BY row LIMIT $1); \
     DELETE FROM conversation_search WHERE rowid IN \
     (SELECT row FROM conversation_search_pending ORDER BY row LIMIT $1); \
     INSERT INTO conversation_search (rowid, summary, body) \
     SELECT row, summary, body FROM conversation_search_pending ORDER BY row LIMIT $1; \
     DELETE FROM conversation_search_pending WHERE row IN \
     (SELECT row FROM conversation_search_pending ORDER BY row LIMIT $1); \
     RELEASE move_pending";

/// Move up to `limit` pending rows of each table into FTS5 on `conn`, inside the caller's
/// transaction; how many rows the move changed (0 when nothing was pending). When the move
/// fails the rows stay pending and the error is returned for the caller to log; the
/// transaction can go on.
async fn move_rows(conn: &mut SqliteConnection, limit: i64) -> StoreResult<u64> {
    match sqlx::query(MOVE).bind(limit).execute(&mut *conn).await {
        Ok(done) => Ok(done.rows_affected()),
        Err(e) => {
            // Undo what part of the move ran; should the savepoint not exist (it failed
            // first), there is nothing to undo.
            for undo in ["ROLLBACK TO move_pending", "RELEASE move_pending"] {
                let _ = sqlx::query(undo).execute(&mut *conn).await;
            }
            Err(map_err(e))
        }
    }
}

/// Move every pending row before a group-commit transaction commits. A failure is logged and
/// leaves the rows pending; the transaction's writes commit all the same.
pub(super) async fn move_before_commit(conn: &mut SqliteConnection) {
    if let Err(e) = move_rows(conn, i64::MAX).await {
        tracing::warn!(
            error = %e,
            "search terms stay pending until a later commit moves them (memory search reads them there)"
        );
    }
}

/// Move what an earlier process left pending (say a copy by `admin migrate-data`), in
/// transactions of [`OPEN_BATCH`] rows, before the store takes writes.
pub(super) async fn move_left_over(writer: &SqlitePool) -> StoreResult<()> {
    let mut total = 0;
    loop {
        let mut tx = writer.begin().await.map_err(map_err)?;
        let moved = move_rows(&mut tx, OPEN_BATCH).await?;
        tx.commit().await.map_err(map_err)?;
        total += moved;
        if moved == 0 {
            break;
        }
    }
    if total > 0 {
        tracing::info!(changes = total, "moved pending search terms into the index");
    }
    Ok(())
}
