//! List queries: their wire DTOs, query-string encoding, and validated forms.
//!
//! A query DTO holds what a caller asks for, even out of range (`limit: Some(0)`), so that
//! every transport rejects the same inputs the same way; `validate` turns it into a
//! `*Params` value whose numbers are in range and whose defaults are filled.
//!
//! List filters (`statuses`, `categories`) are bounded twice, so no query string can make a
//! statement with an unbounded number of SQL variables or an unbounded answer: a filter takes
//! at most [`MAX_LIST_VALUES`] raw values (more is one 422 `too_long` item, nothing else of
//! the list is parsed), and the validated filter holds each value once, so it never has more
//! entries than its enum has members.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::{ConversationStatus, MemoryCategory};
use crate::scalars::{Limit, Offset};
use crate::timestamp;
use crate::validation::{Loc, Problems, ValidationError, ValidationErrors, kind, msg};

/// The most values one list filter (`statuses`, `categories`) takes, counted as sent (before
/// de-duplication, `a,b` and repeated parameters alike). More is a 422 `too_long` at the
/// filter. Each filter's enum has far fewer members, so a list this long can only repeat
/// itself; the cap keeps the work and the 422 of such a list small (at most this many `enum`
/// items, within [`ValidationErrors::MAX_ITEMS`]).
pub const MAX_LIST_VALUES: usize = 100;

/// Why a query string was rejected: a 422 with items, or a 400 with a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Values of the wrong form or out of range (422).
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// A request OMI's cloud answers with 400 and a message (e.g. an unknown category).
    #[error("{0}")]
    BadRequest(String),
}

impl From<ValidationErrors> for QueryError {
    fn from(value: ValidationErrors) -> Self {
        Self::Invalid(value)
    }
}

/// A route's parameters read from its raw query string, as OMI's cloud reads them: a value
/// of the wrong form or out of range is a 422 with items, a request the cloud refuses with a
/// message (an unknown category) a 400.
///
/// ```
/// use omi_model::{FromQueryStr, ListMemoriesQuery};
///
/// let query = ListMemoriesQuery::from_query_str("limit=5&offset=10").unwrap();
/// assert_eq!((query.limit, query.offset), (Some(5), Some(10)));
/// assert!(ListMemoriesQuery::from_query_str("limit=ten").is_err());
/// ```
pub trait FromQueryStr: Sized {
    /// Read from a raw query string (without the `?`).
    fn from_query_str(raw: &str) -> Result<Self, QueryError>;
}

/// The parameters of a query string, read one name at a time with problems collected.
#[derive(Debug, Default)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Split a raw query string (without `?`). Undecodable input yields no pairs.
    pub fn parse(raw: &str) -> Self {
        Self {
            pairs: serde_urlencoded::from_str(raw).unwrap_or_default(),
        }
    }

    /// The last value given for `name`, if any.
    pub fn last(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, repeated parameters and comma lists alike, trimmed, empty ones
    /// dropped: `a=x,y&a=z` gives `x, y, z`. Unbounded: the list filters read
    /// [`QueryParams::bounded_list`].
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.values(name).collect()
    }

    /// The values of `name` as [`QueryParams::list`] gives them, when there are at most
    /// [`MAX_LIST_VALUES`]; otherwise one `too_long` problem at `query.{name}`, found by
    /// counting, without collecting or parsing a value.
    pub fn bounded_list(&self, name: &str) -> Result<Vec<&str>, ValidationErrors> {
        let count = self.values(name).count();
        check_list_len(name, count)?;
        Ok(self.values(name).collect())
    }

    fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// An integer parameter; a non-integer is recorded as `int_parsing`.
    pub fn int(&self, name: &str, problems: &mut Problems) -> Option<i64> {
        let raw = self.last(name)?;
        match raw.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.push(ValidationError::new(
                    Loc::query(name),
                    kind::INT_PARSING,
                    "Input should be a valid integer, unable to parse string as an integer",
                ));
                None
            }
        }
    }

    /// A boolean parameter, read as pydantic reads one (`true/false`, `1/0`, `yes/no`,
    /// `on/off`, `t/f`, `y/n`, any case).
    pub fn bool(&self, name: &str, problems: &mut Problems) -> Option<bool> {
        let raw = self.last(name)?;
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
            "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
            _ => {
                problems.push(ValidationError::new(
                    Loc::query(name),
                    kind::BOOL_PARSING,
                    "Input should be a valid boolean, unable to interpret input",
                ));
                None
            }
        }
    }

    /// The `categories` parameter (`a,b` or repeated). An unknown name is a 400 naming it
    /// and `enum_name`, OMI's Python enum (`Invalid category 'x' is not a valid
    /// MemoryCategory`), as OMI's cloud answers; more than [`MAX_LIST_VALUES`] values are a
    /// 422 `too_long`.
    pub fn categories<T: std::str::FromStr>(&self, enum_name: &str) -> Result<Vec<T>, QueryError> {
        self.bounded_list("categories")?
            .into_iter()
            .map(|name| {
                name.parse::<T>().map_err(|_| {
                    QueryError::BadRequest(format!(
                        "Invalid category '{name}' is not a valid {enum_name}"
                    ))
                })
            })
            .collect()
    }

    /// A date filter: ISO 8601 with offset, or `YYYY-MM-DD`.
    pub fn date(&self, name: &str, problems: &mut Problems) -> Option<DateTime<Utc>> {
        let raw = self.last(name).filter(|r| !r.trim().is_empty())?;
        match timestamp::parse_date_or_datetime(raw) {
            Ok(t) => Some(t),
            Err(e) => {
                problems.push(ValidationError::new(Loc::query(name), e.kind, e.message));
                None
            }
        }
    }
}

