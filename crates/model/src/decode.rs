//! Decoding JSON request bodies into wire DTOs with FastAPI-shaped errors.
//!
//! serde stops at the first error. To report every wrongly typed field at once, a body that
//! fails to decode is decoded again one top-level field at a time: a field whose value is
//! wrong fails on its own, and each such failure becomes one `{loc, msg, type}` item.
//! Semantic rules (lengths, ranges, cross-field checks) run after decoding, in the DTOs'
//! `validate` methods, and also report every problem at once.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::timestamp::NEEDS_TIMEZONE;
use crate::validation::{Loc, ValidationError, ValidationErrors, kind, msg};

/// Decode a JSON request body into `T`, reporting every top-level problem at once.
///
/// ```
/// use omi_model::{decode::from_json_slice, CreateMemoryRequest};
/// let err = from_json_slice::<CreateMemoryRequest>(br#"{"content": 5, "visibility": "x"}"#)
///     .unwrap_err();
/// assert_eq!(err.items().len(), 2);
/// assert_eq!(err.items()[0].kind, "string_type");
/// assert_eq!(err.items()[1].kind, "enum");
/// ```
pub fn from_json_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ValidationErrors> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| json_invalid(bytes, &e))?;
    from_json_value(value)
}

/// Decode an already parsed JSON value into `T` (see [`from_json_slice`]).
pub fn from_json_value<T: DeserializeOwned>(value: Value) -> Result<T, ValidationErrors> {
    let Value::Object(object) = value else {
        return Err(ValidationErrors::single(ValidationError::new(
            Loc::body(),
            kind::MODEL_ATTRIBUTES_TYPE,
            "Input should be a valid dictionary or object to extract fields from",
        )));
    };
    match decode::<T>(Value::Object(object.clone())) {
        Ok(v) => Ok(v),
        Err(first) => Err(ValidationErrors(collect_field_errors::<T>(object, first)).bounded()),
    }
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, ValidationError> {
    serde_path_to_error::deserialize(value).map_err(|e| to_validation_error(&e))
}

/// Decode each field alone and keep the failures that belong to that field (a field decoded
/// alone always misses the other required fields, which is not its failure). Then decode the
/// fields that passed together, to report a required field that is absent (not one that is
/// present but wrongly typed): serde notices a missing field only at the end of an object, so
/// a wrongly typed field before it hides it.
fn collect_field_errors<T: DeserializeOwned>(
    object: Map<String, Value>,
    first: ValidationError,
) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    let mut passed = Map::new();
    let mut failed = Vec::new();
    for (key, value) in object {
        let mut single = Map::new();
        single.insert(key.clone(), value.clone());
        match decode::<T>(Value::Object(single)) {
            Err(e) if missing_top_level_field(&e).is_none() => {
                errors.push(e);
                failed.push(key);
            }
            _ => {
                passed.insert(key, value);
            }
        }
    }
    if errors.is_empty() {
        errors.push(first);
    } else if let Err(e) = decode::<T>(Value::Object(passed))
        && missing_top_level_field(&e).is_some_and(|name| !failed.iter().any(|k| k == name))
    {
        errors.push(e);
    }
    errors
}

/// The name of the body's own required field that `e` reports absent (`["body", name]`).
fn missing_top_level_field(e: &ValidationError) -> Option<&str> {
    match e.loc.0.as_slice() {
        [_, crate::validation::LocSegment::Field(name)] if e.kind == kind::MISSING => Some(name),
        _ => None,
    }
}

/// FastAPI puts Python's `JSONDecodeError.pos` in the loc: a character (not byte) offset, and
/// the end of the input when the input ends too early (serde points at its last byte).
fn json_invalid(bytes: &[u8], e: &serde_json::Error) -> ValidationErrors {
    let end = if e.is_eof() {
        bytes.len()
    } else {
        byte_offset(bytes, e.line(), e.column())
    };
    let position = String::from_utf8_lossy(&bytes[..end]).chars().count();
    ValidationErrors::single(ValidationError::new(
        Loc::body().join(position),
        kind::JSON_INVALID,
        "JSON decode error",
    ))
}

fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = bytes
        .split(|b| *b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    (line_start + column.saturating_sub(1)).min(bytes.len())
}

fn to_validation_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ValidationError {
    let mut loc = Loc::body();
    for segment in e.path().iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => loc = loc.join(*index),
            serde_path_to_error::Segment::Map { key } => loc = loc.join(key.as_str()),
            serde_path_to_error::Segment::Enum { variant } => loc = loc.join(variant.as_str()),
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    classify(loc, &e.inner().to_string())
}

/// Turn a serde message into pydantic's type code and wording.
fn classify(loc: Loc, message: &str) -> ValidationError {
    if let Some(field) = between(message, "missing field `", "`") {
        return ValidationError::new(loc.join(field), kind::MISSING, msg::FIELD_REQUIRED);
    }
    if let Some(expected) = message.strip_prefix("invalid type: ") {
        let (code, text) = type_mismatch(expected);
        return ValidationError::new(loc, code, text);
    }
    if message.starts_with(NEEDS_TIMEZONE) {
        return ValidationError::new(loc, kind::TIMEZONE_AWARE, message);
    }
    if message.starts_with("Input should be a valid datetime") {
        return ValidationError::new(loc, kind::DATETIME_PARSING, message);
    }
    if message.starts_with("Input should be '") {
        return ValidationError::new(loc, kind::ENUM, message);
    }
    if message.starts_with("invalid value: ") {
        return ValidationError::new(loc, kind::TYPE_ERROR, message);
    }
    ValidationError::new(loc, kind::VALUE_ERROR, format!("Value error, {message}"))
}

