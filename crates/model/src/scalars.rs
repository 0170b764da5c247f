//! Validated scalar values: bounded texts, tags, coordinates, pagination.
//!
//! Each type can only be built through a check, so a value of it is valid by construction.
//! The limits are associated constants, and the error messages are built from the same
//! constants, so a limit and its message cannot disagree.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::{Loc, Problems, ValidationError, ValidationErrors, kind, msg};

/// Whether user text may not hold `c`: a control character (Unicode general category Cc)
/// other than tab, line feed and carriage return. Every other character is text, format
/// characters (zero-width joiners, direction marks) and combining marks included.
fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Check a text's length in characters, when `blank_message` is given that it is not empty
/// or only white space (a text that may be blank may also be empty), and that it holds no
/// refused control character ([`msg::CONTROL_CHARACTERS`]); one problem at most. Returns the
/// text trimmed of surrounding white space.
fn bounded_text(
    loc: &Loc,
    raw: &str,
    max: usize,
    blank_message: Option<&str>,
) -> Result<String, ValidationErrors> {
    let chars = raw.chars().count();
    let problem = if chars == 0 && blank_message.is_some() {
        Some((kind::STRING_TOO_SHORT, msg::string_too_short(1)))
    } else if chars > max {
        Some((kind::STRING_TOO_LONG, msg::string_too_long(max)))
    } else if raw.trim().is_empty() && blank_message.is_some() {
        blank_message.map(|m| (kind::VALUE_ERROR, format!("Value error, {m}")))
    } else if raw.chars().any(is_refused_control) {
        Some((kind::VALUE_ERROR, msg::CONTROL_CHARACTERS.to_owned()))
    } else {
        None
    };
    match problem {
        Some((code, text)) => Err(ValidationErrors::single(ValidationError::new(
            loc.clone(),
            code,
            text,
        ))),
        None => Ok(raw.trim().to_owned()),
    }
}

