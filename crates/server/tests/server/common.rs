//! The harness: a real server on `127.0.0.1:0` over a SQLite file in a temporary folder,
//! credentials made with [`Admin`], a plain HTTP client, and polling with deadlines.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use omi_extract::{
    ConversationExtraction, ConversationInput, ExtractError, ExtractedMemory, Extractor,
    RulesExtractor,
};
use omi_model::{Capability, DevScope};
use omi_server::admin::{Admin, DemoCredentials};
use omi_server::server::{RunningServer, ServerConfig};
use omi_server::store::postgres::ScratchDatabase;
use omi_server::worker::WorkerConfig;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// How long a test waits for asynchronous work before it fails.
pub(crate) const DEADLINE: Duration = Duration::from_secs(10);

/// How often a test polls while it waits.
const POLL: Duration = Duration::from_millis(50);

/// A spec example body from `crates/server/spec-examples/`.
#[track_caller]
pub(crate) fn spec(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("spec-examples")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// A running server with the demo user, app and keys, and a client to call it.
pub(crate) struct TestServer {
    server: Option<RunningServer>,
    base_url: String,
    http: reqwest::Client,
    /// Makes users, apps and keys in the server's store.
    pub(crate) admin: Admin,
    /// The demo user, an app with every capability enabled for it, and keys.
    pub(crate) demo: DemoCredentials,
    /// The database, shared with the servers started beside this one.
    database_url: String,
    /// The database's folder (if any), kept while any server on it runs.
    dir: Arc<TempDir>,
}

/// A server configuration for tests: a fast worker, and everything else as shipped.
pub(crate) fn test_config() -> ServerConfig {
    ServerConfig {
        addr: "127.0.0.1:0".parse().expect("a socket address"),
        worker: WorkerConfig {
            concurrency: 2,
            poll_interval: Duration::from_millis(20),
            base_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
            ..WorkerConfig::default()
        },
        ..ServerConfig::default()
    }
}

impl TestServer {
    /// A server with [`test_config`].
    pub(crate) async fn start() -> Self {
        Self::start_with(test_config(), Arc::new(RulesExtractor)).await
    }

    /// A server with `config` (its address and database are replaced: a new SQLite file)
    /// and `extractor`.
    pub(crate) async fn start_with(config: ServerConfig, extractor: Arc<dyn Extractor>) -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let database_url = format!("sqlite://{}", dir.path().join("omi.sqlite").display());
        Self::start_at(config, extractor, database_url, dir).await
    }

    /// A server with `config` (its address and database are replaced) and `extractor` over
    /// a new scratch PostgreSQL database on the server at `admin_url`. The scratch database
    /// is dropped with the returned guard: shut the server down first.
    pub(crate) async fn start_on_postgres(
        config: ServerConfig,
        extractor: Arc<dyn Extractor>,
        admin_url: &str,
    ) -> (Self, ScratchDatabase) {
        let scratch = ScratchDatabase::create(admin_url)
            .await
            .expect("a scratch database");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = scratch.url().to_owned();
        (Self::start_at(config, extractor, url, dir).await, scratch)
    }

    /// A server with `config` (its address is replaced) and `extractor` over the new, empty
    /// database `database_url`; `dir` is kept as long as the server.
    pub(crate) async fn start_at(
        config: ServerConfig,
        extractor: Arc<dyn Extractor>,
        database_url: String,
        dir: TempDir,
    ) -> Self {
        let server = Self::run(config, &database_url, extractor).await;
        let demo = Admin::new(server.service().clone())
            .bootstrap_demo(&server.base_url())
            .await
            .expect("the demo bootstrap works")
            .expect("a new database has no demo user");
        Self::new(server, demo, database_url, Arc::new(dir))
    }

    /// A server with `config` (its address is replaced) and `extractor` over `database_url`,
    /// which holds the demo user, app and keys `demo` already (a copy of another server's
    /// database); `dir` is kept as long as the server.
    pub(crate) async fn reopen(
        config: ServerConfig,
        extractor: Arc<dyn Extractor>,
        database_url: String,
        dir: TempDir,
        demo: DemoCredentials,
    ) -> Self {
        let server = Self::run(config, &database_url, extractor).await;
        let demo = DemoCredentials {
            base_url: server.base_url(),
            ..demo
        };
        Self::new(server, demo, database_url, Arc::new(dir))
    }

    /// Another server on this one's database, as a second process would be, with `config`
    /// (its address and database are replaced); the demo credentials work on both.
    pub(crate) async fn start_beside(&self, config: ServerConfig) -> Self {
        let server = Self::run(config, &self.database_url, Arc::new(RulesExtractor)).await;
        let (url, dir) = (self.database_url.clone(), Arc::clone(&self.dir));
        Self::new(server, self.demo.clone(), url, dir)
    }

    /// A server on `127.0.0.1:0` over `database_url`.
    async fn run(
        mut config: ServerConfig,
        database_url: &str,
        extractor: Arc<dyn Extractor>,
    ) -> RunningServer {
        config.addr = "127.0.0.1:0".parse().expect("a socket address");
        config.database_url = database_url.to_owned();
        RunningServer::start_with(config, extractor)
            .await
            .expect("the server starts")
    }

    fn new(
        server: RunningServer,
        demo: DemoCredentials,
        database_url: String,
        dir: Arc<TempDir>,
    ) -> Self {
        Self {
            base_url: server.base_url(),
            admin: Admin::new(server.service().clone()),
            server: Some(server),
            http: reqwest::Client::new(),
            demo,
            database_url,
            dir,
        }
    }

    /// The URL of the server's database.
    pub(crate) fn database_url(&self) -> &str {
        &self.database_url
    }

    /// `http://ADDR` of the server.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The running server's service.
    pub(crate) fn service(&self) -> &omi_server::service::Service {
        self.server.as_ref().expect("the server runs").service()
    }

    /// The server's store (maintenance and checks below the API).
    pub(crate) fn store(&self) -> &std::sync::Arc<dyn omi_server::store::Store> {
        self.server.as_ref().expect("the server runs").store()
    }

    /// Stop the server gracefully.
    pub(crate) async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }

    /// Send a request to `path` (with its query string).
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Body,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        request = match auth {
            Auth::None => request,
            Auth::Bearer(key) => request.bearer_auth(key),
            Auth::Header(value) => request.header(reqwest::header::AUTHORIZATION, value),
        };
        request = match body {
            Body::None => request,
            Body::Json(value) => request.json(&value),
            Body::Raw {
                content_type,
                bytes,
            } => {
                let request = match content_type {
                    Some(ct) => request.header(CONTENT_TYPE, ct),
                    None => request,
                };
                request.body(bytes)
            }
        };
        let response = request.send().await.expect("the server answers");
        Reply::read(response).await
    }

    /// `/v2/integrations/{app_id}/{tail}?uid={uid}` for the demo app and user.
    pub(crate) fn integration_path(&self, tail: &str) -> String {
        format!(
            "/v2/integrations/{}/{tail}?uid={}",
            self.demo.app_id, self.demo.uid
        )
    }

    /// `POST .../user/conversations` as the demo app for the demo user.
    pub(crate) async fn create_conversation(&self, body: Value) -> Reply {
        let path = self.integration_path("user/conversations");
        let key = self.demo.app_key.clone();
        self.call(Method::POST, &path, Auth::Bearer(&key), Body::Json(body))
            .await
    }

    /// `POST .../user/memories` as the demo app for the demo user.
    pub(crate) async fn import_memories(&self, body: Value) -> Reply {
        let path = self.integration_path("user/memories");
        let key = self.demo.app_key.clone();
        self.call(Method::POST, &path, Auth::Bearer(&key), Body::Json(body))
            .await
    }

    /// `GET .../conversations?uid=...&{query}` as the demo app.
    pub(crate) async fn list_conversations(&self, query: &str) -> Reply {
        let path = format!("{}&{query}", self.integration_path("conversations"));
        let key = self.demo.app_key.clone();
        self.call(Method::GET, &path, Auth::Bearer(&key), Body::None)
            .await
    }

    /// `GET .../memories?uid=...&{query}` as the demo app.
    pub(crate) async fn list_memories(&self, query: &str) -> Reply {
        let path = format!("{}&{query}", self.integration_path("memories"));
        let key = self.demo.app_key.clone();
        self.call(Method::GET, &path, Auth::Bearer(&key), Body::None)
            .await
    }

    /// A Developer API call with the demo user's key (every scope).
    pub(crate) async fn dev(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let key = self.demo.dev_key.clone();
        let body = body.map_or(Body::None, Body::Json);
        self.call(method, path, Auth::Bearer(&key), body).await
    }

    /// `POST /v1/dev/user/conversations` with `text` (asserting 200): the new conversation's
    /// id.
    pub(crate) async fn dev_conversation(&self, text: &str) -> String {
        let reply = self
            .dev(
                Method::POST,
                "/v1/dev/user/conversations",
                Some(json!({ "text": text })),
            )
            .await;
        reply.expect_status(200);
        reply.body["id"].as_str().expect("an id").to_owned()
    }

    /// Create a developer memory with `content` and return it (asserting 200).
    pub(crate) async fn dev_memory(&self, body: Value) -> Value {
        let reply = self
            .dev(Method::POST, "/v1/dev/user/memories", Some(body))
            .await;
        reply.expect_status(200);
        reply.body
    }

    /// Every conversation of the demo user, discarded ones included.
    pub(crate) async fn all_conversations(&self) -> Vec<Value> {
        let reply = self
            .list_conversations("limit=1000&include_discarded=true")
            .await;
        reply.expect_status(200);
        reply.body["conversations"]
            .as_array()
            .expect("a conversations array")
            .clone()
    }

    /// Every memory of the demo user, as the integration list returns them.
    pub(crate) async fn all_memories(&self) -> Vec<Value> {
        let reply = self.list_memories("limit=1000").await;
        reply.expect_status(200);
        reply.body["memories"]
            .as_array()
            .expect("a memories array")
            .clone()
    }

    /// Wait until the demo user has `count` conversations and none is still processing.
    pub(crate) async fn settled_conversations(&self, count: usize) -> Vec<Value> {
        eventually(
            &format!("{count} conversations finished processing"),
            || async {
                let all = self.all_conversations().await;
                let settled =
                    all.len() == count && all.iter().all(|c| c["status"] != json!("processing"));
                settled.then_some(all)
            },
        )
        .await
    }

    /// A new user, with `app_id` enabled when given.
    pub(crate) async fn user(&self, uid: &str, enable: Option<&str>) -> String {
        let uid = self
            .admin
            .create_user(Some(uid))
            .await
            .expect("the user is made");
        if let Some(app_id) = enable {
            self.admin
                .set_app_enabled(&uid, app_id, true)
                .await
                .expect("the app is enabled");
        }
        uid
    }

    /// A new app with `capabilities`, enabled for the demo user, and a key of it.
    pub(crate) async fn app(&self, capabilities: &[Capability], enabled: bool) -> (String, String) {
        let app_id = self
            .admin
            .create_app("Test app", capabilities)
            .await
            .expect("the app is made");
        if enabled {
            self.admin
                .set_app_enabled(&self.demo.uid, &app_id, true)
                .await
                .expect("the app is enabled");
        }
        let key = self
            .admin
            .create_app_key(&app_id)
            .await
            .expect("the key is made");
        (app_id, key.key)
    }

    /// A developer key of `uid` with `scopes`.
    pub(crate) async fn dev_key(&self, uid: &str, scopes: &[DevScope]) -> String {
        self.admin
            .create_dev_key(uid, scopes)
            .await
            .expect("the key is made")
            .key
    }
}

