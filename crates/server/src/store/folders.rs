//! The storage of conversation folders: [`FolderStore`] and [`FolderRecord`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::{Folder, NewFolder, Uid};

use super::StoreResult;

/// The most folders one user has (a create beyond it is refused, a list reads no more).
pub const MAX_FOLDERS_PER_USER: i64 = 1_000;

/// A folder to insert: its place in the user's list is given by the store (after the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRecord {
    /// Its id (unique on its own).
    pub id: String,
    /// What the admin asked for, validated.
    pub folder: NewFolder,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// What deleting a folder did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedFolder {
    /// How many conversations were in it.
    pub conversations_moved: u64,
    /// The folder they went to (the user's default folder), if any; else they are in none.
    pub moved_to: Option<String>,
}

/// The persistence of folders. Every method takes the user's id and never reads or writes
/// another user's rows.
#[async_trait]
pub trait FolderStore: Send + Sync + 'static {
    /// Insert a folder after the user's last one; the folder as stored. A
    /// [`StoreError::Conflict`](super::StoreError::Conflict) when the user has
    /// [`MAX_FOLDERS_PER_USER`] already.
    async fn insert_folder(&self, uid: &Uid, folder: &FolderRecord) -> StoreResult<Folder>;

    /// A user's folders in their order, each with the count of its kept conversations; at
    /// most [`MAX_FOLDERS_PER_USER`].
    async fn list_folders(&self, uid: &Uid) -> StoreResult<Vec<Folder>>;

    /// Delete one of a user's folders, moving its conversations to the user's default
    /// folder (or into none) in the same transaction; `None` when it does not exist.
    async fn delete_folder(&self, uid: &Uid, id: &str) -> StoreResult<Option<DeletedFolder>>;
}
