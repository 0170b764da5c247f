//! The real `omi-server` binary as a child process: started on a port the kernel picks (read
//! back from its `omi-server listening on` line, so two tests can never share one), waited
//! for, and killed; plus `omi-server demo --json` for a database's demo credentials.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::eventually_within;

pub(crate) const BINARY: &str = env!("CARGO_BIN_EXE_omi-server");

/// A child server process, killed (SIGKILL) and reaped when dropped, so a failing test
/// leaves nothing running.
pub(crate) struct ServerProcess {
    child: Child,
    /// Where its output goes.
    pub(crate) log: PathBuf,
    /// `http://127.0.0.1:PORT`, known once [`ServerProcess::ready`] has returned.
    pub(crate) base_url: String,
}

impl ServerProcess {
    /// Start `omi-server` on a port of the kernel's choosing over `database`, logging to `log`;
    /// [`ServerProcess::ready`] learns which.
    pub(crate) fn spawn(database: &str, log: PathBuf, extra: &[&str]) -> Self {
        Self::spawn_with_env(database, log, extra, &[])
    }

    /// [`ServerProcess::spawn`] with the environment variables `env` set.
    pub(crate) fn spawn_with_env(
        database: &str,
        log: PathBuf,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let out = File::create(&log).expect("a log file");
        let err = out.try_clone().expect("a second handle");
        let child = Command::new(BINARY)
            .args(["--addr", "127.0.0.1:0", "--database", database])
            .args(extra)
            .env("OMI_LOG", "info")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("the binary starts");
        Self {
            child,
            log,
            base_url: String::new(),
        }
    }

    /// Wait until the server has said where it listens and `/healthz` there answers 200.
    pub(crate) async fn ready(&mut self, http: &reqwest::Client) {
        let log = self.log.clone();
        let child = &mut self.child;
        self.base_url = eventually_within(
            "the server answers /healthz",
            Duration::from_secs(20),
            || {
                let exited = child.try_wait().expect("the child's state");
                let output = read(&log);
                assert!(
                    exited.is_none(),
                    "the server exited ({exited:?}):\n{output}"
                );
                let base_url = listening_on(&output);
                async move {
                    let base_url = base_url?;
                    let reply = http.get(format!("{base_url}/healthz")).send().await.ok()?;
                    reply.status().is_success().then_some(base_url)
                }
            },
        )
        .await;
    }

    /// SIGKILL: no shutdown, no flush, no lease released.
    pub(crate) fn kill(&mut self) {
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

/// The base URL in the server's `omi-server listening on http://...` line, once printed.
fn listening_on(output: &str) -> Option<String> {
    output.lines().find_map(|line| {
        let rest = line.strip_prefix("omi-server listening on ")?;
        rest.split_whitespace().next().map(str::to_owned)
    })
}

/// The conversations a list call gives, or `None` when the call fails.
pub(crate) async fn conversations(
    http: &reqwest::Client,
    url: &str,
    key: &str,
) -> Option<Vec<Value>> {
    let reply = http.get(url).bearer_auth(key).send().await.ok()?;
    let body: Value = reply.json().await.ok()?;
    body["conversations"].as_array().cloned()
}

/// The text of a log file (empty if unreadable).
pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `omi-server demo --json`: the demo credentials of a new database.
pub(crate) fn demo(database: &str) -> Value {
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
