//! Conversations: the create body, its validated form, and the conversation object.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::enums::{
    ConversationCategory, ConversationSource, ConversationStatus, ConversationTextSource,
};
use crate::scalars::{ConversationText, Language, TextSourceSpec, coordinate, optional_texts};
use crate::timestamp;
use crate::validation::{Loc, Problems, ValidationError, ValidationErrors, kind};

/// Where a conversation happened, as the wire carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Geolocation {
    /// Degrees north, -90..=90.
    #[cfg_attr(feature = "openapi", schema(minimum = -90, maximum = 90, example = 37.7749))]
    pub latitude: f64,
    /// Degrees east, -180..=180.
    #[cfg_attr(feature = "openapi", schema(minimum = -180, maximum = 180, example = -122.4194))]
    pub longitude: f64,
    /// A Google Maps place id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_place_id: Option<String>,
    /// A street address, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The kind of place, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_type: Option<String>,
}

impl Geolocation {
    /// The most characters of each free-text field.
    pub const MAX_TEXT_CHARS: usize = 500;

    /// A location at `latitude`, `longitude` with nothing else known.
    pub fn new(latitude: f64, longitude: f64) -> Self {
        Self {
            latitude,
            longitude,
            google_place_id: None,
            address: None,
            location_type: None,
        }
    }

    /// Check the coordinates (finite, in range) and texts (lengths, no control characters
    /// but tab, newline and carriage return), reported under `loc`.
    pub fn validate_at(&self, loc: &Loc) -> Result<Self, ValidationErrors> {
        let mut problems = Problems::new();
        problems.take(coordinate(&loc.join("latitude"), self.latitude, 90.0));
        problems.take(coordinate(&loc.join("longitude"), self.longitude, 180.0));
        let texts = [
            ("google_place_id", self.google_place_id.as_deref()),
            ("address", self.address.as_deref()),
            ("location_type", self.location_type.as_deref()),
        ];
        optional_texts(&mut problems, loc, &texts, Self::MAX_TEXT_CHARS);
        problems.finish(|| Some(self.clone()))
    }
}

/// The body of `POST /v2/integrations/{app_id}/user/conversations` (and of the developer
/// route's text create): the wire DTO, before validation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateConversationRequest {
    /// The full text of the conversation. Required, not blank.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500000))]
    pub text: String,
    /// When it started; defaults to now.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended; defaults to `started_at` + 5 minutes. Not before `started_at`.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub finished_at: Option<DateTime<Utc>>,
    /// A language code; defaults to `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 35, default = "en"))]
    pub language: Option<String>,
    /// Where it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geolocation: Option<Geolocation>,
    /// What kind of text it is; the default depends on the route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_source: Option<ConversationTextSource>,
    /// A free-form note on the source (`"phone_call"`, `"sms"`).
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_source_spec: Option<String>,
}

impl CreateConversationRequest {
    /// A request with only its text; every other field takes its default.
    pub fn from_text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// Validate and fill defaults: `started_at` = `now`, `finished_at` = `started_at` + 5 min,
    /// `language` = `en`, `text_source` = `default_source` (the route's). Every problem is
    /// reported at once.
    pub fn validate(
        self,
        now: DateTime<Utc>,
        default_source: ConversationTextSource,
    ) -> Result<NewConversation, ValidationErrors> {
        self.validate_with(now, default_source, ConversationText::parse_at)
    }

    /// [`validate`](Self::validate) with the text checked by `parse_text` (the developer
    /// route allows less text than the integration route).
    pub(crate) fn validate_with(
        self,
        now: DateTime<Utc>,
        default_source: ConversationTextSource,
        parse_text: impl FnOnce(&Loc, &str) -> Result<ConversationText, ValidationErrors>,
    ) -> Result<NewConversation, ValidationErrors> {
        let body = Loc::body();
        let mut problems = Problems::new();
        let text = problems.take(parse_text(&body.join("text"), &self.text));
        let language = language_at(&mut problems, &body, self.language.as_deref());
        let geolocation = geolocation_at(&mut problems, &body, self.geolocation.as_ref());
        let text_source_spec = match &self.text_source_spec {
            None => Some(None),
            Some(raw) => problems
                .take(TextSourceSpec::parse_at(
                    &body.join("text_source_spec"),
                    raw,
                ))
                .map(Some),
        };
        let started_at = self.started_at.unwrap_or(now);
        let (started_at, finished_at) = time_span(
            &mut problems,
            &body,
            started_at,
            self.finished_at
                .unwrap_or(started_at + NewConversation::DEFAULT_DURATION),
        );
        problems.finish(|| {
            Some(NewConversation {
                text: text?,
                started_at,
                finished_at,
                language: language?,
                geolocation: geolocation?,
                text_source: self.text_source.unwrap_or(default_source),
                text_source_spec: text_source_spec?,
            })
        })
    }
}

