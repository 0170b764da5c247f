//! Rate limits with OMI's cloud values: 429 with OMI's detail and `Retry-After`, and
//! `X-RateLimit-*` headers on every limited answer.

use std::sync::Arc;

use omi_extract::RulesExtractor;
use omi_server::ratelimit::RateLimitMode;
use reqwest::Method;
use serde_json::json;

use crate::common::{Auth, Body, Reply, TestServer, test_config};

/// A header of an answer, as text.
#[track_caller]
fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header in {:?}", reply.headers))
        .to_str()
        .expect("a text header")
}

async fn cloud() -> TestServer {
    let mut config = test_config();
    config.rate_limits = RateLimitMode::Cloud;
    TestServer::start_with(config, Arc::new(RulesExtractor)).await
}

/// An allowed answer of a policy of `limit` per window, with `remaining` left.
#[track_caller]
pub(crate) fn check_allowed(reply: &Reply, limit: u32, remaining: u32) {
    reply.expect_status(200);
    assert_eq!(header(reply, "x-ratelimit-limit"), limit.to_string());
    assert_eq!(
        header(reply, "x-ratelimit-remaining"),
        remaining.to_string()
    );
    let reset: u64 = header(reply, "x-ratelimit-reset").parse().expect("seconds");
    assert!(reset >= 1, "a used quota resets later: {reset}");
}

/// A refusal: 429, OMI's detail with the wait in seconds, and `Retry-After` equal to it.
#[track_caller]
pub(crate) fn check_refused(reply: &Reply) -> u64 {
    let seconds: u64 = header(reply, "retry-after")
        .parse()
        .expect("Retry-After in seconds");
    assert!(seconds >= 1, "{seconds}");
    reply.expect_detail(
        429,
        &format!("Rate limit exceeded. Try again in {seconds}s."),
    );
    assert_eq!(header(reply, "x-ratelimit-remaining"), "0");
    seconds
}

#[tokio::test]
async fn the_eleventh_conversation_in_an_hour_is_429() {
    let s = cloud().await;
    for i in 0..10 {
        let reply = s
            .create_conversation(json!({"text": format!("Me: entry {i}")}))
            .await;
        check_allowed(&reply, 10, 9 - i);
    }
    let refused = s
        .create_conversation(json!({"text": "Me: one too many"}))
        .await;
    let wait = check_refused(&refused);
    assert!(wait <= 3600, "within the hour: {wait}");
    assert_eq!(
        s.all_conversations().await.len(),
        10,
        "the refused one was not stored"
    );
}

#[tokio::test]
async fn conversation_limits_are_per_app_and_user() {
    let s = cloud().await;
    for i in 0..10 {
        s.create_conversation(json!({"text": format!("Me: entry {i}")}))
            .await
            .expect_status(200);
    }
    check_refused(&s.create_conversation(json!({"text": "Me: refused"})).await);

    let app = s.demo.app_id.clone();
    let other = s.user("second-user", Some(&app)).await;
    let key = s.demo.app_key.clone();
    let path = format!("/v2/integrations/{app}/user/conversations?uid={other}");
    let reply = s
        .call(
            Method::POST,
            &path,
            Auth::Bearer(&key),
            Body::Json(json!({"text": "Me: someone else"})),
        )
        .await;
    check_allowed(&reply, 10, 9);

    let memories = s
        .import_memories(json!({"memories": [{"content": "User likes tea"}]}))
        .await;
    check_allowed(&memories, 60, 59);
}

#[tokio::test]
async fn developer_memory_writes_carry_their_quota() {
    let s = cloud().await;
    for remaining in [119, 118] {
        let reply = s
            .dev(
                Method::POST,
                "/v1/dev/user/memories",
                Some(json!({ "content": format!("User fact {remaining}") })),
            )
            .await;
        check_allowed(&reply, 120, remaining);
    }
    let batch = s
        .dev(
            Method::POST,
            "/v1/dev/user/memories/batch",
            Some(json!({"memories": [{"content": "User likes tea"}]})),
        )
        .await;
    check_allowed(&batch, 15, 14);
}

#[tokio::test]
async fn unlimited_reads_carry_no_rate_limit_headers() {
    let s = cloud().await;
    let reply = s.list_conversations("").await;
    reply.expect_status(200);
    assert!(reply.headers.get("x-ratelimit-limit").is_none());
}
