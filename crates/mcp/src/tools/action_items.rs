//! Action item tools: `get_action_items`, `search_action_items`, `create_action_item`,
//! `complete_action_item`, `update_action_item`, `delete_action_item`, over
//! [`DeveloperActionItems`].

use omi_api::DeveloperActionItems;
use omi_api::model::{
    ActionItem, CreateActionItemRequest, ListActionItemsQuery, RankedSearchQuery,
    UpdateActionItemRequest,
};
use rmcp::schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{arguments, date, limit, paged};
use crate::cursor;
use crate::outcome::{ToolError, ToolOutcome, answer, called};

/// `get_action_items`' default page.
pub(crate) const LIST_DEFAULT: i64 = 100;
/// `get_action_items`' largest page.
pub(crate) const LIST_MAX: i64 = 500;
/// `search_action_items`' default number of results.
pub(crate) const SEARCH_DEFAULT: i64 = 10;
/// `search_action_items`' largest number of results.
pub(crate) const SEARCH_MAX: i64 = 50;

/// Arguments of `get_action_items`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct GetActionItems {
    /// Only completed (true) or open (false) items; omit for all.
    completed: Option<bool>,
    /// Only the items of this conversation.
    conversation_id: Option<String>,
    /// Only items created at or after this date (YYYY-MM-DD) or time (ISO 8601).
    start_date: Option<String>,
    /// Only items created at or before this date (YYYY-MM-DD) or time (ISO 8601).
    end_date: Option<String>,
    /// Number of action items to return, 1..=500 (default 100).
    #[schemars(range(min = 1, max = 500))]
    limit: Option<i64>,
    /// Items to skip (default 0); mutually exclusive with cursor.
    #[schemars(range(min = 0))]
    offset: Option<i64>,
    /// Opaque cursor from a previous answer's next_cursor (mutually exclusive with offset).
    cursor: Option<String>,
}

/// Arguments of `search_action_items`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchActionItems {
    /// What to search the user's tasks for, in any language.
    query: String,
    /// Most tasks to return, 1..=50 (default 10).
    #[schemars(range(min = 1, max = 50))]
    limit: Option<i64>,
}

/// Arguments of `create_action_item`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateActionItem {
    /// What the user needs to do.
    description: String,
    /// When it is due: ISO 8601 (2026-07-01T17:00:00Z) or YYYY-MM-DD.
    due_at: Option<String>,
    /// Create it already completed (default false).
    #[serde(default)]
    completed: bool,
}

/// Arguments of `complete_action_item`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct CompleteActionItem {
    /// The id of the action item.
    action_item_id: String,
    /// True to complete it (default), false to reopen it.
    #[serde(default = "yes")]
    #[schemars(default = "yes")]
    completed: bool,
}

fn yes() -> bool {
    true
}

/// Arguments of `update_action_item`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateActionItem {
    /// The id of the action item.
    action_item_id: String,
    /// Its new description.
    description: Option<String>,
    /// Its new due time: ISO 8601 (2026-07-01T17:00:00Z) or YYYY-MM-DD.
    due_at: Option<String>,
}

/// Arguments of `delete_action_item`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteActionItem {
    /// The id of the action item to delete.
    action_item_id: String,
}

/// The filters a `get_action_items` cursor is bound to.
#[derive(Serialize)]
struct ActionItemFilters<'a> {
    completed: Option<bool>,
    conversation_id: Option<&'a str>,
    start_date: Option<&'a str>,
    end_date: Option<&'a str>,
    limit: i64,
}

