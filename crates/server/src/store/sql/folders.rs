//! Conversation folders: one row each, ordered by `sort_order`; a folder's conversation count
//! is counted when it is read (the conversations it holds that are not discarded), so it is
//! never stale.

use async_trait::async_trait;
use futures::FutureExt;
use omi_model::{Folder, Uid};

use super::backend::Conn;
use super::parts::owned_row;
use super::{Arg, Backend, Dialect, read};
use crate::store::rows::{FolderRow, map_err};
use crate::store::{
    DeletedFolder, FolderRecord, FolderStore, MAX_FOLDERS_PER_USER, StoreError, StoreResult,
    to_micros,
};

/// The columns of a [`FolderRow`], its count included.
macro_rules! folder_columns {
    () => {
        "id, name, description, color, icon, created_at, updated_at, sort_order, is_default, \
         is_system, (SELECT COUNT(*) FROM conversations AS c WHERE c.uid = folders.uid \
         AND c.folder_id = folders.id AND c.discarded = FALSE) AS conversation_count"
    };
}
pub(super) use folder_columns;

#[async_trait]
impl<B: Backend> FolderStore for B {
    async fn insert_folder(&self, uid: &Uid, folder: &FolderRecord) -> StoreResult<Folder> {
        self.write((uid.clone(), folder.clone()), |conn, (uid, folder)| {
            insert::<B::Db>(conn, uid, folder).boxed()
        })
        .await
    }

    async fn list_folders(&self, uid: &Uid) -> StoreResult<Vec<Folder>> {
        let rows = sqlx::query::<B::Db>(concat!(
            "SELECT ",
            folder_columns!(),
            " FROM folders WHERE uid = $1 ORDER BY sort_order, id LIMIT $2"
        ))
        .arg(uid.as_str())
        .arg(MAX_FOLDERS_PER_USER)
        .fetch_all(B::Db::on_pool(self.readers()))
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| read::<B::Db, FolderRow>(row).map(FolderRow::into_folder))
            .collect()
    }

    async fn delete_folder(&self, uid: &Uid, id: &str) -> StoreResult<Option<DeletedFolder>> {
        self.write((uid.clone(), id.to_owned()), |conn, (uid, id)| {
            delete::<B::Db>(conn, uid, id).boxed()
        })
        .await
    }
}

/// Insert `folder` after the user's last folder, unless the user has the most folders.
async fn insert<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    folder: &FolderRecord,
) -> StoreResult<Folder> {
    let (count, last): (i64, i64) = {
        let row = sqlx::query::<DB>(
            "SELECT COUNT(*), COALESCE(MAX(sort_order), 0) FROM folders WHERE uid = $1",
        )
        .arg(uid.as_str())
        .fetch_one(DB::on(conn))
        .await
        .map_err(map_err)?;
        read::<DB, (i64, i64)>(&row)?
    };
    if count >= MAX_FOLDERS_PER_USER {
        return Err(StoreError::Conflict(format!(
            "a user has at most {MAX_FOLDERS_PER_USER} folders"
        )));
    }
    let order = last.saturating_add(1);
    let new = &folder.folder;
    sqlx::query::<DB>(
        "INSERT INTO folders (id, uid, name, description, color, icon, created_at, \
         updated_at, sort_order, is_default, is_system) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, FALSE, FALSE)",
    )
    .arg(folder.id.as_str())
    .arg(uid.as_str())
    .arg(new.name.as_str())
    .arg(new.description.as_deref())
    .arg(new.color.as_str())
    .arg(new.icon.as_str())
    .arg(to_micros(folder.created_at))
    .arg(order)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(Folder {
        id: folder.id.clone(),
        name: new.name.as_str().to_owned(),
        description: new.description.clone(),
        color: new.color.clone(),
        icon: new.icon.clone(),
        created_at: folder.created_at,
        updated_at: folder.created_at,
        order,
        is_default: false,
        is_system: false,
        conversation_count: 0,
    })
}

/// Delete one of a user's folders; its conversations go to the user's default folder (another
/// folder marked `is_default`), else into none.
async fn delete<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    id: &str,
) -> StoreResult<Option<DeletedFolder>> {
    let sql = "SELECT id FROM folders WHERE uid = $1 AND id = $2";
    if owned_row(DB::on(conn), sql, uid.as_str(), id)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let default = sqlx::query::<DB>(
        "SELECT id FROM folders WHERE uid = $1 AND id <> $2 AND is_default = TRUE \
         ORDER BY sort_order, id LIMIT 1",
    )
    .arg(uid.as_str())
    .arg(id)
    .fetch_optional(DB::on(conn))
    .await
    .map_err(map_err)?;
    let moved_to = default
        .as_ref()
        .map(|row| read::<DB, (String,)>(row).map(|(id,)| id))
        .transpose()?;
    let moved = sqlx::query::<DB>(
        "UPDATE conversations SET folder_id = $1 WHERE uid = $2 AND folder_id = $3",
    )
    .arg(moved_to.as_deref())
    .arg(uid.as_str())
    .arg(id)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    sqlx::query::<DB>("DELETE FROM folders WHERE uid = $1 AND id = $2")
        .arg(uid.as_str())
        .arg(id)
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    Ok(Some(DeletedFolder {
        conversations_moved: DB::rows_affected(&moved),
        moved_to,
    }))
}

/// The name of one of a user's folders, read in the caller's transaction; `None` when the
/// user has no folder with that id.
pub(super) async fn folder_name<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    id: &str,
) -> StoreResult<Option<String>> {
    let sql = "SELECT name FROM folders WHERE uid = $1 AND id = $2";
    let row = owned_row(DB::on(conn), sql, uid.as_str(), id).await?;
    row.as_ref()
        .map(|row| read::<DB, (String,)>(row).map(|(name,)| name))
        .transpose()
}