/// How a request authenticates.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// No `Authorization` header.
    None,
    /// `Authorization: Bearer KEY`.
    Bearer(&'a str),
    /// `Authorization: VALUE`, as given.
    Header(&'a str),
}

/// A request body.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// None.
    None,
    /// JSON, with `Content-Type: application/json`.
    Json(Value),
    /// Bytes as given, with this content type (or none).
    Raw {
        content_type: Option<&'static str>,
        bytes: Vec<u8>,
    },
}

/// An answer: status, headers, and the body (as JSON when it is JSON, else `null`).
#[derive(Debug)]
pub(crate) struct Reply {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The headers.
    pub(crate) headers: HeaderMap,
    /// The body as JSON (`null` when it is not JSON).
    pub(crate) body: Value,
    /// The body as text.
    pub(crate) text: String,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("the body is read");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
            text,
        }
    }

    /// Assert the status, showing the body when it differs.
    #[track_caller]
    pub(crate) fn expect_status(&self, status: u16) {
        assert_eq!(
            self.status, status,
            "expected {status}, got {} with body {}",
            self.status, self.text
        );
    }

    /// Assert the status and that the body is exactly `{"detail": detail}`.
    #[track_caller]
    pub(crate) fn expect_detail(&self, status: u16, detail: &str) {
        self.expect_status(status);
        assert_eq!(self.body, json!({ "detail": detail }), "body {}", self.text);
    }
}

