//! Durability with the real binary: what was acknowledged survives `kill -9` and is
//! processed after a restart.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::process::{ServerProcess, conversations, demo, read};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_conversations_survive_sigkill_and_complete_after_restart() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let database = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let creds = demo(&database);
    let (uid, app_id, key) = (
        creds["uid"].as_str().expect("uid"),
        creds["app_id"].as_str().expect("app_id"),
        creds["app_key"].as_str().expect("app_key"),
    );
    let http = reqwest::Client::new();
    // A job the killed process had claimed is run again only when its lease runs out, and the
    // default lease is 120 s: with it, a conversation caught mid-processing by the kill would
    // stay `processing` for two minutes after the restart. A short lease keeps this test fast.
    let options = ["--worker-concurrency", "1", "--worker-lease", "2"];

    let mut first = ServerProcess::spawn(&database, dir.path().join("first.log"), &options);
    first.ready(&http).await;
    let create = format!(
        "{}/v2/integrations/{app_id}/user/conversations?uid={uid}",
        first.base_url
    );
    let n = 20;
    // All at once, so that the one worker is still behind when the process dies.
    let creates = (0..n).map(|i| {
        let request = http
            .post(&create)
            .bearer_auth(key)
            .json(&json!({"text": format!("Me: I love entry number {i}.")}));
        async move {
            let reply = request.send().await.expect("the server answers");
            let status = reply.status();
            let body = reply.text().await.unwrap_or_default();
            (i, status, body)
        }
    });
    for (i, status, body) in futures::future::join_all(creates).await {
        assert_eq!(status, 200, "create {i}: {body}");
        assert_eq!(body, "{}", "create {i}");
    }
    first.kill();

    let mut second = ServerProcess::spawn(&database, dir.path().join("second.log"), &options);
    second.ready(&http).await;
    let list = format!(
        "{}/v2/integrations/{app_id}/conversations?uid={uid}&limit=1000&include_discarded=true",
        second.base_url
    );
    let listed = conversations(&http, &list, key).await.unwrap_or_default();
    assert_eq!(
        listed.len(),
        n,
        "every acknowledged conversation is still there"
    );
    // Polled by hand rather than with `eventually`, to show the statuses and the server's log
    // when it fails.
    let until = Instant::now() + Duration::from_secs(30);
    let mut last = Vec::new();
    while Instant::now() < until {
        if let Some(all) = conversations(&http, &list, key).await {
            let done = all.len() == n && all.iter().all(|c| c["status"] == "completed");
            last = all;
            if done {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let statuses: Vec<&str> = last.iter().filter_map(|c| c["status"].as_str()).collect();
    assert!(
        last.len() == n && statuses.iter().all(|s| *s == "completed"),
        "after the restart, {n} conversations complete within 30 s; got {statuses:?}\n\
         first run's log:\n{}\nsecond run's log:\n{}",
        read(&first.log),
        read(&second.log)
    );
    let conversations = last;
    for c in &conversations {
        assert!(
            c["structured"]["title"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{c}"
        );
    }
    drop(second);
}
