//! The MCP transport: each tool does what its REST twin does, on the same service. Every
//! contract here works through `/v1/mcp` (rmcp's client) and checks the result through the
//! `omi-api` traits of the run's transport, or the other way round, so one behaviour is
//! proved across three transports (MCP, in-process, HTTP) and both stores.

use omi_api::{
    CallError, DeveloperActionItems, DeveloperConversations, DeveloperGoals, DeveloperMemories,
};
use omi_model::{
    CreateActionItemRequest, CreateConversationRequest, CreateGoalRequest, CreateMemoryRequest,
    DevScope, GetConversationQuery, ListActionItemsQuery, ListDevConversationsQuery,
    ListDevMemoriesQuery, ListGoalsQuery, RankedSearchQuery, SearchMemoriesQuery,
    UpdateActionItemRequest,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::common::mcp::McpSession;
use crate::common::{Ctx, Record, Transport, api_error, contracts, to_json};

contracts!(
    memory_tools_are_the_memory_routes,
    action_item_tools_are_the_action_item_routes,
    conversation_tools_are_the_conversation_routes,
    a_tool_needs_the_scope_of_its_route,
    the_goal_tool_is_the_goal_list,
);

/// `get_goals` answers what the goal list answers, active goals and with `include_inactive`.
async fn the_goal_tool_is_the_goal_list<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let mcp = demo_session(ctx).await;
    let kept = CreateGoalRequest::new("毎日30分ジョギングする 🏃");
    rec.ok("a goal", ctx.dev.create_goal(kept).await);
    let gone = rec.ok(
        "another",
        ctx.dev
            .create_goal(CreateGoalRequest::new("Learn the cello"))
            .await,
    );
    rec.ok("deleted", ctx.dev.delete_goal(&gone.id).await);
    let active = mcp.ok("get_goals", json!({})).await;
    let listed = rec.ok(
        "the route's list",
        ctx.dev.list_goals(ListGoalsQuery::default()).await,
    );
    assert_eq!(active["goals"], to_json(&listed), "get_goals is the list");
    let every = mcp
        .ok("get_goals", json!({"include_inactive": true, "limit": 5}))
        .await;
    let query = ListGoalsQuery {
        limit: Some(5),
        include_inactive: Some(true),
    };
    let listed = rec.ok(
        "the route's list with inactive goals",
        ctx.dev.list_goals(query).await,
    );
    assert_eq!(
        every["goals"],
        to_json(&listed),
        "and with include_inactive"
    );
    rec.note(
        "a limit out of range",
        mcp.error("get_goals", json!({"limit": 0})).await,
    );
    mcp.close().await;
    rec.finish()
}

/// The demo user's MCP session (every scope).
async fn demo_session<T: Transport>(ctx: &Ctx<T>) -> McpSession {
    McpSession::connect(ctx.server(), &ctx.server().demo().dev_key).await
}

/// A memory made by `create_memory` is the one `get_memory` reads; `get_memories` and
/// `search_memories` answer what the list and search routes answer; an edit shows in the
/// route, a delete through the route shows in the tool, and a rule the route enforces is the
/// tool's error with the route's own message.
async fn memory_tools_are_the_memory_routes<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let mcp = demo_session(ctx).await;
    let made = mcp
        .ok(
            "create_memory",
            json!({"content": "ユーザーは週末に鎌倉でサーフィンをする 🏄", "category": "hobbies"}),
        )
        .await;
    let id = made["memory"]["id"].as_str().expect("an id").to_owned();
    let read = rec.ok("the route reads it", ctx.dev.get_memory(&id).await);
    assert_eq!(
        made["memory"],
        to_json(&read),
        "the tool's memory is the route's"
    );

    let by_route = CreateMemoryRequest::new("User plays the cello on Sunday mornings");
    rec.ok(
        "one made by the route",
        ctx.dev.create_memory(by_route).await,
    );
    let listed = mcp.ok("get_memories", json!({"limit": 20})).await;
    let query = ListDevMemoriesQuery {
        limit: Some(20),
        ..ListDevMemoriesQuery::default()
    };
    let routed = ctx
        .dev
        .list_memories(query)
        .await
        .map_err(|e| api_error(&e));
    let routed = rec.ok("the route's list", routed);
    assert_eq!(
        listed["memories"],
        to_json(&routed),
        "get_memories is the list"
    );
    rec.note("get_memories has more", &listed["has_more"]);

    let found = mcp
        .ok("search_memories", json!({"query": "サーフィン"}))
        .await;
    let search = SearchMemoriesQuery {
        query: Some("サーフィン".into()),
        limit: None,
    };
    let routed = rec.ok("the route's search", ctx.dev.search_memories(search).await);
    assert_eq!(
        found["memories"],
        to_json(&routed.items),
        "search is the route's"
    );

    let edited = json!({"memory_id": id, "content": "ユーザーは週末に逗子でサーフィンをする"});
    mcp.ok("edit_memory", edited).await;
    rec.ok("the edit, read by the route", ctx.dev.get_memory(&id).await);

    rec.ok("deleted by the route", ctx.dev.delete_memory(&id).await);
    rec.note(
        "deleting it again with the tool",
        mcp.error("delete_memory", json!({"memory_id": id})).await,
    );

    let long = "é".repeat(501);
    let tool = mcp.error("create_memory", json!({"content": long})).await;
    let route = ctx.dev.create_memory(CreateMemoryRequest::new(long)).await;
    same_refusal(&mut rec, "501 characters", 422, tool, route);
    mcp.close().await;
    rec.finish()
}

