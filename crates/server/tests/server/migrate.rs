//! `omi-server admin migrate-data`: a database copied to another reads the same through the
//! API, keys still work, unfinished work finishes on the copy, and a copy never lands on data.
//!
//! The PostgreSQL cases run when `OMI_TEST_POSTGRES_URL` is set (each in a scratch database
//! of its own); the SQLite-to-SQLite copy checks the same rules everywhere.

use std::process::{Command, Stdio};
use std::sync::Arc;

use omi_extract::{Extractor, RulesExtractor};
use omi_model::{Capability, CreateFolderRequest, DevScope};
use omi_server::store::migrate::{MigrateError, MigrationSummary, TABLES, migrate_data};
use omi_server::store::postgres::ScratchDatabase;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{AnyConnection, Connection, Row};
use tempfile::TempDir;

use crate::common::{
    Auth, Body, ScriptedExtractor, TestServer, eventually, postgres_url, spec, test_config,
};
use crate::process::{BINARY, demo};

/// A conversation with a request (an action item) and first-person facts (memories).
const MILK: &str = "Mom: Don't forget to pick up milk\n\nMe: Will do. I love whole grain bread.";

/// The `Idempotency-Key` of the recorded create.
const IDEMPOTENCY_KEY: &str = "migrate-data-1";

/// A SQLite database URL in `dir`.
fn sqlite_url(dir: &TempDir, name: &str) -> String {
    format!("sqlite://{}", dir.path().join(name).display())
}

/// What a filled server holds besides the demo credentials: a second user with an app and
/// keys of their own, a revoked key, the conversation still being processed, and the
/// answer of a create made with an `Idempotency-Key`.
struct Filled {
    other_uid: String,
    other_app: (String, String),
    other_dev_key: String,
    revoked_key: String,
    held: String,
    idempotent: Value,
}

