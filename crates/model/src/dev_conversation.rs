//! The Developer API's conversations (`/v1/dev/user/conversations...`): the create bodies
//! (from a text, or from transcript segments), the update body, the create answer, and the
//! conversation object as these routes show it.
//!
//! The text create body is the integration route's [`CreateConversationRequest`], validated
//! with this route's rules ([`CreateConversationRequest::validate_developer`]).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Map;

use crate::conversation::{
    Conversation, CreateConversationRequest, Geolocation, NewConversation, TranscriptSegment,
    geolocation_at, language_at, time_span,
};
use crate::enums::{
    ConversationCategory, ConversationSource, ConversationStatus, ConversationTextSource,
};
use crate::query::{
    FromQueryStr, PageParams, QueryError, QueryParams, date_pairs, list_filter, list_pair, page,
    page_pairs,
};
use crate::scalars::{
    ClientLabel, ClientSessionId, ConversationText, ConversationTitle, DevConversationText,
    FolderId, Language, Limit, optional_texts,
};
use crate::timestamp;
use crate::validation::{Loc, Problems, ValidationError, ValidationErrors, kind, msg};

impl CreateConversationRequest {
    /// Validate as the body of `POST /v1/dev/user/conversations`: as
    /// [`validate`](Self::validate), but the text is at most
    /// [`DevConversationText::MAX_CHARS`] characters and `text_source` defaults to
    /// `other_text`.
    ///
    /// ```
    /// use omi_model::chrono::{TimeZone, Utc};
    /// use omi_model::{ConversationTextSource, CreateConversationRequest, DevConversationText};
    ///
    /// let now = Utc.with_ymd_and_hms(2024, 3, 10, 15, 0, 0).unwrap();
    /// let note = CreateConversationRequest::from_text("Remember to call the bank.");
    /// let valid = note.validate_developer(now).unwrap();
    /// assert_eq!(valid.text_source, ConversationTextSource::OtherText);
    ///
    /// let long = "x".repeat(DevConversationText::MAX_CHARS + 1);
    /// assert!(CreateConversationRequest::from_text(long).validate_developer(now).is_err());
    /// ```
    pub fn validate_developer(
        self,
        now: DateTime<Utc>,
    ) -> Result<NewConversation, ValidationErrors> {
        self.validate_with(now, ConversationTextSource::OtherText, |loc, raw| {
            DevConversationText::parse_at(loc, raw).map(ConversationText::from)
        })
    }
}

/// One segment of `POST /v1/dev/user/conversations/from-segments`, as sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TranscriptSegmentRequest {
    /// What was said; not blank.
    pub text: String,
    /// Who said it; `SPEAKER_00` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// The speaker's number (an integral float such as `2.0` is taken too, as pydantic does).
    #[serde(
        default,
        deserialize_with = "crate::decode::integral",
        skip_serializing_if = "Option::is_none"
    )]
    pub speaker_id: Option<i64>,
    /// Whether the user said it; `false` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_user: Option<bool>,
    /// The person it is attributed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// Seconds from the conversation's start to the segment's start; at least 0.
    pub start: f64,
    /// Seconds from the conversation's start to the segment's end; after `start`.
    pub end: f64,
}

impl TranscriptSegmentRequest {
    /// A segment of `text` from `start` to `end` seconds, the rest by default.
    pub fn new(text: impl Into<String>, start: f64, end: f64) -> Self {
        Self {
            text: text.into(),
            start,
            end,
            ..Self::default()
        }
    }

    /// The message when `end` is not after `start`.
    pub const END_NOT_AFTER_START: &'static str = "Value error, end must be after start";

