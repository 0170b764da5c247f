//! `Idempotency-Key` records: an answer is remembered by the create that gives it, inside
//! the create's own transaction, and read back by a retry. There is no pending state: of two
//! requests racing with one key, the second to commit finds the first's record, fails, and
//! rolls back everything it wrote.

/// Expands to `mod idempotency`: the `idempotency_keys` statements over the invoking
/// store's `Conn`.
macro_rules! idempotency_statements {
    () => {
        pub(super) mod idempotency {
            use sqlx::FromRow;

            use super::{Conn, Db};
            use $crate::store::rows::{IdempotencyRow, map_err};
            use $crate::store::{
                EarlierAnswer, IdempotencyKey, IdempotentAnswer, StoreError, StoreResult,
                to_micros,
            };

            /// Remember the answer to `stored` under `answer`'s key, in the transaction of the
            /// write that stored it. Takes over a missing, expired or pending (left by an older
            /// version, which wrote the record before the create) record; a live answer makes
            /// this fail with [`StoreError::IdempotencyKeyTaken`], so the write rolls back.
            pub(crate) async fn remember<T>(
                conn: &mut Conn,
                answer: &IdempotentAnswer<T>,
                stored: &T,
            ) -> StoreResult<()> {
                let body = answer.body(stored)?;
                let key = &answer.key;
                let taken = sqlx::query(
                    "INSERT INTO idempotency_keys \
                     (caller, key, fingerprint, state, status, body, created_at) \
                     VALUES ($1, $2, $3, 'done', 200, $4, $5) \
                     ON CONFLICT (caller, key) DO UPDATE SET \
                     fingerprint = excluded.fingerprint, state = 'done', status = 200, \
                     body = excluded.body, created_at = excluded.created_at \
                     WHERE idempotency_keys.created_at < $6 OR idempotency_keys.state <> 'done' \
                     RETURNING state",
                )
                .bind(&key.caller)
                .bind(&key.key)
                .bind(&key.fingerprint)
                .bind(body)
                .bind(to_micros(answer.now))
                .bind(to_micros(answer.not_before))
                .fetch_optional(&mut *conn)
                .await
                .map_err(map_err)?;
                taken.map(|_| ()).ok_or(StoreError::IdempotencyKeyTaken)
            }

            /// The answer remembered under `key`'s caller and key, made at or after
            /// `not_before` (microseconds), as it bears on a request with `key`'s fingerprint.
            pub(crate) async fn earlier(
                pool: &sqlx::Pool<Db>,
                key: &IdempotencyKey,
                not_before: i64,
            ) -> StoreResult<Option<EarlierAnswer>> {
                let row = sqlx::query(
                    "SELECT fingerprint, state, status, body FROM idempotency_keys \
                     WHERE caller = $1 AND key = $2 AND created_at >= $3",
                )
                .bind(&key.caller)
                .bind(&key.key)
                .bind(not_before)
                .fetch_optional(pool)
                .await
                .map_err(map_err)?;
                let Some(row) = row else {
                    return Ok(None);
                };
                Ok(IdempotencyRow::from_row(&row).map_err(map_err)?.verdict(key))
            }
        }
    };
}
pub(crate) use idempotency_statements;