/// Fill a server through the API with a bit of everything: completed conversations of both
/// APIs (one discarded), one conversation still processing (held by [`ScriptedExtractor`]),
/// memories of both APIs (a duplicate, an edit, a deletion), action items, a second user,
/// app and keys, a revoked key and an idempotent create.
async fn fill(s: &TestServer) -> Filled {
    s.dev(
        Method::POST,
        "/v1/dev/user/webhooks",
        Some(json!({
            "url": "http://127.0.0.1:9/hook",
            "events": ["memory.created", "conversation.processed"],
            "description": "受信 🪝"
        })),
    )
    .await
    .expect_status(200);
    s.create_conversation(json!({"text": MILK}))
        .await
        .expect_status(200);
    s.create_conversation(spec(
        "integration_create_conversation_social_post_location.json",
    ))
    .await
    .expect_status(200);
    let dev = s
        .dev_conversation("Me: I enjoy chess. Remind me to call Anna tomorrow.")
        .await;
    let segments = s
        .dev(
            Method::POST,
            "/v1/dev/user/conversations/from-segments",
            Some(json!({
                "transcript_segments": [
                    {"text": "I love green tea.", "speaker": "SPEAKER_00", "is_user": true, "start": 0.0, "end": 2.5},
                    {"text": "Send me the report tomorrow.", "speaker": "SPEAKER_01", "start": 2.8, "end": 6.0}
                ],
                "started_at": "2024-05-01T09:00:00Z"
            })),
        )
        .await;
    segments.expect_status(200);
    s.settled_conversations(4).await;
    let discarded = s
        .dev(
            Method::PATCH,
            &format!("/v1/dev/user/conversations/{dev}"),
            Some(json!({"discarded": true})),
        )
        .await;
    discarded.expect_status(200);
    s.create_conversation(json!({"text": format!("Me: I hold this {}", ScriptedExtractor::HOLD)}))
        .await
        .expect_status(200);
    let held = eventually("the held conversation is listed", || async {
        let all = s.all_conversations().await;
        all.iter()
            .find(|c| c["status"] == json!("processing"))
            .map(|c| c["id"].as_str().expect("an id").to_owned())
    })
    .await;

    s.import_memories(json!({"memories": [
        {"content": "User lives in Lisbon", "tags": ["home"]},
        {"content": "User speaks Portuguese"}
    ]}))
    .await
    .expect_status(200);
    let first = s.dev_memory(json!({"content": "User keeps bees", "category": "manual", "visibility": "public", "tags": ["hobby"]})).await;
    let again = s.dev_memory(json!({"content": "user keeps   BEES"})).await;
    assert_eq!(again["id"], first["id"], "the same content is one memory");
    s.dev(
        Method::POST,
        "/v1/dev/user/memories/batch",
        Some(json!({"memories": [{"content": "User runs on Sundays"}, {"content": "User owns a kayak"}]})),
    )
    .await
    .expect_status(200);
    let edited = s.dev_memory(json!({"content": "User drinks coffee"})).await;
    let patch = format!(
        "/v1/dev/user/memories/{}",
        edited["id"].as_str().expect("an id")
    );
    s.dev(
        Method::PATCH,
        &patch,
        Some(json!({"content": "User drinks black coffee"})),
    )
    .await
    .expect_status(200);
    let gone = s.dev_memory(json!({"content": "User forgot this"})).await;
    let delete = format!(
        "/v1/dev/user/memories/{}",
        gone["id"].as_str().expect("an id")
    );
    s.dev(Method::DELETE, &delete, None)
        .await
        .expect_status(200);

    let item = s
        .dev(
            Method::POST,
            "/v1/dev/user/action-items",
            Some(json!({"description": "File taxes", "due_at": "2024-04-15T17:00:00+02:00"})),
        )
        .await;
    item.expect_status(200);
    let done = format!(
        "/v1/dev/user/action-items/{}",
        item.body["id"].as_str().expect("an id")
    );
    s.dev(Method::PATCH, &done, Some(json!({"completed": true})))
        .await
        .expect_status(200);
    s.dev(
        Method::POST,
        "/v1/dev/user/action-items",
        Some(json!({"description": "Water the plants"})),
    )
    .await
    .expect_status(200);

    let goal = s
        .dev(
            Method::POST,
            "/v1/dev/user/goals",
            Some(json!({"title": "Run 100 km 🏃", "target_value": 100, "unit": "km", "max_value": 200})),
        )
        .await;
    goal.expect_status(200);
    let progress = format!(
        "/v1/dev/user/goals/{}/progress?current_value=12.5",
        goal.body["id"].as_str().expect("an id")
    );
    s.dev(Method::PATCH, &progress, None)
        .await
        .expect_status(200);

    let folder = s
        .admin
        .create_folder(
            &s.demo.uid,
            &CreateFolderRequest {
                name: "仕事 💼".into(),
                description: Some("Work talk".into()),
                color: Some("#EF4444".into()),
                icon: None,
            },
        )
        .await
        .expect("a folder is made");
    let moved = format!(
        "/v1/dev/user/conversations/{}",
        segments.body["id"].as_str().expect("an id")
    );
    s.dev(
        Method::PATCH,
        &moved,
        Some(json!({"folder_id": folder.id, "starred": true})),
    )
    .await
    .expect_status(200);

    let idempotent = idempotent_create(s).await;
    assert_eq!(idempotent["status"], json!(200), "{idempotent}");

    let other_app = s
        .app(
            &[Capability::CreateMemories, Capability::ReadMemories],
            false,
        )
        .await;
    let other_uid = s.user("second-user", Some(&other_app.0)).await;
    let other_dev_key = s.dev_key(&other_uid, &[DevScope::MemoriesRead]).await;
    s.call(
        Method::POST,
        &format!(
            "/v2/integrations/{}/user/memories?uid={other_uid}",
            other_app.0
        ),
        Auth::Bearer(&other_app.1),
        Body::Json(json!({"memories": [{"content": "User plays the cello"}]})),
    )
    .await
    .expect_status(200);
    let revoked = s
        .admin
        .create_app_key(&s.demo.app_id)
        .await
        .expect("a key is made");
    s.admin
        .revoke_key(&revoked.id)
        .await
        .expect("the key is revoked");
    Filled {
        other_uid,
        other_app,
        other_dev_key,
        revoked_key: revoked.key,
        held,
        idempotent,
    }
}