/// Query of `GET /v2/integrations/{app_id}/conversations`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListConversationsQuery {
    /// Page size, 1..=1000; default 100.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000, default = 100))]
    pub limit: Option<i64>,
    /// Items to skip, >= 0; default 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0, default = 0))]
    pub offset: Option<i64>,
    /// Whether discarded conversations are included; default false.
    #[cfg_attr(feature = "openapi", param(default = false))]
    pub include_discarded: Option<bool>,
    /// Only conversations in these states, comma-separated (`processing,completed`) or
    /// repeated; none means all.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(style = Form, explode = false, max_items = 100))]
    pub statuses: Vec<ConversationStatus>,
    /// Only conversations that started at or after this time (ISO 8601, or `YYYY-MM-DD`).
    #[serde(default, with = "timestamp::optional")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, example = "2024-03-01"))]
    pub start_date: Option<DateTime<Utc>>,
    /// Only conversations that started at or before this time (ISO 8601, or `YYYY-MM-DD`).
    #[serde(default, with = "timestamp::optional")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, example = "2024-03-31T23:59:59Z"))]
    pub end_date: Option<DateTime<Utc>>,
    /// The most transcript segments shown of each conversation, -1..=1000 (-1: all);
    /// default 100, as in OMI's cloud.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = -1, maximum = 1000, default = 100))]
    pub max_transcript_segments: Option<i64>,
}

/// A validated conversation list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationListParams {
    /// Page size.
    pub limit: Limit,
    /// Items skipped.
    pub offset: Offset,
    /// Whether discarded conversations are included.
    pub include_discarded: bool,
    /// Only these states, each once; empty means all.
    pub statuses: Vec<ConversationStatus>,
    /// Earliest `started_at`.
    pub start_date: Option<DateTime<Utc>>,
    /// Latest `started_at`.
    pub end_date: Option<DateTime<Utc>>,
    /// The most transcript segments shown of each conversation; `None`: all.
    pub max_transcript_segments: Option<usize>,
}

impl FromQueryStr for ListConversationsQuery {
    /// Read from a raw query string (`statuses` as `a,b` or repeated).
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let limit = q.int("limit", &mut problems);
        let offset = q.int("offset", &mut problems);
        let include_discarded = q.bool("include_discarded", &mut problems);
        let statuses = enum_list::<ConversationStatus>(&q, "statuses", &mut problems);
        let start_date = q.date("start_date", &mut problems);
        let end_date = q.date("end_date", &mut problems);
        let max_transcript_segments = q.int("max_transcript_segments", &mut problems);
        Ok(problems.finish(|| {
            Some(Self {
                limit,
                offset,
                include_discarded,
                statuses,
                start_date,
                end_date,
                max_transcript_segments,
            })
        })?)
    }
}

