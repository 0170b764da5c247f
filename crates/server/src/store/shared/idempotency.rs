//! `Idempotency-Key` records: begun, finished, abandoned. Beginning is one upsert that only
//! one of two concurrent requests with the same key can win, whatever the database.

/// Expands to `mod idempotency`: the `idempotency_keys` statements over the invoking
/// store's `Conn`.
macro_rules! idempotency_statements {
    () => {
        pub(super) mod idempotency {
            use sqlx::FromRow;

            use super::Conn;
            use $crate::store::rows::{IdempotencyRow, map_err};
            use $crate::store::{IdempotencyBegin, IdempotencyKey, StoreResult};

            /// Record `key` as pending, or report what an earlier request with it (created at
            /// or after `not_before`, microseconds) did. The insert takes over only a missing
            /// or expired record, so of two requests racing with one key exactly one is `New`.
            pub(crate) async fn begin(
                conn: &mut Conn,
                key: &IdempotencyKey,
                now: i64,
                not_before: i64,
            ) -> StoreResult<IdempotencyBegin> {
                let claimed = sqlx::query(
                    "INSERT INTO idempotency_keys (caller, key, fingerprint, state, created_at) \
                     VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (caller, key) DO UPDATE SET \
                     fingerprint = excluded.fingerprint, state = 'pending', status = NULL, \
                     body = NULL, created_at = excluded.created_at \
                     WHERE idempotency_keys.created_at < $5 RETURNING state",
                )
                .bind(&key.caller)
                .bind(&key.key)
                .bind(&key.fingerprint)
                .bind(now)
                .bind(not_before)
                .fetch_optional(&mut *conn)
                .await
                .map_err(map_err)?;
                if claimed.is_some() {
                    return Ok(IdempotencyBegin::New);
                }
                let row = sqlx::query(
                    "SELECT fingerprint, state, status, body FROM idempotency_keys \
                     WHERE caller = $1 AND key = $2",
                )
                .bind(&key.caller)
                .bind(&key.key)
                .fetch_optional(&mut *conn)
                .await
                .map_err(map_err)?;
                // No row: the winner abandoned its record a moment ago; its caller may retry.
                let Some(row) = row else {
                    return Ok(IdempotencyBegin::InProgress);
                };
                Ok(IdempotencyRow::from_row(&row).map_err(map_err)?.verdict(key))
            }

            /// Store the answer of a pending request.
            pub(crate) async fn finish(
                conn: &mut Conn,
                key: &IdempotencyKey,
                status: u16,
                body: &[u8],
            ) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE idempotency_keys SET state = 'done', status = $1, body = $2 \
                     WHERE caller = $3 AND key = $4",
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
            pub(crate) async fn abandon(conn: &mut Conn, key: &IdempotencyKey) -> StoreResult<()> {
                sqlx::query(
                    "DELETE FROM idempotency_keys \
                     WHERE caller = $1 AND key = $2 AND state = 'pending'",
                )
                .bind(&key.caller)
                .bind(&key.key)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                Ok(())
            }
        }
    };
}
pub(crate) use idempotency_statements;