/// `get_action_items`: the user's action items, newest first, a page at a time.
pub(crate) async fn get_action_items<A: DeveloperActionItems>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: GetActionItems = arguments(args)?;
    let limit = limit(args.limit, LIST_DEFAULT, LIST_MAX)?;
    let filters = ActionItemFilters {
        completed: args.completed,
        conversation_id: args.conversation_id.as_deref(),
        start_date: args.start_date.as_deref(),
        end_date: args.end_date.as_deref(),
        limit,
    };
    let start = cursor::page_start(
        "get_action_items",
        &filters,
        args.offset,
        args.cursor.as_deref(),
    )?;
    let query = ListActionItemsQuery {
        conversation_id: args.conversation_id.clone(),
        completed: args.completed,
        start_date: date("start_date", filters.start_date)?,
        end_date: date("end_date", filters.end_date)?,
        limit: Some(limit + 1),
        offset: Some(start.0),
    };
    let mut items = called(api.list_action_items(query).await)?;
    let next = paged(&mut items, limit, |len| {
        cursor::next_cursor("get_action_items", &filters, start, len)
    });
    answer(json!({ "action_items": items, "has_more": next.is_some(), "next_cursor": next }))
}

/// `search_action_items`: the tasks that match, best first, each with a highlighted snippet.
pub(crate) async fn search_action_items<A: DeveloperActionItems>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: SearchActionItems = arguments(args)?;
    let query = RankedSearchQuery {
        query: Some(args.query),
        limit: Some(limit(args.limit, SEARCH_DEFAULT, SEARCH_MAX)?),
        ..RankedSearchQuery::default()
    };
    let found = called(api.search_action_items(query).await)?;
    answer(json!({ "action_items": found.items }))
}

/// An open or done task of the user with exactly this description, if the search finds one.
async fn existing<A: DeveloperActionItems>(api: &A, description: &str) -> Option<ActionItem> {
    let query = RankedSearchQuery {
        query: Some(description.to_owned()),
        limit: Some(SEARCH_DEFAULT),
        ..RankedSearchQuery::default()
    };
    let found = api.search_action_items(query).await.ok()?;
    found
        .items
        .into_iter()
        .map(|hit| hit.action_item)
        .find(|item| item.description.trim() == description.trim())
}

/// `create_action_item`: a new task; the same description again answers the task already
/// there (`"existing": true`), so a retried call makes no duplicate.
pub(crate) async fn create_action_item<A: DeveloperActionItems>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: CreateActionItem = arguments(args)?;
    let due_at = date("due_at", args.due_at.as_deref())?;
    if let Some(item) = existing(api, &args.description).await {
        return answer(json!({ "success": true, "existing": true, "action_item": item }));
    }
    let request = CreateActionItemRequest {
        completed: Some(args.completed),
        due_at,
        ..CreateActionItemRequest::new(args.description)
    };
    let item = called(api.create_action_item(request).await)?;
    answer(json!({ "success": true, "existing": false, "action_item": item }))
}

/// `complete_action_item`: complete a task, or reopen it with `completed: false`.
pub(crate) async fn complete_action_item<A: DeveloperActionItems>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: CompleteActionItem = arguments(args)?;
    let request = UpdateActionItemRequest::completed(args.completed);
    let item = called(api.update_action_item(&args.action_item_id, request).await)?;
    answer(json!({ "success": true, "action_item": item }))
}

/// `update_action_item`: change the description and/or due time; what is omitted stays.
pub(crate) async fn update_action_item<A: DeveloperActionItems>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: UpdateActionItem = arguments(args)?;
    if args.description.is_none() && args.due_at.is_none() {
        return Err(ToolError::invalid_arguments(
            "give description, due_at or both",
        ));
    }
    let request = UpdateActionItemRequest {
        description: args.description,
        due_at: date("due_at", args.due_at.as_deref())?,
        ..UpdateActionItemRequest::default()
    };
    let item = called(api.update_action_item(&args.action_item_id, request).await)?;
    answer(json!({ "success": true, "action_item": item }))
}

/// `delete_action_item`: delete a task for good.
pub(crate) async fn delete_action_item<A: DeveloperActionItems>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: DeleteActionItem = arguments(args)?;
    called(api.delete_action_item(&args.action_item_id).await)?;
    answer(json!({ "success": true }))
}
