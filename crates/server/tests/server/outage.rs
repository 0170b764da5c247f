//! A PostgreSQL outage: while the database cannot be reached, requests fail fast with 503 and
//! a JSON detail; when it is back, the server recovers by itself, and nothing it acknowledged
//! is lost.
//!
//! The server reaches PostgreSQL through a TCP proxy in this test, which the test cuts
//! (closing every connection and refusing new ones) and restores: an outage of this one
//! server's database, without touching the machine's PostgreSQL that other tests use.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::Method;
use omi_extract::RulesExtractor;
use omi_server::store::postgres::ScratchDatabase;
use serde_json::json;

use crate::common::{
    Auth, Body, CuttableProxy, TestServer, eventually_within, postgres_url, test_config,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_503_and_the_server_recovers_losing_nothing() {
    let Some(admin_url) = postgres_url("the PostgreSQL outage test") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin_url)
        .await
        .expect("a scratch database");
    let mut url = url::Url::parse(scratch.url()).expect("a URL");
    let target = format!(
        "{}:{}",
        url.host_str().expect("a host"),
        url.port().unwrap_or(5432)
    );
    let proxy = CuttableProxy::start(target).await;
    url.set_port(Some(proxy.port)).expect("a port can be set");
    let dir = tempfile::tempdir().expect("a folder");
    let server = TestServer::start_at(
        test_config(),
        Arc::new(RulesExtractor),
        url.to_string(),
        dir,
    )
    .await;
    let key = server.demo.dev_key.clone();
    let create = |content: String| {
        server.call(
            Method::POST,
            "/v1/dev/user/memories",
            Auth::Bearer(&key),
            Body::Json(json!({ "content": content })),
        )
    };
    let before = create("User keeps bees".into()).await;
    before.expect_status(200);

    proxy.cut().await;
    let started = Instant::now();
    let during = create("User grows tomatoes".into()).await;
    during.expect_detail(503, omi_api::messages::DATABASE_UNAVAILABLE);
    assert!(
        during.headers.contains_key("retry-after"),
        "{:?}",
        during.headers
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "failed fast: {:?}",
        started.elapsed()
    );
    let ready = server
        .call(Method::GET, "/readyz", Auth::None, Body::None)
        .await;
    ready.expect_status(503);
    let alive = server
        .call(Method::GET, "/healthz", Auth::None, Body::None)
        .await;
    alive.expect_status(200);

    proxy.restore();
    eventually_within("the server recovers", Duration::from_secs(20), || async {
        let after = create("User grows tomatoes".into()).await;
        (after.status == 200).then_some(())
    })
    .await;
    let list = server
        .call(
            Method::GET,
            "/v1/dev/user/memories?limit=100",
            Auth::Bearer(&key),
            Body::None,
        )
        .await;
    list.expect_status(200);
    let mut contents: Vec<&str> = list
        .body
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    contents.sort_unstable();
    assert_eq!(
        contents,
        ["User grows tomatoes", "User keeps bees"],
        "the memory acknowledged before the outage is kept, the refused one was stored once \
         on retry"
    );
    server.shutdown().await;
    drop(scratch);
}
