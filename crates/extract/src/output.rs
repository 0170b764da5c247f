//! What extraction makes: a conversation's structure and the memories found.

use omi_model::{
    ConversationCategory, Event, MemoryCategory, StructuredActionItem, TranscriptSegment,
};

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

/// What processing made of a conversation: its `structured` part and transcript, as the
/// store keeps them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcessedConversation {
    /// A short title.
    pub title: String,
    /// A brief summary.
    pub overview: String,
    /// One emoji.
    pub emoji: String,
    /// Its category.
    pub category: ConversationCategory,
    /// Things to do.
    pub action_items: Vec<StructuredActionItem>,
    /// Events for the calendar.
    pub events: Vec<Event>,
    /// The transcript.
    pub transcript_segments: Vec<TranscriptSegment>,
    /// Whether it holds too little to keep.
    pub discarded: bool,
}

impl ProcessedConversation {
    /// The action items found that the conversation keeps, trimmed, blank ones dropped: its
    /// `structured.action_items`, and its rows of the `action_items` table, in this order.
    pub fn kept_action_items(&self) -> Vec<StructuredActionItem> {
        self.action_items
            .iter()
            .filter(|item| !item.description.trim().is_empty())
            .map(|item| StructuredActionItem {
                description: item.description.trim().to_owned(),
                completed: item.completed,
            })
            .collect()
    }
}
