//! WAL checkpoints off the commit path. SQLite's default has the connection whose commit
//! takes the write-ahead log past 1 000 pages copy those pages into the database file and
//! sync it before that commit returns: every write queued behind it waits. Here a connection
//! of its own runs a PASSIVE checkpoint every [`INTERVAL`] (it never blocks the writer or a
//! reader), and the writer checkpoints by itself only past [`WRITER_CHECKPOINT_PAGES`], so
//! the log stays bounded should this task fall behind or fail.
//!
//! Durability does not change: a commit is synced (or not) by `PRAGMA synchronous` when it
//! is written to the log; a checkpoint only moves committed pages into the database file.

use std::sync::Weak;
use std::time::Duration;

use sqlx::sqlite::SqlitePool;

/// How often the checkpoint runs.
pub(super) const INTERVAL: Duration = Duration::from_millis(100);

/// The log size, in pages, past which the writer checkpoints at its own commit (SQLite's
/// `wal_autocheckpoint`; its default is 1 000).
pub(super) const WRITER_CHECKPOINT_PAGES: u32 = 10_000;

/// Run PASSIVE checkpoints on `pool` (one read-write connection) until it is closed or
/// `store` (held by every handle of the store) is gone, then close it.
pub(super) fn start(pool: SqlitePool, store: Weak<()>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if store.strong_count() == 0 {
                pool.close().await;
                break;
            }
            if pool.is_closed() {
                break;
            }
            let done = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await;
            if let Err(e) = done {
                if pool.is_closed() {
                    break;
                }
                tracing::warn!(error = %e, "a WAL checkpoint failed; the next one tries again");
            }
        }
    });
}
