//! What every contract shares: a fresh server per test, the two transports, the record of
//! outcomes with ids and times redacted, and the snapshot both transports must match.

pub mod mcp;

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

use omi_api::{
    ApiError, CallError, DeveloperActionItems, DeveloperConversations, DeveloperExport,
    DeveloperGoals, DeveloperImport, DeveloperKey, DeveloperMemories, DeveloperWebhooks,
    IntegrationImports,
};
use omi_client::{Client, RetryPolicy};
use omi_model::{
    ActionItem, ApiKey, Capability, Conversation, ConversationStatus, DevScope,
    GetConversationQuery, ListActionItemsQuery, ListConversationsQuery, ListDevConversationsQuery,
    ListDevMemoriesQuery, ListMemoriesQuery, Memory,
};
use omi_server::admin::{Admin, CreatedKey, DemoCredentials};
use omi_server::ratelimit::RateLimitMode;
use omi_server::server::{RunningServer, ServerConfig};
use omi_server::service::{DeveloperHandle, IntegrationHandle, Service, ServiceConfig};
use omi_server::store::postgres::ScratchDatabase;
use omi_server::webhooks::WebhookConfig;
use omi_server::worker::WorkerConfig;
use serde::Serialize;
use serde_json::{Map, Value, json};
use tempfile::TempDir;

/// How long anything asynchronous (conversation processing, memory extraction) may take.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Where a test server keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A database of its own on the PostgreSQL server of `OMI_TEST_POSTGRES_URL`.
    Postgres,
}

/// The PostgreSQL server the PostgreSQL runs use, or `None` (the run is skipped, saying so)
/// when `OMI_TEST_POSTGRES_URL` is not set. `.ci/run` always sets it.
pub fn postgres_url(test: &str) -> Option<String> {
    let url = std::env::var("OMI_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("skipped {test} on PostgreSQL: OMI_TEST_POSTGRES_URL is not set");
    }
    url
}

/// A server on `127.0.0.1:0` over a new database (a SQLite file in its own temporary
/// directory, or a PostgreSQL database of its own), with the demo user, app and keys made.
///
/// Rate limits are off: the contracts are about answers, and a limit hit by a fast test
/// would make one transport's record differ from the other's for reasons of timing.
pub struct TestServer {
    running: RunningServer,
    admin: Admin,
    demo: DemoCredentials,
    _dir: TempDir,
    // Declared last: dropped (DROP DATABASE) after the server is gone.
    _scratch: Option<ScratchDatabase>,
}

impl TestServer {
    /// Start a server over a new SQLite database and make the demo credentials.
    pub async fn start() -> Self {
        Self::start_on(Backend::Sqlite, "").await
    }