/// The PostgreSQL server the PostgreSQL tests use (`OMI_TEST_POSTGRES_URL`), or `None`, saying
/// that `test` is skipped, when it is not set. `.ci/run` always sets it.
pub(crate) fn postgres_url(test: &str) -> Option<String> {
    let url = std::env::var("OMI_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("skipped {test}: OMI_TEST_POSTGRES_URL is not set");
    }
    url
}

/// Poll `probe` every 50 ms until it gives a value, failing after [`DEADLINE`].
pub(crate) async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    eventually_within(what, DEADLINE, probe).await
}

/// Poll `probe` every 50 ms until it gives a value, failing after `deadline`.
pub(crate) async fn eventually_within<T, F, Fut>(what: &str, deadline: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let until = Instant::now() + deadline;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < until,
            "gave up after {deadline:?} waiting for: {what}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// The offline extractor, except for texts with a marker: `[hold]` keeps its job running
/// until the server stops, `[fail]` fails every attempt.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ScriptedExtractor;

impl ScriptedExtractor {
    /// Marks a text whose processing never finishes.
    pub(crate) const HOLD: &'static str = "[hold]";
    /// Marks a text whose processing always fails.
    pub(crate) const FAIL: &'static str = "[fail]";
}

#[async_trait]
impl Extractor for ScriptedExtractor {
    async fn conversation(
        &self,
        input: &ConversationInput<'_>,
    ) -> Result<ConversationExtraction, ExtractError> {
        if input.text.contains(Self::HOLD) {
            std::future::pending::<()>().await;
        }
        if input.text.contains(Self::FAIL) {
            return Err(ExtractError(
                "the scripted extractor fails this text".into(),
            ));
        }
        RulesExtractor.conversation(input).await
    }

    async fn memories(&self, text: &str) -> Result<Vec<ExtractedMemory>, ExtractError> {
        RulesExtractor.memories(text).await
    }
}

/// The offline extractor, except that a text with [`GatedExtractor::GATE`] waits until
/// [`GatedExtractor::open`]: a conversation held in `processing` for as long as a test needs.
#[derive(Debug)]
pub(crate) struct GatedExtractor {
    opened: tokio::sync::watch::Sender<bool>,
}

impl GatedExtractor {
    /// Marks a text whose processing waits for the gate.
    pub(crate) const GATE: &'static str = "[gate]";

    /// A closed gate.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            opened: tokio::sync::watch::channel(false).0,
        })
    }

    /// Let every held text (and every later one) through.
    pub(crate) fn open(&self) {
        self.opened.send_replace(true);
    }
}

#[async_trait]
impl Extractor for GatedExtractor {
    async fn conversation(
        &self,
        input: &ConversationInput<'_>,
    ) -> Result<ConversationExtraction, ExtractError> {
        if input.text.contains(Self::GATE) {
            let mut opened = self.opened.subscribe();
            // The sender lives as long as the extractor, so this waits for `open`.
            let _ = opened.wait_for(|open| *open).await;
        }
        RulesExtractor.conversation(input).await
    }

    async fn memories(&self, text: &str) -> Result<Vec<ExtractedMemory>, ExtractError> {
        RulesExtractor.memories(text).await
    }
}

/// A TCP proxy to one address that can be cut and restored: an outage of one server's
/// database or Redis, without touching the machine's service that other tests use.
pub(crate) struct CuttableProxy {
    /// The port it listens on.
    pub(crate) port: u16,
    up: Arc<AtomicBool>,
    links: Arc<tokio::sync::Mutex<JoinSet<()>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl CuttableProxy {
    /// Listen on a free port of 127.0.0.1, forwarding to `target` (`host:port`).
    pub(crate) async fn start(target: String) -> Self {
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
    pub(crate) async fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.links.lock().await.abort_all();
    }

    /// Forward again.
    pub(crate) fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}
