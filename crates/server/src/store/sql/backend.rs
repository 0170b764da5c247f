//! [`Backend`]: where a store's statements run. The store traits are implemented once, for
//! every backend, in the resource modules beside this one.

use std::future::Future;

use futures::future::BoxFuture;
use omi_model::{DevMemoryListParams, Memory, Uid};
use sqlx::{Database, Pool};

use super::Dialect;
use crate::store::StoreResult;

/// A connection of `DB`.
pub(crate) type Conn<DB> = <DB as Database>::Connection;

/// What the statements of a store need of it: its database, the pools reads and
/// single-statement writes run on, and how a write of several statements runs in one
/// transaction (SQLite: the group commit; PostgreSQL: a transaction of its own).
pub(crate) trait Backend: Send + Sync + 'static {
    /// The database its statements run on.
    type Db: Dialect;

    /// The pool reads run on.
    fn readers(&self) -> &Pool<Self::Db>;

    /// The pool single-statement writes run on.
    fn writer(&self) -> &Pool<Self::Db>;

    /// A page of a user's memories read at once on the calling thread, when the backend has
    /// a way quicker than its pool for it (SQLite: its owned connections); `None` to read it
    /// through [`readers`](Self::readers).
    fn memory_page_here(
        &self,
        _uid: &Uid,
        _params: &DevMemoryListParams,
    ) -> Option<StoreResult<Vec<Memory>>> {
        None
    }

    /// `Err` when no write can succeed whatever the database says (SQLite: its writer task
    /// stopped).
    fn check_writer(&self) -> StoreResult<()>;

    /// Run `op` over `data` in one transaction; resolves once it committed. `op` may run
    /// more than once, its earlier runs rolled back, so it does nothing but SQL.
    fn write<D, T, F>(&self, data: D, op: F) -> impl Future<Output = StoreResult<T>> + Send
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
        F: for<'c> Fn(&'c mut Conn<Self::Db>, &'c D) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + Sync
            + 'static;
}