    /// Start a server over a new database of `backend` and make the demo credentials;
    /// `postgres_admin_url` is the server a PostgreSQL database is made on.
    pub async fn start_on(backend: Backend, postgres_admin_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (database_url, scratch) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("omi.sqlite").display()),
                None,
            ),
            Backend::Postgres => {
                let scratch = ScratchDatabase::create(postgres_admin_url)
                    .await
                    .expect("a scratch PostgreSQL database");
                (scratch.url().to_owned(), Some(scratch))
            }
        };
        let running = RunningServer::start(ServerConfig {
            addr: "127.0.0.1:0".parse().expect("an address"),
            database_url,
            rate_limits: RateLimitMode::Off,
            worker: WorkerConfig {
                poll_interval: Duration::from_millis(20),
                base_backoff: Duration::from_millis(50),
                ..WorkerConfig::default()
            },
            service: ServiceConfig {
                webhooks: WebhookConfig {
                    allow_private: true,
                    ..WebhookConfig::default()
                },
                ..ServiceConfig::default()
            },
            ..ServerConfig::default()
        })
        .await
        .expect("the server starts");
        let admin = Admin::new(running.service().clone());
        let demo = admin
            .bootstrap_demo(&running.base_url())
            .await
            .expect("the demo bootstrap runs")
            .expect("a new database has no demo user yet");
        Self {
            running,
            admin,
            demo,
            _dir: dir,
            _scratch: scratch,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// The in-process service behind the HTTP server.
    pub fn service(&self) -> &Service {
        self.running.service()
    }

    /// Users, apps and keys.
    pub fn admin(&self) -> &Admin {
        &self.admin
    }

    /// The demo user, app and keys.
    pub fn demo(&self) -> &DemoCredentials {
        &self.demo
    }

    /// A new user (`uid`) with a developer key carrying `scopes`.
    pub async fn user_with_dev_key(&self, uid: &str, scopes: &[DevScope]) -> CreatedKey {
        self.admin.create_user(Some(uid)).await.expect("user");
        self.admin
            .create_dev_key(uid, scopes)
            .await
            .expect("dev key")
    }

    /// A new app with `capabilities`, enabled for every user of `enabled_for` (who must
    /// exist), and one key of it: `(app_id, key)`.
    pub async fn app(&self, capabilities: &[Capability], enabled_for: &[&str]) -> (String, String) {
        let app_id = self
            .admin
            .create_app("Contract app", capabilities)
            .await
            .expect("app");
        for uid in enabled_for {
            self.admin
                .set_app_enabled(uid, &app_id, true)
                .await
                .expect("enable app");
        }
        let key = self.admin.create_app_key(&app_id).await.expect("app key");
        (app_id, key.key)
    }

    /// Wait until no job is queued or running, so what the jobs make (titles, memories,
    /// action items) is all there before a read that a snapshot records.
    pub async fn jobs_settled(&self) {
        let started = Instant::now();
        loop {
            let depth = self
                .running
                .store()
                .queue_depth()
                .await
                .expect("the queue depth");
            if depth == 0 {
                return;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "{depth} jobs still queued or running after {DEADLINE:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stop: finish in-flight requests and jobs, then drop the database.
    pub async fn shutdown(self) {
        self.running.shutdown().await;
    }
}

/// A way of calling the API: each gives handles implementing the `omi-api` traits.
///
/// The contracts are written once, against this trait, and run with every implementation
/// against identical fresh servers; their records must be identical.
pub trait Transport: Sized + Send + Sync + 'static {
    /// The integration handle.
    type Integration: IntegrationImports;
    /// The developer handle.
    type Developer: DeveloperMemories
        + DeveloperConversations
        + DeveloperActionItems
        + DeveloperKey
        + DeveloperGoals
        + DeveloperExport
        + DeveloperImport
        + DeveloperWebhooks;

    /// A transport to `server`.
    fn connect(server: &TestServer) -> Self;

    /// The Integration Imports API of `app_id`, called with `key` (`None`: no key at all).
    fn integration(&self, app_id: &str, key: Option<&str>) -> Self::Integration;

    /// The Developer API, called with `key` (`None`: no key at all).
    fn developer(&self, key: Option<&str>) -> Self::Developer;

    /// Every developer memory matching `query`, `query.limit` per page.
    fn dev_memories_stream(
        dev: &Self::Developer,
        query: ListDevMemoriesQuery,
    ) -> impl Future<Output = Result<Vec<Memory>, ApiError>> + Send;

    /// Every developer conversation matching `query`, `query.limit` per page.
    fn dev_conversations_stream(
        dev: &Self::Developer,
        query: ListDevConversationsQuery,
    ) -> impl Future<Output = Result<Vec<Conversation>, ApiError>> + Send;

    /// Every action item matching `query`, `query.limit` per page.
    fn action_items_stream(
        dev: &Self::Developer,
        query: ListActionItemsQuery,
    ) -> impl Future<Output = Result<Vec<ActionItem>, ApiError>> + Send;

    /// Every conversation of `uid` matching `query`, `query.limit` per page.
    fn conversations_stream(
        app: &Self::Integration,
        uid: &str,
        query: ListConversationsQuery,
    ) -> impl Future<Output = Result<Vec<Conversation>, ApiError>> + Send;

    /// Every memory of `uid`, `query.limit` per page.
    fn integration_memories_stream(
        app: &Self::Integration,
        uid: &str,
        query: ListMemoriesQuery,
    ) -> impl Future<Output = Result<Vec<Memory>, ApiError>> + Send;
}

/// The service's own handles, called in-process.
pub struct InProcess {
    service: Service,
}

impl Transport for InProcess {
    type Integration = IntegrationHandle;
    type Developer = DeveloperHandle;

    fn connect(server: &TestServer) -> Self {
        Self {
            service: server.service().clone(),
        }
    }

    fn integration(&self, app_id: &str, key: Option<&str>) -> IntegrationHandle {
        self.service.integration(app_id, key.map(ApiKey::new))
    }

    fn developer(&self, key: Option<&str>) -> DeveloperHandle {
        self.service.developer(key.map(ApiKey::new))
    }

    async fn dev_memories_stream(
        dev: &DeveloperHandle,
        query: ListDevMemoriesQuery,
    ) -> Result<Vec<Memory>, ApiError> {
        pages(query.limit, query.offset, |limit, offset| {
            dev.list_memories(ListDevMemoriesQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            })
        })
        .await
    }

    async fn dev_conversations_stream(
        dev: &DeveloperHandle,
        query: ListDevConversationsQuery,
    ) -> Result<Vec<Conversation>, ApiError> {
        pages(query.limit, query.offset, |limit, offset| {
            dev.list_conversations(ListDevConversationsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            })
        })
        .await
    }

    async fn action_items_stream(
        dev: &DeveloperHandle,
        query: ListActionItemsQuery,
    ) -> Result<Vec<ActionItem>, ApiError> {
        pages(query.limit, query.offset, |limit, offset| {
            dev.list_action_items(ListActionItemsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            })
        })
        .await
    }

    async fn conversations_stream(
        app: &IntegrationHandle,
        uid: &str,
        query: ListConversationsQuery,
    ) -> Result<Vec<Conversation>, ApiError> {
        pages(query.limit, query.offset, |limit, offset| {
            let q = ListConversationsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..query.clone()
            };
            async move { Ok(app.list_conversations(uid, q).await?.conversations) }
        })
        .await
    }

    async fn integration_memories_stream(
        app: &IntegrationHandle,
        uid: &str,
        query: ListMemoriesQuery,
    ) -> Result<Vec<Memory>, ApiError> {
        pages(query.limit, query.offset, |limit, offset| {
            let q = ListMemoriesQuery {
                limit: Some(limit),
                offset: Some(offset),
            };
            async move { Ok(app.list_memories(uid, q).await?.memories) }
        })
        .await
    }
}

