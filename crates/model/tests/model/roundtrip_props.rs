//! Properties over generated inputs.
//!
//! - Valid request bodies survive JSON unchanged (serialize, then decode as a server does) and
//!   validate; memories and conversations as the read routes return them survive JSON
//!   unchanged; list queries survive their query-string encoding.
//! - No JSON value, byte string or text makes decoding or validating any request body (the
//!   developer conversation and action item bodies included) panic,
//!   and no query string makes reading or validating a list query panic.
//!
//! Case counts are modest so the suite runs in seconds; proptest saves any failure it finds
//! under `proptest-regressions/` to replay it first next time.

use omi_model::FromQueryStr;
use std::fmt::Debug;

use chrono::{DateTime, Duration, Utc};
use omi_model::{
    ActionItem, BatchCreateActionItemsRequest, BatchCreateMemoriesRequest, Conversation,
    ConversationCategory, ConversationSource, ConversationStatus, ConversationTextSource,
    CreateActionItemRequest, CreateConversationFromSegmentsRequest, CreateConversationRequest,
    CreateGoalRequest, CreateMemoriesRequest, CreateMemoryRequest, Event, ExplicitMemoryRequest,
    Geolocation, GetConversationQuery, Goal, GoalHistoryQuery, GoalProgressQuery,
    ListActionItemsQuery, ListConversationsQuery, ListDevConversationsQuery, ListDevMemoriesQuery,
    ListGoalsQuery, ListMemoriesQuery, ListTasksQuery, Memory, MemoryCategory, MemoryTextSource,
    Structured, StructuredActionItem, TranscriptSegment, UpdateActionItemRequest,
    UpdateConversationRequest, UpdateGoalRequest, UpdateMemoryRequest, Visibility, decode,
};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::common::now;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

// ---- strategies for valid values -------------------------------------------------------------

/// A time between 1970 and 9000, at microsecond precision (what the wire keeps).
fn timestamp() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..=221_845_392_000, 0u32..1_000_000).prop_map(|(secs, micros)| {
        DateTime::from_timestamp(secs, micros * 1000).expect("in chrono's range")
    })
}

/// A character that starts a text that is not blank: neither white space nor a control
/// character (which no text may hold but for tab, newline and carriage return).
const VISIBLE: &str = "[^\\s\\p{Cc}]";

/// A text that is not blank: it starts with a character that is not white space.
fn non_blank(max_rest: usize) -> impl Strategy<Value = String> {
    let single_line = proptest::string::string_regex(&format!("{VISIBLE}\\PC{{0,{max_rest}}}"))
        .expect("a valid regex");
    prop_oneof![
        single_line,
        proptest::string::string_regex(
            "[A-Za-z]{1,10}( [a-z]{1,8}){0,4}(\n\n[A-Z][a-z]{1,8}: [a-z ]{1,20}){0,3}"
        )
        .expect("a valid regex"),
    ]
}

/// Memory content: 1..=500 characters, not blank; now and then exactly 500.
fn content() -> impl Strategy<Value = String> {
    let full = proptest::string::string_regex(&format!("{VISIBLE}{{500}}")).expect("a valid regex");
    prop_oneof![8 => non_blank(60), 1 => full]
}

fn tags() -> impl Strategy<Value = Option<Vec<String>>> {
    let tag =
        proptest::string::string_regex(&format!("{VISIBLE}\\PC{{0,20}}")).expect("a valid regex");
    option::of(vec(tag, 0..5))
}

fn language() -> impl Strategy<Value = String> {
    "[a-z]{2}(-[A-Z]{2})?|multi"
}

fn text_source_spec() -> impl Strategy<Value = String> {
    "\\PC{1,30}"
}

/// Coordinates with at most six decimals (GPS precision), within range, bounds included.
fn geolocation() -> impl Strategy<Value = Geolocation> {
    (
        -90_000_000i32..=90_000_000,
        -180_000_000i32..=180_000_000,
        option::of("\\PC{0,20}"),
        option::of("\\PC{0,40}"),
        option::of("[a-z_]{1,12}"),
    )
        .prop_map(
            |(lat, lon, google_place_id, address, location_type)| Geolocation {
                latitude: f64::from(lat) / 1e6,
                longitude: f64::from(lon) / 1e6,
                google_place_id,
                address,
                location_type,
            },
        )
}

