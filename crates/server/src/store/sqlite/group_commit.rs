//! Group commit: concurrent writes share one SQLite transaction.
//!
//! SQLite commits one transaction at a time, and each commit costs a WAL sync. Under
//! concurrent load most of a write's time is that commit, so writes queued while one commit
//! is in flight are run together in the next transaction and committed once. Every caller is
//! answered only after the commit that holds its write has succeeded: nothing is acknowledged
//! before it is durable.
//!
//! Each statement is a round trip to the driver's thread, so a batch first runs its writes
//! one after another with nothing between them. Writes rarely fail; when one does, that
//! transaction is rolled back and the batch runs again with each write inside a SAVEPOINT of
//! its own, so the failing write rolls back alone and the others commit. A write may
//! therefore run twice, its first run rolled back: writes are `Fn`, and do nothing but SQL.
//!
//! Before each commit the writer moves new memories' and conversations' search terms into
//! the full-text indexes, in row order, in one query (see `search_pending`).
//!
//! Two things keep one bad write from stopping the others. A write that panics is caught
//! like one that fails: it answers an internal error, the rest of its batch commits, and the
//! writer goes on. And the queue is bounded ([`QUEUE_CAPACITY`]): when it is full a write is
//! refused at once with [`StoreError::Overloaded`] (a 503 with `Retry-After`) instead of
//! waiting without end while memory grows.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use core_affinity::CoreId;
use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::metrics::PanicSite;
use crate::store::{StoreError, StoreResult};

/// The most writes one transaction takes.
const MAX_BATCH: usize = 256;

/// The most writes waiting for the writer; past it, writes are shed. At the writer's pace
/// (tens of thousands of writes a second in batches) a full queue is well under a second of
/// work, so a waiting write is answered quickly or refused at once.
pub(super) const QUEUE_CAPACITY: usize = 8192;

type Output = Box<dyn Any + Send>;
type Run = Box<
    dyn for<'c> Fn(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<Output>> + Send + Sync,
>;

struct Pending {
    run: Run,
    reply: oneshot::Sender<StoreResult<Output>>,
}

/// The queue in front of the single writer connection.
#[derive(Debug, Clone)]
pub(super) struct GroupCommit {
    queue: mpsc::Sender<Pending>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending")
    }
}

impl GroupCommit {
    /// Start the writer thread over `pool` (a pool of one connection), with a queue of
    /// [`QUEUE_CAPACITY`] writes, named `name` and pinned to `core` when one is given (see
    /// `writer_core`).
    pub(super) fn start(pool: SqlitePool, name: String, core: Option<CoreId>) -> StoreResult<Self> {
        Self::with_capacity(pool, QUEUE_CAPACITY, name, core)
    }

    /// [`GroupCommit::start`] with a queue of `capacity` writes.
    ///
    /// The writer runs on a thread of its own, on a single-threaded runtime: its wake-ups
    /// (one per statement) never wait behind requests in the shared runtime's queues, and
    /// the thread can share a core with its connection's.
    pub(super) fn with_capacity(
        pool: SqlitePool,
        capacity: usize,
        name: String,
        core: Option<CoreId>,
    ) -> StoreResult<Self> {
        let (queue, pending) = mpsc::channel(capacity.max(1));
        // Timers only: with no I/O driver the thread sleeps on a futex, which is cheaper to
        // wake than an event fd.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| StoreError::Internal(format!("the SQLite writer's runtime: {e}")))?;
        std::thread::Builder::new()
            .name(name)
            .spawn(move || {
                if let Some(core) = core {
                    super::writer_core::pin_current(core, "SQLite writer");
                }
                super::writer_core::batch_current();
                runtime.block_on(writer(pool, pending));
            })
            .map_err(|e| StoreError::Internal(format!("the SQLite writer's thread: {e}")))?;
        Ok(Self { queue })
    }

    /// Whether the writer thread is running (it stops only when every handle is dropped,
    /// so `false` means something went badly wrong: readiness reports it).
    pub(super) fn is_running(&self) -> bool {
        !self.queue.is_closed()
    }

