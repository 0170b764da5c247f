//! Every input rule over HTTP: a 4xx in FastAPI's shape, never a 500.

use std::sync::Arc;

use omi_extract::RulesExtractor;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Auth, Body, Reply, TestServer, test_config};

const MEMORIES: &str = "/v1/dev/user/memories";
const BATCH: &str = "/v1/dev/user/memories/batch";

/// The answer is a 422 listing exactly these problems, as `(loc joined with dots, type)`.
#[track_caller]
fn check(reply: &Reply, expected: &[(&str, &str)]) {
    let got = problems(reply);
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(loc, kind)| ((*loc).to_owned(), (*kind).to_owned()))
        .collect();
    assert_eq!(got, expected, "{}", reply.text);
}

/// The `detail` items of a 422 as `(loc, type)` pairs, `loc` joined with dots.
#[track_caller]
fn problems(reply: &Reply) -> Vec<(String, String)> {
    reply.expect_status(422);
    let items = reply.body["detail"]
        .as_array()
        .unwrap_or_else(|| panic!("a list of problems, got {}", reply.text));
    items
        .iter()
        .map(|item| {
            let loc: Vec<String> = item["loc"]
                .as_array()
                .expect("a loc list")
                .iter()
                .map(|s| match s {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            let kind = item["type"].as_str().expect("a type").to_owned();
            assert!(item["msg"].is_string(), "every problem has a msg: {item}");
            (loc.join("."), kind)
        })
        .collect()
}

/// A raw body with a content type.
fn raw(content_type: Option<&'static str>, bytes: &[u8]) -> Body {
    Body::Raw {
        content_type,
        bytes: bytes.to_vec(),
    }
}

impl TestServer {
    /// Each JSON-body route of the demo user's credentials, as `(method, path, key)`.
    fn body_routes(&self) -> Vec<(Method, String, String)> {
        let app = self.demo.app_key.clone();
        let dev = self.demo.dev_key.clone();
        vec![
            (
                Method::POST,
                self.integration_path("user/conversations"),
                app.clone(),
            ),
            (Method::POST, self.integration_path("user/memories"), app),
            (Method::POST, MEMORIES.to_owned(), dev.clone()),
            (Method::POST, BATCH.to_owned(), dev),
        ]
    }
}

#[tokio::test]
async fn malformed_json_is_422_json_invalid() {
    let s = TestServer::start().await;
    for (method, path, key) in s.body_routes() {
        let reply = s
            .call(
                method,
                &path,
                Auth::Bearer(&key),
                raw(Some("application/json"), b"{\"text\": "),
            )
            .await;
        let found = problems(&reply);
        assert_eq!(found.len(), 1, "{path}: {}", reply.text);
        assert_eq!(found[0].1, "json_invalid", "{path}: {}", reply.text);
        assert!(found[0].0.starts_with("body"), "{path}: {}", reply.text);
    }
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_422() {
    let s = TestServer::start().await;
    for (method, path, key) in s.body_routes() {
        for body in [&b"[1, 2]"[..], b"\"text\"", b"42", b"null"] {
            let reply = s
                .call(
                    method.clone(),
                    &path,
                    Auth::Bearer(&key),
                    raw(Some("application/json"), body),
                )
                .await;
            check(&reply, &[("body", "model_attributes_type")]);
        }
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_422() {
    let s = TestServer::start().await;
    for (method, path, key) in s.body_routes() {
        let reply = s
            .call(
                method,
                &path,
                Auth::Bearer(&key),
                raw(Some("text/plain"), b"{\"content\": \"User likes tea\"}"),
            )
            .await;
        check(&reply, &[("body", "model_attributes_type")]);
    }
}

#[tokio::test]
async fn a_json_body_without_content_type_is_accepted() {
    let s = TestServer::start().await;
    let key = s.demo.dev_key.clone();
    for content_type in [None, Some("application/x-www-form-urlencoded")] {
        let reply = s
            .call(
                Method::POST,
                MEMORIES,
                Auth::Bearer(&key),
                raw(content_type, br#"{"content": "User likes tea"}"#),
            )
            .await;
        reply.expect_status(200);
    }
}

#[tokio::test]
async fn an_unknown_enum_value_is_422_enum() {
    let s = TestServer::start().await;
    check(
        &s.create_conversation(json!({"text": "Me: hello there", "text_source": "fax"}))
            .await,
        &[("body.text_source", "enum")],
    );
    check(
        &s.import_memories(json!({"text": "I like tea.", "text_source": "fax"}))
            .await,
        &[("body.text_source", "enum")],
    );
    check(
        &s.dev(
            Method::POST,
            MEMORIES,
            Some(
                json!({"content": "User likes tea", "category": "gossip", "visibility": "secret"}),
            ),
        )
        .await,
        &[("body.category", "enum"), ("body.visibility", "enum")],
    );
}

#[tokio::test]
async fn a_wrongly_typed_field_is_422_naming_it() {
    let s = TestServer::start().await;
    check(
        &s.create_conversation(json!({"text": 5, "language": true}))
            .await,
        &[
            ("body.text", "string_type"),
            ("body.language", "string_type"),
        ],
    );
    check(
        &s.dev(
            Method::POST,
            MEMORIES,
            Some(json!({"content": "ok", "tags": "x"})),
        )
        .await,
        &[("body.tags", "list_type")],
    );
}

#[tokio::test]
async fn a_missing_required_field_is_422_missing() {
    let s = TestServer::start().await;
    check(
        &s.create_conversation(json!({"language": "en"})).await,
        &[("body.text", "missing")],
    );
    check(
        &s.dev(Method::POST, MEMORIES, Some(json!({}))).await,
        &[("body.content", "missing")],
    );
    check(
        &s.dev(Method::POST, BATCH, Some(json!({}))).await,
        &[("body.memories", "missing")],
    );
}

#[tokio::test]
async fn memory_content_must_be_1_to_500_characters_and_not_blank() {
    let s = TestServer::start().await;
    let longest = "x".repeat(500);
    let too_long = "x".repeat(501);
    for (content, kind) in [
        ("", "string_too_short"),
        (too_long.as_str(), "string_too_long"),
        ("   \n\t ", "value_error"),
    ] {
        check(
            &s.dev(Method::POST, MEMORIES, Some(json!({ "content": content })))
                .await,
            &[("body.content", kind)],
        );
        check(
            &s.import_memories(json!({"memories": [{ "content": content }]}))
                .await,
            &[("body.memories.0.content", kind)],
        );
    }
    let kept = s.dev_memory(json!({ "content": longest })).await;
    let path = format!("{MEMORIES}/{}", kept["id"].as_str().expect("id"));
    check(
        &s.dev(Method::PATCH, &path, Some(json!({"content": ""})))
            .await,
        &[("body.content", "string_too_short")],
    );
    check(
        &s.dev(Method::PATCH, &path, Some(json!({ "content": too_long })))
            .await,
        &[("body.content", "string_too_long")],
    );
    let all = s.all_memories().await;
    assert_eq!(all.len(), 1, "nothing invalid was stored");
    assert_eq!(all[0]["content"].as_str().map(str::len), Some(500));
}

#[tokio::test]
async fn a_batch_of_more_than_25_is_422_too_long() {
    let s = TestServer::start().await;
    let memories: Vec<Value> = (0..26)
        .map(|i| json!({"content": format!("User fact {i}")}))
        .collect();
    check(
        &s.dev(Method::POST, BATCH, Some(json!({ "memories": memories })))
            .await,
        &[("body.memories", "too_long")],
    );
    assert!(s.all_memories().await.is_empty());
}

#[tokio::test]
async fn a_batch_with_one_bad_item_stores_nothing() {
    let s = TestServer::start().await;
    let reply = s
        .dev(
            Method::POST,
            BATCH,
            Some(json!({"memories": [
                {"content": "User likes tea"},
                {"content": ""},
                {"content": "User likes coffee", "tags": [" "]}
            ]})),
        )
        .await;
    check(
        &reply,
        &[
            ("body.memories.1.content", "string_too_short"),
            ("body.memories.2.tags.0", "value_error"),
        ],
    );
    assert!(s.all_memories().await.is_empty(), "all or nothing");
}

#[tokio::test]
async fn a_patch_without_fields_is_422_with_the_message() {
    let s = TestServer::start().await;
    let m = s.dev_memory(json!({"content": "User likes tea"})).await;
    let path = format!("{MEMORIES}/{}", m["id"].as_str().expect("id"));
    s.dev(Method::PATCH, &path, Some(json!({})))
        .await
        .expect_detail(
            422,
            "At least one field (content, visibility, tags, or category) must be provided",
        );
}

#[tokio::test]
async fn an_import_without_text_or_memories_is_422_with_the_message() {
    let s = TestServer::start().await;
    let detail = "Either text or explicit memories are required and cannot be empty";
    for body in [
        json!({}),
        json!({"text": "  ", "memories": []}),
        json!({"text": ""}),
        json!({"memories": [], "text_source": "email"}),
    ] {
        s.import_memories(body).await.expect_detail(422, detail);
    }
}

#[tokio::test]
async fn limit_and_offset_out_of_range_are_422_at_their_parameter() {
    let s = TestServer::start().await;
    let cases = [
        ("limit=0", "query.limit", "greater_than_equal"),
        ("limit=1001", "query.limit", "less_than_equal"),
        ("limit=abc", "query.limit", "int_parsing"),
        ("offset=-1", "query.offset", "greater_than_equal"),
        ("offset=x", "query.offset", "int_parsing"),
    ];
    for (query, loc, kind) in cases {
        check(&s.list_conversations(query).await, &[(loc, kind)]);
        check(&s.list_memories(query).await, &[(loc, kind)]);
        let dev = s
            .dev(Method::GET, &format!("{MEMORIES}?{query}"), None)
            .await;
        check(&dev, &[(loc, kind)]);
    }
    check(
        &s.list_conversations("limit=0&offset=-1").await,
        &[
            ("query.limit", "greater_than_equal"),
            ("query.offset", "greater_than_equal"),
        ],
    );
    for query in ["limit=1", "limit=1000", "offset=0&limit=1000"] {
        s.list_conversations(query).await.expect_status(200);
        s.list_memories(query).await.expect_status(200);
    }
}

#[tokio::test]
async fn conversation_list_filters_of_the_wrong_form_are_422() {
    let s = TestServer::start().await;
    check(
        &s.list_conversations("include_discarded=maybe").await,
        &[("query.include_discarded", "bool_parsing")],
    );
    check(
        &s.list_conversations("statuses=done").await,
        &[("query.statuses.0", "enum")],
    );
    check(
        &s.list_conversations("start_date=yesterday").await,
        &[("query.start_date", "datetime_parsing")],
    );
}

#[tokio::test]
async fn a_missing_uid_is_422_field_required() {
    let s = TestServer::start().await;
    let app = s.demo.app_id.clone();
    let key = s.demo.app_key.clone();
    let routes = [
        (
            Method::POST,
            "user/conversations",
            Body::Json(json!({"text": "Me: hi there"})),
        ),
        (
            Method::POST,
            "user/memories",
            Body::Json(json!({"text": "I like tea."})),
        ),
        (Method::GET, "conversations", Body::None),
        (Method::GET, "memories", Body::None),
    ];
    for (method, tail, body) in routes {
        for query in ["", "?limit=10", "?uid"] {
            let path = format!("/v2/integrations/{app}/{tail}{query}");
            let reply = s
                .call(method.clone(), &path, Auth::Bearer(&key), body.clone())
                .await;
            if query == "?uid" {
                assert!(
                    reply.status == 422,
                    "an empty uid is refused: {path}: {}",
                    reply.text
                );
                continue;
            }
            check(&reply, &[("query.uid", "missing")]);
        }
    }
    assert!(s.all_conversations().await.is_empty());
}

#[tokio::test]
async fn an_unknown_category_is_400() {
    let s = TestServer::start().await;
    s.dev(
        Method::GET,
        &format!("{MEMORIES}?categories=interesting,bogus"),
        None,
    )
    .await
    .expect_detail(
        400,
        "Invalid category 'bogus' is not a valid MemoryCategory",
    );
}

#[tokio::test]
async fn finished_at_before_started_at_is_422() {
    let s = TestServer::start().await;
    check(
        &s.create_conversation(json!({
            "text": "Me: hello there",
            "started_at": "2024-03-10T15:05:00Z",
            "finished_at": "2024-03-10T15:00:00Z"
        }))
        .await,
        &[("body.finished_at", "value_error")],
    );
}

#[tokio::test]
async fn coordinates_out_of_range_are_422() {
    let s = TestServer::start().await;
    check(
        &s.create_conversation(json!({
            "text": "Me: hello there",
            "geolocation": {"latitude": 91, "longitude": -181}
        }))
        .await,
        &[
            ("body.geolocation.latitude", "less_than_equal"),
            ("body.geolocation.longitude", "greater_than_equal"),
        ],
    );
    s.create_conversation(json!({
        "text": "Me: hello there",
        "geolocation": {"latitude": 90, "longitude": -180}
    }))
    .await
    .expect_status(200);
}

#[tokio::test]
async fn a_timestamp_without_a_timezone_is_422_timezone_aware() {
    let s = TestServer::start().await;
    check(
        &s.create_conversation(json!({
            "text": "Me: hello there",
            "started_at": "2024-03-10T15:00:00"
        }))
        .await,
        &[("body.started_at", "timezone_aware")],
    );
    check(
        &s.create_conversation(json!({"text": "Me: hello there", "started_at": "soon"}))
            .await,
        &[("body.started_at", "datetime_parsing")],
    );
}

#[tokio::test]
async fn every_problem_of_a_body_is_reported_at_once() {
    let s = TestServer::start().await;
    check(
        &s.create_conversation(json!({
            "text": "   ",
            "started_at": "2024-03-10T15:05:00Z",
            "finished_at": "2024-03-10T15:00:00Z",
            "geolocation": {"latitude": 91, "longitude": 0}
        }))
        .await,
        &[
            ("body.text", "value_error"),
            ("body.geolocation.latitude", "less_than_equal"),
            ("body.finished_at", "value_error"),
        ],
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_with_a_json_detail() {
    let mut config = test_config();
    config.http.body_limit = 1024;
    let s = TestServer::start_with(config, Arc::new(RulesExtractor)).await;
    let big = json!({ "text": format!("Me: {}", "word ".repeat(410)) });
    assert!(big.to_string().len() > 2048);
    for (method, path, key) in s.body_routes() {
        let reply = s
            .call(
                method.clone(),
                &path,
                Auth::Bearer(&key),
                Body::Json(big.clone()),
            )
            .await;
        reply.expect_status(413);
        assert!(reply.body["detail"].is_string(), "{path}: {}", reply.text);
    }
    s.create_conversation(json!({"text": "Me: a short one"}))
        .await
        .expect_status(200);
    assert_eq!(s.all_conversations().await.len(), 1);
}

#[tokio::test]
async fn an_unknown_route_is_404_not_found() {
    let s = TestServer::start().await;
    for path in [
        "/",
        "/v1/dev/user/conversations/nope/x",
        "/v3/integrations",
        "/healthz/x",
    ] {
        s.call(Method::GET, path, Auth::None, Body::None)
            .await
            .expect_detail(404, "Not Found");
    }
}

#[tokio::test]
async fn a_wrong_method_is_405_in_json() {
    let s = TestServer::start().await;
    let app = s.demo.app_id.clone();
    let cases = [
        (Method::PUT, MEMORIES.to_owned()),
        (Method::DELETE, MEMORIES.to_owned()),
        (Method::GET, BATCH.to_owned()),
        (Method::POST, format!("{MEMORIES}/abc")),
        (
            Method::GET,
            format!("/v2/integrations/{app}/user/conversations"),
        ),
        (
            Method::POST,
            format!("/v2/integrations/{app}/conversations"),
        ),
        (Method::POST, "/healthz".to_owned()),
    ];
    for (method, path) in cases {
        let reply = s.call(method.clone(), &path, Auth::None, Body::None).await;
        assert_eq!(reply.status, 405, "{method} {path}: {}", reply.text);
        assert_eq!(
            reply.body,
            json!({"detail": "Method Not Allowed"}),
            "{method} {path}"
        );
    }
}

/// `value` `n` times, comma-separated.
fn many(value: &str, n: usize) -> String {
    vec![value; n].join(",")
}

#[tokio::test]
async fn a_list_filter_of_thousands_of_values_is_one_422_too_long() {
    // A URI holds at most 64 KiB, so a few thousand values is as many as HTTP can carry.
    let s = TestServer::start().await;
    let n = 5_000;
    for value in ["failed", "done"] {
        let reply = s
            .list_conversations(&format!("statuses={}", many(value, n)))
            .await;
        check(&reply, &[("query.statuses", "too_long")]);
    }
    for path in [MEMORIES, "/v1/dev/user/conversations"] {
        for value in ["system", "work", "bogus"] {
            let query = format!("{path}?categories={}", many(value, n));
            let reply = s.dev(Method::GET, &query, None).await;
            check(&reply, &[("query.categories", "too_long")]);
        }
    }
}

#[tokio::test]
async fn a_list_filter_of_40_000_values_in_process_is_a_422_not_a_500() {
    use omi_api::{DeveloperConversations, DeveloperMemories, IntegrationImports};
    use omi_model::{
        ConversationCategory, ConversationStatus, ListConversationsQuery,
        ListDevConversationsQuery, ListDevMemoriesQuery, MemoryCategory,
    };
    let s = TestServer::start().await;
    let n = 40_000;
    let app = s
        .service()
        .integration(s.demo.app_id.clone(), Some(s.demo.app_key.as_str().into()));
    let query = ListConversationsQuery {
        statuses: vec![ConversationStatus::Completed; n],
        ..Default::default()
    };
    let err = app
        .list_conversations(&s.demo.uid, query)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422, "{err}");
    let dev = s.service().developer(Some(s.demo.dev_key.as_str().into()));
    let query = ListDevMemoriesQuery {
        categories: vec![MemoryCategory::System; n],
        ..Default::default()
    };
    let err = dev.list_memories(query).await.unwrap_err();
    assert_eq!(err.status(), 422, "{err}");
    let query = ListDevConversationsQuery {
        categories: vec![ConversationCategory::Work; n],
        ..Default::default()
    };
    let err = dev.list_conversations(query).await.unwrap_err();
    assert_eq!(err.status(), 422, "{err}");
}

#[tokio::test]
async fn a_list_filter_repeating_its_values_within_the_cap_is_answered() {
    let s = TestServer::start().await;
    let statuses = many("completed,failed", 50);
    s.list_conversations(&format!("statuses={statuses}"))
        .await
        .expect_status(200);
    let categories = many("system,interesting", 50);
    let reply = s
        .dev(
            Method::GET,
            &format!("{MEMORIES}?categories={categories}"),
            None,
        )
        .await;
    reply.expect_status(200);
}

#[tokio::test]
async fn a_422_reports_at_most_100_problems() {
    let s = TestServer::start().await;
    let reply = s
        .list_conversations(&format!("statuses={}", many("done", 100)))
        .await;
    assert_eq!(problems(&reply).len(), 100, "each bad value within the cap");
    let segments = vec![json!({"text": " ", "start": -1.0, "end": 2.0}); 500];
    let reply = s
        .dev(
            Method::POST,
            "/v1/dev/user/conversations/from-segments",
            Some(json!({ "transcript_segments": segments })),
        )
        .await;
    let found = problems(&reply);
    assert_eq!(found.len(), 100, "1000 problems, the first 100 reported");
    assert_eq!(found[0].0, "body.transcript_segments.0.text");
}