fn valid_conversation_request() -> impl Strategy<Value = CreateConversationRequest> {
    (
        non_blank(80),
        option::of(timestamp()),
        option::of(0i64..=86_400_000_000),
        option::of(language()),
        option::of(geolocation()),
        option::of(select(ConversationTextSource::ALL)),
        option::of(text_source_spec()),
    )
        .prop_map(
            |(text, started_at, micros_later, language, geolocation, text_source, spec)| {
                // finished_at is never before started_at (or before now, when started_at
                // takes its default).
                let finished_at = micros_later
                    .map(|us| started_at.unwrap_or_else(now) + Duration::microseconds(us));
                CreateConversationRequest {
                    text,
                    started_at,
                    finished_at,
                    language,
                    geolocation,
                    text_source,
                    text_source_spec: spec,
                }
            },
        )
}

fn valid_memories_request() -> impl Strategy<Value = CreateMemoriesRequest> {
    let explicit = (content(), tags()).prop_map(|(content, tags)| ExplicitMemoryRequest {
        content,
        tags,
        ..ExplicitMemoryRequest::default()
    });
    (
        option::of(non_blank(80)),
        option::of(select(MemoryTextSource::ALL)),
        option::of(text_source_spec()),
        option::of(vec(explicit, 0..5)),
    )
        .prop_map(
            |(text, text_source, spec, memories)| CreateMemoriesRequest {
                text,
                text_source,
                text_source_spec: spec,
                memories,
                ..CreateMemoriesRequest::default()
            },
        )
        .prop_filter("text or memories", |r| {
            r.text.is_some() || r.memories.as_ref().is_some_and(|m| !m.is_empty())
        })
}

fn valid_memory_request() -> impl Strategy<Value = CreateMemoryRequest> {
    (
        content(),
        option::of(select(MemoryCategory::ALL)),
        option::of(select(Visibility::ALL)),
        tags(),
    )
        .prop_map(
            |(content, category, visibility, tags)| CreateMemoryRequest {
                content,
                category,
                visibility,
                tags,
            },
        )
}

fn valid_batch_request() -> impl Strategy<Value = BatchCreateMemoriesRequest> {
    vec(valid_memory_request(), 0..=25).prop_map(|memories| BatchCreateMemoriesRequest { memories })
}

fn valid_update_request() -> impl Strategy<Value = UpdateMemoryRequest> {
    (
        option::of(content()),
        option::of(select(Visibility::ALL)),
        tags(),
        option::of(select(MemoryCategory::ALL)),
    )
        .prop_map(
            |(content, visibility, tags, category)| UpdateMemoryRequest {
                content,
                visibility,
                tags,
                category,
            },
        )
        .prop_filter("at least one field", |r| {
            r.content.is_some()
                || r.visibility.is_some()
                || r.tags.is_some()
                || r.category.is_some()
        })
}

/// Fields a newer server might add: keys no type of this crate knows, plain JSON values.
fn unknown_fields() -> impl Strategy<Value = Map<String, Value>> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    btree_map("x_[a-z]{1,8}", leaf, 0..3).prop_map(|m| m.into_iter().collect())
}

