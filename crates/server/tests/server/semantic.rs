//! Semantic memory search (`--embeddings`) against a local stand-in for an OpenAI-compatible
//! `/embeddings` endpoint: synonyms are found once memories are embedded in the background,
//! and a search never fails because the endpoint does (it answers by words meanwhile, and
//! memories are embedded when it is back).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use omi_extract::{EmbeddingsConfig, RulesExtractor};
use omi_server::semantic::SemanticConfig;
use reqwest::Method;
use serde_json::{Value, json};

use omi_server::store::postgres::ScratchDatabase;

use crate::common::{TestServer, postgres_url, test_config};

/// Words that mean the same, each group one direction of the stand-in's vectors.
const SYNONYMS: &[&[&str]] = &[
    &["doctor", "physician", "gp"],
    &["car", "sedan", "automobile"],
    &["vacation", "holiday"],
    &["spouse", "husband", "wife"],
];

/// The stand-in's dimensions: one per synonym group, then hashed buckets for other words.
const DIMENSIONS: usize = 1024;

/// A stand-in endpoint that answers like OpenAI's `/embeddings`, or 500 while `failing`.
#[derive(Clone, Default)]
struct StandIn {
    failing: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
}

/// The stand-in's vector of `text`: a count per synonym group or word bucket.
fn vector_of(text: &str) -> Vec<f32> {
    let mut v = vec![0.0_f32; DIMENSIONS];
    for word in text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
    {
        let group = SYNONYMS.iter().position(|g| g.contains(&word));
        let at = group.unwrap_or_else(|| {
            let hash = word.bytes().fold(7_usize, |h, b| {
                h.wrapping_mul(31).wrapping_add(usize::from(b))
            });
            SYNONYMS.len() + hash % (DIMENSIONS - SYNONYMS.len())
        });
        v[at] += 1.0;
    }
    v
}

async fn embeddings(State(stand_in): State<StandIn>, Json(body): Json<Value>) -> Response {
    stand_in.requests.fetch_add(1, Ordering::SeqCst);
    if stand_in.failing.load(Ordering::SeqCst) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response();
    }
    let inputs = body["input"].as_array().cloned().unwrap_or_default();
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let mut vector = vector_of(text.as_str().unwrap_or_default());
            if vector.iter().all(|x| *x == 0.0) {
                vector[DIMENSIONS - 1] = 1.0;
            }
            json!({"object": "embedding", "index": index, "embedding": vector})
        })
        .collect();
    Json(json!({"object": "list", "data": data, "model": body["model"]})).into_response()
}

/// The stand-in, listening on 127.0.0.1; its base URL.
async fn start_stand_in(stand_in: StandIn) -> String {
    let app = axum::Router::new()
        .route("/v1/embeddings", axum::routing::post(embeddings))
        .with_state(stand_in);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port for the stand-in");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/v1")
}

/// Which database a test runs on.
#[derive(Clone, Copy)]
enum Db {
    Sqlite,
    Postgres,
}

/// A server whose semantic search uses `stand_in` (started here), retrying soon, on `db`
/// (`None`, the test skipped, for PostgreSQL without `OMI_TEST_POSTGRES_URL`); the scratch
/// database to drop after the server, if any.
async fn server(stand_in: &StandIn, db: Db) -> Option<(TestServer, Option<ScratchDatabase>)> {
    let base_url = start_stand_in(stand_in.clone()).await;
    let mut semantic = SemanticConfig::new(EmbeddingsConfig::new(base_url, "stand-in-model"));
    semantic.retry_after = Duration::from_millis(50);
    semantic.idle_wait = Duration::from_millis(20);
    let config = omi_server::server::ServerConfig {
        semantic: Some(semantic),
        ..test_config()
    };
    let extractor = Arc::new(RulesExtractor);
    Some(match db {
        Db::Sqlite => (TestServer::start_with(config, extractor).await, None),
        Db::Postgres => {
            let admin_url = postgres_url("a semantic search test on PostgreSQL")?;
            let (server, scratch) =
                TestServer::start_on_postgres(config, extractor, &admin_url).await;
            (server, Some(scratch))
        }
    })
}

