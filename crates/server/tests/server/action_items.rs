//! The Developer API's action item routes over HTTP, one test per rule.

use chrono::{DateTime, Utc};
use omi_model::DevScope;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Auth, Body, Reply, TestServer};

const ITEMS: &str = "/v1/dev/user/action-items";

/// Create an action item with `body`; the item (asserting 200).
async fn create(s: &TestServer, body: Value) -> Value {
    let reply = s.dev(Method::POST, ITEMS, Some(body)).await;
    reply.expect_status(200);
    reply.body
}

/// The list with `query`.
async fn list(s: &TestServer, query: &str) -> Vec<Value> {
    let reply = s.dev(Method::GET, &format!("{ITEMS}?{query}"), None).await;
    reply.expect_status(200);
    reply.body.as_array().expect("a bare list").clone()
}

fn descriptions(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|i| i["description"].as_str().expect("a description"))
        .collect()
}

#[track_caller]
fn time(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a time, got {value}"));
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

async fn patch(s: &TestServer, id: &Value, body: Value) -> Reply {
    let id = id.as_str().expect("an id");
    s.dev(Method::PATCH, &format!("{ITEMS}/{id}"), Some(body))
        .await
}

#[tokio::test]
async fn a_created_item_has_every_field_with_absent_times_null() {
    let s = TestServer::start().await;
    let item = create(&s, json!({"description": "  Pick up milk  "})).await;
    let id = item["id"].as_str().expect("an id");
    assert!(!id.is_empty());
    assert_eq!(item["description"], json!("Pick up milk"));
    assert_eq!(item["completed"], json!(false));
    assert_eq!(item["created_at"], item["updated_at"]);
    time(&item["created_at"]);
    assert_eq!(item["due_at"], Value::Null);
    assert_eq!(item["completed_at"], Value::Null);
    assert_eq!(item["conversation_id"], Value::Null);
    assert_eq!(item.as_object().expect("an object").len(), 8);
    let read = s.dev(Method::GET, &format!("{ITEMS}/{id}"), None).await;
    read.expect_status(200);
    assert_eq!(read.body, item);
    s.shutdown().await;
}

#[tokio::test]
async fn an_item_created_completed_is_completed_when_created_and_keeps_its_due_time() {
    let s = TestServer::start().await;
    let item = create(
        &s,
        json!({"description": "File taxes", "completed": true, "due_at": "2024-04-15T17:00:00+02:00"}),
    )
    .await;
    assert_eq!(item["completed"], json!(true));
    assert_eq!(item["completed_at"], item["created_at"]);
    assert_eq!(item["due_at"], json!("2024-04-15T15:00:00Z"));
    s.shutdown().await;
}

#[tokio::test]
async fn completing_sets_completed_at_and_reopening_clears_it() {
    let s = TestServer::start().await;
    let item = create(&s, json!({"description": "Call the bank"})).await;
    let done = patch(&s, &item["id"], json!({"completed": true})).await;
    done.expect_status(200);
    assert_eq!(done.body["completed"], json!(true));
    assert!(time(&done.body["completed_at"]) >= time(&item["created_at"]));
    assert_eq!(done.body["updated_at"], done.body["completed_at"]);
    let open = patch(&s, &item["id"], json!({"completed": false})).await;
    open.expect_status(200);
    assert_eq!(open.body["completed"], json!(false));
    assert_eq!(open.body["completed_at"], Value::Null);
    s.shutdown().await;
}

#[tokio::test]
async fn patch_changes_only_what_is_given() {
    let s = TestServer::start().await;
    let item = create(&s, json!({"description": "Buy a gift"})).await;
    let reply = patch(
        &s,
        &item["id"],
        json!({"description": "Buy a birthday gift", "due_at": "2024-06-01T09:00:00Z"}),
    )
    .await;
    reply.expect_status(200);
    assert_eq!(reply.body["description"], json!("Buy a birthday gift"));
    assert_eq!(reply.body["due_at"], json!("2024-06-01T09:00:00Z"));
    assert_eq!(reply.body["completed"], json!(false));
    assert_eq!(reply.body["created_at"], item["created_at"]);
    s.shutdown().await;
}

#[tokio::test]
async fn patch_without_a_field_is_422_and_an_unknown_id_is_404() {
    let s = TestServer::start().await;
    let item = create(&s, json!({"description": "Water the plants"})).await;
    patch(&s, &item["id"], json!({}))
        .await
        .expect_detail(422, "At least one field must be provided");
    patch(&s, &item["id"], json!({"due_at": null}))
        .await
        .expect_detail(422, "At least one field must be provided");
    patch(&s, &json!("nope"), json!({"completed": true}))
        .await
        .expect_detail(404, "Action item not found");
    s.dev(Method::GET, &format!("{ITEMS}/nope"), None)
        .await
        .expect_detail(404, "Action item not found");
    s.shutdown().await;
}

#[tokio::test]
async fn delete_answers_success_and_the_item_is_gone() {
    let s = TestServer::start().await;
    let item = create(&s, json!({"description": "Cancel the gym"})).await;
    let path = format!("{ITEMS}/{}", item["id"].as_str().expect("an id"));
    let reply = s.dev(Method::DELETE, &path, None).await;
    reply.expect_status(200);
    assert_eq!(reply.body, json!({"success": true}));
    s.dev(Method::DELETE, &path, None)
        .await
        .expect_detail(404, "Action item not found");
    assert!(list(&s, "").await.is_empty());
    s.shutdown().await;
}

#[tokio::test]
async fn a_batch_creates_every_item_in_order() {
    let s = TestServer::start().await;
    let reply = s
        .dev(
            Method::POST,
            &format!("{ITEMS}/batch"),
            Some(json!({"action_items": [
                {"description": "One"},
                {"description": "Two", "completed": true},
                {"description": "Three", "due_at": "2024-07-01T00:00:00Z"}
            ]})),
        )
        .await;
    reply.expect_status(200);
    assert_eq!(reply.body["created_count"], json!(3));
    let items = reply.body["action_items"].as_array().expect("items");
    assert_eq!(descriptions(items), ["One", "Two", "Three"]);
    assert_eq!(descriptions(&list(&s, "").await), ["Three", "Two", "One"]);
    let empty = s
        .dev(
            Method::POST,
            &format!("{ITEMS}/batch"),
            Some(json!({"action_items": []})),
        )
        .await;
    empty.expect_status(200);
    assert_eq!(empty.body, json!({"action_items": [], "created_count": 0}));
    s.shutdown().await;
}

#[tokio::test]
async fn a_batch_is_all_or_nothing_and_at_most_50() {
    let s = TestServer::start().await;
    let reply = s
        .dev(
            Method::POST,
            &format!("{ITEMS}/batch"),
            Some(json!({"action_items": [{"description": "Fine"}, {"description": " "}]})),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(
        reply.body["detail"],
        json!([{"loc": ["body", "action_items", 1, "description"], "msg": "Value error, description cannot be empty", "type": "value_error"}])
    );
    let many: Vec<Value> = (0..51)
        .map(|i| json!({"description": format!("Item {i}")}))
        .collect();
    let reply = s
        .dev(
            Method::POST,
            &format!("{ITEMS}/batch"),
            Some(json!({"action_items": many})),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(
        reply.body["detail"],
        json!([{"loc": ["body", "action_items"], "msg": "List should have at most 50 items after validation, not 51", "type": "too_long"}])
    );
    assert!(
        list(&s, "").await.is_empty(),
        "nothing of a refused batch is stored"
    );
    s.shutdown().await;
}

#[tokio::test]
async fn descriptions_are_1_to_500_characters_and_not_blank() {
    let s = TestServer::start().await;
    for (description, kind) in [
        (String::new(), "string_too_short"),
        ("   ".to_owned(), "value_error"),
        ("x".repeat(501), "string_too_long"),
    ] {
        let reply = s
            .dev(
                Method::POST,
                ITEMS,
                Some(json!({"description": description})),
            )
            .await;
        reply.expect_status(422);
        assert_eq!(reply.body["detail"][0]["type"], json!(kind));
        assert_eq!(
            reply.body["detail"][0]["loc"],
            json!(["body", "description"])
        );
    }
    create(&s, json!({"description": "x".repeat(500)})).await;
    let reply = s.dev(Method::POST, ITEMS, Some(json!({}))).await;
    reply.expect_status(422);
    assert_eq!(reply.body["detail"][0]["type"], json!("missing"));
    s.shutdown().await;
}

#[tokio::test]
async fn the_list_is_newest_first_and_filters_by_completion_and_conversation() {
    let s = TestServer::start().await;
    for d in ["First", "Second", "Third"] {
        create(&s, json!({"description": d})).await;
    }
    let second = list(&s, "").await[1]["id"].clone();
    patch(&s, &second, json!({"completed": true}))
        .await
        .expect_status(200);
    assert_eq!(
        descriptions(&list(&s, "").await),
        ["Third", "Second", "First"]
    );
    assert_eq!(descriptions(&list(&s, "completed=true").await), ["Second"]);
    assert_eq!(
        descriptions(&list(&s, "completed=false").await),
        ["Third", "First"]
    );
    assert_eq!(
        descriptions(&list(&s, "limit=1&offset=1").await),
        ["Second"]
    );
    assert!(list(&s, "conversation_id=none-such").await.is_empty());
    assert!(list(&s, "start_date=2999-01-01").await.is_empty());
    assert_eq!(list(&s, "end_date=2999-01-01").await.len(), 3);
    s.shutdown().await;
}

#[tokio::test]
async fn bad_list_queries_are_422() {
    let s = TestServer::start().await;
    let reply = s
        .dev(
            Method::GET,
            &format!("{ITEMS}?completed=perhaps&limit=x"),
            None,
        )
        .await;
    reply.expect_status(422);
    let locs: Vec<Value> = reply.body["detail"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["loc"].clone())
        .collect();
    assert_eq!(
        locs,
        [json!(["query", "completed"]), json!(["query", "limit"])]
    );
    let reply = s
        .dev(Method::GET, &format!("{ITEMS}?limit=1001"), None)
        .await;
    reply.expect_status(422);
    s.shutdown().await;
}

#[tokio::test]
async fn another_users_item_is_not_found() {
    let s = TestServer::start().await;
    let item = create(&s, json!({"description": "Mine"})).await;
    let other = s.user("someone-else", None).await;
    let key = s.dev_key(&other, DevScope::ALL).await;
    let path = format!("{ITEMS}/{}", item["id"].as_str().expect("an id"));
    for (method, body) in [
        (Method::GET, Body::None),
        (Method::PATCH, Body::Json(json!({"completed": true}))),
        (Method::DELETE, Body::None),
    ] {
        s.call(method, &path, Auth::Bearer(&key), body)
            .await
            .expect_detail(404, "Action item not found");
    }
    let theirs = s
        .call(Method::GET, ITEMS, Auth::Bearer(&key), Body::None)
        .await;
    assert_eq!(theirs.body, json!([]));
    assert_eq!(list(&s, "").await.len(), 1);
    s.shutdown().await;
}

#[tokio::test]
async fn keys_without_the_action_item_scopes_are_403_naming_them() {
    let s = TestServer::start().await;
    let item = create(&s, json!({"description": "Mine"})).await;
    let one = format!("{ITEMS}/{}", item["id"].as_str().expect("an id"));
    let reader = s.dev_key(&s.demo.uid, &[DevScope::ActionItemsRead]).await;
    let writer = s.dev_key(&s.demo.uid, &[DevScope::ActionItemsWrite]).await;
    let write = "Insufficient permissions. Required scope: action_items:write";
    let read = "Insufficient permissions. Required scope: action_items:read";
    let batch = format!("{ITEMS}/batch");
    let cases = [
        (
            &reader,
            Method::POST,
            ITEMS,
            Body::Json(json!({"description": "x"})),
            write,
        ),
        (
            &reader,
            Method::POST,
            batch.as_str(),
            Body::Json(json!({"action_items": []})),
            write,
        ),
        (
            &reader,
            Method::PATCH,
            one.as_str(),
            Body::Json(json!({"completed": true})),
            write,
        ),
        (&reader, Method::DELETE, one.as_str(), Body::None, write),
        (&writer, Method::GET, ITEMS, Body::None, read),
        (&writer, Method::GET, one.as_str(), Body::None, read),
    ];
    for (key, method, path, body, detail) in cases {
        s.call(method, path, Auth::Bearer(key), body)
            .await
            .expect_detail(403, detail);
    }
    s.shutdown().await;
}