/// What the in-process side does where the client has a stream: ask for pages of `limit`
/// from `offset` until one comes back short (the client's documented paging rule).
async fn pages<T, F, Fut>(
    limit: Option<i64>,
    offset: Option<i64>,
    fetch: F,
) -> Result<Vec<T>, ApiError>
where
    F: Fn(i64, i64) -> Fut,
    Fut: Future<Output = Result<Vec<T>, ApiError>>,
{
    let limit = limit.unwrap_or(100);
    let mut offset = offset.unwrap_or(0);
    let mut all = Vec::new();
    loop {
        let page = fetch(limit, offset).await?;
        let count = i64::try_from(page.len()).expect("a page length fits i64");
        all.extend(page);
        if count < limit {
            return Ok(all);
        }
        offset += count;
    }
}

/// `omi-client` handles talking HTTP to the same server, never retrying, so every error
/// surfaces exactly as the server sent it.
pub struct OverHttp {
    client: Client,
}

impl Transport for OverHttp {
    type Integration = omi_client::IntegrationClient;
    type Developer = omi_client::DeveloperClient;

    fn connect(server: &TestServer) -> Self {
        let client = Client::builder()
            .base_url(server.base_url())
            .timeout(Duration::from_secs(10))
            .retry_policy(RetryPolicy::never())
            .build()
            .expect("a client");
        Self { client }
    }

    // "No key": the client always sends `Authorization: Bearer <key>`, so it is given an
    // empty key. The server reads a bearer header with nothing after the scheme exactly as a
    // missing header (its `Bearer` extractor yields `None`), which is what the in-process
    // handle is given. Both then answer as OMI does without credentials.
    fn integration(&self, app_id: &str, key: Option<&str>) -> Self::Integration {
        self.client.integration(app_id, key.unwrap_or_default())
    }

    fn developer(&self, key: Option<&str>) -> Self::Developer {
        self.client.developer(key.unwrap_or_default())
    }

    async fn dev_memories_stream(
        dev: &Self::Developer,
        query: ListDevMemoriesQuery,
    ) -> Result<Vec<Memory>, ApiError> {
        collect(dev.memories_stream(query)).await
    }

    async fn dev_conversations_stream(
        dev: &Self::Developer,
        query: ListDevConversationsQuery,
    ) -> Result<Vec<Conversation>, ApiError> {
        collect(dev.conversations_stream(query)).await
    }

    async fn action_items_stream(
        dev: &Self::Developer,
        query: ListActionItemsQuery,
    ) -> Result<Vec<ActionItem>, ApiError> {
        collect(dev.action_items_stream(query)).await
    }

