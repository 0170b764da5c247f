//! The rules of the Developer API's conversation and action item bodies: the text create's
//! 100 000 characters, the from-segments body (1..=500 segments, text not blank, start >= 0,
//! end after start, `finished_at` from the span), the PATCH bodies' "at least one field", and
//! action item descriptions (1..=500, not blank) in single creates and batches of at most 50.

use chrono::Duration;
use omi_model::{
    ActionItemUpdate, BatchCreateActionItemsRequest, ConversationSource, ConversationTextSource,
    ConversationUpdate, CreateActionItemRequest, CreateConversationFromSegmentsRequest,
    CreateConversationRequest, NewActionItem, NewConversation, NewTranscriptConversation,
    UpdateActionItemRequest, UpdateConversationRequest, ValidationErrors,
};
use serde_json::{Value, json};

use crate::common::{assert_problems, assert_valid, at, decode_then, now};

fn text_create(body: Value) -> Result<NewConversation, ValidationErrors> {
    decode_then(&body, |r: CreateConversationRequest| {
        r.validate_developer(now())
    })
}

fn segments(body: Value) -> Result<NewTranscriptConversation, ValidationErrors> {
    decode_then(&body, |r: CreateConversationFromSegmentsRequest| {
        r.validate(now())
    })
}

fn conversation_patch(body: Value) -> Result<ConversationUpdate, ValidationErrors> {
    decode_then(&body, |r: UpdateConversationRequest| r.validate())
}

fn item(body: Value) -> Result<NewActionItem, ValidationErrors> {
    decode_then(&body, |r: CreateActionItemRequest| r.validate())
}

fn batch(body: Value) -> Result<Vec<NewActionItem>, ValidationErrors> {
    decode_then(&body, |r: BatchCreateActionItemsRequest| r.validate())
}

fn item_patch(body: Value) -> Result<ActionItemUpdate, ValidationErrors> {
    decode_then(&body, |r: UpdateActionItemRequest| r.validate())
}

fn segment(text: &str, start: f64, end: f64) -> Value {
    json!({"text": text, "start": start, "end": end})
}

// ---- conversations from a text -------------------------------------------------------------

#[test]
fn developer_text_is_at_most_100_000_characters() {
    assert_problems(
        text_create(json!({"text": "a".repeat(100_001)})),
        &[(
            "body.text",
            "String should have at most 100000 characters",
            "string_too_long",
        )],
    );
    assert_valid(text_create(json!({"text": "a".repeat(100_000)})));
}

#[test]
fn developer_text_source_defaults_to_other_text() {
    let c = assert_valid(text_create(json!({"text": "a note"})));
    assert_eq!(c.text_source, ConversationTextSource::OtherText);
    assert_eq!(c.finished_at, now() + Duration::minutes(5));
}

// ---- conversations from segments -----------------------------------------------------------

#[test]
fn segments_are_required_and_at_least_one() {
    assert_problems(
        segments(json!({})),
        &[("body.transcript_segments", "Field required", "missing")],
    );
    assert_problems(
        segments(json!({"transcript_segments": []})),
        &[(
            "body.transcript_segments",
            "List should have at least 1 item after validation, not 0",
            "too_short",
        )],
    );
}

#[test]
fn segments_are_at_most_500() {
    let many: Vec<Value> = (0..501)
        .map(|i| segment("hi", f64::from(i), f64::from(i) + 1.0))
        .collect();
    assert_problems(
        segments(json!({"transcript_segments": many})),
        &[(
            "body.transcript_segments",
            "List should have at most 500 items after validation, not 501",
            "too_long",
        )],
    );
    let most: Vec<Value> = (0..500)
        .map(|i| segment("hi", f64::from(i), f64::from(i) + 1.0))
        .collect();
    assert_eq!(
        assert_valid(segments(json!({"transcript_segments": most})))
            .segments
            .len(),
        500
    );
}

