//! The error answers of each operation, derived from its guard (the security requirement of
//! its annotation) and its input, with examples made by the code that answers them: the
//! messages of `omi_api::messages` and the problems `omi-model`'s validation reports.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use omi_api::{ApiError, ErrorBody, messages};
use omi_model::FromQueryStr;
use omi_model::validation::{kind, msg};
use omi_model::{
    BatchCreateActionItemsRequest, BatchCreateMemoriesRequest, Capability, ConversationTextSource,
    CreateActionItemRequest, CreateConversationFromSegmentsRequest, CreateConversationRequest,
    CreateGoalRequest, CreateMemoriesRequest, CreateMemoryRequest, CreateWebhookRequest, DevScope,
    GetConversationQuery, GoalHistoryQuery, GoalProgressQuery, ListActionItemsQuery,
    ListConversationsQuery, ListDevConversationsQuery, ListDevMemoriesQuery, ListGoalsQuery,
    ListMemoriesQuery, ListTasksQuery, ListWebhookDeliveriesQuery, Loc, RankedSearchQuery,
    SearchConversationsQuery, SearchConversationsRequest, SearchMemoriesQuery,
    UpdateActionItemRequest, UpdateConversationRequest, UpdateGoalRequest, UpdateMemoryRequest,
    ValidationError, ValidationErrors,
};
use utoipa::ToSchema;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, schema};

use super::{APP_KEY, DEVELOPER_KEY, operations_mut};
use crate::http::extractors::UNREADABLE_BODY;
use crate::http::idempotency;
use crate::service::idempotency as idempotency_service;
use crate::service::import_body_error;

/// The seconds a 429 example asks to wait.
const EXAMPLE_RETRY_AFTER: u64 = 42;

/// Who may call an operation.
#[derive(Debug, Clone, Copy)]
enum Guard {
    /// An integration app's key, for an app with this capability.
    App(Capability),
    /// A developer key with this scope.
    Developer(DevScope),
    /// Any valid developer key (`developer_key: []`).
    AnyDeveloperKey,
    /// Anyone.
    Open,
}

impl Guard {
    /// The guard an operation's security requirement names (`app_key: [capability]` or
    /// `developer_key: [scope]`).
    fn of(op: &Operation) -> Self {
        let requirement = op
            .security
            .as_ref()
            .and_then(|s| s.first())
            .and_then(|r| serde_json::to_value(r).ok());
        let Some(serde_json::Value::Object(map)) = requirement else {
            return Self::Open;
        };
        let scope = |name: &str| {
            map.get(name)?
                .as_array()?
                .first()?
                .as_str()
                .map(str::to_owned)
        };
        if let Some(capability) = scope(APP_KEY).and_then(|s| Capability::from_str(&s).ok()) {
            Self::App(capability)
        } else if let Some(scope) = scope(DEVELOPER_KEY).and_then(|s| DevScope::from_str(&s).ok()) {
            Self::Developer(scope)
        } else if map.contains_key(DEVELOPER_KEY) {
            Self::AnyDeveloperKey
        } else {
            Self::Open
        }
    }
}

