//! Helpers shared by the test modules: the fixed clock, fixtures, and assertions on
//! validation problems and on JSON round trips.

use std::fmt::Debug;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use omi_model::{ValidationErrors, decode};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The fixed clock every test validates against: 2024-03-10T15:00:00Z.
pub(crate) fn now() -> DateTime<Utc> {
    at("2024-03-10T15:00:00Z")
}

/// A timestamp written in RFC 3339.
#[track_caller]
pub(crate) fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("a valid RFC 3339 test timestamp")
        .with_timezone(&Utc)
}

/// The folder holding the spec examples. Inside this crate, so a fresh clone has it.
pub(crate) fn spec_fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec")
}

/// The bytes of a spec example fixture.
#[track_caller]
pub(crate) fn spec_fixture(name: &str) -> Vec<u8> {
    let path = spec_fixture_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Decode `body` as a request body (as a server would, from bytes), then validate it.
pub(crate) fn decode_then<T: DeserializeOwned, O>(
    body: &Value,
    validate: impl FnOnce(T) -> Result<O, ValidationErrors>,
) -> Result<O, ValidationErrors> {
    let bytes = serde_json::to_vec(body).expect("a JSON value serializes");
    decode::from_json_slice::<T>(&bytes).and_then(validate)
}

/// One expected problem: `(loc, msg, type)`, the loc written as `Loc`'s Display does
/// (`body.memories.1.content`).
pub(crate) type Problem<'a> = (&'a str, &'a str, &'a str);

/// Assert that `result` failed with exactly `expected`, in order.
#[track_caller]
pub(crate) fn assert_problems<O: Debug>(
    result: Result<O, ValidationErrors>,
    expected: &[Problem<'_>],
) {
    let errors = match result {
        Ok(value) => panic!("expected {expected:?}, but the input was accepted as {value:#?}"),
        Err(errors) => errors,
    };
    let actual: Vec<(String, String, String)> = errors
        .items()
        .iter()
        .map(|e| (e.loc.to_string(), e.msg.clone(), e.kind.clone()))
        .collect();
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(loc, msg, kind)| ((*loc).to_owned(), (*msg).to_owned(), (*kind).to_owned()))
        .collect();
    assert_eq!(actual, expected, "problems (loc, msg, type)");
}

/// Assert that `result` succeeded, returning its value.
#[track_caller]
pub(crate) fn assert_valid<O>(result: Result<O, ValidationErrors>) -> O {
    match result {
        Ok(value) => value,
        Err(errors) => panic!("expected the input to be accepted, got: {errors}"),
    }
}

/// Assert that every key and value of `original` is in `reserialized` with an equal value:
/// objects may gain keys (defaults the type fills in), but never lose or change one; arrays
/// must keep their length and each item must be a superset of the original's item.
#[track_caller]
pub(crate) fn assert_superset(original: &Value, reserialized: &Value) {
    let lost = superset_violations(original, reserialized);
    assert!(
        lost.is_empty(),
        "the round trip lost or changed:\n{}\noriginal:\n{original:#}\nreserialized:\n{reserialized:#}",
        lost.join("\n")
    );
}

/// What `reserialized` lost or changed of `original`, one line per place (see
/// [`assert_superset`]).
pub(crate) fn superset_violations(original: &Value, reserialized: &Value) -> Vec<String> {
    let mut lost = Vec::new();
    superset_at("$", original, reserialized, &mut lost);
    lost
}

fn superset_at(path: &str, original: &Value, reserialized: &Value, lost: &mut Vec<String>) {
    match (original, reserialized) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = format!("{path}.{key}");
                match b.get(key) {
                    Some(other) => superset_at(&here, value, other, lost),
                    None => lost.push(format!("{here}: missing (was {value})")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                lost.push(format!("{path}: {} items became {}", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                superset_at(&format!("{path}[{i}]"), x, y, lost);
            }
        }
        (a, b) if a == b => {}
        (a, b) => lost.push(format!("{path}: {a} became {b}")),
    }
}

#[test]
fn superset_check_accepts_added_keys_and_reports_lost_or_changed_ones() {
    use serde_json::json;
    let original = json!({"a": 1, "b": {"c": [1, {"d": "x"}]}, "e": null});
    let wider = json!({"a": 1, "b": {"c": [1, {"d": "x", "z": 0}], "y": 2}, "e": null, "f": 3});
    assert!(superset_violations(&original, &wider).is_empty());
    let narrower = json!({"a": 1.0, "b": {"c": [1, {}]}});
    assert_eq!(
        superset_violations(&original, &narrower),
        [
            "$.a: 1 became 1.0",
            "$.b.c[1].d: missing (was \"x\")",
            "$.e: missing (was null)"
        ]
    );
    let shorter = json!({"a": 1, "b": {"c": [1]}, "e": null});
    assert_eq!(
        superset_violations(&original, &shorter),
        ["$.b.c: 2 items became 1"]
    );
}
