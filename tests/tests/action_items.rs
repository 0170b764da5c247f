//! The Developer API's action items: create, batch, get, list with filters, complete and
//! reopen, delete; all-or-nothing batches, other users' items and missing scopes.

use omi_api::DeveloperActionItems;
use omi_model::{
    BatchCreateActionItemsRequest, CreateActionItemRequest, DevScope, ListActionItemsQuery,
    UpdateActionItemRequest,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, contracts};

contracts!(
    create_list_complete_and_delete,
    batches_are_all_or_nothing,
    other_users_and_scopes,
);

fn completed(completed: bool) -> ListActionItemsQuery {
    ListActionItemsQuery {
        completed: Some(completed),
        ..ListActionItemsQuery::default()
    }
}

/// The life of an action item, and the list's order and filters along the way.
async fn create_list_complete_and_delete<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let milk = rec.ok(
        "create: description only",
        ctx.dev
            .create_action_item(CreateActionItemRequest::new("  Pick up milk "))
            .await,
    );
    rec.ok(
        "create: completed, with a due time",
        ctx.dev
            .create_action_item(CreateActionItemRequest {
                description: "File taxes".into(),
                completed: Some(true),
                due_at: Some("2024-04-15T17:00:00+02:00".parse().expect("a time")),
            })
            .await,
    );
    rec.ok("get", ctx.dev.get_action_item(&milk.id).await);
    rec.ok(
        "list: newest first",
        ctx.dev
            .list_action_items(ListActionItemsQuery::default())
            .await,
    );
    rec.ok(
        "list: open",
        ctx.dev.list_action_items(completed(false)).await,
    );
    rec.ok(
        "complete",
        ctx.dev
            .update_action_item(&milk.id, UpdateActionItemRequest::completed(true))
            .await,
    );
    rec.ok(
        "list: completed",
        ctx.dev.list_action_items(completed(true)).await,
    );
    rec.ok(
        "reopen",
        ctx.dev
            .update_action_item(&milk.id, UpdateActionItemRequest::completed(false))
            .await,
    );
    rec.ok(
        "patch: description and due time",
        ctx.dev
            .update_action_item(
                &milk.id,
                UpdateActionItemRequest {
                    description: Some("Pick up oat milk".into()),
                    completed: None,
                    due_at: Some("2024-05-01T08:00:00Z".parse().expect("a time")),
                },
            )
            .await,
    );
    rec.err(
        "patch: nothing",
        422,
        ctx.dev
            .update_action_item(&milk.id, UpdateActionItemRequest::default())
            .await,
    );
    rec.note(
        "stream: one per page",
        T::action_items_stream(
            &ctx.dev,
            ListActionItemsQuery {
                limit: Some(1),
                ..ListActionItemsQuery::default()
            },
        )
        .await
        .expect("the stream")
        .len(),
    );
    rec.ok("delete", ctx.dev.delete_action_item(&milk.id).await);
    rec.err("get: deleted", 404, ctx.dev.get_action_item(&milk.id).await);
    rec.err(
        "delete: again",
        404,
        ctx.dev.delete_action_item(&milk.id).await,
    );
    rec.finish()
}

/// A batch stores every item in order, or none when one is invalid; at most 50.
async fn batches_are_all_or_nothing<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let batch = |descriptions: &[&str]| BatchCreateActionItemsRequest {
        action_items: descriptions
            .iter()
            .map(|d| CreateActionItemRequest::new(*d))
            .collect(),
    };
    rec.ok(
        "batch: three",
        ctx.dev
            .create_action_items_batch(batch(&["One", "Two", "Three"]))
            .await,
    );
    rec.err(
        "batch: one blank",
        422,
        ctx.dev
            .create_action_items_batch(batch(&["Four", " "]))
            .await,
    );
    let many: Vec<String> = (0..51).map(|i| format!("Item {i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    rec.err(
        "batch: 51",
        422,
        ctx.dev.create_action_items_batch(batch(&many)).await,
    );
    rec.ok(
        "batch: empty",
        ctx.dev.create_action_items_batch(batch(&[])).await,
    );
    rec.ok(
        "list: only the first batch",
        ctx.dev
            .list_action_items(ListActionItemsQuery::default())
            .await,
    );
    rec.err(
        "create: 501 characters",
        422,
        ctx.dev
            .create_action_item(CreateActionItemRequest::new("x".repeat(501)))
            .await,
    );
    rec.finish()
}

/// Another user's item is not found; keys without the scopes are refused.
async fn other_users_and_scopes<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let item = ctx
        .dev
        .create_action_item(CreateActionItemRequest::new("Mine"))
        .await
        .map_err(|e| crate::common::api_error(&e))
        .expect("create");
    let stranger = ctx.user("stranger", DevScope::ALL).await;
    rec.err(
        "another user's: get",
        404,
        stranger.get_action_item(&item.id).await,
    );
    rec.err(
        "another user's: complete",
        404,
        stranger
            .update_action_item(&item.id, UpdateActionItemRequest::completed(true))
            .await,
    );
    rec.err(
        "another user's: delete",
        404,
        stranger.delete_action_item(&item.id).await,
    );
    rec.ok(
        "another user's list",
        stranger
            .list_action_items(ListActionItemsQuery::default())
            .await,
    );
    let reader = ctx.user("reader", &[DevScope::ActionItemsRead]).await;
    rec.err(
        "action_items:read only: create",
        403,
        reader
            .create_action_item(CreateActionItemRequest::new("x"))
            .await,
    );
    let writer = ctx.user("writer", &[DevScope::ActionItemsWrite]).await;
    rec.err(
        "action_items:write only: get",
        403,
        writer.get_action_item(&item.id).await,
    );
    rec.finish()
}
