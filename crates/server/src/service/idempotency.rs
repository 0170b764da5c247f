//! `Idempotency-Key`: a create retried with the same key is applied once.
//!
//! The HTTP layer reads the key and fingerprints the request ([`IdempotentRequest`]) and runs
//! the handler inside [`IdempotentRequest::scope`]. A create (`Service::create_once`) then,
//! after the caller's key, scope, rate limit and input have passed their checks:
//!
//! 1. reads the answer remembered under the key: the same request gets it again (marked
//!    replayed), a different one a 422;
//! 2. otherwise writes what it creates and its answer in **one transaction**, so "created"
//!    and "answer remembered" commit together or not at all. Nothing is written before, so a
//!    crash, a `kill -9` or a dropped connection at any point leaves either nothing (a retry
//!    runs the create) or both (a retry gets the answer);
//! 3. if a concurrent request with the same key committed first, its own transaction rolls
//!    back and it answers with the winner's answer.
//!
//! Failed calls remember nothing, so a retry after a 4xx or 5xx runs again.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Duration;
use omi_api::ApiError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Service, store_error};
use crate::store::{EarlierAnswer, IdempotencyKey, IdempotentAnswer, StoreError, StoreResult};

/// How long an answer is remembered.
pub const RETENTION: Duration = Duration::hours(24);

/// The 422 detail for a key used before with a different request.
pub const KEY_REUSED: &str = "This Idempotency-Key was already used with a different request";

/// The 409 detail when a concurrent request with the key committed but its answer cannot be
/// read yet (rare: a retry gets it).
pub const KEY_BUSY: &str =
    "A request with this Idempotency-Key was answered a moment ago; retry to get its answer";

tokio::task_local! {
    static CURRENT: Arc<IdempotentRequest>;
}

/// A request that carried an `Idempotency-Key`, and whether its answer was a replay.
#[derive(Debug)]
pub struct IdempotentRequest {
    key: IdempotencyKey,
    replayed: AtomicBool,
}

impl IdempotentRequest {
    /// The request with `key` (its caller, the key and the request's fingerprint).
    pub fn new(key: IdempotencyKey) -> Arc<Self> {
        Arc::new(Self {
            key,
            replayed: AtomicBool::new(false),
        })
    }

    /// Run `call` (the request's handler) as this request: the creates it makes remember
    /// their answers under the key.
    pub async fn scope<F: Future>(self: &Arc<Self>, call: F) -> F::Output {
        CURRENT.scope(Arc::clone(self), call).await
    }

    /// Whether the answer given was one remembered from an earlier request.
    pub fn replayed(&self) -> bool {
        self.replayed.load(Ordering::Relaxed)
    }

    /// The remembered answer that decides this request, if any: the same request's answer
    /// again, or a 422 for a different one.
    async fn earlier<T: DeserializeOwned>(
        &self,
        service: &Service,
    ) -> Result<Option<Result<T, ApiError>>, ApiError> {
        let not_before = service.now() - RETENTION;
        let earlier = service
            .store()
            .earlier_answer(&self.key, not_before)
            .await
            .map_err(store_error)?;
        Ok(earlier.map(|answer| match answer {
            EarlierAnswer::OtherRequest => Err(ApiError::message(422, KEY_REUSED)),
            EarlierAnswer::Same { body, .. } => {
                self.replayed.store(true, Ordering::Relaxed);
                serde_json::from_slice(&body).map_err(|e| {
                    tracing::error!(error = %e, "a remembered answer does not decode");
                    ApiError::internal()
                })
            }
        }))
    }
}

impl Service {
    /// Run a create once per `Idempotency-Key` (see the [module](self) docs). `write` stores
    /// what the call creates, remembering the [`IdempotentAnswer`] it is given (if any) in its
    /// own transaction; `answer` makes the call's answer from what `write` stored. Call it
    /// after the caller and the input passed their checks.
    pub(super) async fn create_once<O, T, W, Fut>(
        &self,
        answer: impl Fn(&O) -> T + Send + Sync + 'static,
        write: W,
    ) -> Result<T, ApiError>
    where
        O: 'static,
        T: Serialize + DeserializeOwned + 'static,
        W: FnOnce(Option<IdempotentAnswer<O>>) -> Fut,
        Fut: Future<Output = StoreResult<O>>,
    {
        let Ok(request) = CURRENT.try_with(Arc::clone) else {
            return write(None).await.map(|o| answer(&o)).map_err(store_error);
        };
        if let Some(earlier) = request.earlier(self).await? {
            return earlier;
        }
        let answer = Arc::new(answer);
        let render = Arc::clone(&answer);
        let now = self.now();
        let remembered = IdempotentAnswer::new(request.key.clone(), now, now - RETENTION, {
            move |stored: &O| serde_json::to_vec(&render(stored))
        });
        match write(Some(remembered)).await {
            Ok(stored) => {
                crate::faults::after_create_commit().await;
                Ok(answer(&stored))
            }
            Err(StoreError::IdempotencyKeyTaken) => request
                .earlier(self)
                .await?
                .unwrap_or_else(|| Err(ApiError::message(409, KEY_BUSY).with_retry_after(Some(1)))),
            Err(e) => Err(store_error(e)),
        }
    }
}
