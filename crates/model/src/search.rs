//! Search: `GET /v1/dev/user/memories/vector/search`, its query and its answer, in the
//! shape of OMI's cloud, and the query every ranked search of the Developer API shares
//! ([`RankedSearchQuery`]).

use serde::{Deserialize, Serialize};

use crate::enums::MemoryCategory;
use chrono::{DateTime, Utc};

use crate::query::{FromQueryStr, QueryError, QueryParams, date_pairs, page_pairs};
use crate::scalars::{Limit, Offset};
use crate::timestamp;
use crate::validation::{Loc, Problems, ValidationError, ValidationErrors, kind, msg};

/// Query of `GET /v1/dev/user/memories/vector/search`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SearchMemoriesQuery {
    /// What to look for: words (any form of a word finds the others: "hiking" finds
    /// "hike"), or any part of a text in a script without spaces (Japanese, Chinese, Thai).
    /// Required, at least one character.
    #[cfg_attr(feature = "openapi", param(required = true, min_length = 1))]
    pub query: Option<String>,
    /// The most memories answered, 1..=100; default 10.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100, default = 10))]
    pub limit: Option<i64>,
}

/// A validated memory search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemorySearch {
    /// What to look for (at least one character).
    pub query: String,
    /// The most memories answered.
    pub limit: Limit,
}

impl SearchMemoriesQuery {
    /// A search for `query` with the default limit.
    pub fn new(query: impl Into<String>) -> Self {
        Self {
            query: Some(query.into()),
            limit: None,
        }
    }

    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(query) = &self.query {
            pairs.push(("query", query.clone()));
        }
        if let Some(limit) = self.limit {
            pairs.push(("limit", limit.to_string()));
        }
        pairs
    }

    /// Check the query is there and the limit in range, and fill the default limit.
    pub fn validate(&self) -> Result<MemorySearch, ValidationErrors> {
        let mut problems = Problems::new();
        let query = required_query(&mut problems, self.query.as_deref());
        let limit = search_limit(&mut problems, self.limit);
        problems.finish(|| {
            Some(MemorySearch {
                query: query?,
                limit: limit?,
            })
        })
    }
}

/// The `query` parameter of a search: required, at least one character (FastAPI's
/// `missing` and `string_too_short` problems otherwise).
pub(crate) fn required_query(problems: &mut Problems, raw: Option<&str>) -> Option<String> {
    let loc = Loc::query("query");
    match raw {
        None => {
            problems.push(ValidationError::new(
                loc,
                kind::MISSING,
                msg::FIELD_REQUIRED,
            ));
            None
        }
        Some("") => {
            let short = msg::string_too_short(1);
            problems.push(ValidationError::new(loc, kind::STRING_TOO_SHORT, short));
            None
        }
        Some(query) => Some(query.to_owned()),
    }
}

/// The `limit` parameter of a search: 1..=100, default 10.
pub(crate) fn search_limit(problems: &mut Problems, raw: Option<i64>) -> Option<Limit> {
    problems.take(Limit::parse_within(
        &Loc::query("limit"),
        raw,
        Limit::SEARCH_DEFAULT,
        Limit::SEARCH_MAX,
    ))
}

impl FromQueryStr for SearchMemoriesQuery {
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let limit = q.int("limit", &mut problems);
        let query = q.last("query").map(str::to_owned);
        Ok(problems.finish(|| Some(Self { query, limit }))?)
    }
}

/// Query of the Developer API's ranked searches (`GET /v1/dev/user/conversations/search`,
/// `GET /v1/dev/user/action-items/search`): what to look for, a creation-date range, a page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct RankedSearchQuery {
    /// What to look for: words (any form of a word finds the others: "hiking" finds
    /// "hike"), or any part of a text in a script without spaces (Japanese, Chinese, Thai).
    /// Required, at least one character.
    #[cfg_attr(feature = "openapi", param(required = true, min_length = 1))]
    pub query: Option<String>,
    /// Only what was created at or after this time (ISO 8601, or `YYYY-MM-DD`).
    #[serde(default, with = "timestamp::optional")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub start_date: Option<DateTime<Utc>>,
    /// Only what was created at or before this time (ISO 8601, or `YYYY-MM-DD`).
    #[serde(default, with = "timestamp::optional")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub end_date: Option<DateTime<Utc>>,
    /// The most hits answered, 1..=100; default 10.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100, default = 10))]
    pub limit: Option<i64>,
    /// Hits to skip, >= 0; default 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0, default = 0))]
    pub offset: Option<i64>,
}

/// A validated ranked search: best first, paged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedSearch {
    /// What to look for (at least one character).
    pub query: String,
    /// Earliest `created_at`.
    pub start_date: Option<DateTime<Utc>>,
    /// Latest `created_at`.
    pub end_date: Option<DateTime<Utc>>,
    /// The most hits answered.
    pub limit: Limit,
    /// Hits skipped, best first.
    pub offset: Offset,
}

