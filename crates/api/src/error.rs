//! The one error vocabulary of every surface: [`ApiError`], its kinds, and its fixed messages.

use omi_model::{ErrorBody, ErrorDetail, QueryError, SearchDateError, ValidationErrors};

/// What kind of failure an [`ApiError`] is, told by its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400: the request is malformed in a way that is not a field problem.
    BadRequest,
    /// 401: no usable credentials.
    Unauthorized,
    /// 403: the credentials do not allow this.
    Forbidden,
    /// 404: no such resource (or it belongs to another user).
    NotFound,
    /// 409: the request conflicts with an earlier one.
    Conflict,
    /// 413: the body is over the size limit.
    PayloadTooLarge,
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// 422: the body or query failed validation.
    Validation,
    /// 429: a rate limit was hit; see [`ApiError::retry_after`].
    RateLimited,
    /// 503: the service cannot answer now (e.g. its database is down); retry later.
    Unavailable,
    /// Any other 5xx: a fault on the server's side.
    Internal,
    /// Any other status.
    Other,
}

/// A failed API call: the HTTP status, OMI's `detail`, and when to retry.
///
/// The in-process service and the HTTP client both return this, with identical fields for
/// identical failures. Its JSON form ([`ApiError::body`]) is OMI's error body.
///
/// ```
/// use omi_api::{ApiError, ErrorKind};
/// let e = ApiError::not_found("Memory not found");
/// assert_eq!(e.status(), 404);
/// assert_eq!(e.kind(), ErrorKind::NotFound);
/// assert_eq!(serde_json::to_string(&e.body()).unwrap(), r#"{"detail":"Memory not found"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {detail}")]
pub struct ApiError {
    status: u16,
    detail: ErrorDetail,
    retry_after: Option<u64>,
}

impl ApiError {
    /// An error with any status and detail.
    pub fn new(status: u16, detail: ErrorDetail) -> Self {
        Self {
            status,
            detail,
            retry_after: None,
        }
    }

    /// An error with a message detail.
    pub fn message(status: u16, message: impl Into<String>) -> Self {
        Self::new(status, ErrorDetail::Message(message.into()))
    }

    /// 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::message(400, message)
    }

    /// 401 with `message`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::message(401, message)
    }

    /// 403 with `message`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::message(403, message)
    }

    /// 404 with `message`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::message(404, message)
    }

    /// 422 with every validation problem.
    ///
    /// A lone problem about the body as a whole (`loc == ["body"]`, such as "Either text or
    /// explicit memories are required and cannot be empty") is given as a plain message, the
    /// way OMI's cloud reports those rules. At most [`ValidationErrors::MAX_ITEMS`] problems
    /// are given, the first ones.
    pub fn validation(errors: ValidationErrors) -> Self {
        Self::new(422, ErrorDetail::validation(errors))
    }

    /// 429 with OMI's message and a `Retry-After` of `seconds` (at least 1).
    pub fn rate_limited(seconds: u64) -> Self {
        let seconds = seconds.max(1);
        Self {
            retry_after: Some(seconds),
            ..Self::message(429, messages::rate_limited(seconds))
        }
    }

    /// 503 with `message`: retry later.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::message(503, message)
    }

    /// 500 with a message that reveals nothing of the cause (log the cause where it happens).
    pub fn internal() -> Self {
        Self::message(500, messages::INTERNAL)
    }

    /// The same error with a `Retry-After` hint in seconds.
    #[must_use]
    pub fn with_retry_after(mut self, seconds: Option<u64>) -> Self {
        self.retry_after = seconds;
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The detail.
    pub fn detail(&self) -> &ErrorDetail {
        &self.detail
    }

    /// Seconds to wait before retrying, when the server said.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self.status {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            413 => ErrorKind::PayloadTooLarge,
            415 => ErrorKind::UnsupportedMediaType,
            422 => ErrorKind::Validation,
            429 => ErrorKind::RateLimited,
            503 => ErrorKind::Unavailable,
            500..=599 => ErrorKind::Internal,
            _ => ErrorKind::Other,
        }
    }

    /// The wire body, `{"detail": ...}`.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            detail: self.detail.clone(),
        }
    }

    /// Rebuild an error from a status, a decoded wire body and a `Retry-After` header.
    pub fn from_body(status: u16, body: ErrorBody, retry_after: Option<u64>) -> Self {
        Self::new(status, body.detail).with_retry_after(retry_after)
    }
}

