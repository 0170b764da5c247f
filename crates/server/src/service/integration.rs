//! The Integration Imports API over the store.

use async_trait::async_trait;
use omi_api::{ApiError, IntegrationImports, messages};
use omi_model::{
    ApiKey, Capability, ConversationTextSource, ConversationsResponse, CreateConversationRequest,
    CreateMemoriesRequest, DevMemoryListParams, EmptyResponse, ListConversationsQuery,
    ListMemoriesQuery, ListTasksQuery, Loc, MemoriesResponse, SearchConversationsQuery,
    SearchConversationsRequest, SearchConversationsResponse, Task, TasksResponse, Uid,
};

use super::{Checked, Service, credentials, store_error};
use crate::keys;
use crate::ratelimit::{Policy, QuotaState};
use crate::store::{ConversationRecord, JobTask, MemoryRecord, TextToExtract};

/// What an Integration Imports route needs of its app: a capability, and the rate-limit
/// policy the call counts against. Each route names one of the [`app_access`] markers, so
/// the in-process trait methods and the HTTP handlers check the same thing.
pub trait AppAccess: Send + Sync + 'static {
    /// The capability the app must have (else 403).
    const CAPABILITY: Capability;
    /// The rate-limit policy the call counts against (over it: 429).
    const POLICY: Policy;
}

/// The kinds of access of the Integration Imports routes.
pub mod app_access {
    use super::{AppAccess, Capability, Policy};

    crate::service::access_markers! {
        AppAccess { CAPABILITY: Capability, POLICY: Policy }
        /// `POST /v2/integrations/{app_id}/user/conversations`.
        CreateConversation => (CreateConversation, IntegrationConversations);
        /// `POST /v2/integrations/{app_id}/user/memories`.
        CreateMemories => (CreateMemories, IntegrationMemories);
        /// `GET /v2/integrations/{app_id}/conversations`.
        ReadConversations => (ReadConversations, IntegrationReads);
        /// `GET /v2/integrations/{app_id}/memories`.
        ReadMemories => (ReadMemories, IntegrationReads);
        /// `POST /v2/integrations/{app_id}/search/conversations`.
        SearchConversations => (ReadConversations, IntegrationReads);
        /// `GET /v2/integrations/{app_id}/tasks`.
        ReadTasks => (ReadTasks, IntegrationReads);
    }
}

/// The Integration Imports API of one app, called with one key.
#[derive(Debug)]
pub struct IntegrationHandle {
    service: Service,
    app_id: String,
    key: Option<ApiKey>,
}

/// The Integration Imports API of one app for one user, once the app's key passed the
/// checks of one access: what the routes do once the caller is known. Made only by
/// [`IntegrationHandle::authorize`].
#[derive(Debug, Clone)]
pub struct AuthorizedIntegration {
    service: Service,
    app_id: String,
    uid: Uid,
}

impl IntegrationHandle {
    pub(super) fn new(service: Service, app_id: String, key: Option<ApiKey>) -> Self {
        Self {
            service,
            app_id,
            key,
        }
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
    /// `uid` (422: `uid` is the user id, or why the request has none), rate limit (429), app
    /// exists (404), app enabled by the user (403), `A`'s capability (403); with the quota
    /// the check left.
    pub async fn authorize<A: AppAccess>(
        &self,
        uid: Result<&str, ApiError>,
    ) -> Checked<AuthorizedIntegration> {
        let mut quota = None;
        let caller = self.check(uid, A::CAPABILITY, A::POLICY, &mut quota).await;
        Checked { caller, quota }
    }

    async fn check(
        &self,
        uid: Result<&str, ApiError>,
        capability: Capability,
        policy: Policy,
        quota: &mut Option<QuotaState>,
    ) -> Result<AuthorizedIntegration, ApiError> {
        self.authenticate().await?;
        let uid = Uid::parse_at(&Loc::query("uid"), uid?)?;
        let (cache, store) = (self.service.credentials(), self.service.store().as_ref());
        let subject = format!("{}:{}", self.app_id, uid.as_str());
        let (counted, state) = self.service.count_call(policy, &subject).await;
        *quota = state;
        counted?;
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
        Ok(AuthorizedIntegration {
            service: self.service.clone(),
            app_id: self.app_id.clone(),
            uid,
        })
    }

    /// [`IntegrationHandle::authorize`] for a trait call, which has no use for the quota.
    async fn authorized<A: AppAccess>(&self, uid: &str) -> Result<AuthorizedIntegration, ApiError> {
        self.authorize::<A>(Ok(uid)).await.caller
    }
}

impl AuthorizedIntegration {
    /// The user the call acts for.
    pub fn uid(&self) -> &Uid {
        &self.uid
    }