/// Wait until conversation `id` is `completed`, failing with `what`.
async fn completed(s: &TestServer, id: &str, what: &str) {
    let path = format!("/v1/dev/user/conversations/{id}");
    eventually(what, || async {
        let reply = s.dev(Method::GET, &path, None).await;
        (reply.body["status"] == json!("completed")).then_some(())
    })
    .await;
}

/// A developer memory create with [`IDEMPOTENCY_KEY`]: its answer, body and replay header.
async fn idempotent_create(s: &TestServer) -> Value {
    let reply = reqwest::Client::new()
        .post(format!("{}/v1/dev/user/memories", s.base_url()))
        .bearer_auth(&s.demo.dev_key)
        .header("idempotency-key", IDEMPOTENCY_KEY)
        .json(&json!({"content": "User sails on weekends"}))
        .send()
        .await
        .expect("the server answers");
    let replayed = reply.headers().contains_key("idempotent-replayed");
    let status = reply.status().as_u16();
    let body: Value = reply.json().await.expect("a JSON body");
    json!({"status": status, "body": body, "replayed": replayed})
}

/// GET `path` with `key`: status and body.
async fn read(s: &TestServer, path: &str, key: &str) -> Value {
    let reply = s
        .call(Method::GET, path, Auth::Bearer(key), Body::None)
        .await;
    json!({"status": reply.status, "body": reply.body})
}

/// Everything the API shows of a filled server: every list of both APIs for both users, every
/// record read on its own, and what a revoked key gets.
async fn everything(s: &TestServer, f: &Filled) -> Value {
    let (app, key, dev) = (&s.demo.app_id, &s.demo.app_key, &s.demo.dev_key);
    let uid = &s.demo.uid;
    let mut all = serde_json::Map::new();
    let lists = [
        (
            format!(
                "/v2/integrations/{app}/conversations?uid={uid}&limit=1000&include_discarded=true"
            ),
            key,
        ),
        (
            format!("/v2/integrations/{app}/conversations?uid={uid}"),
            key,
        ),
        (
            format!("/v2/integrations/{app}/memories?uid={uid}&limit=1000"),
            key,
        ),
        ("/v1/dev/user/memories?limit=1000".to_owned(), dev),
        (
            "/v1/dev/user/conversations?limit=100&include_transcript=true".to_owned(),
            dev,
        ),
        ("/v1/dev/user/action-items?limit=100".to_owned(), dev),
        ("/v1/dev/user/goals?include_inactive=true".to_owned(), dev),
        ("/v1/dev/user/folders".to_owned(), dev),
        ("/v1/dev/user/webhooks".to_owned(), dev),
    ];
    for (path, key) in lists {
        let listed = read(s, &path, key).await;
        all.insert(path, listed);
    }
    let conversations = all[&format!(
        "/v2/integrations/{app}/conversations?uid={uid}&limit=1000&include_discarded=true"
    )]["body"]["conversations"]
        .clone();
    let memories = all["/v1/dev/user/memories?limit=1000"]["body"].clone();
    let items = all["/v1/dev/user/action-items?limit=100"]["body"].clone();
    let goals = all["/v1/dev/user/goals?include_inactive=true"]["body"].clone();
    let singles = [
        (
            conversations,
            "/v1/dev/user/conversations",
            "?include_transcript=true",
        ),
        (memories, "/v1/dev/user/memories", ""),
        (items, "/v1/dev/user/action-items", ""),
        (goals.clone(), "/v1/dev/user/goals", ""),
        (goals, "/v1/dev/user/goals", "/history"),
    ];
    for (records, base, query) in singles {
        let records = records.as_array().cloned().unwrap_or_default();
        assert!(!records.is_empty(), "{base} lists records");
        for record in records {
            let path = format!("{base}/{}{query}", record["id"].as_str().expect("an id"));
            let one = read(s, &path, dev).await;
            all.insert(path, one);
        }
    }
    let (other_app, other_key) = &f.other_app;
    let other = format!("/v2/integrations/{other_app}/memories?uid={}", f.other_uid);
    all.insert(other.clone(), read(s, &other, other_key).await);
    all.insert(
        "second user's developer list".to_owned(),
        read(s, "/v1/dev/user/memories", &f.other_dev_key).await,
    );
    all.insert(
        "revoked key".to_owned(),
        read(
            s,
            &format!("/v2/integrations/{app}/memories?uid={uid}"),
            &f.revoked_key,
        )
        .await,
    );
    Value::Object(all)
}

