//! Action item search (`GET /v1/dev/user/action-items/search`): word forms, scripts without
//! spaces, highlighted descriptions, freshness after writes, tenancy, its 422s and scope.

use omi_api::DeveloperActionItems;
use omi_model::{
    ActionItemSearchResponse, BatchCreateActionItemsRequest, CreateActionItemRequest, DevScope,
    SearchActionItemsQuery, UpdateActionItemRequest,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, contracts};

contracts!(the_action_item_search_ranks_and_highlights);

fn search(query: &str) -> SearchActionItemsQuery {
    SearchActionItemsQuery::new(query)
}

/// The snippets of a search's items, best first.
fn snippets(answer: ActionItemSearchResponse) -> Vec<Option<String>> {
    answer.items.into_iter().map(|i| i.snippet).collect()
}

/// Any form of a word, any case, Japanese substrings and emoji find the items, each with its
/// description highlighted; a PATCH re-indexes at once and a DELETE removes; another user's
/// items are never found; the query's 422s and the scope's 403.
async fn the_action_item_search_ranks_and_highlights<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let other = ctx.user("other_user", DevScope::ALL).await;
    other
        .create_action_item(CreateActionItemRequest::new("Book the hiking hut"))
        .await
        .expect("the other user's item");
    let request = BatchCreateActionItemsRequest {
        action_items: [
            "Send Anna the slides before the HIKING trip",
            "Renew the passport",
            "東京の渋谷でケーキを買う 🎂",
            "Call the plumber about the kitchen sink",
        ]
        .iter()
        .map(|d| CreateActionItemRequest::new(*d))
        .collect(),
    };
    let created = ctx
        .dev
        .create_action_items_batch(request)
        .await
        .expect("batch");
    for (label, query) in [
        ("hikes", "hikes"),
        ("渋谷", "渋谷"),
        ("🎂", "🎂"),
        ("PASSPORTS", "PASSPORTS"),
        ("nothing", "saxophone"),
    ] {
        let found = ctx.dev.search_action_items(search(query)).await;
        rec.call(label, found.map(snippets));
    }
    rec.ok(
        "one whole answer",
        ctx.dev.search_action_items(search("plumber")).await,
    );
    let plumber = &created.action_items[3].id;
    ctx.dev
        .update_action_item(
            plumber,
            UpdateActionItemRequest {
                description: Some("Call the electrician about the oven".into()),
                ..UpdateActionItemRequest::default()
            },
        )
        .await
        .expect("patch");
    let old = ctx.dev.search_action_items(search("plumber")).await;
    rec.call("after PATCH: the old words are gone", old.map(snippets));
    let new = ctx.dev.search_action_items(search("electrician")).await;
    rec.call("after PATCH: the new words are found", new.map(snippets));
    ctx.dev.delete_action_item(plumber).await.expect("delete");
    let gone = ctx.dev.search_action_items(search("electrician")).await;
    rec.call("after DELETE: nothing", gone.map(snippets));
    for (label, query) in [
        ("no query", SearchActionItemsQuery::default()),
        ("empty query", search("")),
        (
            "limit 101",
            SearchActionItemsQuery {
                limit: Some(101),
                ..search("x")
            },
        ),
    ] {
        rec.err(label, 422, ctx.dev.search_action_items(query).await);
    }
    let writer = ctx.user("writer_only", &[DevScope::ActionItemsWrite]).await;
    rec.err(
        "a key without action_items:read",
        403,
        writer.search_action_items(search("x")).await,
    );
    rec.finish()
}
