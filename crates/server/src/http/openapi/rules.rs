//! The input rules `omi-model` enforces in code that JSON Schema can say, written into the
//! document's request schemas and parameters, so a client generated from it (or a tester such
//! as Schemathesis) sends what the server accepts: texts that are not blank and hold no
//! refused control character (as `pattern`s), lengths and item counts from the model's own
//! constants, "at least one of" bodies (`anyOf`), dates (`format`), and the developer text
//! create's shorter limit (its own schema, `CreateDevConversationRequest`).
//!
//! What JSON Schema cannot say (a time range, a segment's `end` after its `start`) is in the
//! operation's description; [`RELATIONS`] lists those sentences and the test of this module
//! checks each is there.
//!
//! The rules are applied to the document as JSON by schema and property name; a name that
//! does not exist is a panic in the tests, so a renamed field cannot silently lose its rule.

use omi_model::scalars::{
    ActionItemDescription, ClientLabel, ClientSessionId, ConversationText, ConversationTitle,
    DevConversationText, FolderId, GoalText, GoalTitle, GoalUnit, ImportText, Language,
    MemoryContent, SourceReference, Tag, Tags, TextSourceSpec,
};
use omi_model::{
    BatchCreateActionItemsRequest, BatchCreateMemoriesRequest,
    CreateConversationFromSegmentsRequest, CreateGoalRequest, CreateMemoriesRequest, Geolocation,
};
use serde_json::{Value, json};

/// White space as Rust's `str::trim` removes it (Unicode `White_Space`), minus the control
/// characters that are refused anyway.
const WHITE_SPACE: &str = r"\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The control characters (Unicode `Cc`) no text may hold: all but tab, newline and
/// carriage return.
const REFUSED: &str = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F";

/// A text with no refused control character.
fn free_text_pattern() -> String {
    format!("^[^{REFUSED}]*$")
}

/// A text with no refused control character and something besides white space.
fn not_blank_pattern() -> String {
    format!(r"^[^{REFUSED}]*[^\x00-\x20\x7F-\xA0{WHITE_SPACE}][^{REFUSED}]*$")
}

/// A language code: letters, digits, `-` and `_`, with white space around it allowed (it is
/// trimmed).
fn language_pattern() -> String {
    format!("^[{WHITE_SPACE}]*[A-Za-z0-9_-]+[{WHITE_SPACE}]*$")
}

/// What a text field of a request must be.
#[derive(Debug, Clone, Copy)]
enum Text {
    /// Something besides white space, at most this many characters.
    NotBlank(usize),
    /// Anything without refused control characters, at most this many characters.
    Free(usize),
    /// A language code.
    Language,
}

impl Text {
    /// The JSON Schema keywords of the rule.
    fn keywords(self) -> Value {
        match self {
            Self::NotBlank(max) => json!({
                "minLength": 1, "maxLength": max, "pattern": not_blank_pattern()
            }),
            Self::Free(max) if max == usize::MAX => json!({ "pattern": free_text_pattern() }),
            Self::Free(max) => json!({ "maxLength": max, "pattern": free_text_pattern() }),
            Self::Language => json!({
                "minLength": 1, "maxLength": Language::MAX_CHARS, "pattern": language_pattern()
            }),
        }
    }
}

