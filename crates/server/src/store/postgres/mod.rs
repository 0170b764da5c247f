//! The PostgreSQL store: several servers on one database.
//!
//! Every write of more than one statement is a transaction of its own on a pooled
//! connection; PostgreSQL runs them side by side. Workers of every server claim jobs with
//! `FOR UPDATE SKIP LOCKED`, so each job goes to exactly one of them, and a read-modify-write
//! locks its row (`FOR UPDATE`), so concurrent updates of one record cannot lose each other's
//! changes. The statements are the SQLite store's (`store/sql`): the same ordering,
//! conflicts and limits. The schema is `migrations/postgres`, applied at open under
//! PostgreSQL's advisory lock, so servers starting together migrate once.
//!
//! When the database cannot be reached, every call fails within the pool's acquire timeout
//! with [`StoreError::Unavailable`] (a 503), and the pool reconnects by itself once the
//! database is back.

use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};

mod scratch;

pub use scratch::ScratchDatabase;

use super::rows::map_err;
use super::sql::Backend;
use super::{StoreError, StoreResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a call waits for a pooled connection before the database counts as unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// How the PostgreSQL store connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostgresOptions {
    /// The most connections this server holds open.
    pub max_connections: u32,
    /// How long a call waits for a connection before failing as unavailable.
    pub acquire_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: ACQUIRE_TIMEOUT,
        }
    }
}

/// The PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connect to the database at `url` (`postgres://user@host:port/db`) and apply the
    /// embedded migrations.
    pub async fn open(url: &str, options: PostgresOptions) -> StoreResult<Self> {
        let connect: PgConnectOptions = url
            .parse()
            .map_err(|e| StoreError::Internal(format!("bad PostgreSQL URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await
            .map_err(map_err)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Internal(format!("migrations failed: {e}")))?;
        crate::store::sql::backfill_search_terms(&pool).await?;
        Ok(Self { pool })
    }

    /// Close the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Backend for PostgresStore {
    type Db = sqlx::Postgres;

    /// The pool reads run on.
    fn readers(&self) -> &PgPool {
        &self.pool
    }

    /// The pool single-statement writes run on.
    fn writer(&self) -> &PgPool {
        &self.pool
    }

    /// Writes run on the pool itself, with no task of their own that could stop: always
    /// `Ok` (the ping that follows tells whether the database answers).
    fn check_writer(&self) -> StoreResult<()> {
        Ok(())
    }

    /// Run `op` over `data` in a transaction of its own; resolves once it committed.
    async fn write<D, T, F>(&self, data: D, op: F) -> StoreResult<T>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
        F: for<'c> Fn(&'c mut PgConnection, &'c D) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + Sync
            + 'static,
    {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let value = op(&mut tx, &data).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The store's own statements on a real PostgreSQL (`OMI_TEST_POSTGRES_URL`), in a
    /// scratch database of their own; skipped, and said so, without one.
    async fn store() -> Option<(PostgresStore, ScratchDatabase)> {
        let Ok(server) = std::env::var("OMI_TEST_POSTGRES_URL") else {
            eprintln!("SKIPPED: OMI_TEST_POSTGRES_URL is unset");
            return None;
        };
        let scratch = ScratchDatabase::create(&server).await.unwrap();
        let store = PostgresStore::open(scratch.url(), PostgresOptions::default())
            .await
            .unwrap();
        Some((store, scratch))
    }

    #[tokio::test]
    async fn a_common_word_pairs_only_its_newest_memories() {
        let Some((store, _scratch)) = store().await else {
            return;
        };
        crate::store::fixtures::a_common_word_pairs_only_its_newest_memories(&store).await;
        store.close().await;
    }
}
