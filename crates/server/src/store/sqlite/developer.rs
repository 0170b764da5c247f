//! The SQLite store's part for the Developer API's conversations and action items. Like
//! every write of this store, each goes through the group commit.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use omi_model::{
    ActionItem, ActionItemListParams, ActionItemUpdate, Conversation, ConversationUpdate,
    DevConversationListParams, TranscriptSegment, Uid,
};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{FromRow, QueryBuilder, Sqlite};

use super::{SqliteStore, conversation_from_row, insert_conversation_row, jobs};
use crate::store::rows::{ActionItemRow, json_err, map_err};
use crate::store::{
    ActionItemRecord, ConversationRecord, DeveloperStore, NewJob, StoreResult, page_bounds,
    to_micros,
};

fn action_item_from_row(row: &SqliteRow) -> StoreResult<ActionItem> {
    Ok(ActionItemRow::from_row(row)
        .map_err(map_err)?
        .into_action_item())
}

/// Insert action items of `uid` on `conn` (inside the caller's transaction); the stored items.
pub(super) async fn insert_action_item_rows(
    conn: &mut SqliteConnection,
    uid: &Uid,
    items: &[ActionItemRecord],
) -> StoreResult<Vec<ActionItem>> {
    let mut stored = Vec::with_capacity(items.len());
    for item in items {
        let row = sqlx::query(
            "INSERT INTO action_items (id, uid, description, completed, created_at, updated_at, \
             due_at, completed_at, conversation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
             RETURNING *",
        )
        .bind(&item.id)
        .bind(uid.as_str())
        .bind(&item.description)
        .bind(item.completed)
        .bind(to_micros(item.created_at))
        .bind(to_micros(item.created_at))
        .bind(item.due_at.map(to_micros))
        .bind(item.completed_at.map(to_micros))
        .bind(&item.conversation_id)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)?;
        stored.push(action_item_from_row(&row)?);
    }
    Ok(stored)
}

/// Push ` AND column >= start AND column <= end` for the dates given.
fn push_date_range(
    q: &mut QueryBuilder<Sqlite>,
    column: &str,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) {
    if let Some(start) = start {
        q.push(format!(" AND {column} >= "))
            .push_bind(to_micros(start));
    }
    if let Some(end) = end {
        q.push(format!(" AND {column} <= "))
            .push_bind(to_micros(end));
    }
}

/// Push the newest-first order and the page.
fn push_newest_first(q: &mut QueryBuilder<Sqlite>, page: &omi_model::PageParams) {
    let (limit, offset) = page_bounds(page);
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
}

/// A table of user records that the developer routes delete by id.
#[derive(Debug, Clone, Copy)]
enum Table {
    Conversations,
    ActionItems,
}

impl Table {
    fn delete_sql(self) -> &'static str {
        match self {
            Self::Conversations => "DELETE FROM conversations WHERE uid = ? AND id = ?",
            Self::ActionItems => "DELETE FROM action_items WHERE uid = ? AND id = ?",
        }
    }
}

impl SqliteStore {
    /// Delete the user's record `id` of `table` through the group commit; `false` when there
    /// was none.
    async fn delete_owned(&self, table: Table, uid: &Uid, id: &str) -> StoreResult<bool> {
        let (uid, id) = (uid.clone(), id.to_owned());
        self.group
            .write(move |conn| {
                async move {
                    let done = sqlx::query(table.delete_sql())
                        .bind(uid.as_str())
                        .bind(&id)
                        .execute(&mut *conn)
                        .await
                        .map_err(map_err)?;
                    Ok(done.rows_affected() > 0)
                }
                .boxed()
            })
            .await
    }
}

