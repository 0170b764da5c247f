//! The Developer API's conversation routes over HTTP, one test per rule.

use std::collections::BTreeSet;
use std::sync::Arc;

use omi_extract::RulesExtractor;
use omi_model::DevScope;
use omi_server::ratelimit::RateLimitMode;
use omi_server::service::ServiceConfig;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{
    Auth, Body, GatedExtractor, Reply, ScriptedExtractor, TestServer, eventually, test_config,
};

const CONVERSATIONS: &str = "/v1/dev/user/conversations";
const FROM_SEGMENTS: &str = "/v1/dev/user/conversations/from-segments";

/// The README's example: a request, a commitment and a first-person fact.
const MILK: &str = "Mom: Don't forget to pick up milk\n\nMe: Will do. I love whole grain bread.";

/// `POST /v1/dev/user/conversations` with `body`; the new id (asserting the create answer).
async fn create(s: &TestServer, body: Value) -> String {
    let reply = s.dev(Method::POST, CONVERSATIONS, Some(body)).await;
    created_id(&reply)
}

/// The id of a create answer, which is exactly `{id, status: processing, discarded: false}`.
#[track_caller]
fn created_id(reply: &Reply) -> String {
    reply.expect_status(200);
    let id = reply.body["id"].as_str().expect("an id").to_owned();
    assert_eq!(
        reply.body,
        json!({"id": id, "status": "processing", "discarded": false})
    );
    id
}

/// `GET /v1/dev/user/conversations/{id}?{query}` with the demo key.
async fn get(s: &TestServer, id: &str, query: &str) -> Reply {
    s.dev(Method::GET, &format!("{CONVERSATIONS}/{id}?{query}"), None)
        .await
}

/// Wait until conversation `id` is completed; it, with its transcript.
async fn completed(s: &TestServer, id: &str) -> Value {
    eventually(&format!("conversation {id} completed"), || async {
        let reply = get(s, id, "include_transcript=true").await;
        reply.expect_status(200);
        (reply.body["status"] == json!("completed")).then_some(reply.body)
    })
    .await
}

/// The developer list with `query`.
async fn list(s: &TestServer, query: &str) -> Vec<Value> {
    let reply = s
        .dev(Method::GET, &format!("{CONVERSATIONS}?{query}"), None)
        .await;
    reply.expect_status(200);
    reply.body.as_array().expect("a bare list").clone()
}

