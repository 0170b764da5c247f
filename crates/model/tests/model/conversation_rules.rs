//! The rules of the conversation create body: text not blank, timestamps with an offset,
//! `finished_at` not before `started_at`, coordinates in range and finite, and the defaults
//! (`started_at` = now, `finished_at` = `started_at` + 5 min, `language` "en", `text_source`
//! the route's).

use chrono::Duration;
use omi_model::{
    ConversationTextSource, CreateConversationRequest, Geolocation, NewConversation,
    ValidationErrors,
};
use serde_json::{Value, json};

use crate::common::{Problem, assert_problems, assert_valid, at, decode_then, now};

/// Decode and validate `body` as the integration route does (default `audio_transcript`).
fn integration(body: Value) -> Result<NewConversation, ValidationErrors> {
    decode_then(&body, |r: CreateConversationRequest| {
        r.validate(now(), ConversationTextSource::AudioTranscript)
    })
}

/// Decode and validate `body` as the developer route does (default `other_text`).
fn developer(body: Value) -> Result<NewConversation, ValidationErrors> {
    decode_then(&body, |r: CreateConversationRequest| {
        r.validate_developer(now())
    })
}

/// Assert the integration route rejects `body` with exactly `expected`.
#[track_caller]
fn check(body: Value, expected: &[Problem<'_>]) {
    assert_problems(integration(body), expected);
}

fn located(latitude: f64, longitude: f64) -> Value {
    json!({"text": "hello", "geolocation": {"latitude": latitude, "longitude": longitude}})
}

/// Validate a request built directly (for values JSON cannot carry, like NaN).
fn validate_struct(geolocation: Geolocation) -> Result<NewConversation, ValidationErrors> {
    CreateConversationRequest {
        geolocation: Some(geolocation),
        ..CreateConversationRequest::from_text("hello")
    }
    .validate(now(), ConversationTextSource::AudioTranscript)
}

// ---- text ----------------------------------------------------------------------------------

#[test]
fn conversation_text_is_required() {
    check(
        json!({"language": "en"}),
        &[("body.text", "Field required", "missing")],
    );
}

#[test]
fn conversation_empty_text_is_string_too_short() {
    check(
        json!({"text": ""}),
        &[(
            "body.text",
            "String should have at least 1 character",
            "string_too_short",
        )],
    );
}

#[test]
fn conversation_text_of_only_white_space_is_a_value_error() {
    check(
        json!({"text": " \n\t "}),
        &[(
            "body.text",
            "Value error, text cannot be empty",
            "value_error",
        )],
    );
}

#[test]
fn conversation_text_over_500000_chars_is_string_too_long() {
    check(
        json!({"text": "x".repeat(500_001)}),
        &[(
            "body.text",
            "String should have at most 500000 characters",
            "string_too_long",
        )],
    );
    assert_valid(integration(json!({"text": "x".repeat(500_000)})));
}

#[test]
fn conversation_text_is_stored_trimmed() {
    let c = assert_valid(integration(json!({"text": "\n  John: Hi Sarah  \n"})));
    assert_eq!(c.text.as_str(), "John: Hi Sarah");
}

// ---- defaults ------------------------------------------------------------------------------

#[test]
fn conversation_started_at_defaults_to_now() {
    let c = assert_valid(integration(json!({"text": "hello"})));
    assert_eq!(c.started_at, now());
}

#[test]
fn conversation_finished_at_defaults_to_started_at_plus_5_minutes() {
    let c = assert_valid(integration(json!({"text": "hello"})));
    assert_eq!(c.finished_at, at("2024-03-10T15:05:00Z"));
    let c = assert_valid(integration(
        json!({"text": "hello", "started_at": "2024-01-01T08:00:00Z"}),
    ));
    assert_eq!(c.started_at, at("2024-01-01T08:00:00Z"));
    assert_eq!(c.finished_at, at("2024-01-01T08:05:00Z"));
}

#[test]
fn conversation_language_defaults_to_en() {
    let c = assert_valid(integration(json!({"text": "hello"})));
    assert_eq!(c.language.as_str(), "en");
    let c = assert_valid(integration(json!({"text": "olá", "language": "pt-BR"})));
    assert_eq!(c.language.as_str(), "pt-BR");
}

#[test]
fn conversation_text_source_defaults_to_audio_transcript_on_the_integration_route() {
    let c = assert_valid(integration(json!({"text": "hello"})));
    assert_eq!(c.text_source, ConversationTextSource::AudioTranscript);
}

#[test]
fn conversation_text_source_defaults_to_other_text_when_the_developer_default_is_passed() {
    let c = assert_valid(developer(json!({"text": "hello"})));
    assert_eq!(c.text_source, ConversationTextSource::OtherText);
}

#[test]
fn conversation_given_text_source_overrides_the_route_default() {
    let c = assert_valid(developer(
        json!({"text": "hello", "text_source": "message"}),
    ));
    assert_eq!(c.text_source, ConversationTextSource::Message);
    let c = assert_valid(integration(
        json!({"text": "hello", "text_source": "other_text"}),
    ));
    assert_eq!(c.text_source, ConversationTextSource::OtherText);
}

#[test]
fn conversation_optional_fields_default_to_none() {
    let c = assert_valid(integration(json!({"text": "hello"})));
    assert_eq!(c.geolocation, None);
    assert_eq!(c.text_source_spec, None);
}

#[test]
fn conversation_unknown_text_source_is_enum() {
    check(
        json!({"text": "hello", "text_source": "fax"}),
        &[(
            "body.text_source",
            "Input should be 'audio_transcript', 'message' or 'other_text'",
            "enum",
        )],
    );
}

// ---- timestamps ----------------------------------------------------------------------------

#[test]
fn conversation_finished_before_started_is_a_value_error() {
    check(
        json!({
            "text": "hello",
            "started_at": "2024-03-10T15:00:00Z",
            "finished_at": "2024-03-10T14:59:59.999999Z"
        }),
        &[(
            "body.finished_at",
            "Value error, finished_at must not be earlier than started_at",
            "value_error",
        )],
    );
}

#[test]
fn conversation_finished_at_equal_to_started_at_is_accepted() {
    let c = assert_valid(integration(json!({
        "text": "hello",
        "started_at": "2024-03-10T15:00:00Z",
        "finished_at": "2024-03-10T15:00:00Z"
    })));
    assert_eq!(c.finished_at, c.started_at);
}

#[test]
fn conversation_started_at_without_offset_is_timezone_aware() {
    check(
        json!({"text": "hello", "started_at": "2024-03-10T15:00:00"}),
        &[(
            "body.started_at",
            "Input should have timezone info",
            "timezone_aware",
        )],
    );
}

#[test]
fn conversation_finished_at_without_offset_is_timezone_aware() {
    check(
        json!({"text": "hello", "finished_at": "2024-03-10 15:05:00.123"}),
        &[(
            "body.finished_at",
            "Input should have timezone info",
            "timezone_aware",
        )],
    );
}

#[test]
fn conversation_timestamps_with_an_offset_are_kept_in_utc_microseconds() {
    let c = assert_valid(integration(json!({
        "text": "hello",
        "started_at": "2024-03-10T17:00:00.1234567+02:00",
        "finished_at": "2024-03-10T10:05:00-05:00"
    })));
    assert_eq!(c.started_at, at("2024-03-10T15:00:00.123456Z"));
    assert_eq!(c.finished_at, at("2024-03-10T15:05:00Z"));
}

#[test]
fn conversation_unreadable_timestamp_is_datetime_parsing() {
    let err = integration(json!({"text": "hello", "started_at": "yesterday"}))
        .expect_err("not a timestamp");
    let [item] = err.items() else {
        panic!("one problem expected, got {err}")
    };
    assert_eq!(item.loc.to_string(), "body.started_at");
    assert_eq!(item.kind, "datetime_parsing");
    assert!(
        item.msg.starts_with("Input should be a valid datetime"),
        "{}",
        item.msg
    );
}

// ---- geolocation ---------------------------------------------------------------------------

#[test]
fn conversation_latitude_above_90_is_less_than_equal() {
    check(
        located(90.000001, 0.0),
        &[(
            "body.geolocation.latitude",
            "Input should be less than or equal to 90",
            "less_than_equal",
        )],
    );
}

#[test]
fn conversation_latitude_below_minus_90_is_greater_than_equal() {
    check(
        located(-91.0, 0.0),
        &[(
            "body.geolocation.latitude",
            "Input should be greater than or equal to -90",
            "greater_than_equal",
        )],
    );
}

#[test]
fn conversation_longitude_above_180_is_less_than_equal() {
    check(
        located(0.0, 180.5),
        &[(
            "body.geolocation.longitude",
            "Input should be less than or equal to 180",
            "less_than_equal",
        )],
    );
}

#[test]
fn conversation_longitude_below_minus_180_is_greater_than_equal() {
    check(
        located(0.0, -181.0),
        &[(
            "body.geolocation.longitude",
            "Input should be greater than or equal to -180",
            "greater_than_equal",
        )],
    );
}

#[test]
fn conversation_coordinates_at_their_bounds_are_accepted() {
    for (latitude, longitude) in [(90.0, 180.0), (-90.0, -180.0), (0.0, 0.0)] {
        let c = assert_valid(integration(located(latitude, longitude)));
        assert_eq!(c.geolocation, Some(Geolocation::new(latitude, longitude)));
    }
}

/// NaN and infinities cannot come through JSON, so the struct is built directly.
#[test]
fn conversation_coordinates_must_be_finite() {
    const NOT_FINITE: &str = "Input should be a finite number";
    assert_problems(
        validate_struct(Geolocation::new(f64::NAN, 0.0)),
        &[("body.geolocation.latitude", NOT_FINITE, "finite_number")],
    );
    assert_problems(
        validate_struct(Geolocation::new(0.0, f64::INFINITY)),
        &[("body.geolocation.longitude", NOT_FINITE, "finite_number")],
    );
    assert_problems(
        validate_struct(Geolocation::new(f64::NEG_INFINITY, f64::NAN)),
        &[
            ("body.geolocation.latitude", NOT_FINITE, "finite_number"),
            ("body.geolocation.longitude", NOT_FINITE, "finite_number"),
        ],
    );
}

#[test]
fn conversation_geolocation_needs_both_coordinates() {
    check(
        json!({"text": "hello", "geolocation": {"latitude": 1.0}}),
        &[("body.geolocation.longitude", "Field required", "missing")],
    );
}

#[test]
fn conversation_geolocation_texts_over_500_chars_are_string_too_long() {
    let long = "a".repeat(501);
    check(
        json!({"text": "hello", "geolocation": {
            "latitude": 1.0, "longitude": 2.0,
            "google_place_id": long, "address": "fine", "location_type": long
        }}),
        &[
            (
                "body.geolocation.google_place_id",
                "String should have at most 500 characters",
                "string_too_long",
            ),
            (
                "body.geolocation.location_type",
                "String should have at most 500 characters",
                "string_too_long",
            ),
        ],
    );
}

// ---- other fields --------------------------------------------------------------------------

#[test]
fn conversation_text_source_spec_over_200_chars_is_string_too_long() {
    check(
        json!({"text": "hello", "text_source_spec": "s".repeat(201)}),
        &[(
            "body.text_source_spec",
            "String should have at most 200 characters",
            "string_too_long",
        )],
    );
}

#[test]
fn conversation_text_source_spec_may_be_empty_as_in_omis_cloud() {
    let c = assert_valid(integration(
        json!({"text": "hello", "text_source_spec": ""}),
    ));
    assert_eq!(
        c.text_source_spec.map(|s| s.into_inner()),
        Some(String::new())
    );
}

#[test]
fn conversation_language_must_be_a_code() {
    check(
        json!({"text": "hello", "language": "en US"}),
        &[(
            "body.language",
            "Value error, language must be a code of letters, digits, '-' or '_' (e.g. 'en')",
            "value_error",
        )],
    );
}

#[test]
fn conversation_every_problem_in_one_body_is_reported() {
    check(
        json!({
            "text": "   ",
            "language": "",
            "started_at": "2024-03-10T15:00:00Z",
            "finished_at": "2024-03-10T14:00:00Z",
            "geolocation": {"latitude": 91, "longitude": -181},
            "text_source_spec": "s".repeat(201)
        }),
        &[
            (
                "body.text",
                "Value error, text cannot be empty",
                "value_error",
            ),
            (
                "body.language",
                "String should have at least 1 character",
                "string_too_short",
            ),
            (
                "body.geolocation.latitude",
                "Input should be less than or equal to 90",
                "less_than_equal",
            ),
            (
                "body.geolocation.longitude",
                "Input should be greater than or equal to -180",
                "greater_than_equal",
            ),
            (
                "body.text_source_spec",
                "String should have at most 200 characters",
                "string_too_long",
            ),
            (
                "body.finished_at",
                "Value error, finished_at must not be earlier than started_at",
                "value_error",
            ),
        ],
    );
}

#[test]
fn conversation_default_duration_is_5_minutes() {
    assert_eq!(NewConversation::DEFAULT_DURATION, Duration::minutes(5));
}
