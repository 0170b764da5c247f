//! Every curl example of the two reference texts, replayed over plain HTTP (reqwest, no
//! `omi-client`) against a test server: same method, headers and body, bytes as the shell
//! would send them, with only the host and the placeholders replaced.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use omi_model::DevScope;
use serde_json::{Map, Value, json};

use crate::common::{Backend, DEADLINE, TestServer, postgres_url, redact, snapshot};

/// The examples, verbatim (see the file's header).
const EXAMPLES: &str = include_str!("fixtures/spec_curl_examples.sh");

/// The user of the examples, made for real and given the demo app and a developer key.
const USER: &str = "user_123";

/// One curl invocation: what it sends.
#[derive(Debug)]
struct Curl {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    data: Option<String>,
}

/// The examples as `(name, command)`, in file order.
fn examples() -> Vec<(&'static str, &'static str)> {
    EXAMPLES
        .split("\n## ")
        .skip(1)
        .map(|block| block.split_once('\n').expect("a name line, then a command"))
        .map(|(name, command)| (name.trim(), command.trim()))
        .collect()
}

/// Split a command into words as a POSIX shell does for these examples: backslash-newline
/// joins lines; single quotes are literal; double quotes expand `$NAME` from `vars` and
/// honour `\"`, `\\` and `\$`; an unquoted backslash escapes the next character.
fn shell_words(command: &str, vars: &HashMap<&str, String>) -> Vec<String> {
    let text = command.replace("\\\n", " ");
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next().expect("a closing single quote") {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next().expect("a closing double quote") {
                        '"' => break,
                        '\\' => match chars.next().expect("an escaped character") {
                            c @ ('"' | '\\' | '$') => word.push(c),
                            c => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        '$' => {
                            let mut name = String::new();
                            while let Some(&c) = chars.peek() {
                                if !(c.is_ascii_alphanumeric() || c == '_') {
                                    break;
                                }
                                name.push(c);
                                chars.next();
                            }
                            let value = vars
                                .get(name.as_str())
                                .unwrap_or_else(|| panic!("${name} is not set"));
                            word.push_str(value);
                        }
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next().expect("an escaped character"));
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Read the curl options the examples use: `-X`, `-H`, `-d` and the URL.
fn parse_curl(words: &[String]) -> Curl {
    assert_eq!(words.first().map(String::as_str), Some("curl"));
    let mut curl = Curl {
        method: String::new(),
        url: String::new(),
        headers: Vec::new(),
        data: None,
    };
    let mut args = words[1..].iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("an option's value").clone();
        match arg.as_str() {
            "-X" => curl.method = value(),
            "-H" => {
                let header = value();
                let (name, v) = header.split_once(':').expect("a `Name: value` header");
                curl.headers
                    .push((name.trim().to_owned(), v.trim().to_owned()));
            }
            "-d" => curl.data = Some(value()),
            url if !url.starts_with('-') => curl.url = url.to_owned(),
            other => panic!("an option the examples do not use: {other}"),
        }
    }
    if curl.method.is_empty() {
        // curl's own default: POST when there is data, else GET.
        curl.method = if curl.data.is_some() { "POST" } else { "GET" }.to_owned();
    }
    curl
}

/// Send `curl` with `replace` applied to its URL, headers and body; its status and JSON body.
async fn send(
    http: &reqwest::Client,
    curl: &Curl,
    replace: &dyn Fn(&str) -> String,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(curl.method.as_bytes()).expect("a method");
    let mut request = http.request(method, replace(&curl.url));
    for (name, value) in &curl.headers {
        request = request.header(name, replace(value));
    }
    if let Some(data) = &curl.data {
        request = request.body(replace(data));
    }
    let response = request.send().await.expect("a response");
    let status = response.status().as_u16();
    let body = response.json().await.expect("a JSON body");
    (status, body)
}

/// The shape each example's answer must have.
#[track_caller]
fn check_shape(name: &str, curl: &Curl, body: &Value) {
    let sent: Option<Value> = curl
        .data
        .as_deref()
        .map(|d| serde_json::from_str(d).expect("the example's body is JSON"));
    match name {
        n if n.starts_with("integration: create") => assert_eq!(body, &json!({}), "{name}"),
        "integration: read conversations" => {
            assert!(body["conversations"].is_array(), "{name}: {body}");
        }
        "integration: read memories" => assert!(body["memories"].is_array(), "{name}: {body}"),
        "developer: get memories" => {
            for memory in body.as_array().expect("a list of memories") {
                check_memory(memory);
            }
        }
        "developer: create memory" => {
            check_memory(body);
            let sent = sent.expect("a body");
            for key in ["content", "category", "tags"] {
                assert_eq!(body[key], sent[key], "{name}: {key}");
            }
            assert_eq!(body["visibility"], "private");
            assert_eq!(body["manually_added"], true);
        }
        "developer: create memories (batch)" => {
            let sent = sent.expect("a body");
            let memories = body["memories"].as_array().expect("memories");
            assert_eq!(body["created_count"], 2);
            for (memory, asked) in memories
                .iter()
                .zip(sent["memories"].as_array().expect("a list"))
            {
                check_memory(memory);
                assert_eq!(memory["content"], asked["content"]);
                assert_eq!(memory["category"], asked["category"]);
            }
        }
        "developer: update memory" => {
            check_memory(body);
            let sent = sent.expect("a body");
            assert_eq!(body["content"], sent["content"]);
            assert_eq!(body["visibility"], sent["visibility"]);
            assert_eq!(body["edited"], true);
            assert_eq!(body["category"], "system");
            assert_eq!(body["tags"], json!(["preferences", "ui"]));
        }
        "developer: delete memory" => assert_eq!(body, &json!({"success": true})),
        other => panic!("no expected shape for example {other:?}"),
    }
}

/// The memory object of the developer reference: every field it lists.
#[track_caller]
fn check_memory(memory: &Value) {
    let object = memory.as_object().expect("a memory object");
    for key in [
        "id",
        "content",
        "category",
        "visibility",
        "tags",
        "created_at",
        "updated_at",
        "manually_added",
        "scoring",
        "reviewed",
        "user_review",
        "edited",
    ] {
        assert!(object.contains_key(key), "memory without {key}: {memory}");
    }
}

/// Replay every example in order; each answers 200 with its documented shape. The answers,
/// redacted, are one snapshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_curl_example_of_the_reference_texts_works() {
    every_curl_example_of_the_reference_texts_works_on(TestServer::start().await).await;
}

/// The same on PostgreSQL, against the same snapshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_curl_example_of_the_reference_texts_works_on_postgres() {
    let Some(url) = postgres_url("spec_examples") else {
        return;
    };
    every_curl_example_of_the_reference_texts_works_on(
        TestServer::start_on(Backend::Postgres, &url).await,
    )
    .await;
}