/// One error answer: its status, what it means, and named examples.
struct ErrorAnswer {
    status: u16,
    description: String,
    examples: Vec<(&'static str, ApiError)>,
}

impl ErrorAnswer {
    /// An answer with one example per error.
    fn new(
        status: u16,
        description: impl Into<String>,
        examples: Vec<(&'static str, ApiError)>,
    ) -> Self {
        Self {
            status,
            description: description.into(),
            examples,
        }
    }
}

/// Add every operation's error answers.
pub(super) fn add(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let not_found = not_found_message(path);
        for (method, op) in operations_mut(item) {
            let answers = answers(method, op, not_found);
            for answer in answers {
                let status = answer.status.to_string();
                op.responses
                    .responses
                    .insert(status, RefOr::T(response(answer)));
            }
        }
    }
}

/// The error answers of `op`, called with `method`: the guard's, then the input's, then the
/// server's own (429, 503), each with examples from the code that answers it.
fn answers(method: &str, op: &Operation, not_found: Option<&'static str>) -> Vec<ErrorAnswer> {
    let guard = Guard::of(op);
    let mut answers = match guard {
        Guard::App(capability) => app_answers(capability),
        Guard::Developer(scope) => developer_answers(scope, not_found),
        Guard::AnyDeveloperKey => vec![invalid_developer_key()],
        Guard::Open => return Vec::new(),
    };
    let id = op.operation_id.as_deref().unwrap_or_default();
    if id == IMPORT_OPERATION {
        answers.extend(import_answers());
        answers.extend(busy_answers());
        return answers;
    }
    let post = method == "post";
    let body = op.request_body.is_some();
    if id == "update_dev_conversation"
        && let Some(not_found) = answers.iter_mut().find(|a| a.status == 404)
    {
        not_found.description = "No conversation of the key's user has this id, or (a move) \
             no folder of the user's has the `folder_id`"
            .into();
        not_found.examples.push((
            "folder_not_found",
            ApiError::not_found(messages::FOLDER_NOT_FOUND),
        ));
    }

    let mut bad_request = Vec::new();
    let mut why = Vec::new();
    if post {
        bad_request.push((
            "invalid_idempotency_key",
            ApiError::bad_request(idempotency::invalid_key_message()),
        ));
        why.push("an `Idempotency-Key` that is not 1 to 255 visible ASCII characters");
    }
    if body {
        bad_request.push((
            "unreadable_body",
            ApiError::bad_request(format!(
                "{UNREADABLE_BODY}: the client stopped sending it, or took too long"
            )),
        ));
        why.push("a body that could not be read (the client stopped sending it, or was too slow)");
    }
    if let Some(unknown) = unknown_category(id) {
        bad_request.push(("unknown_category", unknown));
        why.push("an unknown category in `categories`");
    }
    if let Some(unreadable) = unreadable_search_date(id) {
        bad_request.push(("unreadable_date", unreadable));
        why.push(
            "a date (`start_date`, `end_date`, `due_start_date`, `due_end_date`) that is \
             neither ISO 8601 nor `YYYY-MM-DD`",
        );
    }
    if !bad_request.is_empty() {
        answers.push(ErrorAnswer::new(
            400,
            format!(
                "An unusable request (checked after the key): {}",
                why.join("; ")
            ),
            bad_request,
        ));
    }

    let mut conflict = Vec::new();
    let mut why = Vec::new();
    if id == "update_dev_memory" {
        conflict.push((
            "content_exists",
            ApiError::message(409, messages::MEMORY_CONTENT_EXISTS),
        ));
        why.push("the new content is another memory's (nothing is changed)");
    }
    if id == "create_dev_conversation_from_segments" {
        conflict.push((
            "session_in_progress",
            ApiError::message(409, messages::CONVERSATION_CREATION_IN_PROGRESS),
        ));
        why.push(
            "a conversation of the same `client_session_id` was being stored by another request \
             and could not be read yet (retry to get it)",
        );
    }
    if id == "create_webhook" {
        conflict.push((
            "too_many_webhooks",
            ApiError::message(409, messages::TOO_MANY_WEBHOOKS),
        ));
        why.push("the user has as many webhooks as allowed (20)");
    }
    if post {
        conflict.push((
            "idempotency_key_in_flight",
            ApiError::message(409, idempotency_service::KEY_BUSY).with_retry_after(Some(1)),
        ));
        why.push(
            "a request with the same `Idempotency-Key` was answered a moment ago (retry, after \
             `Retry-After`, to get its answer)",
        );
    }
    if !conflict.is_empty() {
        answers.push(ErrorAnswer::new(
            409,
            format!("A conflict: {}", why.join("; ")),
            conflict,
        ));
    }

    if body {
        answers.push(ErrorAnswer::new(
            413,
            "The body is larger than the server's limit (1 MiB unless configured otherwise)",
            vec![(
                "too_large",
                ApiError::message(413, idempotency::BODY_TOO_LARGE),
            )],
        ));
    }

    let mut invalid: Vec<(&'static str, ApiError)> = invalid_input(id)
        .into_iter()
        .map(|(name, errors)| (name, ApiError::validation(errors)))
        .collect();
    if matches!(guard, Guard::App(_)) {
        invalid.insert(0, ("missing_uid", missing_uid()));
    }
    if body {
        invalid.extend(not_json().map(|e| ("not_json", e)));
        invalid.push((
            "unstorable_text",
            ApiError::message(422, messages::UNSTORABLE_TEXT),
        ));
    }
    if post {
        invalid.push((
            "idempotency_key_reused",
            ApiError::message(422, idempotency_service::KEY_REUSED),
        ));
    }
    if !invalid.is_empty() {
        answers.push(ErrorAnswer::new(
            422,
            "Invalid input: every problem at once, as `{loc, msg, type}` items (a lone problem \
             with the body as a whole is a message)",
            invalid,
        ));
    }

    answers.extend(busy_answers());
    answers
}

/// The operation of `POST /v1/dev/user/import`, whose bad lines are reported in its `200`.
const IMPORT_OPERATION: &str = "import_user_data";

/// The import's own refusals: a body that broke off (400) or passed its limit (413). An
/// import takes no `Idempotency-Key`, and reports bad lines in its answer.
fn import_answers() -> [ErrorAnswer; 2] {
    let unreadable = std::io::Error::other("the connection broke");
    let too_large = std::io::Error::new(
        std::io::ErrorKind::FileTooLarge,
        format!(
            "the body is larger than {} bytes",
            crate::http::HttpConfig::DEFAULT_IMPORT_BODY_LIMIT
        ),
    );
    [
        ErrorAnswer::new(
            400,
            "The body could not be read to its end (the client stopped sending it, or was too \
             slow); what was stored before stays, and importing again stores the rest",
            vec![("unreadable_body", import_body_error(unreadable))],
        ),
        ErrorAnswer::new(
            413,
            "The body is larger than `--import-body-limit` (64 MiB unless configured \
             otherwise); the batches before the limit are stored",
            vec![("too_large", import_body_error(too_large))],
        ),
    ]
}

/// The 429 and 503 every guarded operation may answer.
fn busy_answers() -> [ErrorAnswer; 2] {
    [
        ErrorAnswer::new(
            429,
            "Rate limit exceeded; `Retry-After` says when to try again",
            vec![("rate_limited", ApiError::rate_limited(EXAMPLE_RETRY_AFTER))],
        ),
        ErrorAnswer::new(
            503,
            "The server cannot take the request now (at capacity, the request took too long, the \
         database is unreachable or too many writes wait); `Retry-After` says when to try again",
            [
                ("at_capacity", messages::SERVER_OVERLOADED),
                ("too_slow", messages::REQUEST_TIMEOUT),
                ("database_unavailable", messages::DATABASE_UNAVAILABLE),
                ("writes_waiting", messages::SERVER_BUSY),
            ]
            .into_iter()
            .map(|(name, message)| {
                (
                    name,
                    ApiError::unavailable(message).with_retry_after(Some(1)),
                )
            })
            .collect(),
        ),
    ]
}

/// The 400 of a list route filtered by an unknown category, if it has a `categories` filter.
fn unknown_category(id: &str) -> Option<ApiError> {
    let query = "categories=bogus";
    let error = match id {
        "list_dev_memories" => ListDevMemoriesQuery::from_query_str(query).err(),
        "list_dev_conversations" => ListDevConversationsQuery::from_query_str(query).err(),
        _ => None,
    };
    error.map(ApiError::from)
}

/// The 400 of a conversation search with a date that does not read.
fn unreadable_search_date(id: &str) -> Option<ApiError> {
    let request = SearchConversationsRequest {
        start_date: Some("yesterday".to_owned()),
        ..SearchConversationsRequest::default()
    };
    let tasks = ListTasksQuery {
        due_end_date: Some("tomorrow".to_owned()),
        ..ListTasksQuery::default()
    };
    match id {
        "search_conversations" => request.validate().err().map(ApiError::from),
        "list_tasks" => tasks.validate().err().map(ApiError::from),
        _ => None,
    }
}

/// The 422 of a body that is not JSON, as the body decoder reports it.
fn not_json() -> Option<ApiError> {
    omi_model::decode::from_json_slice::<CreateMemoryRequest>(b"{not json")
        .err()
        .map(|errors| ApiError::new(422, omi_api::ErrorDetail::Validation(errors.bounded().0)))
}

/// 401, 403 and 404 of an integration route needing `capability`, in the order checked.
fn app_answers(capability: Capability) -> Vec<ErrorAnswer> {
    vec![
        ErrorAnswer::new(
            401,
            "Missing or invalid Authorization header",
            vec![(
                "missing_header",
                ApiError::unauthorized(messages::MISSING_AUTHORIZATION),
            )],
        ),
        ErrorAnswer::new(
            403,
            "Invalid API key, app not enabled for the user, or app without the capability",
            vec![
                (
                    "invalid_key",
                    ApiError::forbidden(messages::INVALID_APP_KEY),
                ),
                (
                    "not_enabled",
                    ApiError::forbidden(messages::APP_NOT_ENABLED),
                ),
                (
                    "missing_capability",
                    ApiError::forbidden(messages::missing_capability(capability)),
                ),
            ],
        ),
        ErrorAnswer::new(
            404,
            "App not found",
            vec![(
                "app_not_found",
                ApiError::not_found(messages::APP_NOT_FOUND),
            )],
        ),
    ]
}

/// The 404 message of a developer route on one record at `path`, if it is one.
fn not_found_message(path: &str) -> Option<&'static str> {
    [
        ("{memory_id}", messages::MEMORY_NOT_FOUND),
        ("{conversation_id}", messages::CONVERSATION_NOT_FOUND),
        ("{action_item_id}", messages::ACTION_ITEM_NOT_FOUND),
        ("{goal_id}", messages::GOAL_NOT_FOUND),
        ("{webhook_id}", messages::WEBHOOK_NOT_FOUND),
    ]
    .into_iter()
    .find(|(param, _)| path.contains(param))
    .map(|(_, message)| message)
}

/// 401, 403 and (for a route on one record) 404 of a developer route needing `scope`.
fn developer_answers(scope: DevScope, not_found: Option<&'static str>) -> Vec<ErrorAnswer> {
    let mut answers = vec![
        invalid_developer_key(),
        ErrorAnswer::new(
            403,
            "The key lacks the scope",
            vec![(
                "insufficient_scope",
                ApiError::forbidden(messages::insufficient_scope(scope)),
            )],
        ),
    ];
    if let Some(message) = not_found {
        answers.push(ErrorAnswer::new(
            404,
            "Nothing of the key's user has this id",
            vec![("not_found", ApiError::not_found(message))],
        ));
    }
    answers
}

/// The 401 of a developer route.
fn invalid_developer_key() -> ErrorAnswer {
    ErrorAnswer::new(
        401,
        "Missing or unknown developer key",
        vec![(
            "invalid_key",
            ApiError::unauthorized(messages::INVALID_DEV_KEY),
        )],
    )
}

/// The 422 of an integration route called without `uid`.
fn missing_uid() -> ApiError {
    ApiError::validation(ValidationErrors::single(ValidationError::new(
        Loc::query("uid"),
        kind::MISSING,
        msg::FIELD_REQUIRED,
    )))
}

/// Typical invalid input of operation `id`, as the model's validation reports it.
fn invalid_input(id: &str) -> Vec<(&'static str, ValidationErrors)> {
    let now = DateTime::<Utc>::UNIX_EPOCH;
    let result = match id {
        "create_conversation" => CreateConversationRequest::from_text(" ")
            .validate(now, ConversationTextSource::AudioTranscript)
            .err()
            .map(|e| ("blank_text", e)),
        "create_memories" => CreateMemoriesRequest::default()
            .validate()
            .err()
            .map(|e| ("nothing_to_import", e)),
        "list_conversations" => ListConversationsQuery {
            limit: Some(0),
            ..ListConversationsQuery::default()
        }
        .validate()
        .err()
        .map(|e| ("limit_out_of_range", e)),
        "list_memories" => ListMemoriesQuery {
            limit: Some(5000),
            ..ListMemoriesQuery::default()
        }
        .validate()
        .err()
        .map(|e| ("limit_out_of_range", e)),
        "list_dev_memories" => ListDevMemoriesQuery {
            offset: Some(-1),
            ..ListDevMemoriesQuery::default()
        }
        .validate()
        .err()
        .map(|e| ("negative_offset", e)),
        "search_dev_memories" => SearchMemoriesQuery::default()
            .validate()
            .err()
            .map(|e| ("missing_query", e)),
        "search_dev_conversations" | "search_action_items" => RankedSearchQuery::default()
            .validate()
            .err()
            .map(|e| ("missing_query", e)),
        "search_conversations" => SearchConversationsQuery {
            max_transcript_segments: Some(-2),
        }
        .validate()
        .err()
        .map(|e| ("segments_out_of_range", e)),
        "create_dev_memory" => CreateMemoryRequest::new("")
            .validate()
            .err()
            .map(|e| ("empty_content", e)),
        "create_dev_memories_batch" => BatchCreateMemoriesRequest {
            memories: vec![CreateMemoryRequest::new("User is vegetarian"); 26],
        }
        .validate()
        .err()
        .map(|e| ("too_many", e)),
        "update_dev_memory" => UpdateMemoryRequest::default()
            .validate()
            .err()
            .map(|e| ("no_field", e)),
        "create_dev_conversation" => CreateConversationRequest::from_text(" ")
            .validate(now, ConversationTextSource::OtherText)
            .err()
            .map(|e| ("blank_text", e)),
        "update_dev_conversation" => UpdateConversationRequest::default()
            .validate()
            .err()
            .map(|e| ("no_field", e)),
        "list_dev_conversations" => ListDevConversationsQuery {
            limit: Some(0),
            ..ListDevConversationsQuery::default()
        }
        .validate()
        .err()
        .map(|e| ("limit_out_of_range", e)),
        "create_action_item" => CreateActionItemRequest::default()
            .validate()
            .err()
            .map(|e| ("empty_description", e)),
        "create_action_items_batch" => BatchCreateActionItemsRequest {
            action_items: vec![CreateActionItemRequest::default()],
        }
        .validate()
        .err()
        .map(|e| ("empty_description", e)),
        "create_dev_conversation_from_segments" => CreateConversationFromSegmentsRequest::default()
            .validate(now)
            .err()
            .map(|e| ("no_segments", e)),
        "get_dev_conversation" => query_problems(GetConversationQuery::from_query_str(
            "include_transcript=maybe",
        ))
        .map(|e| ("not_a_boolean", e)),
        "update_action_item" => UpdateActionItemRequest::default()
            .validate()
            .err()
            .map(|e| ("no_field", e)),
        "list_action_items" => ListActionItemsQuery {
            limit: Some(0),
            ..ListActionItemsQuery::default()
        }
        .validate()
        .err()
        .map(|e| ("limit_out_of_range", e)),
        "list_tasks" => ListTasksQuery {
            limit: Some(0),
            ..ListTasksQuery::default()
        }
        .validate()
        .err()
        .and_then(|e| query_problems::<()>(Err(e)))
        .map(|e| ("limit_out_of_range", e)),
        "list_goals" => query_problems(ListGoalsQuery::from_query_str("limit=ten"))
            .map(|e| ("not_an_integer", e)),
        "create_goal" => CreateGoalRequest::new(" ")
            .validate()
            .err()
            .map(|e| ("blank_title", e)),
        "update_goal" => UpdateGoalRequest::default()
            .validate()
            .err()
            .map(|e| ("no_field", e)),
        "update_goal_progress" => GoalProgressQuery::default()
            .validate()
            .err()
            .map(|e| ("missing_current_value", e)),
        "goal_history" => GoalHistoryQuery { days: Some(400) }
            .validate()
            .err()
            .map(|e| ("days_out_of_range", e)),
        "create_webhook" => CreateWebhookRequest::new("ftp://example.com", [])
            .validate()
            .err()
            .map(|e| ("bad_url_no_events", e)),
        "list_webhook_deliveries" => {
            query_problems(ListWebhookDeliveriesQuery::from_query_str("limit=ten"))
                .map(|e| ("not_an_integer", e))
        }
        _ => None,
    };
    result.into_iter().collect()
}

/// The 422 problems of a query string that does not read.
fn query_problems<Q>(read: Result<Q, omi_model::QueryError>) -> Option<ValidationErrors> {
    match read.err()? {
        omi_model::QueryError::Invalid(errors) => Some(errors),
        omi_model::QueryError::BadRequest(_) => None,
    }
}

/// An error answer as an OpenAPI response: `ErrorBody`, the examples, and `Retry-After` on
/// a 429.
fn response(answer: ErrorAnswer) -> utoipa::openapi::Response {
    let examples = answer.examples.into_iter().map(|(name, error)| {
        let value = serde_json::to_value(error.body()).ok();
        (name, ExampleBuilder::new().value(value).build())
    });
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(ErrorBody::name())))
        .examples_from_iter(examples)
        .build();
    let mut response = ResponseBuilder::new()
        .description(answer.description.as_str())
        .content("application/json", content);
    if matches!(answer.status, 409 | 429 | 503) {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(schema::ObjectBuilder::new().schema_type(schema::Type::Integer))
                .description(Some(
                    "Seconds to wait before trying again (on a 409, only when retrying will help)",
                ))
                .build(),
        );
    }
    response.build()
}
