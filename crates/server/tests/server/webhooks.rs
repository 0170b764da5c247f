//! Webhooks with the real binary and a local receiver: every event arrives signed as the
//! Standard Webhooks specification says, in order per record; a receiver answering 500 is
//! retried until it takes the delivery, every attempt listed; nothing is lost across a
//! kill -9 of the server; and without `--webhooks-allow-private` a local URL is refused.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use omi_server::store::postgres::ScratchDatabase;

use crate::common::{eventually_within, postgres_url};
use crate::process::{ServerProcess, demo};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: Bytes,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// A receiver on 127.0.0.1 that records every request and answers 500 to the first
/// `failures` of them, 200 after.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    failures: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(failures: usize) -> (Self, SocketAddr) {
        let receiver = Self::default();
        receiver.failures.store(failures, Ordering::SeqCst);
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("its address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, addr)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().expect("the list").clone()
    }

    /// The bodies taken (answered 200), each delivery once, in arrival order.
    fn delivered(&self) -> Vec<Value> {
        let mut seen = std::collections::HashSet::new();
        self.got()
            .into_iter()
            .filter(|r| r.id != "failed")
            .filter(|r| seen.insert(r.id.clone()))
            .map(|r| r.json())
            .collect()
    }
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let failing = receiver
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    receiver.got.lock().expect("the list").push(Received {
        id: if failing {
            "failed".to_owned()
        } else {
            header("webhook-id")
        },
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
    });
    if failing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// The check a receiver makes, written from the specification (not with the server's code).
fn verify(secret: &str, r: &Received) -> bool {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .expect("a base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(format!("{}.{}.", r.id, r.timestamp).as_bytes());
    mac.update(&r.body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    r.signature.split(' ').any(|s| s == expected)
}

struct Setup {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Setup {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply = request.send().await.expect("the server answers");
        let status = reply.status();
        let text = reply.text().await.expect("a body");
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).expect("JSON")
    }

    async fn webhook(&self, receiver: SocketAddr, events: &[&str]) -> (String, String) {
        let body = json!({"url": format!("http://{receiver}/hook"), "events": events});
        let created = self
            .call(reqwest::Method::POST, "/v1/dev/user/webhooks", Some(body))
            .await;
        let id = created["id"].as_str().expect("an id").to_owned();
        let secret = created["secret"].as_str().expect("a secret").to_owned();
        (id, secret)
    }
}

/// A server with `options` over `database` (a new SQLite file when `None`), and a caller
/// with the demo developer key.
async fn started(
    database: Option<&str>,
    options: &[&str],
) -> (tempfile::TempDir, ServerProcess, Setup) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let database = database.map_or_else(
        || format!("sqlite://{}", dir.path().join("db.sqlite").display()),
        str::to_owned,
    );
    let creds = demo(&database);
    let http = reqwest::Client::new();
    let mut server = ServerProcess::spawn(&database, dir.path().join("log"), options);
    server.ready(&http).await;
    let s = Setup {
        http,
        base: server.base_url.clone(),
        key: creds["dev_key"].as_str().expect("a key").to_owned(),
    };
    (dir, server, s)
}

