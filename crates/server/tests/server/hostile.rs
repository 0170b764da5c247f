//! Hostile input against the real binary: a few hundred generated texts in every script,
//! with broken dates, huge numbers, combining marks, zero-width and direction marks and
//! astral emoji, sent through every route that takes text. Nothing may drop a connection or
//! answer 5xx, every conversation must leave `processing`, and afterwards the server must
//! still process a plain conversation and save a plain memory. Slow clients are cut off.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use omi_server::store::postgres::ScratchDatabase;

use crate::common::{eventually_within, postgres_url};
use crate::process::{ServerProcess, demo, read};

/// Words from many scripts and the characters that break byte-level code.
const WORDS: &[&str] = &[
    "hiking",
    "も",
    "もing",
    "寿司",
    "김치",
    "كتاب",
    "שלום",
    "Ελλάδα",
    "Москва",
    "हिन्दी",
    "e\u{301}",
    "a\u{20dd}",
    "\u{200d}",
    "\u{200b}",
    "\u{202e}",
    "\u{2066}",
    "\u{feff}",
    "👨\u{200d}👩\u{200d}👧\u{200d}👦",
    "🏳\u{fe0f}\u{200d}🌈",
    "𝕏",
    "\u{10fffd}",
    "ß",
    "İ",
    "ﬁ",
    "'s",
    "s'",
    "ies",
    "Ω",
    "\u{0}",
    "\u{7}",
    "\t",
    "🎉ing",
    "日本語ed",
    "x\u{300}\u{301}\u{302}",
];

/// Endings glued to a word.
const SUFFIXES: &[&str] = &[
    "", "ing", "ed", "s", "'s", "ies", "es", "も", "🙂", "\u{301}",
];

/// Numbers no date arithmetic can take.
const NUMBERS: &[&str] = &[
    "100000000",
    "99999999999999999999",
    "18446744073709551616",
    "2147483648",
    "-5",
    "0",
    "1e308",
    "٣",
    "三",
    "9223372036854775807",
];

/// Units of relative dates.
const UNITS: &[&str] = &[
    "days", "day", "weeks", "months", "years", "hours", "minutes",
];

/// Dates that do not exist.
const DATES: &[&str] = &[
    "March 32nd",
    "February 30",
    "99/99/9999",
    "00/00/0000",
    "31/12/999999",
    "9999-99-99",
    "2024-13-45",
    "the 0th",
    "December 31, 262143",
    "Jan 1, -1",
    "tomorrow",
];

/// Times that do not exist.
const TIMES: &[&str] = &["25pm", "99:99", "13pm", "0am", "24:60", "12:00:61", "noon"];

/// One generated text: one to four sentence shapes filled from the lists above.
fn hostile_text(rng: &mut StdRng) -> String {
    let mut pick = |list: &[&'static str]| list[rng.random_range(0..list.len())];
    let word = format!("{}{}", pick(WORDS), pick(SUFFIXES));
    let shapes = [
        format!("I love {word}."),
        format!("User likes {word}"),
        format!("Me: see you in {} {}.", pick(NUMBERS), pick(UNITS)),
        format!("Me: let's meet on {} at {}.", pick(DATES), pick(TIMES)),
        format!(
            "Me: remind me to call {word} in {} {}",
            pick(NUMBERS),
            pick(UNITS)
        ),
        format!(
            "{}: {word}\nMe: I'm {}{}",
            pick(WORDS),
            pick(WORDS),
            pick(SUFFIXES)
        ),
        format!("Subject: {word}\n\nI love {}", pick(WORDS)),
        format!("Me: my birthday is {} and I work at {word}", pick(DATES)),
        format!("{word}{word}{word}"),
    ];
    shapes[rng.random_range(0..shapes.len())].clone()
}

/// A text of one to four generated pieces.
fn hostile_texts(n: usize) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(0x0041_0014);
    (0..n)
        .map(|_| {
            let pieces = rng.random_range(1..=4);
            let joiners = [" ", "\n", "\n\n", ""];
            let mut text = String::new();
            for _ in 0..pieces {
                text.push_str(&hostile_text(&mut rng));
                text.push_str(joiners[rng.random_range(0..joiners.len())]);
            }
            text
        })
        .collect()
}

/// Whether `c` is a control character no user text may hold (all but tab, newline and
/// carriage return).
fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether a string anywhere in `value` holds a refused control character.
fn holds_refused_control(value: &Value) -> bool {
    match value {
        Value::String(s) => s.chars().any(is_refused_control),
        Value::Array(items) => items.iter().any(holds_refused_control),
        Value::Object(fields) => fields.values().any(holds_refused_control),
        _ => false,
    }
}

