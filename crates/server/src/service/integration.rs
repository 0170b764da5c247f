//! The Integration Imports API over the store.

use async_trait::async_trait;
use omi_api::{ApiError, IntegrationImports, messages};
use omi_model::{
    ApiKey, Capability, ConversationTextSource, ConversationsResponse, CreateConversationRequest,
    CreateMemoriesRequest, DevMemoryListParams, EmptyResponse, ListConversationsQuery,
    ListMemoriesQuery, Loc, MemoriesResponse, Uid,
};

use super::{LastQuota, Service, credentials, store_error};
use crate::keys;
use crate::ratelimit::{Policy, QuotaState};
use crate::store::{ConversationRecord, JobTask, MemoryRecord, TextToExtract};

/// The routes of the Integration Imports API, each with the capability it needs and the
/// rate-limit policy it counts against (named here once, for the trait's methods and for
/// [`IntegrationHandle::refuse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationRoute {
    /// `POST /v2/integrations/{app_id}/user/conversations`.
    CreateConversation,
    /// `POST /v2/integrations/{app_id}/user/memories`.
    CreateMemories,
    /// `GET /v2/integrations/{app_id}/conversations`.
    ListConversations,
    /// `GET /v2/integrations/{app_id}/memories`.
    ListMemories,
}

impl IntegrationRoute {
    fn access(self) -> (Capability, Policy) {
        match self {
            Self::CreateConversation => (
                Capability::CreateConversation,
                Policy::IntegrationConversations,
            ),
            Self::CreateMemories => (Capability::CreateMemories, Policy::IntegrationMemories),
            Self::ListConversations => (Capability::ReadConversations, Policy::IntegrationReads),
            Self::ListMemories => (Capability::ReadMemories, Policy::IntegrationReads),
        }
    }
}

/// The Integration Imports API of one app, called with one key.
#[derive(Debug)]
pub struct IntegrationHandle {
    service: Service,
    app_id: String,
    key: Option<ApiKey>,
    quota: LastQuota,
}

impl IntegrationHandle {
    pub(super) fn new(service: Service, app_id: String, key: Option<ApiKey>) -> Self {
        Self {
            service,
            app_id,
            key,
            quota: LastQuota::default(),
        }
    }

    /// The quota state after the last call, when its policy is limited.
    pub fn quota(&self) -> Option<QuotaState> {
        self.quota.get()
    }

    /// The key's own checks: present (401) and a key of this app (403).
    async fn authenticate(&self) -> Result<(), ApiError> {
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized(messages::MISSING_AUTHORIZATION))?;
        let (cache, store) = (self.service.credentials(), self.service.store().as_ref());
        let record = credentials::app_key(cache, store, &keys::hash(key))
            .await
            .map_err(store_error)?;
        if record.is_none_or(|r| r.app_id != self.app_id) {
            return Err(ApiError::forbidden(messages::INVALID_APP_KEY));
        }
        Ok(())
    }

    /// OMI's checks, in OMI's order: key present (401), key of this app (403), then the
    /// `uid` (422), rate limit (429), app exists (404), app enabled by the user (403),
    /// capability (403).
    async fn authorize(&self, uid: &str, route: IntegrationRoute) -> Result<Uid, ApiError> {
        let (capability, policy) = route.access();
        self.authenticate().await?;
        let uid = Uid::parse_at(&Loc::query("uid"), uid)?;
        let (cache, store) = (self.service.credentials(), self.service.store().as_ref());
        let subject = format!("{}:{}", self.app_id, uid.as_str());
        self.quota.check(&self.service, policy, &subject).await?;
        let app = credentials::app(cache, store, &self.app_id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(messages::APP_NOT_FOUND))?;
        if !credentials::app_enabled(cache, store, &uid, &self.app_id)
            .await
            .map_err(store_error)?
        {
            return Err(ApiError::forbidden(messages::APP_NOT_ENABLED));
        }
        if !app.capabilities.contains(&capability) {
            return Err(ApiError::forbidden(messages::missing_capability(
                capability,
            )));
        }
        Ok(uid)
    }

    /// The answer to a call of `route` whose query string could not be read (`error`, from
    /// parsing it): the checks of the credentials come first, as for any call, and only
    /// when they pass is `error` the answer. So a bad key is 401 or 403 before the query is
    /// judged, as in OMI's cloud, where the key is checked by a FastAPI dependency, which
    /// runs before query parameters are validated. Without a `uid` (when it is what is
    /// missing) only the key is checked: the rate limit and the app's enablement are per user.
    pub async fn refuse(
        &self,
        uid: Option<&str>,
        route: IntegrationRoute,
        error: ApiError,
    ) -> ApiError {
        let checked = match uid {
            Some(uid) => self.authorize(uid, route).await.map(drop),
            None => self.authenticate().await,
        };
        checked.err().unwrap_or(error)
    }
}

