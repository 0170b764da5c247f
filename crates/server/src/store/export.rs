//! The storage side of exports: [`ExportStore`], a user's records of one kind a page at a
//! time, in a stable order.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::{ExportKind, ExportLine, Uid};

use super::{StoreResult, to_micros};

/// Where a page of an export starts: after the record created at `created_at`
/// (microseconds) with id `id`. Records are read by creation time, then id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCursor {
    /// The creation time of the last record read, in microseconds.
    pub created_at: i64,
    /// Its id.
    pub id: String,
}

impl ExportCursor {
    /// Before every record.
    pub fn start() -> Self {
        Self {
            created_at: i64::MIN,
            id: String::new(),
        }
    }

    /// After the record `line` holds; `None` for a header or an end line (and an action
    /// item without a creation time, which the store never makes).
    pub fn after(line: &ExportLine) -> Option<Self> {
        let (created_at, id): (DateTime<Utc>, &str) = match line {
            ExportLine::Memory { record } => (record.created_at, &record.id),
            ExportLine::Folder { record } => (record.created_at, &record.id),
            ExportLine::Conversation { record } => (record.created_at, &record.id),
            ExportLine::ActionItem { record } => (record.created_at?, &record.id),
            ExportLine::Goal { record, .. } => (record.created_at, &record.id),
            ExportLine::Header { .. } | ExportLine::End { .. } => return None,
        };
        Some(Self {
            created_at: to_micros(created_at),
            id: id.to_owned(),
        })
    }
}

/// Reading a user's records for an export. Every method takes the user's id and never reads
/// another user's rows.
#[async_trait]
pub trait ExportStore: Send + Sync + 'static {
    /// Up to `limit` of a user's records of `kind` after `after`, oldest first (by creation
    /// time, then id), as export lines.
    async fn export_page(
        &self,
        uid: &Uid,
        kind: ExportKind,
        after: &ExportCursor,
        limit: i64,
    ) -> StoreResult<Vec<ExportLine>>;
}