impl RankedSearchQuery {
    /// A search for `query` with every other parameter at its default.
    pub fn new(query: impl Into<String>) -> Self {
        Self {
            query: Some(query.into()),
            ..Self::default()
        }
    }

    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> =
            self.query.iter().map(|q| ("query", q.clone())).collect();
        date_pairs(&mut pairs, self.start_date, self.end_date);
        pairs.extend(page_pairs(self.limit, self.offset));
        pairs
    }

    /// Check the query is there, the limit in 1..=100 and the offset >= 0; fill the
    /// defaults.
    pub fn validate(&self) -> Result<RankedSearch, ValidationErrors> {
        let mut problems = Problems::new();
        let query = required_query(&mut problems, self.query.as_deref());
        let limit = search_limit(&mut problems, self.limit);
        let offset = problems.take(Offset::parse_at(&Loc::query("offset"), self.offset));
        problems.finish(|| {
            Some(RankedSearch {
                query: query?,
                start_date: self.start_date,
                end_date: self.end_date,
                limit: limit?,
                offset: offset?,
            })
        })
    }
}

impl FromQueryStr for RankedSearchQuery {
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let query = q.last("query").map(str::to_owned);
        let start_date = q.date("start_date", &mut problems);
        let end_date = q.date("end_date", &mut problems);
        let limit = q.int("limit", &mut problems);
        let offset = q.int("offset", &mut problems);
        Ok(problems.finish(|| {
            Some(Self {
                query,
                start_date,
                end_date,
                limit,
                offset,
            })
        })?)
    }
}

/// One memory found by a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemorySearchItem {
    /// The memory's id.
    pub id: String,
    /// Its content.
    pub content: String,
    /// Its category.
    pub category: Option<MemoryCategory>,
    /// How well it matches, higher is better: in [0.5, 1) from this server (in (0, 1] from
    /// OMI's cloud); the order of the items.
    pub relevance_score: Option<f64>,
}

/// Who a search answered and what it could see, as OMI's cloud reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemorySearchPolicy {
    /// The API that answered: `developer_api`.
    pub consumer: String,
    /// Whether the key may read the user's memories: always true for a key that got an answer.
    pub app_has_default_memory_grant: bool,
    /// Whether archived memories can be searched: false (there is no archive).
    pub archive_capability: bool,
    /// Whether raw provenance is shown: false.
    pub raw_provenance_capability: bool,
}

impl MemorySearchPolicy {
    /// The policy of a Developer API search.
    pub fn developer_api() -> Self {
        Self {
            consumer: "developer_api".to_owned(),
            app_has_default_memory_grant: true,
            archive_capability: false,
            raw_provenance_capability: false,
        }
    }
}

/// The answer of `GET /v1/dev/user/memories/vector/search`: the best matches first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemorySearchResponse {
    /// The memories found, best first.
    pub items: Vec<MemorySearchItem>,
    /// How many items there are.
    pub returned_count: usize,
    /// Whether archived memories are searched by default: false.
    pub archive_default_visible: bool,
    /// Who answered and what it could see.
    pub policy: MemorySearchPolicy,
}

impl MemorySearchResponse {
    /// The Developer API's answer with `items`.
    pub fn developer_api(items: Vec<MemorySearchItem>) -> Self {
        Self {
            returned_count: items.len(),
            items,
            archive_default_visible: false,
            policy: MemorySearchPolicy::developer_api(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_query_and_a_limit_out_of_range_are_422s() {
        let missing = SearchMemoriesQuery::from_query_str("limit=5").unwrap();
        let err = missing.validate().unwrap_err();
        assert_eq!(err.0[0].kind, kind::MISSING);
        assert_eq!(err.0[0].loc, Loc::query("query"));
        let empty = SearchMemoriesQuery::from_query_str("query=&limit=101").unwrap();
        let err = empty.validate().unwrap_err();
        let kinds: Vec<&str> = err.0.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, [kind::STRING_TOO_SHORT, kind::LESS_THAN_EQUAL]);
        assert!(SearchMemoriesQuery::from_query_str("query=x&limit=ten").is_err());
    }

    #[test]
    fn defaults_and_round_trip() {
        let q = SearchMemoriesQuery::from_query_str("query=%E6%9D%B1%E4%BA%AC%20hike").unwrap();
        let search = q.validate().unwrap();
        assert_eq!(search.query, "東京 hike");
        assert_eq!(search.limit.get(), 10);
        let raw = serde_urlencoded::to_string(q.to_query_pairs()).unwrap();
        assert_eq!(SearchMemoriesQuery::from_query_str(&raw).unwrap(), q);
    }

    #[test]
    fn the_answer_has_the_clouds_envelope() {
        let answer = MemorySearchResponse::developer_api(Vec::new());
        let json = serde_json::to_value(&answer).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "items": [], "returned_count": 0, "archive_default_visible": false,
                "policy": {"consumer": "developer_api", "app_has_default_memory_grant": true,
                           "archive_capability": false, "raw_provenance_capability": false}
            })
        );
    }
}