#[async_trait]
impl IntegrationImports for IntegrationHandle {
    type Error = ApiError;

    async fn create_conversation(
        &self,
        uid: &str,
        request: CreateConversationRequest,
    ) -> Result<EmptyResponse, ApiError> {
        let uid = self
            .authorize(uid, IntegrationRoute::CreateConversation)
            .await?;
        let now = self.service.now();
        let new = request.validate(now, ConversationTextSource::AudioTranscript)?;
        let record = ConversationRecord::imported(uid.clone(), &self.app_id, new);
        let task = JobTask::ProcessConversation {
            conversation_id: record.id.clone(),
        };
        let job = self.service.new_job(uid, task, now);
        let service = &self.service;
        let write = |answer| async move {
            service
                .store()
                .insert_conversation(&record, &job, answer)
                .await?;
            service.job_enqueued();
            tracing::info!(conversation_id = %record.id, app_id = %self.app_id, "conversation stored");
            Ok(())
        };
        service.create_once(|_| EmptyResponse {}, write).await
    }

    async fn create_memories(
        &self,
        uid: &str,
        request: CreateMemoriesRequest,
    ) -> Result<EmptyResponse, ApiError> {
        let uid = self
            .authorize(uid, IntegrationRoute::CreateMemories)
            .await?;
        let now = self.service.now();
        let import = request.validate()?;
        let records: Vec<MemoryRecord> = import
            .memories
            .iter()
            .map(|m| MemoryRecord::imported(m, &self.app_id, now))
            .collect();
        let job = import.text.as_ref().map(|text| {
            let task = JobTask::ExtractMemories(TextToExtract {
                text: text.as_str().to_owned(),
                text_source: import.text_source,
                text_source_spec: import
                    .text_source_spec
                    .as_ref()
                    .map(|s| s.as_str().to_owned()),
                app_id: Some(self.app_id.clone()),
            });
            self.service.new_job(uid.clone(), task, now)
        });
        let service = &self.service;
        let write = |answer| async move {
            let stored = service
                .store()
                .insert_memories(&uid, &records, job.as_ref(), answer)
                .await?;
            if job.is_some() {
                service.job_enqueued();
            }
            Ok(stored)
        };
        service.create_once(|_| EmptyResponse {}, write).await
    }

    async fn list_conversations(
        &self,
        uid: &str,
        query: ListConversationsQuery,
    ) -> Result<ConversationsResponse, ApiError> {
        let uid = self
            .authorize(uid, IntegrationRoute::ListConversations)
            .await?;
        let params = query.validate()?;
        let conversations = self
            .service
            .store()
            .list_conversations(&uid, &params)
            .await
            .map_err(store_error)?;
        Ok(ConversationsResponse { conversations })
    }

    async fn list_memories(
        &self,
        uid: &str,
        query: ListMemoriesQuery,
    ) -> Result<MemoriesResponse, ApiError> {
        let uid = self.authorize(uid, IntegrationRoute::ListMemories).await?;
        let page = query.validate()?;
        let params = DevMemoryListParams {
            page,
            categories: Vec::new(),
        };
        let memories = self
            .service
            .store()
            .list_memories(&uid, &params)
            .await
            .map_err(store_error)?;
        Ok(MemoriesResponse { memories })
    }
}
