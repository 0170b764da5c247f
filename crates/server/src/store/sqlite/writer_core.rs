//! The writer's two threads on one core. sqlx runs each SQLite connection on a thread of its
//! own and hands it every statement; the group commit's writer thread waits for each answer
//! before it sends the next statement. The two threads never run at once, but when the
//! scheduler puts them on different cores every hand-off wakes the other core, and on
//! virtual machines that costs more than the statement: on 2 cores the same create load ran
//! at about 3 500 requests a second with the two threads apart and about 8 000 with them
//! together (docs/benchmarks.md). So both are pinned to one core: the writer thread when it
//! starts, the connection's thread at its first commit (a commit hook runs on that thread).
//! On a machine (or an affinity mask) of one core nothing is pinned, nor when
//! `SqliteOptions::pin_writer` is off. On Linux the writer thread is also a batch thread
//! ([`batch_current`]), so that the answers of its connection's thread do not each take the
//! core back from it.

use std::sync::atomic::{AtomicU64, Ordering};

use core_affinity::CoreId;
use sqlx::sqlite::SqliteConnection;

/// The names of one store's two writer threads, numbered per store so that `top -H` or a
/// profile tells the stores of one process apart.
#[derive(Debug, Clone)]
pub(super) struct ThreadNames {
    /// The group commit's thread.
    pub(super) writer: String,
    /// The writer connection's thread (sqlx's).
    pub(super) connection: String,
}

impl ThreadNames {
    /// The names for the next store opened in this process.
    pub(super) fn next() -> Self {
        static STORES: AtomicU64 = AtomicU64::new(0);
        let n = STORES.fetch_add(1, Ordering::Relaxed);
        Self {
            writer: format!("omi-writer-{n}"),
            connection: format!("omi-wconn-{n}"),
        }
    }
}

/// The core one store's writer threads share: one of those this process may run on, picked
/// at random so that the writers of several stores or servers on one machine spread over its
/// cores; `None` when the process may run on one core only (there is nothing to choose) or
/// the platform cannot tell.
pub(super) fn chosen() -> Option<CoreId> {
    let cores = core_affinity::get_core_ids()?;
    if cores.len() < 2 {
        return None;
    }
    cores.get(rand::random_range(0..cores.len())).copied()
}

/// Pin the calling thread to `core`, logging (not failing) when the platform refuses.
pub(super) fn pin_current(core: CoreId, thread: &str) {
    if core_affinity::set_for_current(core) {
        tracing::debug!(core = core.id, thread, "pinned to a core");
    } else {
        tracing::debug!(
            core = core.id,
            thread,
            "could not be pinned; left to the scheduler"
        );
    }
}

/// Have `conn`'s own thread pin itself to `core` at the connection's first commit.
pub(super) async fn pin_connection(
    conn: &mut SqliteConnection,
    core: CoreId,
) -> Result<(), sqlx::Error> {
    let mut pinned = false;
    conn.lock_handle().await?.set_commit_hook(move || {
        if !pinned {
            pinned = true;
            pin_current(core, "SQLite writer connection");
        }
        true
    });
    Ok(())
}

/// Make the calling thread (the group commit's) a batch thread (Linux's `SCHED_BATCH`, nice
/// value 0): it keeps its share of the core, but its wake-ups no longer preempt
/// the thread running. The connection's thread answers a query with one message per
/// statement and per row, and each used to wake the writer at once, which took the core
/// from the connection's thread to read one message and gave it back: about nine thread
/// switches a memory create (both threads). Now the connection's thread runs the query to
/// its end and the writer reads every answer in one go, about four a create; memory creates
/// rose 25 to 50 % on 2 cores (docs/benchmarks.md). The connection's thread stays a normal
/// one, so a statement still starts at once. Elsewhere, or when refused, nothing changes.
pub(super) fn batch_current() {
    #[cfg(target_os = "linux")]
    {
        use thread_priority::{
            NormalThreadSchedulePolicy, ThreadPriority, ThreadPriorityOsValue,
            ThreadSchedulePolicy, set_thread_priority_and_policy, thread_native_id,
        };
        let policy = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
        // For the normal policies the "priority" is the nice value.
        let nice = ThreadPriority::Os(ThreadPriorityOsValue::default());
        match set_thread_priority_and_policy(thread_native_id(), nice, policy) {
            Ok(()) => tracing::debug!("the SQLite writer is a batch thread"),
            Err(e) => {
                tracing::debug!(error = ?e, "could not set the SQLite writer's scheduling policy")
            }
        }
    }
}