async fn every_curl_example_of_the_reference_texts_works_on(server: TestServer) {
    let demo = server.demo().clone();
    let admin = server.admin();
    let dev_key = server.user_with_dev_key(USER, DevScope::ALL).await.key;
    admin
        .set_app_enabled(USER, &demo.app_id, true)
        .await
        .expect("enable the demo app");
    let vars = HashMap::from([("API_KEY", dev_key)]);
    let http = reqwest::Client::new();
    let base = server.base_url();
    let mut memory_id: Option<String> = None;
    let mut record = Map::new();
    let examples = examples();
    assert_eq!(examples.len(), 15, "every curl example of the two texts");
    let mut reads = Vec::new();
    for (name, command) in examples {
        if name == "developer: get memories" {
            // The imports above are processed in the background; read what they made.
            server.jobs_settled().await;
        }
        let curl = parse_curl(&shell_words(command, &vars));
        let id = memory_id.clone();
        let replace = |s: &str| {
            let s = s
                .replace("https://api.omi.me", &base)
                .replace("your_app_id_here", &demo.app_id)
                .replace("sk_your_api_key_here", &demo.app_key);
            match &id {
                Some(id) => s.replace("mem_xyz789", id),
                None => s,
            }
        };
        let (status, body) = send(&http, &curl, &replace).await;
        assert_eq!(status, 200, "{name}: {body}");
        check_shape(name, &curl, &body);
        if name == "developer: create memory" {
            memory_id = Some(body["id"].as_str().expect("an id").to_owned());
        }
        if name.starts_with("integration: read") {
            reads.push((name, curl));
        }
        record.insert(name.to_owned(), json!({"status": status, "body": body}));
    }
    snapshot("spec_examples__replay", &redact(Value::Object(record)));

    // Read again: the four conversations complete, and the three explicit memories are there.
    let replace = |s: &str| {
        s.replace("https://api.omi.me", &base)
            .replace("your_app_id_here", &demo.app_id)
            .replace("sk_your_api_key_here", &demo.app_key)
    };
    let started = Instant::now();
    loop {
        let (_, body) = send(&http, &reads[0].1, &replace).await;
        let conversations = body["conversations"].as_array().expect("conversations");
        let completed = conversations
            .iter()
            .filter(|c| c["status"] == "completed")
            .count();
        if completed == 4 {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{completed} of 4 completed: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, body) = send(&http, &reads[1].1, &replace).await;
    let contents: Vec<&str> = body["memories"]
        .as_array()
        .expect("memories")
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    for explicit in [
        "User is allergic to peanuts and shellfish",
        "User's mother's birthday is on August 15th",
        "User prefers window seats when flying",
    ] {
        assert!(contents.contains(&explicit), "{explicit:?} in {contents:?}");
    }
    server.shutdown().await;
}

#[test]
fn the_shell_reading_matches_the_shell() {
    let vars = HashMap::from([("API_KEY", "omi_dev_x".to_owned())]);
    let words = shell_words(
        "curl -X POST \"https://h/p?a=1\" \\\n  -H \"Authorization: Bearer $API_KEY\" \\\n  -d '{\"t\": \"I'\\''m\\n\"}'",
        &vars,
    );
    assert_eq!(
        words,
        [
            "curl",
            "-X",
            "POST",
            "https://h/p?a=1",
            "-H",
            "Authorization: Bearer omi_dev_x",
            "-d",
            "{\"t\": \"I'm\\n\"}"
        ]
    );
}
