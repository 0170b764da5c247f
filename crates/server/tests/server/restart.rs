//! Durability with the real binary: what was acknowledged survives `kill -9` and is
//! processed after a restart.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::eventually_within;

const BINARY: &str = env!("CARGO_BIN_EXE_omi-server");

/// A child server process, killed (SIGKILL) and reaped when dropped, so a failing test
/// leaves nothing running.
struct ServerProcess {
    child: Child,
    log: PathBuf,
    base_url: String,
}

impl ServerProcess {
    /// Start `omi-server` on a free port over `database`, logging to `log`.
    fn spawn(database: &str, log: PathBuf, extra: &[&str]) -> Self {
        let port = free_port();
        let out = File::create(&log).expect("a log file");
        let err = out.try_clone().expect("a second handle");
        let child = Command::new(BINARY)
            .args([
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--database",
                database,
            ])
            .args(extra)
            .env("OMI_LOG", "info")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("the binary starts");
        Self {
            child,
            log,
            base_url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Wait until `/healthz` answers 200.
    async fn ready(&mut self, http: &reqwest::Client) {
        let url = format!("{}/healthz", self.base_url);
        let log = self.log.clone();
        let child = &mut self.child;
        eventually_within(
            "the server answers /healthz",
            Duration::from_secs(20),
            || {
                let exited = child.try_wait().expect("the child's state");
                assert!(
                    exited.is_none(),
                    "the server exited ({exited:?}):\n{}",
                    read(&log)
                );
                let url = url.clone();
                async move {
                    let reply = http.get(&url).send().await.ok()?;
                    reply.status().is_success().then_some(())
                }
            },
        )
        .await;
    }

    /// SIGKILL: no shutdown, no flush, no lease released.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL is sent");
        self.child.wait().expect("the child is reaped");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A port nothing listens on (bound, read, and released).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// The conversations a list call gives, or `None` when the call fails.
async fn conversations(http: &reqwest::Client, url: &str, key: &str) -> Option<Vec<Value>> {
    let reply = http.get(url).bearer_auth(key).send().await.ok()?;
    let body: Value = reply.json().await.ok()?;
    body["conversations"].as_array().cloned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `omi-server demo --json`: the demo credentials of a new database.
fn demo(database: &str) -> Value {
    let out = Command::new(BINARY)
        .args(["demo", "--json", "--database", database])
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let creds: Value = serde_json::from_slice(&out.stdout).expect("JSON credentials on stdout");
    for field in ["base_url", "uid", "app_id", "app_key", "dev_key"] {
        assert!(creds[field].is_string(), "{field} in {creds}");
    }
    creds
}

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
