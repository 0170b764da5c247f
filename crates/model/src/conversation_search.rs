//! Conversation search: the Integration API's `POST /v2/integrations/{app_id}/search/conversations`
//! (OMI's `SearchRequest` and its paged answer) and the Developer API's
//! `GET /v1/dev/user/conversations/search` (ours: ranked hits with a highlighted snippet).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::conversation::Conversation;
use crate::query::{FromQueryStr, QueryError, QueryParams, transcript_segments_cap};
use crate::search::RankedSearchQuery;
use crate::timestamp;
use crate::validation::{Problems, ValidationErrors};

/// The body of `POST /v2/integrations/{app_id}/search/conversations`, as OMI's cloud takes it:
/// every field optional. An empty query with no filter finds nothing; an empty query with a
/// date or speaker filter lists what the filters keep.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchConversationsRequest {
    /// What to look for in the title, the overview and the text; default empty.
    #[serde(default)]
    pub query: String,
    /// The page, from 1; default 1 (a smaller value is read as 1).
    #[serde(
        default,
        deserialize_with = "crate::decode::integral",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(default = 1))]
    pub page: Option<i64>,
    /// Conversations per page, 1..=250; default 10 (values outside are brought into range).
    #[serde(
        default,
        deserialize_with = "crate::decode::integral",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(default = 10))]
    pub per_page: Option<i64>,
    /// Whether discarded conversations are searched too; default true, as in OMI's cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(default = true))]
    pub include_discarded: Option<bool>,
    /// Only conversations created at or after this time: ISO 8601, or `YYYY-MM-DD` (the
    /// start of that day, UTC). Anything else is a 400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "2024-03-01"))]
    pub start_date: Option<String>,
    /// Only conversations created at or before this time: ISO 8601, or `YYYY-MM-DD` (the
    /// end of that day, UTC). Anything else is a 400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "2024-03-31"))]
    pub end_date: Option<String>,
    /// Only conversations with a transcript segment of this speaker: `user` for the user,
    /// anything else a `person_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_id: Option<String>,
}

/// Whose speech a conversation search keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeakerFilter {
    /// Conversations where the user speaks (a segment with `is_user`).
    User,
    /// Conversations where this person speaks (a segment with this `person_id`).
    Person(String),
}

/// A validated Integration API conversation search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSearch {
    /// What to look for, trimmed; may be empty.
    pub query: String,
    /// The page, from 1.
    pub page: u64,
    /// Conversations per page, 1..=[`ConversationSearch::MAX_PER_PAGE`].
    pub per_page: u64,
    /// Whether discarded conversations are searched.
    pub include_discarded: bool,
    /// Earliest `created_at`.
    pub start_date: Option<DateTime<Utc>>,
    /// Latest `created_at`.
    pub end_date: Option<DateTime<Utc>>,
    /// Whose speech it keeps.
    pub speaker: Option<SpeakerFilter>,
}

impl ConversationSearch {
    /// The largest page (OMI's cloud brings `per_page` into 1..=250).
    pub const MAX_PER_PAGE: u64 = 250;
    /// The page size when none is given.
    pub const DEFAULT_PER_PAGE: u64 = 10;

    /// Conversations skipped before the page (saturating: a page past every conversation
    /// is empty, never an overflow).
    pub fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// Whether it can find nothing without looking: no query and no filter (OMI's cloud
    /// answers such a search with an empty page).
    pub fn finds_nothing(&self) -> bool {
        self.query.is_empty()
            && self.speaker.is_none()
            && self.start_date.is_none()
            && self.end_date.is_none()
    }
}

/// A date of a conversation search that is neither ISO 8601 nor `YYYY-MM-DD`: a 400 in OMI's
/// cloud, with [`SearchDateError::detail`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchDateError {
    /// The field: `start_date` or `end_date`.
    pub field: &'static str,
}

impl SearchDateError {
    /// OMI's message for it.
    pub fn detail(&self) -> String {
        format!(
            "Invalid {} format. Use ISO format (YYYY-MM-DDTHH:MM:SS.sssZ) or YYYY-MM-DD",
            self.field
        )
    }
}

impl std::fmt::Display for SearchDateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail())
    }
}

impl std::error::Error for SearchDateError {}

/// Which end of a range a date of a search bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bound {
    Start,
    End,
}

impl SearchConversationsRequest {
    /// A search for `query` with every other field at its default.
    pub fn new(query: impl Into<String>) -> Self {
        Self {
            query: query.into(),
            ..Self::default()
        }
    }

