//! The storage of users, apps, app enablements and keys: [`CredentialStore`] and its records.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::{Capability, DevScope, Uid};

use super::StoreResult;

/// An integration app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRecord {
    /// Its id (the `{app_id}` of the routes).
    pub id: String,
    /// A name for people.
    pub name: String,
    /// What it may do.
    pub capabilities: Vec<Capability>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// An app key: only its hash and label are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppKeyRecord {
    /// Its id (for revoking).
    pub id: String,
    /// The app it belongs to.
    pub app_id: String,
    /// SHA-256 of the secret, lowercase hex.
    pub secret_hash: String,
    /// A label safe to show (`sk_ab12...ef90`).
    pub label: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A developer key: only its hash, label and scopes are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevKeyRecord {
    /// Its id (for revoking).
    pub id: String,
    /// The user it acts for.
    pub uid: Uid,
    /// SHA-256 of the secret, lowercase hex.
    pub secret_hash: String,
    /// A label safe to show.
    pub label: String,
    /// What it may do.
    pub scopes: Vec<DevScope>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used, to the minute (uses are recorded at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The persistence of users, apps and keys. Keys are stored as hashes only.
#[async_trait]
pub trait CredentialStore: Send + Sync + 'static {
    /// Create a user; `false` when it already existed.
    async fn create_user(&self, uid: &Uid, now: DateTime<Utc>) -> StoreResult<bool>;

    /// Whether a user exists.
    async fn user_exists(&self, uid: &Uid) -> StoreResult<bool>;

    /// Store a new app.
    async fn create_app(&self, app: &AppRecord) -> StoreResult<()>;

    /// An app by id.
    async fn app(&self, app_id: &str) -> StoreResult<Option<AppRecord>>;

    /// Store a new app key (its hash and label only).
    async fn create_app_key(&self, key: &AppKeyRecord) -> StoreResult<()>;

    /// The live (not revoked) app key with this secret hash.
    async fn app_key_by_hash(&self, secret_hash: &str) -> StoreResult<Option<AppKeyRecord>>;

    /// Enable or disable an app for a user.
    async fn set_app_enabled(
        &self,
        uid: &Uid,
        app_id: &str,
        enabled: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Whether a user enabled an app.
    async fn is_app_enabled(&self, uid: &Uid, app_id: &str) -> StoreResult<bool>;

    /// Store a new developer key (its hash, label and scopes only).
    async fn create_dev_key(&self, key: &DevKeyRecord) -> StoreResult<()>;

    /// The live developer key with this secret hash.
    async fn dev_key_by_hash(&self, secret_hash: &str) -> StoreResult<Option<DevKeyRecord>>;

    /// Record that a developer key was used.
    async fn touch_dev_key(&self, key_id: &str, now: DateTime<Utc>) -> StoreResult<()>;

    /// Revoke an app or developer key by id; `false` when no live key has that id.
    async fn revoke_key(&self, key_id: &str, now: DateTime<Utc>) -> StoreResult<bool>;
}
