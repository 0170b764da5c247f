//! No user text holds a control character (Unicode general category Cc) other than tab,
//! newline and carriage return: NUL, escape, bell, DEL, NEL... are one `value_error` per
//! field that holds one, in every body, so that SQLite and PostgreSQL keep the same texts.
//! Unusual but legitimate text (emoji sequences, joiners, direction marks, combining marks,
//! CJK) stays accepted.

use omi_model::validation::msg::CONTROL_CHARACTERS;
use omi_model::{
    BatchCreateActionItemsRequest, BatchCreateMemoriesRequest, ConversationTextSource,
    CreateActionItemRequest, CreateConversationFromSegmentsRequest, CreateConversationRequest,
    CreateMemoriesRequest, CreateMemoryRequest, UpdateActionItemRequest, UpdateConversationRequest,
    UpdateMemoryRequest, ValidationErrors,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::common::{assert_problems, assert_valid, decode_then, now};

/// The control-character problem's type.
const VALUE_ERROR: &str = "value_error";

/// Decode `body` as `T` and validate it with `validate`, keeping only whether it passed.
fn validated<T: DeserializeOwned>(
    body: &Value,
    validate: impl FnOnce(T) -> Result<(), ValidationErrors>,
) -> Result<(), ValidationErrors> {
    decode_then(body, validate)
}

/// Every body that carries user text, validated as its route does.
#[derive(Debug, Clone, Copy)]
enum Body {
    DevMemory,
    DevMemoryBatch,
    DevMemoryUpdate,
    MemoriesImport,
    IntegrationConversation,
    DevConversation,
    DevConversationFromSegments,
    DevConversationUpdate,
    ActionItem,
    ActionItemBatch,
    ActionItemUpdate,
}

fn validate(kind: Body, body: &Value) -> Result<(), ValidationErrors> {
    match kind {
        Body::DevMemory => validated(body, |r: CreateMemoryRequest| r.validate().map(drop)),
        Body::DevMemoryBatch => {
            validated(body, |r: BatchCreateMemoriesRequest| r.validate().map(drop))
        }
        Body::DevMemoryUpdate => validated(body, |r: UpdateMemoryRequest| r.validate().map(drop)),
        Body::MemoriesImport => validated(body, |r: CreateMemoriesRequest| r.validate().map(drop)),
        Body::IntegrationConversation => validated(body, |r: CreateConversationRequest| {
            r.validate(now(), ConversationTextSource::AudioTranscript)
                .map(drop)
        }),
        Body::DevConversation => validated(body, |r: CreateConversationRequest| {
            r.validate_developer(now()).map(drop)
        }),
        Body::DevConversationFromSegments => {
            validated(body, |r: CreateConversationFromSegmentsRequest| {
                r.validate(now()).map(drop)
            })
        }
        Body::DevConversationUpdate => {
            validated(body, |r: UpdateConversationRequest| r.validate().map(drop))
        }
        Body::ActionItem => validated(body, |r: CreateActionItemRequest| r.validate().map(drop)),
        Body::ActionItemBatch => validated(body, |r: BatchCreateActionItemsRequest| {
            r.validate().map(drop)
        }),
        Body::ActionItemUpdate => {
            validated(body, |r: UpdateActionItemRequest| r.validate().map(drop))
        }
    }
}

/// Assert that `body` is refused with one control-character problem at each of `locs`.
#[track_caller]
fn check_refused(kind: Body, body: Value, locs: &[&str]) {
    let expected: Vec<(&str, &str, &str)> = locs
        .iter()
        .map(|loc| (*loc, CONTROL_CHARACTERS, VALUE_ERROR))
        .collect();
    assert_problems(validate(kind, &body), &expected);
}

/// `text` with a NUL inside.
fn nul(text: &str) -> String {
    format!("{text}\u{0} and more")
}

#[test]
fn memory_content_and_tags_refuse_control_characters() {
    let body = json!({"content": nul("User likes tea"), "tags": ["ok", "bell\u{7}"]});
    check_refused(Body::DevMemory, body, &["body.content", "body.tags.1"]);
    let batch = json!({"memories": [{"content": "fine"}, {"content": "esc\u{1B}[31m red"}]});
    check_refused(Body::DevMemoryBatch, batch, &["body.memories.1.content"]);
    let update = json!({"content": "del\u{7F}", "tags": ["\u{85}next line"]});
    check_refused(
        Body::DevMemoryUpdate,
        update,
        &["body.content", "body.tags.0"],
    );
}

#[test]
fn an_import_refuses_control_characters_in_its_text_spec_and_memories() {
    let body = json!({
        "text": nul("Me: I love tea."),
        "text_source_spec": "sms\u{0}",
        "memories": [{"content": nul("User likes tea"), "tags": ["\u{1}"]}],
    });
    check_refused(
        Body::MemoriesImport,
        body,
        &[
            "body.text",
            "body.text_source_spec",
            "body.memories.0.content",
            "body.memories.0.tags.0",
        ],
    );
}

#[test]
fn a_conversation_refuses_control_characters_in_every_text_field() {
    let geolocation = json!({
        "latitude": 1.0, "longitude": 2.0,
        "google_place_id": "p\u{0}", "address": "Main St\u{1F}", "location_type": "\u{0}",
    });
    let body = json!({
        "text": nul("Me: hello"),
        "language": "en\u{0}",
        "text_source_spec": "\u{0}",
        "geolocation": geolocation,
    });
    let locs = [
        "body.text",
        "body.language",
        "body.geolocation.google_place_id",
        "body.geolocation.address",
        "body.geolocation.location_type",
        "body.text_source_spec",
    ];
    check_refused(Body::IntegrationConversation, body.clone(), &locs);
    check_refused(Body::DevConversation, body, &locs);
}

#[test]
fn transcript_segments_refuse_control_characters_in_text_speaker_and_person() {
    let body = json!({
        "transcript_segments": [
            {"text": "Hello", "start": 0.0, "end": 1.0},
            {"text": nul("Hi"), "speaker": "SPEAKER\u{0}", "person_id": "p\u{3}",
             "start": 1.0, "end": 2.0},
        ],
        "language": "\u{0}",
    });
    check_refused(
        Body::DevConversationFromSegments,
        body,
        &[
            "body.transcript_segments.1.text",
            "body.transcript_segments.1.speaker",
            "body.transcript_segments.1.person_id",
            "body.language",
        ],
    );
}

#[test]
fn a_conversation_title_refuses_control_characters() {
    let body = json!({"title": nul("Lunch")});
    check_refused(Body::DevConversationUpdate, body, &["body.title"]);
}

#[test]
fn a_folder_id_refuses_control_characters() {
    let body = json!({"folder_id": nul("f1"), "starred": true});
    check_refused(Body::DevConversationUpdate, body, &["body.folder_id"]);
}

#[test]
fn action_item_descriptions_refuse_control_characters() {
    check_refused(
        Body::ActionItem,
        json!({"description": nul("Buy milk")}),
        &["body.description"],
    );
    let batch = json!({"action_items": [{"description": "ok"}, {"description": "\u{0}x"}]});
    check_refused(
        Body::ActionItemBatch,
        batch,
        &["body.action_items.1.description"],
    );
    check_refused(
        Body::ActionItemUpdate,
        json!({"description": nul("Buy milk")}),
        &["body.description"],
    );
}

#[test]
fn a_text_too_long_and_with_a_control_character_is_one_problem_the_length() {
    let content = format!("\u{0}{}", "x".repeat(500));
    assert_problems(
        validate(Body::DevMemory, &json!({ "content": content })),
        &[(
            "body.content",
            "String should have at most 500 characters",
            "string_too_long",
        )],
    );
}

/// Text a person may well send: tab, newline and carriage return, emoji (with joiners and
/// skin tones), direction marks and overrides, combining marks, a BOM, CJK, astral letters.
const UNUSUAL_BUT_FINE: &[&str] = &[
    "Line one\nline two\r\n\tindented",
    "Family: 👩\u{200D}👩\u{200D}👧 and 👍🏽",
    "שלום \u{200F}RTL\u{202E}override\u{202C}",
    "e\u{0301} cafe\u{0301} n\u{0303}",
    "\u{FEFF}starts with a BOM",
    "日本語のテキスト, 中文, 한국어",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u{10FFFF}",
    "zero\u{200B}width and soft\u{00AD}hyphen",
];

#[test]
fn unusual_but_legitimate_text_is_accepted_in_every_body() {
    for text in UNUSUAL_BUT_FINE {
        let bodies = [
            (Body::DevMemory, json!({"content": text, "tags": [text]})),
            (
                Body::MemoriesImport,
                json!({"text": text, "text_source_spec": text}),
            ),
            (Body::DevConversation, json!({"text": text})),
            (
                Body::DevConversationFromSegments,
                json!({"transcript_segments": [
                    {"text": text, "speaker": text, "person_id": text, "start": 0.0, "end": 1.0}
                ]}),
            ),
            (Body::DevConversationUpdate, json!({"title": text})),
            (Body::DevConversationUpdate, json!({"folder_id": text})),
            (Body::ActionItem, json!({"description": text})),
        ];
        for (kind, body) in bodies {
            assert_valid(validate(kind, &body));
        }
    }
}
