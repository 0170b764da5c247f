//! Short reads on the request's own thread: a few read-only connections that the store owns
//! (rusqlite, on the same SQLite library as sqlx), taken from a shelf, used and put back
//! without leaving the calling thread.
//!
//! A read through the sqlx pool hands its query to the connection's worker thread and gets
//! every row back through a channel, each column value copied on the way: under a list load
//! on 2 cores those hand-offs, their thread switches and the copies were about half the
//! server's time (docs/benchmarks.md). A page of 25 memories takes SQLite some tens of
//! microseconds, less than the hand-offs, so it runs here directly.
//!
//! A read must stay short, since it holds the async runtime's thread: each gets a budget of
//! SQLite virtual-machine steps ([`STEP_BUDGET`], checked by SQLite's progress handler).
//! A read that goes past it (a deep offset, a rare category among many memories) is
//! interrupted, and the caller runs it again through the pool. So does a read that finds the
//! database busy or fails in any other way: these connections are a fast path, never the
//! only one.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use omi_model::{DevMemoryListParams, Memory, Uid};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, ToSql};

use crate::store::StoreResult;
use crate::store::page_bounds;
use crate::store::rows::MemoryRow;
use crate::store::sql::memories_list;

/// SQLite calls the progress handler after about this many virtual-machine steps.
const STEPS_PER_CHECK: i32 = 1_000;

/// The most virtual-machine steps one read may take, in [`STEPS_PER_CHECK`]s: about a
/// millisecond here, some twenty times what a first page of 25 memories takes.
const STEP_BUDGET: u32 = 200;

/// How long a read waits for a lock before it gives up (and the pool reads instead).
const BUSY_TIMEOUT: Duration = Duration::from_millis(5);

/// Prepared statements each connection keeps.
const CACHED_STATEMENTS: usize = 32;

/// One owned read-only connection and the step counter its progress handler reads.
struct OwnedConnection {
    conn: Connection,
    /// Progress-handler calls since the current read began.
    checks: Arc<AtomicU32>,
}

impl OwnedConnection {
    /// Open `path` read-only, each read allowed `budget` progress checks; `None` unless it
    /// is a WAL database that exists (so never an in-memory database, which another
    /// connection cannot share this way).
    fn open(path: &Path, budget: u32) -> Option<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).ok()?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .ok()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return None;
        }
        conn.busy_timeout(BUSY_TIMEOUT).ok()?;
        // Without the query planner stability guarantee, a statement whose plan looked at a
        // bound value (every `LIMIT ?`: SQLite checks whether the limit is a small integer)
        // is prepared again each time that parameter is bound: a parse per page read.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .ok()?;
        conn.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
        let checks = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&checks);
        conn.progress_handler(
            STEPS_PER_CHECK,
            Some(move || counted.fetch_add(1, Ordering::Relaxed) >= budget),
        )
        .ok()?;
        Some(Self { conn, checks })
    }

    /// Run `read` with a fresh step budget.
    fn read<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Option<T> {
        self.checks.store(0, Ordering::Relaxed);
        match read(&self.conn) {
            Ok(value) => Some(value),
            Err(e) => {
                tracing::debug!(error = %e, "owned read gave up; the pool reads instead");
                None
            }
        }
    }
}

/// The store's owned read connections: a shelf of idle ones, a new one opened when the shelf
/// is empty, at most `keep` put back.
pub(super) struct OwnedReads {
    path: std::path::PathBuf,
    idle: Mutex<Vec<OwnedConnection>>,
    keep: usize,
    /// Progress checks each read may take ([`STEP_BUDGET`]).
    budget: u32,
}

impl std::fmt::Debug for OwnedReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedReads")
            .field("path", &self.path)
            .field("keep", &self.keep)
            .finish_non_exhaustive()
    }
}

impl OwnedReads {
    /// Owned reads of the database file at `path`, keeping up to `keep` idle connections;
    /// `None` when it cannot be opened that way (an in-memory database): every read then goes
    /// through the pool.
    pub(super) fn open(path: &Path, keep: usize) -> Option<Self> {
        Self::with_budget(path, keep, STEP_BUDGET)
    }

