//! Webhooks (ours, beyond OMI's cloud): a URL that hears some of a user's events, the body
//! it is sent, and the record of every delivery.
//!
//! `POST /v1/dev/user/webhooks` takes a [`CreateWebhookRequest`] and answers a
//! [`CreatedWebhook`] (the signing secret, shown this once); `GET /v1/dev/user/webhooks`
//! lists [`Webhook`]s; `GET /v1/dev/user/webhooks/{id}/deliveries` lists
//! [`WebhookDelivery`]s, each with its [`WebhookAttempt`]s. Every delivery's body is a
//! [`WebhookPayload`], signed as the Standard Webhooks specification says.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::{DeliveryStatus, DevScope, WebhookEvent};
use crate::query::{page, page_pairs};
use crate::scalars::optional_texts;
use crate::timestamp;
use crate::validation::{Loc, Problems, ValidationError, ValidationErrors, kind, msg};
use crate::{FromQueryStr, Limit, PageParams, QueryError};

impl WebhookEvent {
    /// The scope a key needs to have a webhook hear this event: the read scope of the
    /// record it carries.
    pub const fn read_scope(self) -> DevScope {
        match self {
            Self::MemoryCreated | Self::MemoryUpdated | Self::MemoryDeleted => {
                DevScope::MemoriesRead
            }
            Self::ConversationProcessed => DevScope::ConversationsRead,
            Self::ActionItemCreated | Self::ActionItemCompleted => DevScope::ActionItemsRead,
        }
    }

    /// Its bit in a [`WebhookEvents`] set.
    const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// A set of [`WebhookEvent`]s, stored as a bit mask (one bit per event, in declaration
/// order), listed in declaration order.
///
/// ```
/// use omi_model::{WebhookEvent, WebhookEvents};
///
/// let events = WebhookEvents::from_events(&[WebhookEvent::MemoryDeleted, WebhookEvent::MemoryCreated]);
/// assert!(events.contains(WebhookEvent::MemoryCreated));
/// assert_eq!(events.to_vec(), [WebhookEvent::MemoryCreated, WebhookEvent::MemoryDeleted]);
/// assert_eq!(WebhookEvents::from_mask(events.mask()), events);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct WebhookEvents(u32);

impl WebhookEvents {
    /// The set of `events`.
    pub fn from_events(events: &[WebhookEvent]) -> Self {
        Self(events.iter().fold(0, |mask, e| mask | e.bit()))
    }

    /// The set a stored mask holds (bits of no event are ignored).
    pub fn from_mask(mask: i64) -> Self {
        let all = Self::from_events(WebhookEvent::ALL).0;
        Self(u32::try_from(mask & i64::from(all)).unwrap_or_default())
    }

    /// The stored mask.
    pub fn mask(self) -> i64 {
        i64::from(self.0)
    }

    /// Whether `event` is in the set.
    pub fn contains(self, event: WebhookEvent) -> bool {
        self.0 & event.bit() != 0
    }

    /// Whether the set holds no event.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Its events, in declaration order.
    pub fn to_vec(self) -> Vec<WebhookEvent> {
        WebhookEvent::ALL
            .iter()
            .copied()
            .filter(|e| self.contains(*e))
            .collect()
    }
}

/// The body of `POST /v1/dev/user/webhooks`: where to send, and which events.
///
/// ```
/// use omi_model::{CreateWebhookRequest, WebhookEvent};
///
/// let request = CreateWebhookRequest::new("https://example.com/omi", [WebhookEvent::MemoryCreated]);
/// let new = request.validate().unwrap();
/// assert_eq!(new.url.as_str(), "https://example.com/omi");
/// assert!(CreateWebhookRequest::new("ftp://example.com", []).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateWebhookRequest {
    /// Where deliveries are POSTed: an `http` or `https` URL of at most 2 000 characters,
    /// with a host and no user name or password.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub url: String,
    /// The events it hears: 1 to 6 of them, each at most once counted (repeats are one).
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 6))]
    pub events: Vec<WebhookEvent>,
    /// What it is for, at most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A validated [`CreateWebhookRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    /// Where deliveries go.
    pub url: url::Url,
    /// What it hears (never empty).
    pub events: WebhookEvents,
    /// What it is for (`None` when absent or blank).
    pub description: Option<String>,
}

