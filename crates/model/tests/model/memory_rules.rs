//! The rules of memory bodies: the developer create, batch and update routes and the
//! integration memories import. Content is 1..=500 characters and not blank; tags are at most
//! 50, each 1..=100 characters and not blank; a batch holds at most 25; an update names at
//! least one field; an import carries text or memories.

use omi_model::{
    BatchCreateMemoriesRequest, CreateMemoriesRequest, CreateMemoryRequest, MemoriesImport,
    MemoryCategory, MemoryTextSource, MemoryUpdate, NewMemory, UpdateMemoryRequest,
    ValidationErrors, Visibility,
};
use serde_json::{Value, json};

use crate::common::{Problem, assert_problems, assert_valid, decode_then};

/// The routes whose bodies hold memories.
#[derive(Debug, Clone, Copy)]
enum Route {
    /// `POST /v1/dev/user/memories`.
    Create,
    /// `POST /v1/dev/user/memories/batch`.
    Batch,
    /// `PATCH /v1/dev/user/memories/{id}`.
    Update,
    /// `POST /v2/integrations/{app_id}/user/memories`.
    Import,
}

fn create(body: Value) -> Result<NewMemory, ValidationErrors> {
    decode_then(&body, |r: CreateMemoryRequest| r.validate())
}

fn batch(body: Value) -> Result<Vec<NewMemory>, ValidationErrors> {
    decode_then(&body, |r: BatchCreateMemoriesRequest| r.validate())
}

fn update(body: Value) -> Result<MemoryUpdate, ValidationErrors> {
    decode_then(&body, |r: UpdateMemoryRequest| r.validate())
}

fn import(body: Value) -> Result<MemoriesImport, ValidationErrors> {
    decode_then(&body, |r: CreateMemoriesRequest| r.validate())
}

