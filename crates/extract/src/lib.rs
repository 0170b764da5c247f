//! # omi-extract
//!
//! Text extraction for OMI: what a conversation or an imported text becomes (a title, an
//! overview, a category, a transcript, action items, events, and memories about the user), and
//! memory identity: when two memories say the same thing.
//!
//! An [`Extractor`] turns inputs ([`ConversationInput`], [`TextInput`]) into outputs
//! ([`ConversationExtraction`], [`ExtractedMemory`]). Two implementations exist, chosen by
//! configuration ([`ExtractorConfig`]):
//!
//! - [`RulesExtractor`] (the default): offline and deterministic, with no model files and no
//!   network. It reads `Name: text` transcripts, messages, emails, social posts and notes, and
//!   finds a title, an overview, a category, action items, events and memories with hand-written
//!   rules. `docs/extraction.md` reports how well it does on the fixture set and what it cannot do.
//! - `LlmExtractor` (feature `llm`, off by default): any OpenAI-compatible chat-completions
//!   endpoint, asked for JSON that is checked against the same output types; invalid answers are
//!   retried, and an extraction that keeps failing is an [`ExtractError`] with the reason, never
//!   a silently empty result.
//!
//! With the `llm` feature, the `embeddings` module also gives vectors of texts (`Embedder`,
//! from any OpenAI-compatible embeddings endpoint), unit length so that a dot product is the
//! cosine.
//!
//! Both extractors return memories that do not repeat the user's existing ones
//! ([`ConversationInput::known_memories`]): exact repeats after normalization and
//! near-duplicates ([`identity::is_near_duplicate`]) are dropped. [`identity`] is the one owner
//! of that rule; a store keys and indexes memories with its functions.
//!
//! This crate does no I/O of its own without the `llm` feature; it depends on `omi-model` for
//! the output types, and on tokio only to run the rules off the async threads.
//!
//! ```
//! use omi_extract::{ConversationInput, RulesExtractor, TextKind};
//!
//! let start = "2024-03-10T15:00:00Z".parse().unwrap();
//! let out = RulesExtractor.extract(&ConversationInput {
//!     text: "Anna: Can you send me the slides by Friday?\n\
//!            Me: Sure. I work from home on Wednesdays, by the way.",
//!     kind: TextKind::AudioTranscript,
//!     started_at: start,
//!     finished_at: start + chrono::Duration::minutes(1),
//!     known_memories: &[],
//! });
//! assert!(!out.processed.title.is_empty());
//! assert_eq!(out.processed.transcript_segments.len(), 2);
//! for memory in &out.memories {
//!     assert!(memory.content.starts_with("User"));
//! }
//! ```

#[cfg(feature = "llm")]
pub mod embeddings;
mod extractor;
pub mod identity;
mod input;
#[cfg(feature = "llm")]
mod llm;
mod output;
mod rules;
pub mod search;

#[cfg(feature = "llm")]
pub use embeddings::{EmbedError, Embedder, EmbeddingsConfig};
pub use extractor::{ExtractError, Extractor, ExtractorConfig};
pub use input::{ConversationInput, TextInput, TextKind};
#[cfg(feature = "llm")]
pub use llm::{LlmConfig, LlmExtractor};
pub use output::{ConversationExtraction, ExtractedMemory, ProcessedConversation};
pub use rules::{RulesExtractor, categorize_memory};
