//! Input rules: every problem is a 422 in FastAPI's shape (or a message for a rule about the
//! body as a whole), except an unknown developer category, which OMI answers with 400.
//!
//! The typed requests can say everything the rules are about except what no typed value can
//! hold (an unknown category, a non-integer limit, malformed JSON); those are sent as raw
//! HTTP at the end of this module.

use chrono::{DateTime, Duration, Utc};
use omi_api::{DeveloperMemories, IntegrationImports};
use omi_model::{
    BatchCreateMemoriesRequest, CreateConversationRequest, CreateMemoriesRequest,
    CreateMemoryRequest, ExplicitMemoryRequest, Geolocation, ListConversationsQuery,
    ListDevMemoriesQuery, ListMemoriesQuery, UpdateMemoryRequest,
};
use serde_json::{Value, json};

use crate::common::{
    Backend, Ctx, Record, TestServer, Transport, contracts, postgres_url, snapshot,
};

contracts!(
    conversation_bodies,
    memory_import_bodies,
    developer_memory_bodies,
    page_bounds,
);

fn at(raw: &str) -> DateTime<Utc> {
    omi_model::timestamp::parse_datetime(raw).expect("a timestamp")
}

/// `text` required and not blank, `finished_at` not before `started_at`, coordinates in
/// range, a short language code, a `uid` of 1..=128 characters; every problem at once.
async fn conversation_bodies<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let start = at("2024-03-10T15:00:00Z");
    let mut check =
        async |label: &str, status: u16, uid: &str, request: CreateConversationRequest| {
            let result = ctx.app.create_conversation(uid, request).await;
            if status == 200 {
                rec.ok(label, result);
            } else {
                rec.err(label, status, result);
            }
        };
    let text = CreateConversationRequest::from_text;
    check("text empty", 422, &ctx.uid, text("")).await;
    check("text blank", 422, &ctx.uid, text(" \n\t ")).await;
    check(
        "finished_at before started_at",
        422,
        &ctx.uid,
        CreateConversationRequest {
            started_at: Some(start),
            finished_at: Some(start - Duration::seconds(1)),
            ..text("Me: I love tea.")
        },
    )
    .await;
    check(
        "finished_at equal to started_at",
        200,
        &ctx.uid,
        CreateConversationRequest {
            started_at: Some(start),
            finished_at: Some(start),
            ..text("Me: I love tea.")
        },
    )
    .await;
    check(
        "finished_at alone, before the default started_at (now)",
        422,
        &ctx.uid,
        CreateConversationRequest {
            finished_at: Some(start),
            ..text("Me: I love tea.")
        },
    )
    .await;
    check(
        "latitude 91",
        422,
        &ctx.uid,
        CreateConversationRequest {
            geolocation: Some(Geolocation::new(91.0, 0.0)),
            ..text("Me: I love tea.")
        },
    )
    .await;
    check(
        "latitude -90 and longitude 180 are in range",
        200,
        &ctx.uid,
        CreateConversationRequest {
            geolocation: Some(Geolocation::new(-90.0, 180.0)),
            ..text("Me: I love coffee.")
        },
    )
    .await;
    check(
        "longitude -180.5",
        422,
        &ctx.uid,
        CreateConversationRequest {
            geolocation: Some(Geolocation::new(0.0, -180.5)),
            ..text("Me: I love tea.")
        },
    )
    .await;
    check(
        "language of 36 characters",
        422,
        &ctx.uid,
        CreateConversationRequest {
            language: Some("x".repeat(36)),
            ..text("Me: I love tea.")
        },
    )
    .await;
    check(
        "text_source_spec of 201 characters",
        422,
        &ctx.uid,
        CreateConversationRequest {
            text_source_spec: Some("s".repeat(201)),
            ..text("Me: I love tea.")
        },
    )
    .await;
    check(
        "every problem at once",
        422,
        &ctx.uid,
        CreateConversationRequest {
            text: "   ".into(),
            started_at: Some(start),
            finished_at: Some(start - Duration::minutes(1)),
            language: Some("no spaces allowed".into()),
            geolocation: Some(Geolocation::new(91.0, 181.0)),
            text_source: None,
            text_source_spec: None,
        },
    )
    .await;
    check("uid empty", 422, "", text("Me: I love tea.")).await;
    check(
        "uid of 129 characters",
        422,
        &"u".repeat(129),
        text("Me: I love tea."),
    )
    .await;
    rec.finish()
}

