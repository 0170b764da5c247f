//! Action items: inserts, the list, and the read-modify-write update and delete. A
//! conversation's own action items (those processing found in it) are also in its
//! `structured.action_items`: an update or delete of one changes that entry too, in the same
//! transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use omi_extract::search::index_terms;
use omi_model::{
    ActionItem, ActionItemListParams, ActionItemUpdate, RankedSearch, Structured,
    StructuredActionItem, Uid, WebhookEvent,
};
use sqlx::QueryBuilder;

use super::backend::Conn;
use super::parts::{NEWEST_FIRST, owned_row, push_date_range, push_page};
use super::webhooks::{self, Announcement};
use super::{Arg, Backend, Dialect, PushArg, action_item_columns, locking, read, remember};
use crate::store::rows::{ActionItemRow, json_err, map_err};
use crate::store::{ActionItemRecord, ActionItemStore, IdempotentAnswer, StoreResult, to_micros};

#[async_trait]
impl<B: Backend> ActionItemStore for B {
    async fn insert_action_items(
        &self,
        uid: &Uid,
        items: &[ActionItemRecord],
        answer: Option<IdempotentAnswer<Vec<ActionItem>>>,
    ) -> StoreResult<Vec<ActionItem>> {
        let data = (uid.clone(), items.to_vec(), answer);
        self.write(data, |conn, (uid, items, answer)| {
            async move {
                let stored = insert::<B::Db>(conn, uid, items).await?;
                remember::<B::Db, _>(conn, answer.as_ref(), &stored).await?;
                Ok(stored)
            }
            .boxed()
        })
        .await
    }

    async fn list_action_items(
        &self,
        uid: &Uid,
        params: &ActionItemListParams,
    ) -> StoreResult<Vec<ActionItem>> {
        let rows = list::<B::Db>(uid, params)
            .build()
            .fetch_all(B::Db::on_pool(self.readers()))
            .await
            .map_err(map_err)?;
        rows.iter().map(action_item_from_row::<B::Db>).collect()
    }

    async fn action_item(&self, uid: &Uid, id: &str) -> StoreResult<Option<ActionItem>> {
        let sql = concat!(
            "SELECT ",
            action_item_columns!(),
            " FROM action_items WHERE uid = $1 AND id = $2"
        );
        let row = owned_row(B::Db::on_pool(self.readers()), sql, uid.as_str(), id).await?;
        row.as_ref().map(action_item_from_row::<B::Db>).transpose()
    }

    async fn update_action_item(
        &self,
        uid: &Uid,
        id: &str,
        update: &ActionItemUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ActionItem>> {
        let data = (uid.clone(), id.to_owned(), update.clone(), now);
        self.write(data, |conn, (uid, id, update, now)| {
            update_row::<B::Db>(conn, uid, id, update, *now).boxed()
        })
        .await
    }

    async fn rank_action_items(
        &self,
        uid: &Uid,
        search: &RankedSearch,
    ) -> StoreResult<Vec<(ActionItem, f64)>> {
        super::search::ranked_action_items::<B::Db>(self.readers(), uid, search).await
    }

    async fn delete_action_item(&self, uid: &Uid, id: &str) -> StoreResult<bool> {
        self.write((uid.clone(), id.to_owned()), |conn, (uid, id)| {
            delete_row::<B::Db>(conn, uid, id).boxed()
        })
        .await
    }
}

/// The `structured` column of a conversation.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct StructuredRow {
    structured: String,
}

/// An action item object from a row of `action_item_columns!()`.
pub(super) fn action_item_from_row<DB: Dialect>(row: &DB::Row) -> StoreResult<ActionItem> {
    Ok(read::<DB, ActionItemRow>(row)?.into_action_item())
}

/// The list of action items.
pub(crate) fn list<DB: Dialect>(uid: &Uid, params: &ActionItemListParams) -> QueryBuilder<DB> {
    let mut q = QueryBuilder::<DB>::new(concat!(
        "SELECT ",
        action_item_columns!(),
        " FROM action_items WHERE uid = "
    ));
    q.push_arg(uid.as_str());
    if let Some(conversation_id) = &params.conversation_id {
        q.push(" AND conversation_id = ")
            .push_arg(conversation_id.as_str());
    }
    if let Some(completed) = params.completed {
        q.push(" AND completed = ").push_arg(completed);
    }
    push_date_range(&mut q, "created_at", params.start_date, params.end_date);
    push_date_range(&mut q, "due_at", params.due_start_date, params.due_end_date);
    push_page(&mut q, NEWEST_FIRST, &params.page);
    q
}

