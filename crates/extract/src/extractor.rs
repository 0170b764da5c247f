//! The [`Extractor`] trait, its error, and the configuration that picks an implementation.

use std::sync::Arc;

use async_trait::async_trait;

use crate::identity::retain_novel;
use crate::input::{ConversationInput, TextInput};
#[cfg(feature = "llm")]
use crate::llm::{LlmConfig, LlmExtractor};
use crate::output::{ConversationExtraction, ExtractedMemory};
use crate::rules::RulesExtractor;

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

    /// Process a conversation whose request named its `language` (a BCP 47 / ISO 639-1 code:
    /// `"en"`, `"ja"`, `"pt-BR"`). The rules extractor trusts a named language other than
    /// English (no English patterns) and identifies the language itself when `language` is
    /// `None`; pass `None` when the request gave no language and only a default was filled
    /// in. By default this is [`Extractor::conversation`], which ignores the language.
    async fn conversation_in_language(
        &self,
        input: &ConversationInput<'_>,
        language: Option<&str>,
    ) -> Result<ConversationExtraction, ExtractError> {
        let _ = language;
        self.conversation(input).await
    }

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

/// Which extractor to run.
#[derive(Debug, Clone, Default)]
pub enum ExtractorConfig {
    /// The offline rules (the default).
    #[default]
    Rules,
    /// An OpenAI-compatible chat-completions endpoint (feature `llm`).
    #[cfg(feature = "llm")]
    Llm(LlmConfig),
}

impl ExtractorConfig {
    /// Build the extractor this configuration names.
    pub fn build(&self) -> Result<Arc<dyn Extractor>, ExtractError> {
        Ok(match self {
            Self::Rules => Arc::new(RulesExtractor),
            #[cfg(feature = "llm")]
            Self::Llm(config) => Arc::new(LlmExtractor::new(config.clone())?),
        })
    }
}