fn type_mismatch(description: &str) -> (&'static str, &'static str) {
    let expected = description
        .split_once(", expected ")
        .map_or(description, |(_, e)| e);
    const TABLE: &[(&str, &str, &str)] = &[
        ("string", "string_type", "Input should be a valid string"),
        ("bool", "bool_type", "Input should be a valid boolean"),
        ("sequence", "list_type", "Input should be a valid list"),
        ("f64", "float_type", "Input should be a valid number"),
        ("f32", "float_type", "Input should be a valid number"),
        ("i64", "int_type", "Input should be a valid integer"),
        ("u64", "int_type", "Input should be a valid integer"),
        ("i32", "int_type", "Input should be a valid integer"),
        ("u32", "int_type", "Input should be a valid integer"),
        (
            "struct",
            "model_type",
            "Input should be a valid dictionary or object to extract fields from",
        ),
        ("map", "dict_type", "Input should be a valid dictionary"),
    ];
    TABLE
        .iter()
        .find(|(needle, _, _)| expected.contains(needle))
        .map_or(
            (kind::TYPE_ERROR, "Input has the wrong type"),
            |(_, c, m)| (*c, *m),
        )
}

/// Serde helpers for an optional integer field that takes, as pydantic does, an integral
/// JSON float too (`5.0`, which JSON Schema counts as an integer): `#[serde(default,
/// deserialize_with = "crate::decode::integral")]`. A fractional or out-of-range number is
/// the same `int_type` problem as any other non-integer.
pub fn integral<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct Integral;

    impl serde::de::Visitor<'_> for Integral {
        type Value = Option<i64>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("i64")
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_type(serde::de::Unexpected::Unsigned(v), &self))
        }

        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // An integer literal past i64 arrives here as its nearest float, which for one just
            // below i64::MIN is -2^63 itself: both ends are left out, so nothing past the
            // range is taken (2^63 is the first float past i64::MAX).
            const EDGE: f64 = 9_223_372_036_854_775_808.0;
            let in_range = v > -EDGE && v < EDGE;
            if v.fract() == 0.0 && in_range {
                Ok(Some(v as i64))
            } else {
                Err(E::invalid_type(serde::de::Unexpected::Float(v), &self))
            }
        }
    }

    d.deserialize_any(Integral)
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(start)?;
    rest.split_once(end).map(|(inner, _)| inner)
}

/// Read a field that may be `null` as present: `Some(None)` for `null`, `Some(Some(v))` for a
/// value; with `#[serde(default)]` an absent field stays `None`. For PATCH bodies where
/// `null` clears a field.
pub(crate) fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LocSegment;
    use crate::{CreateConversationRequest, CreateMemoryRequest};

    #[test]
    fn malformed_json_is_json_invalid_at_its_byte_position() {
        let err = from_json_slice::<CreateMemoryRequest>(b"{\"content\": ").unwrap_err();
        assert_eq!(err.items().len(), 1);
        let item = &err.items()[0];
        assert_eq!(item.kind, "json_invalid");
        assert_eq!(item.msg, "JSON decode error");
        assert_eq!(item.loc.0[0], LocSegment::from("body"));
    }

    #[test]
    fn a_body_that_is_not_an_object_is_rejected() {
        let err = from_json_slice::<CreateMemoryRequest>(b"[1,2]").unwrap_err();
        assert_eq!(err.items()[0].kind, "model_attributes_type");
        assert_eq!(err.items()[0].loc, Loc::body());
    }

    #[test]
    fn every_wrongly_typed_field_is_reported() {
        let err = from_json_slice::<CreateConversationRequest>(
            br#"{"text": 1, "language": true, "text_source": "fax"}"#,
        )
        .unwrap_err();
        let locs: Vec<String> = err.items().iter().map(|e| e.loc.to_string()).collect();
        assert_eq!(locs, ["body.text", "body.language", "body.text_source"]);
    }

    #[test]
    fn a_missing_required_field_is_field_required() {
        let err = from_json_slice::<CreateMemoryRequest>(b"{}").unwrap_err();
        assert_eq!(err.items()[0].loc.to_string(), "body.content");
        assert_eq!(err.items()[0].msg, "Field required");
        assert_eq!(err.items()[0].kind, "missing");
    }

    #[test]
    fn nested_errors_carry_their_full_path() {
        let err = from_json_slice::<crate::BatchCreateMemoriesRequest>(
            br#"{"memories": [{"content": "ok"}, {"content": ["x"]}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.items()[0].loc.to_string(), "body.memories.1.content");
        assert_eq!(err.items()[0].kind, "string_type");
    }
}