fn memory() -> impl Strategy<Value = Memory> {
    (
        (
            "[a-z0-9_]{1,20}",
            "\\PC{0,60}",
            option::of(select(MemoryCategory::ALL)),
            option::of(select(Visibility::ALL)),
            vec("\\PC{0,12}", 0..4),
            timestamp(),
            option::of(timestamp()),
        ),
        (
            option::of(any::<bool>()),
            option::of("[0-9]{2}_[0-9]{3}_[0-9]{10}"),
            option::of(any::<bool>()),
            option::of(any::<bool>()),
            option::of(any::<bool>()),
            option::of("[a-z0-9_]{1,20}"),
            option::of("[a-z0-9-]{1,36}"),
            unknown_fields(),
        ),
    )
        .prop_map(
            |(
                (id, content, category, visibility, tags, created_at, updated_at),
                (
                    manually_added,
                    scoring,
                    reviewed,
                    user_review,
                    edited,
                    app_id,
                    conversation_id,
                    extra,
                ),
            )| Memory {
                id,
                content,
                category,
                visibility,
                tags,
                created_at,
                updated_at,
                manually_added,
                scoring,
                reviewed,
                user_review,
                edited,
                app_id,
                conversation_id,
                source_id: None,
                source_url: None,
                extra,
            },
        )
}

/// Seconds into a conversation, in milliseconds (as transcripts carry them).
fn seconds() -> impl Strategy<Value = f64> {
    (0u32..10_000_000).prop_map(|ms| f64::from(ms) / 1000.0)
}

fn transcript_segment() -> impl Strategy<Value = TranscriptSegment> {
    (
        "\\PC{0,40}",
        "SPEAKER_0[0-9]|[A-Z][a-z]{1,8}",
        option::of(0i64..10),
        any::<bool>(),
        option::of("[a-z0-9]{1,12}"),
        seconds(),
        seconds(),
        unknown_fields(),
    )
        .prop_map(
            |(text, speaker, speaker_id, is_user, person_id, start, end, extra)| {
                TranscriptSegment {
                    text,
                    speaker,
                    speaker_id,
                    is_user,
                    person_id,
                    start,
                    end,
                    extra,
                }
            },
        )
}

fn structured() -> impl Strategy<Value = Structured> {
    let action_item =
        ("\\PC{0,30}", any::<bool>()).prop_map(|(description, completed)| StructuredActionItem {
            description,
            completed,
        });
    let event = (
        "\\PC{0,20}",
        "\\PC{0,40}",
        timestamp(),
        0i64..100_000,
        any::<bool>(),
    )
        .prop_map(|(title, description, start, duration, created)| Event {
            title,
            description,
            start,
            duration,
            created,
        });
    (
        "\\PC{0,30}",
        "\\PC{0,60}",
        "\\PC{0,2}",
        select(ConversationCategory::ALL),
        vec(action_item, 0..3),
        vec(event, 0..3),
    )
        .prop_map(
            |(title, overview, emoji, category, action_items, events)| Structured {
                title,
                overview,
                emoji,
                category,
                action_items,
                events,
            },
        )
}

fn conversation() -> impl Strategy<Value = Conversation> {
    (
        (
            "[a-z0-9-]{1,36}",
            timestamp(),
            option::of(timestamp()),
            option::of(timestamp()),
            option::of(select(ConversationSource::ALL)),
            option::of(language()),
            option::of(select(ConversationStatus::ALL)),
        ),
        (
            any::<bool>(),
            option::of("[a-z0-9_]{1,20}"),
            option::of("\\PC{0,60}"),
            structured(),
            option::of(vec(transcript_segment(), 0..4)),
            option::of(geolocation()),
            unknown_fields(),
        ),
        (
            any::<bool>(),
            option::of("\\PC{1,40}"),
            option::of("\\PC{0,100}"),
        ),
    )
        .prop_map(
            |(
                (id, created_at, started_at, finished_at, source, language, status),
                (discarded, app_id, text, structured, transcript_segments, geolocation, extra),
                (starred, folder_id, folder_name),
            )| Conversation {
                id,
                created_at,
                started_at,
                finished_at,
                source,
                language,
                status,
                discarded,
                app_id,
                text,
                structured,
                transcript_segments,
                geolocation,
                starred,
                folder_id,
                folder_name,
                extra,
            },
        )
}

fn any_i64_or_none() -> impl Strategy<Value = Option<i64>> {
    option::of(prop_oneof![any::<i64>(), -5i64..1005])
}

