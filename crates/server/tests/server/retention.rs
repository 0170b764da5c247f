//! Finished jobs are deleted once they are older than their retention; queued and running
//! jobs, and the conversations jobs processed, stay. On SQLite and on PostgreSQL.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, Utc};
use omi_server::server::ServerConfig;
use omi_server::server::purge_finished_jobs;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{AnyConnection, Connection, Row};

use crate::common::{ScriptedExtractor, TestServer, eventually, postgres_url, test_config};

/// A configuration with one worker, so that a held job keeps the next one queued.
fn one_worker() -> ServerConfig {
    let mut config = test_config();
    config.worker.concurrency = 1;
    config
}

/// A server with [`one_worker`] over a new SQLite file.
async fn one_worker_server() -> TestServer {
    TestServer::start_with(one_worker(), Arc::new(ScriptedExtractor)).await
}

/// The conversation `id` as `GET /v1/dev/user/conversations/{id}` shows it.
async fn read(s: &TestServer, id: &str) -> Value {
    let reply = s
        .dev(
            Method::GET,
            &format!("/v1/dev/user/conversations/{id}"),
            None,
        )
        .await;
    reply.expect_status(200);
    reply.body
}

/// Wait until the conversation `id` is `status`.
async fn wait_for(s: &TestServer, id: &str, status: &str) {
    eventually(&format!("conversation {id} is {status}"), || async {
        (read(s, id).await["status"] == json!(status)).then_some(())
    })
    .await;
}

/// Every job's status, by the id of the conversation it processes.
async fn job_statuses(s: &TestServer) -> BTreeMap<String, String> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(s.database_url())
        .await
        .expect("the database opens");
    let rows = sqlx::query("SELECT subject_id, status FROM jobs")
        .fetch_all(&mut conn)
        .await
        .expect("the jobs are read");
    conn.close().await.expect("the connection closes");
    rows.iter()
        .map(|row| {
            let subject: String = row.try_get("subject_id").expect("a subject");
            (subject, row.try_get("status").expect("a status"))
        })
        .collect()
}

/// The expected job statuses: `(conversation id, status)` pairs.
fn statuses(pairs: &[(&String, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(id, status)| ((*id).clone(), (*status).to_owned()))
        .collect()
}

/// Two jobs finish (one done, one failed), then a third; one job is held running and one
/// waits queued behind it. A purge of what finished before the third deletes the first two
/// only; a purge of everything finished deletes the third too; the queued and running jobs
/// stay, and every conversation still reads as before, with its status.
async fn finished_jobs_past_their_retention_are_purged_and_nothing_else(s: TestServer) {
    let done = s.dev_conversation("Me: I love hiking.").await;
    wait_for(&s, &done, "completed").await;
    let failed = s
        .dev_conversation(&format!("Me: {} this one fails.", ScriptedExtractor::FAIL))
        .await;
    wait_for(&s, &failed, "failed").await;
    let cutoff = Utc::now();
    let recent = s.dev_conversation("Me: I love swimming.").await;
    wait_for(&s, &recent, "completed").await;
    let running = s
        .dev_conversation(&format!("Me: {} still going.", ScriptedExtractor::HOLD))
        .await;
    let queued = s.dev_conversation("Me: I love rowing.").await;
    eventually("the held job runs", || async {
        (job_statuses(&s).await.get(&running).map(String::as_str) == Some("running")).then_some(())
    })
    .await;
    let before = [done.clone(), failed.clone(), recent.clone()];
    let mut shown = Vec::new();
    for id in &before {
        shown.push(read(&s, id).await);
    }

    let store = s.store().as_ref();
    let purged = purge_finished_jobs(store, cutoff).await.expect("purged");
    assert_eq!(purged, 2, "the jobs that finished before the cutoff");
    assert_eq!(
        job_statuses(&s).await,
        statuses(&[
            (&recent, "done"),
            (&running, "running"),
            (&queued, "queued")
        ])
    );
    let everything = Utc::now() + Duration::days(1);
    let purged = purge_finished_jobs(store, everything)
        .await
        .expect("purged");
    assert_eq!(purged, 1, "the job that finished after the cutoff");
    assert_eq!(
        job_statuses(&s).await,
        statuses(&[(&running, "running"), (&queued, "queued")]),
        "queued and running jobs are never purged"
    );
    for (id, was) in before.iter().zip(&shown) {
        assert_eq!(&read(&s, id).await, was, "conversation {id} is untouched");
    }
    s.shutdown().await;
}

#[tokio::test]
async fn finished_jobs_past_their_retention_are_purged_and_nothing_else_on_sqlite() {
    let s = one_worker_server().await;
    finished_jobs_past_their_retention_are_purged_and_nothing_else(s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_jobs_past_their_retention_are_purged_and_nothing_else_on_postgres() {
    let Some(admin_url) = postgres_url("the job retention test") else {
        return;
    };
    let (s, scratch) =
        TestServer::start_on_postgres(one_worker(), Arc::new(ScriptedExtractor), &admin_url).await;
    finished_jobs_past_their_retention_are_purged_and_nothing_else(s).await;
    drop(scratch);
}

/// A purge deletes at most the batch it is given, oldest first.
#[tokio::test]
async fn one_purge_statement_deletes_at_most_its_batch() {
    let s = one_worker_server().await;
    let first = s.dev_conversation("Me: I love hiking.").await;
    wait_for(&s, &first, "completed").await;
    let second = s.dev_conversation("Me: I love swimming.").await;
    wait_for(&s, &second, "completed").await;
    let store = s.store();
    let everything = Utc::now() + Duration::days(1);
    let purged = store
        .purge_finished_jobs(everything, 1)
        .await
        .expect("purged");
    assert_eq!(purged, 1);
    assert_eq!(job_statuses(&s).await, statuses(&[(&second, "done")]));
    s.shutdown().await;
}

/// The server's housekeeping runs the purge with `--job-retention`: a server started beside
/// one whose job finished, with a retention of a millisecond, deletes that job in its first
/// round (at its start).
#[tokio::test]
async fn the_housekeeping_purges_jobs_past_the_configured_retention() {
    let s = one_worker_server().await;
    let done = s.dev_conversation("Me: I love hiking.").await;
    wait_for(&s, &done, "completed").await;
    assert_eq!(job_statuses(&s).await, statuses(&[(&done, "done")]));

    let mut config = test_config();
    config.worker.job_retention = std::time::Duration::from_millis(1);
    let beside = s.start_beside(config).await;
    eventually("the finished job is purged", || async {
        job_statuses(&s).await.is_empty().then_some(())
    })
    .await;
    assert_eq!(read(&s, &done).await["status"], json!("completed"));
    beside.shutdown().await;
    s.shutdown().await;
}
