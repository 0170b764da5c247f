//! Exports: a user's records of one kind after a cursor, oldest first, one page per read
//! (so an export of any size holds one page at a time).

use async_trait::async_trait;
use omi_model::{ExportKind, ExportLine, Goal, GoalHistoryEntry, Uid};

use super::action_items::action_item_from_row;
use super::backend::Conn;
use super::conversations::conversation_from_row;
use super::folders::folder_columns;
use super::goals::body_of;
use super::memories::memory_from_row;
use super::{
    Arg, Backend, Dialect, action_item_columns, conversation_columns, memory_columns, read,
};
use crate::store::rows::{FolderRow, map_err};
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
        ExportKind::Folders => concat!("SELECT ", folder_columns!(), " FROM folders", page!()),
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
        ExportKind::Folders => ExportLine::Folder {
            record: Box::new(read::<DB, FolderRow>(row)?.into_folder()),
        },
        ExportKind::Goals => ExportLine::Goal {
            record: Box::new(body_of::<DB, Goal>(row)?),
            history: Vec::new(),
        },
    })
}

/// The most history entries of one goal an export reads (a value per day: over 100 years).
const MAX_HISTORY_ROWS: i64 = 40_000;

/// Give each goal of `lines` its progress history, oldest day first.
async fn add_history<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    lines: &mut [ExportLine],
) -> StoreResult<()> {
    for line in lines {
        let ExportLine::Goal { record, history } = line else {
            continue;
        };
        let rows = sqlx::query::<DB>(
            "SELECT body FROM goal_history WHERE uid = $1 AND goal_id = $2 \
             ORDER BY day LIMIT $3",
        )
        .arg(uid.as_str())
        .arg(record.id.as_str())
        .arg(MAX_HISTORY_ROWS)
        .fetch_all(DB::on(conn))
        .await
        .map_err(map_err)?;
        *history = rows
            .iter()
            .map(body_of::<DB, GoalHistoryEntry>)
            .collect::<StoreResult<_>>()?;
    }
    Ok(())
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
        let mut conn = self.readers().acquire().await.map_err(map_err)?;
        let rows = sqlx::query::<B::Db>(statement(kind))
            .arg(uid.as_str())
            .arg(after.created_at)
            .arg(after.id.as_str())
            .arg(limit)
            .fetch_all(B::Db::on(&mut *conn))
            .await
            .map_err(map_err)?;
        let mut lines = rows
            .iter()
            .map(|row| line::<B::Db>(kind, row))
            .collect::<StoreResult<Vec<_>>>()?;
        add_history::<B::Db>(&mut *conn, uid, &mut lines).await?;
        Ok(lines)
    }
}
