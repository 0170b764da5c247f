//! The Developer API's handle: a developer key, checked (401, 403, 429) before every call,
//! and [`AuthorizedDeveloper`], the key's user once it passed. What an authorized developer
//! does with each resource is in `memories`, `conversations` and `action_items`.

use omi_api::{ApiError, messages};
use omi_model::{ApiKey, DevKeyInfo, DevScope, KeyKind, Uid};

use super::{Checked, Service, credentials, store_error};
use crate::keys;
use crate::ratelimit::Policy;

/// What a Developer API route needs of its key: a scope, and the rate-limit policy the call
/// counts against. Each route names one of the [`dev_access`] markers, so the in-process
/// trait methods and the HTTP handlers check the same thing.
pub trait DevAccess: Send + Sync + 'static {
    /// The scope the key must carry (else 403).
    const SCOPE: DevScope;
    /// The rate-limit policy the call counts against (over it: 429).
    const POLICY: Policy;
}

/// The kinds of access of the Developer API's routes.
pub mod dev_access {
    use super::{DevAccess, DevScope, Policy};

    crate::service::access_markers! {
        DevAccess { SCOPE: DevScope, POLICY: Policy }
        /// Reading memories.
        MemoriesRead => (MemoriesRead, DevReads);
        /// Creating, changing or deleting one memory.
        MemoriesWrite => (MemoriesWrite, DevMemoryWrites);
        /// Creating memories in a batch.
        MemoriesBatch => (MemoriesWrite, DevMemoryBatch);
        /// Reading conversations.
        ConversationsRead => (ConversationsRead, DevReads);
        /// Creating, changing or deleting conversations.
        ConversationsWrite => (ConversationsWrite, DevConversationWrites);
        /// Reading action items.
        ActionItemsRead => (ActionItemsRead, DevReads);
        /// Creating, changing or deleting action items.
        ActionItemsWrite => (ActionItemsWrite, DevActionItemWrites);
        /// Reading goals and their history.
        GoalsRead => (GoalsRead, DevGoalReads);
        /// Creating, changing, recording progress on or deleting goals.
        GoalsWrite => (GoalsWrite, DevGoalWrites);
        /// Listing webhooks and their deliveries.
        WebhooksRead => (WebhooksRead, DevReads);
        /// Creating or deleting webhooks.
        WebhooksWrite => (WebhooksWrite, DevWebhookWrites);
    }
}

/// The Developer API, called with one key (checked at each call).
#[derive(Debug)]
pub struct DeveloperHandle {
    service: Service,
    key: Option<ApiKey>,
    transport: DevTransport,
}

/// Which door a Developer API call came in by: an MCP-only key
/// ([`KeyKind::Mcp`](omi_model::KeyKind::Mcp)) opens only MCP's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevTransport {
    /// The REST routes (and in-process trait calls).
    Rest,
    /// MCP tools, over Streamable HTTP or stdio.
    Mcp,
}

/// The Developer API for the user of a key that passed the checks of one access: what the
/// routes do once the caller is known. Made only by [`DeveloperHandle::authorize`].
#[derive(Debug, Clone)]
pub struct AuthorizedDeveloper {
    service: Service,
    pub(super) uid: Uid,
    /// The scopes of the key that passed.
    scopes: Vec<DevScope>,
}

impl DeveloperHandle {
    pub(super) fn new(service: Service, key: Option<ApiKey>, transport: DevTransport) -> Self {
        Self {
            service,
            key,
            transport,
        }
    }

    /// The key's user, once the key is known (401), carries `A`'s scope (403) and is within
    /// `A`'s rate limit (429), with the quota the check left.
    pub async fn authorize<A: DevAccess>(&self) -> Checked<AuthorizedDeveloper> {
        let mut quota = None;
        let caller = self.check(A::SCOPE, A::POLICY, &mut quota).await;
        Checked { caller, quota }
    }

