//! `Idempotency-Key` records (migration 0002), written inside group-commit transactions like
//! the creates they guard.

use sqlx::FromRow;
use sqlx::sqlite::SqliteConnection;

use crate::store::rows::{IdempotencyRow, map_err};
use crate::store::{IdempotencyBegin, IdempotencyKey, StoreResult};

/// Record `key` as pending, or report what an earlier request with it (created at or after
/// `not_before`, microseconds) did.
pub(super) async fn begin(
    conn: &mut SqliteConnection,
    key: &IdempotencyKey,
    now: i64,
    not_before: i64,
) -> StoreResult<IdempotencyBegin> {
    let row = sqlx::query(
        "SELECT fingerprint, state, status, body FROM idempotency_keys \
         WHERE caller = ? AND key = ? AND created_at >= ?",
    )
    .bind(&key.caller)
    .bind(&key.key)
    .bind(not_before)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?;
    if let Some(row) = row {
        return Ok(IdempotencyRow::from_row(&row)
            .map_err(map_err)?
            .verdict(key));
    }
    sqlx::query(
        "INSERT INTO idempotency_keys (caller, key, fingerprint, state, created_at) \
         VALUES (?, ?, ?, 'pending', ?) ON CONFLICT (caller, key) DO UPDATE SET \
         fingerprint = excluded.fingerprint, state = 'pending', status = NULL, body = NULL, \
         created_at = excluded.created_at",
    )
    .bind(&key.caller)
    .bind(&key.key)
    .bind(&key.fingerprint)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(IdempotencyBegin::New)
}

/// Store the answer of a pending request.
pub(super) async fn finish(
    conn: &mut SqliteConnection,
    key: &IdempotencyKey,
    status: u16,
    body: &[u8],
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET state = 'done', status = ?, body = ? \
         WHERE caller = ? AND key = ?",
    )
    .bind(i64::from(status))
    .bind(body)
    .bind(&key.caller)
    .bind(&key.key)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Forget a pending request.
pub(super) async fn abandon(conn: &mut SqliteConnection, key: &IdempotencyKey) -> StoreResult<()> {
    sqlx::query("DELETE FROM idempotency_keys WHERE caller = ? AND key = ? AND state = 'pending'")
        .bind(&key.caller)
        .bind(&key.key)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(())
}
