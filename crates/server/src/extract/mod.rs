//! Processing: what a conversation or an imported text becomes.
//!
//! The worker calls an [`Extractor`]. Two implementations exist, chosen by configuration
//! ([`ExtractorConfig`]):
//!
//! - [`RulesExtractor`] (the default): offline and deterministic, with no model files and no
//!   network. It reads `Name: text` transcripts, messages, emails, social posts and notes, and
//!   finds a title, an overview, a category, action items, events and memories with hand-written
//!   rules. `docs/extraction.md` reports how well it does on the fixture set and what it cannot do.
//! - [`LlmExtractor`]: any OpenAI-compatible chat-completions endpoint, asked for JSON that is
//!   checked against the same output types; invalid answers are retried, and an extraction that
//!   keeps failing is an [`ExtractError`] with the reason, never a silently empty result.
//!
//! Both return memories that do not repeat the user's existing ones ([`ConversationInput::known_memories`]):
//! exact repeats after normalization and near-duplicates ([`is_near_duplicate`]) are dropped.

mod llm;
mod rules;
mod similar;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::{ConversationTextSource, MemoryCategory, MemoryTextSource};

use crate::store::ProcessedConversation;

pub use llm::{LlmConfig, LlmExtractor};
pub use rules::{RulesExtractor, categorize_memory};
pub use similar::{
    NEAR_DUPLICATE_SIMILARITY, content_words, indexed_words, is_near_duplicate, min_shared_words,
    similarity,
};

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

/// A memory found by extraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractedMemory {
    /// The fact, phrased about the user ("User likes tea").
    pub content: String,
    /// Its category: `interesting` or `system`.
    pub category: MemoryCategory,
}

/// What processing made of a conversation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConversationExtraction {
    /// Title, overview, segments, action items, events.
    pub processed: ProcessedConversation,
    /// Memories about the user, none of them a repeat of a known memory.
    pub memories: Vec<ExtractedMemory>,
}

/// Why extraction failed (the job is retried, then marked failed with this reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("extraction failed: {0}")]
pub struct ExtractError(pub String);

impl ExtractError {
    /// An error with `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }

    /// The reason, as stored on a failed job.
    pub fn reason(&self) -> &str {
        &self.0
    }
}

/// Turns texts into structure and memories.
#[async_trait]
pub trait Extractor: Send + Sync + 'static {
    /// Process a conversation.
    async fn conversation(
        &self,
        input: &ConversationInput<'_>,
    ) -> Result<ConversationExtraction, ExtractError>;

    /// Extract memories from an imported text of unknown kind, knowing none of the user's
    /// memories.
    async fn memories(&self, text: &str) -> Result<Vec<ExtractedMemory>, ExtractError>;

    /// Extract memories from an imported text, none repeating a known memory. The worker calls
    /// this; by default it is [`Extractor::memories`] with the repeats dropped.
    async fn text_memories(
        &self,
        input: &TextInput<'_>,
    ) -> Result<Vec<ExtractedMemory>, ExtractError> {
        let found = self.memories(input.text).await?;
        Ok(retain_novel(found, input.known_memories))
    }
}

/// Which extractor the server runs.
#[derive(Debug, Clone, Default)]
pub enum ExtractorConfig {
    /// The offline rules (the default).
    #[default]
    Rules,
    /// An OpenAI-compatible chat-completions endpoint.
    Llm(LlmConfig),
}

impl ExtractorConfig {
    /// Build the extractor this configuration names.
    pub fn build(&self) -> Result<Arc<dyn Extractor>, ExtractError> {
        Ok(match self {
            Self::Rules => Arc::new(RulesExtractor),
            Self::Llm(config) => Arc::new(LlmExtractor::new(config.clone())?),
        })
    }
}

/// Keep the memories that repeat neither a known memory nor an earlier one in `found`.
pub(crate) fn retain_novel(found: Vec<ExtractedMemory>, known: &[String]) -> Vec<ExtractedMemory> {
    let mut seen = similar::MemoryIndex::new(known);
    found
        .into_iter()
        .filter(|m| seen.insert_if_novel(&m.content))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory(content: &str) -> ExtractedMemory {
        ExtractedMemory {
            content: content.to_owned(),
            category: MemoryCategory::System,
        }
    }

    #[test]
    fn known_memories_and_their_near_duplicates_are_not_extracted_again() {
        let known = vec!["User loves hiking in the Alps.".to_owned()];
        let found = vec![
            memory("user loves hiking in the alps"),
            memory("User enjoys hiking in the Alps"),
            memory("User has a sister named Anna"),
            memory("User has a sister named Anna."),
        ];
        let kept = retain_novel(found, &known);
        assert_eq!(kept, vec![memory("User has a sister named Anna")]);
    }
}