async fn update_conversation_row(
    conn: &mut SqliteConnection,
    uid: Uid,
    id: String,
    update: ConversationUpdate,
    now: DateTime<Utc>,
) -> StoreResult<Option<Conversation>> {
    let row = sqlx::query("SELECT * FROM conversations WHERE uid = ? AND id = ?")
        .bind(uid.as_str())
        .bind(&id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    let Some(row) = row else { return Ok(None) };
    let changed = update.apply(conversation_from_row(&row)?);
    sqlx::query(
        "UPDATE conversations SET structured = ?, discarded = ?, updated_at = ? \
         WHERE uid = ? AND id = ?",
    )
    .bind(serde_json::to_string(&changed.structured).map_err(json_err)?)
    .bind(changed.discarded)
    .bind(to_micros(now))
    .bind(uid.as_str())
    .bind(&id)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(Some(changed))
}

async fn update_action_item_row(
    conn: &mut SqliteConnection,
    uid: Uid,
    id: String,
    update: ActionItemUpdate,
    now: DateTime<Utc>,
) -> StoreResult<Option<ActionItem>> {
    let row = sqlx::query("SELECT * FROM action_items WHERE uid = ? AND id = ?")
        .bind(uid.as_str())
        .bind(&id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    let Some(row) = row else { return Ok(None) };
    let changed = update.apply(action_item_from_row(&row)?, now);
    sqlx::query(
        "UPDATE action_items SET description = ?, completed = ?, updated_at = ?, due_at = ?, \
         completed_at = ? WHERE uid = ? AND id = ?",
    )
    .bind(&changed.description)
    .bind(changed.completed)
    .bind(changed.updated_at.map(to_micros))
    .bind(changed.due_at.map(to_micros))
    .bind(changed.completed_at.map(to_micros))
    .bind(uid.as_str())
    .bind(&id)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(Some(changed))
}

#[async_trait]
impl DeveloperStore for SqliteStore {
    async fn insert_transcript_conversation(
        &self,
        c: &ConversationRecord,
        segments: &[TranscriptSegment],
        job: &NewJob,
    ) -> StoreResult<()> {
        let segments = serde_json::to_string(segments).map_err(json_err)?;
        let (c, job) = (c.clone(), job.clone());
        self.group
            .write(move |conn| {
                async move {
                    insert_conversation_row(conn, &c, job.created_at).await?;
                    sqlx::query(
                        "UPDATE conversations SET transcript_segments = ? WHERE uid = ? AND id = ?",
                    )
                    .bind(segments)
                    .bind(c.uid.as_str())
                    .bind(&c.id)
                    .execute(&mut *conn)
                    .await
                    .map_err(map_err)?;
                    jobs::insert(conn, &job).await
                }
                .boxed()
            })
            .await
    }

    async fn list_dev_conversations(
        &self,
        uid: &Uid,
        params: &DevConversationListParams,
    ) -> StoreResult<Vec<Conversation>> {
        // The literal status and discarded terms match the partial indexes of migration 0004.
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT * FROM conversations WHERE status = 'completed' AND discarded = 0 AND uid = ",
        );
        q.push_bind(uid.as_str());
        if !params.categories.is_empty() {
            q.push(" AND category IN (");
            let mut sep = q.separated(", ");
            for c in &params.categories {
                sep.push_bind(c.as_str());
            }
            q.push(")");
        }
        push_date_range(&mut q, "created_at", params.start_date, params.end_date);
        push_newest_first(&mut q, &params.page);
        let rows = q.build().fetch_all(&self.readers).await.map_err(map_err)?;
        rows.iter().map(conversation_from_row).collect()
    }

    async fn update_conversation(
        &self,
        uid: &Uid,
        id: &str,
        update: &ConversationUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Conversation>> {
        let (uid, id, update) = (uid.clone(), id.to_owned(), update.clone());
        self.group
            .write(move |conn| update_conversation_row(conn, uid, id, update, now).boxed())
            .await
    }

    async fn delete_conversation(&self, uid: &Uid, id: &str) -> StoreResult<bool> {
        self.delete_owned(Table::Conversations, uid, id).await
    }

    async fn insert_action_items(
        &self,
        uid: &Uid,
        items: &[ActionItemRecord],
    ) -> StoreResult<Vec<ActionItem>> {
        let (uid, items) = (uid.clone(), items.to_vec());
        self.group
            .write(move |conn| {
                async move { insert_action_item_rows(conn, &uid, &items).await }.boxed()
            })
            .await
    }

    async fn list_action_items(
        &self,
        uid: &Uid,
        params: &ActionItemListParams,
    ) -> StoreResult<Vec<ActionItem>> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM action_items WHERE uid = ");
        q.push_bind(uid.as_str());
        if let Some(conversation_id) = &params.conversation_id {
            q.push(" AND conversation_id = ")
                .push_bind(conversation_id.clone());
        }
        if let Some(completed) = params.completed {
            q.push(" AND completed = ").push_bind(completed);
        }
        push_date_range(&mut q, "created_at", params.start_date, params.end_date);
        push_newest_first(&mut q, &params.page);
        let rows = q.build().fetch_all(&self.readers).await.map_err(map_err)?;
        rows.iter().map(action_item_from_row).collect()
    }

    async fn action_item(&self, uid: &Uid, id: &str) -> StoreResult<Option<ActionItem>> {
        let row = sqlx::query("SELECT * FROM action_items WHERE uid = ? AND id = ?")
            .bind(uid.as_str())
            .bind(id)
            .fetch_optional(&self.readers)
            .await
            .map_err(map_err)?;
        row.as_ref().map(action_item_from_row).transpose()
    }

    async fn update_action_item(
        &self,
        uid: &Uid,
        id: &str,
        update: &ActionItemUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ActionItem>> {
        let (uid, id, update) = (uid.clone(), id.to_owned(), update.clone());
        self.group
            .write(move |conn| update_action_item_row(conn, uid, id, update, now).boxed())
            .await
    }

    async fn delete_action_item(&self, uid: &Uid, id: &str) -> StoreResult<bool> {
        self.delete_owned(Table::ActionItems, uid, id).await
    }
}