/// Send `body` to `route` and assert it is rejected with exactly `expected`.
#[track_caller]
fn check(route: Route, body: Value, expected: &[Problem<'_>]) {
    match route {
        Route::Create => assert_problems(create(body), expected),
        Route::Batch => assert_problems(batch(body), expected),
        Route::Update => assert_problems(update(body), expected),
        Route::Import => assert_problems(import(body), expected),
    }
}

fn chars(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}

const TOO_SHORT: &str = "String should have at least 1 character";
const CONTENT_TOO_LONG: &str = "String should have at most 500 characters";
const CONTENT_BLANK: &str = "Value error, content cannot be empty";
const TAG_TOO_LONG: &str = "String should have at most 100 characters";
const TAG_BLANK: &str = "Value error, tag cannot be empty";

// ---- content -------------------------------------------------------------------------------

#[test]
fn memory_content_empty_is_string_too_short() {
    check(
        Route::Create,
        json!({"content": ""}),
        &[("body.content", TOO_SHORT, "string_too_short")],
    );
}

#[test]
fn memory_content_over_500_chars_is_string_too_long() {
    check(
        Route::Create,
        json!({"content": chars('x', 501)}),
        &[("body.content", CONTENT_TOO_LONG, "string_too_long")],
    );
}

#[test]
fn memory_content_of_500_chars_is_accepted() {
    let memory = assert_valid(create(json!({"content": chars('x', 500)})));
    assert_eq!(memory.content.as_str().chars().count(), 500);
}

#[test]
fn memory_content_length_counts_characters_not_bytes() {
    let memory = assert_valid(create(json!({"content": chars('é', 500)})));
    assert_eq!(memory.content.as_str().len(), 1000);
    assert_valid(create(json!({"content": chars('🧠', 500)})));
    check(
        Route::Create,
        json!({"content": chars('é', 501)}),
        &[("body.content", CONTENT_TOO_LONG, "string_too_long")],
    );
}

#[test]
fn memory_content_of_only_white_space_is_a_value_error() {
    check(
        Route::Create,
        json!({"content": " \t\n "}),
        &[("body.content", CONTENT_BLANK, "value_error")],
    );
}

#[test]
fn memory_content_is_stored_trimmed() {
    let memory = assert_valid(create(json!({"content": "  User is vegetarian\n"})));
    assert_eq!(memory.content.as_str(), "User is vegetarian");
}

#[test]
fn memory_content_is_required() {
    check(
        Route::Create,
        json!({"category": "system"}),
        &[("body.content", "Field required", "missing")],
    );
}

#[test]
fn memory_visibility_defaults_to_private() {
    let memory = assert_valid(create(json!({"content": "User is vegetarian"})));
    assert_eq!(memory.visibility, Visibility::Private);
    let memory = assert_valid(create(
        json!({"content": "User is vegetarian", "visibility": "public"}),
    ));
    assert_eq!(memory.visibility, Visibility::Public);
}

#[test]
fn memory_category_is_left_unset_to_be_chosen_automatically() {
    let memory = assert_valid(create(json!({"content": "User is vegetarian"})));
    assert_eq!(memory.category, None);
    let memory = assert_valid(create(
        json!({"content": "User is vegetarian", "category": "manual"}),
    ));
    assert_eq!(memory.category, Some(MemoryCategory::Manual));
}

#[test]
fn memory_unknown_visibility_is_enum() {
    check(
        Route::Create,
        json!({"content": "x", "visibility": "secret"}),
        &[(
            "body.visibility",
            "Input should be 'public' or 'private'",
            "enum",
        )],
    );
}

#[test]
fn memory_unknown_category_is_enum() {
    check(
        Route::Create,
        json!({"content": "x", "category": "hobby"}),
        &[(
            "body.category",
            "Input should be 'interesting', 'system', 'manual', 'core', 'hobbies', 'lifestyle', 'interests', 'habits', 'work', 'skills', 'learnings' or 'other'",
            "enum",
        )],
    );
}

// ---- tags ----------------------------------------------------------------------------------

#[test]
fn memory_tags_default_to_none() {
    let memory = assert_valid(create(json!({"content": "x"})));
    assert!(memory.tags.as_slice().is_empty());
    let memory = assert_valid(create(json!({"content": "x", "tags": null})));
    assert!(memory.tags.as_slice().is_empty());
}

#[test]
fn memory_over_50_tags_is_too_long() {
    let tags: Vec<String> = (0..51).map(|i| format!("tag{i}")).collect();
    check(
        Route::Create,
        json!({"content": "x", "tags": tags}),
        &[(
            "body.tags",
            "List should have at most 50 items after validation, not 51",
            "too_long",
        )],
    );
}

#[test]
fn memory_with_50_tags_is_accepted() {
    let tags: Vec<String> = (0..50).map(|i| format!("tag{i}")).collect();
    let memory = assert_valid(create(json!({"content": "x", "tags": tags})));
    assert_eq!(memory.tags.as_slice().len(), 50);
}

#[test]
fn memory_tag_over_100_chars_is_string_too_long() {
    check(
        Route::Create,
        json!({"content": "x", "tags": ["ok", chars('t', 101)]}),
        &[("body.tags.1", TAG_TOO_LONG, "string_too_long")],
    );
}

#[test]
fn memory_tag_of_100_chars_is_accepted() {
    let memory = assert_valid(create(json!({"content": "x", "tags": [chars('t', 100)]})));
    assert_eq!(memory.tags.to_strings(), [chars('t', 100)]);
}

#[test]
fn memory_empty_tag_is_string_too_short() {
    check(
        Route::Create,
        json!({"content": "x", "tags": [""]}),
        &[("body.tags.0", TOO_SHORT, "string_too_short")],
    );
}

#[test]
fn memory_blank_tag_is_a_value_error() {
    check(
        Route::Create,
        json!({"content": "x", "tags": ["food", "  "]}),
        &[("body.tags.1", TAG_BLANK, "value_error")],
    );
}

#[test]
fn memory_every_bad_tag_is_reported_at_its_index() {
    check(
        Route::Create,
        json!({"content": "x", "tags": ["", "fine", " ", chars('t', 101)]}),
        &[
            ("body.tags.0", TOO_SHORT, "string_too_short"),
            ("body.tags.2", TAG_BLANK, "value_error"),
            ("body.tags.3", TAG_TOO_LONG, "string_too_long"),
        ],
    );
}

#[test]
fn memory_content_and_tag_problems_are_reported_together() {
    check(
        Route::Create,
        json!({"content": "", "tags": [" "]}),
        &[
            ("body.content", TOO_SHORT, "string_too_short"),
            ("body.tags.0", TAG_BLANK, "value_error"),
        ],
    );
}

// ---- batch ---------------------------------------------------------------------------------

fn memories(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"content": format!("fact {i}")}))
        .collect()
}