    fn validate_at(&self, loc: &Loc) -> Result<TranscriptSegment, ValidationErrors> {
        let mut problems = Problems::new();
        let text = problems.take(ConversationText::parse_at(&loc.join("text"), &self.text));
        let names = [
            ("speaker", self.speaker.as_deref()),
            ("person_id", self.person_id.as_deref()),
        ];
        optional_texts(&mut problems, loc, &names, usize::MAX);
        if !self.start.is_finite() || !self.end.is_finite() {
            for (name, value) in [("start", self.start), ("end", self.end)] {
                if !value.is_finite() {
                    problems.push(ValidationError::new(
                        loc.join(name),
                        kind::FINITE_NUMBER,
                        "Input should be a finite number",
                    ));
                }
            }
        } else if self.start < 0.0 {
            problems.push(ValidationError::new(
                loc.join("start"),
                kind::GREATER_THAN_EQUAL,
                msg::greater_than_equal(0),
            ));
        } else if self.end <= self.start {
            problems.push(ValidationError::new(
                loc.join("end"),
                kind::VALUE_ERROR,
                Self::END_NOT_AFTER_START,
            ));
        }
        problems.finish(|| {
            Some(TranscriptSegment {
                text: text?.into_inner(),
                speaker: self
                    .speaker
                    .clone()
                    .unwrap_or_else(|| TranscriptSegment::DEFAULT_SPEAKER.to_owned()),
                speaker_id: self.speaker_id,
                is_user: self.is_user.unwrap_or(false),
                person_id: self.person_id.clone(),
                start: self.start,
                end: self.end,
                extra: Map::new(),
            })
        })
    }
}

/// The body of `POST /v1/dev/user/conversations/from-segments`: a transcript a tool already
/// has, with speakers and times.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateConversationFromSegmentsRequest {
    /// The transcript: 1 to 500 segments.
    pub transcript_segments: Vec<TranscriptSegmentRequest>,
    /// The client's id of the recording session (1 to 200 characters; also read as
    /// `client_conversation_id`, `session_id` or `client_id`): an idempotency key. The
    /// conversation's id is derived from the user and it, so sending the same session again
    /// answers the conversation already made, as OMI's cloud does.
    #[serde(
        default,
        alias = "client_conversation_id",
        alias = "session_id",
        alias = "client_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_session_id: Option<String>,
    /// The recording device (`{platform}_{hash}` in OMI's apps), at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_device_id: Option<String>,
    /// The recording platform (`ios`, `android`, `macos`...), at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_platform: Option<String>,
    /// What recorded it; `phone` when absent or `null`, as in OMI's cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ConversationSource>,
    /// When it started; defaults to now.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended; defaults to `started_at` plus the segments' span (the latest `end`).
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub finished_at: Option<DateTime<Utc>>,
    /// A language code; defaults to `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Where it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geolocation: Option<Geolocation>,
}

impl CreateConversationFromSegmentsRequest {
    /// The fewest segments in one request.
    pub const MIN_SEGMENTS: usize = 1;
    /// The most segments in one request.
    pub const MAX_SEGMENTS: usize = 500;

    /// A request with these segments; every other field takes its default.
    pub fn new(transcript_segments: Vec<TranscriptSegmentRequest>) -> Self {
        Self {
            transcript_segments,
            ..Self::default()
        }
    }

    /// Validate and fill defaults (`started_at` = `now`, `finished_at` from the segments'
    /// span, `source` = `phone`, `language` = `en`), every problem at once.
    ///
    /// ```
    /// use omi_model::chrono::{Duration, TimeZone, Utc};
    /// use omi_model::{CreateConversationFromSegmentsRequest, TranscriptSegmentRequest};
    ///
    /// let now = Utc.with_ymd_and_hms(2024, 3, 10, 15, 0, 0).unwrap();
    /// let request = CreateConversationFromSegmentsRequest::new(vec![
    ///     TranscriptSegmentRequest::new("Hey, how are you doing?", 0.0, 2.5),
    ///     TranscriptSegmentRequest::new("Great, thanks!", 2.8, 5.0),
    /// ]);
    /// let valid = request.validate(now).unwrap();
    /// assert_eq!(valid.finished_at, now + Duration::seconds(5));
    /// assert_eq!(valid.segments[1].speaker, "SPEAKER_00");
    /// ```
    pub fn validate(
        self,
        now: DateTime<Utc>,
    ) -> Result<NewTranscriptConversation, ValidationErrors> {
        let body = Loc::body();
        let mut problems = Problems::new();
        let segments = segments_at(
            &mut problems,
            &body.join("transcript_segments"),
            &self.transcript_segments,
        );
        let language = language_at(&mut problems, &body, self.language.as_deref());
        let geolocation = geolocation_at(&mut problems, &body, self.geolocation.as_ref());
        let session = self.client_session_id.as_deref().map(|raw| {
            problems.take(ClientSessionId::parse_at(
                &body.join("client_session_id"),
                raw,
            ))
        });
        let device = client_label(
            &mut problems,
            &body,
            "client_device_id",
            self.client_device_id.as_deref(),
        );
        let platform = client_label(
            &mut problems,
            &body,
            "client_platform",
            self.client_platform.as_deref(),
        );
        let started_at = self.started_at.unwrap_or(now);
        let span = segments
            .as_ref()
            .map_or(0.0, |s| s.iter().map(|seg| seg.end).fold(0.0, f64::max));
        let finished_at = self
            .finished_at
            .unwrap_or_else(|| started_at + seconds(span));
        let (started_at, finished_at) = time_span(&mut problems, &body, started_at, finished_at);
        problems.finish(|| {
            Some(NewTranscriptConversation {
                segments: segments?,
                client_session_id: match session {
                    None => None,
                    Some(checked) => Some(checked?),
                },
                client_device_id: device?,
                client_platform: platform?,
                source: self.source.unwrap_or(ConversationSource::Phone),
                started_at,
                finished_at,
                language: language?,
                geolocation: geolocation?,
            })
        })
    }
}

