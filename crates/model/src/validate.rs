//! One way in for every request type: [`Validate`], implemented by every request body and
//! list query, with one method signature, `into_valid(self, context)`, whatever the type
//! needs (the clock, the route's rules, or nothing). The per-type `validate` methods stay,
//! as the same checks (the implementations below call them).
//!
//! [`Validate::parse_json`] decodes a JSON body and validates it: every wrongly typed
//! top-level field is reported at once (see [`decode`]); when the body decodes,
//! every rule problem is. As in serde generally, a body whose types are wrong is not checked
//! against the rules (FastAPI would report both kinds together): fix the types, then the rules
//! speak.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use crate::{
    ActionItemListParams, ActionItemUpdate, BatchCreateActionItemsRequest,
    BatchCreateMemoriesRequest, ConversationListParams, ConversationTextSource, ConversationUpdate,
    CreateActionItemRequest, CreateConversationFromSegmentsRequest, CreateConversationRequest,
    CreateGoalRequest, CreateMemoriesRequest, CreateMemoryRequest, CreateWebhookRequest,
    DevConversationListParams, DevMemoryListParams, GoalHistoryQuery, GoalListParams,
    GoalProgressQuery, GoalUpdate, ListActionItemsQuery, ListConversationsQuery,
    ListDevConversationsQuery, ListDevMemoriesQuery, ListGoalsQuery, ListMemoriesQuery,
    ListWebhookDeliveriesQuery, MemoriesImport, MemorySearch, MemoryUpdate, NewActionItem,
    NewConversation, NewGoal, NewMemory, NewTranscriptConversation, NewWebhook, PageParams,
    RankedSearch, RankedSearchQuery, SearchConversationsQuery, SearchMemoriesQuery,
    UpdateActionItemRequest, UpdateConversationRequest, UpdateGoalRequest, UpdateMemoryRequest,
    ValidationErrors, decode,
};

/// A request type: what a caller sent, checked into the value the route works with.
///
/// ```
/// use omi_model::chrono::{TimeZone, Utc};
/// use omi_model::validate::{ConversationRoute, Validate};
/// use omi_model::{CreateConversationRequest, CreateMemoryRequest};
///
/// let memory = CreateMemoryRequest::parse_json(br#"{"content": " User likes tea "}"#, ()).unwrap();
/// assert_eq!(memory.content.as_str(), "User likes tea");
///
/// let now = Utc.with_ymd_and_hms(2024, 3, 10, 15, 0, 0).unwrap();
/// let note = CreateConversationRequest::from_text("Me: I love tea.")
///     .into_valid(ConversationRoute::Developer { now })
///     .unwrap();
/// assert_eq!(note.started_at, now);
///
/// let problems = CreateMemoryRequest::parse_json(br#"{"content": "  "}"#, ()).unwrap_err();
/// assert_eq!(problems.items()[0].loc.to_string(), "body.content");
/// ```
pub trait Validate: Sized {
    /// What checking needs besides the request: `()` for most types, the clock
    /// (`DateTime<Utc>`, for defaults that are times), or [`ConversationRoute`] for the
    /// conversation body that two routes take with different rules.
    type Context;
    /// The checked value, with the spec's defaults filled.
    type Valid;

    /// Check the request: its valid form, or every problem at once (at most
    /// [`ValidationErrors::MAX_ITEMS`]).
    fn into_valid(self, context: Self::Context) -> Result<Self::Valid, ValidationErrors>;

    /// Decode a JSON body and check it: the wrongly typed fields when it does not decode,
    /// else [`into_valid`](Self::into_valid)'s answer.
    fn parse_json(body: &[u8], context: Self::Context) -> Result<Self::Valid, ValidationErrors>
    where
        Self: DeserializeOwned,
    {
        decode::from_json_slice::<Self>(body)?.into_valid(context)
    }
}

/// Which route a [`CreateConversationRequest`] was sent to: their rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationRoute {
    /// `POST /v2/integrations/{app_id}/user/conversations`: `text_source` defaults to
    /// `default_source` (omi-server passes `audio_transcript`); times default from `now`.
    Integration {
        /// The time `started_at` defaults to.
        now: DateTime<Utc>,
        /// The `text_source` of a body without one.
        default_source: ConversationTextSource,
    },
    /// `POST /v1/dev/user/conversations`: at most 100 000 characters, `text_source`
    /// `other_text` by default (see `CreateConversationRequest::validate_developer`).
    Developer {
        /// The time `started_at` defaults to.
        now: DateTime<Utc>,
    },
}

