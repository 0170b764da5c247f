//! The fuzz targets: each takes raw bytes, feeds them to entry points that read user input,
//! and panics when one panics or returns something out of its bounds.
//!
//! A target must be deterministic, so that a saved input replays the same way: where a target
//! needs more than the text (a kind of text, a start time), it derives it from a hash of the
//! input.

use chrono::{DateTime, Duration, Utc};
use omi_extract::{ConversationInput, RulesExtractor, TextInput, TextKind};
use omi_model::FromQueryStr;
use omi_model::{
    ActionItem, BatchCreateActionItemsRequest, BatchCreateMemoriesRequest, Conversation,
    ConversationTextSource, CreateActionItemRequest, CreateConversationFromSegmentsRequest,
    CreateConversationRequest, CreateGoalRequest, CreateMemoriesRequest, CreateMemoryRequest,
    GetConversationQuery, Goal, GoalHistoryQuery, GoalProgressQuery, ListActionItemsQuery,
    ListConversationsQuery, ListDevConversationsQuery, ListDevMemoriesQuery, ListGoalsQuery,
    ListMemoriesQuery, ListTasksQuery, Memory, SearchMemoriesQuery, UpdateActionItemRequest,
    UpdateConversationRequest, UpdateGoalRequest, UpdateMemoryRequest, decode,
};

use crate::checks;

/// What a target's input is, which decides its seeds and how it is mutated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Text a user writes: conversations, imported texts, memory contents.
    Text,
    /// A JSON request body.
    Json,
    /// A URL query string.
    Query,
}

/// One fuzz target.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Its name, as given to `--target` and used in the names of saved inputs.
    pub name: &'static str,
    /// What it exercises.
    pub about: &'static str,
    /// What its input is.
    pub input: InputKind,
    /// Run one input; panics on a bug.
    pub run: fn(&[u8]),
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "extract_conversation",
        about: "conversation processing by the rules extractor, every kind of text",
        input: InputKind::Text,
        run: extract_conversation,
    },
    Target {
        name: "extract_memories",
        about: "memory extraction from an imported text, every kind of text",
        input: InputKind::Text,
        run: extract_memories,
    },
    Target {
        name: "memory_words",
        about: "content_words, indexed_words, similarity, is_near_duplicate, content_key, \
                categorize_memory",
        input: InputKind::Text,
        run: memory_words,
    },
    Target {
        name: "search_terms",
        about: "index_terms and query_phrases: bounded terms, and every word of a text finds it",
        input: InputKind::Text,
        run: search_terms,
    },
    Target {
        name: "decode_bodies",
        about: "every request body decoded from JSON and validated",
        input: InputKind::Json,
        run: decode_bodies,
    },
    Target {
        name: "query_strings",
        about: "every list query read from a query string and validated",
        input: InputKind::Query,
        run: query_strings,
    },
];

/// The target named `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Every kind of text, in the order a hash picks them.
pub const KINDS: [TextKind; 5] = [
    TextKind::AudioTranscript,
    TextKind::Message,
    TextKind::Email,
    TextKind::SocialPost,
    TextKind::Other,
];

/// Start times a hash picks from: an ordinary day and both ends of what the wire can write.
const STARTS: [&str; 3] = [
    "2024-03-10T15:00:00Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
];

/// FNV-1a: a stable 64-bit hash (the standard library's hashers may change between releases).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn start_time(hash: u64) -> DateTime<Utc> {
    let raw = STARTS[(hash / 5 % STARTS.len() as u64) as usize];
    omi_model::timestamp::parse_datetime(raw).unwrap_or_default()
}

fn kind(hash: u64) -> TextKind {
    KINDS[(hash % KINDS.len() as u64) as usize]
}

/// Conversation processing, with every bound of its output checked.
fn extract_conversation(bytes: &[u8]) {
    let text = text(bytes);
    let hash = fnv1a(bytes);
    let started_at = start_time(hash);
    let known = vec![text.chars().take(100).collect::<String>()];
    let out = RulesExtractor.extract(&ConversationInput {
        text: &text,
        kind: kind(hash),
        started_at,
        finished_at: started_at + Duration::minutes(3),
        known_memories: &known,
    });
    checks::conversation(&out, &text, 180.0);
}

/// Memory extraction from an imported text.
fn extract_memories(bytes: &[u8]) {
    let text = text(bytes);
    let found = RulesExtractor.extract_memories(&TextInput {
        text: &text,
        kind: kind(fnv1a(bytes)),
        known_memories: &[],
    });
    checks::memories(&found, &text);
}

