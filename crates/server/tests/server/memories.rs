//! The Developer API's memory routes: success paths with the spec's example bodies.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Reply, TestServer, spec};

const MEMORIES: &str = "/v1/dev/user/memories";

/// A memory object as the spec describes it: every field there, with the right types.
#[track_caller]
fn check_memory(memory: &Value, content: &str, category: &str) {
    assert!(
        memory["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{memory}"
    );
    assert_eq!(memory["content"], json!(content), "{memory}");
    assert_eq!(memory["category"], json!(category), "{memory}");
    assert!(
        ["public", "private"].contains(&memory["visibility"].as_str().unwrap_or_default()),
        "{memory}"
    );
    assert!(memory["tags"].is_array(), "{memory}");
    time(&memory["created_at"]);
    time(&memory["updated_at"]);
    assert!(memory["manually_added"].is_boolean(), "{memory}");
    assert!(memory["scoring"].is_string(), "{memory}");
    assert!(memory["reviewed"].is_boolean(), "{memory}");
    assert!(memory.get("user_review").is_some(), "{memory}");
    assert!(memory["edited"].is_boolean(), "{memory}");
}

#[track_caller]
fn time(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a timestamp, got {value}"));
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text} is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

#[track_caller]
fn list(reply: &Reply) -> &Vec<Value> {
    reply.expect_status(200);
    reply
        .body
        .as_array()
        .unwrap_or_else(|| panic!("a bare list, as the spec shows: {}", reply.text))
}

#[tokio::test]
async fn creating_with_the_spec_body_returns_the_new_memory() {
    let s = TestServer::start().await;
    let reply = s
        .dev(
            Method::POST,
            MEMORIES,
            Some(spec("dev_create_memory_body.json")),
        )
        .await;
    reply.expect_status(200);
    let m = &reply.body;
    check_memory(m, "User prefers dark mode in all applications", "system");
    assert_eq!(m["visibility"], json!("private"), "private by default");
    assert_eq!(m["tags"], json!(["preferences", "ui"]));
    assert_eq!(m["manually_added"], json!(true));
    assert_eq!(m["edited"], json!(false));
    assert_eq!(m["reviewed"], json!(false));
    assert_eq!(m["user_review"], Value::Null);
    assert_eq!(m["created_at"], m["updated_at"]);
    let created = time(&m["created_at"]);
    assert_eq!(
        m["scoring"],
        json!(format!("01_999_{:010}", created.timestamp())),
        "manually added, system: no boost"
    );
}

#[tokio::test]
async fn created_content_is_stored_trimmed() {
    let s = TestServer::start().await;
    let m = s
        .dev_memory(
            json!({"content": "  User collects vinyl records \n", "category": "interesting"}),
        )
        .await;
    check_memory(&m, "User collects vinyl records", "interesting");
    let created = time(&m["created_at"]);
    assert_eq!(
        m["scoring"],
        json!(format!("01_998_{:010}", created.timestamp())),
        "interesting gets a boost of 1"
    );
}

/// Each SQLite group commit is measured: how many writes it held and how long it took.
#[tokio::test]
async fn a_write_is_counted_in_the_commit_metrics() {
    let s = TestServer::start().await;
    s.dev_memory(json!({"content": "User grows tomatoes 🍅 in 京都"}))
        .await;
    let metrics = s
        .call(
            Method::GET,
            "/metrics",
            crate::common::Auth::None,
            crate::common::Body::None,
        )
        .await;
    for series in [
        "sqlite_commit_writes_bucket{le=\"1\"}",
        "sqlite_commit_seconds_count",
    ] {
        assert!(metrics.text.contains(series), "{series}: {}", metrics.text);
    }
}

#[tokio::test]
async fn a_memory_without_category_is_categorized() {
    let s = TestServer::start().await;
    let m = s
        .dev_memory(json!({"content": "User climbed Mount Kilimanjaro"}))
        .await;
    assert!(
        ["interesting", "system", "manual"].contains(&m["category"].as_str().unwrap_or_default()),
        "{m}"
    );
}

#[tokio::test]
async fn the_list_answers_the_spec_query_filtered_by_category() {
    let s = TestServer::start().await;
    s.dev_memory(json!({"content": "User prefers tea", "category": "system"}))
        .await;
    let interesting = s
        .dev_memory(json!({"content": "User climbed Mount Kilimanjaro", "category": "interesting"}))
        .await;

    let reply = s
        .dev(
            Method::GET,
            "/v1/dev/user/memories?limit=50&categories=interesting",
            None,
        )
        .await;
    let memories = list(&reply);
    assert_eq!(memories.len(), 1, "{}", reply.text);
    assert_eq!(memories[0], interesting);
    check_memory(
        &memories[0],
        "User climbed Mount Kilimanjaro",
        "interesting",
    );

    let both = s
        .dev(
            Method::GET,
            "/v1/dev/user/memories?categories=interesting,system",
            None,
        )
        .await;
    assert_eq!(list(&both).len(), 2);
    let all = s.dev(Method::GET, MEMORIES, None).await;
    assert_eq!(list(&all).len(), 2);
}

#[tokio::test]
async fn the_list_defaults_to_25_memories() {
    let s = TestServer::start().await;
    let batch: Vec<Value> = (0..25)
        .map(|i| json!({"content": format!("User owns board game number {i}")}))
        .collect();
    for chunk in [
        batch.clone(),
        vec![json!({"content": "User owns a chess set"})],
    ] {
        let reply = s
            .dev(
                Method::POST,
                "/v1/dev/user/memories/batch",
                Some(json!({"memories": chunk})),
            )
            .await;
        reply.expect_status(200);
    }
    let reply = s.dev(Method::GET, MEMORIES, None).await;
    assert_eq!(list(&reply).len(), 25);
}

#[tokio::test]
async fn a_batch_with_the_spec_body_returns_the_memories_and_their_count() {
    let s = TestServer::start().await;
    let body = spec("dev_batch_create_body.json");
    let reply = s
        .dev(
            Method::POST,
            "/v1/dev/user/memories/batch",
            Some(body.clone()),
        )
        .await;
    reply.expect_status(200);
    assert_eq!(reply.body["created_count"], json!(2), "{}", reply.text);
    let memories = reply.body["memories"].as_array().expect("a list");
    assert_eq!(memories.len(), 2);
    for (memory, asked) in memories
        .iter()
        .zip(body["memories"].as_array().expect("a list"))
    {
        check_memory(
            memory,
            asked["content"].as_str().expect("content"),
            asked["category"].as_str().expect("category"),
        );
        assert_eq!(memory["manually_added"], json!(true));
    }

    let facts = s
        .dev(
            Method::POST,
            "/v1/dev/user/memories/batch",
            Some(spec("dev_batch_create_user_facts_python.json")),
        )
        .await;
    facts.expect_status(200);
    assert_eq!(facts.body["created_count"], json!(4), "{}", facts.text);
    let listed = s
        .dev(Method::GET, "/v1/dev/user/memories?limit=100", None)
        .await;
    assert_eq!(list(&listed).len(), 6);
}

#[tokio::test]
async fn a_memory_is_read_back_by_id() {
    let s = TestServer::start().await;
    let created = s.dev_memory(spec("dev_create_memory_body.json")).await;
    let id = created["id"].as_str().expect("an id");
    let reply = s.dev(Method::GET, &format!("{MEMORIES}/{id}"), None).await;
    reply.expect_status(200);
    assert_eq!(reply.body, created);
}

#[tokio::test]
async fn patching_with_the_spec_body_edits_the_memory_and_moves_updated_at() {
    let s = TestServer::start().await;
    let created = s.dev_memory(spec("dev_create_memory_body.json")).await;
    let id = created["id"].as_str().expect("an id");
    let reply = s
        .dev(
            Method::PATCH,
            &format!("{MEMORIES}/{id}"),
            Some(spec("dev_update_memory_body.json")),
        )
        .await;
    reply.expect_status(200);
    let m = &reply.body;
    check_memory(
        m,
        "User strongly prefers dark mode in all applications",
        "system",
    );
    assert_eq!(m["id"], created["id"]);
    assert_eq!(m["visibility"], json!("private"));
    assert_eq!(m["tags"], json!(["preferences", "ui"]), "tags are kept");
    assert_eq!(m["manually_added"], json!(true));
    assert_eq!(m["edited"], json!(true));
    assert_eq!(m["created_at"], created["created_at"]);
    assert!(time(&m["updated_at"]) > time(&created["updated_at"]), "{m}");

    let read = s.dev(Method::GET, &format!("{MEMORIES}/{id}"), None).await;
    assert_eq!(&read.body, m, "the change is stored");
}

#[tokio::test]
async fn patching_only_visibility_does_not_mark_the_memory_edited() {
    let s = TestServer::start().await;
    let created = s.dev_memory(spec("dev_create_memory_body.json")).await;
    let id = created["id"].as_str().expect("an id");
    let reply = s
        .dev(
            Method::PATCH,
            &format!("{MEMORIES}/{id}"),
            Some(json!({"visibility": "public"})),
        )
        .await;
    reply.expect_status(200);
    assert_eq!(reply.body["visibility"], json!("public"));
    assert_eq!(reply.body["edited"], json!(false));
    assert_eq!(reply.body["content"], created["content"]);
}

#[tokio::test]
async fn deleting_answers_success_and_the_memory_is_gone() {
    let s = TestServer::start().await;
    let created = s.dev_memory(spec("dev_create_memory_body.json")).await;
    let path = format!("{MEMORIES}/{}", created["id"].as_str().expect("an id"));

    let reply = s.dev(Method::DELETE, &path, None).await;
    reply.expect_status(200);
    assert_eq!(reply.body, json!({"success": true}));

    s.dev(Method::GET, &path, None)
        .await
        .expect_detail(404, "Memory not found");
    s.dev(Method::DELETE, &path, None)
        .await
        .expect_detail(404, "Memory not found");
    s.dev(
        Method::PATCH,
        &path,
        Some(json!({"content": "User is back"})),
    )
    .await
    .expect_detail(404, "Memory not found");
    assert!(list(&s.dev(Method::GET, MEMORIES, None).await).is_empty());
}

#[tokio::test]
async fn an_unknown_memory_id_is_404() {
    let s = TestServer::start().await;
    s.dev(Method::GET, &format!("{MEMORIES}/mem_xyz789"), None)
        .await
        .expect_detail(404, "Memory not found");
}
