//! A PostgreSQL outage: while the database cannot be reached, requests fail fast with 503 and
//! a JSON detail; when it is back, the server recovers by itself, and nothing it acknowledged
//! is lost.
//!
//! The server reaches PostgreSQL through a TCP proxy in this test, which the test cuts
//! (closing every connection and refusing new ones) and restores: an outage of this one
//! server's database, without touching the machine's PostgreSQL that other tests use.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::http::Method;
use omi_server::extract::RulesExtractor;
use omi_server::store::postgres::ScratchDatabase;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::common::{Auth, Body, TestServer, eventually_within, test_config};

/// A TCP proxy to one address that can be cut and restored.
struct CuttableProxy {
    port: u16,
    up: Arc<AtomicBool>,
    links: Arc<tokio::sync::Mutex<JoinSet<()>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl CuttableProxy {
    /// Listen on a free port of 127.0.0.1, forwarding to `target` (`host:port`).
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("its address").port();
        let up = Arc::new(AtomicBool::new(true));
        let links = Arc::new(tokio::sync::Mutex::new(JoinSet::new()));
        let (up_, links_) = (up.clone(), links.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up_.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is closed at once
                }
                let target = target.clone();
                links_.lock().await.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self {
            port,
            up,
            links,
            accept,
        }
    }

    /// Close every forwarded connection and refuse new ones.
    async fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.links.lock().await.abort_all();
    }

    /// Forward again.
    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_503_and_the_server_recovers_losing_nothing() {
    let Ok(admin_url) = std::env::var("OMI_TEST_POSTGRES_URL") else {
        eprintln!("skipped the PostgreSQL outage test: OMI_TEST_POSTGRES_URL is not set");
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