    /// Run `op` over `data` in the next group transaction; resolves after that transaction
    /// committed. `op` may run more than once (see the module's documentation).
    pub(super) async fn write<D, T, F>(&self, data: D, op: F) -> StoreResult<T>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
        F: for<'c> Fn(&'c mut SqliteConnection, &'c D) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + Sync
            + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let shared = Arc::new((data, op));
        let run: Run = Box::new(move |conn| {
            let shared = Arc::clone(&shared);
            Box::pin(async move {
                let (data, op) = &*shared;
                op(conn, data).await.map(|v| Box::new(v) as Output)
            })
        });
        self.queue
            .try_send(Pending { run, reply })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => {
                    crate::metrics::write_shed();
                    StoreError::Overloaded("the write queue is full".into())
                }
                mpsc::error::TrySendError::Closed(_) => {
                    StoreError::Unavailable("the writer has stopped".into())
                }
            })?;
        let output = answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))??;
        output
            .downcast::<T>()
            .map(|v| *v)
            .map_err(|_| StoreError::Internal("group commit returned the wrong type".into()))
    }
}

async fn writer(pool: SqlitePool, mut pending: mpsc::Receiver<Pending>) {
    while let Some(first) = pending.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match pending.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        // Each write's panic is caught where it runs; this is the last line of defence, so
        // that nothing can end the loop. The batch's callers, whose answers were dropped,
        // see "the writer has stopped" for this one batch only.
        if AssertUnwindSafe(commit_batch(&pool, batch))
            .catch_unwind()
            .await
            .is_err()
        {
            crate::metrics::panic_caught(PanicSite::Writer);
            tracing::error!("a group-commit batch panicked; its writes failed, the writer goes on");
        }
    }
}

/// Run one write, turning a panic into an error of that write alone.
async fn run_one(conn: &mut SqliteConnection, run: &Run) -> StoreResult<Output> {
    match AssertUnwindSafe(async { run(conn).await })
        .catch_unwind()
        .await
    {
        Ok(result) => result,
        Err(panic) => {
            crate::metrics::panic_caught(PanicSite::Writer);
            tracing::error!(panic = %crate::panics::message(&*panic), "a write panicked; it failed alone");
            Err(StoreError::Internal("a write panicked".into()))
        }
    }
}

async fn commit_batch(pool: &SqlitePool, batch: Vec<Pending>) {
    let mut conn = match pool.acquire().await {
        Ok(c) => c,
        Err(e) => return fail_all(batch, &crate::store::rows::map_err(e)),
    };
    let started = std::time::Instant::now();
    let results = match run_together(&mut conn, &batch).await {
        Ok(Ok(outputs)) => outputs.into_iter().map(Ok).collect(),
        // A write alone: the failure of its run is its answer.
        Ok(Err(failure)) if batch.len() == 1 => vec![Err(failure)],
        Ok(Err(_)) => match run_isolated(&mut conn, &batch).await {
            Ok(results) => results,
            Err(e) => return fail_all(batch, &e),
        },
        Err(e) => return fail_all(batch, &e),
    };
    crate::metrics::sqlite_commit(batch.len(), started.elapsed().as_secs_f64());
    for (Pending { reply, .. }, result) in batch.into_iter().zip(results) {
        let _ = reply.send(result);
    }
}

/// Run every write of `batch` in one transaction, without savepoints, and commit. The inner
/// `Err` is the first write's failure (the transaction was then rolled back); the outer one
/// says the transaction itself could not begin or commit.
async fn run_together(
    conn: &mut SqliteConnection,
    batch: &[Pending],
) -> StoreResult<Result<Vec<Output>, StoreError>> {
    exec(conn, "BEGIN IMMEDIATE").await?;
    let mut outputs = Vec::with_capacity(batch.len());
    for pending in batch {
        match run_one(conn, &pending.run).await {
            Ok(output) => outputs.push(output),
            Err(failure) => {
                // Should the rollback fail, the rerun's BEGIN reports the broken connection.
                let _ = exec(conn, "ROLLBACK").await;
                return Ok(Err(failure));
            }
        }
    }
    super::search_pending::move_before_commit(conn).await;
    commit(conn).await?;
    Ok(Ok(outputs))
}

/// Run every write of `batch` in one transaction, each inside its own SAVEPOINT so that a
/// failing write rolls back alone, and commit what succeeded.
async fn run_isolated(
    conn: &mut SqliteConnection,
    batch: &[Pending],
) -> StoreResult<Vec<StoreResult<Output>>> {
    exec(conn, "BEGIN IMMEDIATE").await?;
    let mut results = Vec::with_capacity(batch.len());
    for pending in batch {
        results.push(in_savepoint(conn, &pending.run).await);
    }
    super::search_pending::move_before_commit(conn).await;
    commit(conn).await?;
    Ok(results)
}

/// COMMIT, rolling back when it fails.
async fn commit(conn: &mut SqliteConnection) -> StoreResult<()> {
    let committed = exec(conn, "COMMIT").await;
    if committed.is_err() {
        let _ = exec(conn, "ROLLBACK").await;
    }
    committed
}

