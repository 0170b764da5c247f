//! The Developer API's action items (`/v1/dev/user/action-items...`) over HTTP: inherent
//! methods on [`DeveloperClient`], which its `DeveloperActionItems` implementation calls.

use async_trait::async_trait;
use futures::Stream;
use omi_api::{DeveloperActionItems, messages};
use omi_model::{
    ActionItem, ActionItemSearchItem, ActionItemSearchResponse, BatchActionItemsResponse,
    BatchCreateActionItemsRequest, CreateActionItemRequest, ListActionItemsQuery,
    SearchActionItemsQuery, SuccessResponse, UpdateActionItemRequest,
};
use reqwest::Method;

use crate::paging::pages;
use crate::{DeveloperClient, Error};

const ACTION_ITEMS: &[&str] = &["v1", "dev", "user", "action-items"];
const ACTION_ITEMS_BATCH: &[&str] = &["v1", "dev", "user", "action-items", "batch"];
const ACTION_ITEMS_SEARCH: &[&str] = &["v1", "dev", "user", "action-items", "search"];

impl DeveloperClient {
    /// `GET /v1/dev/user/action-items`: one page of the user's action items, newest first,
    /// optionally of one conversation, completed or open, created within dates (scope
    /// `action_items:read`). [`action_items_stream`](Self::action_items_stream) pages through
    /// all of them.
    pub async fn list_action_items(
        &self,
        query: ListActionItemsQuery,
    ) -> Result<Vec<ActionItem>, Error> {
        self.call::<(), _>(Method::GET, ACTION_ITEMS, &query.to_query_pairs(), None)
            .await
    }

    /// `GET /v1/dev/user/action-items/search`: the user's action items whose description
    /// matches the query, best first, each highlighted (scope `action_items:read`; ours, not
    /// in OMI's cloud). [`search_action_items_stream`](Self::search_action_items_stream)
    /// pages through all of them.
    pub async fn search_action_items(
        &self,
        query: SearchActionItemsQuery,
    ) -> Result<ActionItemSearchResponse, Error> {
        self.call::<(), _>(
            Method::GET,
            ACTION_ITEMS_SEARCH,
            &query.to_query_pairs(),
            None,
        )
        .await
    }

    /// Every hit of [`search_action_items`](Self::search_action_items), a page
    /// (`query.limit`, 10 by default) at a time.
    pub fn search_action_items_stream(
        &self,
        query: SearchActionItemsQuery,
    ) -> impl Stream<Item = Result<ActionItemSearchItem, Error>> + Send + '_ {
        pages(query.limit, query.offset, 10, move |limit, offset| {
            let q = SearchActionItemsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            };
            async move { Ok(self.search_action_items(q).await?.items) }
        })
    }

    /// `POST /v1/dev/user/action-items`: create an action item (scope `action_items:write`).
    pub async fn create_action_item(
        &self,
        request: CreateActionItemRequest,
    ) -> Result<ActionItem, Error> {
        self.call(Method::POST, ACTION_ITEMS, &[], Some(&request))
            .await
    }

    /// `POST /v1/dev/user/action-items/batch`: create up to 50 action items, all or nothing.
    pub async fn create_action_items_batch(
        &self,
        request: BatchCreateActionItemsRequest,
    ) -> Result<BatchActionItemsResponse, Error> {
        self.call(Method::POST, ACTION_ITEMS_BATCH, &[], Some(&request))
            .await
    }

    /// `GET /v1/dev/user/action-items/{id}`: one action item; 404 "Action item not found"
    /// for an unknown id or another user's.
    pub async fn get_action_item(&self, action_item_id: &str) -> Result<ActionItem, Error> {
        let id = (action_item_id, messages::ACTION_ITEM_NOT_FOUND);
        self.call_item::<(), _>(Method::GET, ACTION_ITEMS, id, &[], None)
            .await
    }

    /// `PATCH /v1/dev/user/action-items/{id}`: change the description or due time, complete
    /// it (`completed_at` becomes now) or reopen it (`completed_at` is cleared).
    pub async fn update_action_item(
        &self,
        action_item_id: &str,
        request: UpdateActionItemRequest,
    ) -> Result<ActionItem, Error> {
        let id = (action_item_id, messages::ACTION_ITEM_NOT_FOUND);
        self.call_item(Method::PATCH, ACTION_ITEMS, id, &[], Some(&request))
            .await
    }

    /// `DELETE /v1/dev/user/action-items/{id}`: delete it for good; answers
    /// `{"success": true}`.
    pub async fn delete_action_item(&self, action_item_id: &str) -> Result<SuccessResponse, Error> {
        let id = (action_item_id, messages::ACTION_ITEM_NOT_FOUND);
        self.call_item::<(), _>(Method::DELETE, ACTION_ITEMS, id, &[], None)
            .await
    }

    /// Every action item matching `query`, fetched a page at a time (`query.limit` per page,
    /// 100 by default) until none are left. The stream's combinators are in
    /// [`futures`](crate::futures), re-exported by this crate.
    pub fn action_items_stream(
        &self,
        query: ListActionItemsQuery,
    ) -> impl Stream<Item = Result<ActionItem, Error>> + Send + '_ {
        pages(query.limit, query.offset, 100, move |limit, offset| {
            let q = ListActionItemsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            };
            async move { self.list_action_items(q).await }
        })
    }
}

/// The inherent methods above, as the transport-agnostic trait.
#[async_trait]
impl DeveloperActionItems for DeveloperClient {
    type Error = Error;

    async fn list_action_items(
        &self,
        query: ListActionItemsQuery,
    ) -> Result<Vec<ActionItem>, Error> {
        DeveloperClient::list_action_items(self, query).await
    }

    async fn search_action_items(
        &self,
        query: SearchActionItemsQuery,
    ) -> Result<ActionItemSearchResponse, Error> {
        DeveloperClient::search_action_items(self, query).await
    }

    async fn create_action_item(
        &self,
        request: CreateActionItemRequest,
    ) -> Result<ActionItem, Error> {
        DeveloperClient::create_action_item(self, request).await
    }

    async fn create_action_items_batch(
        &self,
        request: BatchCreateActionItemsRequest,
    ) -> Result<BatchActionItemsResponse, Error> {
        DeveloperClient::create_action_items_batch(self, request).await
    }

    async fn get_action_item(&self, action_item_id: &str) -> Result<ActionItem, Error> {
        DeveloperClient::get_action_item(self, action_item_id).await
    }

    async fn update_action_item(
        &self,
        action_item_id: &str,
        request: UpdateActionItemRequest,
    ) -> Result<ActionItem, Error> {
        DeveloperClient::update_action_item(self, action_item_id, request).await
    }

    async fn delete_action_item(&self, action_item_id: &str) -> Result<SuccessResponse, Error> {
        DeveloperClient::delete_action_item(self, action_item_id).await
    }
}
