//! The export format of `GET /v1/dev/user/export`: newline-delimited JSON, one
//! [`ExportLine`] per line, its kind in `type`.
//!
//! Format `omi-export`, version 1 (docs/export.md): a `header` line first (the format, its
//! version, the user, when, and which kinds of record follow), then one line per record
//! (`memory`, `conversation`, `action_item`, `goal`, each with the whole wire object as the
//! API shows it, under `record`), kind after kind, each kind oldest first, and an `end` line
//! with the count of each kind. An export without its `end` line was cut short.
//!
//! ```
//! use omi_model::ExportLine;
//!
//! let line: ExportLine = serde_json::from_str(
//!     r#"{"type": "end", "counts": {"memories": 2, "conversations": 1, "action_items": 0, "goals": 0}}"#,
//! )
//! .expect("an export line");
//! assert!(matches!(line, ExportLine::End { counts } if counts.memories == 2));
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::action_item::ActionItem;
use crate::conversation::Conversation;
use crate::goal::Goal;
use crate::memory::Memory;
use crate::timestamp;

/// The name of the export format, in its header.
pub const EXPORT_FORMAT: &str = "omi-export";

/// The version of the export format this crate writes and reads.
pub const EXPORT_VERSION: u32 = 1;

/// The kinds of record an export holds, in the order they come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// Memories (scope `memories:read`, which an export needs).
    Memories,
    /// Conversations with their transcripts (when the key has `conversations:read`).
    Conversations,
    /// Action items (when the key has `action_items:read`).
    ActionItems,
    /// Goals, active or not (when the key has `goals:read`).
    Goals,
}

/// How many records of each kind an export held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportCounts {
    /// Memories.
    pub memories: u64,
    /// Conversations.
    pub conversations: u64,
    /// Action items.
    pub action_items: u64,
    /// Goals.
    pub goals: u64,
}

impl ExportCounts {
    /// Count one more record of the kind `line` holds (nothing for a header or an end).
    pub fn count(&mut self, line: &ExportLine) {
        let counter = match line {
            ExportLine::Memory { .. } => &mut self.memories,
            ExportLine::Conversation { .. } => &mut self.conversations,
            ExportLine::ActionItem { .. } => &mut self.action_items,
            ExportLine::Goal { .. } => &mut self.goals,
            ExportLine::Header { .. } | ExportLine::End { .. } => return,
        };
        *counter = counter.saturating_add(1);
    }
}

/// One line of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ExportLine {
    /// The first line: what the export is.
    Header {
        /// [`EXPORT_FORMAT`].
        format: String,
        /// [`EXPORT_VERSION`].
        version: u32,
        /// Whose records these are.
        uid: String,
        /// When the export began.
        #[serde(with = "timestamp::required")]
        exported_at: DateTime<Utc>,
        /// The kinds of record that follow, in their order.
        includes: Vec<ExportKind>,
    },
    /// A memory, as the Developer API shows it.
    Memory {
        /// The memory.
        record: Box<Memory>,
    },
    /// A conversation with its transcript, imported text and source notes (every field the
    /// integration routes show).
    Conversation {
        /// The conversation.
        record: Box<Conversation>,
    },
    /// An action item.
    ActionItem {
        /// The action item.
        record: Box<ActionItem>,
    },
    /// A goal, with every field OMI's cloud returns.
    Goal {
        /// The goal.
        record: Box<Goal>,
    },
    /// The last line: how many records of each kind came.
    End {
        /// The counts.
        counts: ExportCounts,
    },
}

impl ExportLine {
    /// The header of an export of `uid`'s records of `includes`, begun at `now`.
    pub fn header(uid: &str, now: DateTime<Utc>, includes: Vec<ExportKind>) -> Self {
        Self::Header {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            uid: uid.to_owned(),
            exported_at: now,
            includes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_line_names_its_kind_and_holds_the_record() {
        let memory: Memory = serde_json::from_str(
            r#"{"id": "m1", "content": "User loves 抹茶 🍵", "category": "interesting",
                "created_at": "2024-01-15T10:30:00Z", "updated_at": "2024-01-15T10:30:00Z"}"#,
        )
        .unwrap();
        let line = ExportLine::Memory {
            record: Box::new(memory),
        };
        let json = serde_json::to_value(&line).unwrap();
        assert_eq!(json["type"], "memory");
        assert_eq!(json["record"]["content"], "User loves 抹茶 🍵");
        let back: ExportLine = serde_json::from_value(json).unwrap();
        assert_eq!(back, line);
        let mut counts = ExportCounts::default();
        counts.count(&back);
        assert_eq!(counts.memories, 1);
    }
}
