//! What extraction reads: a conversation or an imported text, and what kind of text it is.

use chrono::{DateTime, Utc};
use omi_model::{ConversationTextSource, MemoryTextSource};

/// What kind of text is being processed. The rules read each kind a little differently
/// (an email's `Subject:` becomes its title; a transcript's speakers decide whose facts count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextKind {
    /// A transcript of speech, usually `Name: text` lines.
    #[default]
    AudioTranscript,
    /// A chat or text-message thread.
    Message,
    /// An email.
    Email,
    /// A social media post.
    SocialPost,
    /// Anything else: notes, documents.
    Other,
}

impl From<ConversationTextSource> for TextKind {
    fn from(source: ConversationTextSource) -> Self {
        match source {
            ConversationTextSource::AudioTranscript => Self::AudioTranscript,
            ConversationTextSource::Message => Self::Message,
            ConversationTextSource::OtherText => Self::Other,
        }
    }
}

impl From<MemoryTextSource> for TextKind {
    fn from(source: MemoryTextSource) -> Self {
        match source {
            MemoryTextSource::Email => Self::Email,
            MemoryTextSource::SocialPost => Self::SocialPost,
            MemoryTextSource::Other => Self::Other,
        }
    }
}

impl TextKind {
    /// A name for prompts and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AudioTranscript => "audio transcript",
            Self::Message => "message thread",
            Self::Email => "email",
            Self::SocialPost => "social media post",
            Self::Other => "note or other text",
        }
    }
}

/// The input of conversation processing.
#[derive(Debug, Clone)]
pub struct ConversationInput<'a> {
    /// The conversation's text.
    pub text: &'a str,
    /// What kind of text it is.
    pub kind: TextKind,
    /// When it started: relative dates ("this Friday at 7pm") are resolved against it.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// The contents of the user's existing memories; extraction does not repeat them.
    pub known_memories: &'a [String],
}

/// The input of memory extraction from an imported text.
#[derive(Debug, Clone)]
pub struct TextInput<'a> {
    /// The text.
    pub text: &'a str,
    /// What kind of text it is.
    pub kind: TextKind,
    /// The contents of the user's existing memories; extraction does not repeat them.
    pub known_memories: &'a [String],
}
