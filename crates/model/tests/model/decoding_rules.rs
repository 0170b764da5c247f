//! The rules of decoding a JSON body (`decode::from_json_slice`): malformed JSON, a body that
//! is not an object, wrongly typed and missing fields, each reported as FastAPI does, all at
//! once, at their full path.

use omi_model::{
    BatchCreateMemoriesRequest, CreateConversationRequest, CreateMemoryRequest, ValidationErrors,
    decode,
};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::common::{Problem, assert_problems};

/// Assert that decoding `bytes` into `T` fails with exactly `expected`.
#[track_caller]
fn check<T: DeserializeOwned + std::fmt::Debug>(bytes: &[u8], expected: &[Problem<'_>]) {
    assert_problems(decode::from_json_slice::<T>(bytes), expected);
}

fn decode_memory(bytes: &[u8]) -> Result<CreateMemoryRequest, ValidationErrors> {
    decode::from_json_slice(bytes)
}

const NOT_AN_OBJECT: &str = "Input should be a valid dictionary or object to extract fields from";

/// The position is Python's `JSONDecodeError.pos`, which FastAPI reports: a character offset.
#[test]
fn malformed_json_is_json_invalid_at_its_character_offset() {
    check::<CreateMemoryRequest>(
        br#"{"content": x}"#,
        &[("body.12", "JSON decode error", "json_invalid")],
    );
    check::<CreateMemoryRequest>(
        b"{\n  \"content\": \"a\",\n  oops\n}",
        &[("body.22", "JSON decode error", "json_invalid")],
    );
    check::<CreateMemoryRequest>(
        "\n\n{\"content\": \"é\",\n x}".as_bytes(),
        &[("body.20", "JSON decode error", "json_invalid")],
    );
}

/// At the end of the input the position is the input's length, as Python reports it.
#[test]
fn truncated_json_is_json_invalid_at_its_end() {
    check::<CreateMemoryRequest>(
        br#"{"content": "#,
        &[("body.12", "JSON decode error", "json_invalid")],
    );
    check::<CreateMemoryRequest>(
        r#"{"content": "é""#.as_bytes(),
        &[("body.15", "JSON decode error", "json_invalid")],
    );
    check::<CreateMemoryRequest>(b"{", &[("body.1", "JSON decode error", "json_invalid")]);
}

#[test]
fn empty_body_is_json_invalid() {
    check::<CreateMemoryRequest>(b"", &[("body.0", "JSON decode error", "json_invalid")]);
}

#[test]
fn body_that_is_not_an_object_is_model_attributes_type() {
    for body in [&b"[1, 2]"[..], b"null", b"\"text\"", b"42", b"true"] {
        check::<CreateConversationRequest>(
            body,
            &[("body", NOT_AN_OBJECT, "model_attributes_type")],
        );
    }
}

#[test]
fn wrongly_typed_field_is_reported_with_its_pydantic_type() {
    check::<CreateMemoryRequest>(
        br#"{"content": 5}"#,
        &[(
            "body.content",
            "Input should be a valid string",
            "string_type",
        )],
    );
    check::<CreateMemoryRequest>(
        br#"{"content": "x", "tags": "food"}"#,
        &[("body.tags", "Input should be a valid list", "list_type")],
    );
    check::<CreateConversationRequest>(
        br#"{"text": "x", "geolocation": {"latitude": "north", "longitude": 0}}"#,
        &[(
            "body.geolocation.latitude",
            "Input should be a valid number",
            "float_type",
        )],
    );
}

#[test]
fn every_wrongly_typed_field_in_one_body_is_reported() {
    check::<CreateConversationRequest>(
        br#"{"text": 1, "started_at": "2024-03-10T15:00:00", "language": true, "text_source": "fax"}"#,
        &[
            ("body.text", "Input should be a valid string", "string_type"),
            (
                "body.started_at",
                "Input should have timezone info",
                "timezone_aware",
            ),
            ("body.language", "Input should be a valid string", "string_type"),
            (
                "body.text_source",
                "Input should be 'audio_transcript', 'message' or 'other_text'",
                "enum",
            ),
        ],
    );
}

#[test]
fn missing_required_field_is_reported_beside_a_wrongly_typed_one() {
    check::<CreateMemoryRequest>(
        br#"{"visibility": "secret", "tags": "food"}"#,
        &[
            (
                "body.visibility",
                "Input should be 'public' or 'private'",
                "enum",
            ),
            ("body.tags", "Input should be a valid list", "list_type"),
            ("body.content", "Field required", "missing"),
        ],
    );
    check::<CreateConversationRequest>(
        br#"{"language": 7}"#,
        &[
            (
                "body.language",
                "Input should be a valid string",
                "string_type",
            ),
            ("body.text", "Field required", "missing"),
        ],
    );
}

#[test]
fn missing_nested_field_is_reported_beside_a_wrongly_typed_one() {
    check::<CreateConversationRequest>(
        br#"{"text": 1, "geolocation": {"latitude": 1}}"#,
        &[
            ("body.text", "Input should be a valid string", "string_type"),
            ("body.geolocation.longitude", "Field required", "missing"),
        ],
    );
}

#[test]
fn nested_problem_carries_its_full_path() {
    check::<BatchCreateMemoriesRequest>(
        br#"{"memories": [{"content": "ok"}, {"content": ["x"]}]}"#,
        &[(
            "body.memories.1.content",
            "Input should be a valid string",
            "string_type",
        )],
    );
    check::<BatchCreateMemoriesRequest>(
        br#"{"memories": [{"content": "ok"}, {"tags": []}]}"#,
        &[("body.memories.1.content", "Field required", "missing")],
    );
}

#[test]
fn loc_serializes_as_a_list_of_names_and_indexes() {
    let err = decode::from_json_slice::<BatchCreateMemoriesRequest>(
        br#"{"memories": [{"content": "ok"}, {"content": 1}]}"#,
    )
    .expect_err("a number is not a string");
    assert_eq!(
        serde_json::to_value(&err).expect("errors serialize"),
        json!([{
            "loc": ["body", "memories", 1, "content"],
            "msg": "Input should be a valid string",
            "type": "string_type"
        }])
    );
}

#[test]
fn unknown_body_fields_are_ignored() {
    let request = decode_memory(br#"{"content": "x", "source": "zapier", "priority": 3}"#)
        .expect("unknown fields are ignored");
    assert_eq!(request, CreateMemoryRequest::new("x"));
}

#[test]
fn null_optional_fields_are_absent() {
    let request =
        decode_memory(br#"{"content": "x", "visibility": null, "tags": null, "category": null}"#)
            .expect("null is absent");
    assert_eq!(request, CreateMemoryRequest::new("x"));
}
