//! The api traits over a [`Store`]: authentication, rate limits, validation, and the writes.
//!
//! [`Service`] is cheap to clone. Handles made from it carry their caller's credentials
//! ([`Service::integration`], [`Service::developer`]) and implement the `omi-api` traits, so
//! the HTTP layer and in-process callers run exactly the same checks in the same order.

/// Declares access marker types (unit structs) implementing an access trait whose two
/// constants are a required permission and a rate-limit policy: `trait { PERMISSION: Type,
/// POLICY: Policy }` followed by `Marker => (PermissionVariant, PolicyVariant);` lines.
macro_rules! access_markers {
    (
        $access:ident { $permission:ident: $permission_type:ident, POLICY: Policy }
        $($(#[$doc:meta])* $name:ident => ($value:ident, $policy:ident);)+
    ) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl $access for $name {
            const $permission: $permission_type = $permission_type::$value;
            const POLICY: Policy = Policy::$policy;
        }
    )+};
}
use access_markers;

mod action_items;
mod conversations;
mod credentials;
mod developer;
mod export;
mod goals;
pub mod idempotency;
mod import;
mod integration;
mod memories;
mod webhooks;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use omi_api::{ApiError, messages};
use omi_model::{ApiKey, Uid};
use tokio::sync::Notify;

use crate::ratelimit::{Policy, QuotaState, RateLimits};
use crate::store::{JobTask, NewJob, Store, StoreError};
use credentials::CredentialCache;

pub use developer::{AuthorizedDeveloper, DevAccess, DevTransport, DeveloperHandle, dev_access};
pub use import::MAX_IMPORT_LINE_BYTES;
pub(crate) use import::import_body_error;
pub use integration::{AppAccess, AuthorizedIntegration, IntegrationHandle, app_access};

/// How precisely `last_used_at` of a developer key is kept.
const KEY_USE_RESOLUTION: chrono::Duration = chrono::Duration::seconds(60);

/// A source of the current time, injected so tests can fix it.
pub trait Clock: Send + Sync + 'static {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        omi_model::timestamp::normalize(Utc::now())
    }
}

/// Settings of the service itself.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Attempts a processing job gets before it fails for good.
    pub max_job_attempts: i32,
    /// How long a found key, app or app enablement is trusted without reading the store
    /// again (zero: never). Changes made through this service apply at once; changes made by
    /// another process apply within this time.
    pub credential_ttl: Duration,
    /// How webhooks are checked and delivered.
    pub webhooks: crate::webhooks::WebhookConfig,
}

impl ServiceConfig {
    /// The default [`ServiceConfig::credential_ttl`].
    pub const DEFAULT_CREDENTIAL_TTL: Duration = Duration::from_secs(10);
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            max_job_attempts: 5,
            credential_ttl: Self::DEFAULT_CREDENTIAL_TTL,
            webhooks: crate::webhooks::WebhookConfig::default(),
        }
    }
}

struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    limits: RateLimits,
    jobs_ready: Notify,
    memories_written: Notify,
    config: ServiceConfig,
    key_uses: Mutex<HashMap<String, DateTime<Utc>>>,
    credentials: Option<CredentialCache>,
    workers: WorkerGauge,
    semantic: std::sync::OnceLock<Arc<crate::semantic::SemanticSearch>>,
}

/// How many job workers should run and how many do, for readiness. A worker pool sets what
/// it expects; each worker counts itself in while its loop runs.
#[derive(Debug, Default)]
pub struct WorkerGauge {
    expected: AtomicUsize,
    running: AtomicUsize,
}

impl WorkerGauge {
    /// `n` more workers are expected to run (a pool starting).
    pub fn expect(&self, n: usize) {
        self.expected.fetch_add(n, Ordering::SeqCst);
    }

    /// `n` fewer workers are expected (a pool stopping).
    pub fn unexpect(&self, n: usize) {
        let _ = self
            .expected
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |e| {
                Some(e.saturating_sub(n))
            });
    }

    /// Count one running worker until the returned guard is dropped (its loop ended, by
    /// returning or by a panic unwinding it).
    pub fn running(&self) -> WorkerRunning<'_> {
        self.running.fetch_add(1, Ordering::SeqCst);
        WorkerRunning(self)
    }

    /// `(running, expected)`.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.running.load(Ordering::SeqCst),
            self.expected.load(Ordering::SeqCst),
        )
    }
}

