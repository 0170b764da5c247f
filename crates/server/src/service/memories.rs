//! The Developer API's memories (`/v1/dev/user/memories...`) over the store.

use async_trait::async_trait;
use omi_api::{ApiError, DeveloperMemories, messages};
use omi_model::{
    BatchCreateMemoriesRequest, BatchMemoriesResponse, CreateMemoryRequest, ListDevMemoriesQuery,
    Memory, MemorySearchResponse, NewMemory, SearchMemoriesQuery, SuccessResponse, Uid,
    UpdateMemoryRequest,
};

use super::{AuthorizedDeveloper, DeveloperHandle, dev_access, store_error};
use crate::store::MemoryRecord;

impl AuthorizedDeveloper {
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
        let now = self.service().now();
        let records: Vec<MemoryRecord> = new.iter().map(|m| MemoryRecord::manual(m, now)).collect();
        let store = self.service().store();
        let write = |remember| store.insert_memories(uid, &records, None, remember);
        let answered = self
            .service()
            .create_once(move |stored: &Vec<Memory>| answer(stored.clone()), write)
            .await;
        self.service().memories_written();
        answered
    }

    async fn existing(&self, uid: &Uid, memory_id: &str) -> Result<Memory, ApiError> {
        self.service()
            .store()
            .memory(uid, memory_id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(messages::MEMORY_NOT_FOUND))
    }
}

impl AuthorizedDeveloper {
    /// [`DeveloperMemories::list_memories`] for this caller.
    pub async fn list_memories(
        &self,
        query: ListDevMemoriesQuery,
    ) -> Result<Vec<Memory>, ApiError> {
        let params = query.validate()?;
        self.service()
            .store()
            .list_memories(&self.uid, &params)
            .await
            .map_err(store_error)
    }

    /// [`DeveloperMemories::search_memories`] for this caller.
    pub async fn search_memories(
        &self,
        query: SearchMemoriesQuery,
    ) -> Result<MemorySearchResponse, ApiError> {
        let search = query.validate()?;
        let store = self.service().store().as_ref();
        let items = match self.service().semantic() {
            Some(semantic) => semantic.hybrid(store, &self.uid, &search).await,
            None => store.search_memories(&self.uid, &search).await,
        };
        Ok(MemorySearchResponse::developer_api(
            items.map_err(store_error)?,
        ))
    }

    /// [`DeveloperMemories::create_memory`] for this caller.
    pub async fn create_memory(&self, request: CreateMemoryRequest) -> Result<Memory, ApiError> {
        let new = request.validate()?;
        let stored = self.insert(&self.uid, std::slice::from_ref(&new), |mut stored| {
            stored.pop()
        });
        stored.await?.ok_or_else(ApiError::internal)
    }

    /// [`DeveloperMemories::create_memories_batch`] for this caller.
    pub async fn create_memories_batch(
        &self,
        request: BatchCreateMemoriesRequest,
    ) -> Result<BatchMemoriesResponse, ApiError> {
        let new = request.validate()?;
        self.insert(&self.uid, &new, |memories| BatchMemoriesResponse {
            created_count: memories.len(),
            memories,
        })
        .await
    }

    /// [`DeveloperMemories::get_memory`] for this caller.
    pub async fn get_memory(&self, memory_id: &str) -> Result<Memory, ApiError> {
        self.existing(&self.uid, memory_id).await
    }

    /// [`DeveloperMemories::update_memory`] for this caller.
    pub async fn update_memory(
        &self,
        memory_id: &str,
        request: UpdateMemoryRequest,
    ) -> Result<Memory, ApiError> {
        self.existing(&self.uid, memory_id).await?;
        let update = request.validate()?;
        let now = self.service().now();
        let updated = self
            .service()
            .store()
            .update_memory(&self.uid, memory_id, &update, now)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(messages::MEMORY_NOT_FOUND));
        self.service().memories_written();
        updated
    }

    /// [`DeveloperMemories::delete_memory`] for this caller.
    pub async fn delete_memory(&self, memory_id: &str) -> Result<SuccessResponse, ApiError> {
        let deleted = self
            .service()
            .store()
            .delete_memory(&self.uid, memory_id)
            .await
            .map_err(store_error)?;
        if deleted {
            Ok(SuccessResponse::OK)
        } else {
            Err(ApiError::not_found(messages::MEMORY_NOT_FOUND))
        }
    }
}

#[async_trait]
impl DeveloperMemories for DeveloperHandle {
    type Error = ApiError;

    async fn list_memories(&self, query: ListDevMemoriesQuery) -> Result<Vec<Memory>, ApiError> {
        self.authorized::<dev_access::MemoriesRead>()
            .await?
            .list_memories(query)
            .await
    }

    async fn search_memories(
        &self,
        query: SearchMemoriesQuery,
    ) -> Result<MemorySearchResponse, ApiError> {
        self.authorized::<dev_access::MemoriesRead>()
            .await?
            .search_memories(query)
            .await
    }

    async fn create_memory(&self, request: CreateMemoryRequest) -> Result<Memory, ApiError> {
        self.authorized::<dev_access::MemoriesWrite>()
            .await?
            .create_memory(request)
            .await
    }

    async fn create_memories_batch(
        &self,
        request: BatchCreateMemoriesRequest,
    ) -> Result<BatchMemoriesResponse, ApiError> {
        self.authorized::<dev_access::MemoriesBatch>()
            .await?
            .create_memories_batch(request)
            .await
    }

    async fn get_memory(&self, memory_id: &str) -> Result<Memory, ApiError> {
        self.authorized::<dev_access::MemoriesRead>()
            .await?
            .get_memory(memory_id)
            .await
    }

    async fn update_memory(
        &self,
        memory_id: &str,
        request: UpdateMemoryRequest,
    ) -> Result<Memory, ApiError> {
        self.authorized::<dev_access::MemoriesWrite>()
            .await?
            .update_memory(memory_id, request)
            .await
    }

    async fn delete_memory(&self, memory_id: &str) -> Result<SuccessResponse, ApiError> {
        self.authorized::<dev_access::MemoriesWrite>()
            .await?
            .delete_memory(memory_id)
            .await
    }
}
