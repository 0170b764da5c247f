//! The Developer API's action items over the store.

use async_trait::async_trait;
use omi_api::{ApiError, DeveloperActionItems, messages};
use omi_extract::search::{SNIPPET_CHARS, highlighted_snippet, query_phrases};
use omi_model::{
    ActionItem, ActionItemSearchItem, ActionItemSearchResponse, BatchActionItemsResponse,
    BatchCreateActionItemsRequest, CreateActionItemRequest, ListActionItemsQuery, NewActionItem,
    SearchActionItemsQuery, SuccessResponse, Uid, UpdateActionItemRequest,
};

use super::{AuthorizedDeveloper, DeveloperHandle, dev_access, store_error};
use crate::store::ActionItemRecord;

impl AuthorizedDeveloper {
    /// Store `new` for `uid`, made now, all in one transaction (once per `Idempotency-Key`),
    /// answering with `answer` of what was stored.
    async fn insert_action_items<T>(
        &self,
        uid: &Uid,
        new: &[NewActionItem],
        answer: fn(Vec<ActionItem>) -> T,
    ) -> Result<T, ApiError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
    {
        let now = self.service().now();
        let records: Vec<ActionItemRecord> = new
            .iter()
            .map(|item| ActionItemRecord::manual(item, now))
            .collect();
        let store = self.service().store();
        let write = |remember| store.insert_action_items(uid, &records, remember);
        self.service()
            .create_once(
                move |stored: &Vec<ActionItem>| answer(stored.clone()),
                write,
            )
            .await
    }

    async fn action_item_of(&self, uid: &Uid, id: &str) -> Result<ActionItem, ApiError> {
        self.service()
            .store()
            .action_item(uid, id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(messages::ACTION_ITEM_NOT_FOUND))
    }
}

impl AuthorizedDeveloper {
    /// [`DeveloperActionItems::list_action_items`] for this caller.
    pub async fn list_action_items(
        &self,
        query: ListActionItemsQuery,
    ) -> Result<Vec<ActionItem>, ApiError> {
        let params = query.validate()?;
        self.service()
            .store()
            .list_action_items(&self.uid, &params)
            .await
            .map_err(store_error)
    }

    /// [`DeveloperActionItems::search_action_items`] for this caller.
    pub async fn search_action_items(
        &self,
        query: SearchActionItemsQuery,
    ) -> Result<ActionItemSearchResponse, ApiError> {
        let search = query.validate()?;
        let found = self
            .service()
            .store()
            .rank_action_items(&self.uid, &search)
            .await
            .map_err(store_error)?;
        let phrases = query_phrases(&search.query);
        let items = found
            .into_iter()
            .map(|(action_item, relevance_score)| ActionItemSearchItem {
                relevance_score,
                snippet: highlighted_snippet(&action_item.description, &phrases, SNIPPET_CHARS),
                action_item,
            })
            .collect();
        Ok(ActionItemSearchResponse::new(items))
    }

    /// [`DeveloperActionItems::create_action_item`] for this caller.
    pub async fn create_action_item(
        &self,
        request: CreateActionItemRequest,
    ) -> Result<ActionItem, ApiError> {
        let new = request.validate()?;
        let stored =
            self.insert_action_items(&self.uid, std::slice::from_ref(&new), |mut s| s.pop());
        stored.await?.ok_or_else(ApiError::internal)
    }

    /// [`DeveloperActionItems::create_action_items_batch`] for this caller.
    pub async fn create_action_items_batch(
        &self,
        request: BatchCreateActionItemsRequest,
    ) -> Result<BatchActionItemsResponse, ApiError> {
        let new = request.validate()?;
        self.insert_action_items(&self.uid, &new, |action_items| BatchActionItemsResponse {
            created_count: action_items.len(),
            action_items,
        })
        .await
    }

    /// [`DeveloperActionItems::get_action_item`] for this caller.
    pub async fn get_action_item(&self, action_item_id: &str) -> Result<ActionItem, ApiError> {
        self.action_item_of(&self.uid, action_item_id).await
    }

    /// [`DeveloperActionItems::update_action_item`] for this caller.
    pub async fn update_action_item(
        &self,
        action_item_id: &str,
        request: UpdateActionItemRequest,
    ) -> Result<ActionItem, ApiError> {
        self.action_item_of(&self.uid, action_item_id).await?;
        let update = request.validate()?;
        let now = self.service().now();
        self.service()
            .store()
            .update_action_item(&self.uid, action_item_id, &update, now)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(messages::ACTION_ITEM_NOT_FOUND))
    }

    /// [`DeveloperActionItems::delete_action_item`] for this caller.
    pub async fn delete_action_item(
        &self,
        action_item_id: &str,
    ) -> Result<SuccessResponse, ApiError> {
        let deleted = self
            .service()
            .store()
            .delete_action_item(&self.uid, action_item_id)
            .await
            .map_err(store_error)?;
        if deleted {
            Ok(SuccessResponse::OK)
        } else {
            Err(ApiError::not_found(messages::ACTION_ITEM_NOT_FOUND))
        }
    }
}

#[async_trait]
impl DeveloperActionItems for DeveloperHandle {
    type Error = ApiError;

    async fn list_action_items(
        &self,
        query: ListActionItemsQuery,
    ) -> Result<Vec<ActionItem>, ApiError> {
        self.authorized::<dev_access::ActionItemsRead>()
            .await?
            .list_action_items(query)
            .await
    }

    async fn search_action_items(
        &self,
        query: SearchActionItemsQuery,
    ) -> Result<ActionItemSearchResponse, ApiError> {
        self.authorized::<dev_access::ActionItemsRead>()
            .await?
            .search_action_items(query)
            .await
    }

    async fn create_action_item(
        &self,
        request: CreateActionItemRequest,
    ) -> Result<ActionItem, ApiError> {
        self.authorized::<dev_access::ActionItemsWrite>()
            .await?
            .create_action_item(request)
            .await
    }

    async fn create_action_items_batch(
        &self,
        request: BatchCreateActionItemsRequest,
    ) -> Result<BatchActionItemsResponse, ApiError> {
        self.authorized::<dev_access::ActionItemsWrite>()
            .await?
            .create_action_items_batch(request)
            .await
    }

    async fn get_action_item(&self, action_item_id: &str) -> Result<ActionItem, ApiError> {
        self.authorized::<dev_access::ActionItemsRead>()
            .await?
            .get_action_item(action_item_id)
            .await
    }

    async fn update_action_item(
        &self,
        action_item_id: &str,
        request: UpdateActionItemRequest,
    ) -> Result<ActionItem, ApiError> {
        self.authorized::<dev_access::ActionItemsWrite>()
            .await?
            .update_action_item(action_item_id, request)
            .await
    }

    async fn delete_action_item(&self, action_item_id: &str) -> Result<SuccessResponse, ApiError> {
        self.authorized::<dev_access::ActionItemsWrite>()
            .await?
            .delete_action_item(action_item_id)
            .await
    }
}
