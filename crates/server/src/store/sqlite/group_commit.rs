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

use std::any::Any;
use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::store::{StoreError, StoreResult};

/// The most writes one transaction takes.
const MAX_BATCH: usize = 256;

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
    queue: mpsc::UnboundedSender<Pending>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending")
    }
}

impl GroupCommit {
    /// Start the writer task over `pool` (a pool of one connection).
    pub(super) fn start(pool: SqlitePool) -> Self {
        let (queue, pending) = mpsc::unbounded_channel();
        tokio::spawn(writer(pool, pending));
        Self { queue }
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
            .send(Pending { run, reply })
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        let output = answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))??;
        output
            .downcast::<T>()
            .map(|v| *v)
            .map_err(|_| StoreError::Internal("group commit returned the wrong type".into()))
    }
}

async fn writer(pool: SqlitePool, mut pending: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = pending.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match pending.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        commit_batch(&pool, batch).await;
    }
}

async fn commit_batch(pool: &SqlitePool, batch: Vec<Pending>) {
    let mut conn = match pool.acquire().await {
        Ok(c) => c,
        Err(e) => return fail_all(batch, &crate::store::rows::map_err(e)),
    };
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
        match (pending.run)(conn).await {
            Ok(output) => outputs.push(output),
            Err(failure) => {
                // Should the rollback fail, the rerun's BEGIN reports the broken connection.
                let _ = exec(conn, "ROLLBACK").await;
                return Ok(Err(failure));
            }
        }
    }
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
    let result = run(conn).await;
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
