//! FastAPI-shaped validation problems: `{loc, msg, type}` items, collected all at once.
//!
//! Every check in this crate reports into a [`Problems`] collector instead of returning on the
//! first failure, so a request body with three mistakes gets three items back. The messages and
//! `type` codes follow pydantic v2, which is what OMI's cloud (FastAPI) answers with.
//!
//! One answer reports at most [`ValidationErrors::MAX_ITEMS`] problems, the first found: an
//! input with a hundred thousand mistakes gets a 422 of bounded size, still a list of
//! `{loc, msg, type}` items.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One segment of a problem's location: a field name or a list index.
///
/// ```
/// use omi_model::LocSegment;
/// let loc = vec![LocSegment::from("body"), LocSegment::from("memories"), LocSegment::from(2)];
/// assert_eq!(serde_json::to_string(&loc).unwrap(), r#"["body","memories",2]"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LocSegment {
    /// A list index.
    Index(usize),
    /// A field or parameter name (or the location root: `body`, `query`, `path`).
    Field(String),
}

impl From<&str> for LocSegment {
    fn from(value: &str) -> Self {
        Self::Field(value.to_owned())
    }
}

impl From<String> for LocSegment {
    fn from(value: String) -> Self {
        Self::Field(value)
    }
}

impl From<usize> for LocSegment {
    fn from(value: usize) -> Self {
        Self::Index(value)
    }
}

impl fmt::Display for LocSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Index(i) => write!(f, "{i}"),
            Self::Field(name) => f.write_str(name),
        }
    }
}

/// A path to the offending input, e.g. `["body", "memories", 2, "content"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Loc(pub Vec<LocSegment>);

impl Loc {
    /// The location of the request body as a whole.
    pub fn body() -> Self {
        Self(vec![LocSegment::from("body")])
    }

    /// The location of a query parameter.
    pub fn query(name: &str) -> Self {
        Self(vec![LocSegment::from("query"), LocSegment::from(name)])
    }

    /// This location extended by one segment.
    #[must_use]
    pub fn join(&self, segment: impl Into<LocSegment>) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment.into());
        Self(segments)
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// One problem with an input, in FastAPI's `{loc, msg, type}` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationError {
    /// Where the problem is.
    pub loc: Loc,
    /// What is wrong, for a person.
    pub msg: String,
    /// A stable machine code (pydantic's error type, e.g. `string_too_long`).
    #[serde(rename = "type")]
    pub kind: String,
}

impl ValidationError {
    /// A problem at `loc` with message `msg` and machine code `kind`.
    pub fn new(loc: Loc, kind: impl Into<String>, msg: impl Into<String>) -> Self {
        Self {
            loc,
            msg: msg.into(),
            kind: kind.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.loc, self.msg, self.kind)
    }
}

/// Every problem found in one input. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    /// The most problems one answer reports. [`Problems`] keeps the first this many and
    /// drops the rest, and every 422 is cut to this many items, so the size of an answer does
    /// not grow with the number of mistakes in the input.
    pub const MAX_ITEMS: usize = 100;

    /// A single problem.
    pub fn single(error: ValidationError) -> Self {
        Self(vec![error])
    }

    /// The problems, in the order they were found.
    pub fn items(&self) -> &[ValidationError] {
        &self.0
    }

    /// These problems cut to the first [`ValidationErrors::MAX_ITEMS`].
    #[must_use]
    pub fn bounded(mut self) -> Self {
        self.0.truncate(Self::MAX_ITEMS);
        self
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

/// A collector of problems, passed down through every check of one input. It keeps the first
/// [`ValidationErrors::MAX_ITEMS`] problems; later ones still make the input invalid but are
/// not kept.
#[derive(Debug, Default)]
pub struct Problems(Vec<ValidationError>);

impl Problems {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record a problem (kept while fewer than [`ValidationErrors::MAX_ITEMS`] are).
    pub fn push(&mut self, error: ValidationError) {
        if self.0.len() < ValidationErrors::MAX_ITEMS {
            self.0.push(error);
        }
    }

    /// Record every problem of a failed check; give back the value of a passed one.
    pub fn take<T>(&mut self, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                let room = ValidationErrors::MAX_ITEMS - self.0.len();
                self.0.extend(errors.0.into_iter().take(room));
                None
            }
        }
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was recorded, otherwise every recorded problem.
    ///
    /// `build` runs only when there were no problems, so it may rely on every
    /// `take` having returned `Some`.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ValidationErrors> {
        if !self.0.is_empty() {
            return Err(ValidationErrors(self.0));
        }
        build().ok_or_else(|| {
            ValidationErrors::single(ValidationError::new(
                Loc::body(),
                kind::VALUE_ERROR,
                "Value error, invalid input",
            ))
        })
    }
}