/// An optional [`ClientLabel`] field, checked; empty counts as absent.
fn client_label(
    problems: &mut Problems,
    body: &Loc,
    name: &str,
    raw: Option<&str>,
) -> Option<Option<String>> {
    let Some(raw) = raw else { return Some(None) };
    let label = problems.take(ClientLabel::parse_at(&body.join(name), raw))?;
    Some(Some(label.into_inner()).filter(|l| !l.is_empty()))
}

/// `seconds` as a duration at microsecond precision (saturating far beyond any real span).
fn seconds(seconds: f64) -> Duration {
    let micros = (seconds * 1_000_000.0).round();
    Duration::microseconds(micros.clamp(0.0, 1e15) as i64)
}

fn segments_at(
    problems: &mut Problems,
    loc: &Loc,
    raw: &[TranscriptSegmentRequest],
) -> Option<Vec<TranscriptSegment>> {
    let count = raw.len();
    if count < CreateConversationFromSegmentsRequest::MIN_SEGMENTS {
        problems.push(ValidationError::new(
            loc.clone(),
            kind::TOO_SHORT,
            msg::too_short(CreateConversationFromSegmentsRequest::MIN_SEGMENTS, count),
        ));
        return None;
    }
    if count > CreateConversationFromSegmentsRequest::MAX_SEGMENTS {
        problems.push(ValidationError::new(
            loc.clone(),
            kind::TOO_LONG,
            msg::too_long(CreateConversationFromSegmentsRequest::MAX_SEGMENTS, count),
        ));
        return None;
    }
    let parsed: Vec<Option<TranscriptSegment>> = raw
        .iter()
        .enumerate()
        .map(|(i, s)| problems.take(s.validate_at(&loc.join(i))))
        .collect();
    parsed.into_iter().collect()
}

/// A validated conversation made from transcript segments: every default filled.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTranscriptConversation {
    /// The transcript, each segment's text trimmed.
    pub segments: Vec<TranscriptSegment>,
    /// The client's recording session: the conversation's id is derived from it.
    pub client_session_id: Option<ClientSessionId>,
    /// The recording device.
    pub client_device_id: Option<String>,
    /// The recording platform.
    pub client_platform: Option<String>,
    /// What recorded it.
    pub source: ConversationSource,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended; never before `started_at`.
    pub finished_at: DateTime<Utc>,
    /// Its language.
    pub language: Language,
    /// Where it happened.
    pub geolocation: Option<Geolocation>,
}

/// `{"id", "status", "discarded"}`: the answer of both developer create routes, given as soon
/// as the conversation and its processing job are stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateConversationResponse {
    /// The new conversation's id.
    pub id: String,
    /// Its processing state (`processing` until a worker has processed it). Always present
    /// here, whereas a conversation's `status` is optional.
    pub status: ConversationStatus,
    /// Whether it was discarded.
    pub discarded: bool,
}

/// The body of `PATCH /v1/dev/user/conversations/{id}`: at least one field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateConversationRequest {
    /// A new title, 1 to 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Discard it (`true`) or keep it again (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discarded: Option<bool>,
    /// Star it (`true`) or take its star away (`false`). Not in OMI's cloud's PATCH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starred: Option<bool>,
    /// Move it into one of the user's folders (404 "Folder not found" for an id the user
    /// has no folder with); `null` takes it out of its folder. Not in OMI's cloud's PATCH.
    #[serde(
        default,
        deserialize_with = "crate::decode::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub folder_id: Option<Option<String>>,
}

