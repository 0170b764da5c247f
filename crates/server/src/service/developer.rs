//! The Developer API's handle, and its memories over the store. Its conversations and
//! action items are in `dev_conversations` and `action_items`.

use async_trait::async_trait;
use omi_api::{ApiError, DeveloperMemories, messages};
use omi_extract::categorize_memory;
use omi_model::{
    ApiKey, BatchCreateMemoriesRequest, BatchMemoriesResponse, CreateMemoryRequest, DevScope,
    ListDevMemoriesQuery, Memory, NewMemory, SuccessResponse, Uid, UpdateMemoryRequest,
};

use super::{LastQuota, Service, credentials, store_error};
use crate::keys;
use crate::ratelimit::{Policy, QuotaState};
use crate::store::MemoryRecord;

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

    fn record(&self, new: &NewMemory) -> MemoryRecord {
        MemoryRecord {
            id: keys::new_id(),
            content: new.content.as_str().to_owned(),
            category: new
                .category
                .unwrap_or_else(|| categorize_memory(new.content.as_str())),
            visibility: new.visibility,
            tags: new.tags.to_strings(),
            created_at: self.service.now(),
            manually_added: true,
            app_id: None,
            conversation_id: None,
        }
    }

    /// Store `new` for `uid` (once per `Idempotency-Key`), answering with `answer` of what
    /// was stored.
    async fn insert<T>(
        &self,
        uid: &Uid,
        new: &[NewMemory],
        answer: fn(Vec<Memory>) -> T,
    ) -> Result<T, ApiError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
    {
        let records: Vec<MemoryRecord> = new.iter().map(|m| self.record(m)).collect();
        let store = self.service.store();
        let write = |remember| store.insert_memories(uid, &records, None, remember);
        self.service
            .create_once(move |stored: &Vec<Memory>| answer(stored.clone()), write)
            .await
    }

    async fn existing(&self, uid: &Uid, memory_id: &str) -> Result<Memory, ApiError> {
        self.service
            .store()
            .memory(uid, memory_id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(messages::MEMORY_NOT_FOUND))
    }
}

#[async_trait]
impl DeveloperMemories for DeveloperHandle {
    type Error = ApiError;

    async fn list_memories(&self, query: ListDevMemoriesQuery) -> Result<Vec<Memory>, ApiError> {
        let uid = self.authorize_route(DevQueryRoute::ListMemories).await?;
        let params = query.validate()?;
        self.service
            .store()
            .list_memories(&uid, &params)
            .await
            .map_err(store_error)
    }

    async fn create_memory(&self, request: CreateMemoryRequest) -> Result<Memory, ApiError> {
        let uid = self
            .authorize(DevScope::MemoriesWrite, Policy::DevMemoryWrites)
            .await?;
        let new = request.validate()?;
        let stored = self.insert(&uid, std::slice::from_ref(&new), |mut stored| stored.pop());
        stored.await?.ok_or_else(ApiError::internal)
    }

    async fn create_memories_batch(
        &self,
        request: BatchCreateMemoriesRequest,
    ) -> Result<BatchMemoriesResponse, ApiError> {
        let uid = self
            .authorize(DevScope::MemoriesWrite, Policy::DevMemoryBatch)
            .await?;
        let new = request.validate()?;
        self.insert(&uid, &new, |memories| BatchMemoriesResponse {
            created_count: memories.len(),
            memories,
        })
        .await
    }

    async fn get_memory(&self, memory_id: &str) -> Result<Memory, ApiError> {
        let uid = self
            .authorize(DevScope::MemoriesRead, Policy::DevReads)
            .await?;
        self.existing(&uid, memory_id).await
    }

    async fn update_memory(
        &self,
        memory_id: &str,
        request: UpdateMemoryRequest,
    ) -> Result<Memory, ApiError> {
        let uid = self
            .authorize(DevScope::MemoriesWrite, Policy::DevMemoryWrites)
            .await?;
        self.existing(&uid, memory_id).await?;
        let update = request.validate()?;
        let now = self.service.now();
        self.service
            .store()
            .update_memory(&uid, memory_id, &update, now)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(messages::MEMORY_NOT_FOUND))
    }

    async fn delete_memory(&self, memory_id: &str) -> Result<SuccessResponse, ApiError> {
        let uid = self
            .authorize(DevScope::MemoriesWrite, Policy::DevMemoryWrites)
            .await?;
        let deleted = self
            .service
            .store()
            .delete_memory(&uid, memory_id)
            .await
            .map_err(store_error)?;
        if deleted {
            Ok(SuccessResponse::OK)
        } else {
            Err(ApiError::not_found(messages::MEMORY_NOT_FOUND))
        }
    }
}