    /// Bring the page into range and read the dates, as OMI's cloud does: the only failure
    /// is a date it cannot read.
    pub fn validate(&self) -> Result<ConversationSearch, SearchDateError> {
        let start_date = search_date(self.start_date.as_deref(), "start_date", Bound::Start)?;
        let end_date = search_date(self.end_date.as_deref(), "end_date", Bound::End)?;
        let per_page = self
            .per_page
            .filter(|&n| n != 0)
            .map_or(ConversationSearch::DEFAULT_PER_PAGE, |n| {
                n.clamp(1, ConversationSearch::MAX_PER_PAGE as i64) as u64
            });
        let speaker = match self.speaker_id.as_deref() {
            None | Some("") => None,
            Some("user") => Some(SpeakerFilter::User),
            Some(person) => Some(SpeakerFilter::Person(person.to_owned())),
        };
        Ok(ConversationSearch {
            query: self.query.trim().to_owned(),
            page: self.page.map_or(1, |p| p.max(1) as u64),
            per_page,
            include_discarded: self.include_discarded.unwrap_or(true),
            start_date,
            end_date,
            speaker,
        })
    }
}

/// A date of a search: empty is no bound; `YYYY-MM-DD` is the start or the end of that day
/// (UTC); otherwise ISO 8601, a time without an offset read as UTC.
pub(crate) fn search_date(
    raw: Option<&str>,
    field: &'static str,
    bound: Bound,
) -> Result<Option<DateTime<Utc>>, SearchDateError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if raw.chars().count() == 10 {
        let day =
            NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| SearchDateError { field })?;
        let time = match bound {
            Bound::Start => NaiveTime::MIN,
            Bound::End => {
                NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap_or(NaiveTime::MIN)
            }
        };
        return Ok(Some(day.and_time(time).and_utc()));
    }
    if let Ok(t) = timestamp::parse_datetime(raw) {
        return Ok(Some(t));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|fmt| NaiveDateTime::parse_from_str(raw, fmt).ok())
    .map(|t| Some(timestamp::normalize(t.and_utc())))
    .ok_or(SearchDateError { field })
}

/// The answer of `POST /v2/integrations/{app_id}/search/conversations`: one page of the
/// conversations found, newest first, as OMI's cloud answers it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchConversationsResponse {
    /// The page of conversations, newest first.
    pub conversations: Vec<Conversation>,
    /// The page answered.
    pub current_page: u64,
    /// The page size used.
    pub per_page: u64,
    /// How many pages the search has (0 when it found nothing; the page asked for when
    /// there was nothing to look for).
    pub total_pages: u64,
}

impl SearchConversationsResponse {
    /// The answer for `search` with its page of `conversations` out of `found` in all.
    pub fn page_of(
        search: &ConversationSearch,
        conversations: Vec<Conversation>,
        found: u64,
    ) -> Self {
        let total_pages = if search.finds_nothing() {
            search.page
        } else {
            found.div_ceil(search.per_page)
        };
        Self {
            conversations,
            current_page: search.page,
            per_page: search.per_page,
            total_pages,
        }
    }
}

/// Query of `POST /v2/integrations/{app_id}/search/conversations` beside `uid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SearchConversationsQuery {
    /// The most transcript segments shown of each conversation, -1..=1000 (-1: all);
    /// default 100.
    #[cfg_attr(feature = "openapi", param(minimum = -1, maximum = 1000, default = 100))]
    pub max_transcript_segments: Option<i64>,
}

impl SearchConversationsQuery {
    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        self.max_transcript_segments
            .map(|n| ("max_transcript_segments", n.to_string()))
            .into_iter()
            .collect()
    }

    /// The most segments shown of each conversation (`None`: all), or a 422 when out of
    /// -1..=1000.
    pub fn validate(&self) -> Result<Option<usize>, ValidationErrors> {
        transcript_segments_cap(self.max_transcript_segments)
    }
}

impl FromQueryStr for SearchConversationsQuery {
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let max_transcript_segments = q.int("max_transcript_segments", &mut problems);
        Ok(problems.finish(|| {
            Some(Self {
                max_transcript_segments,
            })
        })?)
    }
}

/// Query of `GET /v1/dev/user/conversations/search`: a [`RankedSearchQuery`].
pub type SearchDevConversationsQuery = RankedSearchQuery;

/// One conversation found by `GET /v1/dev/user/conversations/search`: the conversation as
/// the Developer API lists it (no transcript), with why it was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationSearchItem {
    /// How well it matches, higher is better, in [0.5, 1); the order of the items.
    pub relevance_score: f64,
    /// A short passage of the transcript (else the overview, else the title) around the
    /// words found, each wrapped in `**`; `…` marks a cut. Absent when what matched is not
    /// shown (a word of the text a title was made from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// The conversation.
    #[serde(flatten)]
    pub conversation: Conversation,
}

/// The answer of `GET /v1/dev/user/conversations/search`: the best matches first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationSearchResponse {
    /// The conversations found, best first.
    pub items: Vec<ConversationSearchItem>,
    /// How many items there are.
    pub returned_count: usize,
}

