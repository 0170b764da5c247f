//! The Developer API's action items (`/v1/dev/user/action-items...`) over HTTP.

use async_trait::async_trait;
use futures::Stream;
use omi_api::{DeveloperActionItems, messages};
use omi_model::{
    ActionItem, BatchActionItemsResponse, BatchCreateActionItemsRequest, CreateActionItemRequest,
    ListActionItemsQuery, SuccessResponse, UpdateActionItemRequest,
};
use reqwest::Method;

use crate::paging::pages;
use crate::{DeveloperClient, Error};

const ACTION_ITEMS: &[&str] = &["v1", "dev", "user", "action-items"];
const ACTION_ITEMS_BATCH: &[&str] = &["v1", "dev", "user", "action-items", "batch"];

impl DeveloperClient {
    /// Every action item matching `query`, fetched a page at a time (`query.limit` per page,
    /// 100 by default) until none are left.
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

#[async_trait]
impl DeveloperActionItems for DeveloperClient {
    type Error = Error;

    async fn list_action_items(
        &self,
        query: ListActionItemsQuery,
    ) -> Result<Vec<ActionItem>, Error> {
        self.call::<(), _>(Method::GET, ACTION_ITEMS, &query.to_query_pairs(), None)
            .await
    }

    async fn create_action_item(
        &self,
        request: CreateActionItemRequest,
    ) -> Result<ActionItem, Error> {
        self.call(Method::POST, ACTION_ITEMS, &[], Some(&request))
            .await
    }

    async fn create_action_items_batch(
        &self,
        request: BatchCreateActionItemsRequest,
    ) -> Result<BatchActionItemsResponse, Error> {
        self.call(Method::POST, ACTION_ITEMS_BATCH, &[], Some(&request))
            .await
    }

    async fn get_action_item(&self, action_item_id: &str) -> Result<ActionItem, Error> {
        let id = (action_item_id, messages::ACTION_ITEM_NOT_FOUND);
        self.call_item::<(), _>(Method::GET, ACTION_ITEMS, id, &[], None)
            .await
    }

    async fn update_action_item(
        &self,
        action_item_id: &str,
        request: UpdateActionItemRequest,
    ) -> Result<ActionItem, Error> {
        let id = (action_item_id, messages::ACTION_ITEM_NOT_FOUND);
        self.call_item(Method::PATCH, ACTION_ITEMS, id, &[], Some(&request))
            .await
    }

    async fn delete_action_item(&self, action_item_id: &str) -> Result<SuccessResponse, Error> {
        let id = (action_item_id, messages::ACTION_ITEM_NOT_FOUND);
        self.call_item::<(), _>(Method::DELETE, ACTION_ITEMS, id, &[], None)
            .await
    }
}