/// The `language` of a create body (`en` when absent), reported under `body`.
pub(crate) fn language_at(
    problems: &mut Problems,
    body: &Loc,
    raw: Option<&str>,
) -> Option<Language> {
    match raw {
        None => Some(Language::english()),
        Some(raw) => problems.take(Language::parse_at(&body.join("language"), raw)),
    }
}

/// The `geolocation` of a create body, checked, reported under `body`.
pub(crate) fn geolocation_at(
    problems: &mut Problems,
    body: &Loc,
    raw: Option<&Geolocation>,
) -> Option<Option<Geolocation>> {
    match raw {
        None => Some(None),
        Some(g) => problems
            .take(g.validate_at(&body.join("geolocation")))
            .map(Some),
    }
}

/// A conversation's start and end at stored precision; an end before the start is reported
/// at `body.finished_at`.
pub(crate) fn time_span(
    problems: &mut Problems,
    body: &Loc,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let (started_at, finished_at) = (
        timestamp::normalize(started_at),
        timestamp::normalize(finished_at),
    );
    if finished_at < started_at {
        problems.push(ValidationError::new(
            body.join("finished_at"),
            kind::VALUE_ERROR,
            NewConversation::FINISHED_BEFORE_STARTED,
        ));
    }
    (started_at, finished_at)
}

/// A validated conversation to store: every default filled, every rule checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConversation {
    /// The text, trimmed.
    pub text: ConversationText,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended; never before `started_at`.
    pub finished_at: DateTime<Utc>,
    /// Its language.
    pub language: Language,
    /// Where it happened.
    pub geolocation: Option<Geolocation>,
    /// What kind of text it is.
    pub text_source: ConversationTextSource,
    /// A note on the source.
    pub text_source_spec: Option<TextSourceSpec>,
}

impl NewConversation {
    /// How long a conversation lasts when the request gives no `finished_at`.
    pub const DEFAULT_DURATION: Duration = Duration::minutes(5);
    /// The message when `finished_at` is before `started_at`.
    pub const FINISHED_BEFORE_STARTED: &'static str =
        "Value error, finished_at must not be earlier than started_at";
}

/// An action item inside a conversation's `structured` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StructuredActionItem {
    /// What is to be done.
    pub description: String,
    /// Whether it is done.
    #[serde(default)]
    pub completed: bool,
}

/// An event a conversation mentions, for the user's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// A short title.
    pub title: String,
    /// A sentence or two.
    #[serde(default)]
    pub description: String,
    /// When it starts.
    #[serde(with = "timestamp::required")]
    pub start: DateTime<Utc>,
    /// How long it lasts, in minutes.
    #[serde(default = "Event::default_duration")]
    pub duration: i64,
    /// Whether it was added to a calendar.
    #[serde(default)]
    pub created: bool,
}

impl Event {
    /// The duration of an event that states none, in minutes.
    pub const DEFAULT_DURATION_MINUTES: i64 = 30;

    fn default_duration() -> i64 {
        Self::DEFAULT_DURATION_MINUTES
    }
}

/// What processing made of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Structured {
    /// A short title.
    #[serde(default)]
    pub title: String,
    /// A brief summary.
    #[serde(default)]
    pub overview: String,
    /// One emoji for it.
    #[serde(default = "Structured::default_emoji")]
    pub emoji: String,
    /// Its category.
    #[serde(default)]
    pub category: ConversationCategory,
    /// Things to do that it mentions.
    #[serde(default)]
    pub action_items: Vec<StructuredActionItem>,
    /// Events it mentions.
    #[serde(default)]
    pub events: Vec<Event>,
}

impl Structured {
    /// The emoji of a conversation not yet processed.
    pub const DEFAULT_EMOJI: &'static str = "🧠";

    fn default_emoji() -> String {
        Self::DEFAULT_EMOJI.to_owned()
    }
}

impl Default for Structured {
    fn default() -> Self {
        Self {
            title: String::new(),
            overview: String::new(),
            emoji: Self::default_emoji(),
            category: ConversationCategory::Other,
            action_items: Vec::new(),
            events: Vec::new(),
        }
    }
}