#[test]
fn a_segment_text_is_not_blank() {
    assert_problems(
        segments(json!({"transcript_segments": [segment(" \n", 0.0, 1.0)]})),
        &[(
            "body.transcript_segments.0.text",
            "Value error, text cannot be empty",
            "value_error",
        )],
    );
}

#[test]
fn a_segment_starts_at_or_after_zero() {
    assert_problems(
        segments(json!({"transcript_segments": [segment("hi", -0.5, 1.0)]})),
        &[(
            "body.transcript_segments.0.start",
            "Input should be greater than or equal to 0",
            "greater_than_equal",
        )],
    );
}

#[test]
fn a_segment_ends_after_it_starts() {
    assert_problems(
        segments(
            json!({"transcript_segments": [segment("hi", 0.0, 1.0), segment("there", 2.0, 2.0)]}),
        ),
        &[(
            "body.transcript_segments.1.end",
            "Value error, end must be after start",
            "value_error",
        )],
    );
}

#[test]
fn a_segment_needs_its_start_and_end() {
    assert_problems(
        segments(json!({"transcript_segments": [{"text": "hi", "end": 1.0}]})),
        &[(
            "body.transcript_segments.0.start",
            "Field required",
            "missing",
        )],
    );
}

#[test]
fn segments_default_to_the_phone_source_and_finish_after_their_span() {
    let c = assert_valid(segments(json!({
        "transcript_segments": [segment("hi", 0.0, 2.5), segment("there", 3.0, 65.25)],
        "started_at": "2024-05-01T09:00:00Z"
    })));
    assert_eq!(c.source, ConversationSource::Phone);
    assert_eq!(c.client_session_id, None);
    assert_eq!(c.started_at, at("2024-05-01T09:00:00Z"));
    assert_eq!(c.finished_at, at("2024-05-01T09:01:05.250Z"));
    assert_eq!(c.segments[0].speaker, "SPEAKER_00");
    assert!(!c.segments[0].is_user);
    assert_eq!(c.language.as_str(), "en");
}

#[test]
fn segments_finished_at_is_not_before_started_at() {
    assert_problems(
        segments(json!({
            "transcript_segments": [segment("hi", 0.0, 1.0)],
            "started_at": "2024-05-01T09:00:00Z",
            "finished_at": "2024-05-01T08:00:00Z"
        })),
        &[(
            "body.finished_at",
            "Value error, finished_at must not be earlier than started_at",
            "value_error",
        )],
    );
}

#[test]
fn a_session_id_is_read_under_each_of_the_clouds_names_and_trimmed() {
    for name in [
        "client_session_id",
        "client_conversation_id",
        "session_id",
        "client_id",
    ] {
        let c = assert_valid(segments(json!({
            "transcript_segments": [segment("hi", 0.0, 1.0)],
            name: " 録音-2026-12-06 🎙 ",
            "client_device_id": "ios_ab12",
            "client_platform": " ios ",
        })));
        let session = c.client_session_id.expect("a session id");
        assert_eq!(session.as_str(), "録音-2026-12-06 🎙", "{name}");
        assert_eq!(c.client_platform.as_deref(), Some("ios"));
        assert_eq!(c.client_device_id.as_deref(), Some("ios_ab12"));
    }
}

#[test]
fn a_session_id_is_one_to_two_hundred_characters_not_blank() {
    let with = |session: &str| {
        segments(
            json!({"transcript_segments": [segment("hi", 0.0, 1.0)], "client_session_id": session}),
        )
    };
    assert_problems(
        with(""),
        &[(
            "body.client_session_id",
            "String should have at least 1 character",
            "string_too_short",
        )],
    );
    assert_problems(
        with("   "),
        &[(
            "body.client_session_id",
            "Value error, client_session_id cannot be empty",
            "value_error",
        )],
    );
    assert_problems(
        with(&"セ".repeat(201)),
        &[(
            "body.client_session_id",
            "String should have at most 200 characters",
            "string_too_long",
        )],
    );
    assert_valid(with(&"セ".repeat(200)));
}