fn list_conversations_query() -> impl Strategy<Value = ListConversationsQuery> {
    (
        any_i64_or_none(),
        any_i64_or_none(),
        option::of(any::<bool>()),
        vec(select(ConversationStatus::ALL), 0..4),
        option::of(timestamp()),
        option::of(timestamp()),
    )
        .prop_map(
            |(limit, offset, include_discarded, statuses, start_date, end_date)| {
                ListConversationsQuery {
                    limit,
                    offset,
                    include_discarded,
                    statuses,
                    start_date,
                    end_date,
                    max_transcript_segments: None,
                }
            },
        )
}

// ---- strategies for arbitrary input ----------------------------------------------------------

/// Field names the request bodies know, so generated objects reach past the first check.
const KNOWN_KEYS: &[&str] = &[
    "text",
    "started_at",
    "finished_at",
    "language",
    "geolocation",
    "latitude",
    "longitude",
    "google_place_id",
    "address",
    "location_type",
    "text_source",
    "text_source_spec",
    "memories",
    "content",
    "tags",
    "category",
    "visibility",
    "title",
    "desired_outcome",
    "why_it_matters",
    "success_criteria",
    "horizon_at",
    "goal_type",
    "target_value",
    "current_value",
    "min_value",
    "max_value",
    "unit",
    "client_session_id",
    "session_id",
    "client_id",
    "client_device_id",
    "client_platform",
    "source_id",
    "source_url",
];

/// Strings that mean something to some field.
const MEANINGFUL_STRINGS: &[&str] = &[
    "",
    " ",
    "\n\t",
    "en",
    "audio_transcript",
    "other_text",
    "email",
    "other",
    "public",
    "private",
    "system",
    "2024-03-10T15:00:00Z",
    "2024-03-10T15:00:00",
    "2024-03-10T15:00:00.1234567+14:00",
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00+23:59",
    "2024-02-30T25:61:61Z",
];

fn any_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(KNOWN_KEYS).prop_map(str::to_owned),
        1 => "\\PC{0,8}",
    ]
}

/// A JSON scalar, biased to values that mean something to some field or sit at a bound.
fn any_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        prop_oneof![-200.0f64..200.0, Just(90.0), Just(-180.0)].prop_map(Value::from),
        select(MEANINGFUL_STRINGS).prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::from),
        "\\S{495,505}".prop_map(Value::from),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = any_leaf();
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((any_key(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// Where an edit of a valid body lands: the body, its `geolocation`, or its first memory.
#[derive(Debug, Clone, Copy)]
enum Target {
    Body,
    Geolocation,
    FirstMemory,
}

/// A valid body of `valid` with one to three fields replaced or removed, in the body, its
/// `geolocation` or its first memory, so that many cases decode and reach the semantic checks.
fn edited<T: Serialize + Debug>(valid: impl Strategy<Value = T>) -> impl Strategy<Value = Value> {
    let target = select(&[Target::Body, Target::Geolocation, Target::FirstMemory][..]);
    // Mostly well typed but out of bounds, so decoding passes and a rule fails.
    let replacement = prop_oneof![
        3 => select(MEANINGFUL_STRINGS).prop_map(Value::from),
        1 => "\\S{495,505}".prop_map(Value::from),
        2 => prop_oneof![-200.0f64..200.0, Just(90.0), Just(-180.0)].prop_map(Value::from),
        1 => vec(select(MEANINGFUL_STRINGS), 0..60).prop_map(Value::from),
        1 => any_leaf(),
        1 => any_json(),
    ];
    // Half the time a field the body has, half the time any field some body may have.
    let edit = (
        target,
        any::<Index>(),
        any::<bool>(),
        option::weighted(0.85, replacement),
    );
    (valid, vec(edit, 1..4)).prop_map(|(valid, edits)| {
        let mut body = serde_json::to_value(&valid).expect("a request serializes");
        for (target, index, known, replacement) in edits {
            let object = match target {
                Target::Body => Some(&mut body),
                Target::Geolocation => body.get_mut("geolocation"),
                Target::FirstMemory => body.get_mut("memories").and_then(|m| m.get_mut(0)),
            };
            let Some(Value::Object(fields)) = object else {
                continue;
            };
            let key = if known || fields.is_empty() {
                KNOWN_KEYS[index.index(KNOWN_KEYS.len())].to_owned()
            } else {
                let present: Vec<&String> = fields.keys().collect();
                present[index.index(present.len())].clone()
            };
            match replacement {
                Some(value) => fields.insert(key, value),
                None => fields.remove(&key),
            };
        }
        body
    })
}

/// Request bodies of every kind: valid ones edited, objects of known and unknown fields, and
/// now and then any JSON at all.
fn any_body() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => edited(valid_conversation_request()),
        2 => edited(valid_memories_request()),
        2 => edited(valid_memory_request()),
        2 => edited(valid_batch_request()),
        2 => edited(valid_update_request()),
        2 => vec((any_key(), any_json()), 0..8)
            .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        1 => any_json(),
    ]
}

fn any_query_string() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        select(
            &[
                "limit",
                "offset",
                "include_discarded",
                "statuses",
                "start_date",
                "end_date",
                "categories",
                "uid",
                "include_transcript",
                "completed",
                "conversation_id",
                "due_start_date",
                "due_end_date",
                "include_inactive",
                "current_value",
                "days",
                "folder_id",
                "starred",
            ][..]
        )
        .prop_map(str::to_owned),
        "\\PC{0,6}",
    ];
    let value = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        "[0-9]{19,25}",
        select(
            &[
                "",
                "true",
                "False",
                "completed,processing",
                "interesting,bogus",
                "work,family",
                "2024-03-10",
                "2024-03-10T15:00:00%2B02:00",
                "2024-03-10T15:00:00",
                "%FF%FE",
                "%",
                "a=b=c",
            ][..]
        )
        .prop_map(str::to_owned),
        "\\PC{0,12}",
    ];
    prop_oneof![
        3 => vec((name, value), 0..6).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        }),
        1 => any::<String>(),
    ]
}