/// The text fields of each request schema: `(schema, property, rule)`; `property[]` is the
/// property's items.
fn texts() -> Vec<(&'static str, &'static str, Text)> {
    let geolocation = Text::Free(Geolocation::MAX_TEXT_CHARS);
    vec![
        (
            "CreateConversationRequest",
            "text",
            Text::NotBlank(ConversationText::MAX_CHARS),
        ),
        ("CreateConversationRequest", "language", Text::Language),
        (
            "CreateConversationRequest",
            "text_source_spec",
            Text::Free(TextSourceSpec::MAX_CHARS),
        ),
        ("Geolocation", "google_place_id", geolocation),
        ("Geolocation", "address", geolocation),
        ("Geolocation", "location_type", geolocation),
        (
            "CreateMemoriesRequest",
            "text",
            Text::Free(ImportText::MAX_CHARS),
        ),
        (
            "CreateMemoriesRequest",
            "text_source_spec",
            Text::Free(TextSourceSpec::MAX_CHARS),
        ),
        (
            "ExplicitMemoryRequest",
            "content",
            Text::NotBlank(MemoryContent::MAX_CHARS),
        ),
        (
            "ExplicitMemoryRequest",
            "tags[]",
            Text::NotBlank(Tag::MAX_CHARS),
        ),
        (
            "ExplicitMemoryRequest",
            "source_id",
            Text::Free(SourceReference::MAX_CHARS),
        ),
        (
            "ExplicitMemoryRequest",
            "source_url",
            Text::Free(SourceReference::MAX_CHARS),
        ),
        (
            "CreateMemoriesRequest",
            "source_id",
            Text::Free(SourceReference::MAX_CHARS),
        ),
        (
            "CreateMemoriesRequest",
            "source_url",
            Text::Free(SourceReference::MAX_CHARS),
        ),
        (
            "CreateMemoryRequest",
            "content",
            Text::NotBlank(MemoryContent::MAX_CHARS),
        ),
        (
            "CreateMemoryRequest",
            "tags[]",
            Text::NotBlank(Tag::MAX_CHARS),
        ),
        (
            "UpdateMemoryRequest",
            "content",
            Text::NotBlank(MemoryContent::MAX_CHARS),
        ),
        (
            "UpdateMemoryRequest",
            "tags[]",
            Text::NotBlank(Tag::MAX_CHARS),
        ),
        (
            "TranscriptSegmentRequest",
            "text",
            Text::NotBlank(ConversationText::MAX_CHARS),
        ),
        (
            "TranscriptSegmentRequest",
            "speaker",
            Text::Free(usize::MAX),
        ),
        (
            "TranscriptSegmentRequest",
            "person_id",
            Text::Free(usize::MAX),
        ),
        (
            "CreateConversationFromSegmentsRequest",
            "language",
            Text::Language,
        ),
        (
            "CreateConversationFromSegmentsRequest",
            "client_session_id",
            Text::NotBlank(ClientSessionId::MAX_CHARS),
        ),
        (
            "CreateConversationFromSegmentsRequest",
            "client_device_id",
            Text::Free(ClientLabel::MAX_CHARS),
        ),
        (
            "CreateConversationFromSegmentsRequest",
            "client_platform",
            Text::Free(ClientLabel::MAX_CHARS),
        ),
        (
            "UpdateConversationRequest",
            "title",
            Text::NotBlank(ConversationTitle::MAX_CHARS),
        ),
        (
            "UpdateConversationRequest",
            "folder_id",
            Text::NotBlank(FolderId::MAX_CHARS),
        ),
        (
            "CreateActionItemRequest",
            "description",
            Text::NotBlank(ActionItemDescription::MAX_CHARS),
        ),
        (
            "UpdateActionItemRequest",
            "description",
            Text::NotBlank(ActionItemDescription::MAX_CHARS),
        ),
        (
            "CreateGoalRequest",
            "title",
            Text::NotBlank(GoalTitle::MAX_CHARS),
        ),
        (
            "UpdateGoalRequest",
            "title",
            Text::NotBlank(GoalTitle::MAX_CHARS),
        ),
        ("CreateGoalRequest", "unit", Text::Free(GoalUnit::MAX_CHARS)),
        ("UpdateGoalRequest", "unit", Text::Free(GoalUnit::MAX_CHARS)),
    ]
    .into_iter()
    .chain(goal_texts())
    .collect()
}

/// The longer texts of both goal bodies, each at most [`GoalText::MAX_CHARS`].
fn goal_texts() -> Vec<(&'static str, &'static str, Text)> {
    let text = Text::Free(GoalText::MAX_CHARS);
    ["CreateGoalRequest", "UpdateGoalRequest"]
        .into_iter()
        .flat_map(|schema| {
            ["desired_outcome", "why_it_matters", "success_criteria[]"]
                .map(|property| (schema, property, text))
        })
        .collect()
}

