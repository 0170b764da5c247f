//! Text PostgreSQL cannot store: it keeps no NUL character in text, so a request carrying one
//! is the caller's mistake, a 422 with a JSON detail, never a 500 (SQLite stores it as given).

use std::sync::Arc;

use axum::http::Method;
use omi_server::extract::RulesExtractor;
use omi_server::store::postgres::ScratchDatabase;
use serde_json::json;

use crate::common::{Auth, Body, TestServer, postgres_url, test_config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_character_in_text_is_a_422_on_postgres() {
    let Some(admin_url) = postgres_url("the NUL text test") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin_url)
        .await
        .expect("a scratch database");
    let dir = tempfile::tempdir().expect("a folder");
    let server = TestServer::start_at(
        test_config(),
        Arc::new(RulesExtractor),
        scratch.url().to_owned(),
        dir,
    )
    .await;
    let key = server.demo.dev_key.clone();
    let unstorable = omi_api::messages::UNSTORABLE_TEXT;
    server
        .call(
            Method::POST,
            "/v1/dev/user/memories",
            Auth::Bearer(&key),
            Body::Json(json!({ "content": "User likes \u{0} tea" })),
        )
        .await
        .expect_detail(422, unstorable);
    server
        .call(
            Method::GET,
            "/v1/dev/user/memories/a%00b",
            Auth::Bearer(&key),
            Body::None,
        )
        .await
        .expect_detail(422, unstorable);
    // The server goes on: the same request without the NUL is stored.
    server
        .call(
            Method::POST,
            "/v1/dev/user/memories",
            Auth::Bearer(&key),
            Body::Json(json!({ "content": "User likes tea" })),
        )
        .await
        .expect_status(200);
    server.shutdown().await;
    drop(scratch);
}