impl UpdateConversationRequest {
    /// The message when no field is given (OMI's cloud's words, which name its two fields).
    pub const NOTHING_TO_UPDATE: &'static str =
        "At least one field (title or discarded) must be provided";

    /// Validate: at least one field, the title and folder id valid (every problem at once).
    pub fn validate(&self) -> Result<ConversationUpdate, ValidationErrors> {
        let body = Loc::body();
        if self.title.is_none()
            && self.discarded.is_none()
            && self.starred.is_none()
            && self.folder_id.is_none()
        {
            return Err(ValidationErrors::single(ValidationError::new(
                body,
                kind::VALUE_ERROR,
                Self::NOTHING_TO_UPDATE,
            )));
        }
        let mut problems = Problems::new();
        let title = self
            .title
            .as_deref()
            .map(|raw| problems.take(ConversationTitle::parse_at(&body.join("title"), raw)));
        let folder = self.folder_id.as_ref().map(|folder| {
            folder
                .as_deref()
                .map(|raw| problems.take(FolderId::parse_at(&body.join("folder_id"), raw)))
        });
        // A field whose check failed is a problem, so `finish` never builds with it.
        problems.finish(|| {
            Some(ConversationUpdate {
                title: title.flatten(),
                discarded: self.discarded,
                starred: self.starred,
                folder: folder.map(Option::flatten),
            })
        })
    }
}

/// A validated, non-empty change to a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationUpdate {
    /// A new `structured.title`.
    pub title: Option<ConversationTitle>,
    /// A new `discarded`.
    pub discarded: Option<bool>,
    /// A new `starred`.
    pub starred: Option<bool>,
    /// A move: into the folder given, or (`Some(None)`) out of its folder.
    pub folder: Option<Option<FolderId>>,
}

impl ConversationUpdate {
    /// `conversation` with this change made. A move sets `folder_id` and clears
    /// `folder_name`, which only the store knows (it reads the folder's name in the move's
    /// transaction).
    #[must_use]
    pub fn apply(&self, mut conversation: Conversation) -> Conversation {
        if let Some(title) = &self.title {
            conversation.structured.title = title.as_str().to_owned();
        }
        if let Some(discarded) = self.discarded {
            conversation.discarded = discarded;
        }
        if let Some(starred) = self.starred {
            conversation.starred = starred;
        }
        if let Some(folder) = &self.folder {
            conversation.folder_id = folder.as_ref().map(|id| id.as_str().to_owned());
            conversation.folder_name = None;
        }
        conversation
    }
}

impl Conversation {
    /// The key under which a `failed` conversation says why (an addition to OMI's object).
    pub const FAILURE_REASON: &'static str = "failure_reason";

    /// The conversation as the developer routes show it: `id, created_at, started_at,
    /// finished_at, language, source, status, discarded, structured, geolocation`, and
    /// `transcript_segments` only when `include_transcript` (otherwise the key is absent).
    /// The imported text, the importing app and the source notes are left out, as OMI's
    /// cloud leaves them out of these routes; a failed conversation keeps its
    /// [`FAILURE_REASON`](Self::FAILURE_REASON), which says why.
    #[must_use]
    pub fn for_developer(mut self, include_transcript: bool) -> Self {
        self.text = None;
        self.app_id = None;
        self.extra.retain(|key, _| key == Self::FAILURE_REASON);
        if include_transcript {
            self.transcript_segments.get_or_insert_with(Vec::new);
        } else {
            self.transcript_segments = None;
        }
        self
    }
}

/// Query of `GET /v1/dev/user/conversations`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListDevConversationsQuery {
    /// Page size, 1..=1000; default 25.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000, default = 25))]
    pub limit: Option<i64>,
    /// Items to skip, >= 0; default 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0, default = 0))]
    pub offset: Option<i64>,
    /// Only conversations created at or after this time (ISO 8601, or `YYYY-MM-DD`).
    #[serde(default, with = "timestamp::optional")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub start_date: Option<DateTime<Utc>>,
    /// Only conversations created at or before this time (ISO 8601, or `YYYY-MM-DD`).
    #[serde(default, with = "timestamp::optional")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub end_date: Option<DateTime<Utc>>,
    /// Only conversations of these categories, comma-separated or repeated; none means all.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(style = Form, explode = false, max_items = 100))]
    pub categories: Vec<ConversationCategory>,
    /// Whether each conversation carries its `transcript_segments`; default false.
    pub include_transcript: Option<bool>,
    /// Only the conversations in this folder (not empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(min_length = 1, max_length = 200))]
    pub folder_id: Option<String>,
    /// Only starred (`true`) or only unstarred (`false`) conversations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starred: Option<bool>,
}