/// The list fields of each request schema: `(schema, property, minItems, maxItems)`.
fn lists() -> Vec<(&'static str, &'static str, usize, usize)> {
    vec![
        (
            "CreateMemoriesRequest",
            "memories",
            0,
            CreateMemoriesRequest::MAX_MEMORIES,
        ),
        ("ExplicitMemoryRequest", "tags", 0, Tags::MAX_ITEMS),
        ("CreateMemoryRequest", "tags", 0, Tags::MAX_ITEMS),
        ("UpdateMemoryRequest", "tags", 0, Tags::MAX_ITEMS),
        (
            "BatchCreateMemoriesRequest",
            "memories",
            0,
            BatchCreateMemoriesRequest::MAX_ITEMS,
        ),
        (
            "CreateConversationFromSegmentsRequest",
            "transcript_segments",
            CreateConversationFromSegmentsRequest::MIN_SEGMENTS,
            CreateConversationFromSegmentsRequest::MAX_SEGMENTS,
        ),
        (
            "BatchCreateActionItemsRequest",
            "action_items",
            0,
            BatchCreateActionItemsRequest::MAX_ITEMS,
        ),
        (
            "CreateGoalRequest",
            "success_criteria",
            0,
            CreateGoalRequest::MAX_SUCCESS_CRITERIA,
        ),
        (
            "UpdateGoalRequest",
            "success_criteria",
            0,
            CreateGoalRequest::MAX_SUCCESS_CRITERIA,
        ),
    ]
}

/// Bodies of which at least one field must be given (not `null`): `(schema, fields)`.
const AT_LEAST_ONE: &[(&str, &[&str])] = &[
    (
        "UpdateMemoryRequest",
        &["content", "visibility", "tags", "category"],
    ),
    (
        "UpdateConversationRequest",
        &["title", "discarded", "starred", "folder_id"],
    ),
    (
        "UpdateActionItemRequest",
        &["description", "completed", "due_at"],
    ),
    (
        "UpdateGoalRequest",
        &[
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
        ],
    ),
];

/// Fields of [`AT_LEAST_ONE`] bodies whose `null` is a change (it clears the field), so a body
/// of that `null` alone counts: `(schema, field)`.
const CLEARABLE: &[(&str, &str)] = &[
    ("UpdateConversationRequest", "folder_id"),
    ("UpdateGoalRequest", "why_it_matters"),
    ("UpdateGoalRequest", "horizon_at"),
    ("UpdateGoalRequest", "min_value"),
    ("UpdateGoalRequest", "max_value"),
    ("UpdateGoalRequest", "unit"),
];

/// What JSON Schema cannot say, added to the operations' descriptions: `(operation id,
/// sentence)`.
pub(super) const RELATIONS: &[(&str, &str)] = &[
    (
        "create_conversation",
        "`finished_at` must not be earlier than `started_at` (by default now) (422).",
    ),
    (
        "create_dev_conversation",
        "`finished_at` must not be earlier than `started_at` (by default now) (422).",
    ),
    (
        "create_goal",
        "`min_value` must not be above `max_value`, and `current_value` must lie within \
         them (422).",
    ),
    (
        "update_goal",
        "The goal's metric after the change must have `min_value` at most `max_value` and \
         `current_value` within them (422).",
    ),
    (
        "update_goal_progress",
        "`current_value` must lie within the goal's `min_value` and `max_value` when they \
         are set (422).",
    ),
    (
        "create_dev_conversation_from_segments",
        "Each segment's `end` must be after its `start`, and `finished_at` (by default \
         `started_at` plus the last segment's `end`) must not be earlier than `started_at` \
         (by default now) (422).",
    ),
];