impl ConversationSearchResponse {
    /// The answer with `items`.
    pub fn new(items: Vec<ConversationSearchItem>) -> Self {
        Self {
            returned_count: items.len(),
            items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::kind;

    fn validated(body: &str) -> Result<ConversationSearch, SearchDateError> {
        serde_json::from_str::<SearchConversationsRequest>(body)
            .unwrap()
            .validate()
    }

    #[test]
    fn an_empty_body_is_the_clouds_defaults_and_finds_nothing() {
        let search = validated("{}").unwrap();
        assert_eq!(search.page, 1);
        assert_eq!(search.per_page, 10);
        assert!(search.include_discarded);
        assert!(search.finds_nothing());
        let answer = SearchConversationsResponse::page_of(&search, Vec::new(), 0);
        assert_eq!(answer.total_pages, 1);
    }

    #[test]
    fn pages_are_brought_into_range_never_refused() {
        let search = validated(r#"{"page": -3, "per_page": 100000, "query": " x "}"#).unwrap();
        assert_eq!((search.page, search.per_page), (1, 250));
        assert_eq!(search.query, "x");
        let search = validated(r#"{"page": null, "per_page": 0}"#).unwrap();
        assert_eq!((search.page, search.per_page), (1, 10));
        let far = validated(&format!(r#"{{"page": {}, "per_page": 250}}"#, i64::MAX)).unwrap();
        assert_eq!(far.offset(), u64::MAX);
        let answer = SearchConversationsResponse::page_of(
            &validated(r#"{"query": "x", "per_page": 3}"#).unwrap(),
            Vec::new(),
            7,
        );
        assert_eq!(answer.total_pages, 3);
    }

    #[test]
    fn pages_take_integral_floats_as_pydantic_does() {
        let search = validated(r#"{"page": 3.0, "per_page": 20.0}"#).unwrap();
        assert_eq!((search.page, search.per_page), (3, 20));
        for bad in [
            r#"{"page": 2.5}"#,
            r#"{"page": "2"}"#,
            r#"{"per_page": 1e300}"#,
            r#"{"per_page": -9223372036854775809}"#,
            r#"{"page": 9223372036854775808}"#,
        ] {
            let err = crate::decode::from_json_slice::<SearchConversationsRequest>(bad.as_bytes())
                .unwrap_err();
            assert_eq!(err.items()[0].kind, "int_type", "{bad}");
        }
    }

    #[test]
    fn dates_are_days_or_iso_times_and_anything_else_is_the_clouds_400() {
        let search = validated(
            r#"{"start_date": "2024-03-01", "end_date": "2024-03-31", "speaker_id": "user"}"#,
        )
        .unwrap();
        assert_eq!(
            timestamp::format(&search.start_date.unwrap()),
            "2024-03-01T00:00:00Z"
        );
        assert_eq!(
            timestamp::format(&search.end_date.unwrap()),
            "2024-03-31T23:59:59.999999Z"
        );
        assert_eq!(search.speaker, Some(SpeakerFilter::User));
        let naive = validated(r#"{"start_date": "2024-03-01T10:00:00"}"#).unwrap();
        assert_eq!(
            timestamp::format(&naive.start_date.unwrap()),
            "2024-03-01T10:00:00Z"
        );
        let err = validated(r#"{"end_date": "yesterday"}"#).unwrap_err();
        assert_eq!(
            err.detail(),
            "Invalid end_date format. Use ISO format (YYYY-MM-DDTHH:MM:SS.sssZ) or YYYY-MM-DD"
        );
        assert!(validated(r#"{"start_date": "２０２４-03-01"}"#).is_err());
        assert!(
            validated(r#"{"start_date": ""}"#)
                .unwrap()
                .start_date
                .is_none()
        );
    }

    #[test]
    fn segment_caps_are_minus_one_to_a_thousand() {
        let cap = |raw: &str| {
            SearchConversationsQuery::from_query_str(raw)
                .unwrap()
                .validate()
        };
        assert_eq!(cap("").unwrap(), Some(100));
        assert_eq!(cap("max_transcript_segments=-1").unwrap(), None);
        assert!(cap("max_transcript_segments=-2").is_err());
        assert!(cap("max_transcript_segments=1001").is_err());
    }

    #[test]
    fn the_developer_search_needs_a_query_and_round_trips() {
        let q = SearchDevConversationsQuery::from_query_str("limit=3").unwrap();
        assert_eq!(q.validate().unwrap_err().0[0].kind, kind::MISSING);
        let q = SearchDevConversationsQuery::from_query_str(
            "query=%E6%B8%8B%E8%B0%B7&start_date=2024-01-01&limit=5&offset=2",
        )
        .unwrap();
        let search = q.validate().unwrap();
        assert_eq!(
            (
                search.query.as_str(),
                search.limit.get(),
                search.offset.get()
            ),
            ("渋谷", 5, 2)
        );
        let raw = serde_urlencoded::to_string(q.to_query_pairs()).unwrap();
        assert_eq!(
            SearchDevConversationsQuery::from_query_str(&raw).unwrap(),
            q
        );
    }
}
