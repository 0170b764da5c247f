//! `Idempotency-Key` with the real binary, on SQLite and PostgreSQL: what a create makes and
//! the answer remembered under its key commit together, so a retry after a `kill -9` between
//! the commit and the answer gets that answer, and concurrent retries create once.

use std::path::Path;
use std::time::Duration;

use omi_server::faults;
use omi_server::store::postgres::ScratchDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{eventually_within, postgres_url};
use crate::process::{ServerProcess, demo, read};

/// The developer key and base URL of a server, and a client.
struct Caller {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Caller {
    /// `POST path` with `body` and `Idempotency-Key: idem`: status, whether replayed, body.
    async fn post(&self, path: &str, idem: &str, body: &Value) -> (StatusCode, bool, String) {
        let reply = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .header("idempotency-key", idem)
            .json(body)
            .send()
            .await
            .expect("the server answers");
        let status = reply.status();
        let replayed = reply.headers().contains_key("idempotent-replayed");
        (status, replayed, reply.text().await.unwrap_or_default())
    }

    /// The user's action items.
    async fn action_items(&self) -> Vec<Value> {
        let reply = self
            .http
            .request(
                Method::GET,
                format!("{}/v1/dev/user/action-items", self.base),
            )
            .bearer_auth(&self.key)
            .send()
            .await
            .expect("the server answers");
        let items: Value = reply.json().await.expect("a JSON list");
        items.as_array().cloned().unwrap_or_default()
    }
}

const ITEM: &str = "/v1/dev/user/action-items";

/// Run `check` over a new SQLite database, and over a scratch PostgreSQL database when
/// `OMI_TEST_POSTGRES_URL` is set.
async fn on_both_stores<F, Fut>(test: &str, check: F)
where
    F: Fn(String, std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sqlite = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    check(sqlite, dir.path().to_owned()).await;
    let Some(admin_url) = postgres_url(test) else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin_url)
        .await
        .expect("a scratch database");
    check(scratch.url().to_owned(), dir.path().to_owned()).await;
}

fn caller(creds: &Value, server: &ServerProcess) -> Caller {
    Caller {
        http: reqwest::Client::new(),
        base: server.base_url.clone(),
        key: creds["dev_key"].as_str().expect("a dev key").to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_killed_between_commit_and_answer_gives_its_answer_to_the_retry() {
    on_both_stores(
        "kill -9 between commit and answer",
        killed_between_commit_and_answer,
    )
    .await;
}

async fn killed_between_commit_and_answer(database: String, dir: std::path::PathBuf) {
    let creds = demo(&database);
    let body = json!({"description": "Call the plumber about the 水漏れ 🚰"});
    let log = dir.join("stalling.log");
    let mut stalling = ServerProcess::spawn_with_env(
        &database,
        log.clone(),
        &[],
        &[(faults::VARIABLE, faults::STALL_AFTER_CREATE_COMMIT)],
    );
    let http = reqwest::Client::new();
    stalling.ready(&http).await;
    let first = caller(&creds, &stalling);
    let lost = tokio::spawn({
        let (http, base, key, body) = (
            first.http.clone(),
            first.base.clone(),
            first.key.clone(),
            body.clone(),
        );
        async move {
            let caller = Caller { http, base, key };
            caller.post(ITEM, "retry-me", &body).await
        }
    });
    // The create is committed (it is listed) while its answer never left the process.
    let committed = eventually_within("the create commits", Duration::from_secs(20), || async {
        let items = first.action_items().await;
        (items.len() == 1).then(|| items[0].clone())
    })
    .await;
    assert!(read(&log).contains("stalling before the answer"));
    stalling.kill();
    lost.abort();

    let mut restarted = ServerProcess::spawn(&database, dir.join("restarted.log"), &[]);
    restarted.ready(&http).await;
    let retry = caller(&creds, &restarted);
    let (status, replayed, answer) = retry.post(ITEM, "retry-me", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(replayed, "the retry is answered from the record: {answer}");
    let answer: Value = serde_json::from_str(&answer).expect("a JSON answer");
    assert_eq!(
        answer, committed,
        "the retry gets the first create's answer"
    );
    assert_eq!(
        retry.action_items().await.len(),
        1,
        "nothing was created twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_with_one_key_create_once_and_all_get_its_answer() {
    on_both_stores("concurrent idempotent creates", concurrent_creates).await;
}

async fn concurrent_creates(database: String, dir: std::path::PathBuf) {
    let creds = demo(&database);
    let mut server = ServerProcess::spawn(&database, dir.join("concurrent.log"), &[]);
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let caller = caller(&creds, &server);
    let body = json!({"description": "Renew the passport"});
    let sends = (0..12).map(|_| caller.post(ITEM, "one-key", &body));
    let answers = futures::future::join_all(sends).await;
    for (status, _, text) in &answers {
        assert_eq!(*status, 200, "{text}");
    }
    let fresh = answers.iter().filter(|(_, replayed, _)| !replayed).count();
    assert_eq!(fresh, 1, "one create ran; the others were answered from it");
    assert!(
        answers.iter().all(|(_, _, text)| *text == answers[0].2),
        "every answer is the same"
    );
    assert_eq!(caller.action_items().await.len(), 1, "{}", log_of(&server));
}

fn log_of(server: &ServerProcess) -> String {
    read(Path::new(&server.log))
}
