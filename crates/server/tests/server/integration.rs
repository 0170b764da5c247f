//! The Integration Imports API's success paths, with the spec's example bodies verbatim.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Auth, Body, Reply, TestServer, spec};

/// The cURL and Python bodies of *Creating Conversations*, and the *Request Body* example.
const CONVERSATION_EXAMPLES: &[&str] = &[
    "integration_create_conversation_audio_transcript.json",
    "integration_create_conversation_audio_transcript_python.json",
    "integration_create_conversation_email.json",
    "integration_create_conversation_email_python.json",
    "integration_create_conversation_social_post_location.json",
    "integration_create_conversation_social_post_location_python.json",
    "integration_create_conversation_sms.json",
    "integration_create_conversation_sms_python.json",
    "integration_create_conversation_body.json",
];

/// The bodies of *Creating Memories* (text from email, social post and other sources;
/// explicit memories) and the *Request Body* example (text and memories together).
const MEMORIES_EXAMPLES: &[&str] = &[
    "integration_create_memories_email.json",
    "integration_create_memories_social_post.json",
    "integration_create_memories_health_app.json",
    "integration_create_memories_explicit.json",
    "integration_create_memories_body.json",
];

/// A create was acknowledged exactly as the spec says: 200 with `{}`.
#[track_caller]
fn check_acknowledged(reply: &Reply, example: &str) {
    assert_eq!(reply.status, 200, "{example}: {}", reply.text);
    assert_eq!(reply.body, json!({}), "{example}: {}", reply.text);
    assert_eq!(
        reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "{example}"
    );
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

#[tokio::test]
async fn each_spec_conversation_example_is_acknowledged_with_an_empty_object() {
    let s = TestServer::start().await;
    for example in CONVERSATION_EXAMPLES {
        check_acknowledged(&s.create_conversation(spec(example)).await, example);
    }
    assert_eq!(
        s.all_conversations().await.len(),
        CONVERSATION_EXAMPLES.len()
    );
}

#[tokio::test]
async fn the_conversation_list_answers_the_spec_query_newest_first() {
    let s = TestServer::start().await;
    let examples = [
        "integration_create_conversation_audio_transcript.json",
        "integration_create_conversation_body.json",
        "integration_create_conversation_email.json",
        "integration_create_conversation_social_post_location.json",
        "integration_create_conversation_sms.json",
    ];
    for example in examples {
        check_acknowledged(&s.create_conversation(spec(example)).await, example);
    }

    let reply = s.list_conversations("limit=50&offset=0").await;
    reply.expect_status(200);
    let object = reply.body.as_object().expect("an object");
    assert_eq!(object.keys().collect::<Vec<_>>(), ["conversations"]);
    let conversations = reply.body["conversations"].as_array().expect("a list");
    assert_eq!(conversations.len(), examples.len());

    let started: Vec<DateTime<Utc>> = conversations
        .iter()
        .map(|c| time(&c["started_at"]))
        .collect();
    assert!(
        started.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {started:?}"
    );
    let newest = &conversations[0];
    assert_eq!(newest["started_at"], json!("2024-07-21T22:34:43.384323Z"));
    assert_eq!(newest["finished_at"], json!("2024-07-21T22:35:43.384323Z"));
    assert_eq!(
        newest["geolocation"]["latitude"].as_f64(),
        Some(37.7749),
        "{newest}"
    );
    assert_eq!(newest["geolocation"]["longitude"].as_f64(), Some(-122.4194));

    for c in conversations {
        assert!(c["id"].as_str().is_some_and(|id| !id.is_empty()), "{c}");
        assert_eq!(c["created_at"], c["started_at"], "{c}");
        assert!(time(&c["finished_at"]) >= time(&c["started_at"]), "{c}");
        assert_eq!(c["language"], json!("en"));
        assert_eq!(c["app_id"], json!(s.demo.app_id));
        assert!(
            ["processing", "completed"].contains(&c["status"].as_str().unwrap_or_default()),
            "{c}"
        );
        assert!(c["discarded"].is_boolean(), "{c}");
        assert!(c["source"].is_string(), "{c}");
        assert!(c.get("geolocation").is_some(), "{c}");
        for field in ["title", "overview", "emoji", "category"] {
            assert!(
                c["structured"][field].is_string(),
                "structured.{field}: {c}"
            );
        }
        for field in ["action_items", "events"] {
            assert!(c["structured"][field].is_array(), "structured.{field}: {c}");
        }
        assert!(c["transcript_segments"].is_array(), "{c}");
    }

    let social = conversations
        .iter()
        .find(|c| c["text"].as_str().is_some_and(|t| t.contains("marathon")))
        .expect("the social post example is listed");
    assert_eq!(social["geolocation"]["latitude"].as_f64(), Some(40.7128));
    assert_eq!(social["geolocation"]["longitude"].as_f64(), Some(-74.006));
    assert_eq!(
        social["text"],
        spec("integration_create_conversation_social_post_location.json")["text"]
    );
}

#[tokio::test]
async fn a_conversation_with_only_text_takes_the_spec_defaults() {
    let s = TestServer::start().await;
    let before = Utc::now() - Duration::seconds(1);
    check_acknowledged(
        &s.create_conversation(json!({"text": "Me: I enjoy long walks."}))
            .await,
        "text only",
    );
    let after = Utc::now() + Duration::seconds(1);

    let all = s.all_conversations().await;
    let c = &all[0];
    let started = time(&c["started_at"]);
    assert!(
        before <= started && started <= after,
        "started_at is now: {c}"
    );
    assert_eq!(
        time(&c["finished_at"]) - started,
        Duration::minutes(5),
        "{c}"
    );
    assert_eq!(c["created_at"], c["started_at"]);
    assert_eq!(c["language"], json!("en"));
    assert_eq!(
        c["external_data"]["text_source"],
        json!("audio_transcript"),
        "{c}"
    );
    assert_eq!(c["geolocation"], Value::Null);
}

#[tokio::test]
async fn each_spec_memories_example_is_acknowledged_with_an_empty_object() {
    let s = TestServer::start().await;
    for example in MEMORIES_EXAMPLES {
        check_acknowledged(&s.import_memories(spec(example)).await, example);
    }
}

#[tokio::test]
async fn explicit_memories_are_listed_with_the_spec_query() {
    let s = TestServer::start().await;
    let example = spec("integration_create_memories_explicit.json");
    check_acknowledged(&s.import_memories(example.clone()).await, "explicit");

    let reply = s.list_memories("limit=100&offset=0").await;
    reply.expect_status(200);
    let object = reply.body.as_object().expect("an object");
    assert_eq!(object.keys().collect::<Vec<_>>(), ["memories"]);
    let listed = reply.body["memories"].as_array().expect("a list");

    let wanted = example["memories"]
        .as_array()
        .expect("the example's memories");
    assert_eq!(listed.len(), wanted.len(), "{}", reply.text);
    for memory in wanted {
        let found = listed
            .iter()
            .find(|m| m["content"] == memory["content"])
            .unwrap_or_else(|| panic!("{} is listed: {}", memory["content"], reply.text));
        assert_eq!(found["tags"], memory["tags"]);
        assert!(found["id"].as_str().is_some_and(|id| !id.is_empty()));
        time(&found["created_at"]);
        assert_eq!(found["visibility"], json!("private"));
        assert_eq!(found["app_id"], json!(s.demo.app_id));
    }
}

#[tokio::test]
async fn the_request_body_example_stores_its_explicit_memories_at_once() {
    let s = TestServer::start().await;
    let example = spec("integration_create_memories_body.json");
    check_acknowledged(&s.import_memories(example.clone()).await, "request body");

    let contents: Vec<Value> = s
        .all_memories()
        .await
        .iter()
        .map(|m| m["content"].clone())
        .collect();
    for memory in example["memories"].as_array().expect("memories") {
        assert!(contents.contains(&memory["content"]), "{contents:?}");
    }
}

#[tokio::test]
async fn health_and_readiness_answer_200() {
    let s = TestServer::start().await;
    let health = s
        .call(Method::GET, "/healthz", Auth::None, Body::None)
        .await;
    health.expect_status(200);
    assert_eq!(health.body, json!({"status": "ok"}));
    let ready = s.call(Method::GET, "/readyz", Auth::None, Body::None).await;
    ready.expect_status(200);
    assert_eq!(ready.body, json!({"status": "ready"}));
    s.shutdown().await;
}
