//! Lists: their order, their pages (no overlap, no gap), and their filters.

use std::sync::Arc;

use omi_server::service::ServiceConfig;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Reply, ScriptedExtractor, TestServer, eventually, test_config};

/// The ids of a list.
fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The items of a list answer: a bare list (developer) or `{key: [...]}` (integration).
#[track_caller]
fn items(reply: &Reply, key: Option<&str>) -> Vec<Value> {
    reply.expect_status(200);
    let list = match key {
        Some(key) => &reply.body[key],
        None => &reply.body,
    };
    list.as_array()
        .unwrap_or_else(|| panic!("a list: {}", reply.text))
        .clone()
}

/// Pages of `limit` read one after another give `expected` exactly: same items, same order,
/// no overlap and no gap; the page after the last is empty.
#[track_caller]
fn check_pages(pages: &[Vec<Value>], limit: usize, expected: &[String]) {
    for (i, page) in pages.iter().enumerate() {
        let full = (i + 1) * limit <= expected.len();
        if full {
            assert_eq!(page.len(), limit, "page {i} is full");
        }
    }
    assert!(
        pages.last().is_some_and(Vec::is_empty),
        "the last page is empty"
    );
    let joined: Vec<String> = pages.iter().flat_map(|p| ids(p)).collect();
    assert_eq!(joined, expected, "pages join into the whole list");
}

#[tokio::test]
async fn memory_pages_cover_every_memory_once_by_scoring_then_newest() {
    let s = TestServer::start().await;
    let mut system = Vec::new();
    let mut interesting = Vec::new();
    for i in 0..30 {
        let category = if i % 3 == 0 { "interesting" } else { "system" };
        let m = s
            .dev_memory(json!({"content": format!("User fact number {i}"), "category": category}))
            .await;
        let id = m["id"].as_str().expect("id").to_owned();
        if i % 3 == 0 {
            interesting.push(id);
        } else {
            system.push(id);
        }
    }
    // System memories score 999, interesting ones 998; within a score, newest first.
    let expected: Vec<String> = system
        .iter()
        .rev()
        .chain(interesting.iter().rev())
        .cloned()
        .collect();

    let whole = items(&s.list_memories("limit=1000").await, Some("memories"));
    assert_eq!(ids(&whole), expected);
    let keys: Vec<(String, String)> = whole
        .iter()
        .map(|m| {
            (
                m["scoring"].as_str().expect("scoring").to_owned(),
                m["created_at"].as_str().expect("created_at").to_owned(),
            )
        })
        .collect();
    assert!(
        keys.windows(2)
            .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && parse(&w[0].1) >= parse(&w[1].1))),
        "scoring desc, then created_at desc: {keys:?}"
    );

    let limit = 7;
    let mut integration = Vec::new();
    let mut developer = Vec::new();
    for offset in (0..).step_by(limit).take(30 / limit + 2) {
        let query = format!("limit={limit}&offset={offset}");
        integration.push(items(&s.list_memories(&query).await, Some("memories")));
        let dev = s
            .dev(Method::GET, &format!("/v1/dev/user/memories?{query}"), None)
            .await;
        developer.push(items(&dev, None));
    }
    check_pages(&integration, limit, &expected);
    check_pages(&developer, limit, &expected);
}

fn parse(t: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(t)
        .expect("RFC 3339")
        .with_timezone(&chrono::Utc)
}

#[tokio::test]
async fn conversation_pages_are_newest_first_by_started_at() {
    let s = TestServer::start().await;
    let n = 12;
    let mut started = Vec::new();
    for k in 0..n {
        // Created out of order: the list orders by when they happened, not when they came.
        let i = (k * 5) % n;
        let at = format!("2024-01-0{}T{:02}:00:00Z", 1 + i / 8, (i % 8) * 3);
        s.create_conversation(json!({"text": format!("Me: entry {i}"), "started_at": at}))
            .await
            .expect_status(200);
        started.push(at);
    }
    started.sort();
    started.reverse();

    let whole = items(
        &s.list_conversations("limit=1000").await,
        Some("conversations"),
    );
    let order: Vec<&str> = whole
        .iter()
        .map(|c| c["started_at"].as_str().expect("started_at"))
        .collect();
    assert_eq!(order, started);

    let limit = 5;
    let pages: Vec<Vec<Value>> = {
        let mut pages = Vec::new();
        for offset in (0..).step_by(limit).take(n / limit + 2) {
            let query = format!("limit={limit}&offset={offset}");
            pages.push(items(
                &s.list_conversations(&query).await,
                Some("conversations"),
            ));
        }
        pages
    };
    check_pages(&pages, limit, &ids(&whole));
}

