//! The tools, one module per resource: each tool is an arguments struct (its input schema is
//! derived from it) and an async function over the `omi-api` trait of its REST twin, so a tool
//! does what its route does, with the same scope, rate limit and validation.

pub(crate) mod action_items;
pub(crate) mod conversations;
pub(crate) mod goals;
pub(crate) mod memories;

use omi_api::model::chrono::{DateTime, Utc};
use omi_api::model::timestamp;
use rmcp::schemars::{Schema, json_schema};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::outcome::ToolError;

/// A tool's arguments as its struct; an unknown or wrongly typed field is an
/// `invalid_arguments` error naming it.
pub(crate) fn arguments<T: DeserializeOwned>(
    arguments: Option<Map<String, Value>>,
) -> Result<T, ToolError> {
    let value = Value::Object(arguments.unwrap_or_default());
    serde_json::from_value(value).map_err(|e| ToolError::invalid_arguments(e.to_string()))
}

/// A date argument: `YYYY-MM-DD` (midnight UTC) or an ISO 8601 date-time with an offset.
pub(crate) fn date(name: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, ToolError> {
    value
        .map(|text| {
            timestamp::parse_date_or_datetime(text.trim()).map_err(|e| {
                ToolError::invalid_arguments(format!(
                    "{name}: {e}; use YYYY-MM-DD or an ISO 8601 date-time such as 2026-07-01T17:00:00Z"
                ))
            })
        })
        .transpose()
}

/// A `limit` argument within `1..=max`, `default` when absent.
pub(crate) fn limit(value: Option<i64>, default: i64, max: i64) -> Result<i64, ToolError> {
    in_range("limit", value, default, max)
}

/// A count argument `name` within `1..=max`, `default` when absent.
pub(crate) fn in_range(
    name: &str,
    value: Option<i64>,
    default: i64,
    max: i64,
) -> Result<i64, ToolError> {
    match value {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ToolError::invalid_arguments(format!(
            "{name}: must be between 1 and {max}"
        ))),
    }
}

/// Cut a list read with one extra item to `limit`; the next cursor when there was more.
pub(crate) fn paged<T>(
    items: &mut Vec<T>,
    limit: i64,
    next: impl FnOnce(usize) -> String,
) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    (items.len() > limit).then(|| {
        items.truncate(limit);
        next(limit)
    })
}

/// The schema of a list of wire names (a `categories` filter).
pub(crate) fn names_schema(names: &[&str], description: &str) -> Schema {
    json_schema!({
        "type": "array",
        "items": { "type": "string", "enum": names },
        "description": description,
        "default": []
    })
}

/// The schema of one wire name.
pub(crate) fn name_schema(names: &[&str], description: &str) -> Schema {
    json_schema!({ "type": "string", "enum": names, "description": description })
}

/// Wire names into the enum they name; an unknown one is an error listing the accepted.
pub(crate) fn parse_names<T: std::str::FromStr>(
    field: &str,
    names: &[String],
    accepted: &[&str],
) -> Result<Vec<T>, ToolError> {
    names
        .iter()
        .map(|name| {
            name.parse::<T>().map_err(|_| {
                ToolError::invalid_arguments(format!(
                    "{field}: unknown value {name:?}; accepted: {}",
                    accepted.join(", ")
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_take_both_forms_and_refuse_the_rest_with_a_hint() {
        assert!(
            date("start_date", Some("2026-07-01"))
                .expect("date")
                .is_some()
        );
        assert!(
            date("start_date", Some("2026-07-01T17:00:00Z"))
                .expect("datetime")
                .is_some()
        );
        let error = date("start_date", Some("昨日")).expect_err("not a date");
        assert!(
            error.message.starts_with("start_date: "),
            "{}",
            error.message
        );
        assert_eq!(date("end_date", None), Ok(None));
    }

    #[test]
    fn limits_are_checked_not_clamped() {
        assert_eq!(limit(None, 20, 100), Ok(20));
        assert_eq!(limit(Some(100), 20, 100), Ok(100));
        assert!(limit(Some(0), 20, 100).is_err());
        assert!(limit(Some(101), 20, 100).is_err());
    }
}