/// The error type of an implementation of the api traits: an answer of the API
/// ([`ApiError`]), or (for remote implementations) a failure to get one.
pub trait CallError: std::error::Error + From<ApiError> + Send + Sync + 'static {
    /// The API's answer, when the failure is one (`None` for transport failures).
    fn api_error(&self) -> Option<&ApiError>;
}

impl CallError for ApiError {
    fn api_error(&self) -> Option<&ApiError> {
        Some(self)
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        Self::validation(errors)
    }
}

impl From<SearchDateError> for ApiError {
    /// OMI's 400 for a search date it cannot read.
    fn from(error: SearchDateError) -> Self {
        Self::bad_request(error.detail())
    }
}

impl From<QueryError> for ApiError {
    fn from(error: QueryError) -> Self {
        match error {
            QueryError::Invalid(errors) => Self::validation(errors),
            QueryError::BadRequest(message) => Self::bad_request(message),
        }
    }
}

/// The fixed messages of OMI's cloud, each written once.
pub mod messages {
    use omi_model::{Capability, DevScope};

    /// 401 of the integration routes without `Authorization: Bearer ...`.
    pub const MISSING_AUTHORIZATION: &str =
        "Missing or invalid Authorization header. Must be 'Bearer API_KEY'";
    /// 403 of the integration routes when the key is not one of the app's keys.
    pub const INVALID_APP_KEY: &str = "Invalid API key";
    /// 401 of the developer routes for a missing or unknown key.
    pub const INVALID_DEV_KEY: &str = "Invalid API Key";
    /// 404 of the integration routes for an unknown app.
    pub const APP_NOT_FOUND: &str = "App not found";
    /// 403 when the user has not enabled the app.
    pub const APP_NOT_ENABLED: &str = "App is not enabled for this user";
    /// 404 for a memory id that is unknown or another user's.
    pub const MEMORY_NOT_FOUND: &str = "Memory not found";
    /// 404 for a conversation id that is unknown or another user's.
    pub const CONVERSATION_NOT_FOUND: &str = "Conversation not found";
    /// 404 for an action item id that is unknown or another user's.
    pub const ACTION_ITEM_NOT_FOUND: &str = "Action item not found";
    /// 409 of `from-segments` when a conversation of the same recording session was being
    /// stored by another request and cannot be read (OMI's words); retrying answers it.
    pub const CONVERSATION_CREATION_IN_PROGRESS: &str = "Conversation creation already in progress";
    /// 404: no goal of the caller with that id.
    pub const GOAL_NOT_FOUND: &str = "Goal not found";
    /// 404 of a conversation PATCH whose `folder_id` names no folder of the caller's.
    pub const FOLDER_NOT_FOUND: &str = "Folder not found";
    /// 404: no webhook of the caller with that id (ours, beyond OMI's cloud).
    pub const WEBHOOK_NOT_FOUND: &str = "Webhook not found";
    /// 409 of `POST /v1/dev/user/webhooks` when the user has as many webhooks as allowed.
    pub const TOO_MANY_WEBHOOKS: &str = "Too many webhooks: delete one first (at most 20 per user)";
    /// 409 of `PATCH /v1/dev/user/memories/{id}` when the new content is another memory's
    /// (a user has one memory per content): nothing is changed. A create with that content,
    /// by contrast, answers the existing memory.
    pub const MEMORY_CONTENT_EXISTS: &str = "A memory with this content already exists";
    /// 500: nothing about the cause.
    pub const INTERNAL: &str = "Internal server error";