/// An action item made by `create_action_item` is the one the route reads; completing,
/// updating and deleting through either side shows on the other.
async fn action_item_tools_are_the_action_item_routes<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let mcp = demo_session(ctx).await;
    let args = json!({"description": "Renew the passport before März 🛂", "due_at": "2030-03-01"});
    let made = mcp.ok("create_action_item", args).await;
    rec.note("created by the tool", &made);
    let id = made["action_item"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let read = rec.ok("the route reads it", ctx.dev.get_action_item(&id).await);
    assert_eq!(made["action_item"], to_json(&read));

    let again = json!({"description": "Renew the passport before März 🛂"});
    let again = mcp.ok("create_action_item", again).await;
    assert_eq!(
        again["action_item"]["id"],
        id.as_str(),
        "the same task is found"
    );
    rec.note(
        "the same task again is the existing one",
        &again["existing"],
    );

    mcp.ok("complete_action_item", json!({"action_item_id": id}))
        .await;
    rec.ok("completed by the tool", ctx.dev.get_action_item(&id).await);
    let update = UpdateActionItemRequest {
        description: Some("Renew the passport".into()),
        completed: Some(false),
        ..UpdateActionItemRequest::default()
    };
    rec.ok(
        "reopened by the route",
        ctx.dev.update_action_item(&id, update).await,
    );
    let open = mcp
        .ok("get_action_items", json!({"completed": false}))
        .await;
    let query = ListActionItemsQuery {
        completed: Some(false),
        ..ListActionItemsQuery::default()
    };
    let routed = rec.ok(
        "the route's open items",
        ctx.dev.list_action_items(query).await,
    );
    assert_eq!(
        open["action_items"],
        to_json(&routed),
        "get_action_items is the list"
    );

    let found = mcp
        .ok("search_action_items", json!({"query": "passport"}))
        .await;
    let search = RankedSearchQuery {
        query: Some("passport".into()),
        ..RankedSearchQuery::default()
    };
    let routed = rec.ok(
        "the route's search",
        ctx.dev.search_action_items(search).await,
    );
    assert_eq!(found["action_items"], to_json(&routed.items));

    mcp.ok("delete_action_item", json!({"action_item_id": id}))
        .await;
    rec.err(
        "deleted by the tool",
        404,
        ctx.dev.get_action_item(&id).await,
    );
    let blank = mcp
        .error("create_action_item", json!({"description": "  "}))
        .await;
    let route = ctx
        .dev
        .create_action_item(CreateActionItemRequest {
            description: "  ".into(),
            ..CreateActionItemRequest::default()
        })
        .await;
    same_refusal(&mut rec, "a blank task", 422, blank, route);
    mcp.close().await;
    rec.finish()
}

