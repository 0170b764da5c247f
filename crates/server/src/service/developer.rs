//! The Developer API's handle: a developer key, checked (401, 403, 429) before every call.
//! What it does with each resource is in `memories`, `conversations` and `action_items`.

use omi_api::{ApiError, messages};
use omi_model::{ApiKey, DevScope, Uid};

use super::{LastQuota, Service, credentials, store_error};
use crate::keys;
use crate::ratelimit::{Policy, QuotaState};

/// The Developer API's routes that read a query string, each with the key scope it needs
/// and the rate-limit policy it counts against (named here once, for the trait's methods and
/// for [`DeveloperHandle::refuse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevQueryRoute {
    /// `GET /v1/dev/user/memories`.
    ListMemories,
    /// `GET /v1/dev/user/conversations`.
    ListConversations,
    /// `GET /v1/dev/user/conversations/{id}`.
    GetConversation,
    /// `GET /v1/dev/user/action-items`.
    ListActionItems,
}

impl DevQueryRoute {
    fn access(self) -> (DevScope, Policy) {
        match self {
            Self::ListMemories => (DevScope::MemoriesRead, Policy::DevReads),
            Self::ListConversations | Self::GetConversation => {
                (DevScope::ConversationsRead, Policy::DevReads)
            }
            Self::ListActionItems => (DevScope::ActionItemsRead, Policy::DevReads),
        }
    }
}

/// The Developer API, called with one key.
#[derive(Debug)]
pub struct DeveloperHandle {
    service: Service,
    key: Option<ApiKey>,
    quota: LastQuota,
}

impl DeveloperHandle {
    pub(super) fn new(service: Service, key: Option<ApiKey>) -> Self {
        Self {
            service,
            key,
            quota: LastQuota::default(),
        }
    }

    /// The quota state after the last call, when its policy is limited.
    pub fn quota(&self) -> Option<QuotaState> {
        self.quota.get()
    }

    /// The service this handle calls.
    pub(super) fn service(&self) -> &Service {
        &self.service
    }

    /// The key's user, once the key is known (401), carries `scope` (403) and is within
    /// `policy`'s limit (429).
    pub(super) async fn authorize(&self, scope: DevScope, policy: Policy) -> Result<Uid, ApiError> {
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized(messages::INVALID_DEV_KEY))?;
        let store = self.service.store().as_ref();
        let record = credentials::dev_key(self.service.credentials(), store, &keys::hash(key))
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::unauthorized(messages::INVALID_DEV_KEY))?;
        if !record.scopes.contains(&scope) {
            return Err(ApiError::forbidden(messages::insufficient_scope(scope)));
        }
        self.quota.check(&self.service, policy, &record.id).await?;
        self.service.key_used(&record.id).await;
        Ok(record.uid)
    }

    /// [`DeveloperHandle::authorize`] for `route`.
    pub(super) async fn authorize_route(&self, route: DevQueryRoute) -> Result<Uid, ApiError> {
        let (scope, policy) = route.access();
        self.authorize(scope, policy).await
    }

    /// The answer to a call of `route` whose query string could not be read (`error`, from
    /// parsing it): the checks of the key come first (401, 403, 429), as for any call, and
    /// only when they pass is `error` the answer. So a bad key is 401 or 403 before the query
    /// is judged, as in OMI's cloud, where the key is checked by a FastAPI dependency, which
    /// runs before query parameters are validated.
    pub async fn refuse(&self, route: DevQueryRoute, error: ApiError) -> ApiError {
        self.authorize_route(route).await.err().unwrap_or(error)
    }
}
