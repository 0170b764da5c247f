//! Every example of the two API reference texts (`integration-imports.txt`,
//! `developer-memories-api.txt`), snapshotted.
//!
//! The JSON examples are copied verbatim into `tests/fixtures/spec/` (see the README there for
//! where each comes from and the few mechanical edits: shell quoting undone, `datetime.now()`
//! replaced by fixed timestamps, `...` placeholders removed). Request examples are decoded and
//! validated against a fixed clock with the route's default text source, and the validated
//! value is snapshotted. Response examples are decoded into the response types and serialized
//! again; nothing of the original may be lost, and the re-serialized JSON is snapshotted.
//! The query strings of the read examples are inline below.

use omi_model::FromQueryStr;
use std::collections::BTreeSet;
use std::fmt::Debug;

use omi_model::{
    BatchCreateMemoriesRequest, BatchMemoriesResponse, ConversationTextSource,
    ConversationsResponse, CreateConversationRequest, CreateMemoriesRequest, CreateMemoryRequest,
    EmptyResponse, ListConversationsQuery, ListDevMemoriesQuery, ListMemoriesQuery,
    MemoriesResponse, Memory, SuccessResponse, UpdateMemoryRequest, ValidationErrors, decode,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::common::{assert_superset, now, spec_fixture, spec_fixture_dir};

/// Every fixture file, each checked by one test below.
const FIXTURES: &[&str] = &[
    "integration_create_conversation_body.json",
    "integration_create_conversation_response.json",
    "integration_create_conversation_audio_transcript.json",
    "integration_create_conversation_audio_transcript_python.json",
    "integration_create_conversation_email.json",
    "integration_create_conversation_email_python.json",
    "integration_create_conversation_social_post_location.json",
    "integration_create_conversation_social_post_location_python.json",
    "integration_create_conversation_sms.json",
    "integration_create_conversation_sms_python.json",
    "integration_list_conversations_response.json",
    "integration_list_memories_response.json",
    "integration_create_memories_body.json",
    "integration_create_memories_response.json",
    "integration_create_memories_email.json",
    "integration_create_memories_email_python.json",
    "integration_create_memories_social_post.json",
    "integration_create_memories_social_post_python.json",
    "integration_create_memories_health_app.json",
    "integration_create_memories_health_app_python.json",
    "integration_create_memories_explicit.json",
    "integration_create_memories_explicit_python.json",
    "dev_list_memories_response.json",
    "dev_create_memory_body.json",
    "dev_create_memory_response.json",
    "dev_batch_create_body.json",
    "dev_batch_create_response.json",
    "dev_batch_create_response_with_created_at.json",
    "dev_batch_create_user_facts_python.json",
    "dev_update_memory_body.json",
    "dev_update_memory_response.json",
    "dev_delete_memory_response.json",
];

fn snapshot_name(file: &str) -> &str {
    file.strip_suffix(".json").unwrap_or(file)
}

/// Decode a request example as a server would, validate it, and snapshot the validated value.
#[track_caller]
fn request<T: DeserializeOwned, O: Debug>(
    file: &str,
    validate: impl FnOnce(T) -> Result<O, ValidationErrors>,
) {
    let bytes = spec_fixture(file);
    let validated = decode::from_json_slice::<T>(&bytes)
        .and_then(validate)
        .unwrap_or_else(|e| panic!("{file} must decode and validate, got: {e}"));
    insta::with_settings!({ description => format!("tests/fixtures/spec/{file}, validated") }, {
        insta::assert_debug_snapshot!(snapshot_name(file), validated);
    });
}

/// Decode a response example, serialize it again, check nothing was lost, and snapshot it.
#[track_caller]
fn response<T: DeserializeOwned + Serialize>(file: &str) {
    let original: Value = serde_json::from_slice(&spec_fixture(file))
        .unwrap_or_else(|e| panic!("{file} must be JSON: {e}"));
    let decoded: T = serde_json::from_value(original.clone())
        .unwrap_or_else(|e| panic!("{file} must decode into the response type: {e}"));
    let reserialized = serde_json::to_value(&decoded).expect("a response serializes");
    assert_superset(&original, &reserialized);
    insta::with_settings!({ description => format!("tests/fixtures/spec/{file}, re-serialized") }, {
        insta::assert_json_snapshot!(snapshot_name(file), reserialized);
    });
}

/// The integration conversation route's validation: its default text source is
/// `audio_transcript`.
fn integration_conversation(r: CreateConversationRequest) -> Result<impl Debug, ValidationErrors> {
    r.validate(now(), ConversationTextSource::AudioTranscript)
}

fn memories_import(r: CreateMemoriesRequest) -> Result<impl Debug, ValidationErrors> {
    r.validate()
}

fn dev_memory(r: CreateMemoryRequest) -> Result<impl Debug, ValidationErrors> {
    r.validate()
}

fn dev_batch(r: BatchCreateMemoriesRequest) -> Result<impl Debug, ValidationErrors> {
    r.validate()
}

fn dev_update(r: UpdateMemoryRequest) -> Result<impl Debug, ValidationErrors> {
    r.validate()
}

#[test]
fn every_fixture_file_is_listed_and_tested() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(spec_fixture_dir())
        .expect("the fixture folder exists")
        .map(|entry| entry.expect("a readable entry").file_name())
        .filter_map(|name| name.into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    let listed: BTreeSet<String> = FIXTURES.iter().map(|f| (*f).to_owned()).collect();
    assert_eq!(on_disk, listed);
}

// ---- integration-imports.txt: Create Conversation ----------------------------------------

#[test]
fn integration_create_conversation_body() {
    request(
        "integration_create_conversation_body.json",
        integration_conversation,
    );
}

#[test]
fn integration_create_conversation_response() {
    response::<EmptyResponse>("integration_create_conversation_response.json");
}

#[test]
fn integration_create_conversation_audio_transcript() {
    request(
        "integration_create_conversation_audio_transcript.json",
        integration_conversation,
    );
}

#[test]
fn integration_create_conversation_audio_transcript_python() {
    request(
        "integration_create_conversation_audio_transcript_python.json",
        integration_conversation,
    );
}

#[test]
fn integration_create_conversation_email() {
    request(
        "integration_create_conversation_email.json",
        integration_conversation,
    );
}

#[test]
fn integration_create_conversation_email_python() {
    request(
        "integration_create_conversation_email_python.json",
        integration_conversation,
    );
}

#[test]
fn integration_create_conversation_social_post_location() {
    request(
        "integration_create_conversation_social_post_location.json",
        integration_conversation,
    );
}

#[test]
fn integration_create_conversation_social_post_location_python() {
    request(
        "integration_create_conversation_social_post_location_python.json",
        integration_conversation,
    );
}

#[test]
fn integration_create_conversation_sms() {
    request(
        "integration_create_conversation_sms.json",
        integration_conversation,
    );
}

#[test]
fn integration_create_conversation_sms_python() {
    request(
        "integration_create_conversation_sms_python.json",
        integration_conversation,
    );
}

// ---- integration-imports.txt: Read Conversations, Read Memories ---------------------------

#[test]
fn integration_list_conversations_response() {
    response::<ConversationsResponse>("integration_list_conversations_response.json");
}

#[test]
fn integration_list_memories_response() {
    response::<MemoriesResponse>("integration_list_memories_response.json");
}

/// The Python example's `params` dict, as `requests` encodes it (`False` becomes "False").
#[test]
fn integration_list_conversations_query_python() {
    let q = ListConversationsQuery::from_query_str(
        "uid=user_123&limit=50&offset=0&include_discarded=False",
    )
    .expect("the example query parses");
    insta::assert_debug_snapshot!(q.validate().expect("the example query is valid"));
}

#[test]
fn integration_list_conversations_query_curl() {
    let q = ListConversationsQuery::from_query_str("uid=user_123&limit=50&offset=0")
        .expect("the example query parses");
    insta::assert_debug_snapshot!(q.validate().expect("the example query is valid"));
}

/// Both the Python `params` dict and the cURL URL send `limit=100&offset=0`.
#[test]
fn integration_list_memories_query() {
    let q = ListMemoriesQuery::from_query_str("uid=user_123&limit=100&offset=0")
        .expect("the example query parses");
    insta::assert_debug_snapshot!(q.validate().expect("the example query is valid"));
}

// ---- integration-imports.txt: Create Memories ---------------------------------------------

#[test]
fn integration_create_memories_body() {
    request("integration_create_memories_body.json", memories_import);
}

#[test]
fn integration_create_memories_response() {
    response::<EmptyResponse>("integration_create_memories_response.json");
}

#[test]
fn integration_create_memories_email() {
    request("integration_create_memories_email.json", memories_import);
}

#[test]
fn integration_create_memories_email_python() {
    request(
        "integration_create_memories_email_python.json",
        memories_import,
    );
}

#[test]
fn integration_create_memories_social_post() {
    request(
        "integration_create_memories_social_post.json",
        memories_import,
    );
}

#[test]
fn integration_create_memories_social_post_python() {
    request(
        "integration_create_memories_social_post_python.json",
        memories_import,
    );
}

#[test]
fn integration_create_memories_health_app() {
    request(
        "integration_create_memories_health_app.json",
        memories_import,
    );
}

#[test]
fn integration_create_memories_health_app_python() {
    request(
        "integration_create_memories_health_app_python.json",
        memories_import,
    );
}

#[test]
fn integration_create_memories_explicit() {
    request("integration_create_memories_explicit.json", memories_import);
}

#[test]
fn integration_create_memories_explicit_python() {
    request(
        "integration_create_memories_explicit_python.json",
        memories_import,
    );
}

// ---- developer-memories-api.txt ------------------------------------------------------------

#[test]
fn dev_list_memories_response() {
    response::<Vec<Memory>>("dev_list_memories_response.json");
}

#[test]
fn dev_list_memories_query() {
    let q = ListDevMemoriesQuery::from_query_str("limit=50&categories=interesting")
        .expect("the example query parses");
    insta::assert_debug_snapshot!(q.validate().expect("the example query is valid"));
}

#[test]
fn dev_create_memory_body() {
    request("dev_create_memory_body.json", dev_memory);
}

#[test]
fn dev_create_memory_response() {
    response::<Memory>("dev_create_memory_response.json");
}

#[test]
fn dev_batch_create_body() {
    request("dev_batch_create_body.json", dev_batch);
}

/// The spec's batch response elides each memory's other fields with `...`, which is not
/// JSON; `dev_batch_create_response.json` is the same example with the `...` removed. What
/// was elided includes `created_at`, which every memory OMI returns carries and [`Memory`]
/// requires, so the example as printed is rejected, naming the field.
#[test]
fn dev_batch_create_response_without_its_elided_fields_lacks_created_at() {
    let bytes = spec_fixture("dev_batch_create_response.json");
    let err = serde_json::from_slice::<BatchMemoriesResponse>(&bytes)
        .expect_err("the elided example has no created_at");
    assert!(
        err.to_string().starts_with("missing field `created_at`"),
        "{err}"
    );
}

/// The same example with only the required `created_at` filled in (the time of the single
/// create example) decodes and round-trips without loss.
#[test]
fn dev_batch_create_response_with_created_at() {
    response::<BatchMemoriesResponse>("dev_batch_create_response_with_created_at.json");
}

#[test]
fn dev_batch_create_user_facts_python() {
    request("dev_batch_create_user_facts_python.json", dev_batch);
}

#[test]
fn dev_update_memory_body() {
    request("dev_update_memory_body.json", dev_update);
}

#[test]
fn dev_update_memory_response() {
    response::<Memory>("dev_update_memory_response.json");
}

#[test]
fn dev_delete_memory_response() {
    response::<SuccessResponse>("dev_delete_memory_response.json");
}
