//! What authenticating a request reads, kept for a few seconds.
//!
//! Every call checks its key, and an integration call also its app and the user's enablement
//! of that app: up to three reads before the work itself, for answers that almost never
//! change. [`CredentialCache`] keeps the positive answers (a live key, an existing app, an
//! enabled app) for `ttl`; a refusal is never kept, so a key or enablement created elsewhere
//! works at once. Admin changes made through this process's service clear the cache at once;
//! a change made by another process (`omi-server admin ...` beside a running server) takes
//! effect within `ttl`.

use std::future::Future;
use std::hash::Hash;
use std::time::Duration;

use moka::sync::Cache;
use omi_model::Uid;

use crate::store::{AppKeyRecord, AppRecord, DevKeyRecord, Store, StoreResult};

/// Entries of each kind kept at most.
const CAPACITY: u64 = 10_000;

/// Short-lived copies of the credentials the store holds.
#[derive(Debug)]
pub(crate) struct CredentialCache {
    app_keys: Cache<String, AppKeyRecord>,
    dev_keys: Cache<String, DevKeyRecord>,
    apps: Cache<String, AppRecord>,
    enabled: Cache<(Uid, String), ()>,
}

impl CredentialCache {
    /// A cache keeping answers for `ttl`; `None` when `ttl` is zero (every call reads the
    /// store).
    pub(crate) fn new(ttl: Duration) -> Option<Self> {
        if ttl.is_zero() {
            return None;
        }
        fn cache<K, V>(ttl: Duration) -> Cache<K, V>
        where
            K: Hash + Eq + Send + Sync + 'static,
            V: Clone + Send + Sync + 'static,
        {
            Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(ttl)
                .build()
        }
        Some(Self {
            app_keys: cache(ttl),
            dev_keys: cache(ttl),
            apps: cache(ttl),
            enabled: cache(ttl),
        })
    }

    /// Forget everything (after a key, app or enablement changed).
    pub(crate) fn clear(&self) {
        self.app_keys.invalidate_all();
        self.dev_keys.invalidate_all();
        self.apps.invalidate_all();
        self.enabled.invalidate_all();
    }
}

/// The live app key with this hash.
pub(crate) async fn app_key(
    cache: Option<&CredentialCache>,
    store: &dyn Store,
    hash: &str,
) -> StoreResult<Option<AppKeyRecord>> {
    cached(cache.map(|c| &c.app_keys), hash.to_owned(), || {
        store.app_key_by_hash(hash)
    })
    .await
}

/// The live developer key with this hash.
pub(crate) async fn dev_key(
    cache: Option<&CredentialCache>,
    store: &dyn Store,
    hash: &str,
) -> StoreResult<Option<DevKeyRecord>> {
    cached(cache.map(|c| &c.dev_keys), hash.to_owned(), || {
        store.dev_key_by_hash(hash)
    })
    .await
}

/// The app with this id.
pub(crate) async fn app(
    cache: Option<&CredentialCache>,
    store: &dyn Store,
    app_id: &str,
) -> StoreResult<Option<AppRecord>> {
    cached(cache.map(|c| &c.apps), app_id.to_owned(), || {
        store.app(app_id)
    })
    .await
}

/// Whether the user enabled the app.
pub(crate) async fn app_enabled(
    cache: Option<&CredentialCache>,
    store: &dyn Store,
    uid: &Uid,
    app_id: &str,
) -> StoreResult<bool> {
    let key = (uid.clone(), app_id.to_owned());
    let found = cached(cache.map(|c| &c.enabled), key, || async {
        Ok(store.is_app_enabled(uid, app_id).await?.then_some(()))
    })
    .await?;
    Ok(found.is_some())
}

/// `cache`'s answer for `key`, else `load`'s, kept when it found something.
async fn cached<K, V, F, Fut>(
    cache: Option<&Cache<K, V>>,
    key: K,
    load: F,
) -> StoreResult<Option<V>>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = StoreResult<Option<V>>>,
{
    let Some(cache) = cache else {
        return load().await;
    };
    if let Some(hit) = cache.get(&key) {
        return Ok(Some(hit));
    }
    let found = load().await?;
    if let Some(value) = &found {
        cache.insert(key, value.clone());
    }
    Ok(found)
}
