//! Several `omi-server` processes on one PostgreSQL database, under concurrent load: every
//! acknowledged job is processed exactly once, none lost, none twice.
//!
//! Runs when `OMI_TEST_POSTGRES_URL` names a PostgreSQL server (`.ci/run` sets it); each run
//! makes a database of its own there and drops it afterwards.

use std::time::{Duration, Instant};

use omi_server::store::postgres::ScratchDatabase;
use serde_json::{Value, json};

use crate::common::postgres_url;
use crate::process::{ServerProcess, conversations, demo, read};

/// Conversations created per process.
const PER_PROCESS: usize = 30;

/// The value of the metric line `series` (name and labels, as rendered) at `base_url`, or 0
/// when the series has no line yet.
async fn metric(http: &reqwest::Client, base_url: &str, series: &str) -> f64 {
    let text = http
        .get(format!("{base_url}/metrics"))
        .send()
        .await
        .expect("/metrics answers")
        .text()
        .await
        .expect("a text body");
    text.lines()
        .filter_map(|line| line.strip_prefix(series))
        .find_map(|value| value.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Create conversations through every process at once, wait for all to complete, and check
/// that each job was claimed once and completed once, by exactly one process.
async fn every_job_runs_exactly_once_across(processes: usize) {
    let Some(admin_url) = postgres_url(&format!("{processes} processes on one database")) else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin_url)
        .await
        .expect("a scratch database");
    let creds = demo(scratch.url());
    let (uid, app_id, key) = (
        creds["uid"].as_str().expect("uid"),
        creds["app_id"].as_str().expect("app_id"),
        creds["app_key"].as_str().expect("app_key"),
    );
    let dir = tempfile::tempdir().expect("a folder for logs");
    let http = reqwest::Client::new();
    let mut servers = Vec::new();
    for i in 0..processes {
        let log = dir.path().join(format!("server-{i}.log"));
        let mut server = ServerProcess::spawn(scratch.url(), log, &["--rate-limits", "off"]);
        server.ready(&http).await;
        servers.push(server);
    }

    let n = PER_PROCESS * processes;
    let creates = (0..n).map(|i| {
        let base = &servers[i % processes].base_url;
        let request = http
            .post(format!(
                "{base}/v2/integrations/{app_id}/user/conversations?uid={uid}"
            ))
            .bearer_auth(key)
            .json(&json!({"text": format!("Me: I love entry number {i}. I will call Anna.")}));
        async move {
            let reply = request.send().await.expect("the server answers");
            (i, reply.status(), reply.text().await.unwrap_or_default())
        }
    });
    for (i, status, body) in futures::future::join_all(creates).await {
        assert_eq!((status.as_u16(), body.as_str()), (200, "{}"), "create {i}");
    }

    let list = format!(
        "{}/v2/integrations/{app_id}/conversations?uid={uid}&limit=1000&include_discarded=true",
        servers[0].base_url
    );
    let all = wait_until_all_complete(&http, &list, key, n).await;
    let logs = || {
        servers
            .iter()
            .map(|s| read(&s.log))
            .collect::<Vec<_>>()
            .join("\n----\n")
    };
    assert!(
        all.len() == n && all.iter().all(|c| c["status"] == "completed"),
        "{n} conversations complete within the deadline; got {:?}\n{}",
        all.iter().map(|c| c["status"].clone()).collect::<Vec<_>>(),
        logs()
    );

    // Each job was claimed once (`attempts` counts claims) and is done.
    let pool = sqlx::PgPool::connect(scratch.url())
        .await
        .expect("the test connects");
    let (jobs, done, claims): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'done'), \
         COALESCE(SUM(attempts), 0)::BIGINT FROM jobs",
    )
    .fetch_one(&pool)
    .await
    .expect("the jobs table is read");
    pool.close().await;
    assert_eq!((jobs, done, claims), (n as i64, n as i64, n as i64));

    // And completed once, by one process: the processes' completion counts add up to n.
    let series = "jobs_completed_total{kind=\"process_conversation\"}";
    let mut per_process = Vec::new();
    for server in &servers {
        per_process.push(metric(&http, &server.base_url, series).await);
    }
    let total: f64 = per_process.iter().sum();
    assert_eq!(
        total, n as f64,
        "completions per process {per_process:?} add up to {n}"
    );
    eprintln!("{processes} processes completed {per_process:?} of {n} jobs");
    drop(servers);
    drop(scratch);
}

/// Poll the list until `n` conversations are all `completed` (at most 60 s); the last list.
async fn wait_until_all_complete(
    http: &reqwest::Client,
    list: &str,
    key: &str,
    n: usize,
) -> Vec<Value> {
    let until = Instant::now() + Duration::from_secs(60);
    let mut last = Vec::new();
    while Instant::now() < until {
        if let Some(all) = conversations(http, list, key).await {
            let done = all.len() == n && all.iter().all(|c| c["status"] == "completed");
            last = all;
            if done {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_run_every_job_exactly_once() {
    every_job_runs_exactly_once_across(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_on_one_database_run_every_job_exactly_once() {
    every_job_runs_exactly_once_across(3).await;
}
