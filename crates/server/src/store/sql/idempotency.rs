//! The statements of `Idempotency-Key`s: a create remembers its answer in its own
//! transaction ([`remember`]); a request with the key reads it back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Pool;

use super::{Arg, Backend, Dialect, read};
use crate::store::rows::{IdempotencyRow, map_err};
use crate::store::{
    EarlierAnswer, IdempotencyKey, IdempotencyStore, IdempotentAnswer, StoreError, StoreResult,
    to_micros,
};

#[async_trait]
impl<B: Backend> IdempotencyStore for B {
    async fn earlier_answer(
        &self,
        key: &IdempotencyKey,
        not_before: DateTime<Utc>,
    ) -> StoreResult<Option<EarlierAnswer>> {
        earlier::<B::Db>(self.readers(), key, not_before).await
    }

    async fn purge_idempotency(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query::<B::Db>("DELETE FROM idempotency_keys WHERE created_at < $1")
            .arg(to_micros(before))
            .execute(B::Db::on_pool(self.writer()))
            .await
            .map_err(map_err)?;
        Ok(B::Db::rows_affected(&done))
    }
}

/// Remember the answer to `stored` under `answer`'s key (when the request carried an
/// `Idempotency-Key`), in the transaction of the write that stored it. Takes over a
/// missing, expired or pending (left by an older version, which wrote the record before the
/// create) record; a live answer makes this fail with [`StoreError::IdempotencyKeyTaken`], so
/// the write rolls back.
pub(crate) async fn remember<DB: Dialect, T>(
    conn: &mut DB::Connection,
    answer: Option<&IdempotentAnswer<T>>,
    stored: &T,
) -> StoreResult<()> {
    let Some(answer) = answer else {
        return Ok(());
    };
    let body = answer.body(stored)?;
    let key = &answer.key;
    let taken = sqlx::query::<DB>(
        "INSERT INTO idempotency_keys (caller, key, fingerprint, state, status, body, created_at) \
         VALUES ($1, $2, $3, 'done', 200, $4, $5) \
         ON CONFLICT (caller, key) DO UPDATE SET \
         fingerprint = excluded.fingerprint, state = 'done', status = 200, \
         body = excluded.body, created_at = excluded.created_at \
         WHERE idempotency_keys.created_at < $6 OR idempotency_keys.state <> 'done' \
         RETURNING state",
    )
    .arg(key.caller.as_str())
    .arg(key.key.as_str())
    .arg(key.fingerprint.as_str())
    .arg(body)
    .arg(to_micros(answer.now))
    .arg(to_micros(answer.not_before))
    .fetch_optional(DB::on(conn))
    .await
    .map_err(map_err)?;
    taken.map(|_| ()).ok_or(StoreError::IdempotencyKeyTaken)
}

/// The answer remembered under `key`'s caller and key, made at or after `not_before`, as it
/// bears on a request with `key`'s fingerprint.
async fn earlier<DB: Dialect>(
    pool: &Pool<DB>,
    key: &IdempotencyKey,
    not_before: DateTime<Utc>,
) -> StoreResult<Option<EarlierAnswer>> {
    let row = sqlx::query::<DB>(
        "SELECT fingerprint, state, status, body FROM idempotency_keys \
         WHERE caller = $1 AND key = $2 AND created_at >= $3",
    )
    .arg(key.caller.as_str())
    .arg(key.key.as_str())
    .arg(to_micros(not_before))
    .fetch_optional(DB::on_pool(pool))
    .await
    .map_err(map_err)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let row: IdempotencyRow = read::<DB, _>(&row)?;
    Ok(row.verdict(key))
}
