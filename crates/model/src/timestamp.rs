//! ISO 8601 timestamps as the wire carries them.
//!
//! Bodies take RFC 3339 date-times with an offset or `Z` (`2024-07-21T22:34:43.384323+00:00`);
//! a time without an offset is rejected rather than guessed. Query filters (`start_date`,
//! `end_date`) also take a bare `YYYY-MM-DD`, read as midnight UTC. Everything is kept in UTC
//! at microsecond precision, as OMI's cloud (Python) keeps it.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serializer};

use crate::validation::kind;

/// Why a timestamp did not parse: pydantic's type code and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TimestampError {
    /// The machine code (`datetime_parsing` or `timezone_aware`).
    pub kind: &'static str,
    /// The message for a person.
    pub message: String,
}

/// The message for a date-time without an offset.
pub const NEEDS_TIMEZONE: &str = "Input should have timezone info";

/// Parse an RFC 3339 date-time that carries an offset or `Z`; `T` or a space may separate
/// date and time. The result is in UTC, truncated to microseconds.
///
/// ```
/// use omi_model::timestamp::parse_datetime;
/// let t = parse_datetime("2024-07-21T22:34:43.384323+02:00").unwrap();
/// assert_eq!(t.to_rfc3339(), "2024-07-21T20:34:43.384323+00:00");
/// assert!(parse_datetime("2024-07-21T22:34:43").is_err());
/// ```
pub fn parse_datetime(input: &str) -> Result<DateTime<Utc>, TimestampError> {
    let trimmed = input.trim();
    match DateTime::parse_from_rfc3339(trimmed) {
        Ok(t) => Ok(normalize(t.with_timezone(&Utc))),
        Err(_) if looks_naive(trimmed) => Err(TimestampError {
            kind: kind::TIMEZONE_AWARE,
            message: NEEDS_TIMEZONE.to_owned(),
        }),
        Err(e) => Err(TimestampError {
            kind: kind::DATETIME_PARSING,
            message: format!("Input should be a valid datetime, {e}"),
        }),
    }
}

/// Parse a query filter date: a full date-time as [`parse_datetime`] takes, or `YYYY-MM-DD`
/// (midnight UTC).
pub fn parse_date_or_datetime(input: &str) -> Result<DateTime<Utc>, TimestampError> {
    match NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d") {
        Ok(date) => Ok(date.and_time(chrono::NaiveTime::MIN).and_utc()),
        Err(_) => parse_datetime(input),
    }
}

/// Truncate to microseconds, the precision stored and shown.
pub fn normalize(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

fn looks_naive(input: &str) -> bool {
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .any(|fmt| NaiveDateTime::parse_from_str(input, fmt).is_ok())
}

/// Serde helpers for `DateTime<Utc>` fields that must carry an offset on the wire.
pub mod required {
    use super::*;

    /// Deserialize with [`parse_datetime`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = std::borrow::Cow::<'de, str>::deserialize(d)?;
        parse_datetime(&raw).map_err(serde::de::Error::custom)
    }

    /// Serialize as RFC 3339 in UTC with `Z`.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(t))
    }
}

/// Serde helpers for `Option<DateTime<Utc>>` fields (`null` or absent is `None`).
pub mod optional {
    use super::*;

    /// Deserialize with [`parse_datetime`]; `null` is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let raw = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        raw.map(|r| parse_datetime(&r).map_err(serde::de::Error::custom))
            .transpose()
    }

    /// Serialize as RFC 3339 in UTC with `Z`, or `null`.
    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format(t)),
            None => s.serialize_none(),
        }
    }
}

/// The wire form: RFC 3339, UTC, `Z`, only as many fraction digits as needed (at most 6).
pub fn format(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_without_offset_is_rejected_as_timezone_naive() {
        let err = parse_datetime("2024-03-10T15:00:00").unwrap_err();
        assert_eq!(err.kind, kind::TIMEZONE_AWARE);
        assert_eq!(err.message, NEEDS_TIMEZONE);
    }

    #[test]
    fn garbage_is_a_datetime_parsing_error() {
        let err = parse_datetime("yesterday").unwrap_err();
        assert_eq!(err.kind, kind::DATETIME_PARSING);
        assert!(err.message.starts_with("Input should be a valid datetime"));
    }

    #[test]
    fn z_and_offsets_are_normalized_to_utc_microseconds() {
        let t = parse_datetime("2024-03-10T15:00:00.123456789Z").unwrap();
        assert_eq!(format(&t), "2024-03-10T15:00:00.123456Z");
        let t = parse_datetime("2024-03-10T15:00:00-05:00").unwrap();
        assert_eq!(format(&t), "2024-03-10T20:00:00Z");
    }

    #[test]
    fn query_dates_may_be_bare_days() {
        let t = parse_date_or_datetime("2024-03-10").unwrap();
        assert_eq!(format(&t), "2024-03-10T00:00:00Z");
    }
}
