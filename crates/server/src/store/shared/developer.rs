//! The Developer API's conversations and action items: action item inserts, the
//! read-modify-write updates of both, and deletes by id. A conversation's own action items
//! (those processing found in it) are also in its `structured.action_items`: an update or
//! delete of one changes that entry too, in the same transaction.

/// Expands to `mod developer`: the statements of the Developer API's conversations and
/// action items over the invoking store's `Conn` and `DbRow`. `$lock` is appended to
/// the read of a read-modify-write.
macro_rules! developer_statements {
    (lock: $lock:literal) => {
        pub(super) mod developer {
            use chrono::{DateTime, Utc};
            use omi_model::{
                ActionItem, ActionItemUpdate, Conversation, ConversationUpdate, Structured,
                StructuredActionItem, Uid,
            };
            use sqlx::{FromRow, Row};

            use super::memories::conversation_from_row;
            use super::parts::owned_row;
            use super::{Conn, DbRow};
            use $crate::store::rows::{ActionItemRow, json_err, map_err};
            use $crate::store::shared::{action_item_columns, conversation_columns};
            use $crate::store::{ActionItemRecord, StoreResult, to_micros};

            /// An action item object from an `action_items` row.
            pub(crate) fn action_item_from_row(row: &DbRow) -> StoreResult<ActionItem> {
                Ok(ActionItemRow::from_row(row)
                    .map_err(map_err)?
                    .into_action_item())
            }

            /// Insert action items of `uid` (inside the caller's transaction); the stored
            /// items.
            pub(crate) async fn insert_action_item_rows(
                conn: &mut Conn,
                uid: &Uid,
                items: &[ActionItemRecord],
            ) -> StoreResult<Vec<ActionItem>> {
                let mut stored = Vec::with_capacity(items.len());
                for item in items {
                    let row = sqlx::query(concat!(
                        "INSERT INTO action_items (id, uid, description, completed, created_at, \
                         updated_at, due_at, completed_at, conversation_id) \
                         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) RETURNING ",
                        action_item_columns!()
                    ))
                    .bind(&item.id)
                    .bind(uid.as_str())
                    .bind(&item.description)
                    .bind(item.completed)
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

            /// Give a new conversation the transcript its creator sent.
            pub(crate) async fn set_transcript(
                conn: &mut Conn,
                uid: &Uid,
                id: &str,
                segments: &str,
            ) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE conversations SET transcript_segments = $1 WHERE uid = $2 AND id = $3",
                )
                .bind(segments)
                .bind(uid.as_str())
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                Ok(())
            }

            /// Delete one of a user's conversations; `false` when there was none.
            pub(crate) async fn delete_conversation_row(
                conn: &mut Conn,
                uid: Uid,
                id: String,
            ) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM conversations WHERE uid = $1 AND id = $2")
                    .bind(uid.as_str())
                    .bind(&id)
                    .execute(&mut *conn)
                    .await
                    .map_err(map_err)?;
                Ok(done.rows_affected() > 0)
            }

            /// Apply `update` to one of a user's conversations; `None` when it does not exist.
            pub(crate) async fn update_conversation_row(
                conn: &mut Conn,
                uid: Uid,
                id: String,
                update: ConversationUpdate,
                now: DateTime<Utc>,
            ) -> StoreResult<Option<Conversation>> {
                let sql = concat!(
                    "SELECT ",
                    conversation_columns!(),
                    " FROM conversations WHERE uid = $1 AND id = $2",
                    $lock
                );
                let row = owned_row(&mut *conn, sql, uid.as_str(), &id).await?;
                let Some(row) = row else { return Ok(None) };
                let changed = update.apply(conversation_from_row(&row)?);
                // The fields the user set are marked, so that processing, should it still
                // run, keeps them (`jobs::complete_conversation`).
                sqlx::query(
                    "UPDATE conversations SET structured = $1, discarded = $2, updated_at = $3, \
                     title_set_by_user = (title_set_by_user OR $4), \
                     discarded_set_by_user = (discarded_set_by_user OR $5) \
                     WHERE uid = $6 AND id = $7",
                )
                .bind(serde_json::to_string(&changed.structured).map_err(json_err)?)
                .bind(changed.discarded)
                .bind(to_micros(now))
                .bind(update.title.is_some())
                .bind(update.discarded.is_some())
                .bind(uid.as_str())
                .bind(&id)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                Ok(Some(changed))
            }

            /// Apply `update` to one of a user's action items; `None` when it does not exist.
            pub(crate) async fn update_action_item_row(
                conn: &mut Conn,
                uid: Uid,
                id: String,
                update: ActionItemUpdate,
                now: DateTime<Utc>,
            ) -> StoreResult<Option<ActionItem>> {
                let sql = concat!(
                    "SELECT ",
                    action_item_columns!(),
                    " FROM action_items WHERE uid = $1 AND id = $2",
                    $lock
                );
                let row = owned_row(&mut *conn, sql, uid.as_str(), &id).await?;
                let Some(row) = row else { return Ok(None) };
                let changed = update.apply(action_item_from_row(&row)?, now);
                sqlx::query(
                    "UPDATE action_items SET description = $1, completed = $2, updated_at = $3, \
                     due_at = $4, completed_at = $5 WHERE uid = $6 AND id = $7",
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
                let before = action_item_from_row(&row)?;
                sync_conversation_item(conn, &uid, &before, Some(&changed)).await?;
                Ok(Some(changed))
            }

            /// Delete one of a user's action items; `false` when there was none.
            pub(crate) async fn delete_action_item_row(
                conn: &mut Conn,
                uid: Uid,
                id: String,
            ) -> StoreResult<bool> {
                let row = sqlx::query(concat!(
                    "DELETE FROM action_items WHERE uid = $1 AND id = $2 RETURNING ",
                    action_item_columns!()
                ))
                .bind(uid.as_str())
                .bind(&id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(map_err)?;
                let Some(row) = row else { return Ok(false) };
                sync_conversation_item(conn, &uid, &action_item_from_row(&row)?, None).await?;
                Ok(true)
            }

            /// Keep a conversation's `structured.action_items` in agreement with its action
            /// item `before`, now `after` (`None`: deleted). The entry is the first with
            /// `before`'s description and completion (or, failing that, its description).
            async fn sync_conversation_item(
                conn: &mut Conn,
                uid: &Uid,
                before: &ActionItem,
                after: Option<&ActionItem>,
            ) -> StoreResult<()> {
                let Some(conversation_id) = &before.conversation_id else {
                    return Ok(());
                };
                let sql = concat!(
                    "SELECT structured FROM conversations WHERE uid = $1 AND id = $2",
                    $lock
                );
                let row = owned_row(&mut *conn, sql, uid.as_str(), conversation_id).await?;
                let Some(row) = row else { return Ok(()) };
                let text: String = row.try_get("structured").map_err(map_err)?;
                let mut structured: Structured = serde_json::from_str(&text).map_err(json_err)?;
                let items = &mut structured.action_items;
                let find = |completed: Option<bool>| {
                    items.iter().position(|i: &StructuredActionItem| {
                        i.description == before.description
                            && completed.is_none_or(|c| i.completed == c)
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
                sqlx::query("UPDATE conversations SET structured = $1 WHERE uid = $2 AND id = $3")
                    .bind(serde_json::to_string(&structured).map_err(json_err)?)
                    .bind(uid.as_str())
                    .bind(conversation_id)
                    .execute(&mut *conn)
                    .await
                    .map_err(map_err)?;
                Ok(())
            }
        }
    };
}
pub(crate) use developer_statements;