fn options() -> Vec<&'static str> {
    vec![
        "--webhooks-allow-private",
        "--webhook-retry-base-ms",
        "100",
        "--worker-lease",
        "2",
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_signed_and_in_order_per_record() {
    let (_dir, _server, s) = started(None, &options()).await;
    let (receiver, addr) = Receiver::start(0).await;
    let every = [
        "memory.created",
        "memory.updated",
        "memory.deleted",
        "conversation.processed",
        "action_item.created",
        "action_item.completed",
    ];
    let (_, secret) = s.webhook(addr, &every).await;

    use reqwest::Method;
    let memory = s
        .call(
            Method::POST,
            "/v1/dev/user/memories",
            Some(json!({"content": "私は京都の抹茶が好き 🍵"})),
        )
        .await;
    let memory_id = memory["id"].as_str().expect("an id");
    let path = format!("/v1/dev/user/memories/{memory_id}");
    s.call(
        Method::PATCH,
        &path,
        Some(json!({"content": "私は宇治の抹茶が好き 🍵"})),
    )
    .await;
    s.call(Method::DELETE, &path, None).await;
    let item = s
        .call(
            Method::POST,
            "/v1/dev/user/action-items",
            Some(json!({"description": "Buy matcha"})),
        )
        .await;
    let item_path = format!(
        "/v1/dev/user/action-items/{}",
        item["id"].as_str().expect("id")
    );
    s.call(Method::PATCH, &item_path, Some(json!({"completed": true})))
        .await;
    s.call(
        Method::POST,
        "/v1/dev/user/conversations",
        Some(json!({"text": "I need to call Alice tomorrow about the trip to Kyoto."})),
    )
    .await;

    let delivered = eventually_within("every event is delivered", Duration::from_secs(30), || {
        let delivered = receiver.delivered();
        let types: Vec<String> = delivered
            .iter()
            .filter_map(|b| b["type"].as_str().map(str::to_owned))
            .collect();
        let all = every.iter().all(|e| types.iter().any(|t| t == e));
        async move { all.then_some(delivered) }
    })
    .await;
    for r in receiver.got() {
        assert!(r.id.starts_with("msg_"), "{}", r.id);
        assert!(
            verify(&secret, &r),
            "a delivery signed with the secret: {r:?}"
        );
    }
    let of_memory: Vec<&str> = delivered
        .iter()
        .filter(|b| b["data"]["id"] == memory_id)
        .filter_map(|b| b["type"].as_str())
        .collect();
    assert_eq!(
        of_memory,
        ["memory.created", "memory.updated", "memory.deleted"]
    );
    let updated = delivered
        .iter()
        .find(|b| b["type"] == "memory.updated")
        .expect("the update");
    assert_eq!(updated["data"]["content"], "私は宇治の抹茶が好き 🍵");
    let processed = delivered
        .iter()
        .find(|b| b["type"] == "conversation.processed")
        .expect("the processed conversation");
    assert_eq!(processed["data"]["status"], "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_is_retried_and_every_attempt_is_listed() {
    retried_until_delivered(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_is_retried_on_postgres() {
    let Some(admin_url) = postgres_url("the webhook retries on PostgreSQL") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin_url)
        .await
        .expect("a scratch database");
    retried_until_delivered(Some(scratch.url())).await;
}

/// A receiver answering 500 twice gets the delivery on the third attempt, and the
/// deliveries list shows the three attempts.
async fn retried_until_delivered(database: Option<&str>) {
    let (_dir, _server, s) = started(database, &options()).await;
    let (receiver, addr) = Receiver::start(2).await;
    let (webhook, _) = s.webhook(addr, &["action_item.created"]).await;
    s.call(
        reqwest::Method::POST,
        "/v1/dev/user/action-items",
        Some(json!({"description": "Call the plumber"})),
    )
    .await;
    let path = format!("/v1/dev/user/webhooks/{webhook}/deliveries");
    let deliveries = eventually_within("the delivery succeeds", Duration::from_secs(30), || {
        let s = &s;
        let path = path.clone();
        async move {
            let list = s.call(reqwest::Method::GET, &path, None).await;
            (list[0]["status"] == "delivered").then_some(list)
        }
    })
    .await;
    let attempts = deliveries[0]["attempts"].as_array().expect("attempts");
    let statuses: Vec<&Value> = attempts.iter().map(|a| &a["status_code"]).collect();
    assert_eq!(statuses, [&json!(500), &json!(500), &json!(200)]);
    assert_eq!(receiver.got().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_pending_at_a_kill_are_sent_after_the_restart() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let database = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let creds = demo(&database);
    let http = reqwest::Client::new();
    let mut first = ServerProcess::spawn(&database, dir.path().join("first.log"), &options());
    first.ready(&http).await;
    let key = creds["dev_key"].as_str().expect("a key").to_owned();
    let s = Setup {
        http: http.clone(),
        base: first.base_url.clone(),
        key: key.clone(),
    };
    // The receiver is down while the memories are made: every delivery is still pending.
    let unreachable = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.local_addr().expect("its address")
    };
    let (webhook, _) = s.webhook(unreachable, &["memory.created"]).await;
    let n = 10;
    for i in 0..n {
        let body = json!({"content": format!("Memory number {i} 🌸")});
        s.call(reqwest::Method::POST, "/v1/dev/user/memories", Some(body))
            .await;
    }
    first.kill();

    // The receiver comes up at the address the webhook names, so the restarted server
    // reaches it.
    let (receiver, _) = {
        let receiver = Receiver::default();
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind(unreachable)
            .await
            .expect("the webhook's port is free again");
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, unreachable)
    };
    let mut second = ServerProcess::spawn(&database, dir.path().join("second.log"), &options());
    second.ready(&http).await;
    let contents = eventually_within("every memory is announced", Duration::from_secs(60), || {
        let delivered = receiver.delivered();
        async move { (delivered.len() >= n).then_some(delivered) }
    })
    .await;
    let mut announced: Vec<String> = contents
        .iter()
        .filter_map(|b| b["data"]["content"].as_str().map(str::to_owned))
        .collect();
    announced.sort();
    announced.dedup();
    assert_eq!(announced.len(), n, "each memory announced: {announced:?}");
    let s = Setup {
        http,
        base: second.base_url.clone(),
        key,
    };
    let path = format!("/v1/dev/user/webhooks/{webhook}/deliveries?limit=100");
    let list = s.call(reqwest::Method::GET, &path, None).await;
    assert!(
        list.as_array()
            .expect("a list")
            .iter()
            .all(|d| d["status"] == "delivered"),
        "{list}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_flag_a_local_url_is_refused() {
    let (_dir, _server, s) = started(None, &[]).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://10.0.0.1/hook",
    ] {
        let reply = s
            .http
            .post(format!("{}/v1/dev/user/webhooks", s.base))
            .bearer_auth(&s.key)
            .json(&json!({"url": url, "events": ["memory.created"]}))
            .send()
            .await
            .expect("an answer");
        assert_eq!(reply.status(), 422, "{url}");
        let body: Value = reply.json().await.expect("JSON");
        assert_eq!(body["detail"][0]["loc"], json!(["body", "url"]), "{body}");
    }
}