/// Apply every rule to `doc`, the document as JSON.
pub(super) fn apply(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    for (schema, property, rule) in texts() {
        let target = match property.strip_suffix("[]") {
            Some(list) => &mut property_mut(schemas, schema, list)["items"],
            None => property_mut(schemas, schema, property),
        };
        merge(target, rule.keywords());
    }
    for (schema, property, min, max) in lists() {
        let mut keywords = json!({ "maxItems": max });
        if min > 0 {
            keywords["minItems"] = json!(min);
        }
        merge(property_mut(schemas, schema, property), keywords);
    }
    // A segment starts at 0 s or later and ends after it starts, so after 0 s.
    merge(
        property_mut(schemas, "TranscriptSegmentRequest", "start"),
        json!({ "minimum": 0 }),
    );
    merge(
        property_mut(schemas, "TranscriptSegmentRequest", "end"),
        json!({ "exclusiveMinimum": 0 }),
    );
    for (schema, fields) in AT_LEAST_ONE {
        let any: Vec<Value> = fields
            .iter()
            .map(|field| {
                property_mut(schemas, schema, field);
                if CLEARABLE.contains(&(*schema, *field)) {
                    return json!({ "required": [field] });
                }
                json!({ "required": [field], "properties": { *field: { "not": { "type": "null" } } } })
            })
            .collect();
        schemas[*schema]["anyOf"] = Value::Array(any);
    }
    something_to_import(schemas);
    search_dates(schemas);
    nullable_formats(schemas);
    query_parameters(doc);
    developer_text_create(doc);
    for (id, sentence) in RELATIONS {
        let op = operation_mut(doc, id);
        let text = op["description"].as_str().unwrap_or_default().to_owned();
        op["description"] = json!(format!("{text}\n\n{sentence}").trim_start().to_owned());
    }
}

/// Every nullable string with a `format` (`"type": ["string", "null"]`), written as `oneOf`
/// `null` or the formatted string: the same set of values, in the form Schemathesis reads
/// right (for the first form its coverage phase also sends `""` as valid, which no format
/// allows).
fn nullable_formats(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let nullable_string = object.get("type") == Some(&json!(["string", "null"]));
            if nullable_string && object.contains_key("format") {
                let mut string = serde_json::Map::new();
                string.insert("type".into(), json!("string"));
                for key in ["format", "minLength", "maxLength", "pattern"] {
                    if let Some(keyword) = object.remove(key) {
                        string.insert(key.into(), keyword);
                    }
                }
                object.remove("type");
                object.insert(
                    "oneOf".into(),
                    json!([{ "type": "null" }, Value::Object(string)]),
                );
            }
            object.values_mut().for_each(nullable_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_formats),
        _ => {}
    }
}

/// The date filters of the list routes (a date, a date-time with its offset, or nothing: an
/// empty value is no filter), the list filters, whose empty values are dropped, and the
/// folder filter (a folder's id: not blank).
fn query_parameters(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    let parameters = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("parameters").and_then(Value::as_array_mut))
        .flatten();
    for parameter in parameters {
        let name = parameter["name"].as_str().unwrap_or_default().to_owned();
        let name = name.as_str();
        if parameter["in"] == "query" && matches!(name, "categories" | "statuses") {
            // A list filter drops empty values (`categories=`, `a,,b`): no filter from them.
            // So the most values (`maxItems`) counts only the others (`maxContains`).
            let schema = &mut parameter["schema"];
            let member = schema["items"].take();
            schema["items"] = json!({ "anyOf": [
                member.clone(),
                { "type": "string", "pattern": format!("^[{WHITE_SPACE}]*$") },
            ] });
            if let Some(max) = schema.as_object_mut().and_then(|s| s.remove("maxItems")) {
                schema["contains"] = member;
                schema["minContains"] = json!(0);
                schema["maxContains"] = max;
            }
        }
        if parameter["in"] == "query" && name == "folder_id" {
            merge(
                &mut parameter["schema"],
                Text::NotBlank(FolderId::MAX_CHARS).keywords(),
            );
        }
        let date = matches!(
            name,
            "start_date" | "end_date" | "due_start_date" | "due_end_date"
        );
        if parameter["in"] == "query" && date {
            parameter["schema"] = json!({ "anyOf": [
                { "type": "string", "format": "date" },
                { "type": "string", "format": "date-time" },
                { "type": "string", "pattern": format!("^[{WHITE_SPACE}]*$") },
            ] });
        }
    }
}