impl CreateWebhookRequest {
    /// The most characters of a URL.
    pub const MAX_URL_CHARS: usize = 2000;
    /// The most characters of a description.
    pub const MAX_DESCRIPTION_CHARS: usize = 500;

    /// A request for `url` and `events`, without a description.
    pub fn new(url: impl Into<String>, events: impl IntoIterator<Item = WebhookEvent>) -> Self {
        Self {
            url: url.into(),
            events: events.into_iter().collect(),
            description: None,
        }
    }

    /// Validate: every problem at once.
    pub fn validate(&self) -> Result<NewWebhook, ValidationErrors> {
        let body = Loc::body();
        let mut problems = Problems::new();
        let url = problems.take(webhook_url(&body.join("url"), &self.url));
        let events = problems.take(event_set(&body.join("events"), &self.events));
        let description = [("description", self.description.as_deref())];
        optional_texts(
            &mut problems,
            &body,
            &description,
            Self::MAX_DESCRIPTION_CHARS,
        );
        problems.finish(|| {
            Some(NewWebhook {
                url: url?,
                events: events?,
                description: self
                    .description
                    .as_deref()
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned),
            })
        })
    }
}

/// A value error at `loc`.
fn value_error(loc: &Loc, text: &str) -> ValidationErrors {
    ValidationErrors::single(ValidationError::new(
        loc.clone(),
        kind::VALUE_ERROR,
        format!("Value error, {text}"),
    ))
}

/// `raw` as a URL deliveries can go to.
fn webhook_url(loc: &Loc, raw: &str) -> Result<url::Url, ValidationErrors> {
    let raw = raw.trim();
    if raw.chars().count() > CreateWebhookRequest::MAX_URL_CHARS {
        return Err(ValidationErrors::single(ValidationError::new(
            loc.clone(),
            kind::STRING_TOO_LONG,
            msg::string_too_long(CreateWebhookRequest::MAX_URL_CHARS),
        )));
    }
    let url = url::Url::parse(raw).map_err(|e| value_error(loc, &format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(value_error(loc, "the URL's scheme must be http or https"));
    }
    if url.host().is_none() {
        return Err(value_error(loc, "the URL must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(value_error(
            loc,
            "the URL must not hold a user name or password (deliveries are signed instead)",
        ));
    }
    Ok(url)
}

/// `events` as a set: at least one.
fn event_set(loc: &Loc, events: &[WebhookEvent]) -> Result<WebhookEvents, ValidationErrors> {
    let set = WebhookEvents::from_events(events);
    if set.is_empty() {
        return Err(ValidationErrors::single(ValidationError::new(
            loc.clone(),
            kind::TOO_SHORT,
            msg::too_short(1, 0),
        )));
    }
    Ok(set)
}

/// A webhook, as `GET /v1/dev/user/webhooks` lists it (its secret is never shown again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// Its id.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// What it hears, in the order of [`WebhookEvent`].
    pub events: Vec<WebhookEvent>,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// When it was made.
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
}

/// What `POST /v1/dev/user/webhooks` answers: the webhook and its signing secret, which
/// is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    /// The webhook.
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The signing secret (`whsec_` and the key in base64), as the Standard Webhooks
    /// libraries take it. Shown only here.
    pub secret: String,
}

/// One attempt at a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAttempt {
    /// Its number, from 1.
    pub attempt: u32,
    /// When it was made.
    #[serde(with = "timestamp::required")]
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status, when it answered.
    #[serde(default)]
    pub status_code: Option<u16>,
    /// Why it failed, when it did (no answer in time, refused address, a non-2xx status).
    #[serde(default)]
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
}

/// One event sent (or to be sent) to one webhook, with its attempts so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// Its id: the `webhook-id` header of every attempt (the same across retries).
    pub id: String,
    /// The event.
    pub event: WebhookEvent,
    /// The id of the record the event is about.
    pub subject_id: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// When the event happened.
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// When its next attempt is due (pending deliveries).
    #[serde(default, with = "timestamp::optional")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Its attempts so far, oldest first.
    pub attempts: Vec<WebhookAttempt>,
}

