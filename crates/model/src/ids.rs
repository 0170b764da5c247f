//! Identifiers of users and records.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::{Loc, ValidationError, ValidationErrors, kind, msg};

/// A user id (`uid`): 1 to 128 characters, no control characters.
///
/// ```
/// use omi_model::{Loc, Uid};
/// assert!(Uid::parse_at(&Loc::query("uid"), "user_123").is_ok());
/// assert!(Uid::parse_at(&Loc::query("uid"), "").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uid(String);

impl Uid {
    /// The longest user id accepted.
    pub const MAX_CHARS: usize = 128;

    /// Check `raw`, reported at `loc`.
    pub fn parse_at(loc: &Loc, raw: &str) -> Result<Self, ValidationErrors> {
        let chars = raw.chars().count();
        let problem = if chars == 0 {
            Some((kind::STRING_TOO_SHORT, msg::string_too_short(1)))
        } else if chars > Self::MAX_CHARS {
            Some((kind::STRING_TOO_LONG, msg::string_too_long(Self::MAX_CHARS)))
        } else if raw.chars().any(char::is_control) {
            Some((
                kind::VALUE_ERROR,
                "Value error, uid must not contain control characters".to_owned(),
            ))
        } else {
            None
        };
        match problem {
            Some((code, text)) => Err(ValidationErrors::single(ValidationError::new(
                loc.clone(),
                code,
                text,
            ))),
            None => Ok(Self(raw.to_owned())),
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Uid {
    type Error = ValidationErrors;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse_at(&Loc::query("uid"), &value)
    }
}

impl From<Uid> for String {
    fn from(value: Uid) -> Self {
        value.0
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