/// A conversation made by the route is listed by `get_conversations` as the list route lists
/// it, read whole by `get_conversation_by_id` as the route reads it, and found by
/// `search_conversations`; an unknown id is the route's 404 message.
async fn conversation_tools_are_the_conversation_routes<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let mcp = demo_session(ctx).await;
    let text =
        "Me: 来週の月曜日に京都へ出張します。Ana: Don't forget the umbrella ☔, it will rain.";
    let made = ctx
        .dev
        .create_conversation(CreateConversationRequest::from_text(text))
        .await
        .map_err(|e| api_error(&e))
        .expect("a conversation");
    let conversation = ctx.completed_dev_conversation(&made.id).await;
    ctx.server().jobs_settled().await;

    let cards = mcp.ok("get_conversations", json!({})).await;
    let listed = ctx
        .dev
        .list_conversations(ListDevConversationsQuery::default())
        .await
        .map_err(|e| api_error(&e))
        .expect("the list");
    let card_ids = ids(&cards["conversations"]);
    let listed_ids = ids(&to_json(&listed));
    assert_eq!(
        card_ids, listed_ids,
        "get_conversations lists what the route lists"
    );
    rec.note("the cards", &cards);

    let whole = json!({"conversation_id": made.id});
    let whole = mcp.ok("get_conversation_by_id", whole).await;
    let read = ctx
        .dev
        .get_conversation(&made.id, GetConversationQuery::WITH_TRANSCRIPT)
        .await
        .map_err(|e| api_error(&e))
        .expect("the conversation");
    assert_eq!(read, conversation);
    let route = to_json(&read);
    let tool = &whole["conversation"];
    for field in ["id", "transcript_segments", "language", "source", "status"] {
        assert_eq!(tool[field], route[field], "{field} differs");
    }
    for field in [
        "title",
        "overview",
        "emoji",
        "category",
        "action_items",
        "events",
    ] {
        assert_eq!(tool[field], route["structured"][field], "{field} differs");
    }
    rec.note("read whole by the tool", &whole);

    let found = mcp
        .ok("search_conversations", json!({"query": "京都"}))
        .await;
    let first = &found["conversations"][0]["id"];
    assert_eq!(first, made.id.as_str(), "{found}");

    let unknown = json!({"conversation_id": "no-such-conversation"});
    let tool = mcp.error("get_conversation_by_id", unknown).await;
    let route = ctx
        .dev
        .get_conversation("no-such-conversation", GetConversationQuery::default())
        .await;
    same_refusal(&mut rec, "an unknown id", 404, tool, route);
    mcp.close().await;
    rec.finish()
}

/// A key with `memories:read` only reads through the tools and is refused a write with the
/// route's 403 message naming the scope; a conversations tool names its own scope.
async fn a_tool_needs_the_scope_of_its_route<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let key = ctx
        .server()
        .user_with_dev_key("reader", &[DevScope::MemoriesRead])
        .await;
    let mcp = McpSession::connect(ctx.server(), &key.key).await;
    let dev = ctx.developer(Some(&key.key));
    rec.note(
        "reading with the tool",
        mcp.ok("get_memories", json!({})).await,
    );

    let tool = mcp
        .error("create_memory", json!({"content": "User likes tea"}))
        .await;
    let route = dev
        .create_memory(CreateMemoryRequest::new("User likes tea"))
        .await;
    same_refusal(&mut rec, "writing", 403, tool, route);

    let tool = mcp.error("get_conversations", json!({})).await;
    let route = dev
        .list_conversations(ListDevConversationsQuery::default())
        .await;
    same_refusal(&mut rec, "conversations", 403, tool, route);
    mcp.close().await;
    rec.finish()
}

/// Record `what` refused by the route with `status` and by the tool (its `error` object) with
/// the route's own message.
#[track_caller]
fn same_refusal<R: Serialize, E: CallError>(
    rec: &mut Record,
    what: &str,
    status: u16,
    tool: Value,
    route: Result<R, E>,
) {
    let route = rec.err(&format!("{what} through the route"), status, route);
    assert_eq!(
        tool["message"],
        route.detail().to_string(),
        "{what}: the route's message"
    );
    rec.note(&format!("{what} through the tool"), tool);
}

/// The `id` of each object of a JSON list.
fn ids(list: &Value) -> Vec<Value> {
    let items = list.as_array().expect("a list");
    items.iter().map(|item| item["id"].clone()).collect()
}