/// Insert action items of `uid` (inside the caller's transaction); the stored items.
pub(super) async fn insert<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    items: &[ActionItemRecord],
) -> StoreResult<Vec<ActionItem>> {
    let mut stored = Vec::with_capacity(items.len());
    for item in items {
        let row = sqlx::query::<DB>(concat!(
            "INSERT INTO action_items (id, uid, description, completed, created_at, \
             updated_at, due_at, completed_at, conversation_id, search_terms) \
             VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9) RETURNING ",
            action_item_columns!()
        ))
        .arg(item.id.as_str())
        .arg(uid.as_str())
        .arg(item.description.as_str())
        .arg(item.completed)
        .arg(to_micros(item.created_at))
        .arg(item.due_at.map(to_micros))
        .arg(item.completed_at.map(to_micros))
        .arg(item.conversation_id.as_deref())
        .arg(index_terms(&item.description))
        .fetch_one(DB::on(conn))
        .await
        .map_err(map_err)?;
        stored.push(action_item_from_row::<DB>(&row)?);
    }
    let created: Vec<_> = stored
        .iter()
        .map(|item| Announcement {
            event: WebhookEvent::ActionItemCreated,
            subject_id: &item.id,
            data: item,
        })
        .collect();
    webhooks::announce::<DB, _>(conn, uid, &created).await?;
    Ok(stored)
}

/// Apply `update` to one of a user's action items; `None` when it does not exist.
async fn update_row<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    id: &str,
    update: &ActionItemUpdate,
    now: DateTime<Utc>,
) -> StoreResult<Option<ActionItem>> {
    const READ: super::Locking = locking!(
        "SELECT ", action_item_columns!(), " FROM action_items WHERE uid = $1 AND id = $2";
        lock: " FOR UPDATE"
    );
    let row = owned_row(DB::on(conn), DB::text(&READ), uid.as_str(), id).await?;
    let Some(row) = row else { return Ok(None) };
    let before = action_item_from_row::<DB>(&row)?;
    let changed = update.apply(before.clone(), now);
    sqlx::query::<DB>(
        "UPDATE action_items SET description = $1, completed = $2, updated_at = $3, \
         due_at = $4, completed_at = $5, search_terms = $8 WHERE uid = $6 AND id = $7",
    )
    .arg(changed.description.as_str())
    .arg(changed.completed)
    .arg(changed.updated_at.map(to_micros))
    .arg(changed.due_at.map(to_micros))
    .arg(changed.completed_at.map(to_micros))
    .arg(uid.as_str())
    .arg(id)
    .arg(index_terms(&changed.description))
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    sync_conversation_item::<DB>(conn, uid, &before, Some(&changed)).await?;
    if changed.completed && !before.completed {
        let completed = Announcement {
            event: WebhookEvent::ActionItemCompleted,
            subject_id: id,
            data: &changed,
        };
        webhooks::announce::<DB, _>(conn, uid, &[completed]).await?;
    }
    Ok(Some(changed))
}

/// Delete one of a user's action items; `false` when there was none.
async fn delete_row<DB: Dialect>(conn: &mut Conn<DB>, uid: &Uid, id: &str) -> StoreResult<bool> {
    let row = sqlx::query::<DB>(concat!(
        "DELETE FROM action_items WHERE uid = $1 AND id = $2 RETURNING ",
        action_item_columns!()
    ))
    .arg(uid.as_str())
    .arg(id)
    .fetch_optional(DB::on(conn))
    .await
    .map_err(map_err)?;
    let Some(row) = row else { return Ok(false) };
    let before = action_item_from_row::<DB>(&row)?;
    sync_conversation_item::<DB>(conn, uid, &before, None).await?;
    Ok(true)
}

/// Keep a conversation's `structured.action_items` in agreement with its action item
/// `before`, now `after` (`None`: deleted). The entry is the first with `before`'s
/// description and completion (or, failing that, its description).
async fn sync_conversation_item<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    before: &ActionItem,
    after: Option<&ActionItem>,
) -> StoreResult<()> {
    const READ: super::Locking = locking!(
        "SELECT structured FROM conversations WHERE uid = $1 AND id = $2";
        lock: " FOR UPDATE"
    );
    let Some(conversation_id) = &before.conversation_id else {
        return Ok(());
    };
    let row = owned_row(DB::on(conn), DB::text(&READ), uid.as_str(), conversation_id).await?;
    let Some(row) = row else { return Ok(()) };
    let text = read::<DB, StructuredRow>(&row)?.structured;
    let mut structured: Structured = serde_json::from_str(&text).map_err(json_err)?;
    let items = &mut structured.action_items;
    let find = |completed: Option<bool>| {
        items.iter().position(|i: &StructuredActionItem| {
            i.description == before.description && completed.is_none_or(|c| i.completed == c)
        })
    };
    let Some(entry) = find(Some(before.completed)).or_else(|| find(None)) else {
        return Ok(());
    };
    match after {
        Some(after) => {
            items[entry].description = after.description.clone();
            items[entry].completed = after.completed;
        }
        None => {
            items.remove(entry);
        }
    }
    sqlx::query::<DB>("UPDATE conversations SET structured = $1 WHERE uid = $2 AND id = $3")
        .arg(serde_json::to_string(&structured).map_err(json_err)?)
        .arg(uid.as_str())
        .arg(conversation_id.as_str())
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    Ok(())
}
