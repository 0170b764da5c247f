//! New memories' search terms on their way into FTS5 (migration 0018): a memory's insert
//! puts its terms in `memory_search_pending`, and the writer moves them into `memory_search`
//! in row-number order just before it commits, so FTS5 writes one segment per transaction
//! instead of one per memory. A search reads the pending rows too
//! (`MemoryStreams::pending`), so nothing depends on when they move.

use sqlx::sqlite::{SqliteConnection, SqlitePool};

use crate::store::StoreResult;
use crate::store::rows::map_err;

/// The most pending rows moved by one transaction when a store opens.
const OPEN_BATCH: i64 = 10_000;

/// Move up to `$1` pending rows, lowest row numbers first.
const MOVE: &str = "INSERT INTO memory_search (rowid, terms) \
     SELECT row, terms FROM memory_search_pending ORDER BY row LIMIT $1";

/// Forget the rows [`MOVE`] moved (the same `$1`, in the same transaction).
const FORGET: &str = "DELETE FROM memory_search_pending WHERE row IN \
     (SELECT row FROM memory_search_pending ORDER BY row LIMIT $1)";

/// Move up to `limit` pending rows into FTS5 on `conn`, inside the caller's transaction.
/// When the move fails the rows stay pending (a search still finds them) and the error is
/// returned for the caller to log; the transaction can go on.
async fn move_rows(conn: &mut SqliteConnection, limit: i64) -> StoreResult<u64> {
    let moved = sqlx::query(MOVE)
        .bind(limit)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?
        .rows_affected();
    if moved > 0 {
        sqlx::query(FORGET)
            .bind(limit)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(moved)
}

/// Move every pending row before a group-commit transaction commits. A failure is logged and
/// leaves the rows pending; the transaction's writes commit all the same.
pub(super) async fn move_before_commit(conn: &mut SqliteConnection) {
    if let Err(e) = move_rows(conn, i64::MAX).await {
        tracing::warn!(error = %e, "new memories' search terms stay pending (search reads them there)");
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
        if moved < u64::try_from(OPEN_BATCH).unwrap_or(u64::MAX) {
            break;
        }
    }
    if total > 0 {
        tracing::info!(
            rows = total,
            "moved pending memory search terms into the index"
        );
    }
    Ok(())
}
