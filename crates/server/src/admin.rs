//! Operating the server: users, apps, keys, and the demo bootstrap.
//!
//! Secrets are returned once, by the call that makes them, and never stored or logged.

use omi_model::{ApiKey, Capability, CreateFolderRequest, DevScope, Folder, KeyKind, Loc, Uid};
use serde::Serialize;

use crate::keys;
use crate::service::{AuthorizedDeveloper, Service};
use crate::store::{
    AppKeyRecord, AppRecord, DeletedFolder, DevKeyRecord, FolderRecord, Reindexed, StoreError,
};

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The input is not valid.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A referenced record does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The service refused or failed (an import's body that could not be read, a database
    /// that stopped answering).
    #[error("{0}")]
    Api(#[from] omi_api::ApiError),
}

/// A newly made key: shown once.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedKey {
    /// The secret.
    pub key: String,
    /// Its id, for revoking.
    pub id: String,
}

/// Everything the demo bootstrap made.
#[derive(Debug, Clone, Serialize)]
pub struct DemoCredentials {
    /// Where the server listens.
    pub base_url: String,
    /// The demo user.
    pub uid: String,
    /// The demo app, enabled for the user with every capability.
    pub app_id: String,
    /// A key of the demo app.
    pub app_key: String,
    /// A developer key of the demo user with every scope.
    pub dev_key: String,
}

/// The uid of the demo user.
pub const DEMO_UID: &str = "demo-user";

/// Admin operations over a service's store.
#[derive(Debug, Clone)]
pub struct Admin {
    service: Service,
}

impl Admin {
    /// Admin over `service`.
    pub fn new(service: Service) -> Self {
        Self { service }
    }

    /// Every record of user `uid`, of every kind, as the lines of an export (as
    /// `GET /v1/dev/user/export` with a key of every scope gives them).
    pub async fn export(
        &self,
        uid: &str,
    ) -> Result<omi_api::ExportStream<'static, omi_api::ApiError>, AdminError> {
        let uid = self.existing_user(uid).await?;
        Ok(AuthorizedDeveloper::operator(self.service.clone(), uid).export())
    }

    /// Store the records of an export for user `uid` (made if it does not exist yet), as
    /// `POST /v1/dev/user/import` with a key of every scope does.
    pub async fn import(
        &self,
        uid: &str,
        body: omi_api::ImportBody,
    ) -> Result<omi_model::ImportReport, AdminError> {
        let uid = parse_uid(uid)?;
        self.service
            .store()
            .create_user(&uid, self.service.now())
            .await?;
        let caller = AuthorizedDeveloper::operator(self.service.clone(), uid);
        Ok(caller.import(body).await?)
    }

    /// Create a user (a random uid when none is given). Creating an existing user is fine.
    pub async fn create_user(&self, uid: Option<&str>) -> Result<String, AdminError> {
        let uid = uid.map_or_else(|| format!("user_{}", keys::new_id()), str::to_owned);
        let uid = parse_uid(&uid)?;
        self.service
            .store()
            .create_user(&uid, self.service.now())
            .await?;
        Ok(uid.as_str().to_owned())
    }

    /// Recompute the search terms of every memory and conversation and re-index them; how
    /// many of each there were.
    pub async fn reindex_search(&self) -> Result<Reindexed, AdminError> {
        Ok(self.service.store().reindex_search().await?)
    }

    /// Create an app with `capabilities`; returns its id.
    pub async fn create_app(
        &self,
        name: &str,
        capabilities: &[Capability],
    ) -> Result<String, AdminError> {
        if name.trim().is_empty() {
            return Err(AdminError::Invalid("the app name must not be empty".into()));
        }
        let app = AppRecord {
            id: keys::new_id(),
            name: name.trim().to_owned(),
            capabilities: dedup(capabilities),
            created_at: self.service.now(),
        };
        self.service.store().create_app(&app).await?;
        Ok(app.id)
    }

    /// Make a key for an app.
    pub async fn create_app_key(&self, app_id: &str) -> Result<CreatedKey, AdminError> {
        self.app_exists(app_id).await?;
        let made = keys::generate(KeyKind::App);
        let record = AppKeyRecord {
            id: keys::new_id(),
            app_id: app_id.to_owned(),
            secret_hash: made.hash,
            label: made.label,
            created_at: self.service.now(),
        };
        self.service.store().create_app_key(&record).await?;
        Ok(created(made.secret, record.id))
    }

    /// Enable (or disable) an app for a user.
    pub async fn set_app_enabled(
        &self,
        uid: &str,
        app_id: &str,
        enabled: bool,
    ) -> Result<(), AdminError> {
        let uid = self.existing_user(uid).await?;
        self.app_exists(app_id).await?;
        self.service
            .store()
            .set_app_enabled(&uid, app_id, enabled, self.service.now())
            .await?;
        self.service.forget_credentials();
        Ok(())
    }

    /// Make a developer key for a user with `scopes`.
    pub async fn create_dev_key(
        &self,
        uid: &str,
        scopes: &[DevScope],
    ) -> Result<CreatedKey, AdminError> {
        self.create_key_of(KeyKind::Developer, uid, scopes).await
    }

    /// Make an MCP-only key for a user with `scopes` (`omi_mcp_...`): the MCP tools take it,
    /// the REST routes answer 401.
    pub async fn create_mcp_key(
        &self,
        uid: &str,
        scopes: &[DevScope],
    ) -> Result<CreatedKey, AdminError> {
        self.create_key_of(KeyKind::Mcp, uid, scopes).await
    }

    async fn create_key_of(
        &self,
        kind: KeyKind,
        uid: &str,
        scopes: &[DevScope],
    ) -> Result<CreatedKey, AdminError> {
        let uid = self.existing_user(uid).await?;
        let made = keys::generate(kind);
        let record = DevKeyRecord {
            id: keys::new_id(),
            uid,
            secret_hash: made.hash,
            label: made.label,
            scopes: dedup(scopes),
            created_at: self.service.now(),
            last_used_at: None,
        };
        self.service.store().create_dev_key(&record).await?;
        Ok(created(made.secret, record.id))
    }

    /// Revoke an app or developer key by id.
    pub async fn revoke_key(&self, key_id: &str) -> Result<(), AdminError> {
        let revoked = self
            .service
            .store()
            .revoke_key(key_id, self.service.now())
            .await?;
        self.service.forget_credentials();
        if revoked {
            Ok(())
        } else {
            Err(AdminError::NotFound(format!("no live key has id {key_id}")))
        }
    }

    /// Make a conversation folder for a user, after the user's last one.
    pub async fn create_folder(
        &self,
        uid: &str,
        request: &CreateFolderRequest,
    ) -> Result<Folder, AdminError> {
        let uid = self.existing_user(uid).await?;
        let folder = request
            .validate()
            .map_err(|e| AdminError::Invalid(e.to_string()))?;
        let record = FolderRecord {
            id: keys::new_folder_id(),
            folder,
            created_at: self.service.now(),
        };
        Ok(self.service.store().insert_folder(&uid, &record).await?)
    }

    /// A user's folders in their order, with their conversation counts.
    pub async fn list_folders(&self, uid: &str) -> Result<Vec<Folder>, AdminError> {
        let uid = self.existing_user(uid).await?;
        Ok(self.service.store().list_folders(&uid).await?)
    }

    /// Delete one of a user's folders; its conversations go to the user's default folder
    /// (if one is marked so), else into none.
    pub async fn delete_folder(&self, uid: &str, id: &str) -> Result<DeletedFolder, AdminError> {
        let uid = self.existing_user(uid).await?;
        self.service
            .store()
            .delete_folder(&uid, id)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("user {uid} has no folder {id}")))
    }

    /// On an empty database: create the demo user, an app with every capability enabled for
    /// it, an app key and a developer key with every scope. `None` when the demo user exists
    /// already (its secrets were shown when it was made).
    pub async fn bootstrap_demo(
        &self,
        base_url: &str,
    ) -> Result<Option<DemoCredentials>, AdminError> {
        let uid = parse_uid(DEMO_UID)?;
        // Creating the user is the test: of several servers starting together on one empty
        // database, only the one whose insert made the user goes on to make the rest.
        if !self
            .service
            .store()
            .create_user(&uid, self.service.now())
            .await?
        {
            return Ok(None);
        }
        let app_id = self.create_app("Demo app", Capability::ALL).await?;
        self.set_app_enabled(DEMO_UID, &app_id, true).await?;
        let app_key = self.create_app_key(&app_id).await?;
        let dev_key = self.create_dev_key(DEMO_UID, DevScope::ALL).await?;
        Ok(Some(DemoCredentials {
            base_url: base_url.to_owned(),
            uid: DEMO_UID.to_owned(),
            app_id,
            app_key: app_key.key,
            dev_key: dev_key.key,
        }))
    }

    async fn existing_user(&self, uid: &str) -> Result<Uid, AdminError> {
        let uid = parse_uid(uid)?;
        if self.service.store().user_exists(&uid).await? {
            Ok(uid)
        } else {
            Err(AdminError::NotFound(format!(
                "no user has uid {uid} (create it with `admin user create --uid {uid}`)"
            )))
        }
    }

    async fn app_exists(&self, app_id: &str) -> Result<(), AdminError> {
        match self.service.store().app(app_id).await? {
            Some(_) => Ok(()),
            None => Err(AdminError::NotFound(format!("no app has id {app_id}"))),
        }
    }
}