fn keys(object: &Value) -> BTreeSet<&str> {
    object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

const DEVELOPER_KEYS: [&str; 13] = [
    "created_at",
    "discarded",
    "finished_at",
    "folder_id",
    "folder_name",
    "geolocation",
    "id",
    "language",
    "source",
    "started_at",
    "starred",
    "status",
    "structured",
];

#[tokio::test]
async fn a_text_is_answered_with_its_id_processing_before_it_is_processed() {
    let s = TestServer::start().await;
    let id = create(&s, json!({"text": MILK})).await;
    let reply = get(&s, &id, "").await;
    reply.expect_status(200);
    assert_eq!(reply.body["id"], json!(id));
    s.shutdown().await;
}

#[tokio::test]
async fn a_created_text_is_processed_and_its_action_items_and_memories_join_the_lists() {
    let s = TestServer::start().await;
    let id = create(&s, json!({"text": MILK, "text_source": "message"})).await;
    let done = completed(&s, &id).await;
    assert!(
        !done["structured"]["title"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
    assert_eq!(done["source"], json!("external_integration"));
    let found = done["structured"]["action_items"]
        .as_array()
        .expect("items")
        .len();
    assert!(
        found >= 1,
        "the request to buy milk is an action item: {done}"
    );

    let items = s
        .dev(
            Method::GET,
            &format!("/v1/dev/user/action-items?conversation_id={id}"),
            None,
        )
        .await;
    items.expect_status(200);
    let items = items.body.as_array().expect("a list");
    assert_eq!(items.len(), found, "{items:?}");
    assert!(items.iter().all(|i| i["conversation_id"] == json!(id)));
    assert!(
        items.iter().any(|i| i["description"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("milk")),
        "{items:?}"
    );

    let memories = s.dev(Method::GET, "/v1/dev/user/memories", None).await;
    memories.expect_status(200);
    assert!(
        memories
            .body
            .as_array()
            .expect("a list")
            .iter()
            .any(|m| m["conversation_id"] == json!(id)),
        "a first-person fact became a memory of the conversation: {}",
        memories.text
    );
    s.shutdown().await;
}

#[tokio::test]
async fn a_conversation_has_the_developer_shape_and_its_transcript_only_when_asked() {
    let s = TestServer::start().await;
    let id = create(
        &s,
        json!({"text": MILK, "geolocation": {"latitude": 52.5, "longitude": 13.4}}),
    )
    .await;
    let with = completed(&s, &id).await;
    let mut expected: BTreeSet<&str> = DEVELOPER_KEYS.into_iter().collect();
    expected.insert("transcript_segments");
    assert_eq!(keys(&with), expected, "{with}");
    assert!(
        with["transcript_segments"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    );
    assert_eq!(with["geolocation"]["latitude"], json!(52.5));

    let without = get(&s, &id, "").await;
    without.expect_status(200);
    assert_eq!(keys(&without.body), DEVELOPER_KEYS.into_iter().collect());
    let listed = list(&s, "").await;
    assert_eq!(keys(&listed[0]), DEVELOPER_KEYS.into_iter().collect());
    let listed = list(&s, "include_transcript=true").await;
    assert!(listed[0]["transcript_segments"].is_array());
    s.shutdown().await;
}

#[tokio::test]
async fn a_conversation_whose_processing_fails_says_why_and_stays_out_of_the_list() {
    let mut config = test_config();
    config.service = ServiceConfig {
        max_job_attempts: 2,
        ..ServiceConfig::default()
    };
    let s = TestServer::start_with(config, Arc::new(ScriptedExtractor)).await;
    let text = format!("Me: this breaks {}", ScriptedExtractor::FAIL);
    let id = create(&s, json!({ "text": text })).await;
    let failed = eventually("the conversation failed", || async {
        let reply = get(&s, &id, "").await;
        reply.expect_status(200);
        (reply.body["status"] == json!("failed")).then_some(reply.body)
    })
    .await;
    // Generic words: the cause's detail is for the operator's log only.
    assert_eq!(failed["failure_reason"], json!("extraction failed"));
    assert!(failed.get("text").is_none(), "{failed}");
    assert!(list(&s, "").await.is_empty());
    s.shutdown().await;
}

#[tokio::test]
async fn the_list_holds_completed_kept_conversations_newest_first() {
    let s = TestServer::start().await;
    let old = create(
        &s,
        json!({"text": "Me: I moved to Lisbon last year.", "started_at": "2024-01-01T10:00:00Z"}),
    )
    .await;
    let new = create(
        &s,
        json!({"text": "Me: I play the cello.", "started_at": "2024-02-01T10:00:00Z"}),
    )
    .await;
    let gone = create(
        &s,
        json!({"text": "Me: I run on Sundays.", "started_at": "2024-03-01T10:00:00Z"}),
    )
    .await;
    for id in [&old, &new, &gone] {
        completed(&s, id).await;
    }
    let discard = s
        .dev(
            Method::PATCH,
            &format!("{CONVERSATIONS}/{gone}"),
            Some(json!({"discarded": true})),
        )
        .await;
    discard.expect_status(200);
    let ids: Vec<Value> = list(&s, "").await.iter().map(|c| c["id"].clone()).collect();
    assert_eq!(ids, [json!(new), json!(old)]);
    let page: Vec<Value> = list(&s, "limit=1&offset=1")
        .await
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(page, [json!(old)]);
    let dated: Vec<Value> = list(&s, "start_date=2024-01-15")
        .await
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(dated, [json!(new)]);
    s.shutdown().await;
}

#[tokio::test]
async fn the_list_filters_by_category_and_an_unknown_category_is_400() {
    let s = TestServer::start().await;
    let id = create(&s, json!({"text": MILK})).await;
    let done = completed(&s, &id).await;
    let category = done["structured"]["category"]
        .as_str()
        .expect("a category")
        .to_owned();
    assert_eq!(list(&s, &format!("categories={category}")).await.len(), 1);
    let other = if category == "sports" {
        "music"
    } else {
        "sports"
    };
    assert!(list(&s, &format!("categories={other}")).await.is_empty());
    assert_eq!(
        list(&s, &format!("categories={other},{category}"))
            .await
            .len(),
        1
    );
    let bad = s
        .dev(
            Method::GET,
            &format!("{CONVERSATIONS}?categories=gossip"),
            None,
        )
        .await;
    bad.expect_detail(400, "Invalid category 'gossip' is not a valid CategoryEnum");
    s.shutdown().await;
}

#[tokio::test]
async fn segments_are_kept_as_given_and_finish_after_their_span() {
    let s = TestServer::start().await;
    let body = json!({
        "transcript_segments": [
            {"text": "Hey, how are you doing?", "speaker": "SPEAKER_00", "is_user": true, "start": 0.0, "end": 2.5},
            {"text": "I'm doing great, thanks! Can you send me the report tomorrow?", "speaker": "SPEAKER_01", "start": 2.8, "end": 65.5}
        ],
        "source": "phone",
        "started_at": "2024-05-01T09:00:00Z",
        "language": "en"
    });
    let reply = s.dev(Method::POST, FROM_SEGMENTS, Some(body)).await;
    let id = created_id(&reply);
    let done = completed(&s, &id).await;
    assert_eq!(done["source"], json!("phone"));
    assert_eq!(done["started_at"], json!("2024-05-01T09:00:00Z"));
    assert_eq!(done["finished_at"], json!("2024-05-01T09:01:05.500Z"));
    assert_eq!(
        done["transcript_segments"],
        json!([
            {"text": "Hey, how are you doing?", "speaker": "SPEAKER_00", "is_user": true, "start": 0.0, "end": 2.5},
            {"text": "I'm doing great, thanks! Can you send me the report tomorrow?", "speaker": "SPEAKER_01", "is_user": false, "start": 2.8, "end": 65.5}
        ])
    );
    s.shutdown().await;
}

#[tokio::test]
async fn segments_default_to_the_phone_source_as_in_omis_cloud() {
    let s = TestServer::start().await;
    let body = json!({"transcript_segments": [{"text": "Hello there.", "start": 0, "end": 1}]});
    let id = created_id(&s.dev(Method::POST, FROM_SEGMENTS, Some(body)).await);
    let done = completed(&s, &id).await;
    assert_eq!(done["source"], json!("phone"));
    assert_eq!(
        done["transcript_segments"][0]["speaker"],
        json!("SPEAKER_00")
    );
    s.shutdown().await;
}

#[tokio::test]
async fn patch_changes_the_title_and_discarded_and_answers_the_conversation() {
    let s = TestServer::start().await;
    let id = create(&s, json!({"text": MILK})).await;
    completed(&s, &id).await;
    let reply = s
        .dev(
            Method::PATCH,
            &format!("{CONVERSATIONS}/{id}"),
            Some(json!({"title": "  Groceries  "})),
        )
        .await;
    reply.expect_status(200);
    assert_eq!(reply.body["structured"]["title"], json!("Groceries"));
    assert_eq!(reply.body["discarded"], json!(false));
    let reply = s
        .dev(
            Method::PATCH,
            &format!("{CONVERSATIONS}/{id}"),
            Some(json!({"discarded": true})),
        )
        .await;
    reply.expect_status(200);
    assert_eq!(reply.body["discarded"], json!(true));
    assert_eq!(reply.body["structured"]["title"], json!("Groceries"));
    assert_eq!(get(&s, &id, "").await.body["discarded"], json!(true));
    s.shutdown().await;
}

#[tokio::test]
async fn patch_without_a_field_is_422_and_a_bad_title_names_it() {
    let s = TestServer::start().await;
    let id = create(&s, json!({"text": MILK})).await;
    let path = format!("{CONVERSATIONS}/{id}");
    let reply = s.dev(Method::PATCH, &path, Some(json!({}))).await;
    reply.expect_detail(
        422,
        "At least one field (title or discarded) must be provided",
    );
    let reply = s
        .dev(
            Method::PATCH,
            &path,
            Some(json!({"title": "x".repeat(501)})),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(
        reply.body["detail"],
        json!([{"loc": ["body", "title"], "msg": "String should have at most 500 characters", "type": "string_too_long"}])
    );
    s.shutdown().await;
}

#[tokio::test]
async fn delete_answers_success_and_the_conversation_is_gone() {
    let s = TestServer::start().await;
    let id = create(&s, json!({"text": MILK})).await;
    let path = format!("{CONVERSATIONS}/{id}");
    let reply = s.dev(Method::DELETE, &path, None).await;
    reply.expect_status(200);
    assert_eq!(reply.body, json!({"success": true}));
    get(&s, &id, "")
        .await
        .expect_detail(404, "Conversation not found");
    s.dev(Method::DELETE, &path, None)
        .await
        .expect_detail(404, "Conversation not found");
    s.shutdown().await;
}

#[tokio::test]
async fn another_users_conversation_is_not_found() {
    let s = TestServer::start().await;
    let id = create(&s, json!({"text": MILK})).await;
    let other = s.user("someone-else", None).await;
    let key = s.dev_key(&other, DevScope::ALL).await;
    let path = format!("{CONVERSATIONS}/{id}");
    for (method, body) in [
        (Method::GET, Body::None),
        (Method::PATCH, Body::Json(json!({"title": "Mine now"}))),
        (Method::DELETE, Body::None),
    ] {
        s.call(method, &path, Auth::Bearer(&key), body)
            .await
            .expect_detail(404, "Conversation not found");
    }
    let listed = s
        .call(Method::GET, CONVERSATIONS, Auth::Bearer(&key), Body::None)
        .await;
    listed.expect_status(200);
    assert_eq!(listed.body, json!([]));
    get(&s, &id, "").await.expect_status(200);
    s.shutdown().await;
}

#[tokio::test]
async fn text_over_100_000_characters_is_422() {
    let s = TestServer::start().await;
    let reply = s
        .dev(
            Method::POST,
            CONVERSATIONS,
            Some(json!({"text": "a".repeat(100_001)})),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(
        reply.body["detail"],
        json!([{"loc": ["body", "text"], "msg": "String should have at most 100000 characters", "type": "string_too_long"}])
    );
    create(&s, json!({"text": "a".repeat(100_000)})).await;
    s.shutdown().await;
}

#[tokio::test]
async fn text_create_rules_are_reported_together() {
    let s = TestServer::start().await;
    let reply = s
        .dev(
            Method::POST,
            CONVERSATIONS,
            Some(json!({
                "text": "   ",
                "started_at": "2024-03-10T15:00:00Z",
                "finished_at": "2024-03-10T14:00:00Z",
                "text_source": "fax"
            })),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(
        reply.body["detail"],
        json!([{"loc": ["body", "text_source"], "msg": "Input should be 'audio_transcript', 'message' or 'other_text'", "type": "enum"}])
    );
    let reply = s
        .dev(
            Method::POST,
            CONVERSATIONS,
            Some(json!({
                "text": "   ",
                "started_at": "2024-03-10T15:00:00Z",
                "finished_at": "2024-03-10T14:00:00Z"
            })),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(
        reply.body["detail"],
        json!([
            {"loc": ["body", "text"], "msg": "Value error, text cannot be empty", "type": "value_error"},
            {"loc": ["body", "finished_at"], "msg": "Value error, finished_at must not be earlier than started_at", "type": "value_error"}
        ])
    );
    s.shutdown().await;
}

#[tokio::test]
async fn segment_rules_are_reported_at_each_segment() {
    let s = TestServer::start().await;
    let reply = s
        .dev(
            Method::POST,
            FROM_SEGMENTS,
            Some(json!({"transcript_segments": []})),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(
        reply.body["detail"],
        json!([{"loc": ["body", "transcript_segments"], "msg": "List should have at least 1 item after validation, not 0", "type": "too_short"}])
    );
    let many: Vec<Value> = (0..501)
        .map(|i| json!({"text": "hi", "start": i, "end": i + 1}))
        .collect();
    let reply = s
        .dev(
            Method::POST,
            FROM_SEGMENTS,
            Some(json!({"transcript_segments": many})),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(reply.body["detail"][0]["type"], json!("too_long"));
    let reply = s
        .dev(
            Method::POST,
            FROM_SEGMENTS,
            Some(json!({"transcript_segments": [
                {"text": " ", "start": 0, "end": 1},
                {"text": "ok", "start": -1, "end": 1},
                {"text": "ok", "start": 4, "end": 2},
                {"text": "ok", "start": 1}
            ]})),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(
        reply.body["detail"],
        json!([{"loc": ["body", "transcript_segments", 3, "end"], "msg": "Field required", "type": "missing"}])
    );
    let reply = s
        .dev(
            Method::POST,
            FROM_SEGMENTS,
            Some(json!({"transcript_segments": [
                {"text": " ", "start": 0, "end": 1},
                {"text": "ok", "start": -1, "end": 1},
                {"text": "ok", "start": 4, "end": 2}
            ], "source": "carrier_pigeon"})),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(reply.body["detail"][0]["loc"], json!(["body", "source"]));
    let reply = s
        .dev(
            Method::POST,
            FROM_SEGMENTS,
            Some(json!({"transcript_segments": [
                {"text": " ", "start": 0, "end": 1},
                {"text": "ok", "start": -1, "end": 1},
                {"text": "ok", "start": 4, "end": 2}
            ]})),
        )
        .await;
    reply.expect_status(422);
    assert_eq!(
        reply.body["detail"],
        json!([
            {"loc": ["body", "transcript_segments", 0, "text"], "msg": "Value error, text cannot be empty", "type": "value_error"},
            {"loc": ["body", "transcript_segments", 1, "start"], "msg": "Input should be greater than or equal to 0", "type": "greater_than_equal"},
            {"loc": ["body", "transcript_segments", 2, "end"], "msg": "Value error, end must be after start", "type": "value_error"}
        ])
    );
    s.shutdown().await;
}

#[tokio::test]
async fn bad_list_and_read_queries_are_422() {
    let s = TestServer::start().await;
    let reply = s
        .dev(
            Method::GET,
            &format!("{CONVERSATIONS}?limit=0&include_transcript=maybe"),
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
    assert_eq!(locs, [json!(["query", "include_transcript"])]);
    let reply = s
        .dev(Method::GET, &format!("{CONVERSATIONS}?limit=0"), None)
        .await;
    reply.expect_status(422);
    assert_eq!(reply.body["detail"][0]["loc"], json!(["query", "limit"]));
    let reply = s
        .dev(
            Method::GET,
            &format!("{CONVERSATIONS}/x?include_transcript=maybe"),
            None,
        )
        .await;
    reply.expect_status(422);
    s.shutdown().await;
}

#[tokio::test]
async fn keys_without_the_conversation_scopes_are_403_naming_them() {
    let s = TestServer::start().await;
    let id = create(&s, json!({"text": MILK})).await;
    let reader = s.dev_key(&s.demo.uid, &[DevScope::ConversationsRead]).await;
    let writer = s
        .dev_key(&s.demo.uid, &[DevScope::ConversationsWrite])
        .await;
    let write = "Insufficient permissions. Required scope: conversations:write";
    let read = "Insufficient permissions. Required scope: conversations:read";
    let one = format!("{CONVERSATIONS}/{id}");
    let cases = [
        (
            &reader,
            Method::POST,
            CONVERSATIONS,
            Body::Json(json!({"text": MILK})),
            write,
        ),
        (
            &reader,
            Method::POST,
            FROM_SEGMENTS,
            Body::Json(json!({"transcript_segments": []})),
            write,
        ),
        (
            &reader,
            Method::PATCH,
            one.as_str(),
            Body::Json(json!({"title": "t"})),
            write,
        ),
        (&reader, Method::DELETE, one.as_str(), Body::None, write),
        (&writer, Method::GET, CONVERSATIONS, Body::None, read),
        (&writer, Method::GET, one.as_str(), Body::None, read),
    ];
    for (key, method, path, body, detail) in cases {
        s.call(method, path, Auth::Bearer(key), body)
            .await
            .expect_detail(403, detail);
    }
    s.call(Method::GET, CONVERSATIONS, Auth::None, Body::None)
        .await
        .expect_detail(401, "Invalid API Key");
    s.shutdown().await;
}

#[tokio::test]
async fn the_cloud_preset_allows_25_conversation_writes_an_hour_per_key() {
    let mut config = test_config();
    config.rate_limits = RateLimitMode::Cloud;
    let s = TestServer::start_with(config, Arc::new(RulesExtractor)).await;
    for _ in 0..25 {
        let reply = s
            .dev(
                Method::POST,
                CONVERSATIONS,
                Some(json!({"text": "[limit]"})),
            )
            .await;
        reply.expect_status(200);
        assert_eq!(reply.headers["x-ratelimit-limit"], "25");
    }
    let reply = s
        .dev(
            Method::POST,
            CONVERSATIONS,
            Some(json!({"text": "[limit]"})),
        )
        .await;
    reply.expect_status(429);
    assert!(reply.headers.contains_key("retry-after"));
    s.shutdown().await;
}

#[tokio::test]
async fn a_title_and_discarded_set_while_processing_survive_its_completion() {
    let gate = GatedExtractor::new();
    let s = TestServer::start_with(test_config(), gate.clone()).await;
    let text = format!("{} {MILK} 京都の旅 🏯", GatedExtractor::GATE);
    let id = create(&s, json!({"text": text})).await;
    let path = format!("{CONVERSATIONS}/{id}");
    let patch = json!({"title": "京都の旅 🏯", "discarded": true});
    let patched = s.dev(Method::PATCH, &path, Some(patch)).await;
    patched.expect_status(200);
    assert_eq!(patched.body["status"], json!("processing"));
    gate.open();

    let done = completed(&s, &id).await;
    assert_eq!(done["structured"]["title"], json!("京都の旅 🏯"), "{done}");
    assert_eq!(done["discarded"], json!(true), "{done}");
    assert!(
        !done["structured"]["overview"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "what the user did not set is processing's: {done}"
    );
    s.shutdown().await;
}

#[tokio::test]
async fn a_title_set_while_processing_leaves_discarded_to_processing() {
    let gate = GatedExtractor::new();
    let s = TestServer::start_with(test_config(), gate.clone()).await;
    let id = create(
        &s,
        json!({"text": format!("{} {MILK}", GatedExtractor::GATE)}),
    )
    .await;
    let path = format!("{CONVERSATIONS}/{id}");
    let patched = s
        .dev(Method::PATCH, &path, Some(json!({"title": "Milk"})))
        .await;
    patched.expect_status(200);
    gate.open();
    let done = completed(&s, &id).await;
    assert_eq!(done["structured"]["title"], json!("Milk"));
    assert_eq!(
        done["discarded"],
        json!(false),
        "processing kept it: {done}"
    );
    s.shutdown().await;
}

#[tokio::test]
async fn completing_or_deleting_a_conversations_action_item_changes_the_conversation_too() {
    let s = TestServer::start().await;
    let id = create(&s, json!({"text": MILK})).await;
    let done = completed(&s, &id).await;
    let listed = s
        .dev(
            Method::GET,
            &format!("/v1/dev/user/action-items?conversation_id={id}"),
            None,
        )
        .await;
    let item = listed.body[0].clone();
    let item_id = item["id"].as_str().expect("an item id");
    let in_conversation = |c: &Value| c["structured"]["action_items"].clone();
    assert_eq!(
        in_conversation(&done),
        json!([{"description": item["description"], "completed": false}]),
        "the conversation and the list agree from the start"
    );

    let item_path = format!("/v1/dev/user/action-items/{item_id}");
    let change = json!({"completed": true, "description": "Pick up milk 🥛"});
    s.dev(Method::PATCH, &item_path, Some(change))
        .await
        .expect_status(200);
    let after = get(&s, &id, "").await.body;
    assert_eq!(
        in_conversation(&after),
        json!([{"description": "Pick up milk 🥛", "completed": true}])
    );

    s.dev(Method::DELETE, &item_path, None)
        .await
        .expect_status(200);
    let after = get(&s, &id, "").await.body;
    assert_eq!(in_conversation(&after), json!([]));
    s.shutdown().await;
}
