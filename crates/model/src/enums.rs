//! Enums with the exact wire strings of OMI's cloud.
//!
//! Each enum serializes to, and parses from, its wire string only (plus documented aliases);
//! an unknown string is an error naming every accepted value, in pydantic's words.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::validation::msg;

/// The error of parsing an unknown wire string into one of this crate's enums.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UnknownVariant {
    /// The rejected input.
    pub input: String,
    /// pydantic's message listing the accepted values.
    pub message: String,
}

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident $(default $default:ident)? {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every member, in declaration order.
            pub const ALL: &'static [Self] = &[ $( Self::$variant ),+ ];

            /// The wire strings of every member, in declaration order.
            pub const WIRE_NAMES: &'static [&'static str] = &[ $( $wire ),+ ];

            /// The exact wire string.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $wire, )+
                }
            }
        }

        $(
            impl Default for $name {
                fn default() -> Self {
                    Self::$default
                }
            }
        )?

        impl FromStr for $name {
            type Err = UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $wire $(| $alias)* => Ok(Self::$variant), )+
                    _ => Err(UnknownVariant {
                        input: s.to_owned(),
                        message: msg::enum_members(Self::WIRE_NAMES),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::WIRE_NAMES.iter().copied()))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                raw.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

wire_enum! {
    /// Where a conversation's text came from (`text_source` of a conversation create).
    ConversationTextSource {
        /// A transcript of spoken audio (the integration route's default).
        AudioTranscript = "audio_transcript",
        /// A chat or text message thread.
        Message = "message",
        /// Any other text: notes, emails, posts (the developer route's default).
        OtherText = "other_text",
    }
}

wire_enum! {
    /// Where the text of a memories import came from (`text_source` of a memories create).
    MemoryTextSource default Other {
        /// An email.
        Email = "email",
        /// A social media post.
        SocialPost = "social_post",
        /// Anything else (the default).
        Other = "other",
    }
}

wire_enum! {
    /// The kind of a memory: the memories reference's three (`interesting`, `system`,
    /// `manual`, which the extractors assign) and OMI's cloud's current set (`core`,
    /// `hobbies`, `lifestyle`, `interests`, `habits`, `work`, `skills`, `learnings`, `other`,
    /// which its command-line client offers), all accepted on every route.
    MemoryCategory {
        /// Notable, shareable facts ("User climbed Mount Kilimanjaro").
        Interesting = "interesting",
        /// Useful context: preferences, work, relationships ("User prefers dark mode").
        System = "system",
        /// Added by the user by hand.
        Manual = "manual",
        /// Who the user is at heart: identity, values, the facts everything else builds on.
        Core = "core",
        /// What the user does for fun.
        Hobbies = "hobbies",
        /// How the user lives: home, diet, routines of life.
        Lifestyle = "lifestyle",
        /// Topics the user follows or cares about.
        Interests = "interests",
        /// What the user does regularly.
        Habits = "habits",
        /// The user's job, projects and colleagues.
        Work = "work",
        /// What the user knows how to do.
        Skills = "skills",
        /// Things the user learned.
        Learnings = "learnings",
        /// Anything else.
        Other = "other",
    }
}

wire_enum! {
    /// Who may see a memory.
    Visibility default Private {
        /// Shared with the user's public persona.
        Public = "public",
        /// Only the user (the default).
        Private = "private",
    }
}

wire_enum! {
    /// The processing state of a conversation.
    ConversationStatus {
        /// Still being recorded.
        InProgress = "in_progress",
        /// Stored; extraction has not finished yet.
        Processing = "processing",
        /// Extraction finished; `structured` is filled.
        Completed = "completed",
        /// Extraction failed for good after its retries.
        Failed = "failed",
    }
}