/// The JSON body every delivery POSTs: the event, when it happened, and the record as
/// the Developer API shows it (for `memory.deleted`, only `{"id": ...}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPayload {
    /// The event (`memory.created`...).
    #[serde(rename = "type")]
    pub event: WebhookEvent,
    /// When it happened.
    #[serde(with = "timestamp::required")]
    pub timestamp: DateTime<Utc>,
    /// The record.
    pub data: serde_json::Value,
}

/// Query of `GET /v1/dev/user/webhooks/{webhook_id}/deliveries`: a page, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListWebhookDeliveriesQuery {
    /// Page size, 1..=1000; default 25.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000, default = 25))]
    pub limit: Option<i64>,
    /// Items to skip, >= 0; default 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0, default = 0))]
    pub offset: Option<i64>,
}

impl FromQueryStr for ListWebhookDeliveriesQuery {
    /// Read from a raw query string.
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = crate::query::QueryParams::parse(raw);
        let mut problems = Problems::new();
        let limit = q.int("limit", &mut problems);
        let offset = q.int("offset", &mut problems);
        Ok(problems.finish(|| Some(Self { limit, offset }))?)
    }
}

impl ListWebhookDeliveriesQuery {
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
            Limit::DEVELOPER_DEFAULT,
        );
        problems.finish(|| {
            Some(PageParams {
                limit: limit?,
                offset: offset?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_at_once() {
        let request = CreateWebhookRequest {
            url: "mailto:someone@example.com".into(),
            events: vec![],
            description: Some("d".repeat(501)),
        };
        let err = request.validate().unwrap_err();
        let locs: Vec<String> = err.items().iter().map(|e| e.loc.to_string()).collect();
        assert_eq!(locs, ["body.url", "body.events", "body.description"]);
    }

    #[test]
    fn urls_need_http_a_host_and_no_credentials() {
        for bad in [
            "",
            "not a url",
            "ftp://example.com/x",
            "https://user:pw@example.com/",
            "file:///etc/passwd",
        ] {
            let request = CreateWebhookRequest::new(bad, [WebhookEvent::MemoryCreated]);
            assert!(request.validate().is_err(), "{bad} was taken");
        }
        let long = format!("https://example.com/{}", "é".repeat(2000));
        assert!(
            CreateWebhookRequest::new(long, [WebhookEvent::MemoryCreated])
                .validate()
                .is_err()
        );
        let japanese =
            CreateWebhookRequest::new("https://例え.jp/フック", [WebhookEvent::MemoryCreated]);
        assert!(japanese.validate().is_ok());
    }

    #[test]
    fn repeated_events_are_one_and_listed_in_declaration_order() {
        let request = CreateWebhookRequest::new(
            "http://example.com",
            [
                WebhookEvent::ActionItemCompleted,
                WebhookEvent::MemoryCreated,
                WebhookEvent::ActionItemCompleted,
            ],
        );
        let new = request.validate().unwrap();
        assert_eq!(
            new.events.to_vec(),
            [
                WebhookEvent::MemoryCreated,
                WebhookEvent::ActionItemCompleted
            ]
        );
    }

    #[test]
    fn a_mask_round_trips_and_ignores_unknown_bits() {
        let all = WebhookEvents::from_events(WebhookEvent::ALL);
        assert_eq!(WebhookEvents::from_mask(all.mask() | 1 << 40), all);
        assert_eq!(WebhookEvents::from_mask(-1), all);
        assert!(WebhookEvents::from_mask(0).is_empty());
    }

    #[test]
    fn a_created_webhook_shows_its_secret_beside_the_webhook_fields() {
        let created = CreatedWebhook {
            webhook: Webhook {
                id: "wh_1".into(),
                url: "https://example.com".into(),
                events: vec![WebhookEvent::MemoryCreated],
                description: None,
                created_at: DateTime::UNIX_EPOCH,
            },
            secret: "whsec_abc".into(),
        };
        let json = serde_json::to_value(&created).unwrap();
        assert_eq!(json["secret"], "whsec_abc");
        assert_eq!(json["events"][0], "memory.created");
        assert_eq!(json["id"], "wh_1");
    }
}