#[test]
fn batch_of_26_memories_is_too_long() {
    check(
        Route::Batch,
        json!({"memories": memories(26)}),
        &[(
            "body.memories",
            "List should have at most 25 items after validation, not 26",
            "too_long",
        )],
    );
}

#[test]
fn batch_of_25_memories_is_accepted() {
    let created = assert_valid(batch(json!({"memories": memories(25)})));
    assert_eq!(created.len(), 25);
    assert_eq!(created[24].content.as_str(), "fact 24");
}

#[test]
fn batch_needs_its_memories_field() {
    check(
        Route::Batch,
        json!({}),
        &[("body.memories", "Field required", "missing")],
    );
}

#[test]
fn batch_items_follow_the_content_rules_at_their_index() {
    check(
        Route::Batch,
        json!({"memories": [
            {"content": "fine"},
            {"content": ""},
            {"content": chars('x', 501)},
            {"content": "   "},
        ]}),
        &[
            ("body.memories.1.content", TOO_SHORT, "string_too_short"),
            (
                "body.memories.2.content",
                CONTENT_TOO_LONG,
                "string_too_long",
            ),
            ("body.memories.3.content", CONTENT_BLANK, "value_error"),
        ],
    );
}

#[test]
fn batch_items_follow_the_tag_rules_at_their_index() {
    check(
        Route::Batch,
        json!({"memories": [
            {"content": "fine", "tags": ["a", "b", " "]},
            {"content": "fine", "tags": [chars('t', 101)]},
        ]}),
        &[
            ("body.memories.0.tags.2", TAG_BLANK, "value_error"),
            ("body.memories.1.tags.0", TAG_TOO_LONG, "string_too_long"),
        ],
    );
}

#[test]
fn batch_items_take_the_single_create_defaults() {
    let created = assert_valid(batch(
        json!({"memories": [{"content": "x"}, {"content": "y", "visibility": "public"}]}),
    ));
    assert_eq!(created[0].visibility, Visibility::Private);
    assert_eq!(created[1].visibility, Visibility::Public);
}

// ---- update --------------------------------------------------------------------------------

const NOTHING_TO_UPDATE: &str =
    "At least one field (content, visibility, tags, or category) must be provided";

#[test]
fn update_without_any_field_is_rejected_at_body() {
    check(
        Route::Update,
        json!({}),
        &[("body", NOTHING_TO_UPDATE, "value_error")],
    );
}

#[test]
fn update_with_only_null_fields_is_rejected_at_body() {
    check(
        Route::Update,
        json!({"content": null, "visibility": null, "tags": null, "category": null}),
        &[("body", NOTHING_TO_UPDATE, "value_error")],
    );
}

#[test]
fn update_with_any_single_field_is_accepted() {
    let change = assert_valid(update(json!({"content": "User is vegan"})));
    assert_eq!(
        change.content.map(|c| c.into_inner()).as_deref(),
        Some("User is vegan")
    );
    let change = assert_valid(update(json!({"visibility": "public"})));
    assert_eq!(change.visibility, Some(Visibility::Public));
    let change = assert_valid(update(json!({"tags": []})));
    assert_eq!(change.tags.map(|t| t.to_strings()), Some(vec![]));
    let change = assert_valid(update(json!({"category": "interesting"})));
    assert_eq!(change.category, Some(MemoryCategory::Interesting));
}