/// A validated developer conversation list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevConversationListParams {
    /// Page size and offset.
    pub page: PageParams,
    /// Earliest `created_at`.
    pub start_date: Option<DateTime<Utc>>,
    /// Latest `created_at`.
    pub end_date: Option<DateTime<Utc>>,
    /// Only these categories, each once; empty means all.
    pub categories: Vec<ConversationCategory>,
    /// Whether transcripts are shown.
    pub include_transcript: bool,
    /// Only the conversations in this folder.
    pub folder_id: Option<FolderId>,
    /// Only starred or only unstarred conversations.
    pub starred: Option<bool>,
}

impl FromQueryStr for ListDevConversationsQuery {
    /// Read from a raw query string. An unknown category is a 400, as in OMI's cloud.
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let limit = q.int("limit", &mut problems);
        let offset = q.int("offset", &mut problems);
        let start_date = q.date("start_date", &mut problems);
        let end_date = q.date("end_date", &mut problems);
        let include_transcript = q.bool("include_transcript", &mut problems);
        let starred = q.bool("starred", &mut problems);
        let categories = q.categories::<ConversationCategory>("CategoryEnum")?;
        Ok(problems.finish(|| {
            Some(Self {
                limit,
                offset,
                start_date,
                end_date,
                categories,
                include_transcript,
                folder_id: q.last("folder_id").map(str::to_owned),
                starred,
            })
        })?)
    }
}

impl ListDevConversationsQuery {
    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = page_pairs(self.limit, self.offset);
        date_pairs(&mut pairs, self.start_date, self.end_date);
        list_pair(&mut pairs, "categories", &self.categories);
        if let Some(t) = self.include_transcript {
            pairs.push(("include_transcript", t.to_string()));
        }
        if let Some(folder) = &self.folder_id {
            pairs.push(("folder_id", folder.clone()));
        }
        if let Some(starred) = self.starred {
            pairs.push(("starred", starred.to_string()));
        }
        pairs
    }

    /// Check ranges and fill defaults.
    pub fn validate(&self) -> Result<DevConversationListParams, ValidationErrors> {
        let mut problems = Problems::new();
        let (limit, offset) = page(
            &mut problems,
            self.limit,
            self.offset,
            Limit::DEVELOPER_DEFAULT,
        );
        let categories = list_filter(&mut problems, "categories", &self.categories);
        let folder_id = self
            .folder_id
            .as_deref()
            .map(|raw| problems.take(FolderId::parse_at(&Loc::query("folder_id"), raw)));
        problems.finish(|| {
            Some(DevConversationListParams {
                page: PageParams {
                    limit: limit?,
                    offset: offset?,
                },
                start_date: self.start_date,
                end_date: self.end_date,
                categories: categories?,
                include_transcript: self.include_transcript.unwrap_or(false),
                folder_id: folder_id.flatten(),
                starred: self.starred,
            })
        })
    }
}

/// Query of `GET /v1/dev/user/conversations/{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct GetConversationQuery {
    /// Whether the conversation carries its `transcript_segments`; default false.
    pub include_transcript: Option<bool>,
}

impl FromQueryStr for GetConversationQuery {
    /// Read from a raw query string.
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let include_transcript = q.bool("include_transcript", &mut problems);
        Ok(problems.finish(|| Some(Self { include_transcript }))?)
    }
}

impl GetConversationQuery {
    /// Ask for the transcript too.
    pub const WITH_TRANSCRIPT: Self = Self {
        include_transcript: Some(true),
    };

    /// The query-string pairs a client sends.
    pub fn to_query_pairs(self) -> Vec<(&'static str, String)> {
        self.include_transcript
            .map(|t| ("include_transcript", t.to_string()))
            .into_iter()
            .collect()
    }

    /// Whether the transcript is shown.
    pub fn include_transcript(self) -> bool {
        self.include_transcript.unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap()
    }

