//! The Developer API's action items.

use async_trait::async_trait;
use omi_model::{
    ActionItem, ActionItemSearchResponse, BatchActionItemsResponse, BatchCreateActionItemsRequest,
    CreateActionItemRequest, ListActionItemsQuery, SearchActionItemsQuery, SuccessResponse,
    UpdateActionItemRequest,
};

use crate::CallError;

/// The Developer API's action items (`/v1/dev/user/action-items`), built with a developer
/// key; every call acts for the key's user. Reads need the `action_items:read` scope, writes
/// `action_items:write`. An unknown id, or another user's, is 404 "Action item not found".
#[async_trait]
pub trait DeveloperActionItems: Send + Sync {
    /// What a call fails with: [`ApiError`](crate::ApiError) in-process; over HTTP also transport failures.
    type Error: CallError;

    /// `GET /v1/dev/user/action-items`: the user's action items, newest first, optionally of
    /// one conversation, completed or open, created within dates.
    async fn list_action_items(
        &self,
        query: ListActionItemsQuery,
    ) -> Result<Vec<ActionItem>, Self::Error>;

    /// `GET /v1/dev/user/action-items/search` (ours; OMI's cloud has no such Developer API
    /// route): the user's action items whose description matches `query.query`, best first,
    /// each with its description highlighted (`**` around the words found); `limit` 1..=100
    /// (default 10) and `offset` page through them, `start_date` / `end_date` bound
    /// `created_at`. Words match in any form, case and accents aside, and any part of a
    /// text in a script without spaces.
    async fn search_action_items(
        &self,
        query: SearchActionItemsQuery,
    ) -> Result<ActionItemSearchResponse, Self::Error>;

    /// `POST /v1/dev/user/action-items`: create an action item.
    async fn create_action_item(
        &self,
        request: CreateActionItemRequest,
    ) -> Result<ActionItem, Self::Error>;

    /// `POST /v1/dev/user/action-items/batch`: create up to 50 action items, all or nothing.
    async fn create_action_items_batch(
        &self,
        request: BatchCreateActionItemsRequest,
    ) -> Result<BatchActionItemsResponse, Self::Error>;

    /// `GET /v1/dev/user/action-items/{id}`: one action item (an addition to OMI's cloud).
    async fn get_action_item(&self, action_item_id: &str) -> Result<ActionItem, Self::Error>;

    /// `PATCH /v1/dev/user/action-items/{id}`: change the description or due time, complete
    /// it (`completed_at` becomes now) or reopen it (`completed_at` is cleared).
    async fn update_action_item(
        &self,
        action_item_id: &str,
        request: UpdateActionItemRequest,
    ) -> Result<ActionItem, Self::Error>;

    /// `DELETE /v1/dev/user/action-items/{id}`: delete it for good; answers
    /// `{"success": true}`.
    async fn delete_action_item(
        &self,
        action_item_id: &str,
    ) -> Result<SuccessResponse, Self::Error>;
}
