//! What the store keeps of `Idempotency-Key`s: the answer of a create, remembered in the
//! create's own transaction, so that "created" and "answer remembered" commit together or
//! not at all.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{StoreError, StoreResult};

/// An `Idempotency-Key` in its caller's scope, with the fingerprint of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// SHA-256 of the caller's credentials.
    pub caller: String,
    /// The key as sent.
    pub key: String,
    /// SHA-256 of the request (method, path, query, body).
    pub fingerprint: String,
}

/// What an earlier answer remembered under the same caller and key says about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EarlierAnswer {
    /// The earlier request was this one (same fingerprint): give its answer again.
    Same {
        /// Its HTTP status.
        status: u16,
        /// Its body.
        body: Vec<u8>,
    },
    /// The key was used for a different request.
    OtherRequest,
}

/// How a create's answer is made from what its write stored (`T`: the stored rows, or `()`
/// when the answer is known before the write).
type Render<T> = dyn Fn(&T) -> serde_json::Result<Vec<u8>> + Send + Sync;

/// The answer of a create to remember under `key`, written by the create's own write in the
/// same transaction as what it creates. A record of the same caller and key made before
/// `not_before` has expired and is replaced; a live one makes the write fail with
/// [`StoreError::IdempotencyKeyTaken`], keeping nothing.
#[derive(Clone)]
pub struct IdempotentAnswer<T> {
    /// The key, its caller and the request's fingerprint.
    pub key: IdempotencyKey,
    /// When the answer is given.
    pub now: DateTime<Utc>,
    /// Records of the same key made before this have expired.
    pub not_before: DateTime<Utc>,
    render: Arc<Render<T>>,
}

impl<T> IdempotentAnswer<T> {
    /// The answer to remember under `key`, made from the write's result by `render`.
    pub fn new(
        key: IdempotencyKey,
        now: DateTime<Utc>,
        not_before: DateTime<Utc>,
        render: impl Fn(&T) -> serde_json::Result<Vec<u8>> + Send + Sync + 'static,
    ) -> Self {
        Self {
            key,
            now,
            not_before,
            render: Arc::new(render),
        }
    }

    /// This answer for a write that stores nothing to render from, made from `result`, known
    /// beforehand (the store's write then takes an `IdempotentAnswer<()>`).
    pub fn of_result(self, result: T) -> IdempotentAnswer<()>
    where
        T: Send + Sync + 'static,
    {
        let render = self.render;
        IdempotentAnswer {
            key: self.key,
            now: self.now,
            not_before: self.not_before,
            render: Arc::new(move |()| render(&result)),
        }
    }

    /// The body of the answer to `stored`, what the write stored.
    pub fn body(&self, stored: &T) -> StoreResult<Vec<u8>> {
        (self.render)(stored).map_err(|e| StoreError::Internal(format!("answer to remember: {e}")))
    }
}

impl<T> fmt::Debug for IdempotentAnswer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdempotentAnswer")
            .field("key", &self.key)
            .field("now", &self.now)
            .field("not_before", &self.not_before)
            .finish_non_exhaustive()
    }
}

/// Answers remembered under `Idempotency-Key`s. Creates remember theirs in their own
/// transaction ([`IdempotentAnswer`]); this reads and purges them.
#[async_trait]
pub trait IdempotencyStore: Send + Sync + 'static {
    /// What the latest answer remembered under `key`'s caller and key, if it was made at or
    /// after `not_before`, says about a request with `key`'s fingerprint. Creates remember
    /// their answers themselves ([`IdempotentAnswer`]).
    async fn earlier_answer(
        &self,
        key: &IdempotencyKey,
        not_before: DateTime<Utc>,
    ) -> StoreResult<Option<EarlierAnswer>>;

    /// Delete idempotency records created before `before`.
    async fn purge_idempotency(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