/// The dates of the conversation search's body: a date, a date-time with its offset, or
/// nothing (`null` or empty: no bound); anything else is a 400, as in OMI's cloud.
fn search_dates(schemas: &mut Value) {
    for field in ["start_date", "end_date"] {
        let property = property_mut(schemas, "SearchConversationsRequest", field);
        let description = property["description"].take();
        let example = property["example"].take();
        *property = json!({
            "description": description,
            "example": example,
            "anyOf": [
                { "type": "null" },
                { "type": "string", "maxLength": 0 },
                { "type": "string", "format": "date" },
                { "type": "string", "format": "date-time" },
            ],
        });
    }
}

/// The import needs a text that is not blank or at least one memory.
fn something_to_import(schemas: &mut Value) {
    property_mut(schemas, "CreateMemoriesRequest", "text");
    property_mut(schemas, "CreateMemoriesRequest", "memories");
    schemas["CreateMemoriesRequest"]["anyOf"] = json!([
        { "required": ["text"], "properties": { "text": {
            "type": "string", "pattern": not_blank_pattern()
        } } },
        { "required": ["memories"], "properties": { "memories": {
            "type": "array", "minItems": 1
        } } },
    ]);
}

/// The developer route's text create takes a shorter text than the integration route's, so
/// it gets a copy of the body's schema with that limit.
fn developer_text_create(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    let mut dev = schemas["CreateConversationRequest"].clone();
    dev["properties"]["text"]["maxLength"] = json!(DevConversationText::MAX_CHARS);
    dev["description"] = json!(
        "The body of `POST /v1/dev/user/conversations`: `CreateConversationRequest` with a \
         shorter text."
    );
    schemas["CreateDevConversationRequest"] = dev;
    let op = operation_mut(doc, "create_dev_conversation");
    op["requestBody"]["content"]["application/json"]["schema"] =
        json!({ "$ref": "#/components/schemas/CreateDevConversationRequest" });
}

/// `schemas[schema].properties[property]`, which must exist.
fn property_mut<'a>(schemas: &'a mut Value, schema: &str, property: &str) -> &'a mut Value {
    let found = schemas
        .get_mut(schema)
        .and_then(|s| s.get_mut("properties"))
        .and_then(|p| p.get_mut(property));
    match found {
        Some(value) => value,
        None => panic!("the OpenAPI rules name {schema}.{property}, which is not in the document"),
    }
}

/// The operation with `id`, which must exist.
fn operation_mut<'a>(doc: &'a mut Value, id: &str) -> &'a mut Value {
    let paths = doc["paths"]
        .as_object_mut()
        .expect("the document has paths");
    let found = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(id));
    match found {
        Some(op) => op,
        None => panic!("the OpenAPI rules name operation {id}, which is not in the document"),
    }
}

/// Add `keywords` to the schema `target`, inside its non-null alternative when it is a
/// `oneOf` with `null`.
fn merge(target: &mut Value, keywords: Value) {
    let Some(object) = target.as_object_mut() else {
        return;
    };
    if let Value::Object(keywords) = keywords {
        object.extend(keywords);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        super::super::to_value(&super::super::openapi())
    }

    #[test]
    fn every_rule_names_a_field_of_the_document() {
        // `apply` panics on a name that is not there; the served document has run it.
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["CreateMemoryRequest"]["properties"]["content"]["pattern"],
            json!(not_blank_pattern())
        );
        assert!(schemas["CreateDevConversationRequest"].is_object());
    }

    #[test]
    fn what_json_schema_cannot_say_is_in_the_operations() {
        let doc = document();
        for (id, sentence) in RELATIONS {
            let mut doc = doc.clone();
            let description = operation_mut(&mut doc, id)["description"].clone();
            assert!(
                description.as_str().unwrap_or_default().contains(sentence),
                "{id}: {description}"
            );
        }
    }
}