    async fn conversations_stream(
        app: &Self::Integration,
        uid: &str,
        query: ListConversationsQuery,
    ) -> Result<Vec<Conversation>, ApiError> {
        collect(app.conversations_stream(uid, query)).await
    }

    async fn integration_memories_stream(
        app: &Self::Integration,
        uid: &str,
        query: ListMemoriesQuery,
    ) -> Result<Vec<Memory>, ApiError> {
        collect(app.memories_stream(uid, query)).await
    }
}

async fn collect<T>(
    stream: impl futures::Stream<Item = Result<T, omi_client::Error>>,
) -> Result<Vec<T>, ApiError> {
    use futures::TryStreamExt;
    stream.try_collect().await.map_err(|e| api_error(&e))
}

/// The API's answer in a failed call; any other failure (transport, decoding) fails the test.
#[track_caller]
pub fn api_error<E: CallError>(error: &E) -> ApiError {
    match error.api_error() {
        Some(e) => e.clone(),
        None => panic!("a failure that is not an API answer: {error}"),
    }
}

/// One contract run: a fresh server, one transport to it, and the demo handles.
pub struct Ctx<T: Transport> {
    server: TestServer,
    transport: T,
    backend: Backend,
    postgres_admin_url: String,
    /// The demo user.
    pub uid: String,
    /// The demo app (every capability, enabled for the demo user).
    pub app_id: String,
    /// The demo app's key.
    pub app_key: String,
    /// The demo app, called with its key.
    pub app: T::Integration,
    /// The demo user's developer key (every scope).
    pub dev: T::Developer,
}

impl<T: Transport> Ctx<T> {
    /// Start a fresh SQLite server and connect to it.
    pub async fn start() -> Self {
        Self::start_on(Backend::Sqlite, "").await
    }

    /// Start a fresh server over `backend` and connect to it.
    pub async fn start_on(backend: Backend, postgres_admin_url: &str) -> Self {
        let server = TestServer::start_on(backend, postgres_admin_url).await;
        let transport = T::connect(&server);
        let demo = server.demo().clone();
        Self {
            app: transport.integration(&demo.app_id, Some(&demo.app_key)),
            dev: transport.developer(Some(&demo.dev_key)),
            uid: demo.uid,
            app_id: demo.app_id,
            app_key: demo.app_key,
            transport,
            server,
            backend,
            postgres_admin_url: postgres_admin_url.to_owned(),
        }
    }

    /// Another fresh server over a new database of the same backend, with its own demo
    /// credentials (the same demo uid): an empty database to copy records into.
    pub async fn another(&self) -> Self {
        Self::start_on(self.backend, &self.postgres_admin_url).await
    }

    /// The server.
    pub fn server(&self) -> &TestServer {
        &self.server
    }

    /// The Integration Imports API of `app_id` with `key`.
    pub fn integration(&self, app_id: &str, key: Option<&str>) -> T::Integration {
        self.transport.integration(app_id, key)
    }

    /// The Developer API with `key`.
    pub fn developer(&self, key: Option<&str>) -> T::Developer {
        self.transport.developer(key)
    }

    /// A new user with a developer key of `scopes`, and that key's handle.
    pub async fn user(&self, uid: &str, scopes: &[DevScope]) -> T::Developer {
        let key = self.server.user_with_dev_key(uid, scopes).await;
        self.developer(Some(&key.key))
    }

