//! # omi-model
//!
//! The types of OMI's Integration Imports API and Developer API: wire DTOs that serialize
//! exactly as OMI's cloud expects, enums with the exact wire strings, and validated domain
//! types that can only be built through their checks ("parse, don't validate").
//!
//! A request DTO (e.g. [`CreateConversationRequest`]) holds what a caller sent; its
//! `validate` method fills the spec's defaults from an injected clock and returns either the
//! domain value (e.g. [`NewConversation`]) or **every** problem at once as FastAPI-shaped
//! `{loc, msg, type}` items ([`ValidationErrors`]).
//!
//! This crate has no async runtime, HTTP or database dependency: take it alone to speak the
//! wire format.
//!
//! Its date-times are `chrono`'s, re-exported as [`chrono`] so a user needs no dependency of
//! their own.
//!
//! ```
//! use omi_model::chrono::{Duration, TimeZone, Utc};
//! use omi_model::{decode, ConversationTextSource, CreateConversationRequest};
//!
//! let body = br#"{"text": "John: Hi Sarah", "language": "en"}"#;
//! let request: CreateConversationRequest = decode::from_json_slice(body).unwrap();
//! let now = Utc.with_ymd_and_hms(2024, 3, 10, 15, 0, 0).unwrap();
//! let conversation = request.validate(now, ConversationTextSource::AudioTranscript).unwrap();
//! assert_eq!(conversation.finished_at, now + Duration::minutes(5));
//!
//! let bad: CreateConversationRequest =
//!     decode::from_json_slice(br#"{"text": " ", "geolocation": {"latitude": 99, "longitude": 0}}"#)
//!         .unwrap();
//! let problems = bad.validate(now, ConversationTextSource::AudioTranscript).unwrap_err();
//! assert_eq!(problems.items().len(), 2);
//! ```

/// The `chrono` crate whose `DateTime<Utc>` this crate's times are, re-exported so users
/// build and read them without a dependency of their own.
pub use chrono;

pub mod action_item;
pub mod conversation;
pub mod conversation_search;
pub mod decode;
pub mod dev_conversation;
pub mod dev_key;
pub mod enums;
pub mod error_body;
pub mod export;
pub mod folder;
pub mod goal;
pub mod ids;
pub mod memory;
pub mod query;
pub mod response;
pub mod scalars;
pub mod search;
pub mod secret;
pub mod task;
pub mod timestamp;
pub mod validate;
pub mod validation;
pub mod webhook;

pub use action_item::{
    ActionItem, ActionItemListParams, ActionItemSearchItem, ActionItemSearchResponse,
    ActionItemUpdate, BatchActionItemsResponse, BatchCreateActionItemsRequest,
    CreateActionItemRequest, ListActionItemsQuery, NewActionItem, SearchActionItemsQuery,
    UpdateActionItemRequest,
};
pub use conversation::{
    Conversation, CreateConversationRequest, Event, ExternalData, Geolocation, NewConversation,
    Structured, StructuredActionItem, TranscriptSegment,
};
pub use conversation_search::{
    ConversationSearch, ConversationSearchItem, ConversationSearchResponse,
    SearchConversationsQuery, SearchConversationsRequest, SearchConversationsResponse,
    SearchDateError, SearchDevConversationsQuery, SpeakerFilter,
};
pub use dev_conversation::{
    ConversationUpdate, CreateConversationFromSegmentsRequest, CreateConversationResponse,
    DevConversationListParams, GetConversationQuery, ListDevConversationsQuery,
    NewTranscriptConversation, TranscriptSegmentRequest, UpdateConversationRequest,
};
pub use dev_key::DevKeyInfo;
pub use enums::{
    Capability, ConversationCategory, ConversationSource, ConversationStatus,
    ConversationTextSource, DeliveryStatus, DevScope, GoalSource, GoalStatus, GoalType,
    MemoryCategory, MemoryTextSource, UnknownVariant, Visibility, WebhookEvent,
};
pub use error_body::{ErrorBody, ErrorDetail};
pub use export::{
    EXPORT_FORMAT, EXPORT_VERSION, ExportCounts, ExportKind, ExportLine, IMPORT_BATCH_RECORDS,
    IMPORT_MAX_ERRORS, ImportLineError, ImportReport,
};
pub use folder::{CreateFolderRequest, Folder, NewFolder};
pub use goal::{
    CreateGoalRequest, Goal, GoalHistoryEntry, GoalHistoryQuery, GoalListParams, GoalMetric,
    GoalProgressQuery, GoalUpdate, ListGoalsQuery, NewGoal, UpdateGoalRequest,
};
pub use ids::Uid;
pub use memory::{
    BatchCreateMemoriesRequest, CreateMemoriesRequest, CreateMemoryRequest, ExplicitMemory,
    ExplicitMemoryRequest, MemoriesImport, Memory, MemoryOrigin, MemoryUpdate, NewMemory,
    UpdateMemoryRequest, scoring,
};
pub use query::{
    ConversationListParams, DevMemoryListParams, FromQueryStr, ListConversationsQuery,
    ListDevMemoriesQuery, ListMemoriesQuery, PageParams, QueryError,
};
pub use response::{
    BatchMemoriesResponse, ConversationsResponse, EmptyResponse, MemoriesResponse, SuccessResponse,
};
pub use scalars::{
    ActionItemDescription, ClientLabel, ClientSessionId, ConversationText, ConversationTitle,
    DevConversationText, FolderId, FolderName, GoalText, GoalTitle, GoalUnit, ImportText, Language,
    Limit, MemoryContent, Offset, SourceReference, Tag, Tags, TextSourceSpec,
};
pub use search::{
    MemorySearch, MemorySearchItem, MemorySearchPolicy, MemorySearchResponse, RankedSearch,
    RankedSearchQuery, SearchMemoriesQuery,
};
pub use secret::{ApiKey, KeyKind};
pub use task::{ListTasksQuery, Task, TasksResponse};
pub use validate::{ConversationRoute, Validate};
pub use validation::{Loc, LocSegment, Problems, ValidationError, ValidationErrors};
pub use webhook::{
    CreateWebhookRequest, CreatedWebhook, ListWebhookDeliveriesQuery, NewWebhook, Webhook,
    WebhookAttempt, WebhookDelivery, WebhookEvents, WebhookPayload,
};

/// The README's examples, run as doctests (`cargo xtask doc-examples` also builds them in a
/// crate that depends on this one alone).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