    #[test]
    fn segment_problems_are_reported_at_their_index() {
        let err = CreateConversationFromSegmentsRequest::new(vec![
            TranscriptSegmentRequest::new("fine", 0.0, 1.0),
            TranscriptSegmentRequest::new(" ", -1.0, 2.0),
            TranscriptSegmentRequest::new("late", 3.0, 3.0),
        ])
        .validate(now())
        .unwrap_err();
        let locs: Vec<String> = err.items().iter().map(|e| e.loc.to_string()).collect();
        assert_eq!(
            locs,
            [
                "body.transcript_segments.1.text",
                "body.transcript_segments.1.start",
                "body.transcript_segments.2.end"
            ]
        );
    }

    #[test]
    fn five_hundred_bad_segments_report_the_first_hundred_problems() {
        let bad = TranscriptSegmentRequest::new(" ", -1.0, 2.0);
        let err = CreateConversationFromSegmentsRequest::new(vec![bad; 500])
            .validate(now())
            .unwrap_err();
        assert_eq!(err.items().len(), ValidationErrors::MAX_ITEMS);
        assert_eq!(
            err.items()[ValidationErrors::MAX_ITEMS - 1].loc.to_string(),
            "body.transcript_segments.49.start"
        );
    }

    #[test]
    fn category_filters_are_deduplicated_and_capped() {
        let q = ListDevConversationsQuery {
            categories: vec![ConversationCategory::Work; 3],
            ..Default::default()
        };
        assert_eq!(
            q.validate().unwrap().categories,
            [ConversationCategory::Work]
        );
        let raw = vec!["categories=work"; 40_000].join("&");
        let Err(QueryError::Invalid(err)) = ListDevConversationsQuery::from_query_str(&raw) else {
            panic!("40 000 categories are refused");
        };
        assert_eq!(err.items()[0].loc.to_string(), "query.categories");
        assert_eq!(err.items()[0].kind, kind::TOO_LONG);
    }

    #[test]
    fn an_unknown_category_is_a_bad_request_naming_omis_enum() {
        let err = ListDevConversationsQuery::from_query_str("categories=work,bogus").unwrap_err();
        assert_eq!(
            err,
            QueryError::BadRequest("Invalid category 'bogus' is not a valid CategoryEnum".into())
        );
    }

    #[test]
    fn an_empty_folder_filter_is_too_short_and_a_blank_one_refused() {
        for (raw, kind) in [
            ("folder_id=", "string_too_short"),
            ("folder_id=%20", "value_error"),
        ] {
            let query = ListDevConversationsQuery::from_query_str(raw).unwrap();
            let err = query.validate().unwrap_err();
            assert_eq!(err.items()[0].loc.to_string(), "query.folder_id", "{raw}");
            assert_eq!(err.items()[0].kind, kind, "{raw}");
        }
    }

    #[test]
    fn a_patch_moves_stars_or_takes_out_of_a_folder() {
        let body: UpdateConversationRequest =
            serde_json::from_str(r#"{"folder_id": null}"#).unwrap();
        assert_eq!(body.validate().unwrap().folder, Some(None));
        let body: UpdateConversationRequest =
            serde_json::from_str(r#"{"starred": true, "folder_id": " f1 "}"#).unwrap();
        let update = body.validate().unwrap();
        assert_eq!(update.starred, Some(true));
        assert_eq!(update.folder.unwrap().unwrap().as_str(), "f1");
        let body: UpdateConversationRequest =
            serde_json::from_str(r#"{"title": "", "folder_id": ""}"#).unwrap();
        let locs: Vec<String> = body
            .validate()
            .unwrap_err()
            .items()
            .iter()
            .map(|e| e.loc.to_string())
            .collect();
        assert_eq!(locs, ["body.title", "body.folder_id"]);
    }

    #[test]
    fn list_query_pairs_round_trip() {
        let q = ListDevConversationsQuery {
            limit: Some(5),
            offset: Some(1),
            start_date: Some(now()),
            end_date: None,
            categories: vec![ConversationCategory::Work, ConversationCategory::Family],
            include_transcript: Some(true),
            folder_id: Some("フォルダ 📁".into()),
            starred: Some(false),
        };
        let raw = serde_urlencoded::to_string(q.to_query_pairs()).unwrap();
        assert_eq!(ListDevConversationsQuery::from_query_str(&raw).unwrap(), q);
    }

    #[test]
    fn an_update_needs_a_field() {
        let err = UpdateConversationRequest::default().validate().unwrap_err();
        assert_eq!(
            err.items()[0].msg,
            UpdateConversationRequest::NOTHING_TO_UPDATE
        );
    }
}
