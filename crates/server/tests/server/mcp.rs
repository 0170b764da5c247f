//! MCP: rmcp's own client drives the server over Streamable HTTP (`/v1/mcp`) and over stdio
//! (`omi-server mcp --stdio`, the real binary), and what the tools do shows in the REST routes.

use std::time::Duration;

use omi_api::DeveloperConversations;
use omi_model::DevScope;
use reqwest::Method;
use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

use crate::common::TestServer;
use crate::process::BINARY;

type McpClient = RunningService<RoleClient, ()>;

/// An MCP client of `server`'s `/v1/mcp` with `key`.
async fn connect(server: &TestServer, key: &str) -> McpClient {
    let config =
        StreamableHttpClientTransportConfig::with_uri(format!("{}/v1/mcp", server.base_url()))
            .auth_header(key);
    let transport = StreamableHttpClientTransport::from_config(config);
    ().serve(transport).await.expect("the MCP handshake")
}

/// Call `tool` with `arguments`: the result (an error result too), or a panic for a
/// protocol failure.
async fn call(client: &McpClient, tool: &str, arguments: Value) -> CallToolResult {
    let arguments: JsonObject = serde_json::from_value(arguments).expect("an object");
    let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
    client
        .call_tool(params)
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"))
}

/// The structured answer of a call that must succeed.
async fn ok(client: &McpClient, tool: &str, arguments: Value) -> Value {
    let result = call(client, tool, arguments).await;
    let content = result.structured_content.clone().unwrap_or(Value::Null);
    assert_ne!(result.is_error, Some(true), "{tool} failed: {content}");
    content
}

/// The `error` object of a call that must fail as a tool error.
async fn tool_error(client: &McpClient, tool: &str, arguments: Value) -> Value {
    let result = call(client, tool, arguments).await;
    assert_eq!(
        result.is_error,
        Some(true),
        "{tool} should fail: {result:?}"
    );
    result.structured_content.expect("a structured error")["error"].clone()
}