    /// Wait until `uid` has `count` conversations (discarded ones included), all completed;
    /// they come back newest first.
    pub async fn completed_conversations(&self, uid: &str, count: usize) -> Vec<Conversation> {
        let query = ListConversationsQuery {
            include_discarded: Some(true),
            limit: Some(1000),
            ..ListConversationsQuery::default()
        };
        let started = Instant::now();
        loop {
            let listed = self
                .app
                .list_conversations(uid, query.clone())
                .await
                .map_err(|e| api_error(&e))
                .expect("listing conversations");
            let done = listed
                .conversations
                .iter()
                .filter(|c| c.status == Some(ConversationStatus::Completed))
                .count();
            if listed.conversations.len() == count && done == count {
                return listed.conversations;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "{done} of {count} conversations completed after {DEADLINE:?}: {:#?}",
                listed.conversations
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Wait until the demo user's conversation `id` is completed; it, with its transcript.
    pub async fn completed_dev_conversation(&self, id: &str) -> Conversation {
        let started = Instant::now();
        loop {
            let conversation = self
                .dev
                .get_conversation(id, GetConversationQuery::WITH_TRANSCRIPT)
                .await
                .map_err(|e| api_error(&e))
                .expect("reading the conversation");
            if conversation.status == Some(ConversationStatus::Completed) {
                return conversation;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "conversation {id} not completed after {DEADLINE:?}: {conversation:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Wait until the demo app sees at least `count` memories of `uid`; all of them.
    pub async fn memories_at_least(&self, uid: &str, count: usize) -> Vec<Memory> {
        let started = Instant::now();
        loop {
            let listed = self
                .app
                .list_memories(uid, ListMemoriesQuery::default())
                .await
                .map_err(|e| api_error(&e))
                .expect("listing memories");
            if listed.memories.len() >= count {
                return listed.memories;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "fewer than {count} memories after {DEADLINE:?}: {:#?}",
                listed.memories
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Check `record` against the contract's snapshot and stop the server.
    ///
    /// `module` is the `module_path!()` of the generated test module; the snapshot is named
    /// after it without the transport, so both transports check the same file and any
    /// difference between them fails one.
    pub async fn finish(self, module: &str, record: Value) {
        snapshot(&snapshot_name(module), &record);
        self.shutdown().await;
    }

    /// Stop the server (and drop its PostgreSQL database, if it has one).
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// `contract::auth_matrix::integration` → `auth_matrix__integration`.
pub fn snapshot_name(module: &str) -> String {
    module
        .strip_prefix("contract::")
        .unwrap_or(module)
        .replace("::", "__")
}

/// Assert `value` equals the snapshot `name` in `tests/snapshots/`.
#[track_caller]
pub fn snapshot(name: &str, value: &Value) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_json_snapshot!(name, value);
    });
}

/// Run each named contract against a fresh server in-process and over HTTP, and in-process
/// over PostgreSQL (when `OMI_TEST_POSTGRES_URL` is set), all checked against one snapshot
/// named after the contract: the transports agree, and so do the stores.
macro_rules! contracts {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                use crate::common::{Backend, Ctx, InProcess, OverHttp, postgres_url};

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn in_process() {
                    let ctx = Ctx::<InProcess>::start().await;
                    let record = super::$name(&ctx).await;
                    ctx.finish(module_path!(), record).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn over_http() {
                    let ctx = Ctx::<OverHttp>::start().await;
                    let record = super::$name(&ctx).await;
                    ctx.finish(module_path!(), record).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_postgres() {
                    let Some(url) = postgres_url(module_path!()) else { return };
                    let ctx = Ctx::<InProcess>::start_on(Backend::Postgres, &url).await;
                    let record = super::$name(&ctx).await;
                    ctx.finish(module_path!(), record).await;
                }
            }
        )+
    };
}
pub(crate) use contracts;

/// The outcomes of a contract's calls, in order, each under a unique label.
#[derive(Debug, Default)]
pub struct Record {
    entries: Map<String, Value>,
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record a call's outcome under `label`: `{"ok": body}` or `{"err": {status, detail}}`.
    /// Gives back the value when the call succeeded.
    #[track_caller]
    pub fn call<T: Serialize, E: CallError>(
        &mut self,
        label: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => {
                self.put(label, json!({ "ok": to_json(&value) }));
                Some(value)
            }
            Err(e) => {
                self.put(label, json!({ "err": error_json(&api_error(&e)) }));
                None
            }
        }
    }

    /// Record a call that must succeed; its value.
    #[track_caller]
    pub fn ok<T: Serialize, E: CallError>(&mut self, label: &str, result: Result<T, E>) -> T {
        match result {
            Ok(value) => {
                self.put(label, json!({ "ok": to_json(&value) }));
                value
            }
            Err(e) => panic!("{label}: expected success, got {}", api_error(&e)),
        }
    }

    /// Record a call that must fail with `status`; its error.
    #[track_caller]
    pub fn err<T: Serialize, E: CallError>(
        &mut self,
        label: &str,
        status: u16,
        result: Result<T, E>,
    ) -> ApiError {
        match result {
            Ok(value) => panic!(
                "{label}: expected {status}, got success: {}",
                to_json(&value)
            ),
            Err(e) => {
                let e = api_error(&e);
                assert_eq!(e.status(), status, "{label}: {e}");
                self.put(label, json!({ "err": error_json(&e) }));
                e
            }
        }
    }

    /// Record a derived fact (a count, a list of contents).
    #[track_caller]
    pub fn note(&mut self, label: &str, value: impl Serialize) {
        self.put(label, to_json(&value));
    }

    #[track_caller]
    fn put(&mut self, label: &str, value: Value) {
        let previous = self.entries.insert(label.to_owned(), value);
        assert!(previous.is_none(), "label {label:?} recorded twice");
    }

    /// The record with ids, times and scores redacted (see [`redact`]).
    pub fn finish(self) -> Value {
        redact(Value::Object(self.entries))
    }
}

/// The JSON form of an error: its status and detail.
pub fn error_json(e: &ApiError) -> Value {
    json!({ "status": e.status(), "detail": e.detail() })
}

/// Serialize for a record.
#[track_caller]
pub fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("a response serializes")
}

/// Keys whose values are ids: replaced by `<id:N>`, numbered in order of first appearance,
/// so equal ids stay equal and the order they appear in stays visible.
const ID_KEYS: &[&str] = &["id", "conversation_id", "app_id", "goal_id", "folder_id"];
/// Keys whose values are times of the run.
const TIME_KEYS: &[&str] = &[
    "created_at",
    "updated_at",
    "started_at",
    "finished_at",
    "completed_at",
    "recorded_at",
    "exported_at",
];

/// Replace ids, times and scores, which differ from run to run, with stable placeholders.
///
/// A `scoring` keeps its first two parts (manually added, category boost), which the
/// contracts are about, and loses the time: `01_998_1705315800` → `01_998_<time>`.
pub fn redact(value: Value) -> Value {
    Redactor::default().value(value)
}

#[derive(Default)]
struct Redactor {
    ids: HashMap<String, usize>,
}

impl Redactor {
    fn value(&mut self, value: Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let v = self.field(&k, v);
                        (k, v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.value(v)).collect()),
            other => other,
        }
    }

    fn field(&mut self, key: &str, value: Value) -> Value {
        match value {
            Value::String(s) if ID_KEYS.contains(&key) => {
                let next = self.ids.len() + 1;
                let n = *self.ids.entry(s).or_insert(next);
                Value::String(format!("<id:{n}>"))
            }
            Value::String(_) if TIME_KEYS.contains(&key) => Value::String("<time>".into()),
            // A day of the run (a goal's history entry): `YYYY-MM-DD`.
            Value::String(s) if key == "date" && is_day(&s) => Value::String("<day>".into()),
            // Ranking functions differ between the stores (bm25, ts_rank_cd): the order of
            // the items is the contract, and that a score is in [0.5, 1).
            Value::Number(n) if key == "relevance_score" => match n.as_f64() {
                Some(score) if (0.5..1.0).contains(&score) => Value::String("<score>".into()),
                _ => Value::Number(n),
            },
            Value::String(s) if key == "scoring" => {
                let kept: String = s.split('_').take(2).collect::<Vec<_>>().join("_");
                Value::String(format!("{kept}_<time>"))
            }
            other => self.value(other),
        }
    }
}

/// Whether `s` is a day as `YYYY-MM-DD`.
fn is_day(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// The contents of memories, in order: the compact view of a list's order.
pub fn contents(memories: &[Memory]) -> Vec<&str> {
    memories.iter().map(|m| m.content.as_str()).collect()
}

/// Memories sorted by content: for lists whose members were stored in the same microsecond
/// (one import, one batch), which the server orders among themselves by random id.
pub fn by_content(mut memories: Vec<Memory>) -> Vec<Memory> {
    memories.sort_by(|a, b| a.content.cmp(&b.content));
    memories
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_equal_ids_equal_and_numbers_them_in_order() {
        let redacted = redact(json!({
            "a": {"id": "x", "created_at": "2024-01-01T00:00:00Z", "scoring": "01_998_1705315800"},
            "b": [{"id": "y", "conversation_id": "x", "app_id": null, "updated_at": null}],
        }));
        assert_eq!(
            redacted,
            json!({
                "a": {"id": "<id:1>", "created_at": "<time>", "scoring": "01_998_<time>"},
                "b": [{"id": "<id:2>", "conversation_id": "<id:1>", "app_id": null, "updated_at": null}],
            })
        );
    }
}
