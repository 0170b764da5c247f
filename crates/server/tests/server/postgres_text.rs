//! Text PostgreSQL cannot store. No user text may hold NUL (or another control character
//! but tab, newline and carriage return): the model refuses it with the same 422 on SQLite
//! and PostgreSQL, so both stores keep the same texts and `admin migrate-data` can copy any
//! of them. What still reaches PostgreSQL with a NUL (an id in a path) is the caller's
//! mistake, a 422 with a JSON detail, never a 500.

use std::sync::Arc;

use axum::http::Method;
use omi_extract::RulesExtractor;
use omi_model::validation::msg::CONTROL_CHARACTERS;
use omi_server::store::postgres::ScratchDatabase;
use serde_json::{Value, json};

use crate::common::{Auth, Body, TestServer, postgres_url, test_config};

/// A server over a new scratch PostgreSQL database (dropped with the returned guard).
async fn postgres_server(admin_url: &str) -> (TestServer, ScratchDatabase) {
    TestServer::start_on_postgres(test_config(), Arc::new(RulesExtractor), admin_url).await
}

/// The answers to a memory and a conversation whose texts hold a NUL, and the same
/// requests without it (which the server takes: it goes on).
async fn nul_answers(server: &TestServer) -> Vec<(u16, Value)> {
    let requests = [
        (
            "/v1/dev/user/memories",
            json!({ "content": "User likes \u{0} tea" }),
        ),
        (
            "/v1/dev/user/conversations",
            json!({ "text": "Me: I love\u{0} tea." }),
        ),
    ];
    let mut answers = Vec::new();
    for (path, body) in requests {
        let reply = server.dev(Method::POST, path, Some(body.clone())).await;
        answers.push((reply.status, reply.body));
        let plain = serde_json::from_str(&body.to_string().replace("\\u0000", ""))
            .expect("the body without its NUL");
        server
            .dev(Method::POST, path, Some(plain))
            .await
            .expect_status(200);
    }
    answers
}

/// The 422 of a NUL in the body field `field`.
fn refused(field: &str) -> (u16, Value) {
    let detail =
        json!([{"loc": ["body", field], "msg": CONTROL_CHARACTERS, "type": "value_error"}]);
    (422, json!({ "detail": detail }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_in_a_text_is_the_same_422_on_sqlite_and_postgres() {
    let expected = vec![refused("content"), refused("text")];
    let sqlite = TestServer::start().await;
    assert_eq!(nul_answers(&sqlite).await, expected, "on SQLite");
    sqlite.shutdown().await;
    let Some(admin_url) = postgres_url("the NUL text test on PostgreSQL") else {
        return;
    };
    let (server, scratch) = postgres_server(&admin_url).await;
    assert_eq!(nul_answers(&server).await, expected, "on PostgreSQL");
    server.shutdown().await;
    drop(scratch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_character_in_a_path_id_is_a_422_on_postgres() {
    let Some(admin_url) = postgres_url("the NUL id test") else {
        return;
    };
    let (server, scratch) = postgres_server(&admin_url).await;
    let key = server.demo.dev_key.clone();
    server
        .call(
            Method::GET,
            "/v1/dev/user/memories/a%00b",
            Auth::Bearer(&key),
            Body::None,
        )
        .await
        .expect_detail(422, omi_api::messages::UNSTORABLE_TEXT);
    server.shutdown().await;
    drop(scratch);
}