impl ListConversationsQuery {
    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = page_pairs(self.limit, self.offset);
        if let Some(d) = self.include_discarded {
            pairs.push(("include_discarded", d.to_string()));
        }
        list_pair(&mut pairs, "statuses", &self.statuses);
        date_pairs(&mut pairs, self.start_date, self.end_date);
        if let Some(n) = self.max_transcript_segments {
            pairs.push(("max_transcript_segments", n.to_string()));
        }
        pairs
    }

    /// Check ranges and fill defaults.
    pub fn validate(&self) -> Result<ConversationListParams, ValidationErrors> {
        let mut problems = Problems::new();
        let (limit, offset) = page(
            &mut problems,
            self.limit,
            self.offset,
            Limit::INTEGRATION_DEFAULT,
        );
        let statuses = list_filter(&mut problems, "statuses", &self.statuses);
        let segments = problems.take(transcript_segments_cap(self.max_transcript_segments));
        problems.finish(|| {
            Some(ConversationListParams {
                limit: limit?,
                offset: offset?,
                include_discarded: self.include_discarded.unwrap_or(false),
                statuses: statuses?,
                start_date: self.start_date,
                end_date: self.end_date,
                max_transcript_segments: segments?,
            })
        })
    }
}

/// `max_transcript_segments` of the integration conversation routes checked: -1..=1000,
/// default 100; the most segments shown (`None`: all), or a 422 at
/// `query.max_transcript_segments`.
pub(crate) fn transcript_segments_cap(raw: Option<i64>) -> Result<Option<usize>, ValidationErrors> {
    const DEFAULT: i64 = 100;
    const MAX: i64 = 1000;
    let n = raw.unwrap_or(DEFAULT);
    let loc = Loc::query("max_transcript_segments");
    let problem = if n < -1 {
        ValidationError::new(loc, kind::GREATER_THAN_EQUAL, msg::greater_than_equal(-1))
    } else if n > MAX {
        ValidationError::new(loc, kind::LESS_THAN_EQUAL, msg::less_than_equal(MAX))
    } else {
        return Ok(usize::try_from(n).ok());
    };
    Err(ValidationErrors::single(problem))
}

/// Query of `GET /v2/integrations/{app_id}/memories`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListMemoriesQuery {
    /// Page size, 1..=1000; default 100.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000, default = 100))]
    pub limit: Option<i64>,
    /// Items to skip, >= 0; default 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0, default = 0))]
    pub offset: Option<i64>,
}

/// A validated page: how many to return and how many to skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageParams {
    /// Page size.
    pub limit: Limit,
    /// Items skipped.
    pub offset: Offset,
}

impl FromQueryStr for ListMemoriesQuery {
    /// Read from a raw query string.
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let limit = q.int("limit", &mut problems);
        let offset = q.int("offset", &mut problems);
        Ok(problems.finish(|| Some(Self { limit, offset }))?)
    }
}

impl ListMemoriesQuery {
    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        page_pairs(self.limit, self.offset)
    }

    /// Check ranges and fill defaults.
    pub fn validate(&self) -> Result<PageParams, ValidationErrors> {
        let mut problems = Problems::new();
        let (limit, offset) = page(
            &mut problems,
            self.limit,
            self.offset,
            Limit::INTEGRATION_DEFAULT,
        );
        problems.finish(|| {
            Some(PageParams {
                limit: limit?,
                offset: offset?,
            })
        })
    }
}

/// Query of `GET /v1/dev/user/memories`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListDevMemoriesQuery {
    /// Page size, 1..=1000; default 25.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000, default = 25))]
    pub limit: Option<i64>,
    /// Items to skip, >= 0; default 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0, default = 0))]
    pub offset: Option<i64>,
    /// Only these categories, comma-separated (`interesting,system`) or repeated; none means
    /// all.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(style = Form, explode = false, max_items = 100))]
    pub categories: Vec<MemoryCategory>,
}

/// A validated developer memory list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevMemoryListParams {
    /// Page size and offset.
    pub page: PageParams,
    /// Only these categories, each once; empty means all.
    pub categories: Vec<MemoryCategory>,
}

impl FromQueryStr for ListDevMemoriesQuery {
    /// Read from a raw query string. An unknown category is a 400, as in OMI's cloud.
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let limit = q.int("limit", &mut problems);
        let offset = q.int("offset", &mut problems);
        let categories = q.categories::<MemoryCategory>("MemoryCategory")?;
        Ok(problems.finish(|| {
            Some(Self {
                limit,
                offset,
                categories,
            })
        })?)
    }
}