impl Validate for CreateConversationRequest {
    type Context = ConversationRoute;
    type Valid = NewConversation;

    fn into_valid(self, route: ConversationRoute) -> Result<NewConversation, ValidationErrors> {
        match route {
            ConversationRoute::Integration {
                now,
                default_source,
            } => self.validate(now, default_source),
            ConversationRoute::Developer { now } => self.validate_developer(now),
        }
    }
}

impl Validate for CreateConversationFromSegmentsRequest {
    type Context = DateTime<Utc>;
    type Valid = NewTranscriptConversation;

    fn into_valid(self, now: DateTime<Utc>) -> Result<NewTranscriptConversation, ValidationErrors> {
        self.validate(now)
    }
}

impl Validate for CreateMemoriesRequest {
    type Context = ();
    type Valid = MemoriesImport;

    fn into_valid(self, (): ()) -> Result<MemoriesImport, ValidationErrors> {
        self.validate()
    }
}

/// `Validate` for types whose `validate(&self)` needs nothing else.
macro_rules! validate_without_context {
    ($($request:ty => $valid:ty),+ $(,)?) => {
        $(
            impl Validate for $request {
                type Context = ();
                type Valid = $valid;

                fn into_valid(self, (): ()) -> Result<$valid, ValidationErrors> {
                    self.validate()
                }
            }
        )+
    };
}

validate_without_context!(
    CreateMemoryRequest => NewMemory,
    BatchCreateMemoriesRequest => Vec<NewMemory>,
    UpdateMemoryRequest => MemoryUpdate,
    UpdateConversationRequest => ConversationUpdate,
    CreateActionItemRequest => NewActionItem,
    BatchCreateActionItemsRequest => Vec<NewActionItem>,
    UpdateActionItemRequest => ActionItemUpdate,
    ListConversationsQuery => ConversationListParams,
    ListMemoriesQuery => PageParams,
    ListDevMemoriesQuery => DevMemoryListParams,
    ListDevConversationsQuery => DevConversationListParams,
    ListActionItemsQuery => ActionItemListParams,
    SearchMemoriesQuery => MemorySearch,
    RankedSearchQuery => RankedSearch,
    SearchConversationsQuery => Option<usize>,
    CreateGoalRequest => NewGoal,
    UpdateGoalRequest => GoalUpdate,
    ListGoalsQuery => GoalListParams,
    GoalProgressQuery => f64,
    GoalHistoryQuery => u16,
    CreateWebhookRequest => NewWebhook,
    ListWebhookDeliveriesQuery => PageParams,
);

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 10, 15, 0, 0).unwrap()
    }

    #[test]
    fn the_trait_gives_what_validate_gives() {
        let request = UpdateMemoryRequest::default();
        assert_eq!(request.clone().into_valid(()), request.validate());
        let query = ListDevMemoriesQuery {
            limit: Some(5000),
            ..ListDevMemoriesQuery::default()
        };
        assert_eq!(query.clone().into_valid(()), query.validate());
    }

    #[test]
    fn each_conversation_route_has_its_rules() {
        let long = "a".repeat(60_000);
        let integration = CreateConversationRequest::from_text(long.clone()).into_valid(
            ConversationRoute::Integration {
                now: now(),
                default_source: ConversationTextSource::AudioTranscript,
            },
        );
        let developer = CreateConversationRequest::from_text(long)
            .into_valid(ConversationRoute::Developer { now: now() });
        assert_eq!(
            integration.is_ok(),
            CreateConversationRequest::from_text("a".repeat(60_000))
                .validate(now(), ConversationTextSource::AudioTranscript)
                .is_ok()
        );
        assert!(developer.is_ok(), "the developer route takes 100 000");
        let note = CreateConversationRequest::from_text("Me: hi")
            .into_valid(ConversationRoute::Developer { now: now() })
            .unwrap();
        assert_eq!(note.text_source, ConversationTextSource::OtherText);
    }

    #[test]
    fn parse_json_reports_types_then_rules() {
        let types = CreateActionItemRequest::parse_json(br#"{"description": 5}"#, ()).unwrap_err();
        assert_eq!(types.items()[0].kind, "string_type");
        let rules =
            CreateActionItemRequest::parse_json(br#"{"description": " "}"#, ()).unwrap_err();
        assert_eq!(rules.items()[0].loc.to_string(), "body.description");
        let ok = CreateActionItemRequest::parse_json(br#"{"description": "Call Sam"}"#, ());
        assert_eq!(ok.unwrap().description.as_str(), "Call Sam");
    }
}