#[tokio::test]
async fn a_memory_made_through_mcp_is_found_by_search_and_shown_by_the_rest_list() {
    let server = TestServer::start().await;
    let client = connect(&server, &server.demo.dev_key).await;

    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for expected in [
        "get_memories",
        "create_memory",
        "search_memories",
        "get_conversation_by_id",
        "complete_action_item",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    assert!(
        tools
            .iter()
            .all(|t| t.output_schema.is_some() && t.annotations.is_some())
    );

    let made = ok(
        &client,
        "create_memory",
        json!({"content": "ユーザーは週末に鎌倉でサーフィンをする 🏄", "category": "interesting"}),
    )
    .await;
    let id = made["memory"]["id"].as_str().expect("an id").to_owned();
    let found = ok(&client, "search_memories", json!({"query": "サーフィン"})).await;
    assert_eq!(found["memories"][0]["id"], id.as_str(), "{found}");

    let listed = server.dev(Method::GET, "/v1/dev/user/memories", None).await;
    listed.expect_status(200);
    assert!(
        listed
            .body
            .as_array()
            .expect("a list")
            .iter()
            .any(|m| m["id"] == id.as_str())
    );

    ok(
        &client,
        "edit_memory",
        json!({"memory_id": id, "content": "ユーザーは週末に逗子でサーフィンをする"}),
    )
    .await;
    ok(&client, "delete_memory", json!({"memory_id": id})).await;
    let gone = tool_error(&client, "delete_memory", json!({"memory_id": id})).await;
    assert_eq!(gone["code"], "not_found");
    client.cancel().await.expect("closed");
    server.shutdown().await;
}

#[tokio::test]
async fn a_key_without_a_tools_scope_gets_a_tool_error_naming_the_scope() {
    let server = TestServer::start().await;
    let key = server
        .dev_key(&server.demo.uid, &[DevScope::MemoriesRead])
        .await;
    let client = connect(&server, &key).await;
    ok(&client, "get_memories", json!({})).await;
    let refused = tool_error(
        &client,
        "create_memory",
        json!({"content": "User likes tea"}),
    )
    .await;
    assert_eq!(refused["code"], "insufficient_scope");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains("memories:write"),
        "{refused}"
    );
    let refused = tool_error(&client, "get_action_items", json!({})).await;
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains("action_items:read"),
        "{refused}"
    );
    let invalid = tool_error(&client, "get_memories", json!({"limit": 1000})).await;
    assert_eq!(invalid["code"], "invalid_arguments");
    client.cancel().await.expect("closed");
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_known_key_the_endpoint_answers_401_before_reading_the_body() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    for (path, key) in [
        ("/v1/mcp", None),
        (
            "/v1/mcp/sse",
            Some("omi_dev_00000000000000000000000000000000"),
        ),
    ] {
        let mut request = http
            .post(format!("{}{path}", server.base_url()))
            .json(&body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("an answer");
        assert_eq!(response.status(), 401, "{path}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
    let garbage = http
        .post(format!("{}/v1/mcp", server.base_url()))
        .bearer_auth(&server.demo.dev_key)
        .body("{not json")
        .send()
        .await
        .expect("an answer");
    assert_eq!(garbage.status(), 400);
    let answer: Value = garbage.json().await.expect("JSON");
    assert_eq!(answer["error"]["code"], -32700);
    server.shutdown().await;
}

#[tokio::test]
async fn lists_page_with_an_opaque_cursor() {
    let server = TestServer::start().await;
    let client = connect(&server, &server.demo.dev_key).await;
    let items: Vec<Value> = [
        "User plays chess",
        "User bakes bread",
        "User speaks Portuguese",
    ]
    .iter()
    .map(|c| json!({"content": c}))
    .collect();
    let made = ok(
        &client,
        "create_memories",
        json!({"items": [items[0], items[1], items[2], items[0]]}),
    )
    .await;
    let statuses: Vec<&str> = made["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["created", "created", "created", "duplicate"]);

    let first = ok(&client, "get_memories", json!({"limit": 2})).await;
    assert_eq!(first["memories"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["has_more"], true);
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let second = ok(
        &client,
        "get_memories",
        json!({"limit": 2, "cursor": cursor}),
    )
    .await;
    assert_eq!(second["memories"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["has_more"], false);
    let misused = tool_error(
        &client,
        "get_memories",
        json!({"limit": 3, "cursor": cursor}),
    )
    .await;
    assert_eq!(misused["code"], "invalid_arguments");
    client.cancel().await.expect("closed");
    server.shutdown().await;
}

#[tokio::test]
async fn conversations_and_action_items_through_their_tools() {
    let server = TestServer::start().await;
    let id = server
        .dev_conversation("Me: I need to renew my passport before the trip to Lisbon. Ana: Book the appointment this week.")
        .await;
    let developer = server
        .service()
        .developer(Some(server.demo.dev_key.clone().into()));
    developer
        .wait_until_processed(&id, Duration::from_secs(20))
        .await
        .expect("processed");
    let client = connect(&server, &server.demo.dev_key).await;

    let cards = ok(
        &client,
        "get_conversations",
        json!({"start_date": "2000-01-01"}),
    )
    .await;
    assert!(
        cards["conversations"]
            .as_array()
            .expect("cards")
            .iter()
            .any(|c| c["id"] == id.as_str()),
        "{cards}"
    );
    let deep = ok(
        &client,
        "get_conversation_by_id",
        json!({"conversation_id": id, "max_chars": 10}),
    )
    .await;
    assert_eq!(deep["truncated"], true, "{deep}");
    let found = ok(
        &client,
        "search_conversations",
        json!({"query": "passport"}),
    )
    .await;
    assert_eq!(found["conversations"][0]["id"], id.as_str(), "{found}");
    let missing = ok(
        &client,
        "get_conversations_by_ids",
        json!({"conversation_ids": [id, "nope"]}),
    )
    .await;
    assert_eq!(missing["not_found"], json!(["nope"]));

    let made = ok(
        &client,
        "create_action_item",
        json!({"description": "パスポートを更新する", "due_at": "2027-01-15"}),
    )
    .await;
    let item = made["action_item"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let again = ok(
        &client,
        "create_action_item",
        json!({"description": "パスポートを更新する"}),
    )
    .await;
    assert_eq!(again["action_item"]["id"], item.as_str());
    assert_eq!(again["existing"], true);
    ok(
        &client,
        "complete_action_item",
        json!({"action_item_id": item}),
    )
    .await;
    let done = ok(&client, "get_action_items", json!({"completed": true})).await;
    assert!(
        done["action_items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["id"] == item.as_str()),
        "{done}"
    );
    let updated = ok(
        &client,
        "update_action_item",
        json!({"action_item_id": item, "description": "パスポートを受け取る"}),
    )
    .await;
    assert_eq!(
        updated["action_item"]["description"],
        "パスポートを受け取る"
    );
    let searched = ok(
        &client,
        "search_action_items",
        json!({"query": "パスポート"}),
    )
    .await;
    assert_eq!(
        searched["action_items"][0]["id"],
        item.as_str(),
        "{searched}"
    );
    ok(
        &client,
        "delete_action_item",
        json!({"action_item_id": item}),
    )
    .await;
    client.cancel().await.expect("closed");
    server.shutdown().await;
}

#[tokio::test]
async fn the_binary_serves_a_local_database_over_stdio() {
    let server = TestServer::start().await;
    let key = server.dev_key(&server.demo.uid, DevScope::ALL).await;
    let mut command = tokio::process::Command::new(BINARY);
    command
        .args(["mcp", "--stdio", "--database", server.database_url()])
        .env("OMI_API_KEY", &key)
        .env("OMI_LOG", "warn");
    let transport = TokioChildProcess::new(command).expect("the child starts");
    let client = tokio::time::timeout(Duration::from_secs(30), ().serve(transport))
        .await
        .expect("in time")
        .expect("the MCP handshake");
    let made = ok(
        &client,
        "create_memory",
        json!({"content": "User keeps bees on the roof"}),
    )
    .await;
    let id = made["memory"]["id"].as_str().expect("an id").to_owned();
    let listed = server.dev(Method::GET, "/v1/dev/user/memories", None).await;
    assert!(
        listed
            .body
            .as_array()
            .expect("a list")
            .iter()
            .any(|m| m["id"] == id.as_str()),
        "{}",
        listed.body
    );
    client.cancel().await.expect("closed");
    server.shutdown().await;
}

#[tokio::test]
async fn the_binary_proxies_to_a_server_over_stdio() {
    let server = TestServer::start().await;
    let mut command = tokio::process::Command::new(BINARY);
    command
        .args(["mcp", "--stdio", "--url", server.base_url()])
        .env("OMI_API_KEY", &server.demo.dev_key)
        .env("OMI_LOG", "warn");
    let transport = TokioChildProcess::new(command).expect("the child starts");
    let client = tokio::time::timeout(Duration::from_secs(30), ().serve(transport))
        .await
        .expect("in time")
        .expect("the MCP handshake");
    ok(
        &client,
        "create_memory",
        json!({"content": "User collects vinyl records"}),
    )
    .await;
    let found = ok(&client, "search_memories", json!({"query": "vinyl"})).await;
    assert_eq!(
        found["memories"][0]["content"],
        "User collects vinyl records"
    );
    client.cancel().await.expect("closed");
    server.shutdown().await;
}

#[tokio::test]
async fn an_mcp_only_key_opens_the_tools_and_not_the_rest_routes() {
    let server = TestServer::start().await;
    let made = server
        .admin
        .create_mcp_key(
            &server.demo.uid,
            &[DevScope::MemoriesRead, DevScope::MemoriesWrite],
        )
        .await
        .expect("an MCP key");
    assert!(made.key.starts_with("omi_mcp_"), "{}", made.key);
    let client = connect(&server, &made.key).await;
    ok(
        &client,
        "create_memory",
        json!({"content": "User runs on Sunday mornings"}),
    )
    .await;
    let refused = tool_error(&client, "get_conversations", json!({})).await;
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains("conversations:read"),
        "{refused}"
    );
    client.cancel().await.expect("closed");

    let rest = reqwest::Client::new()
        .get(format!("{}/v1/dev/user/memories", server.base_url()))
        .bearer_auth(&made.key)
        .send()
        .await
        .expect("an answer");
    assert_eq!(rest.status(), 401);
    server.shutdown().await;
}