/// A worker counted as running by its [`WorkerGauge`]; dropping it counts the worker out.
#[derive(Debug)]
pub struct WorkerRunning<'a>(&'a WorkerGauge);

impl Drop for WorkerRunning<'_> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The API over a store. Clone it freely; clones share everything.
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("limits", &self.inner.limits)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// A service over `store`, reading time from `clock`, limiting with `limits`.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        limits: RateLimits,
        config: ServiceConfig,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                clock,
                limits,
                jobs_ready: Notify::new(),
                memories_written: Notify::new(),
                credentials: CredentialCache::new(config.credential_ttl),
                config,
                key_uses: Mutex::new(HashMap::new()),
                workers: WorkerGauge::default(),
                semantic: std::sync::OnceLock::new(),
            }),
        }
    }

    /// The Integration Imports API of app `app_id`, called with `key` (as sent in
    /// `Authorization: Bearer ...`; `None` when the header is missing or malformed).
    pub fn integration(&self, app_id: impl Into<String>, key: Option<ApiKey>) -> IntegrationHandle {
        IntegrationHandle::new(self.clone(), app_id.into(), key)
    }

    /// The Developer API, called with `key`.
    pub fn developer(&self, key: Option<ApiKey>) -> DeveloperHandle {
        DeveloperHandle::new(self.clone(), key, DevTransport::Rest)
    }

    /// The Developer API as MCP tools call it, with `key`: MCP-only keys (`omi_mcp_...`)
    /// are taken too.
    pub fn developer_over_mcp(&self, key: Option<ApiKey>) -> DeveloperHandle {
        DeveloperHandle::new(self.clone(), key, DevTransport::Mcp)
    }

    /// Its settings.
    pub(crate) fn config(&self) -> &ServiceConfig {
        &self.inner.config
    }

    /// The store, for this crate's own layers (the worker, maintenance) only: it checks no
    /// credentials.
    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// The job workers that should run and do.
    pub fn workers(&self) -> &WorkerGauge {
        &self.inner.workers
    }

    /// Whether the service can do its work: the database answers (and, with SQLite, its
    /// writer runs) and every job worker started is running. `Err` is the 503 to answer.
    pub async fn ready(&self) -> Result<(), ApiError> {
        if let Err(e) = self.store().ping().await {
            tracing::warn!(error = %e, "not ready: the database");
            return Err(ApiError::unavailable(messages::DATABASE_UNAVAILABLE));
        }
        let (running, expected) = self.workers().counts();
        if running < expected {
            tracing::warn!(running, expected, "not ready: job workers are down");
            return Err(ApiError::unavailable(messages::WORKERS_DOWN));
        }
        Ok(())
    }

    /// The rate limiters.
    pub fn limits(&self) -> &RateLimits {
        &self.inner.limits
    }

    /// Forget the keys, apps and enablements kept from earlier calls: call it after changing
    /// any of them, so the change applies to the next call.
    pub fn forget_credentials(&self) {
        if let Some(cache) = &self.inner.credentials {
            cache.clear();
        }
    }

    fn credentials(&self) -> Option<&CredentialCache> {
        self.inner.credentials.as_ref()
    }

    /// Resolves when a job may have been enqueued since the last call.
    pub async fn jobs_ready(&self) {
        self.inner.jobs_ready.notified().await;
    }

    /// Wake one worker: a job was enqueued.
    /// Search memories by meaning too, with `semantic` (`--embeddings`); the first call
    /// counts, later ones are ignored (`false`).
    pub fn enable_semantic_search(&self, semantic: Arc<crate::semantic::SemanticSearch>) -> bool {
        self.inner.semantic.set(semantic).is_ok()
    }

    /// The semantic search, when enabled.
    pub(crate) fn semantic(&self) -> Option<&Arc<crate::semantic::SemanticSearch>> {
        self.inner.semantic.get()
    }

    /// Memories were written (created, imported, extracted or edited): the embedder, when
    /// there is one, looks for work now instead of at its next idle wake.
    pub(crate) fn memories_written(&self) {
        self.inner.memories_written.notify_one();
    }

    /// Wait until memories are written (a write since the last wait counts at once).
    pub(crate) async fn until_memories_written(&self) {
        self.inner.memories_written.notified().await;
    }

    fn job_enqueued(&self) {
        self.inner.jobs_ready.notify_one();
    }

    /// Record that a developer key was used: at most once a minute per key, so a busy key
    /// does not turn every read into a write.
    async fn key_used(&self, key_id: &str) {
        let now = self.now();
        let due = {
            let mut uses = self
                .inner
                .key_uses
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let due = uses
                .get(key_id)
                .is_none_or(|last| now - *last >= KEY_USE_RESOLUTION);
            if due {
                uses.insert(key_id.to_owned(), now);
            }
            due
        };
        if due && let Err(e) = self.store().touch_dev_key(key_id, now).await {
            tracing::warn!(error = %e, "could not record a key's last use");
        }
    }

    /// When this process last recorded a use of the key (at most a minute behind).
    fn recorded_use(&self, key_id: &str) -> Option<DateTime<Utc>> {
        let uses = self
            .inner
            .key_uses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        uses.get(key_id).copied()
    }

    /// A job of `uid` doing `task`, enqueued at `now` with this service's attempts.
    fn new_job(&self, uid: Uid, task: JobTask, now: DateTime<Utc>) -> NewJob {
        NewJob {
            task,
            uid,
            max_attempts: self.inner.config.max_job_attempts,
            created_at: now,
        }
    }
}