// ---- checks ----------------------------------------------------------------------------------

/// Serialize `value`, decode it back as a server decodes a body, and compare.
fn request_round_trip<T>(value: &T) -> Result<T, TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let bytes = serde_json::to_vec(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T = decode::from_json_slice(&bytes)
        .map_err(|e| TestCaseError::fail(format!("{e} for {}", String::from_utf8_lossy(&bytes))))?;
    prop_assert_eq!(&back, value);
    Ok(back)
}

/// Serialize `value`, deserialize it back with serde, and compare.
fn response_round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_string(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T =
        serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e} for {json}")))?;
    prop_assert_eq!(&back, value);
    Ok(())
}

/// Decode `bytes` into every request body and validate what decodes; none may panic.
fn decode_and_validate_everything(bytes: &[u8]) {
    if let Ok(r) = decode::from_json_slice::<CreateConversationRequest>(bytes) {
        let _ = r
            .clone()
            .validate(now(), ConversationTextSource::AudioTranscript);
        let _ = r.validate(now(), ConversationTextSource::OtherText);
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
    let _ = decode::from_json_slice::<Memory>(bytes);
    let _ = decode::from_json_slice::<Conversation>(bytes);
    decode_and_validate_developer_bodies(bytes);
}

/// The Developer API's conversation and action item bodies, as [`decode_and_validate_everything`].
fn decode_and_validate_developer_bodies(bytes: &[u8]) {
    if let Ok(r) = decode::from_json_slice::<CreateConversationRequest>(bytes) {
        let _ = r.validate_developer(now());
    }
    if let Ok(r) = decode::from_json_slice::<CreateConversationFromSegmentsRequest>(bytes) {
        let _ = r.validate(now());
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
    let _ = decode::from_json_slice::<ActionItem>(bytes);
    decode_and_validate_goal_bodies(bytes);
}

/// The goal bodies, as [`decode_and_validate_everything`]; a valid change is also applied
/// to a goal with a metric, where its bounds are checked.
fn decode_and_validate_goal_bodies(bytes: &[u8]) {
    let measured = CreateGoalRequest {
        min_value: Some(0.0),
        max_value: Some(10.0),
        ..CreateGoalRequest::new("Sleep 8 hours 😴")
    };
    let goal = Goal::create("goal_0".into(), measured.validate().expect("valid"), now());
    if let Ok(r) = decode::from_json_slice::<CreateGoalRequest>(bytes)
        && let Ok(new) = r.validate()
    {
        let made = Goal::create("goal_1".into(), new, now());
        let _ = made.with_progress(f64::MAX, now());
    }
    if let Ok(r) = decode::from_json_slice::<UpdateGoalRequest>(bytes)
        && let Ok(update) = r.validate()
    {
        let _ = update.apply(goal, now());
    }
    let _ = decode::from_json_slice::<Goal>(bytes);
}

// ---- properties ------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn valid_conversation_requests_round_trip_and_validate(request in valid_conversation_request()) {
        let back = request_round_trip(&request)?;
        for source in ConversationTextSource::ALL {
            let c = back.clone().validate(now(), *source).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(c.finished_at >= c.started_at);
            prop_assert_eq!(c.text.as_str(), request.text.trim());
            prop_assert_eq!(c.text_source, request.text_source.unwrap_or(*source));
        }
    }

    #[test]
    fn valid_memories_imports_round_trip_and_validate(request in valid_memories_request()) {
        let back = request_round_trip(&request)?;
        let import = back.validate().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(import.memories.len(), request.memories.map_or(0, |m| m.len()));
        prop_assert_eq!(import.text_source, request.text_source.unwrap_or(MemoryTextSource::Other));
    }

    #[test]
    fn valid_memory_requests_round_trip_and_validate(request in valid_memory_request()) {
        let back = request_round_trip(&request)?;
        let memory = back.validate().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(memory.content.as_str(), request.content.trim());
        prop_assert_eq!(memory.visibility, request.visibility.unwrap_or(Visibility::Private));
    }

    #[test]
    fn valid_batch_requests_round_trip_and_validate(request in valid_batch_request()) {
        let back = request_round_trip(&request)?;
        let memories = back.validate().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(memories.len(), request.memories.len());
    }

    #[test]
    fn valid_update_requests_round_trip_and_validate(request in valid_update_request()) {
        let back = request_round_trip(&request)?;
        let update = back.validate().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(update.visibility, request.visibility);
        prop_assert_eq!(update.category, request.category);
    }

    #[test]
    fn memories_round_trip(value in memory()) {
        response_round_trip(&value)?;
    }

    #[test]
    fn conversations_round_trip(value in conversation()) {
        response_round_trip(&value)?;
    }

    #[test]
    fn list_queries_round_trip_through_their_query_string(
        conversations in list_conversations_query(),
        limit in any_i64_or_none(),
        offset in any_i64_or_none(),
        categories in vec(select(MemoryCategory::ALL), 0..4),
    ) {
        let raw = serde_urlencoded::to_string(conversations.to_query_pairs())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(ListConversationsQuery::from_query_str(&raw), Ok(conversations));

        let memories = ListMemoriesQuery { limit, offset };
        let raw = serde_urlencoded::to_string(memories.to_query_pairs())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(ListMemoriesQuery::from_query_str(&raw), Ok(memories));

        let dev = ListDevMemoriesQuery { limit, offset, categories };
        let raw = serde_urlencoded::to_string(dev.to_query_pairs())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(ListDevMemoriesQuery::from_query_str(&raw), Ok(dev));
    }

    #[test]
    fn arbitrary_json_never_panics_when_decoded_and_validated(body in any_body()) {
        let bytes = serde_json::to_vec(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        decode_and_validate_everything(&bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic_when_decoded_and_validated(bytes in vec(any::<u8>(), 0..256)) {
        decode_and_validate_everything(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics_when_decoded_and_validated(text in any::<String>()) {
        decode_and_validate_everything(text.as_bytes());
    }

    #[test]
    fn arbitrary_query_strings_never_panic_when_read_and_validated(raw in any_query_string()) {
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
}