/// The machine codes (pydantic v2 error types) this crate reports.
pub mod kind {
    /// A required field is absent.
    pub const MISSING: &str = "missing";
    /// A string is shorter than allowed.
    pub const STRING_TOO_SHORT: &str = "string_too_short";
    /// A string is longer than allowed.
    pub const STRING_TOO_LONG: &str = "string_too_long";
    /// A list has more items than allowed.
    pub const TOO_LONG: &str = "too_long";
    /// A list has fewer items than allowed.
    pub const TOO_SHORT: &str = "too_short";
    /// A number is below its minimum.
    pub const GREATER_THAN_EQUAL: &str = "greater_than_equal";
    /// A number is above its maximum.
    pub const LESS_THAN_EQUAL: &str = "less_than_equal";
    /// A number is not finite.
    pub const FINITE_NUMBER: &str = "finite_number";
    /// A value is not one of an enum's members.
    pub const ENUM: &str = "enum";
    /// A rule written for this API failed.
    pub const VALUE_ERROR: &str = "value_error";
    /// Text that should be an integer is not.
    pub const INT_PARSING: &str = "int_parsing";
    /// Text that should be a boolean is not.
    pub const BOOL_PARSING: &str = "bool_parsing";
    /// A query value that is not a number.
    pub const FLOAT_PARSING: &str = "float_parsing";
    /// Text that should be a date-time is not.
    pub const DATETIME_PARSING: &str = "datetime_parsing";
    /// A date-time has no UTC offset.
    pub const TIMEZONE_AWARE: &str = "timezone_aware";
    /// The body is not valid JSON.
    pub const JSON_INVALID: &str = "json_invalid";
    /// A JSON value has the wrong type.
    pub const TYPE_ERROR: &str = "type_error";
    /// The body is not a JSON object.
    pub const MODEL_ATTRIBUTES_TYPE: &str = "model_attributes_type";
}

/// Messages shared by the checks, so each text exists once.
pub mod msg {
    /// pydantic's message for a missing field.
    pub const FIELD_REQUIRED: &str = "Field required";

    /// The message for text holding a control character (Unicode general category Cc)
    /// other than tab, line feed and carriage return: NUL and its kind are refused in every
    /// user text, so that every store keeps the same texts (PostgreSQL cannot store NUL).
    pub const CONTROL_CHARACTERS: &str = "Value error, text must not contain control characters other than tab, newline and carriage return";

    /// pydantic's message for a string under its minimum length.
    pub fn string_too_short(min: usize) -> String {
        format!("String should have at least {min} character{}", plural(min))
    }

    /// pydantic's message for a string over its maximum length.
    pub fn string_too_long(max: usize) -> String {
        format!("String should have at most {max} character{}", plural(max))
    }

    /// pydantic's message for a list over its maximum length.
    pub fn too_long(max: usize, actual: usize) -> String {
        format!(
            "List should have at most {max} item{} after validation, not {actual}",
            plural(max)
        )
    }

    /// pydantic's message for a list under its minimum length.
    pub fn too_short(min: usize, actual: usize) -> String {
        format!(
            "List should have at least {min} item{} after validation, not {actual}",
            plural(min)
        )
    }

    /// pydantic's message for a number under its minimum.
    pub fn greater_than_equal(min: impl std::fmt::Display) -> String {
        format!("Input should be greater than or equal to {min}")
    }

    /// pydantic's message for a number over its maximum.
    pub fn less_than_equal(max: impl std::fmt::Display) -> String {
        format!("Input should be less than or equal to {max}")
    }

    /// pydantic's message for a value outside an enum: `Input should be 'a', 'b' or 'c'`.
    pub fn enum_members(members: &[&str]) -> String {
        let quoted: Vec<String> = members.iter().map(|m| format!("'{m}'")).collect();
        match quoted.split_last() {
            None => "Input should be a valid enumeration member".to_owned(),
            Some((last, [])) => format!("Input should be {last}"),
            Some((last, rest)) => format!("Input should be {} or {last}", rest.join(", ")),
        }
    }

    fn plural(n: usize) -> &'static str {
        if n == 1 { "" } else { "s" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_message_lists_members_like_pydantic() {
        assert_eq!(msg::enum_members(&["a"]), "Input should be 'a'");
        assert_eq!(msg::enum_members(&["a", "b"]), "Input should be 'a' or 'b'");
        assert_eq!(
            msg::enum_members(&["a", "b", "c"]),
            "Input should be 'a', 'b' or 'c'"
        );
    }

    fn problem(i: usize) -> ValidationError {
        ValidationError::new(Loc::body().join(i), kind::VALUE_ERROR, "Value error, bad")
    }

    #[test]
    fn problems_keep_the_first_max_items() {
        let mut problems = Problems::new();
        for i in 0..100_000 {
            problems.push(problem(i));
        }
        let errors = problems.finish(|| Some(())).unwrap_err();
        assert_eq!(errors.items().len(), ValidationErrors::MAX_ITEMS);
        assert_eq!(errors.items()[0], problem(0));
        let last = ValidationErrors::MAX_ITEMS - 1;
        assert_eq!(errors.items()[last], problem(last));
    }

    #[test]
    fn problems_taken_from_a_check_are_capped_too() {
        let mut problems = Problems::new();
        problems.push(problem(0));
        let many = ValidationErrors((1..1000).map(problem).collect());
        assert!(problems.take::<()>(Err(many)).is_none());
        let errors = problems.finish(|| Some(())).unwrap_err();
        assert_eq!(errors.items().len(), ValidationErrors::MAX_ITEMS);
        assert!(problems_are_in_order(errors.items()));
    }

    fn problems_are_in_order(items: &[ValidationError]) -> bool {
        items.iter().enumerate().all(|(i, e)| *e == problem(i))
    }

    #[test]
    fn bounded_cuts_to_max_items() {
        let many = ValidationErrors((0..1000).map(problem).collect()).bounded();
        assert_eq!(many.items().len(), ValidationErrors::MAX_ITEMS);
        let few = ValidationErrors((0..3).map(problem).collect()).bounded();
        assert_eq!(few.items().len(), 3);
    }

    #[test]
    fn loc_serializes_as_mixed_list() {
        let loc = Loc::body().join("memories").join(3).join("content");
        assert_eq!(
            serde_json::to_value(&loc).unwrap(),
            serde_json::json!(["body", "memories", 3, "content"])
        );
        assert_eq!(loc.to_string(), "body.memories.3.content");
    }
}