#[tokio::test]
async fn the_conversation_list_defaults_to_100() {
    let s = TestServer::start().await;
    for i in 0..101 {
        s.create_conversation(json!({"text": format!("Me: note {i}")}))
            .await
            .expect_status(200);
    }
    let page = items(&s.list_conversations("").await, Some("conversations"));
    assert_eq!(page.len(), 100);
}

#[tokio::test]
async fn discarded_conversations_are_listed_only_when_asked() {
    let s = TestServer::start().await;
    s.create_conversation(json!({"text": "Hi", "started_at": "2024-03-10T15:00:00Z"}))
        .await
        .expect_status(200);
    s.create_conversation(
        json!({"text": "Me: I love hiking.", "started_at": "2024-03-10T16:00:00Z"}),
    )
    .await
    .expect_status(200);
    let all = s.settled_conversations(2).await;
    assert_eq!(
        all[1]["discarded"],
        json!(true),
        "too short to keep: {}",
        all[1]
    );
    assert_eq!(all[0]["discarded"], json!(false));

    for query in ["", "include_discarded=false", "include_discarded=0"] {
        let kept = items(&s.list_conversations(query).await, Some("conversations"));
        assert_eq!(ids(&kept), ids(&all[..1]), "{query:?}");
    }
    for query in ["include_discarded=true", "include_discarded=1"] {
        let every = items(&s.list_conversations(query).await, Some("conversations"));
        assert_eq!(ids(&every), ids(&all), "{query:?}");
    }
}

#[tokio::test]
async fn statuses_filter_by_comma_list_or_repeated_parameter() {
    let mut config = test_config();
    config.worker.concurrency = 3;
    config.service = ServiceConfig {
        max_job_attempts: 1,
        ..ServiceConfig::default()
    };
    let s = TestServer::start_with(config, Arc::new(ScriptedExtractor)).await;
    let texts = [
        ("completed", "Me: this one completes.".to_owned()),
        (
            "processing",
            format!("Me: this one never ends {}", ScriptedExtractor::HOLD),
        ),
        (
            "failed",
            format!("Me: this one fails {}", ScriptedExtractor::FAIL),
        ),
    ];
    for (_, text) in &texts {
        s.create_conversation(json!({ "text": text }))
            .await
            .expect_status(200);
    }
    let all = eventually("one conversation in each state", || async {
        let all = s.all_conversations().await;
        let states: Vec<&str> = all.iter().filter_map(|c| c["status"].as_str()).collect();
        let each = texts.iter().all(|(state, _)| states.contains(state));
        (each && all.len() == texts.len()).then_some(all)
    })
    .await;
    let id_of = |state: &str| -> String {
        all.iter()
            .find(|c| c["status"] == json!(state))
            .and_then(|c| c["id"].as_str())
            .expect("a conversation in that state")
            .to_owned()
    };

    let cases: [(&str, &[&str]); 6] = [
        ("statuses=completed", &["completed"]),
        (
            "statuses=completed,processing",
            &["completed", "processing"],
        ),
        (
            "statuses=completed&statuses=processing",
            &["completed", "processing"],
        ),
        (
            "statuses=completed&statuses=failed",
            &["completed", "failed"],
        ),
        (
            "statuses=processing,failed&statuses=completed",
            &["completed", "processing", "failed"],
        ),
        ("", &["completed", "processing", "failed"]),
    ];
    for (query, states) in cases {
        let listed = items(&s.list_conversations(query).await, Some("conversations"));
        let mut got = ids(&listed);
        let mut want: Vec<String> = states.iter().map(|st| id_of(st)).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{query:?}");
    }
    s.shutdown().await;
}

#[tokio::test]
async fn date_filters_bound_when_conversations_happened() {
    let s = TestServer::start().await;
    for day in ["2024-03-09", "2024-03-10", "2024-03-11"] {
        s.create_conversation(json!({"text": format!("Me: the diary of {day}"), "started_at": format!("{day}T12:00:00Z")}))
            .await
            .expect_status(200);
    }
    let cases: [(&str, &[&str]); 4] = [
        ("start_date=2024-03-10", &["2024-03-11", "2024-03-10"]),
        (
            "end_date=2024-03-10T23:59:59Z",
            &["2024-03-10", "2024-03-09"],
        ),
        (
            "start_date=2024-03-10T00:00:00Z&end_date=2024-03-10T23:59:59%2B00:00",
            &["2024-03-10"],
        ),
        ("start_date=2024-03-12", &[]),
    ];
    for (query, days) in cases {
        let listed = items(&s.list_conversations(query).await, Some("conversations"));
        let got: Vec<&str> = listed
            .iter()
            .map(|c| &c["started_at"].as_str().expect("started_at")[..10])
            .collect();
        assert_eq!(got, days, "{query:?}");
    }
}