/// Either non-blank `text` or a non-empty `memories` list; each memory's content and tags.
async fn memory_import_bodies<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let memory = |content: &str| ExplicitMemoryRequest {
        content: content.into(),
        tags: None,
        ..ExplicitMemoryRequest::default()
    };
    let cases: Vec<(&str, u16, CreateMemoriesRequest)> = vec![
        (
            "neither text nor memories",
            422,
            CreateMemoriesRequest::default(),
        ),
        (
            "blank text and an empty list",
            422,
            CreateMemoriesRequest {
                text: Some("  ".into()),
                memories: Some(vec![]),
                ..CreateMemoriesRequest::default()
            },
        ),
        (
            "a memory with empty content",
            422,
            CreateMemoriesRequest {
                memories: Some(vec![memory("User is vegetarian"), memory("")]),
                ..CreateMemoriesRequest::default()
            },
        ),
        (
            "a memory of 501 characters",
            422,
            CreateMemoriesRequest {
                memories: Some(vec![memory(&"m".repeat(501))]),
                ..CreateMemoriesRequest::default()
            },
        ),
        (
            "a blank tag",
            422,
            CreateMemoriesRequest {
                memories: Some(vec![ExplicitMemoryRequest {
                    content: "User is vegetarian".into(),
                    tags: Some(vec!["food".into(), "".into()]),
                    ..ExplicitMemoryRequest::default()
                }]),
                ..CreateMemoriesRequest::default()
            },
        ),
        (
            "101 memories",
            422,
            CreateMemoriesRequest {
                memories: Some(
                    (0..101)
                        .map(|i| memory(&format!("User fact {i}")))
                        .collect(),
                ),
                ..CreateMemoriesRequest::default()
            },
        ),
        (
            "blank text but a memory",
            200,
            CreateMemoriesRequest {
                text: Some("  ".into()),
                memories: Some(vec![memory("User is vegetarian")]),
                ..CreateMemoriesRequest::default()
            },
        ),
    ];
    for (label, status, request) in cases {
        let result = ctx.app.create_memories(&ctx.uid, request).await;
        if status == 200 {
            rec.ok(label, result);
        } else {
            rec.err(label, status, result);
        }
    }
    rec.finish()
}

/// Content 1..=500 characters and not blank; at most 50 tags of 1..=100 characters; batches
/// of at most 25; a PATCH names at least one field.
async fn developer_memory_bodies<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let create = |content: &str| CreateMemoryRequest::new(content);
    rec.err(
        "create: content empty",
        422,
        ctx.dev.create_memory(create("")).await,
    );
    rec.err(
        "create: content blank",
        422,
        ctx.dev.create_memory(create(" \n ")).await,
    );
    rec.err(
        "create: content of 501 characters",
        422,
        ctx.dev.create_memory(create(&"c".repeat(501))).await,
    );
    let longest = rec.ok(
        "create: content of 500 characters",
        ctx.dev
            .create_memory(create(&"c".repeat(500)))
            .await
            .map(|m| m.content.chars().count()),
    );
    assert_eq!(longest, 500);
    rec.err(
        "create: 51 tags",
        422,
        ctx.dev
            .create_memory(CreateMemoryRequest {
                tags: Some((0..51).map(|i| format!("t{i}")).collect()),
                ..create("User is vegetarian")
            })
            .await,
    );
    rec.err(
        "create: a tag of 101 characters and a blank one",
        422,
        ctx.dev
            .create_memory(CreateMemoryRequest {
                tags: Some(vec!["t".repeat(101), " ".into()]),
                ..create("User is vegetarian")
            })
            .await,
    );
    let batch = |n: usize| BatchCreateMemoriesRequest {
        memories: (0..n)
            .map(|i| create(&format!("User fact number {i}")))
            .collect(),
    };
    rec.err(
        "batch: 26 memories",
        422,
        ctx.dev.create_memories_batch(batch(26)).await,
    );
    rec.ok(
        "batch: 25 memories",
        ctx.dev
            .create_memories_batch(batch(25))
            .await
            .map(|b| b.created_count),
    );
    let target = ctx
        .dev
        .create_memory(create("User is vegetarian"))
        .await
        .map_err(|e| crate::common::api_error(&e))
        .expect("create");
    rec.err(
        "patch: no field",
        422,
        ctx.dev
            .update_memory(&target.id, UpdateMemoryRequest::default())
            .await,
    );
    rec.err(
        "patch: no field, unknown id (the id is checked first)",
        404,
        ctx.dev
            .update_memory("mem_xyz789", UpdateMemoryRequest::default())
            .await,
    );
    rec.err(
        "patch: content empty",
        422,
        ctx.dev
            .update_memory(
                &target.id,
                UpdateMemoryRequest {
                    content: Some(String::new()),
                    ..UpdateMemoryRequest::default()
                },
            )
            .await,
    );
    rec.err(
        "patch: content of 501 characters and 51 tags",
        422,
        ctx.dev
            .update_memory(
                &target.id,
                UpdateMemoryRequest {
                    content: Some("c".repeat(501)),
                    tags: Some((0..51).map(|i| format!("t{i}")).collect()),
                    ..UpdateMemoryRequest::default()
                },
            )
            .await,
    );
    rec.ok(
        "get: the target is unchanged",
        ctx.dev.get_memory(&target.id).await,
    );
    rec.finish()
}