    /// [`IntegrationImports::create_conversation`] for this caller.
    pub async fn create_conversation(
        &self,
        request: CreateConversationRequest,
    ) -> Result<EmptyResponse, ApiError> {
        let now = self.service.now();
        let new = request.validate(now, ConversationTextSource::AudioTranscript)?;
        let record = ConversationRecord::imported(self.uid.clone(), &self.app_id, new);
        let task = JobTask::ProcessConversation {
            conversation_id: record.id.clone(),
        };
        let job = self.service.new_job(self.uid.clone(), task, now);
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

    /// [`IntegrationImports::create_memories`] for this caller.
    pub async fn create_memories(
        &self,
        request: CreateMemoriesRequest,
    ) -> Result<EmptyResponse, ApiError> {
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
                source_id: import.text_origin.source_id.clone(),
                source_url: import.text_origin.source_url.clone(),
            });
            self.service.new_job(self.uid.clone(), task, now)
        });
        let service = &self.service;
        let write = |answer| async move {
            let stored = service
                .store()
                .insert_memories(&self.uid, &records, job.as_ref(), answer)
                .await?;
            if job.is_some() {
                service.job_enqueued();
            }
            service.memories_written();
            Ok(stored)
        };
        service.create_once(|_| EmptyResponse {}, write).await
    }

    /// [`IntegrationImports::list_conversations`] for this caller.
    pub async fn list_conversations(
        &self,
        query: ListConversationsQuery,
    ) -> Result<ConversationsResponse, ApiError> {
        let params = query.validate()?;
        let conversations = self
            .service
            .store()
            .list_conversations(&self.uid, &params)
            .await
            .map_err(store_error)?;
        Ok(ConversationsResponse {
            conversations: with_segments_capped(conversations, params.max_transcript_segments),
        })
    }

    /// [`IntegrationImports::search_conversations`] for this caller.
    pub async fn search_conversations(
        &self,
        request: SearchConversationsRequest,
        query: SearchConversationsQuery,
    ) -> Result<SearchConversationsResponse, ApiError> {
        let max_segments = query.validate()?;
        let search = request.validate()?;
        let found = self
            .service
            .store()
            .search_conversations(&self.uid, &search)
            .await
            .map_err(store_error)?;
        Ok(SearchConversationsResponse::page_of(
            &search,
            with_segments_capped(found.conversations, max_segments),
            found.found,
        ))
    }

    /// [`IntegrationImports::list_memories`] for this caller.
    pub async fn list_memories(
        &self,
        query: ListMemoriesQuery,
    ) -> Result<MemoriesResponse, ApiError> {
        let page = query.validate()?;
        let params = DevMemoryListParams {
            page,
            categories: Vec::new(),
        };
        let memories = self
            .service
            .store()
            .list_memories(&self.uid, &params)
            .await
            .map_err(store_error)?;
        Ok(MemoriesResponse { memories })
    }

    /// [`IntegrationImports::list_tasks`] for this caller.
    pub async fn list_tasks(&self, query: ListTasksQuery) -> Result<TasksResponse, ApiError> {
        let params = query.validate()?;
        let items = self
            .service
            .store()
            .list_action_items(&self.uid, &params)
            .await
            .map_err(store_error)?;
        Ok(TasksResponse {
            tasks: items.into_iter().map(Task::from).collect(),
        })
    }
}

/// `conversations` with at most `max` transcript segments each (`None`: all), as the
/// integration routes' `max_transcript_segments` asks.
fn with_segments_capped(
    mut conversations: Vec<omi_model::Conversation>,
    max: Option<usize>,
) -> Vec<omi_model::Conversation> {
    if let Some(max) = max {
        for segments in conversations
            .iter_mut()
            .filter_map(|c| c.transcript_segments.as_mut())
        {
            segments.truncate(max);
        }
    }
    conversations
}

#[async_trait]
impl IntegrationImports for IntegrationHandle {
    type Error = ApiError;

    async fn create_conversation(
        &self,
        uid: &str,
        request: CreateConversationRequest,
    ) -> Result<EmptyResponse, ApiError> {
        self.authorized::<app_access::CreateConversation>(uid)
            .await?
            .create_conversation(request)
            .await
    }

    async fn create_memories(
        &self,
        uid: &str,
        request: CreateMemoriesRequest,
    ) -> Result<EmptyResponse, ApiError> {
        self.authorized::<app_access::CreateMemories>(uid)
            .await?
            .create_memories(request)
            .await
    }

    async fn list_conversations(
        &self,
        uid: &str,
        query: ListConversationsQuery,
    ) -> Result<ConversationsResponse, ApiError> {
        self.authorized::<app_access::ReadConversations>(uid)
            .await?
            .list_conversations(query)
            .await
    }

    async fn search_conversations(
        &self,
        uid: &str,
        request: SearchConversationsRequest,
        query: SearchConversationsQuery,
    ) -> Result<SearchConversationsResponse, ApiError> {
        self.authorized::<app_access::SearchConversations>(uid)
            .await?
            .search_conversations(request, query)
            .await
    }

    async fn list_memories(
        &self,
        uid: &str,
        query: ListMemoriesQuery,
    ) -> Result<MemoriesResponse, ApiError> {
        self.authorized::<app_access::ReadMemories>(uid)
            .await?
            .list_memories(query)
            .await
    }

    async fn list_tasks(
        &self,
        uid: &str,
        query: ListTasksQuery,
    ) -> Result<TasksResponse, ApiError> {
        self.authorized::<app_access::ReadTasks>(uid)
            .await?
            .list_tasks(query)
            .await
    }
}