/// Rows per table of the database at `url`.
async fn counts(url: &str) -> Vec<(&'static str, i64)> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url)
        .await
        .expect("the database opens");
    let mut counts = Vec::new();
    for table in TABLES {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM {}",
            table.name
        )))
        .fetch_one(&mut conn)
        .await
        .expect("a count");
        counts.push((table.name, row.try_get::<i64, _>(0).expect("an integer")));
    }
    conn.close().await.expect("the connection closes");
    counts
}

/// One value from the database at `url`.
async fn scalar(url: &str, sql: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url)
        .await
        .expect("the database opens");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await
        .expect("a row");
    let value = row.try_get::<i64, _>(0).expect("an integer");
    conn.close().await.expect("the connection closes");
    value
}

/// A filled SQLite server, stopped: its database URL (in `dir`), what it showed, what it
/// holds, and its demo credentials. Its held job is left `running` with a lease an hour
/// away, as a killed process leaves it.
struct Source {
    url: String,
    shown: Value,
    filled: Filled,
    demo: omi_server::admin::DemoCredentials,
    _dir: TempDir,
}

async fn filled_source() -> Source {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = sqlite_url(&dir, "source.sqlite");
    let mut config = test_config();
    config.service.webhooks.allow_private = true;
    let s = TestServer::start_at(
        config,
        Arc::new(ScriptedExtractor),
        url.clone(),
        tempfile::tempdir().expect("a temporary folder"),
    )
    .await;
    let filled = fill(&s).await;
    let shown = everything(&s, &filled).await;
    let demo = s.demo.clone();
    s.shutdown().await;
    let lease = chrono::Utc::now().timestamp_micros() + 3_600_000_000;
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&url)
        .await
        .expect("the database opens");
    let claimed = sqlx::query(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, run_after = $1 \
         WHERE status = 'queued'",
    )
    .bind(lease)
    .execute(&mut conn)
    .await
    .expect("the held job is claimed");
    assert_eq!(
        claimed.rows_affected(),
        1,
        "only the held job is unfinished"
    );
    conn.close().await.expect("the connection closes");
    Source {
        url,
        shown,
        filled,
        demo,
        _dir: dir,
    }
}

/// Copy `source` to `target`, checking the summary against both databases' rows.
async fn copy(source: &str, target: &str, requeued: u64) -> MigrationSummary {
    let summary = migrate_data(source, target)
        .await
        .expect("the copy succeeds");
    let copied: Vec<(&str, i64)> = summary
        .tables
        .iter()
        .map(|t| (t.table, i64::try_from(t.rows).expect("a count")))
        .collect();
    assert_eq!(
        copied,
        counts(source).await,
        "every row of the source is counted"
    );
    assert_eq!(
        counts(target).await,
        copied,
        "the target holds exactly the copied rows"
    );
    assert!(
        copied.iter().all(|(_, rows)| *rows > 0),
        "every table had rows: {copied:?}"
    );
    assert_eq!(summary.requeued_jobs, requeued);
    summary
}

