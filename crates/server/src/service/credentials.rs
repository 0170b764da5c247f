//! What authenticating a request reads, kept for a few seconds.
//!
//! Every call checks its key, and an integration call also its app and the user's enablement
//! of that app: up to three reads before the work itself, for answers that almost never
//! change. [`CredentialCache`] keeps the positive answers (a live key, an existing app, an
//! enabled app) for `ttl`; a refusal is never kept, so a key or enablement created elsewhere
//! works at once. Admin changes made through this process's service clear the cache at once;
//! a change made by another process (`omi-server admin ...` beside a running server) takes
//! effect within `ttl`.
//!
//! A lookup that read the store before a change and finishes after the cache was cleared
//! must not put what it read back: the revoked key would work again until `ttl`. So the cache
//! has a generation, moved on by every [`CredentialCache::clear`]; a lookup notes it before
//! reading the store and keeps its answer only while the generation is still the one it
//! noted.

use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// How many times the cache was cleared: a lookup keeps its answer only if this did not
    /// move while it read the store.
    generation: AtomicU64,
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
            generation: AtomicU64::new(0),
        })
    }

    /// Forget everything (after a key, app or enablement changed), including what lookups
    /// still reading the store will find: they read before the change.
    pub(crate) fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.app_keys.invalidate_all();
        self.dev_keys.invalidate_all();
        self.apps.invalidate_all();
        self.enabled.invalidate_all();
    }

    /// The generation a lookup notes before it reads the store.
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Keep `value`, read from the store in generation `read_in`, unless the cache was
    /// cleared since. Checked again after the insert: a clear that came between the first
    /// check and the insert would otherwise miss the entry.
    fn keep<K, V>(&self, cache: &Cache<K, V>, key: K, value: V, read_in: u64)
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        if self.generation() != read_in {
            return;
        }
        cache.insert(key.clone(), value);
        if self.generation() != read_in {
            cache.invalidate(&key);
        }
    }
}

/// One kind of entry of a [`CredentialCache`].
type Kind<K, V> = fn(&CredentialCache) -> &Cache<K, V>;

/// The live app key with this hash.
pub(crate) async fn app_key(
    cache: Option<&CredentialCache>,
    store: &dyn Store,
    hash: &str,
) -> StoreResult<Option<AppKeyRecord>> {
    cached(
        cache,
        |c| &c.app_keys,
        hash.to_owned(),
        || store.app_key_by_hash(hash),
    )
    .await
}

/// The live developer key with this hash.
pub(crate) async fn dev_key(
    cache: Option<&CredentialCache>,
    store: &dyn Store,
    hash: &str,
) -> StoreResult<Option<DevKeyRecord>> {
    cached(
        cache,
        |c| &c.dev_keys,
        hash.to_owned(),
        || store.dev_key_by_hash(hash),
    )
    .await
}

/// The app with this id.
pub(crate) async fn app(
    cache: Option<&CredentialCache>,
    store: &dyn Store,
    app_id: &str,
) -> StoreResult<Option<AppRecord>> {
    cached(cache, |c| &c.apps, app_id.to_owned(), || store.app(app_id)).await
}

/// Whether the user enabled the app.
pub(crate) async fn app_enabled(
    cache: Option<&CredentialCache>,
    store: &dyn Store,
    uid: &Uid,
    app_id: &str,
) -> StoreResult<bool> {
    let key = (uid.clone(), app_id.to_owned());
    let found = cached(
        cache,
        |c| &c.enabled,
        key,
        || async { Ok(store.is_app_enabled(uid, app_id).await?.then_some(())) },
    )
    .await?;
    Ok(found.is_some())
}

/// The answer for `key` kept in the `kind` entries of `credentials`, else `load`'s, kept
/// when it found something and no clear came while it loaded.
async fn cached<K, V, F, Fut>(
    credentials: Option<&CredentialCache>,
    kind: Kind<K, V>,
    key: K,
    load: F,
) -> StoreResult<Option<V>>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = StoreResult<Option<V>>>,
{
    let Some(credentials) = credentials else {
        return load().await;
    };
    let cache = kind(credentials);
    if let Some(hit) = cache.get(&key) {
        return Ok(Some(hit));
    }
    let read_in = credentials.generation();
    let found = load().await?;
    if let Some(value) = &found {
        credentials.keep(cache, key, value.clone(), read_in);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Utc;
    use omi_model::{ApiKey, DevScope};
    use tokio::sync::oneshot;

    use super::*;
    use crate::admin::{Admin, CreatedKey};
    use crate::keys;
    use crate::ratelimit::{RateLimitMode, RateLimits};
    use crate::service::{Service, ServiceConfig, SystemClock};
    use crate::store::SqliteStore;
    use crate::store::prelude::*;

    /// A store holding one user with one developer key, made as `omi-server admin` makes them.
    async fn store_with_dev_key(dir: &tempfile::TempDir) -> (Arc<SqliteStore>, CreatedKey) {
        let url = format!("sqlite://{}", dir.path().join("c.sqlite").display());
        let store = Arc::new(SqliteStore::open(&url, 1).await.expect("a store"));
        let limits = RateLimits::new(RateLimitMode::Off);
        let config = ServiceConfig::default();
        let service = Service::new(store.clone(), Arc::new(SystemClock), limits, config);
        let admin = Admin::new(service);
        let uid = admin.create_user(Some("u1")).await.expect("a user");
        let key = admin.create_dev_key(&uid, DevScope::ALL).await;
        (store, key.expect("a key"))
    }

    #[tokio::test]
    async fn a_lookup_that_read_a_key_before_its_revocation_does_not_keep_it_afterwards() {
        let dir = tempfile::tempdir().expect("a folder");
        let (store, key) = store_with_dev_key(&dir).await;
        let store = store.as_ref();
        let cache = CredentialCache::new(Duration::from_secs(3600)).expect("a cache");
        let hash = keys::hash(&ApiKey::from(key.key.as_str()));
        let (read, has_read) = oneshot::channel();
        let (resume, resumed) = oneshot::channel::<()>();
        // The lookup reads the live key, then waits while the key is revoked.
        let lookup = cached(
            Some(&cache),
            |c| &c.dev_keys,
            hash.clone(),
            || async {
                let found = store.dev_key_by_hash(&hash).await;
                let _ = read.send(());
                let _ = resumed.await;
                found
            },
        );
        let revoke = async {
            has_read.await.expect("the lookup read the key");
            let revoked = store.revoke_key(&key.id, Utc::now()).await;
            assert_eq!(revoked.ok(), Some(true), "the key is revoked");
            cache.clear();
            let _ = resume.send(());
        };
        let (found, ()) = tokio::join!(lookup, revoke);
        assert!(
            found.expect("the lookup answers").is_some(),
            "the lookup began while the key was live"
        );
        let after = dev_key(Some(&cache), store, &hash).await;
        assert_eq!(
            after.expect("the second lookup answers"),
            None,
            "a revoked key is refused at once, not kept by a lookup that began before"
        );
    }
}