    /// Whether the key is known (else 401), without a scope or a rate limit: for a
    /// transport that checks the caller before reading a request whose routes differ in
    /// scope (MCP over HTTP).
    pub async fn authenticate(&self) -> Result<(), ApiError> {
        self.key_record().await.map(|_| ())
    }

    /// The key's record; 401 for a missing or unknown key, and for an MCP-only key off MCP.
    async fn key_record(&self) -> Result<crate::store::DevKeyRecord, ApiError> {
        let key = self
            .key
            .as_ref()
            .filter(|key| {
                self.transport == DevTransport::Mcp || !KeyKind::Mcp.matches(key.expose())
            })
            .ok_or_else(|| ApiError::unauthorized(messages::INVALID_DEV_KEY))?;
        let store = self.service.store().as_ref();
        credentials::dev_key(self.service.credentials(), store, &keys::hash(key))
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::unauthorized(messages::INVALID_DEV_KEY))
    }

    async fn check(
        &self,
        scope: DevScope,
        policy: Policy,
        quota: &mut Option<crate::ratelimit::QuotaState>,
    ) -> Result<AuthorizedDeveloper, ApiError> {
        let record = self.key_record().await?;
        if !record.scopes.contains(&scope) {
            return Err(ApiError::forbidden(messages::insufficient_scope(scope)));
        }
        let (counted, state) = self.service.count_call(policy, &record.id).await;
        *quota = state;
        counted?;
        self.service.key_used(&record.id).await;
        Ok(AuthorizedDeveloper {
            service: self.service.clone(),
            uid: record.uid,
            scopes: record.scopes,
        })
    }

    /// `GET /v1/dev/key`: the key's own metadata, for any known key (no scope), counted
    /// against the reads' rate limit.
    pub async fn key_info(&self) -> Checked<DevKeyInfo> {
        let record = match self.key_record().await {
            Ok(record) => record,
            Err(refused) => {
                return Checked {
                    caller: Err(refused),
                    quota: None,
                };
            }
        };
        let (counted, quota) = self.service.count_call(Policy::DevReads, &record.id).await;
        if let Err(refused) = counted {
            return Checked {
                caller: Err(refused),
                quota,
            };
        }
        self.service.key_used(&record.id).await;
        let last_used_at = record
            .last_used_at
            .max(self.service.recorded_use(&record.id));
        let key_prefix = record
            .label
            .split("...")
            .next()
            .unwrap_or_default()
            .to_owned();
        let info = DevKeyInfo {
            id: record.id,
            name: record.label,
            key_prefix,
            created_at: record.created_at,
            last_used_at,
            scopes: record.scopes,
        };
        Checked {
            caller: Ok(info),
            quota,
        }
    }

    /// [`DeveloperHandle::authorize`] for a trait call, which has no use for the quota.
    pub(super) async fn authorized<A: DevAccess>(&self) -> Result<AuthorizedDeveloper, ApiError> {
        self.authorize::<A>().await.caller
    }
}

impl AuthorizedDeveloper {
    /// The operator acting as `uid` with every scope (`omi-server admin export` and
    /// `import`): no key, no rate limit.
    pub(crate) fn operator(service: Service, uid: Uid) -> Self {
        Self {
            service,
            uid,
            scopes: DevScope::ALL.to_vec(),
        }
    }

    /// The service it calls.
    pub(super) fn service(&self) -> &Service {
        &self.service
    }

    /// The key's user.
    pub fn uid(&self) -> &Uid {
        &self.uid
    }

    /// Whether the key carries `scope` too (for a route whose answer grows with the key's
    /// scopes, as an export does).
    pub fn has_scope(&self, scope: DevScope) -> bool {
        self.scopes.contains(&scope)
    }
}

#[async_trait::async_trait]
impl omi_api::DeveloperKey for DeveloperHandle {
    type Error = ApiError;

    async fn get_key(&self) -> Result<DevKeyInfo, ApiError> {
        self.key_info().await.caller
    }
}
