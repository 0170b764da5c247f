//! The `llm` extractor over the same fixture set as the rules (`tests/fixtures/extraction`),
//! against a local stand-in of a chat-completions endpoint that answers each text with the
//! fixture's own annotations. It shows that the prompt carries every input field and that the
//! parsing carries every output field: each expected memory, action item and event comes back
//! as the fixture gives it, for conversations and for imported texts alike.

#![cfg(feature = "llm")]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use omi_extract::identity::is_near_duplicate;
use omi_extract::{
    ConversationInput, Extractor, LlmConfig, LlmExtractor, RulesExtractor, TextInput, TextKind,
};
use serde::Deserialize;
use serde_json::{Value, json};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/extraction"
);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    source: String,
    started_at: String,
    text: String,
    memories: Vec<String>,
    action_items: Vec<String>,
    events: Vec<ExpectedEvent>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedEvent {
    title: String,
    start: String,
}

fn kind(source: &str) -> TextKind {
    match source {
        "audio_transcript" => TextKind::AudioTranscript,
        "message" => TextKind::Message,
        "email" => TextKind::Email,
        "social_post" => TextKind::SocialPost,
        _ => TextKind::Other,
    }
}

fn fixtures() -> Vec<(String, Fixture)> {
    let mut out: Vec<(String, Fixture)> = std::fs::read_dir(FIXTURES)
        .expect("the fixture folder")
        .map(|e| e.expect("a fixture entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let raw = std::fs::read_to_string(&p).expect("a readable fixture");
            let f: Fixture =
                serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name(&p), f)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn name(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// An event start as the model writes it: a date alone is read at 09:00.
fn start_of(raw: &str) -> String {
    if raw.len() == 10 {
        format!("{raw}T09:00:00Z")
    } else {
        raw.to_owned()
    }
}

/// What the stand-in knows (each fixture's annotations, by its text) and what it was asked.
#[derive(Clone, Default)]
struct StandIn {
    by_text: Arc<HashMap<String, Fixture>>,
    asked: Arc<Mutex<Vec<Value>>>,
}

/// A chat-completions endpoint that answers a text with its fixture's annotations.
async fn chat(State(s): State<StandIn>, Json(body): Json<Value>) -> Json<Value> {
    let system = body["messages"][0]["content"].as_str().unwrap_or_default();
    let user: Value = serde_json::from_str(body["messages"][1]["content"].as_str().unwrap_or("{}"))
        .unwrap_or(Value::Null);
    s.asked.lock().expect("the log").push(user.clone());
    let text = user["text"].as_str().unwrap_or_default();
    let f = s.by_text.get(text).cloned();
    let memories: Vec<Value> = f
        .iter()
        .flat_map(|f| &f.memories)
        .map(|m| json!({"content": m, "category": "system"}))
        .collect();
    let content = if system.starts_with("You find timeless facts") {
        json!({ "memories": memories })
    } else {
        let f = f.expect("a text of the fixture set");
        json!({
            "title": "Fixture",
            "overview": "What the fixture says.",
            "emoji": "🧪",
            "category": "other",
            "action_items": f.action_items.iter().map(|a| json!({"description": a, "completed": false})).collect::<Vec<_>>(),
            "events": f.events.iter().map(|e| json!({"title": e.title, "start": start_of(&e.start), "duration": 60})).collect::<Vec<_>>(),
            "memories": memories,
        })
    };
    Json(json!({
        "id": "chatcmpl-fixture",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content.to_string()}, "finish_reason": "stop"}],
    }))
}

/// The fixture's memories without the ones that repeat an earlier one (the extractor drops
/// near-duplicates among what it finds).
fn distinct(memories: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in memories {
        if !out.iter().any(|o| is_near_duplicate(o, m)) {
            out.push(m.clone());
        }
    }
    out
}

#[tokio::test]
async fn the_llm_extractor_carries_every_field_of_every_fixture() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 100, "{} fixtures", fixtures.len());
    let stand_in = StandIn {
        by_text: Arc::new(
            fixtures
                .iter()
                .map(|(_, f)| (f.text.clone(), f.clone()))
                .collect(),
        ),
        ..StandIn::default()
    };
    let app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .with_state(stand_in.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a local port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut config = LlmConfig::new(format!("http://{addr}/v1"), "fixture-model");
    config.retry_delay = Duration::from_millis(1);
    config.timeout = Duration::from_secs(10);
    let llm = LlmExtractor::new(config).expect("an extractor");

    for (name, f) in &fixtures {
        let started_at = omi_model::timestamp::parse_datetime(&f.started_at).expect("a start");
        let input = ConversationInput {
            text: &f.text,
            kind: kind(&f.source),
            started_at,
            finished_at: started_at + chrono::Duration::minutes(10),
            known_memories: &[],
        };
        let out = llm
            .conversation(&input)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let p = &out.processed;
        // Segments come from the rules, the rest from the model.
        assert_eq!(
            p.transcript_segments,
            RulesExtractor.extract(&input).processed.transcript_segments,
            "{name}"
        );
        assert_eq!(p.title, "Fixture", "{name}");
        let items: Vec<&str> = p
            .action_items
            .iter()
            .map(|a| a.description.as_str())
            .collect();
        assert_eq!(items, f.action_items, "{name}");
        let events: Vec<(String, String)> = p
            .events
            .iter()
            .map(|e| (e.title.clone(), omi_model::timestamp::format(&e.start)))
            .collect();
        let want: Vec<(String, String)> = f
            .events
            .iter()
            .map(|e| {
                let at = omi_model::timestamp::parse_datetime(&start_of(&e.start))
                    .expect("an event start");
                (e.title.clone(), omi_model::timestamp::format(&at))
            })
            .collect();
        assert_eq!(events, want, "{name}");
        let memories: Vec<String> = out.memories.iter().map(|m| m.content.clone()).collect();
        assert_eq!(memories, distinct(&f.memories), "{name}");

        let imported = llm
            .text_memories(&TextInput {
                text: &f.text,
                kind: kind(&f.source),
                known_memories: &[],
            })
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let imported: Vec<String> = imported.into_iter().map(|m| m.content).collect();
        assert_eq!(imported, distinct(&f.memories), "{name}");
    }

    // The prompt carried every input field of every conversation.
    let asked = stand_in.asked.lock().expect("the log");
    for (name, f) in &fixtures {
        let sent = asked
            .iter()
            .find(|u| u["text"] == f.text.as_str() && u.get("started_at").is_some())
            .unwrap_or_else(|| panic!("{name}: never asked"));
        assert_eq!(sent["kind"], kind(&f.source).as_str(), "{name}");
        assert!(sent["finished_at"].is_string(), "{name}");
        assert!(sent["known_memories"].is_array(), "{name}");
    }
}
