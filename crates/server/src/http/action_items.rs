//! `/v1/dev/user/action-items...`: the Developer API's action items.

use axum::extract::Path;
use axum::response::Response;
use omi_model::{
    ActionItem, ActionItemSearchResponse, BatchActionItemsResponse, BatchCreateActionItemsRequest,
    CreateActionItemRequest, ListActionItemsQuery, RankedSearchQuery, SearchActionItemsQuery,
    SuccessResponse, UpdateActionItemRequest,
};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::callers::Developer;
use super::extractors::{ApiJson, RawQueryString};
use crate::http::openapi::{ACTION_ITEMS_TAG, ActionItemIdParam};
use crate::service::dev_access;

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(create_batch))
        .routes(routes!(search))
        .routes(routes!(get_one, update, delete))
}

/// List action items
///
/// The key owner's action items, newest first: optionally one conversation's, completed or
/// open, created within dates.
#[utoipa::path(
    get,
    path = "/v1/dev/user/action-items",
    operation_id = "list_action_items",
    tag = ACTION_ITEMS_TAG,
    params(ListActionItemsQuery),
    responses((status = 200, description = "A page of action items", body = Vec<ActionItem>)),
    security(("developer_key" = ["action_items:read"])),
)]
async fn list(
    dev: Developer<dev_access::ActionItemsRead>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: ListActionItemsQuery| {
        dev.api.list_action_items(query)
    })
    .await
}

/// Search action items
///
/// The key owner's action items whose description matches `query`, best first, each with
/// a `snippet` of its description with the words found wrapped in `**`. Full-text, offline:
/// any form of a word finds the others ("hiking" finds "hike"), case and accents do not
/// matter, and any part of a Japanese, Chinese or Thai text is found. Not in OMI's cloud.
#[utoipa::path(
    get,
    path = "/v1/dev/user/action-items/search",
    operation_id = "search_action_items",
    tag = ACTION_ITEMS_TAG,
    params(RankedSearchQuery),
    responses((status = 200, description = "The action items found, best first", body = ActionItemSearchResponse)),
    security(("developer_key" = ["action_items:read"])),
)]
async fn search(
    dev: Developer<dev_access::ActionItemsRead>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: SearchActionItemsQuery| {
        dev.api.search_action_items(query)
    })
    .await
}

/// Create action item
///
/// Stores one action item and returns it.
#[utoipa::path(
    post,
    path = "/v1/dev/user/action-items",
    operation_id = "create_action_item",
    tag = ACTION_ITEMS_TAG,
    request_body = CreateActionItemRequest,
    responses((status = 200, description = "The action item", body = ActionItem)),
    security(("developer_key" = ["action_items:write"])),
)]
async fn create(
    dev: Developer<dev_access::ActionItemsWrite>,
    ApiJson(body): ApiJson<CreateActionItemRequest>,
) -> Response {
    dev.answer(dev.api.create_action_item(body).await)
}

/// Create action items (batch)
///
/// Up to 50 action items at once, all or nothing.
#[utoipa::path(
    post,
    path = "/v1/dev/user/action-items/batch",
    operation_id = "create_action_items_batch",
    tag = ACTION_ITEMS_TAG,
    request_body = BatchCreateActionItemsRequest,
    responses((status = 200, description = "The action items, in request order", body = BatchActionItemsResponse)),
    security(("developer_key" = ["action_items:write"])),
)]
async fn create_batch(
    dev: Developer<dev_access::ActionItemsWrite>,
    ApiJson(body): ApiJson<BatchCreateActionItemsRequest>,
) -> Response {
    dev.answer(dev.api.create_action_items_batch(body).await)
}

/// Get action item
///
/// One action item by id (not in OMI's cloud). Another user's item is not found.
#[utoipa::path(
    get,
    path = "/v1/dev/user/action-items/{action_item_id}",
    operation_id = "get_action_item",
    tag = ACTION_ITEMS_TAG,
    params(ActionItemIdParam),
    responses((status = 200, description = "The action item", body = ActionItem)),
    security(("developer_key" = ["action_items:read"])),
)]
async fn get_one(
    dev: Developer<dev_access::ActionItemsRead>,
    Path(action_item_id): Path<String>,
) -> Response {
    dev.answer(dev.api.get_action_item(&action_item_id).await)
}

/// Update action item
///
/// Changes the description or due time, completes it (`completed_at` becomes now) or
/// reopens it (`completed_at` is cleared).
#[utoipa::path(
    patch,
    path = "/v1/dev/user/action-items/{action_item_id}",
    operation_id = "update_action_item",
    tag = ACTION_ITEMS_TAG,
    params(ActionItemIdParam),
    request_body = UpdateActionItemRequest,
    responses((status = 200, description = "The action item as updated", body = ActionItem)),
    security(("developer_key" = ["action_items:write"])),
)]
async fn update(
    dev: Developer<dev_access::ActionItemsWrite>,
    Path(action_item_id): Path<String>,
    ApiJson(body): ApiJson<UpdateActionItemRequest>,
) -> Response {
    dev.answer(dev.api.update_action_item(&action_item_id, body).await)
}

/// Delete action item
///
/// Deletes it for good.
#[utoipa::path(
    delete,
    path = "/v1/dev/user/action-items/{action_item_id}",
    operation_id = "delete_action_item",
    tag = ACTION_ITEMS_TAG,
    params(ActionItemIdParam),
    responses((status = 200, description = "Deleted", body = SuccessResponse)),
    security(("developer_key" = ["action_items:write"])),
)]
async fn delete(
    dev: Developer<dev_access::ActionItemsWrite>,
    Path(action_item_id): Path<String>,
) -> Response {
    dev.answer(dev.api.delete_action_item(&action_item_id).await)
}