/// One stretch of speech in a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TranscriptSegment {
    /// What was said.
    pub text: String,
    /// Who said it (`"SPEAKER_00"` when unknown).
    #[serde(default = "TranscriptSegment::default_speaker")]
    pub speaker: String,
    /// The speaker's number, when diarization gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_id: Option<i64>,
    /// Whether the user said it.
    #[serde(default)]
    pub is_user: bool,
    /// The person it is attributed to, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// Seconds from the conversation's start to the segment's start.
    #[serde(default)]
    pub start: f64,
    /// Seconds from the conversation's start to the segment's end.
    #[serde(default)]
    pub end: f64,
    /// Fields this crate does not know, kept so nothing is lost on a round trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl TranscriptSegment {
    /// The speaker label of an unattributed segment.
    pub const DEFAULT_SPEAKER: &'static str = "SPEAKER_00";

    fn default_speaker() -> String {
        Self::DEFAULT_SPEAKER.to_owned()
    }
}

/// A conversation as the read routes return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    /// Its id.
    pub id: String,
    /// When it was created (equal to `started_at` for imports).
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// When it started.
    #[serde(default, with = "timestamp::optional")]
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended.
    #[serde(default, with = "timestamp::optional")]
    pub finished_at: Option<DateTime<Utc>>,
    /// What created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ConversationSource>,
    /// Its language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Its processing state: `processing`, then `completed` or `failed`.
    ///
    /// omi-server always sends it. It is optional (unlike the create answer's `status`)
    /// because OMI's conversation object does not require it; in Rust a missing field is
    /// `None`, which `DeveloperConversations::wait_until_processed` reads as not yet processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ConversationStatus>,
    /// Whether it was discarded (too short or empty to keep).
    #[serde(default)]
    pub discarded: bool,
    /// The integration app that imported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The imported text, when it was imported as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// What processing made of it.
    #[serde(default)]
    pub structured: Structured,
    /// The transcript; absent when a route was asked to leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_segments: Option<Vec<TranscriptSegment>>,
    /// Where it happened.
    #[serde(default)]
    pub geolocation: Option<Geolocation>,
    /// Whether the user starred it.
    #[serde(default)]
    pub starred: bool,
    /// The id of the folder it is in (`null` when in none).
    #[serde(default)]
    pub folder_id: Option<String>,
    /// The name of that folder (`null` when in none).
    #[serde(default)]
    pub folder_name: Option<String>,
    /// Fields this crate does not know, kept so nothing is lost on a round trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Where an imported conversation's text came from, as OMI keeps it in the conversation's
/// `external_data` object (read with [`Conversation::external_data`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExternalData {
    /// What kind of text it is; `None` when absent or not a known kind.
    #[serde(default, deserialize_with = "known_or_none")]
    pub text_source: Option<ConversationTextSource>,
    /// The importer's note on the source.
    #[serde(default)]
    pub text_source_spec: Option<String>,
}

impl Conversation {
    /// Its `external_data`, typed; `None` when it has none or it is not an object.
    ///
    /// ```
    /// use omi_model::{Conversation, ConversationTextSource};
    ///
    /// let conversation: Conversation = serde_json::from_str(
    ///     r#"{"id": "c1", "created_at": "2024-01-15T10:30:00Z",
    ///         "external_data": {"text_source": "message", "text_source_spec": "sms"}}"#,
    /// )
    /// .expect("a conversation");
    /// let external = conversation.external_data().unwrap_or_default();
    /// assert_eq!(external.text_source, Some(ConversationTextSource::Message));
    /// assert_eq!(external.text_source_spec.as_deref(), Some("sms"));
    /// ```
    pub fn external_data(&self) -> Option<ExternalData> {
        let value = self.extra.get("external_data")?;
        ExternalData::deserialize(value).ok()
    }
}

/// A known variant, or `None` for anything else (a kind a newer server added).
fn known_or_none<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<ConversationTextSource>, D::Error> {
    let raw = Option::<String>::deserialize(deserializer)?;
    Ok(raw.and_then(|s| s.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap()
    }

    #[test]
    fn defaults_come_from_the_injected_clock_and_the_route() {
        let c = CreateConversationRequest::from_text("hello")
            .validate(now(), ConversationTextSource::AudioTranscript)
            .unwrap();
        assert_eq!(c.started_at, now());
        assert_eq!(c.finished_at, now() + Duration::minutes(5));
        assert_eq!(c.language.as_str(), "en");
        assert_eq!(c.text_source, ConversationTextSource::AudioTranscript);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let req = CreateConversationRequest {
            text: "  ".into(),
            started_at: Some(now()),
            finished_at: Some(now() - Duration::seconds(1)),
            geolocation: Some(Geolocation::new(91.0, f64::NAN)),
            ..Default::default()
        };
        let err = req
            .validate(now(), ConversationTextSource::OtherText)
            .unwrap_err();
        let locs: Vec<String> = err.items().iter().map(|e| e.loc.to_string()).collect();
        assert_eq!(
            locs,
            [
                "body.text",
                "body.geolocation.latitude",
                "body.geolocation.longitude",
                "body.finished_at"
            ]
        );
    }
}