/// A server with `extractor` on `target`, a copy of `source`.
async fn on_copy(source: &Source, target: &str, extractor: Arc<dyn Extractor>) -> TestServer {
    TestServer::reopen(
        test_config(),
        extractor,
        target.to_owned(),
        tempfile::tempdir().expect("a temporary folder"),
        source.demo.clone(),
    )
    .await
}

/// Start a server on a copy of `source` (holding its job with [`ScriptedExtractor`]), check
/// it shows exactly what the source showed and honours the source's idempotency records and
/// duplicates rule; then restart it with a working extractor and check the copied job
/// completes and a new job gets a larger id.
async fn check_copy(source: &Source, target: &str) {
    let copied_max = scalar(&source.url, "SELECT max(id) FROM jobs").await;
    let s = on_copy(source, target, Arc::new(ScriptedExtractor)).await;
    let shown = everything(&s, &source.filled).await;
    assert_eq!(
        shown, source.shown,
        "the copy reads exactly as the source did"
    );
    let replay = idempotent_create(&s).await;
    assert_eq!(replay["body"], source.filled.idempotent["body"]);
    assert_eq!(
        replay["replayed"],
        json!(true),
        "the stored answer is replayed"
    );
    let bees = s.dev_memory(json!({"content": "USER KEEPS BEES"})).await;
    let copied = source.shown["/v1/dev/user/memories?limit=1000"]["body"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|m| m["content"] == json!("User keeps bees"))
        })
        .cloned()
        .expect("the source had the memory");
    assert_eq!(
        bees["id"], copied["id"],
        "the same content is still the one memory"
    );
    s.shutdown().await;

    let s = on_copy(source, target, Arc::new(RulesExtractor)).await;
    completed(
        &s,
        &source.filled.held,
        "the copied job completes on the copy",
    )
    .await;
    let id = s.dev_conversation("Me: I love sourdough.").await;
    completed(&s, &id, "the new conversation completes").await;
    let new_job = scalar(
        target,
        &format!("SELECT id FROM jobs WHERE subject_id = '{id}'"),
    )
    .await;
    assert!(
        new_job > copied_max,
        "new job {new_job} after copied {copied_max}"
    );
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_database_copied_to_a_new_sqlite_file_reads_the_same() {
    let source = filled_source().await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let target = sqlite_url(&dir, "copy.sqlite");
    copy(&source.url, &target, 1).await;
    check_copy(&source, &target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_database_copied_to_postgres_and_back_reads_the_same() {
    let Some(admin_url) = postgres_url("the SQLite to PostgreSQL copy") else {
        return;
    };
    let source = filled_source().await;
    let scratch = ScratchDatabase::create(&admin_url)
        .await
        .expect("a scratch database");
    copy(&source.url, scratch.url(), 1).await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let back = sqlite_url(&dir, "back.sqlite");
    copy(scratch.url(), &back, 0).await;
    check_copy(&source, scratch.url()).await;
    check_copy(&source, &back).await;
}

#[tokio::test]
async fn a_target_with_data_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (from, to) = (sqlite_url(&dir, "a.sqlite"), sqlite_url(&dir, "b.sqlite"));
    for url in [&from, &to] {
        let s = TestServer::start_at(
            test_config(),
            Arc::new(RulesExtractor),
            url.clone(),
            tempfile::tempdir().expect("a temporary folder"),
        )
        .await;
        s.dev_memory(json!({"content": "User keeps bees"})).await;
        s.shutdown().await;
    }
    let before = counts(&to).await;
    let refused = migrate_data(&from, &to).await;
    assert!(
        matches!(
            refused,
            Err(MigrateError::TargetNotEmpty { table: "users", .. })
        ),
        "{refused:?}"
    );
    assert_eq!(counts(&to).await, before);
}

#[tokio::test]
async fn a_postgres_target_with_data_is_refused() {
    let Some(admin_url) = postgres_url("the non-empty PostgreSQL target") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin_url)
        .await
        .expect("a scratch database");
    demo(scratch.url());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let from = sqlite_url(&dir, "a.sqlite");
    demo(&from);
    let refused = migrate_data(&from, scratch.url()).await;
    assert!(
        matches!(refused, Err(MigrateError::TargetNotEmpty { .. })),
        "{refused:?}"
    );
    assert_eq!(scalar(scratch.url(), "SELECT count(*) FROM users").await, 1);
}

