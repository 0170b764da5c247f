//! Asynchronous processing: acknowledged creates finish as `completed` (or `failed`, never
//! dropped), extraction makes memories, and the same fact never becomes two memories.

use std::sync::Arc;

use omi_server::service::ServiceConfig;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ScriptedExtractor, TestServer, eventually, spec, test_config};

/// The memories whose content is `content`.
fn with_content<'a>(memories: &'a [Value], content: &str) -> Vec<&'a Value> {
    memories
        .iter()
        .filter(|m| m["content"] == json!(content))
        .collect()
}

/// A conversation finished processing as the spec describes: completed, with a title and a
/// transcript.
#[track_caller]
fn check_completed(c: &Value) {
    assert_eq!(c["status"], json!("completed"), "{c}");
    assert!(
        c["structured"]["title"]
            .as_str()
            .is_some_and(|t| !t.trim().is_empty()),
        "a title: {c}"
    );
    assert!(
        c["structured"]["overview"]
            .as_str()
            .is_some_and(|t| !t.trim().is_empty()),
        "an overview: {c}"
    );
    let segments = c["transcript_segments"].as_array().expect("segments");
    assert!(!segments.is_empty(), "a transcript: {c}");
    for segment in segments {
        assert!(segment["text"].is_string(), "{segment}");
        assert!(segment["speaker"].is_string(), "{segment}");
        assert!(segment["is_user"].is_boolean(), "{segment}");
        assert!(segment["start"].is_number(), "{segment}");
        assert!(segment["end"].is_number(), "{segment}");
    }
}

#[tokio::test]
async fn an_acknowledged_conversation_is_processed_to_completed() {
    let s = TestServer::start().await;
    s.create_conversation(spec("integration_create_conversation_sms.json"))
        .await
        .expect_status(200);
    let all = s.settled_conversations(1).await;
    let c = &all[0];
    check_completed(c);
    assert_eq!(c["discarded"], json!(false));
    let speakers: Vec<&str> = c["transcript_segments"]
        .as_array()
        .expect("segments")
        .iter()
        .filter_map(|s| s["speaker"].as_str())
        .collect();
    assert_eq!(speakers, ["Mom", "Me", "Mom", "Me"]);
    let items = c["structured"]["action_items"].as_array().expect("items");
    assert!(
        items.iter().any(|i| i["description"]
            .as_str()
            .is_some_and(|d| d.contains("pick up milk"))),
        "the request to buy milk is an action item: {c}"
    );
}

#[tokio::test]
async fn every_spec_example_is_processed_to_completed() {
    let s = TestServer::start().await;
    let examples = [
        "integration_create_conversation_audio_transcript.json",
        "integration_create_conversation_email.json",
        "integration_create_conversation_social_post_location.json",
        "integration_create_conversation_sms.json",
        "integration_create_conversation_body.json",
    ];
    for example in examples {
        s.create_conversation(spec(example))
            .await
            .expect_status(200);
    }
    for c in s.settled_conversations(examples.len()).await {
        check_completed(&c);
    }
}

#[tokio::test]
async fn first_person_statements_become_memories_of_their_conversation() {
    let s = TestServer::start().await;
    s.create_conversation(json!({"text": "I love hiking."}))
        .await
        .expect_status(200);
    let conversation = s.settled_conversations(1).await.remove(0);
    check_completed(&conversation);

    let memories = s.all_memories().await;
    let found = with_content(&memories, "User loves hiking");
    assert_eq!(found.len(), 1, "{memories:?}");
    let m = found[0];
    assert_eq!(m["conversation_id"], conversation["id"], "{m}");
    assert_eq!(m["app_id"], json!(s.demo.app_id));
    assert_eq!(m["manually_added"], json!(false));
}

#[tokio::test]
async fn only_the_users_own_lines_become_memories() {
    let s = TestServer::start().await;
    s.create_conversation(json!({"text": "Sarah: I love opera.\nMe: I love jazz."}))
        .await
        .expect_status(200);
    s.settled_conversations(1).await;
    let contents: Vec<Value> = s
        .all_memories()
        .await
        .iter()
        .map(|m| m["content"].clone())
        .collect();
    assert_eq!(contents, [json!("User loves jazz")]);
}

#[tokio::test]
async fn imported_text_is_extracted_into_memories() {
    let s = TestServer::start().await;
    s.import_memories(json!({
        "text": "I prefer tea over coffee. My sister lives in Portland.",
        "text_source": "email",
        "text_source_spec": "newsletter"
    }))
    .await
    .expect_status(200);
    let memories = eventually("the imported text's memories", || async {
        let all = s.all_memories().await;
        (all.len() >= 2).then_some(all)
    })
    .await;
    for content in [
        "User prefers tea over coffee",
        "User's sister lives in Portland",
    ] {
        let found = with_content(&memories, content);
        assert_eq!(found.len(), 1, "{content}: {memories:?}");
        assert_eq!(found[0]["app_id"], json!(s.demo.app_id));
    }
}