/// `limit` 1..=1000 and `offset` >= 0 on every list; both problems reported together.
async fn page_bounds<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let bounds: [(&str, Option<i64>, Option<i64>); 6] = [
        ("limit 0", Some(0), None),
        ("limit 1001", Some(1001), None),
        ("offset -1", None, Some(-1)),
        ("limit 0 and offset -1", Some(0), Some(-1)),
        ("limit 1", Some(1), None),
        ("limit 1000, offset 0", Some(1000), Some(0)),
    ];
    for (label, limit, offset) in bounds {
        rec.call(
            &format!("dev memories: {label}"),
            ctx.dev
                .list_memories(ListDevMemoriesQuery {
                    limit,
                    offset,
                    categories: vec![],
                })
                .await
                .map(|m| m.len()),
        );
        rec.call(
            &format!("integration memories: {label}"),
            ctx.app
                .list_memories(&ctx.uid, ListMemoriesQuery { limit, offset })
                .await
                .map(|r| r.memories.len()),
        );
        rec.call(
            &format!("integration conversations: {label}"),
            ctx.app
                .list_conversations(
                    &ctx.uid,
                    ListConversationsQuery {
                        limit,
                        offset,
                        ..ListConversationsQuery::default()
                    },
                )
                .await
                .map(|r| r.conversations.len()),
        );
    }
    rec.finish()
}

/// What only raw HTTP can send: each request's status and body, in one snapshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_http_inputs() {
    raw_http_inputs_on(TestServer::start().await).await;
}

/// The same on PostgreSQL, against the same snapshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_http_inputs_on_postgres() {
    let Some(url) = postgres_url("validation::raw_http_inputs") else {
        return;
    };
    raw_http_inputs_on(TestServer::start_on(Backend::Postgres, &url).await).await;
}

async fn raw_http_inputs_on(server: TestServer) {
    let demo = server.demo().clone();
    let base = server.base_url();
    let http = reqwest::Client::new();
    let integration = format!("{base}/v2/integrations/{}", demo.app_id);
    let dev = format!("{base}/v1/dev/user/memories");
    let mut record = serde_json::Map::new();
    let cases: Vec<(&str, reqwest::RequestBuilder)> = vec![
        (
            "dev list: unknown category",
            http.get(format!("{dev}?categories=interesting,bogus")),
        ),
        ("dev list: limit not an integer", http.get(format!("{dev}?limit=ten"))),
        (
            "dev list: categories repeated and comma-separated",
            http.get(format!("{dev}?categories=system&categories=manual,interesting")),
        ),
        (
            "dev create: malformed JSON",
            http.post(&dev)
                .header("content-type", "application/json")
                .body("{\"content\": "),
        ),
        (
            "dev create: content is a number",
            http.post(&dev).json(&json!({"content": 42})),
        ),
        (
            "dev create: content missing",
            http.post(&dev).json(&json!({"category": "system"})),
        ),
        (
            "dev create: unknown category",
            http.post(&dev).json(&json!({"content": "User is vegetarian", "category": "bogus"})),
        ),
        (
            "dev create: a text/plain body",
            http.post(&dev)
                .header("content-type", "text/plain")
                .body("{\"content\": \"User is vegetarian\"}"),
        ),
        (
            "integration conversations: unknown status",
            http.get(format!(
                "{integration}/conversations?uid={}&statuses=completed,bogus",
                demo.uid
            )),
        ),
        (
            "integration conversations: uid missing",
            http.get(format!("{integration}/conversations")),
        ),
        (
            "integration conversations: start_date as a bare date",
            http.get(format!(
                "{integration}/conversations?uid={}&start_date=2024-01-01&statuses=completed&statuses=processing",
                demo.uid
            )),
        ),
        (
            "integration conversations: start_date without a time zone",
            http.get(format!(
                "{integration}/conversations?uid={}&start_date=2024-01-01T10:00:00",
                demo.uid
            )),
        ),
        (
            "integration create conversation: text missing",
            http.post(format!("{integration}/user/conversations?uid={}", demo.uid))
                .json(&json!({"language": "en"})),
        ),
        (
            "integration create conversation: started_at without a time zone",
            http.post(format!("{integration}/user/conversations?uid={}", demo.uid))
                .json(&json!({"text": "Me: I love tea.", "started_at": "2024-03-10T15:00:00"})),
        ),
        (
            "integration create memories: unknown text_source",
            http.post(format!("{integration}/user/memories?uid={}", demo.uid))
                .json(&json!({"text": "I love tea.", "text_source": "fax"})),
        ),
    ];
    for (label, request) in cases {
        let bearer = if label.starts_with("dev") {
            &demo.dev_key
        } else {
            &demo.app_key
        };
        let response = request
            .bearer_auth(bearer)
            .send()
            .await
            .expect("a response");
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("a JSON body");
        record.insert(label.to_owned(), json!({"status": status, "body": body}));
    }
    snapshot("validation__raw_http_inputs", &Value::Object(record));
    server.shutdown().await;
}
