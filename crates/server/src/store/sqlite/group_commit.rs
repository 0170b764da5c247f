//! Group commit: concurrent writes share one SQLite transaction.
//!
//! SQLite commits one transaction at a time, and each commit costs a WAL sync. Under
//! concurrent load most of a write's time is that commit, so writes queued while one commit
//! is in flight are run together in the next transaction, each inside its own SAVEPOINT (so a
//! failing write rolls back alone), and committed once. Every caller is answered only after
//! the commit that holds its write has succeeded: nothing is acknowledged before it is
//! durable.

use std::any::Any;

use futures::future::BoxFuture;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::store::{StoreError, StoreResult};

/// The most writes one transaction takes.
const MAX_BATCH: usize = 256;

type Output = Box<dyn Any + Send>;
type Run =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<Output>> + Send>;

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

    /// Run `op` in the next group transaction; resolves after that transaction committed.
    pub(super) async fn write<T, F>(&self, op: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let run: Run = Box::new(move |conn| {
            Box::pin(async move { op(conn).await.map(|v| Box::new(v) as Output) })
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
    if let Err(e) = exec(&mut conn, "BEGIN IMMEDIATE").await {
        return fail_all(batch, &e);
    }
    // A write alone in its transaction needs no SAVEPOINT (two statements, each a round trip
    // to the driver's thread): if it fails, the whole transaction is rolled back instead.
    let alone = batch.len() == 1;
    let mut done = Vec::with_capacity(batch.len());
    for Pending { run, reply } in batch {
        let result = if alone {
            run(&mut conn).await
        } else {
            in_savepoint(&mut conn, run).await
        };
        done.push((reply, result));
    }
    if alone && done.iter().any(|(_, result)| result.is_err()) {
        let _ = exec(&mut conn, "ROLLBACK").await;
        for (reply, result) in done {
            let _ = reply.send(result);
        }
        return;
    }
    match exec(&mut conn, "COMMIT").await {
        Ok(()) => {
            for (reply, result) in done {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            let _ = exec(&mut conn, "ROLLBACK").await;
            for (reply, _) in done {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

async fn in_savepoint(conn: &mut SqliteConnection, run: Run) -> StoreResult<Output> {
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