    /// [`open`](Self::open) with another step budget, in progress checks.
    fn with_budget(path: &Path, keep: usize, budget: u32) -> Option<Self> {
        let first = OwnedConnection::open(path, budget)?;
        Some(Self {
            path: path.to_owned(),
            idle: Mutex::new(vec![first]),
            keep: keep.max(1),
            budget,
        })
    }

    /// Run `read` on an idle connection (or a new one) on this thread; `None` when it could
    /// not (no connection, over its budget, busy, any error).
    fn read<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Option<T> {
        let taken = self.shelf().pop();
        let conn = taken.or_else(|| OwnedConnection::open(&self.path, self.budget))?;
        let value = conn.read(read);
        let mut shelf = self.shelf();
        if shelf.len() < self.keep {
            shelf.push(conn);
        }
        value
    }

    /// The idle connections (a panic elsewhere while the lock was held cannot leave the
    /// vector half-changed: it is only pushed to and popped from).
    fn shelf(&self) -> std::sync::MutexGuard<'_, Vec<OwnedConnection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A page of a user's memories as [`memories_list`] selects it; `None` when it could not
    /// be read here.
    pub(super) fn memory_page(
        &self,
        uid: &Uid,
        params: &DevMemoryListParams,
    ) -> Option<StoreResult<Vec<Memory>>> {
        let query = memories_list::<sqlx::Sqlite>(uid, params);
        // The builder's `?` placeholders in its order: the uid, each category, limit, offset.
        let (limit, offset) = page_bounds(&params.page);
        let uid = uid.as_str();
        let mut args: Vec<&dyn ToSql> = vec![&uid];
        let categories: Vec<&str> = params.categories.iter().map(|c| c.as_str()).collect();
        args.extend(categories.iter().map(|c| c as &dyn ToSql));
        args.push(&limit);
        args.push(&offset);
        let rows = self.read(|conn| {
            let mut statement = conn.prepare_cached(query.sql().as_str())?;
            let rows = statement.query_map(args.as_slice(), MemoryRow::from_owned_row)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        Some(rows.into_iter().map(MemoryRow::into_memory).collect())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration as Age, Utc};
    use omi_model::{DevMemoryListParams, ListMemoriesQuery, MemoryCategory, Uid, Visibility};
    use proptest::prelude::*;

    use super::*;
    use crate::store::MemoryRecord;
    use crate::store::prelude::*;
    use crate::store::sqlite::SqliteStore;
    use crate::store::sqlite::tests::store;

    /// The same store with every read through the pool.
    fn pool_only(store: &SqliteStore) -> SqliteStore {
        SqliteStore {
            owned: None,
            ..store.clone()
        }
    }

    fn uid(name: &str) -> Uid {
        Uid::try_from(name.to_owned()).unwrap()
    }

    fn record(content: &str, category: MemoryCategory, age_seconds: i64) -> MemoryRecord {
        MemoryRecord {
            id: crate::keys::new_id(),
            content: content.into(),
            category,
            visibility: Visibility::Private,
            tags: vec!["タグ".into(), "🏷️".into()],
            created_at: Utc::now() - Age::seconds(age_seconds),
            manually_added: age_seconds % 2 == 0,
            app_id: None,
            conversation_id: None,
            origin: omi_model::MemoryOrigin::default(),
        }
    }

    fn params(limit: i64, offset: i64, categories: &[MemoryCategory]) -> DevMemoryListParams {
        DevMemoryListParams {
            page: ListMemoriesQuery {
                limit: Some(limit),
                offset: Some(offset),
            }
            .validate()
            .unwrap(),
            categories: categories.to_vec(),
        }
    }

    const CATEGORIES: [MemoryCategory; 3] = [
        MemoryCategory::System,
        MemoryCategory::Interesting,
        MemoryCategory::Work,
    ];

    /// Sixty memories of `name` in three categories, with ties in scoring and age.
    async fn sixty(store: &SqliteStore, name: &str) {
        let records: Vec<_> = (0..60)
            .map(|i| {
                let content = format!("{name} の記憶 {i} 🧠 e\u{301}");
                record(&content, CATEGORIES[i % 3], i64::try_from(i / 4).unwrap())
            })
            .collect();
        store
            .insert_memories(&uid(name), &records, None, None)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn owned_pages_are_the_pool_pages() {
        let (store, _dir) = store().await;
        sixty(&store, "alice").await;
        sixty(&store, "bob").await;
        let owned = store
            .owned
            .as_ref()
            .expect("a file database has owned reads");
        for categories in [&[][..], &CATEGORIES[..1], &CATEGORIES[1..]] {
            for (limit, offset) in [
                (25, 0),
                (1, 0),
                (7, 3),
                (100, 0),
                (25, 59),
                (25, 60),
                (5, 1000),
            ] {
                let wanted = params(limit, offset, categories);
                let here = owned
                    .memory_page(&uid("alice"), &wanted)
                    .expect("read here");
                let pooled = pool_only(&store)
                    .list_memories(&uid("alice"), &wanted)
                    .await;
                assert_eq!(
                    here.unwrap(),
                    pooled.unwrap(),
                    "{limit} {offset} {categories:?}"
                );
            }
        }
        let page = store
            .list_memories(&uid("alice"), &params(100, 0, &[]))
            .await
            .unwrap();
        assert_eq!(page.len(), 60);
        assert!(page.iter().all(|m| m.content.starts_with("alice の記憶")));
    }

    #[tokio::test]
    async fn a_read_over_its_budget_is_read_by_the_pool() {
        let (store, dir) = store().await;
        let records: Vec<_> = (0..300)
            .map(|i| record(&format!("長い一覧 {i}"), MemoryCategory::System, i))
            .collect();
        store
            .insert_memories(&uid("alice"), &records, None, None)
            .await
            .unwrap();
        // A budget of no progress check: a read of more than about 1 000 steps stops.
        let tight = OwnedReads::with_budget(&dir.path().join("t.sqlite"), 1, 0).unwrap();
        let whole = params(300, 0, &[]);
        assert!(
            tight.memory_page(&uid("alice"), &whole).is_none(),
            "interrupted"
        );
        assert!(
            tight
                .memory_page(&uid("alice"), &params(1, 0, &[]))
                .is_some(),
            "short"
        );
        let fallback = SqliteStore {
            owned: Some(Arc::new(tight)),
            ..store.clone()
        };
        let page = fallback.list_memories(&uid("alice"), &whole).await.unwrap();
        assert_eq!(
            page,
            pool_only(&store)
                .list_memories(&uid("alice"), &whole)
                .await
                .unwrap()
        );
        assert_eq!(page.len(), 300);
    }

    /// Store one memory of `content` for user `u`; how many the list then shows.
    async fn add_and_count(store: &SqliteStore, content: &str) -> usize {
        let record = record(content, MemoryCategory::System, 0);
        store
            .insert_memories(&uid("u"), &[record], None, None)
            .await
            .unwrap();
        let page = store.list_memories(&uid("u"), &params(100, 0, &[])).await;
        page.unwrap().len()
    }

    #[tokio::test]
    async fn owned_reads_see_each_acknowledged_write_and_keep_few_connections() {
        let (store, _dir) = store().await;
        for i in 0..20 {
            assert_eq!(add_and_count(&store, &format!("fact {i} 🎉")).await, i + 1);
        }
        let owned = store.owned.as_ref().unwrap();
        assert_eq!(
            owned.shelf().len(),
            1,
            "reads one at a time share one connection"
        );
    }

    #[tokio::test]
    async fn an_in_memory_database_reads_through_the_pool() {
        let store = SqliteStore::open("sqlite::memory:", 1).await.unwrap();
        assert!(store.owned.is_none());
        assert_eq!(add_and_count(&store, "in memory").await, 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        /// Any Unicode text comes back from an owned read as the pool reads it.
        #[test]
        fn any_text_reads_back_the_same(contents in prop::collection::vec("\\PC{1,40}", 1..6)) {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                let (store, _dir) = store().await;
                let records: Vec<_> = contents
                    .iter()
                    .map(|c| record(c, MemoryCategory::Other, 0))
                    .collect();
                let me = uid("p");
                store.insert_memories(&me, &records, None, None).await.unwrap();
                let wanted = params(25, 0, &[]);
                let here = store.owned.as_ref().unwrap().memory_page(&me, &wanted).unwrap();
                let pooled = pool_only(&store).list_memories(&me, &wanted).await.unwrap();
                assert_eq!(here.unwrap(), pooled);
            });
        }
    }
}