/// The routes of [`Target::text_request`] that create a conversation.
const CONVERSATION_ROUTES: [usize; 3] = [3, 4, 5];

/// The demo credentials and routes of one server process.
struct Target {
    http: reqwest::Client,
    base: String,
    uid: String,
    app_id: String,
    app_key: String,
    dev_key: String,
}

impl Target {
    /// Send one request; a dropped connection or a 5xx fails the test with the request.
    async fn send(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.base);
        let reply = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(key)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path} with {body}: no answer: {e}"));
        let status = reply.status();
        let answer: Value = reply.json().await.unwrap_or(Value::Null);
        if std::env::var("HOSTILE_DEBUG").is_ok() && status.is_client_error() {
            eprintln!("{method} {path}: {status} {answer}");
        }
        assert!(
            !status.is_server_error(),
            "{method} {path} with {body}: {status} {answer}"
        );
        (status, answer)
    }

    /// Send `text` through the text route number `route`. A body holding a control
    /// character other than tab, newline and carriage return must be refused with a 422
    /// (no store keeps such text); anything else may be accepted or refused, never a 5xx.
    async fn send_text(&self, route: usize, text: &str, memory_id: &str) {
        let (method, path, key, body) = self.text_request(route, text, memory_id);
        let (status, answer) = self.send(method, &path, key, &body).await;
        if holds_refused_control(&body) {
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {body}: {answer}"
            );
        }
    }

    /// The request of text route number `route` (one of 7) carrying `text`.
    fn text_request(
        &self,
        route: usize,
        text: &str,
        memory_id: &str,
    ) -> (Method, String, &str, Value) {
        let (app, uid) = (&self.app_id, &self.uid);
        let (dev, app_key) = (self.dev_key.as_str(), self.app_key.as_str());
        let content: String = text.chars().take(500).collect();
        match route % 7 {
            0 => (
                Method::POST,
                "/v1/dev/user/memories".into(),
                dev,
                json!({"content": content}),
            ),
            1 => {
                let batch = json!({"memories": [{"content": content}, {"content": format!("{content} too")}]});
                (
                    Method::POST,
                    "/v1/dev/user/memories/batch".into(),
                    dev,
                    batch,
                )
            }
            2 => {
                let path = format!("/v1/dev/user/memories/{memory_id}");
                (Method::PATCH, path, dev, json!({"content": content}))
            }
            3 => (
                Method::POST,
                "/v1/dev/user/conversations".into(),
                dev,
                json!({"text": text}),
            ),
            4 => {
                let segments: Vec<Value> = text
                    .split('\n')
                    .filter(|line| !line.trim().is_empty())
                    .zip(0_u32..)
                    .map(|(line, i)| {
                        let start = f64::from(i) * 2.0;
                        json!({"text": line, "speaker": "SPEAKER_00", "is_user": true, "start": start, "end": start + 1.5})
                    })
                    .collect();
                let body = json!({"transcript_segments": segments});
                (
                    Method::POST,
                    "/v1/dev/user/conversations/from-segments".into(),
                    dev,
                    body,
                )
            }
            5 => {
                let path = format!("/v2/integrations/{app}/user/conversations?uid={uid}");
                (Method::POST, path, app_key, json!({"text": text}))
            }
            _ => {
                let path = format!("/v2/integrations/{app}/user/memories?uid={uid}");
                (Method::POST, path, app_key, json!({"text": text}))
            }
        }
    }

    /// How many conversations the user has, and how many are still `processing`.
    async fn conversations(&self) -> (usize, usize) {
        // The integration list shows every status (the developer list only completed ones).
        let path = format!(
            "/v2/integrations/{}/conversations?uid={}&limit=1000&include_discarded=true",
            self.app_id, self.uid
        );
        let (_, list) = self
            .send(Method::GET, &path, &self.app_key, &Value::Null)
            .await;
        let all = list["conversations"]
            .as_array()
            .expect("a list of conversations");
        let processing = all.iter().filter(|c| c["status"] == "processing").count();
        (all.len(), processing)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_texts_on_every_text_route_never_stop_the_server_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let database = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    hostile_texts_never_stop(&database, dir.path().join("server.log")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_texts_on_every_text_route_never_stop_the_server_on_postgres() {
    let Some(admin_url) = postgres_url("hostile texts on PostgreSQL") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin_url)
        .await
        .expect("a scratch database");
    let dir = tempfile::tempdir().expect("a temporary folder");
    hostile_texts_never_stop(scratch.url(), dir.path().join("server.log")).await;
}

/// Send the hostile texts to a real server over `database`, logging to `log`, and check that
/// nothing stopped it.
async fn hostile_texts_never_stop(database: &str, log: std::path::PathBuf) {
    let creds = demo(database);
    let http = reqwest::Client::new();
    let mut server = ServerProcess::spawn(database, log, &["--rate-limits", "off"]);
    server.ready(&http).await;
    let field = |name: &str| creds[name].as_str().expect("a credential").to_owned();
    let target = Target {
        http: http.clone(),
        base: server.base_url.clone(),
        uid: field("uid"),
        app_id: field("app_id"),
        app_key: field("app_key"),
        dev_key: field("dev_key"),
    };
    let (status, base) = target
        .send(
            Method::POST,
            "/v1/dev/user/memories",
            &target.dev_key,
            &json!({"content": "User likes tea"}),
        )
        .await;
    let memory_id = base["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a memory id, not {status} {base}"))
        .to_owned();

    let texts = hostile_texts(350);
    for chunk in texts.chunks(14).enumerate().map(|(i, c)| (i * 14, c)) {
        let (start, texts) = chunk;
        let sends = texts
            .iter()
            .enumerate()
            .map(|(i, text)| target.send_text(start + i, text, &memory_id));
        futures::future::join_all(sends).await;
    }

    let log = server.log.clone();
    eventually_within(
        "every conversation leaves processing",
        Duration::from_secs(60),
        || async { (target.conversations().await.1 == 0).then_some(()) },
    )
    .await;
    let (created, _) = target.conversations().await;
    // Texts with a refused control character are 422s; nearly every other one is created.
    let plain = texts
        .iter()
        .enumerate()
        .filter(|(i, text)| {
            CONVERSATION_ROUTES.contains(&(i % 7)) && !text.chars().any(is_refused_control)
        })
        .count();
    assert!(
        created + 10 >= plain,
        "most hostile conversations without control characters were accepted: {created} of {plain}"
    );
    // The server still does its plain work.
    let (status, _) = target
        .send(
            Method::POST,
            "/v1/dev/user/memories",
            &target.dev_key,
            &json!({"content": "User plays the cello"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", read(&log));
    let (_, created) = target
        .send(
            Method::POST,
            "/v1/dev/user/conversations",
            &target.dev_key,
            &json!({"text": "Me: I love hiking in the Alps."}),
        )
        .await;
    let id = created["id"]
        .as_str()
        .expect("a conversation id")
        .to_owned();
    eventually_within(
        "a plain conversation completes",
        Duration::from_secs(30),
        || async {
            let path = format!("/v1/dev/user/conversations/{id}");
            let (_, c) = target
                .send(Method::GET, &path, &target.dev_key, &Value::Null)
                .await;
            (c["status"] == "completed").then_some(())
        },
    )
    .await;
    let (status, _) = target
        .send(Method::GET, "/readyz", &target.dev_key, &Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// A real server started with `options`, and a raw connection to it on which `partial` (an
/// unfinished request, where `{dev_key}` stands for the demo user's developer key) was sent.
/// The folder and the server live as long as the test keeps them.
async fn slow_client(
    options: &[&str],
    partial: &str,
) -> (tempfile::TempDir, ServerProcess, tokio::net::TcpStream) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let database = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let creds = crate::process::demo(&database);
    let dev_key = creds["dev_key"].as_str().expect("a developer key");
    let partial = partial.replace("{dev_key}", dev_key);
    let mut server = ServerProcess::spawn(&database, dir.path().join("server.log"), options);
    server.ready(&reqwest::Client::new()).await;
    let addr = server.base_url.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("a connection");
    slow.write_all(partial.as_bytes())
        .await
        .expect("a partial request");
    (dir, server, slow)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    let (_dir, server, mut slow) = slow_client(&["--header-read-timeout", "1"], partial).await;
    let mut buffer = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut buffer)).await;
    assert!(
        closed.is_ok(),
        "the server closed the connection of a client that never finished its headers"
    );
    // A new connection: the pooled one of the readiness check was closed as idle.
    let healthy = reqwest::Client::new()
        .get(format!("{}/healthz", server.base_url))
        .send()
        .await
        .expect("an answer");
    assert_eq!(healthy.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_body_is_answered_400() {
    // With a valid key: the key is checked before the body is read, so a caller without one
    // is answered 401 at once, however slowly it sends.
    let partial = "POST /v1/dev/user/memories HTTP/1.1\r\nHost: x\r\n\
                   Authorization: Bearer {dev_key}\r\n\
                   Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"content\"";
    let (_dir, _server, mut slow) = slow_client(&["--body-read-timeout", "1"], partial).await;
    let mut answer = vec![0_u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(10), slow.read(&mut answer))
        .await
        .expect("an answer before the test's deadline")
        .expect("a readable answer");
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("Could not read the request body"),
        "{answer}"
    );
}
