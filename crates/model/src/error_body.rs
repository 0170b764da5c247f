//! The error body every error answer carries, exactly OMI's `{"detail": ...}`: buildable here,
//! with the types alone, so a third party can answer as OMI's cloud does. `omi-api`
//! re-exports these types and builds its `ApiError` bodies with them.
//!
//! ```
//! use omi_model::{ErrorBody, Loc, ValidationError, ValidationErrors};
//!
//! let body = ErrorBody::message("Memory not found");
//! assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"detail":"Memory not found"}"#);
//!
//! // A lone whole-body rule is a plain string, as OMI's cloud sends it.
//! let rule = ValidationError::new(
//!     Loc::body(),
//!     "value_error",
//!     "Either text or explicit memories are required and cannot be empty",
//! );
//! let body = ErrorBody::validation(ValidationErrors::single(rule));
//! assert_eq!(
//!     serde_json::to_string(&body).unwrap(),
//!     r#"{"detail":"Either text or explicit memories are required and cannot be empty"}"#
//! );
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::{Loc, ValidationError, ValidationErrors};

/// The `detail` of an error body: a message, or FastAPI's list of validation items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorDetail {
    /// A message for a person (`{"detail": "Memory not found"}`).
    Message(String),
    /// Validation problems (`{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`).
    Validation(Vec<ValidationError>),
}

impl ErrorDetail {
    /// The detail of a 422 with `errors`, as OMI's cloud gives it: a lone problem about the
    /// body as a whole (`loc == ["body"]`, such as "Either text or explicit memories are
    /// required and cannot be empty") is a plain message; otherwise the list of items, at
    /// most [`ValidationErrors::MAX_ITEMS`] (the first ones).
    pub fn validation(errors: ValidationErrors) -> Self {
        let errors = errors.bounded();
        match errors.items() {
            [only] if only.loc == Loc::body() => Self::Message(only.msg.clone()),
            _ => Self::Validation(errors.0),
        }
    }
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Message(m) => f.write_str(m),
            Self::Validation(items) => f.write_str(&ValidationErrors(items.clone()).to_string()),
        }
    }
}

/// The error body on the wire: exactly OMI's `{"detail": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong.
    pub detail: ErrorDetail,
}

impl ErrorBody {
    /// `{"detail": message}`.
    pub fn message(message: impl Into<String>) -> Self {
        Self {
            detail: ErrorDetail::Message(message.into()),
        }
    }

    /// The body of a 422 with `errors` (see [`ErrorDetail::validation`]).
    pub fn validation(errors: ValidationErrors) -> Self {
        Self {
            detail: ErrorDetail::validation(errors),
        }
    }
}