#[tokio::test]
async fn the_same_content_for_the_same_user_is_one_memory() {
    let s = TestServer::start().await;
    let first = s
        .dev_memory(json!({"content": "User prefers dark mode in all applications"}))
        .await;
    for again in [
        "User prefers dark mode in all applications",
        "  user PREFERS   dark mode in ALL applications ",
        "User prefers dark mode in all applications.",
    ] {
        let second = s.dev_memory(json!({ "content": again })).await;
        assert_eq!(second["id"], first["id"], "{again:?}");
        assert_eq!(
            second["content"], first["content"],
            "the first wording is kept"
        );
    }
    let batch = s
        .dev(
            Method::POST,
            "/v1/dev/user/memories/batch",
            Some(json!({"memories": [
                {"content": "USER PREFERS DARK MODE IN ALL APPLICATIONS"},
                {"content": "User likes tea"},
                {"content": "user likes tea"}
            ]})),
        )
        .await;
    batch.expect_status(200);
    let ids: Vec<&Value> = batch.body["memories"]
        .as_array()
        .expect("memories")
        .iter()
        .map(|m| &m["id"])
        .collect();
    assert_eq!(ids[0], &first["id"]);
    assert_eq!(ids[1], ids[2]);

    let listed = s.dev(Method::GET, "/v1/dev/user/memories", None).await;
    listed.expect_status(200);
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(2),
        "{}",
        listed.text
    );
}

#[tokio::test]
async fn the_same_content_for_another_user_is_their_own_memory() {
    let s = TestServer::start().await;
    let mine = s.dev_memory(json!({"content": "User likes tea"})).await;
    let other = s.user("another", None).await;
    let key = s.dev_key(&other, omi_model::DevScope::ALL).await;
    let theirs = s
        .call(
            Method::POST,
            "/v1/dev/user/memories",
            crate::common::Auth::Bearer(&key),
            crate::common::Body::Json(json!({"content": "User likes tea"})),
        )
        .await;
    theirs.expect_status(200);
    assert_ne!(theirs.body["id"], mine["id"]);
}

#[tokio::test]
async fn an_extracted_fact_the_user_has_already_is_not_duplicated() {
    let s = TestServer::start().await;
    let explicit = s.dev_memory(json!({"content": "User loves hiking"})).await;
    s.import_memories(json!({"memories": [{"content": "user loves hiking"}]}))
        .await
        .expect_status(200);
    s.create_conversation(json!({"text": "I love hiking."}))
        .await
        .expect_status(200);
    s.import_memories(json!({"text": "I love hiking! I enjoy chess."}))
        .await
        .expect_status(200);
    s.create_conversation(json!({"text": "Me: Done for today."}))
        .await
        .expect_status(200);
    s.settled_conversations(2).await;
    eventually("the imported text is processed", || async {
        let all = s.all_memories().await;
        (!with_content(&all, "User enjoys chess").is_empty()).then_some(())
    })
    .await;
    let memories = s.all_memories().await;
    let hiking = with_content(&memories, "User loves hiking");
    assert_eq!(hiking.len(), 1, "{memories:?}");
    assert_eq!(hiking[0]["id"], explicit["id"], "the first one is kept");
    assert_eq!(memories.len(), 2, "{memories:?}");
}

#[tokio::test]
async fn a_near_duplicate_of_an_old_memory_is_not_added_however_many_are_newer() {
    let s = TestServer::start().await;
    s.import_memories(json!({"memories": [{"content": "User loves hiking in the Alps"}]}))
        .await
        .expect_status(200);
    // More newer memories than extraction is shown, so the old one is found only through
    // the word index.
    let newer = omi_server::worker::KNOWN_MEMORIES_FOR_EXTRACTION as usize + 10;
    for chunk in (0..newer).collect::<Vec<_>>().chunks(70) {
        let memories: Vec<Value> = chunk
            .iter()
            .map(|i| json!({"content": format!("User owns board game number {i}")}))
            .collect();
        s.import_memories(json!({ "memories": memories }))
            .await
            .expect_status(200);
    }
    s.create_conversation(json!({"text": "I enjoy hiking in the alps. I love tea."}))
        .await
        .expect_status(200);
    s.settled_conversations(1).await;
    let memories = s.all_memories().await;
    assert_eq!(memories.len(), newer + 2, "only the tea is new");
    assert_eq!(with_content(&memories, "User loves tea").len(), 1);
    assert_eq!(
        with_content(&memories, "User loves hiking in the Alps").len(),
        1
    );
}