wire_enum! {
    /// What created a conversation: OMI's devices and apps (every name its cloud knows).
    ConversationSource {
        /// The Friend device.
        Friend = "friend",
        /// The OMI device.
        Omi = "omi",
        /// OpenGlass.
        Openglass = "openglass",
        /// Screenpipe.
        Screenpipe = "screenpipe",
        /// An integration app's import (the integration route).
        Workflow = "workflow",
        /// An SD card upload.
        Sdcard = "sdcard",
        /// An external tool through the developer API (the developer routes' default).
        ExternalIntegration = "external_integration",
        /// Fieldy.
        Fieldy = "fieldy",
        /// Bee.
        Bee = "bee",
        /// Plaud.
        Plaud = "plaud",
        /// Frame.
        Frame = "frame",
        /// friend.com.
        FriendCom = "friend_com",
        /// An Apple Watch.
        AppleWatch = "apple_watch",
        /// A phone.
        Phone = "phone",
        /// A desktop computer.
        Desktop = "desktop",
        /// Limitless.
        Limitless = "limitless",
        /// The app's onboarding.
        Onboarding = "onboarding",
    }
}

wire_enum! {
    /// OMI's conversation categories (`structured.category`).
    ConversationCategory default Other {
        /// Personal life.
        Personal = "personal",
        /// Learning and teaching.
        Education = "education",
        /// Health.
        Health = "health",
        /// Money.
        Finance = "finance",
        /// Law.
        Legal = "legal",
        /// Philosophy.
        Philosophy = "philosophy",
        /// Spirituality.
        Spiritual = "spiritual",
        /// Science.
        Science = "science",
        /// Starting companies.
        Entrepreneurship = "entrepreneurship",
        /// Raising children.
        Parenting = "parenting",
        /// Romance.
        Romantic = "romantic",
        /// Travel.
        Travel = "travel",
        /// Inspiration.
        Inspiration = "inspiration",
        /// Technology.
        Technology = "technology",
        /// Business.
        Business = "business",
        /// Social life.
        Social = "social",
        /// Work.
        Work = "work",
        /// Sports.
        Sports = "sports",
        /// Politics.
        Politics = "politics",
        /// Literature.
        Literature = "literature",
        /// History.
        History = "history",
        /// Architecture.
        Architecture = "architecture",
        /// Music.
        Music = "music",
        /// Weather.
        Weather = "weather",
        /// News.
        News = "news",
        /// Entertainment.
        Entertainment = "entertainment",
        /// Psychology.
        Psychology = "psychology",
        /// Real estate.
        Real = "real",
        /// Design.
        Design = "design",
        /// Family.
        Family = "family",
        /// Economics.
        Economics = "economics",
        /// The environment.
        Environment = "environment",
        /// Anything else (the default).
        Other = "other",
    }
}

wire_enum! {
    /// What an integration app may do for the users who enabled it.
    ///
    /// The legacy names `create_facts` and `read_facts` are accepted as aliases.
    Capability {
        /// Create conversations (`POST .../user/conversations`).
        CreateConversation = "create_conversation",
        /// Create memories (`POST .../user/memories`); alias `create_facts`.
        CreateMemories = "create_memories" | "create_facts",
        /// Read conversations (`GET .../conversations`).
        ReadConversations = "read_conversations",
        /// Read memories (`GET .../memories`); alias `read_facts`.
        ReadMemories = "read_memories" | "read_facts",
        /// Read tasks, the user's action items (`GET .../tasks`).
        ReadTasks = "read_tasks",
    }
}

impl Capability {
    /// What the capability lets an app do, as the 403 message names it
    /// ("App does not have the capability to {action}").
    pub const fn action(self) -> &'static str {
        match self {
            Self::CreateConversation => "create conversations",
            Self::CreateMemories => "create memories",
            Self::ReadConversations => "read conversations",
            Self::ReadMemories => "read memories",
            Self::ReadTasks => "read tasks",
        }
    }
}