fn parse_uid(raw: &str) -> Result<Uid, AdminError> {
    Uid::parse_at(&Loc::default(), raw).map_err(|e| AdminError::Invalid(format!("uid: {e}")))
}

fn dedup<T: PartialEq + Copy>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in items {
        if !out.contains(item) {
            out.push(*item);
        }
    }
    out
}

fn created(secret: ApiKey, id: String) -> CreatedKey {
    CreatedKey {
        key: secret.expose().to_owned(),
        id,
    }
}

impl DemoCredentials {
    /// A welcome text with the credentials and curl lines that work when pasted.
    pub fn banner(&self) -> String {
        let DemoCredentials {
            base_url,
            uid,
            app_id,
            app_key,
            dev_key,
        } = self;
        format!(
            "\nDemo credentials (shown once; store them now):\n\
             \x20 uid      {uid}\n\
             \x20 app_id   {app_id}\n\
             \x20 app key  {app_key}\n\
             \x20 dev key  {dev_key}\n\n\
             Try it:\n\
             \x20 curl -s -X POST '{base_url}/v1/dev/user/memories' -H 'Authorization: Bearer {dev_key}' -H 'Content-Type: application/json' -d '{{\"content\": \"User prefers dark mode\"}}'\n\
             \x20 curl -s '{base_url}/v1/dev/user/memories' -H 'Authorization: Bearer {dev_key}'\n\
             \x20 curl -s -X POST '{base_url}/v2/integrations/{app_id}/user/conversations?uid={uid}' -H 'Authorization: Bearer {app_key}' -H 'Content-Type: application/json' -d '{{\"text\": \"Me: I love hiking. Sarah: Remember to book the cabin.\"}}'\n\
             \x20 curl -s '{base_url}/v2/integrations/{app_id}/conversations?uid={uid}' -H 'Authorization: Bearer {app_key}'\n"
        )
    }
}
