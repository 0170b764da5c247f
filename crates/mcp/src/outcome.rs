//! What a tool answers: a JSON object on success, or `{"error": {"code", "message"}}` with
//! `isError` set, the error branch every tool's output schema declares.

use omi_api::{ApiError, CallError, ErrorKind};
use rmcp::model::CallToolResult;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// Why a tool call failed, in the shape its output schema's error branch describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError {
    /// A stable machine code: `invalid_arguments`, `unauthorized`, `insufficient_scope`,
    /// `not_found`, `conflict`, `rate_limited`, `unavailable`, `internal`.
    pub code: &'static str,
    /// What went wrong, for a person (the REST route's `detail`, as text).
    pub message: String,
    /// The HTTP status the REST twin of the tool answered with, when it answered.
    pub status: Option<u16>,
    /// Seconds to wait before trying again (rate limits, overload).
    pub retry_after: Option<u64>,
}

impl ToolError {
    /// The arguments do not fit the tool's input schema or rules.
    pub fn invalid_arguments(message: impl Into<String>) -> Self {
        Self::plain("invalid_arguments", message)
    }

    /// Something failed on our side.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::plain("internal", message)
    }

    /// The caller's credentials are missing or unknown.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::plain("unauthorized", message)
    }

    fn plain(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            status: None,
            retry_after: None,
        }
    }

    /// The error of a call of an `omi-api` trait: the API's answer when there was one (a 403
    /// keeps its "Insufficient permissions. Required scope: ..." message), else the transport's.
    pub fn from_call<E: CallError>(error: &E) -> Self {
        match error.api_error() {
            Some(api) => Self::from_api(api),
            None => Self::plain("unavailable", error.to_string()),
        }
    }

    fn from_api(error: &ApiError) -> Self {
        let code = match error.kind() {
            ErrorKind::BadRequest | ErrorKind::Validation | ErrorKind::PayloadTooLarge => {
                "invalid_arguments"
            }
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "insufficient_scope",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Unavailable => "unavailable",
            _ => "internal",
        };
        Self {
            code,
            message: error.detail().to_string(),
            status: Some(error.status()),
            retry_after: error.retry_after(),
        }
    }

    /// The `{"error": {...}}` object.
    pub fn to_json(&self) -> Value {
        let mut error = Map::new();
        error.insert("code".into(), json!(self.code));
        error.insert("message".into(), json!(self.message));
        if let Some(status) = self.status {
            error.insert("status".into(), json!(status));
        }
        if let Some(seconds) = self.retry_after {
            error.insert("retry_after".into(), json!(seconds));
        }
        json!({ "error": error })
    }
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ToolError {}

/// What one tool call gives: a JSON object, or why it failed.
pub type ToolOutcome = Result<Value, ToolError>;

/// A successful answer from any serializable value (an object).
pub(crate) fn answer(value: impl Serialize) -> ToolOutcome {
    serde_json::to_value(value)
        .map_err(|e| ToolError::internal(format!("answer not serializable: {e}")))
}

/// A call's result into the tool's answer.
pub(crate) fn called<T, E: CallError>(result: Result<T, E>) -> Result<T, ToolError> {
    result.map_err(|e| ToolError::from_call(&e))
}

/// The MCP result of an outcome: structured content (and the same JSON as text, for clients
/// that read only text), `isError` on failure.
pub(crate) fn into_result(outcome: ToolOutcome) -> CallToolResult {
    match outcome {
        Ok(value) => CallToolResult::structured(value),
        Err(error) => CallToolResult::structured_error(error.to_json()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omi_api::messages;
    use omi_api::model::DevScope;

    #[test]
    fn a_missing_scope_is_a_tool_error_naming_the_scope() {
        let refused = ApiError::forbidden(messages::insufficient_scope(DevScope::MemoriesWrite));
        let error = ToolError::from_call(&refused);
        assert_eq!(error.code, "insufficient_scope");
        assert!(
            error.message.contains("memories:write"),
            "{}",
            error.message
        );
        assert_eq!(error.to_json()["error"]["status"], 403);
    }

    #[test]
    fn an_error_result_is_flagged_and_structured() {
        let result = into_result(Err(ToolError::invalid_arguments("limit: too big")));
        assert_eq!(result.is_error, Some(true));
        let content = result.structured_content.expect("structured");
        assert_eq!(content["error"]["code"], "invalid_arguments");
    }
}