#[tokio::test]
async fn a_conversation_whose_processing_keeps_failing_is_marked_failed() {
    let mut config = test_config();
    config.service = ServiceConfig {
        max_job_attempts: 2,
        ..ServiceConfig::default()
    };
    let s = TestServer::start_with(config, Arc::new(ScriptedExtractor)).await;
    s.create_conversation(
        json!({ "text": format!("Me: this breaks {}", ScriptedExtractor::FAIL) }),
    )
    .await
    .expect_status(200);
    s.create_conversation(json!({"text": "Me: this works fine."}))
        .await
        .expect_status(200);
    let all = s.settled_conversations(2).await;
    let statuses: Vec<&Value> = all.iter().map(|c| &c["status"]).collect();
    assert!(statuses.contains(&&json!("failed")), "{statuses:?}");
    assert!(statuses.contains(&&json!("completed")), "{statuses:?}");
    let failed = s.list_conversations("statuses=failed").await;
    failed.expect_status(200);
    let failed = failed.body["conversations"].as_array().expect("a list");
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains(ScriptedExtractor::FAIL)),
        "the failed conversation is kept with its text"
    );
    assert_eq!(
        failed[0]["failure_reason"],
        json!("extraction failed"),
        "the failed conversation says why, in generic words: the cause's detail (a provider's \
         answer, a database error) is for the operator's log only"
    );
    let completed = all.iter().find(|c| c["status"] == json!("completed"));
    assert!(
        completed.is_some_and(|c| c.get("failure_reason").is_none()),
        "{all:?}"
    );
}

#[tokio::test]
async fn a_conversation_is_visible_as_processing_before_it_completes() {
    let s = TestServer::start_with(test_config(), Arc::new(ScriptedExtractor)).await;
    s.create_conversation(
        json!({ "text": format!("Me: wait for it {}", ScriptedExtractor::HOLD) }),
    )
    .await
    .expect_status(200);
    let all = s.all_conversations().await;
    assert_eq!(all.len(), 1, "listed as soon as it is acknowledged");
    assert_eq!(all[0]["status"], json!("processing"));
    s.shutdown().await;
}

#[tokio::test]
async fn editing_a_memory_into_another_ones_content_is_409() {
    let s = TestServer::start().await;
    s.dev_memory(json!({"content": "User likes tea"})).await;
    let coffee = s.dev_memory(json!({"content": "User likes coffee"})).await;
    let path = format!(
        "/v1/dev/user/memories/{}",
        coffee["id"].as_str().expect("an id")
    );
    s.dev(
        Method::PATCH,
        &path,
        Some(json!({"content": "user likes TEA"})),
    )
    .await
    .expect_detail(409, "A memory with this content already exists");
    let unchanged = s.dev(Method::GET, &path, None).await;
    assert_eq!(unchanged.body, coffee);

    let recased = s
        .dev(
            Method::PATCH,
            &path,
            Some(json!({"content": "User likes COFFEE"})),
        )
        .await;
    recased.expect_status(200);
    assert_eq!(recased.body["content"], json!("User likes COFFEE"));
    assert_eq!(s.all_memories().await.len(), 2);
}

/// A chat-completions stand-in that always answers with something that is not the JSON asked
/// for: a conversation processed with it ends `failed`, never completed with empty structure.
#[tokio::test]
async fn a_conversation_whose_llm_answers_stay_invalid_ends_failed() {
    use std::sync::Arc;

    use axum::Router;
    use axum::routing::post;
    use omi_extract::{ExtractorConfig, LlmConfig};
    use omi_server::admin::Admin;
    use omi_server::server::{RunningServer, ServerConfig};
    use omi_server::service::ServiceConfig;
    use serde_json::{Value, json};

    let chat = Router::new().route(
        "/v1/chat/completions",
        post(|| async {
            axum::Json(json!({
                "choices": [{"message": {"role": "assistant", "content": "I'd rather not."}}]
            }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let llm_addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, chat).await });

    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = ServerConfig {
        addr: "127.0.0.1:0".parse().expect("an address"),
        database_url: format!("sqlite://{}/omi.sqlite", dir.path().display()),
        service: ServiceConfig {
            max_job_attempts: 2,
            ..ServiceConfig::default()
        },
        ..ServerConfig::default()
    };
    config.worker.base_backoff = std::time::Duration::from_millis(10);
    config.worker.poll_interval = std::time::Duration::from_millis(20);
    let mut llm = LlmConfig::new(format!("http://{llm_addr}/v1"), "stand-in");
    llm.retry_delay = std::time::Duration::from_millis(1);
    let extractor = ExtractorConfig::Llm(llm).build().expect("an extractor");
    let server = RunningServer::start_with(config, Arc::clone(&extractor))
        .await
        .expect("a server");
    let creds = Admin::new(server.service().clone())
        .bootstrap_demo(&server.base_url())
        .await
        .expect("demo credentials")
        .expect("a new demo user");
    let http = reqwest::Client::new();
    let created = http
        .post(format!(
            "{}/v2/integrations/{}/user/conversations?uid={}",
            server.base_url(),
            creds.app_id,
            creds.uid
        ))
        .bearer_auth(&creds.app_key)
        .json(&json!({"text": "Me: Dinner on Friday at 7? I'm vegetarian."}))
        .send()
        .await
        .expect("a response");
    assert_eq!(created.status(), 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        let list: Value = http
            .get(format!(
                "{}/v2/integrations/{}/conversations?uid={}&statuses=processing,completed,failed",
                server.base_url(),
                creds.app_id,
                creds.uid
            ))
            .bearer_auth(&creds.app_key)
            .send()
            .await
            .expect("a response")
            .json()
            .await
            .expect("JSON");
        let status = list["conversations"][0]["status"].clone();
        if status != json!("processing") || std::time::Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(status, json!("failed"));
    server.shutdown().await;
}
