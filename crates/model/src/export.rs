//! The export format of `GET /v1/dev/user/export`: newline-delimited JSON, one
//! [`ExportLine`] per line, its kind in `type`.
//!
//! Format `omi-export`, version 2 (docs/export.md): a `header` line first (the format, its
//! version, the user, and which kinds of record follow), then one line per record
//! (`memory`, `folder`, `conversation`, `action_item`, `goal` with its progress history,
//! each with the whole wire object as the API shows it, under `record`), kind after kind,
//! each kind oldest first, and an `end` line with the count of each kind. An export without
//! its `end` line was cut short. The same records always export to the same bytes, so an
//! export imported into an empty database exports again byte for byte.
//!
//! `POST /v1/dev/user/import` reads the format back and answers an [`ImportReport`].
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
use crate::folder::Folder;
use crate::goal::{Goal, GoalHistoryEntry};
use crate::memory::Memory;
use crate::timestamp;

/// The name of the export format, in its header.
pub const EXPORT_FORMAT: &str = "omi-export";

/// The version of the export format this crate writes (it reads this one and every older
/// one).
pub const EXPORT_VERSION: u32 = 2;

/// The most records an import applies in one transaction: a batch is stored whole or not
/// at all.
pub const IMPORT_BATCH_RECORDS: usize = 500;

/// The most bad lines an [`ImportReport`] lists.
pub const IMPORT_MAX_ERRORS: usize = 100;

/// The kinds of record an export holds, in the order they come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// Memories (scope `memories:read`, which an export needs).
    Memories,
    /// Folders of conversations (when the key has `conversations:read`).
    Folders,
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
    /// Folders (absent from version 1, read as 0).
    #[serde(default)]
    pub folders: u64,
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
        if let Some(kind) = line.kind() {
            self.add(kind);
        }
    }

    /// Count one more record of `kind`.
    pub fn add(&mut self, kind: ExportKind) {
        let counter = match kind {
            ExportKind::Memories => &mut self.memories,
            ExportKind::Folders => &mut self.folders,
            ExportKind::Conversations => &mut self.conversations,
            ExportKind::ActionItems => &mut self.action_items,
            ExportKind::Goals => &mut self.goals,
        };
        *counter = counter.saturating_add(1);
    }

    /// Add `other`'s counts to these.
    pub fn add_all(&mut self, other: &ExportCounts) {
        self.memories = self.memories.saturating_add(other.memories);
        self.folders = self.folders.saturating_add(other.folders);
        self.conversations = self.conversations.saturating_add(other.conversations);
        self.action_items = self.action_items.saturating_add(other.action_items);
        self.goals = self.goals.saturating_add(other.goals);
    }

    /// Every record counted.
    pub fn total(&self) -> u64 {
        [
            self.memories,
            self.folders,
            self.conversations,
            self.action_items,
            self.goals,
        ]
        .into_iter()
        .fold(0, u64::saturating_add)
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
        /// When the export began: written by version 1 only (version 2 leaves it out, so
        /// the same records export to the same bytes; the answer's `Date` header says when).
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "timestamp::optional"
        )]
        exported_at: Option<DateTime<Utc>>,
        /// The kinds of record that follow, in their order.
        includes: Vec<ExportKind>,
    },
    /// A memory, as the Developer API shows it.
    Memory {
        /// The memory.
        record: Box<Memory>,
    },
    /// A folder of conversations.
    Folder {
        /// The folder.
        record: Box<Folder>,
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
    /// A goal, with every field OMI's cloud returns, and its progress history.
    Goal {
        /// The goal.
        record: Box<Goal>,
        /// Its recorded progress, a value per day, oldest first (absent when none, and
        /// from version 1).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        history: Vec<GoalHistoryEntry>,
    },
    /// The last line: how many records of each kind came.
    End {
        /// The counts.
        counts: ExportCounts,
    },
}

impl ExportLine {
    /// The header of an export of `uid`'s records of `includes`.
    pub fn header(uid: &str, includes: Vec<ExportKind>) -> Self {
        Self::Header {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            uid: uid.to_owned(),
            exported_at: None,
            includes,
        }
    }

    /// The kind of record the line holds; `None` for a header or an end line.
    pub fn kind(&self) -> Option<ExportKind> {
        Some(match self {
            Self::Memory { .. } => ExportKind::Memories,
            Self::Folder { .. } => ExportKind::Folders,
            Self::Conversation { .. } => ExportKind::Conversations,
            Self::ActionItem { .. } => ExportKind::ActionItems,
            Self::Goal { .. } => ExportKind::Goals,
            Self::Header { .. } | Self::End { .. } => return None,
        })
    }

    /// The id of the record the line holds; `None` for a header or an end line.
    pub fn record_id(&self) -> Option<&str> {
        Some(match self {
            Self::Memory { record } => &record.id,
            Self::Folder { record } => &record.id,
            Self::Conversation { record } => &record.id,
            Self::ActionItem { record } => &record.id,
            Self::Goal { record, .. } => &record.id,
            Self::Header { .. } | Self::End { .. } => return None,
        })
    }
}

/// What `POST /v1/dev/user/import` did.
///
/// Records are applied in batches of [`IMPORT_BATCH_RECORDS`], each in one transaction.
/// The first batch holding a bad line is not applied, nor any after it; the rest of the
/// file is still read, so every bad line is reported at once (the first
/// [`IMPORT_MAX_ERRORS`]). An import is safe to repeat: a record the user has already is
/// left as it is.
///
/// ```
/// use omi_model::ImportReport;
///
/// let report: ImportReport = serde_json::from_str(
///     r#"{"completed": false, "lines_read": 3, "applied_through_line": 0,
///         "created": {"memories": 0, "conversations": 0, "action_items": 0, "goals": 0},
///         "already_present": {"memories": 0, "conversations": 0, "action_items": 0, "goals": 0},
///         "errors": [{"line": 2, "reason": "record.content: must not be empty"}]}"#,
/// )
/// .expect("an import report");
/// assert_eq!(report.errors[0].line, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Whether every line was good and every record applied.
    pub completed: bool,
    /// The lines read (the whole file, even after a bad line).
    pub lines_read: u64,
    /// The last line of the last batch applied; 0 when none was. Everything up to it is
    /// stored; nothing after it is.
    pub applied_through_line: u64,
    /// Records this import stored, by kind.
    pub created: ExportCounts,
    /// Records the user had already (the same id, or a memory of the same content), left
    /// as they were.
    pub already_present: ExportCounts,
    /// The bad lines, first ones first.
    #[serde(default)]
    pub errors: Vec<ImportLineError>,
    /// Whether there were more bad lines than `errors` lists.
    #[serde(default)]
    pub more_errors: bool,
}

/// A line an import could not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportLineError {
    /// Its number, the first line being 1.
    pub line: u64,
    /// What is wrong with it.
    pub reason: String,
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