impl ListDevMemoriesQuery {
    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = page_pairs(self.limit, self.offset);
        list_pair(&mut pairs, "categories", &self.categories);
        pairs
    }

    /// Check ranges and fill defaults.
    pub fn validate(&self) -> Result<DevMemoryListParams, ValidationErrors> {
        let mut problems = Problems::new();
        let (limit, offset) = page(
            &mut problems,
            self.limit,
            self.offset,
            Limit::DEVELOPER_DEFAULT,
        );
        let categories = list_filter(&mut problems, "categories", &self.categories);
        problems.finish(|| {
            Some(DevMemoryListParams {
                page: PageParams {
                    limit: limit?,
                    offset: offset?,
                },
                categories: categories?,
            })
        })
    }
}

pub(crate) fn page(
    problems: &mut Problems,
    limit: Option<i64>,
    offset: Option<i64>,
    default: Limit,
) -> (Option<Limit>, Option<Offset>) {
    (
        problems.take(Limit::parse_at(&Loc::query("limit"), limit, default)),
        problems.take(Offset::parse_at(&Loc::query("offset"), offset)),
    )
}

/// A list filter as validated: each value once, in the order first given; `None` (and a
/// `too_long` problem at `query.{name}`) when it has more than [`MAX_LIST_VALUES`] values.
pub(crate) fn list_filter<T: PartialEq + Clone>(
    problems: &mut Problems,
    name: &str,
    items: &[T],
) -> Option<Vec<T>> {
    problems.take(check_list_len(name, items.len()))?;
    let mut unique: Vec<T> = Vec::new();
    for item in items {
        if !unique.contains(item) {
            unique.push(item.clone());
        }
    }
    Some(unique)
}

/// A `too_long` problem at `query.{name}` when a list filter has more than
/// [`MAX_LIST_VALUES`] values.
fn check_list_len(name: &str, count: usize) -> Result<(), ValidationErrors> {
    if count > MAX_LIST_VALUES {
        return Err(ValidationErrors::single(ValidationError::new(
            Loc::query(name),
            kind::TOO_LONG,
            msg::too_long(MAX_LIST_VALUES, count),
        )));
    }
    Ok(())
}

pub(crate) fn page_pairs(limit: Option<i64>, offset: Option<i64>) -> Vec<(&'static str, String)> {
    let mut pairs = Vec::new();
    if let Some(l) = limit {
        pairs.push(("limit", l.to_string()));
    }
    if let Some(o) = offset {
        pairs.push(("offset", o.to_string()));
    }
    pairs
}