    /// 500 for a request that failed on our side, naming its request id (the `x-request-id`
    /// the answer also carries, and the server's log lines about it) and nothing else.
    pub fn internal_for_request(request_id: &str) -> String {
        format!("{INTERNAL} (request id {request_id})")
    }
    /// 422 for text the database cannot store (PostgreSQL keeps no NUL character in text).
    pub const UNSTORABLE_TEXT: &str =
        "Text must not contain the NUL character (\\u0000): the database cannot store it";
    /// 503 while the database cannot be reached.
    pub const DATABASE_UNAVAILABLE: &str =
        "Service temporarily unavailable: the database cannot be reached. Try again shortly.";
    /// 503 for a request that took longer than the server allows.
    pub const REQUEST_TIMEOUT: &str =
        "Service temporarily unavailable: the request took too long. Try again shortly.";
    /// 503 from `/readyz` while fewer job workers run than were started.
    pub const WORKERS_DOWN: &str =
        "Service temporarily unavailable: the job workers are not running.";
    /// 503 while the server takes no more writes (its write queue is full).
    pub const SERVER_BUSY: &str =
        "Service temporarily unavailable: too many writes are waiting. Try again shortly.";

    /// 503 for a request refused at once because the server works on as many requests as it
    /// allows.
    pub const SERVER_OVERLOADED: &str =
        "Service temporarily unavailable: the server is at capacity. Try again shortly.";

    /// 403 when the app lacks `capability`.
    pub fn missing_capability(capability: Capability) -> String {
        format!(
            "App does not have the capability to {}",
            capability.action()
        )
    }

    /// 403 when a developer key lacks `scope`.
    pub fn insufficient_scope(scope: DevScope) -> String {
        format!("Insufficient permissions. Required scope: {scope}")
    }

    /// 429's detail.
    pub fn rate_limited(seconds: u64) -> String {
        format!("Rate limit exceeded. Try again in {seconds}s.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omi_model::{Loc, ValidationError};

    #[test]
    fn a_lone_body_rule_is_reported_as_a_message() {
        let e = ApiError::validation(ValidationErrors::single(ValidationError::new(
            Loc::body(),
            "value_error",
            "Either text or explicit memories are required and cannot be empty",
        )));
        assert_eq!(
            serde_json::to_value(e.body()).unwrap(),
            serde_json::json!({"detail": "Either text or explicit memories are required and cannot be empty"})
        );
    }

    #[test]
    fn field_problems_are_reported_as_a_list() {
        let e = ApiError::validation(ValidationErrors::single(ValidationError::new(
            Loc::body().join("content"),
            "string_too_short",
            "String should have at least 1 character",
        )));
        assert_eq!(
            serde_json::to_value(e.body()).unwrap(),
            serde_json::json!({"detail": [{"loc": ["body", "content"], "msg": "String should have at least 1 character", "type": "string_too_short"}]})
        );
    }

    #[test]
    fn a_validation_answer_lists_at_most_max_items() {
        let many = (0..100_000)
            .map(|i| ValidationError::new(Loc::body().join(i), "value_error", "Value error"))
            .collect();
        let e = ApiError::validation(ValidationErrors(many));
        let ErrorDetail::Validation(items) = e.detail() else {
            panic!("a list of problems: {e}");
        };
        assert_eq!(items.len(), ValidationErrors::MAX_ITEMS);
        assert_eq!(items[0].loc, Loc::body().join(0));
    }

    #[test]
    fn rate_limited_carries_retry_after_and_omis_message() {
        let e = ApiError::rate_limited(42);
        assert_eq!(e.status(), 429);
        assert_eq!(e.retry_after(), Some(42));
        assert_eq!(
            e.detail().to_string(),
            "Rate limit exceeded. Try again in 42s."
        );
    }

    #[test]
    fn error_bodies_round_trip() {
        for e in [
            ApiError::not_found(messages::MEMORY_NOT_FOUND),
            ApiError::validation(ValidationErrors::single(ValidationError::new(
                Loc::query("limit"),
                "less_than_equal",
                "Input should be less than or equal to 1000",
            ))),
        ] {
            let json = serde_json::to_string(&e.body()).unwrap();
            let back: ErrorBody = serde_json::from_str(&json).unwrap();
            assert_eq!(ApiError::from_body(e.status(), back, None), e);
        }
    }
}