async fn in_savepoint(conn: &mut SqliteConnection, run: &Run) -> StoreResult<Output> {
    exec(conn, "SAVEPOINT write").await?;
    let result = run_one(conn, run).await;
    let end = if result.is_ok() {
        exec(conn, "RELEASE write").await
    } else {
        match exec(conn, "ROLLBACK TO write").await {
            Ok(()) => exec(conn, "RELEASE write").await,
            Err(e) => Err(e),
        }
    };
    end.and(result)
}

async fn exec(conn: &mut SqliteConnection, sql: &'static str) -> StoreResult<()> {
    sqlx::query(sql)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(crate::store::rows::map_err)
}

fn fail_all(batch: Vec<Pending>, error: &StoreError) {
    for p in batch {
        let _ = p.reply.send(Err(error.clone()));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use sqlx::sqlite::SqlitePoolOptions;
    use tokio::sync::Notify;

    use super::*;

    async fn pool() -> SqlitePool {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (n INTEGER NOT NULL)")
            .execute(&pool)
            .await
            .unwrap();
        pool
    }

    async fn insert(group: &GroupCommit, n: i64) -> StoreResult<()> {
        group
            .write(n, |conn, n| {
                async move {
                    sqlx::query("INSERT INTO t (n) VALUES ($1)")
                        .bind(*n)
                        .execute(conn)
                        .await
                        .map(|_| ())
                        .map_err(crate::store::rows::map_err)
                }
                .boxed()
            })
            .await
    }

    async fn count(pool: &SqlitePool) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_write_that_panics_fails_alone_and_the_writer_keeps_serving() {
        let pool = pool().await;
        let group = GroupCommit::start(pool.clone(), "test-writer".into(), None).unwrap();
        let panicking = group.write((), |_, ()| -> BoxFuture<'_, StoreResult<()>> {
            panic!("injected panic in a write")
        });
        let (panicked, first, second) =
            tokio::join!(panicking, insert(&group, 1), insert(&group, 2));
        assert!(
            matches!(panicked, Err(StoreError::Internal(_))),
            "{panicked:?}"
        );
        first.unwrap();
        second.unwrap();
        insert(&group, 3).await.unwrap();
        assert!(group.is_running());
        assert_eq!(count(&pool).await, 3);
    }

    #[tokio::test]
    async fn a_write_that_panics_inside_its_future_rolls_back_its_own_statements() {
        let pool = pool().await;
        let group = GroupCommit::start(pool.clone(), "test-writer".into(), None).unwrap();
        let half_done = group.write((), |conn, ()| {
            async move {
                sqlx::query("INSERT INTO t (n) VALUES (99)")
                    .execute(conn)
                    .await
                    .map_err(crate::store::rows::map_err)?;
                panic!("injected panic after a statement")
            }
            .boxed()
        });
        let (failed, ok): (StoreResult<()>, _) = tokio::join!(half_done, insert(&group, 1));
        assert!(failed.is_err());
        ok.unwrap();
        let left: Vec<i64> = sqlx::query_scalar("SELECT n FROM t")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(
            left,
            vec![1],
            "the panicking write's insert was rolled back"
        );
    }

    #[tokio::test]
    async fn a_full_queue_sheds_writes_at_once_and_takes_them_again_when_it_drains() {
        let pool = pool().await;
        let group =
            GroupCommit::with_capacity(pool.clone(), 1, "test-writer".into(), None).unwrap();
        let started = Arc::new(Notify::new());
        let release = Arc::new(Notify::new());
        let busy = {
            let group = group.clone();
            let data = (
                Arc::clone(&started),
                Arc::clone(&release),
                AtomicBool::new(false),
            );
            tokio::spawn(async move {
                group
                    .write(data, |_, (started, release, ran)| {
                        async move {
                            // Block only the first run: the writer is busy with it.
                            if !ran.swap(true, Ordering::SeqCst) {
                                started.notify_one();
                                release.notified().await;
                            }
                            Ok(())
                        }
                        .boxed()
                    })
                    .await
            })
        };
        started.notified().await;
        let queued = {
            let group = group.clone();
            tokio::spawn(async move { insert(&group, 1).await })
        };
        // Let the second write take the queue's one place.
        while group.queue.capacity() > 0 {
            tokio::task::yield_now().await;
        }
        let shed = insert(&group, 2).await;
        assert!(matches!(shed, Err(StoreError::Overloaded(_))), "{shed:?}");
        release.notify_one();
        busy.await.unwrap().unwrap();
        queued.await.unwrap().unwrap();
        insert(&group, 3).await.unwrap();
        assert_eq!(count(&pool).await, 2);
    }
}