/// Push `name=a,b,c` (wire names) when `items` is not empty.
pub(crate) fn list_pair<T: std::fmt::Display>(
    pairs: &mut Vec<(&'static str, String)>,
    name: &'static str,
    items: &[T],
) {
    if !items.is_empty() {
        let list: Vec<String> = items.iter().map(ToString::to_string).collect();
        pairs.push((name, list.join(",")));
    }
}

pub(crate) fn date_pairs(
    pairs: &mut Vec<(&'static str, String)>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) {
    if let Some(s) = start {
        pairs.push(("start_date", timestamp::format(&s)));
    }
    if let Some(e) = end {
        pairs.push(("end_date", timestamp::format(&e)));
    }
}

fn enum_list<T: std::str::FromStr<Err = crate::enums::UnknownVariant>>(
    q: &QueryParams,
    name: &str,
    problems: &mut Problems,
) -> Vec<T> {
    let Some(values) = problems.take(q.bounded_list(name)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, raw) in values.into_iter().enumerate() {
        match raw.parse::<T>() {
            Ok(v) => out.push(v),
            Err(e) => problems.push(ValidationError::new(
                Loc::query(name).join(i),
                kind::ENUM,
                e.message,
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_accept_comma_lists_and_repeats() {
        let q =
            ListConversationsQuery::from_query_str("statuses=completed,processing&statuses=failed")
                .unwrap();
        assert_eq!(
            q.statuses,
            [
                ConversationStatus::Completed,
                ConversationStatus::Processing,
                ConversationStatus::Failed
            ]
        );
    }

    #[test]
    fn query_pairs_round_trip() {
        let q = ListConversationsQuery {
            limit: Some(5),
            offset: Some(10),
            include_discarded: Some(true),
            statuses: vec![ConversationStatus::Completed],
            start_date: Some(timestamp::parse_datetime("2024-01-01T00:00:00Z").unwrap()),
            end_date: None,
            max_transcript_segments: Some(-1),
        };
        let raw = serde_urlencoded::to_string(q.to_query_pairs()).unwrap();
        assert_eq!(ListConversationsQuery::from_query_str(&raw).unwrap(), q);
    }

    /// `name=value` repeated `n` times, as one query string.
    fn repeated(name: &str, value: &str, n: usize) -> String {
        vec![format!("{name}={value}"); n].join("&")
    }

    #[track_caller]
    fn too_long(err: &ValidationErrors, name: &str, count: usize) {
        assert_eq!(
            err.items(),
            [ValidationError::new(
                Loc::query(name),
                kind::TOO_LONG,
                msg::too_long(MAX_LIST_VALUES, count)
            )]
        );
    }

    #[test]
    fn list_filters_hold_each_value_once_in_the_order_first_given() {
        let raw = format!(
            "{}&statuses=failed,completed",
            repeated("statuses", "completed", MAX_LIST_VALUES - 2)
        );
        let q = ListConversationsQuery::from_query_str(&raw).unwrap();
        assert_eq!(
            q.validate().unwrap().statuses,
            [ConversationStatus::Completed, ConversationStatus::Failed]
        );
        let raw = repeated("categories", "system,interesting", MAX_LIST_VALUES / 2);
        let q = ListDevMemoriesQuery::from_query_str(&raw).unwrap();
        assert_eq!(
            q.validate().unwrap().categories,
            [MemoryCategory::System, MemoryCategory::Interesting]
        );
    }

    #[test]
    fn a_list_filter_of_more_than_the_cap_is_one_too_long_item() {
        let n = 40_000;
        let raw = repeated("statuses", "completed", n);
        let Err(QueryError::Invalid(err)) = ListConversationsQuery::from_query_str(&raw) else {
            panic!("40 000 statuses are refused");
        };
        too_long(&err, "statuses", n);
        let raw = repeated("statuses", "bogus", n);
        let Err(QueryError::Invalid(err)) = ListConversationsQuery::from_query_str(&raw) else {
            panic!("40 000 bad statuses are refused");
        };
        too_long(&err, "statuses", n);
        for value in ["system", "bogus"] {
            let raw = repeated("categories", value, n);
            let Err(QueryError::Invalid(err)) = ListDevMemoriesQuery::from_query_str(&raw) else {
                panic!("40 000 categories are refused");
            };
            too_long(&err, "categories", n);
        }
        let exactly = repeated("statuses", "completed", MAX_LIST_VALUES);
        assert!(ListConversationsQuery::from_query_str(&exactly).is_ok());
    }

    #[test]
    fn a_query_value_too_long_is_refused_alike_in_process_and_over_http() {
        let n = MAX_LIST_VALUES + 1;
        let q = ListConversationsQuery {
            statuses: vec![ConversationStatus::Completed; n],
            ..Default::default()
        };
        too_long(&q.validate().unwrap_err(), "statuses", n);
        let raw = serde_urlencoded::to_string(q.to_query_pairs()).unwrap();
        let Err(QueryError::Invalid(err)) = ListConversationsQuery::from_query_str(&raw) else {
            panic!("the client's query string is refused too");
        };
        too_long(&err, "statuses", n);
        let q = ListDevMemoriesQuery {
            categories: vec![MemoryCategory::System; n],
            ..Default::default()
        };
        too_long(&q.validate().unwrap_err(), "categories", n);
    }

    #[test]
    fn bad_list_values_up_to_the_cap_are_each_reported() {
        let raw = repeated("statuses", "bogus", MAX_LIST_VALUES);
        let Err(QueryError::Invalid(err)) = ListConversationsQuery::from_query_str(&raw) else {
            panic!("bad statuses are refused");
        };
        assert_eq!(err.items().len(), MAX_LIST_VALUES);
        assert_eq!(
            err.items()[MAX_LIST_VALUES - 1].loc,
            Loc::query("statuses").join(MAX_LIST_VALUES - 1)
        );
    }

    #[test]
    fn unknown_category_is_a_bad_request() {
        let err = ListDevMemoriesQuery::from_query_str("categories=interesting,bogus").unwrap_err();
        assert_eq!(
            err,
            QueryError::BadRequest("Invalid category 'bogus' is not a valid MemoryCategory".into())
        );
    }
}