#[test]
fn update_content_follows_the_content_rules() {
    check(
        Route::Update,
        json!({"content": chars('x', 501)}),
        &[("body.content", CONTENT_TOO_LONG, "string_too_long")],
    );
    check(
        Route::Update,
        json!({"content": ""}),
        &[("body.content", TOO_SHORT, "string_too_short")],
    );
    check(
        Route::Update,
        json!({"content": "  "}),
        &[("body.content", CONTENT_BLANK, "value_error")],
    );
}

#[test]
fn update_tags_follow_the_tag_rules() {
    check(
        Route::Update,
        json!({"tags": ["ok", ""]}),
        &[("body.tags.1", TOO_SHORT, "string_too_short")],
    );
}

// ---- integration import --------------------------------------------------------------------

const NOTHING_TO_IMPORT: &str = "Either text or explicit memories are required and cannot be empty";

#[test]
fn import_without_text_or_memories_is_rejected_at_body() {
    check(
        Route::Import,
        json!({}),
        &[("body", NOTHING_TO_IMPORT, "value_error")],
    );
    check(
        Route::Import,
        json!({"text_source": "email", "text_source_spec": "newsletter"}),
        &[("body", NOTHING_TO_IMPORT, "value_error")],
    );
}

#[test]
fn import_with_empty_text_and_no_memories_is_rejected_at_body() {
    for body in [
        json!({"text": ""}),
        json!({"text": "  \n"}),
        json!({"memories": []}),
        json!({"text": "", "memories": []}),
        json!({"text": null, "memories": null}),
    ] {
        check(
            Route::Import,
            body,
            &[("body", NOTHING_TO_IMPORT, "value_error")],
        );
    }
}

#[test]
fn import_with_text_only_is_accepted_and_text_source_defaults_to_other() {
    let imported = assert_valid(import(json!({"text": "User moved to Lisbon."})));
    assert_eq!(
        imported.text.map(|t| t.into_inner()).as_deref(),
        Some("User moved to Lisbon.")
    );
    assert_eq!(imported.text_source, MemoryTextSource::Other);
    assert!(imported.memories.is_empty());
}

#[test]
fn import_with_memories_only_is_accepted() {
    let imported = assert_valid(import(
        json!({"memories": [{"content": "User is vegetarian", "tags": ["food"]}]}),
    ));
    assert_eq!(imported.text, None);
    assert_eq!(imported.memories[0].content.as_str(), "User is vegetarian");
    assert_eq!(imported.memories[0].tags.to_strings(), ["food"]);
}

#[test]
fn import_blank_text_beside_memories_is_dropped() {
    let imported = assert_valid(import(
        json!({"text": "   ", "memories": [{"content": "User is vegetarian"}]}),
    ));
    assert_eq!(imported.text, None);
    assert_eq!(imported.memories.len(), 1);
}

#[test]
fn import_unknown_text_source_is_enum() {
    check(
        Route::Import,
        json!({"text": "hello", "text_source": "fax"}),
        &[(
            "body.text_source",
            "Input should be 'email', 'social_post' or 'other'",
            "enum",
        )],
    );
}

#[test]
fn import_memories_follow_the_content_and_tag_rules_at_their_index() {
    check(
        Route::Import,
        json!({"memories": [
            {"content": "fine"},
            {"content": chars('x', 501), "tags": [""]},
            {"content": " "},
        ]}),
        &[
            (
                "body.memories.1.content",
                CONTENT_TOO_LONG,
                "string_too_long",
            ),
            ("body.memories.1.tags.0", TOO_SHORT, "string_too_short"),
            ("body.memories.2.content", CONTENT_BLANK, "value_error"),
        ],
    );
}

#[test]
fn import_over_100_memories_is_too_long() {
    check(
        Route::Import,
        json!({"memories": memories(101)}),
        &[(
            "body.memories",
            "List should have at most 100 items after validation, not 101",
            "too_long",
        )],
    );
}

#[test]
fn import_text_source_spec_over_200_chars_is_string_too_long() {
    check(
        Route::Import,
        json!({"text": "hello", "text_source_spec": chars('s', 201)}),
        &[(
            "body.text_source_spec",
            "String should have at most 200 characters",
            "string_too_long",
        )],
    );
}