wire_enum! {
    /// A permission carried by a developer API key.
    DevScope {
        /// Read memories.
        MemoriesRead = "memories:read",
        /// Create, change and delete memories.
        MemoriesWrite = "memories:write",
        /// Read conversations.
        ConversationsRead = "conversations:read",
        /// Create, change and delete conversations.
        ConversationsWrite = "conversations:write",
        /// Read action items.
        ActionItemsRead = "action_items:read",
        /// Create, change and delete action items.
        ActionItemsWrite = "action_items:write",
        /// Read goals and their progress history.
        GoalsRead = "goals:read",
        /// Create, change, record progress on and delete goals.
        GoalsWrite = "goals:write",
        /// List webhooks and their deliveries (ours, beyond OMI's cloud).
        WebhooksRead = "webhooks:read",
        /// Create and delete webhooks (ours, beyond OMI's cloud); a webhook also needs the
        /// read scope of every event it hears.
        WebhooksWrite = "webhooks:write",
    }
}

wire_enum! {
    /// How a goal is measured (`goal_type`, and `metric.type`).
    GoalType {
        /// Done or not (`current` 0 or 1 of `target` 1).
        Boolean = "boolean",
        /// A position on a scale, `min` to `max` (0 to 10 unless set).
        Scale = "scale",
        /// A quantity towards a target, in `unit`.
        Numeric = "numeric",
    }
}

wire_enum! {
    /// Where a goal stands.
    GoalStatus {
        /// Active, not in the user's focus (every new goal).
        Background = "background",
        /// Active and in the user's focus (`focus_rank` says where).
        Focused = "focused",
        /// Set aside for now; still active.
        Paused = "paused",
        /// Reached; no longer active.
        Achieved = "achieved",
        /// Given up, or deleted; no longer active.
        Abandoned = "abandoned",
    }
}

wire_enum! {
    /// Who made a goal.
    GoalSource {
        /// The user (every goal made through the Developer API).
        User = "user",
        /// Suggested by OMI's assistant.
        AiSuggested = "ai_suggested",
        /// Brought in from elsewhere.
        Imported = "imported",
    }
}

wire_enum! {
    /// Something that happened to one of a user's records, which a webhook can hear.
    WebhookEvent {
        /// A memory was stored (created by a call, or found in a conversation or a text).
        MemoryCreated = "memory.created",
        /// A memory was changed (`PATCH /v1/dev/user/memories/{id}`).
        MemoryUpdated = "memory.updated",
        /// A memory was deleted.
        MemoryDeleted = "memory.deleted",
        /// A conversation's processing finished (it is `completed`).
        ConversationProcessed = "conversation.processed",
        /// An action item was stored (created by a call, or found in a conversation).
        ActionItemCreated = "action_item.created",
        /// An action item was marked completed.
        ActionItemCompleted = "action_item.completed",
    }
}

wire_enum! {
    /// Where a delivery stands.
    DeliveryStatus {
        /// Not delivered yet: waiting for its first or next attempt.
        Pending = "pending",
        /// The receiver answered 2xx.
        Delivered = "delivered",
        /// Every attempt failed; no more are made.
        Failed = "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_aliases_parse_to_the_current_names() {
        assert_eq!(
            "create_facts".parse::<Capability>(),
            Ok(Capability::CreateMemories)
        );
        assert_eq!(
            "read_facts".parse::<Capability>(),
            Ok(Capability::ReadMemories)
        );
        assert_eq!(Capability::CreateMemories.as_str(), "create_memories");
    }

    #[test]
    fn unknown_variant_names_every_accepted_value() {
        let err = "paper".parse::<Visibility>().unwrap_err();
        assert_eq!(err.message, "Input should be 'public' or 'private'");
    }

    #[test]
    fn every_enum_round_trips_through_its_wire_string() {
        for v in ConversationCategory::ALL {
            assert_eq!(v.as_str().parse::<ConversationCategory>(), Ok(*v));
        }
        for v in DevScope::ALL {
            let json = serde_json::to_string(v).unwrap();
            assert_eq!(serde_json::from_str::<DevScope>(&json).unwrap(), *v);
        }
    }
}
