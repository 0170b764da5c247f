//! Exports: a user's records of one kind after a cursor, oldest first, one page per read
//! (so an export of any size holds one page at a time).

use async_trait::async_trait;
use omi_model::{ExportKind, ExportLine, Goal, Uid};

use super::action_items::action_item_from_row;
use super::conversations::conversation_from_row;
use super::goals::body_of;
use super::memories::memory_from_row;
use super::{Arg, Backend, Dialect, action_item_columns, conversation_columns, memory_columns};
use crate::store::rows::map_err;
use crate::store::{ExportCursor, ExportStore, StoreResult};

/// The rows of a page: `$1` the user, `$2` and `$3` the cursor (creation time and id), `$4`
/// the page size.
macro_rules! page {
    () => {
        " WHERE uid = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3)) \
         ORDER BY created_at, id LIMIT $4"
    };
}

/// The statement of a page of `kind`.
fn statement(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Memories => concat!("SELECT ", memory_columns!(), " FROM memories", page!()),
        ExportKind::Conversations => concat!(
            "SELECT ",
            conversation_columns!(),
            " FROM conversations",
            page!()
        ),
        ExportKind::ActionItems => concat!(
            "SELECT ",
            action_item_columns!(),
            " FROM action_items",
            page!()
        ),
        ExportKind::Goals => concat!("SELECT body FROM goals", page!()),
    }
}

/// A row of `kind`'s statement as an export line.
fn line<DB: Dialect>(kind: ExportKind, row: &DB::Row) -> StoreResult<ExportLine> {
    Ok(match kind {
        ExportKind::Memories => ExportLine::Memory {
            record: Box::new(memory_from_row::<DB>(row)?),
        },
        ExportKind::Conversations => ExportLine::Conversation {
            record: Box::new(conversation_from_row::<DB>(row)?),
        },
        ExportKind::ActionItems => ExportLine::ActionItem {
            record: Box::new(action_item_from_row::<DB>(row)?),
        },
        ExportKind::Goals => ExportLine::Goal {
            record: Box::new(body_of::<DB, Goal>(row)?),
        },
    })
}

#[async_trait]
impl<B: Backend> ExportStore for B {
    async fn export_page(
        &self,
        uid: &Uid,
        kind: ExportKind,
        after: &ExportCursor,
        limit: i64,
    ) -> StoreResult<Vec<ExportLine>> {
        let rows = sqlx::query::<B::Db>(statement(kind))
            .arg(uid.as_str())
            .arg(after.created_at)
            .arg(after.id.as_str())
            .arg(limit)
            .fetch_all(B::Db::on_pool(self.readers()))
            .await
            .map_err(map_err)?;
        rows.iter().map(|row| line::<B::Db>(kind, row)).collect()
    }
}
