//! The real binary's `admin export`, `admin import` and `admin pull`: files that round-trip
//! byte for byte, and a user copied from another running server through its Developer API.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::eventually_within;
use crate::process::{BINARY, ServerProcess, demo};

/// `omi-server admin --database DATABASE ARGS...`, its output.
fn admin(database: &str, args: &[&str]) -> Output {
    Command::new(BINARY)
        .args(["admin", "--database", database])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// [`admin`], which must succeed; its stdout.
fn admin_ok(database: &str, args: &[&str]) -> String {
    let out = admin(database, args);
    assert!(
        out.status.success(),
        "admin {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The lines of `path` that hold a record of `kind`.
fn lines_of(path: &Path, kind: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("the export")
        .lines()
        .filter(|l| serde_json::from_str::<Value>(l).is_ok_and(|v| v["type"] == kind))
        .map(str::to_owned)
        .collect()
}

/// A user with records of every kind pulled, on a running server, in Japanese and emoji.
async fn fill(http: &reqwest::Client, base: &str, key: &str) {
    for content in [
        "User loves 抹茶 🍵",
        "User's sister lives in Zürich",
        "ユーザーは猫を二匹飼っている 🐈",
    ] {
        let reply = http
            .post(format!("{base}/v1/dev/user/memories"))
            .bearer_auth(key)
            .json(&json!({ "content": content, "tags": ["家族"] }))
            .send()
            .await
            .expect("a memory create");
        assert!(reply.status().is_success(), "{content}: {}", reply.status());
    }
    let reply = http
        .post(format!("{base}/v1/dev/user/action-items"))
        .bearer_auth(key)
        .json(&json!({ "description": "Book the 旅館 🏯" }))
        .send()
        .await
        .expect("an action item create");
    assert!(reply.status().is_success());
    let created: Value = http
        .post(format!("{base}/v1/dev/user/conversations"))
        .bearer_auth(key)
        .json(&json!({ "text": "Me: 来週京都に行きます。 I need to call the ryokan tomorrow." }))
        .send()
        .await
        .expect("a conversation create")
        .json()
        .await
        .expect("its answer");
    let id = created["id"].as_str().expect("an id").to_owned();
    eventually_within(
        "the conversation is processed",
        Duration::from_secs(20),
        || {
            let reply = http
                .get(format!("{base}/v1/dev/user/conversations/{id}"))
                .bearer_auth(key)
                .send();
            async move {
                let body: Value = reply.await.ok()?.json().await.ok()?;
                (body["status"] == "completed").then_some(())
            }
        },
    )
    .await;
}

/// A running server over a database with [`fill`]'s records, and an empty database beside.
struct Source {
    dir: tempfile::TempDir,
    source_db: String,
    target_db: String,
    /// The demo user's developer key on the source.
    key: String,
    source: ServerProcess,
}

impl Source {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let source_db = format!("sqlite://{}", dir.path().join("source.sqlite").display());
        let target_db = format!("sqlite://{}", dir.path().join("target.sqlite").display());
        let creds = demo(&source_db);
        let key = creds["dev_key"].as_str().expect("a key").to_owned();
        let mut source = ServerProcess::spawn(&source_db, dir.path().join("source.log"), &[]);
        let http = reqwest::Client::new();
        source.ready(&http).await;
        fill(&http, &source.base_url, &key).await;
        Self {
            dir,
            source_db,
            target_db,
            key,
            source,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_pull_copies_a_user_from_another_server_once() {
    let Source {
        dir,
        source_db,
        target_db,
        key,
        mut source,
    } = Source::start().await;
    admin_ok(
        &source_db,
        &[
            "folder",
            "create",
            "--uid",
            "demo-user",
            "--name",
            "旅行 ✈️",
        ],
    );

    let pull = [
        "pull",
        "--from",
        &source.base_url,
        "--key",
        &key,
        "--uid",
        "copied",
    ];
    let first: Value = serde_json::from_str(&admin_ok(&target_db, &pull)).expect("a report");
    assert_eq!(first["completed"], true, "{first}");
    let second: Value = serde_json::from_str(&admin_ok(&target_db, &pull)).expect("a report");
    assert_eq!(second["already_present"], first["created"], "{second}");
    assert_eq!(
        second["created"],
        json!({"memories": 0, "folders": 0, "conversations": 0, "action_items": 0, "goals": 0}),
        "a second pull stores nothing twice"
    );
    source.kill();

    let from = dir.path().join("from.ndjson");
    let to = dir.path().join("to.ndjson");
    admin_ok(
        &source_db,
        &[
            "export",
            "--uid",
            "demo-user",
            "-o",
            from.to_str().expect("a path"),
        ],
    );
    admin_ok(
        &target_db,
        &[
            "export",
            "--uid",
            "copied",
            "-o",
            to.to_str().expect("a path"),
        ],
    );
    for kind in ["memory", "folder", "action_item"] {
        assert_eq!(lines_of(&from, kind), lines_of(&to, kind), "{kind} lines");
        assert!(!lines_of(&to, kind).is_empty(), "{kind} lines were pulled");
    }
    let titles = |path: &Path| -> Vec<Value> {
        lines_of(path, "conversation")
            .iter()
            .map(|l| {
                let v: Value = serde_json::from_str(l).expect("JSON");
                json!([
                    v["record"]["id"],
                    v["record"]["structured"],
                    v["record"]["transcript_segments"]
                ])
            })
            .collect()
    };
    assert_eq!(
        titles(&from),
        titles(&to),
        "conversations keep ids, structure and transcript"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_export_and_import_round_trip_byte_for_byte() {
    let Source {
        dir,
        source_db,
        target_db,
        mut source,
        ..
    } = Source::start().await;
    source.kill();

    let first = dir.path().join("first.ndjson");
    let again = dir.path().join("again.ndjson");
    admin_ok(
        &source_db,
        &[
            "export",
            "--uid",
            "demo-user",
            "-o",
            first.to_str().expect("a path"),
        ],
    );
    let report: Value = serde_json::from_str(&admin_ok(
        &target_db,
        &[
            "import",
            "--uid",
            "demo-user",
            first.to_str().expect("a path"),
        ],
    ))
    .expect("a report");
    assert_eq!(report["completed"], true, "{report}");
    admin_ok(
        &target_db,
        &[
            "export",
            "--uid",
            "demo-user",
            "-o",
            again.to_str().expect("a path"),
        ],
    );
    assert_eq!(
        std::fs::read(&first).expect("the first export"),
        std::fs::read(&again).expect("the second export"),
        "the same bytes"
    );

    let bad = dir.path().join("bad.ndjson");
    std::fs::write(
        &bad,
        "{\"type\":\"header\",\"format\":\"omi-export\",\"version\":2,\"uid\":\"u\",\"includes\":[]}\n\
         {\"type\":\"memory\",\"record\":{\"id\":\"m\",\"content\":\"  \",\"created_at\":\"2024-01-01T00:00:00Z\"}}\n",
    )
    .expect("a file");
    let out = admin(
        &target_db,
        &[
            "import",
            "--uid",
            "demo-user",
            bad.to_str().expect("a path"),
        ],
    );
    assert!(!out.status.success(), "bad lines fail the command");
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report is printed");
    assert_eq!(report["errors"][0]["line"], 2, "{report}");
}
