//! Load shedding: beyond `--max-in-flight` API requests at once, one more is answered at once
//! with 503 and `Retry-After`, health and metrics still answer, and the next request after
//! the load drops goes through.
//!
//! A request whose body is still arriving holds its place (the body is read inside the
//! handler), so a client that sends its headers and half its body is a request in flight as
//! long as the test wants.

use std::sync::Arc;

use axum::http::Method;
use omi_extract::RulesExtractor;
use omi_server::server::ServerConfig;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{Auth, Body, TestServer, test_config};

/// A memory create whose body stops half-way: the request stays in flight until
/// [`finish`] sends the rest.
async fn half_sent_create(server: &TestServer) -> (TcpStream, &'static str) {
    const BODY: &str = r#"{"content":"User likes long walks by the sea"}"#;
    let addr = server.base_url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(addr).await.expect("a connection");
    let head = format!(
        "POST /v1/dev/user/memories HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        server.demo.dev_key,
        BODY.len()
    );
    let (first, rest) = BODY.split_at(10);
    stream
        .write_all(format!("{head}{first}").as_bytes())
        .await
        .expect("sent");
    (stream, rest)
}

/// Send the rest of a half-sent request and read its status line.
async fn finish(mut stream: TcpStream, rest: &str) -> String {
    stream.write_all(rest.as_bytes()).await.expect("sent");
    let mut answer = vec![0; 4096];
    let n = stream.read(&mut answer).await.expect("an answer");
    let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_request_beyond_the_in_flight_limit_is_503_at_once_and_the_next_one_after_goes_through() {
    let mut config: ServerConfig = test_config();
    config.http.max_in_flight = 1;
    let server = TestServer::start_with(config, Arc::new(RulesExtractor)).await;
    let key = server.demo.dev_key.clone();
    let create = |content: &'static str| {
        server.call(
            Method::POST,
            "/v1/dev/user/memories",
            Auth::Bearer(&key),
            Body::Json(json!({ "content": content })),
        )
    };

    let (held, rest) = half_sent_create(&server).await;
    // The held request reaches its handler (and takes the only place) as soon as its
    // headers are in; poll until a second request is refused.
    let refused = crate::common::eventually("a request to be shed", || async {
        let reply = create("User plays the cello").await;
        (reply.status == 503).then_some(reply)
    })
    .await;
    refused.expect_detail(503, omi_api::messages::SERVER_OVERLOADED);
    assert_eq!(refused.headers.get("retry-after").unwrap(), "1");
    let list = server
        .call(
            Method::GET,
            "/v1/dev/user/memories",
            Auth::Bearer(&key),
            Body::None,
        )
        .await;
    list.expect_status(503);
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        let reply = server.call(Method::GET, path, Auth::None, Body::None).await;
        reply.expect_status(200);
    }
    let metrics = server
        .call(Method::GET, "/metrics", Auth::None, Body::None)
        .await;
    assert!(
        metrics.text.contains("requests_shed_total"),
        "{}",
        metrics.text
    );

    assert_eq!(finish(held, rest).await, "HTTP/1.1 200 OK");
    create("User plays the cello").await.expect_status(200);
    server.shutdown().await;
}