macro_rules! bounded_text_type {
    ($(#[$meta:meta])* $name:ident, max = $max:expr, blank = $blank:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The most characters allowed.
            pub const MAX_CHARS: usize = $max;

            /// Check `raw` (reported at `loc`) and keep it trimmed.
            pub fn parse_at(loc: &Loc, raw: &str) -> Result<Self, ValidationErrors> {
                bounded_text(loc, raw, Self::MAX_CHARS, $blank).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, owned.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationErrors;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse_at(&Loc::default(), &value)
            }
        }

        impl std::str::FromStr for $name {
            type Err = ValidationErrors;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse_at(&Loc::default(), s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::try_from(raw).map_err(serde::de::Error::custom)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text_type! {
    /// A memory's content: 1 to 500 characters, not blank, stored trimmed.
    ///
    /// ```
    /// use omi_model::MemoryContent;
    /// let c: MemoryContent = "  User is vegetarian ".parse().unwrap();
    /// assert_eq!(c.as_str(), "User is vegetarian");
    /// assert!("   ".parse::<MemoryContent>().is_err());
    /// assert!("x".repeat(MemoryContent::MAX_CHARS + 1).parse::<MemoryContent>().is_err());
    /// ```
    MemoryContent, max = 500, blank = Some(MemoryContent::BLANK)
}

impl MemoryContent {
    /// The message for content made only of white space.
    pub const BLANK: &'static str = "content cannot be empty";
}

bounded_text_type! {
    /// The text of a conversation to import: not blank, at most 500 000 characters.
    ConversationText, max = 500_000, blank = Some(ConversationText::BLANK)
}

impl ConversationText {
    /// The message for text made only of white space.
    pub const BLANK: &'static str = "text cannot be empty";
}

bounded_text_type! {
    /// The text of a conversation created through the developer API: not blank, at most
    /// 100 000 characters (OMI's limit on that route).
    DevConversationText, max = 100_000, blank = Some(ConversationText::BLANK)
}

impl From<DevConversationText> for ConversationText {
    /// Every developer text is a valid conversation text: it is shorter, and not blank.
    fn from(text: DevConversationText) -> Self {
        Self(text.0)
    }
}

bounded_text_type! {
    /// A conversation's title as a developer sets it: 1 to 500 characters, not blank.
    ConversationTitle, max = 500, blank = Some(ConversationTitle::BLANK)
}

impl ConversationTitle {
    /// The message for a title made only of white space.
    pub const BLANK: &'static str = "title cannot be empty";
}

bounded_text_type! {
    /// What an action item asks for: 1 to 500 characters, not blank, stored trimmed.
    ///
    /// ```
    /// use omi_model::ActionItemDescription;
    /// let d: ActionItemDescription = " Pick up milk ".parse().unwrap();
    /// assert_eq!(d.as_str(), "Pick up milk");
    /// assert!(" ".parse::<ActionItemDescription>().is_err());
    /// ```
    ActionItemDescription, max = 500, blank = Some(ActionItemDescription::BLANK)
}

impl ActionItemDescription {
    /// The message for a description made only of white space.
    pub const BLANK: &'static str = "description cannot be empty";
}

bounded_text_type! {
    /// A goal's title: 1 to 500 characters, not blank, stored trimmed.
    GoalTitle, max = 500, blank = Some(GoalTitle::BLANK)
}

impl GoalTitle {
    /// The message for a title made only of white space (OMI's words).
    pub const BLANK: &'static str = "title cannot be empty";
}

bounded_text_type! {
    /// A goal's longer texts (`desired_outcome`, `why_it_matters`, each success criterion):
    /// at most 2 000 characters, stored trimmed; may be empty.
    GoalText, max = 2_000, blank = None
}

bounded_text_type! {
    /// The unit a goal's metric counts in (`km`, `books`, `kg`): at most 64 characters.
    GoalUnit, max = 64, blank = None
}

bounded_text_type! {
    /// A client's id of the recording session a transcript comes from (`client_session_id`
    /// of `from-segments`, OMI's idempotency key): 1 to 200 characters, not blank, trimmed.
    ClientSessionId, max = 200, blank = Some(ClientSessionId::BLANK)
}

impl ClientSessionId {
    /// The message for a session id made only of white space (OMI's words).
    pub const BLANK: &'static str = "client_session_id cannot be empty";
}

bounded_text_type! {
    /// What a client says of itself (`client_device_id`, `client_platform`): at most 200
    /// characters, trimmed; may be empty.
    ClientLabel, max = 200, blank = None
}

bounded_text_type! {
    /// A folder's name: 1 to 100 characters, not blank, stored trimmed.
    FolderName, max = 100, blank = Some(FolderName::BLANK)
}

impl FolderName {
    /// The message for a name made only of white space.
    pub const BLANK: &'static str = "name cannot be empty";
}

bounded_text_type! {
    /// A folder's id as a filter or a move names it (`folder_id`): 1 to 200 characters, not
    /// blank, trimmed.
    FolderId, max = 200, blank = Some(FolderId::BLANK)
}

impl FolderId {
    /// The message for an id made only of white space.
    pub const BLANK: &'static str = "folder_id cannot be empty";
}

bounded_text_type! {
    /// Where an imported memory comes from (`source_id`, `source_url`): at most 2 048
    /// characters, trimmed; may be empty.
    SourceReference, max = 2_048, blank = None
}

bounded_text_type! {
    /// Text from which memories are extracted: not blank, at most 500 000 characters.
    ImportText, max = 500_000, blank = Some(ImportText::BLANK)
}

impl ImportText {
    /// The message for text made only of white space.
    pub const BLANK: &'static str = "text cannot be empty";
}

bounded_text_type! {
    /// One tag of a memory: 1 to 100 characters, not blank.
    Tag, max = 100, blank = Some(Tag::BLANK)
}

impl Tag {
    /// The message for a tag made only of white space.
    pub const BLANK: &'static str = "tag cannot be empty";
}

bounded_text_type! {
    /// `text_source_spec`: a free-form note on the source (`"sms"`, `"newsletter"`), at most
    /// 200 characters; may be empty, as in OMI's cloud.
    TextSourceSpec, max = 200, blank = None
}

/// A memory's tags: at most [`Tags::MAX_ITEMS`], each a valid [`Tag`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tags(Vec<Tag>);

impl Tags {
    /// The most tags a memory may carry.
    pub const MAX_ITEMS: usize = 50;

    /// Check every tag of `raw` (reported under `loc`), collecting every problem.
    pub fn parse_at(loc: &Loc, raw: &[String]) -> Result<Self, ValidationErrors> {
        if raw.len() > Self::MAX_ITEMS {
            return Err(ValidationErrors::single(ValidationError::new(
                loc.clone(),
                kind::TOO_LONG,
                msg::too_long(Self::MAX_ITEMS, raw.len()),
            )));
        }
        let mut problems = Problems::new();
        let tags: Vec<Option<Tag>> = raw
            .iter()
            .enumerate()
            .map(|(i, t)| problems.take(Tag::parse_at(&loc.join(i), t)))
            .collect();
        problems.finish(|| tags.into_iter().collect::<Option<Vec<_>>>().map(Self))
    }

    /// The tags as strings.
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(|t| t.as_str().to_owned()).collect()
    }

    /// The tags.
    pub fn as_slice(&self) -> &[Tag] {
        &self.0
    }
}

/// A language code (`en`, `pt-BR`, `multi`): 1 to 35 letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Language(String);

impl Language {
    /// The longest code accepted (the longest BCP 47 tag in common use).
    pub const MAX_CHARS: usize = 35;
    /// The default when a request names none.
    pub const DEFAULT: &'static str = "en";

    /// Check `raw`, reported at `loc`.
    pub fn parse_at(loc: &Loc, raw: &str) -> Result<Self, ValidationErrors> {
        let text = bounded_text(loc, raw, Self::MAX_CHARS, Some("language cannot be empty"))?;
        if text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            Ok(Self(text))
        } else {
            Err(ValidationErrors::single(ValidationError::new(
                loc.clone(),
                kind::VALUE_ERROR,
                "Value error, language must be a code of letters, digits, '-' or '_' (e.g. 'en')",
            )))
        }
    }

    /// English, the default.
    pub fn english() -> Self {
        Self(Self::DEFAULT.to_owned())
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Check the optional free texts `fields` (name and value) of an object reported under `loc`:
/// each present one at most `max` characters and free of refused control characters, one
/// problem per field. The values are kept as given (not trimmed).
pub(crate) fn optional_texts(
    problems: &mut Problems,
    loc: &Loc,
    fields: &[(&str, Option<&str>)],
    max: usize,
) {
    for (name, value) in fields {
        if let Some(value) = value {
            problems.take(bounded_text(&loc.join(*name), value, max, None));
        }
    }
}

/// Check a coordinate: finite and within `-bound..=bound`.
pub(crate) fn coordinate(loc: &Loc, value: f64, bound: f64) -> Result<f64, ValidationErrors> {
    let problem = if !value.is_finite() {
        Some((
            kind::FINITE_NUMBER,
            "Input should be a finite number".to_owned(),
        ))
    } else if value < -bound {
        Some((kind::GREATER_THAN_EQUAL, msg::greater_than_equal(-bound)))
    } else if value > bound {
        Some((kind::LESS_THAN_EQUAL, msg::less_than_equal(bound)))
    } else {
        None
    };
    match problem {
        Some((code, text)) => Err(ValidationErrors::single(ValidationError::new(
            loc.clone(),
            code,
            text,
        ))),
        None => Ok(value),
    }
}

/// How many items a list call returns: [`Limit::MIN`]..=[`Limit::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Limit(u32);

impl Limit {
    /// The smallest page.
    pub const MIN: u32 = 1;
    /// The largest page.
    pub const MAX: u32 = 1000;
    /// The default of the integration list routes.
    pub const INTEGRATION_DEFAULT: Self = Self(100);
    /// The default of the developer list routes.
    pub const DEVELOPER_DEFAULT: Self = Self(25);
    /// The default of the developer action item list.
    pub const ACTION_ITEMS_DEFAULT: Self = Self(100);
    /// The default of the memory search.
    pub const SEARCH_DEFAULT: Self = Self(10);

    /// `n` brought into [`Limit::MIN`]..=`max` (for a page a server chooses itself).
    pub fn new_clamped(n: u32, max: u32) -> Self {
        Self(n.clamp(Self::MIN, max.max(Self::MIN)))
    }
    /// The largest page of the memory search.
    pub const SEARCH_MAX: u32 = 100;

    /// Check `raw` (absent means `default`), reported at `loc`.
    pub fn parse_at(loc: &Loc, raw: Option<i64>, default: Self) -> Result<Self, ValidationErrors> {
        Self::parse_within(loc, raw, default, Self::MAX)
    }

    /// Check `raw` (absent means `default`) against [`Limit::MIN`]..=`max` (a route with a
    /// smaller page than [`Limit::MAX`]), reported at `loc`.
    pub fn parse_within(
        loc: &Loc,
        raw: Option<i64>,
        default: Self,
        max: u32,
    ) -> Result<Self, ValidationErrors> {
        let Some(raw) = raw else { return Ok(default) };
        if raw < i64::from(Self::MIN) {
            Err(ValidationErrors::single(ValidationError::new(
                loc.clone(),
                kind::GREATER_THAN_EQUAL,
                msg::greater_than_equal(Self::MIN),
            )))
        } else if raw > i64::from(max) {
            Err(ValidationErrors::single(ValidationError::new(
                loc.clone(),
                kind::LESS_THAN_EQUAL,
                msg::less_than_equal(max),
            )))
        } else {
            Ok(Self(raw as u32))
        }
    }

    /// The number of items.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// How many items a list call skips: zero or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct Offset(u64);

impl Offset {
    /// Check `raw` (absent means 0), reported at `loc`.
    pub fn parse_at(loc: &Loc, raw: Option<i64>) -> Result<Self, ValidationErrors> {
        match raw {
            None => Ok(Self(0)),
            Some(n) if n >= 0 => Ok(Self(n as u64)),
            Some(_) => Err(ValidationErrors::single(ValidationError::new(
                loc.clone(),
                kind::GREATER_THAN_EQUAL,
                msg::greater_than_equal(0),
            ))),
        }
    }

    /// The number of items skipped.
    pub fn get(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_report_each_bad_tag_at_its_index() {
        let loc = Loc::body().join("tags");
        let err = Tags::parse_at(&loc, &["ok".into(), " ".into(), "x".repeat(101)]).unwrap_err();
        let locs: Vec<String> = err.items().iter().map(|e| e.loc.to_string()).collect();
        assert_eq!(locs, ["body.tags.1", "body.tags.2"]);
    }

    #[test]
    fn limit_defaults_and_bounds() {
        let loc = Loc::query("limit");
        assert_eq!(
            Limit::parse_at(&loc, None, Limit::DEVELOPER_DEFAULT)
                .unwrap()
                .get(),
            25
        );
        assert_eq!(
            Limit::parse_at(&loc, Some(1000), Limit::DEVELOPER_DEFAULT)
                .unwrap()
                .get(),
            1000
        );
        assert!(Limit::parse_at(&loc, Some(1001), Limit::DEVELOPER_DEFAULT).is_err());
        assert!(Limit::parse_at(&loc, Some(0), Limit::DEVELOPER_DEFAULT).is_err());
    }
}