/// The functions that read memory contents; the input is two contents, split at the first
/// line break (or in the middle).
fn memory_words(bytes: &[u8]) {
    let text = text(bytes);
    let (a, b) = text.split_once('\n').unwrap_or_else(|| {
        let middle = text.char_indices().nth(text.chars().count() / 2);
        text.split_at(middle.map_or(0, |(i, _)| i))
    });
    checks::memory_functions(a, b);
    checks::memory_functions(b, a);
}

/// The search analysis of a text, and of each of its lines as a query.
fn search_terms(bytes: &[u8]) {
    let text = text(bytes);
    for line in text.lines().take(8) {
        checks::search_functions(&text, line);
    }
}

/// Every request body, decoded and validated.
fn decode_bodies(bytes: &[u8]) {
    let now = omi_model::timestamp::parse_datetime(STARTS[0]).unwrap_or_default();
    if let Ok(r) = decode::from_json_slice::<CreateConversationRequest>(bytes) {
        let _ = r
            .clone()
            .validate(now, ConversationTextSource::AudioTranscript);
        let _ = r.validate_developer(now);
    }
    if let Ok(r) = decode::from_json_slice::<CreateMemoriesRequest>(bytes) {
        let _ = r.validate();
    }
    if let Ok(r) = decode::from_json_slice::<CreateMemoryRequest>(bytes) {
        let _ = r.validate();
    }
    if let Ok(r) = decode::from_json_slice::<BatchCreateMemoriesRequest>(bytes) {
        let _ = r.validate();
    }
    if let Ok(r) = decode::from_json_slice::<UpdateMemoryRequest>(bytes) {
        let _ = r.validate();
    }
    if let Ok(r) = decode::from_json_slice::<CreateConversationFromSegmentsRequest>(bytes) {
        let _ = r.validate(now);
    }
    if let Ok(r) = decode::from_json_slice::<UpdateConversationRequest>(bytes) {
        let _ = r.validate();
    }
    if let Ok(r) = decode::from_json_slice::<CreateActionItemRequest>(bytes) {
        let _ = r.validate();
    }
    if let Ok(r) = decode::from_json_slice::<BatchCreateActionItemsRequest>(bytes) {
        let _ = r.validate();
    }
    if let Ok(r) = decode::from_json_slice::<UpdateActionItemRequest>(bytes) {
        let _ = r.validate();
    }
    let _ = decode::from_json_slice::<Memory>(bytes);
    let _ = decode::from_json_slice::<Conversation>(bytes);
    let _ = decode::from_json_slice::<ActionItem>(bytes);
    let _ = serde_json::from_slice::<serde_json::Value>(bytes);
    goal_bodies(bytes, now);
}

/// The goal bodies: a valid create is made into a goal and given progress; a valid change
/// is applied to a goal with bounds.
fn goal_bodies(bytes: &[u8], now: DateTime<Utc>) {
    if let Ok(r) = decode::from_json_slice::<CreateGoalRequest>(bytes)
        && let Ok(new) = r.validate()
    {
        let _ = Goal::create("goal_1".into(), new, now).with_progress(-1e308, now);
    }
    if let Ok(r) = decode::from_json_slice::<UpdateGoalRequest>(bytes)
        && let Ok(update) = r.validate()
    {
        let bounded = CreateGoalRequest {
            min_value: Some(0.0),
            max_value: Some(10.0),
            ..CreateGoalRequest::new("A goal")
        };
        if let Ok(new) = bounded.validate() {
            let _ = update.apply(Goal::create("goal_0".into(), new, now), now);
        }
    }
}

/// Every list query, read from a query string and validated.
fn query_strings(bytes: &[u8]) {
    let raw = text(bytes);
    if let Ok(q) = ListConversationsQuery::from_query_str(&raw) {
        let _ = q.validate();
    }
    if let Ok(q) = ListMemoriesQuery::from_query_str(&raw) {
        let _ = q.validate();
    }
    if let Ok(q) = ListDevMemoriesQuery::from_query_str(&raw) {
        let _ = q.validate();
    }
    if let Ok(q) = ListDevConversationsQuery::from_query_str(&raw) {
        let _ = q.validate();
    }
    if let Ok(q) = ListActionItemsQuery::from_query_str(&raw) {
        let _ = q.validate();
    }
    let _ = GetConversationQuery::from_query_str(&raw);
    if let Ok(q) = SearchMemoriesQuery::from_query_str(&raw) {
        let _ = q.validate();
    }
    if let Ok(q) = ListTasksQuery::from_query_str(&raw) {
        let _ = q.validate();
    }
    if let Ok(q) = ListGoalsQuery::from_query_str(&raw) {
        let _ = q.validate();
    }
    if let Ok(q) = GoalProgressQuery::from_query_str(&raw) {
        let _ = q.validate();
    }
    if let Ok(q) = GoalHistoryQuery::from_query_str(&raw) {
        let _ = q.validate();
    }
}