/// A caller's credentials checked for one route: the authorized caller, or the error to
/// answer; either way the rate-limit quota the check left (when the route's policy is
/// limited), which the HTTP layer sends as `X-RateLimit-*` headers.
#[derive(Debug)]
pub struct Checked<T> {
    /// The authorized caller, or why the call is refused.
    pub caller: Result<T, ApiError>,
    /// The quota after the check, when it counted against a limited policy.
    pub quota: Option<QuotaState>,
}

impl Service {
    /// Count a call against `policy` for `subject`: the quota state it leaves, and the 429
    /// when the limit is reached.
    async fn count_call(
        &self,
        policy: Policy,
        subject: &str,
    ) -> (Result<(), ApiError>, Option<QuotaState>) {
        match self.limits().check(policy, subject).await {
            Ok(state) => (Ok(()), state),
            Err(refused) => {
                tracing::info!(policy = refused.policy.name(), "rate limit exceeded");
                crate::metrics::rate_limited(refused.policy.name());
                let state = QuotaState {
                    limit: refused.limit,
                    remaining: 0,
                    reset_secs: refused.retry_after_secs,
                };
                (
                    Err(ApiError::rate_limited(refused.retry_after_secs)),
                    Some(state),
                )
            }
        }
    }
}

/// The one place a storage failure becomes an API error.
pub(crate) fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Unavailable(cause) => {
            tracing::warn!(%cause, "database unavailable");
            ApiError::unavailable(messages::DATABASE_UNAVAILABLE).with_retry_after(Some(1))
        }
        StoreError::Overloaded(cause) => {
            tracing::debug!(%cause, "write shed");
            ApiError::unavailable(messages::SERVER_BUSY).with_retry_after(Some(1))
        }
        StoreError::Unstorable(cause) => {
            tracing::info!(%cause, "unstorable input");
            ApiError::message(422, messages::UNSTORABLE_TEXT)
        }
        StoreError::Conflict(cause) => {
            tracing::info!(%cause, "conflict");
            ApiError::message(409, messages::MEMORY_CONTENT_EXISTS)
        }
        StoreError::IdempotencyKeyTaken => {
            ApiError::message(409, idempotency::KEY_BUSY).with_retry_after(Some(1))
        }
        StoreError::NotFound(cause) | StoreError::Internal(cause) => {
            tracing::error!(%cause, "storage error");
            ApiError::internal()
        }
    }
}