/// The contents a memory search for `query` answers, best first.
async fn found(server: &TestServer, query: &str) -> Vec<String> {
    let path = format!("/v1/dev/user/memories/vector/search?query={query}");
    let reply = server.dev(Method::GET, &path, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            let score = i["relevance_score"].as_f64().expect("a score");
            assert!((0.5..1.0).contains(&score), "{i}");
            i["content"].as_str().expect("content").to_owned()
        })
        .collect()
}

/// Wait until a search for `query` finds `content`.
async fn until_found(server: &TestServer, query: &str, content: &str) -> Vec<String> {
    let started = Instant::now();
    loop {
        let items = found(server, query).await;
        if items.iter().any(|c| c == content) {
            return items;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{query:?} did not find {content:?}: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn store(server: &TestServer, contents: &[&str]) {
    for content in contents {
        server.dev_memory(json!({ "content": content })).await;
    }
}

#[tokio::test]
async fn synonyms_are_found_once_the_memories_are_embedded() {
    synonyms_are_found(Db::Sqlite).await;
}

#[tokio::test]
async fn synonyms_are_found_on_postgres() {
    synonyms_are_found(Db::Postgres).await;
}

async fn synonyms_are_found(db: Db) {
    let stand_in = StandIn::default();
    let Some((server, scratch)) = server(&stand_in, db).await else {
        return;
    };
    store(
        &server,
        &[
            "User's physician is Dr. Okafor",
            "User drives a blue sedan",
            "User loves hiking in the Alps",
        ],
    )
    .await;
    let doctor = until_found(&server, "doctor", "User's physician is Dr. Okafor").await;
    assert_eq!(
        doctor,
        ["User's physician is Dr. Okafor"],
        "only the similar memory"
    );
    let car = until_found(&server, "car", "User drives a blue sedan").await;
    assert_eq!(car, ["User drives a blue sedan"]);
    let words = found(&server, "hiking").await;
    assert_eq!(words, ["User loves hiking in the Alps"], "words still find");
    assert!(
        found(&server, "saxophone").await.is_empty(),
        "nothing similar: nothing"
    );
    assert!(stand_in.requests.load(Ordering::SeqCst) > 0);
    server.shutdown().await;
    drop(scratch);
}

#[tokio::test]
async fn a_failing_endpoint_leaves_the_search_to_words_until_it_is_back() {
    let stand_in = StandIn::default();
    stand_in.failing.store(true, Ordering::SeqCst);
    let Some((server, _)) = server(&stand_in, Db::Sqlite).await else {
        return;
    };
    store(&server, &["User's husband is called Tomás"]).await;
    // Down: the search answers by words, never with an error.
    assert_eq!(
        found(&server, "husband").await,
        ["User's husband is called Tomás"]
    );
    assert!(found(&server, "spouse").await.is_empty());
    let started = Instant::now();
    while stand_in.requests.load(Ordering::SeqCst) < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the embedder retries"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Back: the memory is embedded on a later attempt and found by meaning.
    stand_in.failing.store(false, Ordering::SeqCst);
    until_found(&server, "spouse", "User's husband is called Tomás").await;
    server.shutdown().await;
}

#[tokio::test]
async fn an_edit_is_embedded_again_and_a_delete_leaves_nothing() {
    edits_and_deletes(Db::Sqlite).await;
}

#[tokio::test]
async fn an_edit_is_embedded_again_on_postgres() {
    edits_and_deletes(Db::Postgres).await;
}

async fn edits_and_deletes(db: Db) {
    let stand_in = StandIn::default();
    let Some((server, scratch)) = server(&stand_in, db).await else {
        return;
    };
    let memory = server
        .dev_memory(json!({ "content": "User plans a holiday in Lisbon" }))
        .await;
    until_found(&server, "vacation", "User plans a holiday in Lisbon").await;
    let id = memory["id"].as_str().expect("an id");
    let path = format!("/v1/dev/user/memories/{id}");
    let edit = json!({ "content": "User's physician moved to Porto" });
    let reply = server.dev(Method::PATCH, &path, Some(edit)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    until_found(&server, "doctor", "User's physician moved to Porto").await;
    assert!(
        found(&server, "vacation").await.is_empty(),
        "the old vector is not used"
    );
    let reply = server.dev(Method::DELETE, &path, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(found(&server, "doctor").await.is_empty());
    server.shutdown().await;
    drop(scratch);
}