#[test]
fn segments_take_any_source_omi_knows() {
    let c = assert_valid(segments(
        json!({"transcript_segments": [segment("hi", 0.0, 1.0)], "source": "apple_watch"}),
    ));
    assert_eq!(c.source, ConversationSource::AppleWatch);
}

// ---- conversation PATCH --------------------------------------------------------------------

#[test]
fn a_conversation_patch_needs_title_or_discarded() {
    assert_problems(
        conversation_patch(json!({})),
        &[(
            "body",
            "At least one field (title or discarded) must be provided",
            "value_error",
        )],
    );
    assert_valid(conversation_patch(json!({"discarded": false})));
}

#[test]
fn a_conversation_title_is_1_to_500_characters_and_not_blank() {
    assert_problems(
        conversation_patch(json!({"title": ""})),
        &[(
            "body.title",
            "String should have at least 1 character",
            "string_too_short",
        )],
    );
    assert_problems(
        conversation_patch(json!({"title": "  "})),
        &[(
            "body.title",
            "Value error, title cannot be empty",
            "value_error",
        )],
    );
    assert_problems(
        conversation_patch(json!({"title": "t".repeat(501)})),
        &[(
            "body.title",
            "String should have at most 500 characters",
            "string_too_long",
        )],
    );
    let u = assert_valid(conversation_patch(json!({"title": " Groceries "})));
    assert_eq!(
        u.title.map(|t| t.into_inner()),
        Some("Groceries".to_owned())
    );
}

// ---- action items --------------------------------------------------------------------------

#[test]
fn an_action_item_description_is_1_to_500_characters_and_not_blank() {
    assert_problems(
        item(json!({})),
        &[("body.description", "Field required", "missing")],
    );
    assert_problems(
        item(json!({"description": ""})),
        &[(
            "body.description",
            "String should have at least 1 character",
            "string_too_short",
        )],
    );
    assert_problems(
        item(json!({"description": " \t"})),
        &[(
            "body.description",
            "Value error, description cannot be empty",
            "value_error",
        )],
    );
    assert_problems(
        item(json!({"description": "d".repeat(501)})),
        &[(
            "body.description",
            "String should have at most 500 characters",
            "string_too_long",
        )],
    );
}

#[test]
fn an_action_item_is_open_by_default_and_keeps_its_due_time_in_utc() {
    let i = assert_valid(item(
        json!({"description": "Pay rent", "due_at": "2024-06-01T09:00:00+02:00"}),
    ));
    assert!(!i.completed);
    assert_eq!(i.due_at, Some(at("2024-06-01T07:00:00Z")));
}

#[test]
fn an_action_item_due_time_needs_an_offset() {
    assert_problems(
        item(json!({"description": "Pay rent", "due_at": "2024-06-01T09:00:00"})),
        &[(
            "body.due_at",
            "Input should have timezone info",
            "timezone_aware",
        )],
    );
}

#[test]
fn a_batch_holds_at_most_50_action_items() {
    let many: Vec<Value> = (0..51)
        .map(|i| json!({"description": format!("Item {i}")}))
        .collect();
    assert_problems(
        batch(json!({"action_items": many})),
        &[(
            "body.action_items",
            "List should have at most 50 items after validation, not 51",
            "too_long",
        )],
    );
}

#[test]
fn a_batch_reports_every_bad_item() {
    assert_problems(
        batch(
            json!({"action_items": [{"description": " "}, {"description": "ok"}, {"description": ""}]}),
        ),
        &[
            (
                "body.action_items.0.description",
                "Value error, description cannot be empty",
                "value_error",
            ),
            (
                "body.action_items.2.description",
                "String should have at least 1 character",
                "string_too_short",
            ),
        ],
    );
}

#[test]
fn an_action_item_patch_needs_a_field_and_null_is_no_field() {
    for body in [json!({}), json!({"due_at": null, "description": null})] {
        assert_problems(
            item_patch(body),
            &[("body", "At least one field must be provided", "value_error")],
        );
    }
    assert_valid(item_patch(json!({"completed": false})));
}