#[tokio::test]
async fn the_same_database_twice_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = sqlite_url(&dir, "a.sqlite");
    demo(&url);
    let other_spelling = format!("sqlite:{}", dir.path().join("a.sqlite").display());
    for to in [&url, &other_spelling] {
        let refused = migrate_data(&url, to).await;
        assert!(
            matches!(refused, Err(MigrateError::SameDatabase(_))),
            "{refused:?}"
        );
    }
}

#[tokio::test]
async fn a_missing_sqlite_source_is_refused_and_not_created() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (from, to) = (
        sqlite_url(&dir, "missing.sqlite"),
        sqlite_url(&dir, "b.sqlite"),
    );
    let refused = migrate_data(&from, &to).await;
    assert!(
        matches!(refused, Err(MigrateError::NoSource(_))),
        "{refused:?}"
    );
    assert!(!dir.path().join("missing.sqlite").exists());
}

#[tokio::test]
async fn a_column_the_copy_does_not_know_is_refused_not_dropped() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (from, to) = (sqlite_url(&dir, "a.sqlite"), sqlite_url(&dir, "b.sqlite"));
    demo(&from);
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&from)
        .await
        .expect("the database opens");
    sqlx::query("ALTER TABLE memories ADD COLUMN pinned INTEGER")
        .execute(&mut conn)
        .await
        .expect("a column is added");
    conn.close().await.expect("the connection closes");
    let refused = migrate_data(&from, &to).await;
    let Err(MigrateError::Schema { differences, .. }) = refused else {
        panic!("expected a schema refusal, got {refused:?}");
    };
    assert!(differences.contains("memories.pinned"), "{differences}");
}

/// `omi-server admin migrate-data ARGS`: exit success, stdout, stderr.
fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BINARY)
        .args(["admin", "migrate-data"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_command_prints_rows_per_table_as_json_and_fails_on_a_second_run() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (from, to) = (sqlite_url(&dir, "a.sqlite"), sqlite_url(&dir, "b.sqlite"));
    demo(&from);
    let (ok, stdout, stderr) = run(&["--from", &from, "--to", &to, "--json"]);
    assert!(ok, "{stderr}");
    let summary: Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    let expected: Vec<Value> = TABLES
        .iter()
        .map(|t| {
            let rows = match t.name {
                "users" | "apps" | "app_keys" | "app_enablements" | "dev_keys" => 1,
                _ => 0,
            };
            json!({"table": t.name, "rows": rows})
        })
        .collect();
    assert_eq!(
        summary,
        json!({"from": from, "to": to, "tables": expected, "rows": 5, "requeued_jobs": 0})
    );
    assert!(
        stderr.contains("copied"),
        "a progress line per table: {stderr}"
    );

    let (ok, stdout, stderr) = run(&["--from", &from, "--to", &to]);
    assert!(!ok, "a second copy onto the first is refused");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("is not empty"), "{stderr}");
}

#[tokio::test]
async fn the_command_never_prints_a_password() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let from = sqlite_url(&dir, "a.sqlite");
    demo(&from);
    let to = "postgres://omi:s3cret-password@127.0.0.1:1/omi";
    let (ok, stdout, stderr) = run(&["--from", &from, "--to", to]);
    assert!(!ok, "nothing listens on port 1");
    assert!(!format!("{stdout}{stderr}").contains("s3cret"), "{stderr}");
    assert!(
        stderr.contains("postgres://omi:***@127.0.0.1:1/omi"),
        "{stderr}"
    );
}
