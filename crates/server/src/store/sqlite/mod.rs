//! The embedded store: one SQLite file in WAL mode.
//!
//! SQLite allows one writer at a time, so writes go through a pool of exactly one connection
//! (more would only add lock waits) and reads through a pool of read-only connections, which
//! WAL lets run beside the writer. Writes of more than one statement share transactions
//! through the group commit. The statements themselves are the ones the PostgreSQL store runs
//! (`store/sql`).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

mod checkpointer;
mod group_commit;
mod owned_reads;
mod search_pending;
mod word_index;
mod writer_core;

use group_commit::GroupCommit;
use owned_reads::OwnedReads;

use super::rows::map_err;
use super::sql::Backend;
use super::{StoreError, StoreResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// When SQLite makes a commit durable (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// Every commit is synced to disk before it is acknowledged: an acknowledged write
    /// survives a power loss or an OS crash (the default; the group commit spreads the cost
    /// of the sync over every write of a batch).
    #[default]
    Full,
    /// The write-ahead log is synced at checkpoints only: an application crash loses nothing,
    /// but a power loss or an OS crash can lose the last acknowledged writes.
    Normal,
}

impl Synchronous {
    /// The pragma's value.
    fn pragma(self) -> SqliteSynchronous {
        match self {
            Self::Full => SqliteSynchronous::Full,
            Self::Normal => SqliteSynchronous::Normal,
        }
    }
}

/// How the SQLite store opens its database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Read connections beside the one writer (at least 1).
    pub readers: u32,
    /// When a commit is durable.
    pub synchronous: Synchronous,
    /// Pin the writer's two threads (the group commit's and its connection's) to one core,
    /// so that their hand-offs stay on it (`writer_core`). On by default; off leaves them to
    /// the scheduler, say when many servers share a few cores.
    pub pin_writer: bool,
}

impl SqliteOptions {
    /// Read connections per available core by default. Each read is a hand-off to its
    /// connection's thread and back, so a connection spends much of its time waiting for the
    /// next query: on 2 cores lists ran about 1.2 times as fast with 8 readers as with 2,
    /// and more so on a busy machine (docs/benchmarks.md).
    pub const READERS_PER_CORE: u32 = 4;

    /// The most read connections by default, however many cores.
    pub const MAX_DEFAULT_READERS: u32 = 64;

    /// [`READERS_PER_CORE`](Self::READERS_PER_CORE) per core this process may use, at least
    /// that many and at most [`MAX_DEFAULT_READERS`](Self::MAX_DEFAULT_READERS).
    pub fn default_readers() -> u32 {
        let cores = std::thread::available_parallelism()
            .map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX));
        cores
            .saturating_mul(Self::READERS_PER_CORE)
            .clamp(Self::READERS_PER_CORE, Self::MAX_DEFAULT_READERS)
    }
}

impl Default for SqliteOptions {
    /// [`default_readers`](Self::default_readers), commits synced ([`Synchronous::Full`]),
    /// the writer pinned.
    fn default() -> Self {
        Self {
            readers: Self::default_readers(),
            synchronous: Synchronous::Full,
            pin_writer: true,
        }
    }
}

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
    /// Read connections used on the calling thread for short reads (`owned_reads`); `None`
    /// for an in-memory database.
    owned: Option<Arc<OwnedReads>>,
    /// The connection of the WAL checkpoints (`checkpointer`).
    checkpoints: SqlitePool,
    /// Held by every handle of the store: the checkpoints stop when the last one is dropped.
    _alive: Arc<()>,
    group: GroupCommit,
    /// The names of the writer's threads.
    #[cfg_attr(not(test), allow(dead_code))]
    threads: writer_core::ThreadNames,
}

impl SqliteStore {
    /// Open (creating if missing) the database at `url` (`sqlite://path` or `sqlite:path`),
    /// apply the embedded migrations, and use `readers` read connections; commits are
    /// synced ([`Synchronous::Full`]).
    pub async fn open(url: &str, readers: u32) -> StoreResult<Self> {
        Self::open_with(
            url,
            SqliteOptions {
                readers,
                ..SqliteOptions::default()
            },
        )
        .await
    }

    /// [`open`](Self::open) with every option.
    pub async fn open_with(url: &str, options: SqliteOptions) -> StoreResult<Self> {
        let SqliteOptions {
            readers,
            synchronous,
            pin_writer,
        } = options;
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Internal(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous.pragma())
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .pragma(
                "wal_autocheckpoint",
                checkpointer::WRITER_CHECKPOINT_PAGES.to_string(),
            );
        let core = if pin_writer {
            writer_core::chosen()
        } else {
            None
        };
        // The writer keeps SQLite's temporary files in memory. A statement that fires a
        // trigger (a memory insert does) is journaled so that it can roll back alone; that
        // statement journal grows over every statement of a group-commit transaction and,
        // on disk, spilled to a new temporary file past 64 KiB: under load about 1 MB
        // written per commit, a third of the writer's time (docs/benchmarks.md).
        let threads = writer_core::ThreadNames::next();
        let connection_thread = threads.connection.clone();
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    match core {
                        Some(core) => writer_core::pin_connection(conn, core).await,
                        None => Ok(()),
                    }
                })
            })
            .connect_with(
                options
                    .clone()
                    .pragma("temp_store", "memory")
                    .thread_name(move |_| connection_thread.clone()),
            )
            .await
            .map_err(map_err)?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|e| StoreError::Internal(format!("migrations failed: {e}")))?;
        let checkpoints = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(map_err)?;
        let owned = OwnedReads::open(options.get_filename(), readers as usize).map(Arc::new);
        let readers = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await
            .map_err(map_err)?;
        word_index::backfill(&writer).await?;
        crate::store::sql::backfill_search_terms(&writer).await?;
        search_pending::move_left_over(&writer).await?;
        let group = GroupCommit::start(writer.clone(), threads.writer.clone(), core)?;
        let alive = Arc::new(());
        checkpointer::start(checkpoints.clone(), Arc::downgrade(&alive));
        Ok(Self {
            writer,
            readers,
            owned,
            checkpoints,
            _alive: alive,
            group,
            threads,
        })
    }

    /// Close the pools, waiting for connections to finish; the checkpoints stop with them.
    pub async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
        self.checkpoints.close().await;
    }
}

impl Backend for SqliteStore {
    type Db = sqlx::Sqlite;

    /// The read-only connections.
    fn readers(&self) -> &SqlitePool {
        &self.readers
    }

    /// The writer, for writes of a single statement.
    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// On an owned connection, when it can be read there in its step budget.
    fn memory_page_here(
        &self,
        uid: &omi_model::Uid,
        params: &omi_model::DevMemoryListParams,
    ) -> Option<StoreResult<Vec<omi_model::Memory>>> {
        self.owned.as_ref()?.memory_page(uid, params)
    }

    /// `Err` when the writer task has stopped: no write can succeed, so the store is not
    /// ready whatever the readers say.
    fn check_writer(&self) -> StoreResult<()> {
        if self.group.is_running() {
            Ok(())
        } else {
            Err(StoreError::Unavailable(
                "the SQLite writer has stopped".into(),
            ))
        }
    }

    /// Run `op` over `data` in the next group-commit transaction; resolves once that
    /// committed. `op` may run more than once, its earlier runs rolled back.
    async fn write<D, T, F>(&self, data: D, op: F) -> StoreResult<T>
    where
        D: Send + Sync + 'static,
        T: Send + 'static,
        F: for<'c> Fn(&'c mut SqliteConnection, &'c D) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + Sync
            + 'static,
    {
        self.group.write(data, op).await
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use omi_model::{DevMemoryListParams, Uid};

    use super::*;
    use crate::store::prelude::*;
    use crate::store::{ConversationRecord, MemoryRecord, NewJob};

    /// A store on a new database file in a temporary directory (kept while it lives).
    pub(super) async fn store() -> (SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        (SqliteStore::open(&url, 2).await.unwrap(), dir)
    }

    use crate::store::fixtures::memory;

    fn uid() -> Uid {
        Uid::try_from("u1".to_owned()).unwrap()
    }

    fn conversation(id: &str) -> (ConversationRecord, NewJob) {
        crate::store::fixtures::queued_conversation(&uid(), id, "hello")
    }

    #[tokio::test]
    async fn concurrent_writes_are_all_committed() {
        let (store, _dir) = store().await;
        let writes = (0..200).map(|i| {
            let store = store.clone();
            async move {
                store
                    .insert_memories(&uid(), &[memory(&format!("fact {i}"))], None, None)
                    .await
            }
        });
        let results = futures::future::join_all(writes).await;
        assert!(results.iter().all(Result::is_ok));
        let params = DevMemoryListParams {
            page: omi_model::ListMemoriesQuery {
                limit: Some(1000),
                offset: None,
            }
            .validate()
            .unwrap(),
            categories: vec![],
        };
        assert_eq!(
            store.list_memories(&uid(), &params).await.unwrap().len(),
            200
        );
    }

    #[tokio::test]
    async fn a_failing_write_in_a_group_rolls_back_alone() {
        let (store, _dir) = store().await;
        let (dup, dup_job) = conversation("same-id");
        store
            .insert_conversation(&dup, &dup_job, None)
            .await
            .unwrap();
        let (ok, ok_job) = conversation("other-id");
        let (again, again_job) = (dup.clone(), dup_job.clone());
        let (first, second) = tokio::join!(
            store.insert_conversation(&again, &again_job, None),
            store.insert_conversation(&ok, &ok_job, None)
        );
        assert!(matches!(first, Err(StoreError::Conflict(_))));
        second.unwrap();
        assert!(
            store
                .conversation(&uid(), "other-id")
                .await
                .unwrap()
                .is_some()
        );
        // The failed write's job was rolled back with it: two jobs, not three.
        assert_eq!(store.queue_depth().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn a_group_with_a_failing_write_commits_every_other_write_exactly_once() {
        let (store, _dir) = store().await;
        let (dup, dup_job) = conversation("taken");
        store
            .insert_conversation(&dup, &dup_job, None)
            .await
            .unwrap();
        // Forty writes queued at once, the twentieth failing: the group's first run is
        // rolled back and the writes run again one savepoint each.
        let writes = (0..40).map(|i| {
            let store = store.clone();
            let (c, job) = if i == 19 {
                (dup.clone(), dup_job.clone())
            } else {
                conversation(&format!("c{i}"))
            };
            async move { store.insert_conversation(&c, &job, None).await }
        });
        let results = futures::future::join_all(writes).await;
        for (i, result) in results.iter().enumerate() {
            if i == 19 {
                assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
            } else {
                assert!(result.is_ok(), "write {i}: {result:?}");
            }
        }
        // One job for the first conversation and one for each of the 39 that succeeded:
        // no write's job was stored twice by the rerun, and the failed one's not at all.
        assert_eq!(store.queue_depth().await.unwrap(), 40);
    }

    #[tokio::test]
    async fn a_new_memory_is_answered_as_it_reads_back() {
        let (store, _dir) = store().await;
        let mut record = memory("User keeps bees.");
        record.tags = vec!["hobby".into()];
        record.app_id = Some("app-1".into());
        record.manually_added = false;
        let created = store
            .insert_memories(&uid(), &[record], None, None)
            .await
            .unwrap()
            .remove(0);
        let read = store.memory(&uid(), &created.id).await.unwrap().unwrap();
        assert_eq!(created, read);
    }

    #[tokio::test]
    async fn a_write_alone_in_its_transaction_that_fails_leaves_nothing() {
        use crate::store::ActionItemRecord;
        let (store, _dir) = store().await;
        let item = ActionItemRecord {
            id: "same-id".into(),
            description: "Call Anna".into(),
            completed: false,
            created_at: Utc::now(),
            due_at: None,
            completed_at: None,
            conversation_id: None,
        };
        // The first row is inserted, the second conflicts: the whole write must be undone.
        let failed = store
            .insert_action_items(&uid(), &[item.clone(), item], None)
            .await;
        assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
        assert!(
            store
                .action_item(&uid(), "same-id")
                .await
                .unwrap()
                .is_none(),
            "the failed write's first row was rolled back"
        );
    }

    #[tokio::test]
    async fn the_same_content_is_one_memory() {
        let (store, _dir) = store().await;
        let a = store
            .insert_memories(&uid(), &[memory("User likes tea.")], None, None)
            .await
            .unwrap();
        let b = store
            .insert_memories(&uid(), &[memory("  user LIKES   tea ")], None, None)
            .await
            .unwrap();
        assert_eq!(a[0].id, b[0].id);
    }

    #[tokio::test]
    async fn a_claimed_job_is_claimable_again_after_its_lease() {
        let (store, _dir) = store().await;
        let (c, job) = conversation("c1");
        store.insert_conversation(&c, &job, None).await.unwrap();
        let now = Utc::now();
        let lease = chrono::Duration::seconds(30);
        let claimed = store.claim_job(now, now + lease).await.unwrap().unwrap();
        assert_eq!(claimed.attempts, 1);
        assert!(store.claim_job(now, now + lease).await.unwrap().is_none());
        let later = now + lease + chrono::Duration::seconds(1);
        let again = store
            .claim_job(later, later + lease)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.id, again.attempts), (claimed.id, 2));
    }

    #[tokio::test]
    async fn nothing_found_in_a_conversation_deleted_while_processing_is_kept() {
        use omi_extract::ProcessedConversation;
        use omi_model::{ListActionItemsQuery, StructuredActionItem};
        let (store, _dir) = store().await;
        let (c, job) = conversation("gone");
        store.insert_conversation(&c, &job, None).await.unwrap();
        let now = Utc::now();
        let claimed = store
            .claim_job(now, now + chrono::Duration::seconds(30))
            .await
            .unwrap()
            .unwrap();
        assert!(store.delete_conversation(&uid(), "gone").await.unwrap());
        let processed = ProcessedConversation {
            action_items: vec![StructuredActionItem {
                description: "Book the cabin".into(),
                completed: false,
            }],
            ..ProcessedConversation::default()
        };
        let mut found = memory("User loves hiking.");
        found.conversation_id = Some("gone".into());
        store
            .complete_conversation_job(&claimed, &processed, &[found], now)
            .await
            .unwrap();
        assert_eq!(store.queue_depth().await.unwrap(), 0, "the job is done");
        let page = DevMemoryListParams {
            page: omi_model::ListMemoriesQuery::default().validate().unwrap(),
            categories: vec![],
        };
        let memories = store.list_memories(&uid(), &page).await.unwrap();
        assert!(memories.is_empty(), "{memories:?}");
        let items = ListActionItemsQuery::default().validate().unwrap();
        let items = store.list_action_items(&uid(), &items).await.unwrap();
        assert!(items.is_empty(), "{items:?}");
    }

    /// A stored conversation `id`, made `completed` so the developer list shows it.
    async fn completed_conversation(store: &SqliteStore, id: &str) {
        let (c, job) = conversation(id);
        store.insert_conversation(&c, &job, None).await.unwrap();
        sqlx::query("UPDATE conversations SET status = 'completed' WHERE id = $1")
            .bind(id)
            .execute(&store.writer)
            .await
            .unwrap();
    }

    /// The names of the columns `q` reads, in order.
    async fn columns_read(
        store: &SqliteStore,
        mut q: sqlx::QueryBuilder<sqlx::Sqlite>,
    ) -> Vec<String> {
        use sqlx::{Column, Row};
        let rows = q.build().fetch_all(&store.readers).await.unwrap();
        let row = rows.first().expect("the list has a row");
        row.columns().iter().map(|c| c.name().to_owned()).collect()
    }

    #[track_caller]
    fn same_columns(read: &[String], expected: &str, what: &str) {
        let expected: Vec<&str> = expected.split(", ").collect();
        assert_eq!(
            read, expected,
            "{what} reads exactly the columns of its answer"
        );
    }

    #[tokio::test]
    async fn lists_read_only_the_columns_they_return() {
        use crate::store::ActionItemRecord;
        use crate::store::sql::lists::{
            action_items_list, conversations_list, dev_conversations_list, memories_list,
        };
        use omi_model::{ListActionItemsQuery, ListConversationsQuery, ListDevConversationsQuery};
        let (store, _dir) = store().await;
        completed_conversation(&store, "c1").await;
        store
            .insert_memories(&uid(), &[memory("User likes tea")], None, None)
            .await
            .unwrap();
        let item = ActionItemRecord {
            id: "a1".into(),
            description: "Buy tea".into(),
            completed: false,
            created_at: Utc::now(),
            due_at: None,
            completed_at: None,
            conversation_id: None,
        };
        store
            .insert_action_items(&uid(), &[item], None)
            .await
            .unwrap();

        let params = ListConversationsQuery::default().validate().unwrap();
        let read = columns_read(&store, conversations_list(&uid(), &params)).await;
        same_columns(
            &read,
            "id, source, language, created_at, started_at, finished_at, status, discarded, \
             geolocation, structured, failure_reason, starred, folder_id, folder_name, \
             transcript_segments, app_id, text, text_source, text_source_spec",
            "the integration conversation list",
        );
        let shown = "id, source, language, created_at, started_at, finished_at, status, \
                     discarded, geolocation, structured, failure_reason, starred, folder_id, \
                     folder_name";
        let mut query = ListDevConversationsQuery::default();
        let params = query.validate().unwrap();
        let read = columns_read(&store, dev_conversations_list(&uid(), &params)).await;
        same_columns(&read, shown, "the developer conversation list");
        query.include_transcript = Some(true);
        let params = query.validate().unwrap();
        let read = columns_read(&store, dev_conversations_list(&uid(), &params)).await;
        same_columns(
            &read,
            &format!("{shown}, transcript_segments"),
            "the developer conversation list with transcripts",
        );
        let params = DevMemoryListParams {
            page: omi_model::ListMemoriesQuery::default().validate().unwrap(),
            categories: vec![],
        };
        let read = columns_read(&store, memories_list(&uid(), &params)).await;
        same_columns(
            &read,
            "id, content, category, visibility, tags, created_at, updated_at, manually_added, \
             scoring, reviewed, user_review, edited, app_id, conversation_id, source_id, \
             source_url",
            "the memory lists",
        );
        let params = ListActionItemsQuery::default().validate().unwrap();
        let read = columns_read(&store, action_items_list(&uid(), &params)).await;
        same_columns(
            &read,
            "id, description, completed, created_at, updated_at, due_at, completed_at, \
             conversation_id",
            "the action item list",
        );
    }

    #[tokio::test]
    async fn the_developer_list_reads_no_text_and_no_transcript_it_does_not_show() {
        use omi_model::{ListConversationsQuery, ListDevConversationsQuery};
        let (store, _dir) = store().await;
        completed_conversation(&store, "c1").await;
        // Values no read can decode: a read of either column fails the whole list.
        sqlx::query("UPDATE conversations SET text = X'FF', transcript_segments = 'not JSON'")
            .execute(&store.writer)
            .await
            .unwrap();
        let mut query = ListDevConversationsQuery::default();
        let listed = store
            .list_dev_conversations(&uid(), &query.validate().unwrap())
            .await
            .expect("a list without transcripts reads neither column");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].text, None);
        assert_eq!(listed[0].transcript_segments, None);
        query.include_transcript = Some(true);
        let with = query.validate().unwrap();
        assert!(
            store.list_dev_conversations(&uid(), &with).await.is_err(),
            "asked for, the transcript is read"
        );
        let all = ListConversationsQuery::default().validate().unwrap();
        assert!(
            store.list_conversations(&uid(), &all).await.is_err(),
            "the integration list shows, so reads, both"
        );
    }

    /// How many rows `sql` (one `$1` parameter) counts.
    async fn count_of(store: &SqliteStore, sql: &'static str, arg: &str) -> i64 {
        sqlx::query_scalar(sql)
            .bind(arg)
            .fetch_one(&store.writer)
            .await
            .unwrap()
    }

    async fn hook(store: &SqliteStore, events: &[omi_model::WebhookEvent]) {
        let webhook = crate::store::WebhookRecord {
            id: crate::keys::new_id(),
            uid: uid(),
            url: "https://example.com/hook".into(),
            description: None,
            events: omi_model::WebhookEvents::from_events(events),
            secret: "whsec_test".into(),
            created_at: Utc::now(),
        };
        store.insert_webhook(&webhook, None).await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn an_upsert_indexes_what_it_inserts_returns_what_was_stored_and_announces_if_heard() {
        use omi_model::WebhookEvent;
        const WORDS: &str = "SELECT COUNT(*) FROM memory_words WHERE memory_id = $1";
        const DELIVERIES: &str = "SELECT COUNT(*) FROM webhook_deliveries WHERE event = $1";
        let (store, _dir) = store().await;
        let content = "User loves hiking 山登りが好き 🏔";
        hook(&store, &[WebhookEvent::MemoryDeleted]).await;
        let first = store
            .insert_memories(&uid(), &[memory(content)], None, None)
            .await
            .unwrap();
        let indexed = count_of(&store, WORDS, &first[0].id).await;
        assert!(indexed > 0, "a new memory is indexed under its words");
        assert_eq!(
            count_of(&store, DELIVERIES, "memory.created").await,
            0,
            "no webhook hears memory.created yet"
        );
        hook(&store, &[WebhookEvent::MemoryCreated]).await;
        let again = store
            .insert_memories(
                &uid(),
                &[memory(content), memory("User has a cat")],
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            again[0], first[0],
            "the same content answers the memory stored"
        );
        assert_ne!(again[1].id, first[0].id);
        assert_eq!(count_of(&store, WORDS, &first[0].id).await, indexed);
        assert!(count_of(&store, WORDS, &again[1].id).await > 0);
        assert_eq!(
            count_of(&store, DELIVERIES, "memory.created").await,
            1,
            "only the memory inserted is announced"
        );
    }

    async fn sharing(store: &SqliteStore, content: &str) -> Vec<String> {
        let words = omi_extract::identity::content_words(content);
        store
            .near_duplicate_candidates(&uid(), &[words], 100)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_common_word_pairs_only_its_newest_memories() {
        let (store, _dir) = store().await;
        crate::store::fixtures::a_common_word_pairs_only_its_newest_memories(&store).await;
    }

    #[tokio::test]
    async fn memories_sharing_enough_words_are_near_duplicate_candidates() {
        let (store, _dir) = store().await;
        let stored = [
            "User loves hiking in the Alps",
            "User has a sister named Anna",
            "User likes green tea",
        ];
        let records: Vec<_> = stored.iter().map(|c| memory(c)).collect();
        store
            .insert_memories(&uid(), &records, None, None)
            .await
            .unwrap();
        let found = sharing(&store, "User enjoys hiking in the alps").await;
        assert_eq!(
            found.first().map(String::as_str),
            Some("User loves hiking in the Alps"),
            "the memory sharing the most words comes first: {found:?}"
        );
        assert!(
            !found.iter().any(|c| c.contains("sister")),
            "a memory sharing no word is no candidate: {found:?}"
        );
        assert!(sharing(&store, "User plays the cello").await.is_empty());
        let other = Uid::try_from("u2".to_owned()).unwrap();
        let words = omi_extract::identity::content_words("User likes green tea");
        assert!(
            store
                .near_duplicate_candidates(&other, &[words], 100)
                .await
                .unwrap()
                .is_empty(),
            "another user's memories are never candidates"
        );
    }

    /// Claim with a lease that has already run out, as if the worker died at once.
    async fn claim_and_die(store: &SqliteStore) -> Option<crate::store::Job> {
        let now = Utc::now();
        store.claim_job(now, now).await.unwrap()
    }

    #[tokio::test]
    async fn a_job_whose_worker_dies_every_time_fails_after_its_attempts_and_the_queue_moves_on() {
        let (store, _dir) = store().await;
        let (poison, mut poison_job) = conversation("poison");
        poison_job.max_attempts = 2;
        store
            .insert_conversation(&poison, &poison_job, None)
            .await
            .unwrap();
        assert_eq!(claim_and_die(&store).await.unwrap().attempts, 1);
        assert_eq!(claim_and_die(&store).await.unwrap().attempts, 2);
        let (next, next_job) = conversation("next");
        store
            .insert_conversation(&next, &next_job, None)
            .await
            .unwrap();
        // The poison job's lease ran out a third time: it is failed, the next job claimed.
        let claimed = claim_and_die(&store).await.unwrap();
        assert_eq!(claimed.task.subject_id(), Some("next"));
        let failed = store.conversation(&uid(), "poison").await.unwrap().unwrap();
        assert_eq!(
            failed.status,
            Some(omi_model::ConversationStatus::Failed),
            "{failed:?}"
        );
        assert_eq!(
            store.queue_depth().await.unwrap(),
            1,
            "only the next job is left"
        );
    }

    #[tokio::test]
    async fn a_job_row_that_cannot_be_read_is_failed_not_claimed_again() {
        let (store, _dir) = store().await;
        sqlx::query(
            "INSERT INTO jobs (kind, uid, subject_id, payload, status, attempts, max_attempts, \
             run_after, created_at, updated_at) VALUES ('no_such_kind', 'u1', NULL, '{}', \
             'queued', 0, 5, 0, 0, 0)",
        )
        .execute(store.writer())
        .await
        .unwrap();
        let (c, job) = conversation("readable");
        store.insert_conversation(&c, &job, None).await.unwrap();
        let claimed = claim_and_die(&store).await.unwrap();
        assert_eq!(claimed.task.subject_id(), Some("readable"));
        let status: String =
            sqlx::query_scalar("SELECT status FROM jobs WHERE kind = 'no_such_kind'")
                .fetch_one(store.readers())
                .await
                .unwrap();
        assert_eq!(status, "failed");
    }

    #[tokio::test]
    async fn each_group_gets_its_own_candidates_from_one_lookup() {
        let (store, _dir) = store().await;
        let mut stored: Vec<String> = (0..5)
            .map(|i| format!("User likes green tea number{i}"))
            .collect();
        stored.push("User has a sister named Anna".into());
        let records: Vec<_> = stored.iter().map(|c| memory(c)).collect();
        store
            .insert_memories(&uid(), &records, None, None)
            .await
            .unwrap();
        let groups = [
            omi_extract::identity::content_words("User likes green tea"),
            omi_extract::identity::content_words("User's sister is named Anna"),
        ];
        // Two candidates at most per group: the tea memories cannot crowd out the sister.
        let found = store
            .near_duplicate_candidates(&uid(), &groups, 2)
            .await
            .unwrap();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found.contains(&"User has a sister named Anna".to_owned()),
            "{found:?}"
        );
    }

    #[tokio::test]
    async fn a_word_every_memory_holds_does_not_hide_a_near_duplicate() {
        let (store, _dir) = store().await;
        let target = memory("User likes kayaking on mountain lakes");
        store
            .insert_memories(&uid(), std::slice::from_ref(&target), None, None)
            .await
            .unwrap();
        // Newer memories sharing the common words, more than one word's postings hold.
        let common: Vec<_> = (0..250)
            .map(|i| memory(&format!("User likes number {i}")))
            .collect();
        store
            .insert_memories(&uid(), &common, None, None)
            .await
            .unwrap();
        let found = sharing(&store, "User loves kayaking on mountain lakes").await;
        let first: Vec<_> = found.iter().take(3).collect();
        assert_eq!(found.first(), Some(&target.content), "{first:?}");
    }

    #[tokio::test]
    async fn the_word_index_follows_updates_and_deletes() {
        let (store, _dir) = store().await;
        let m = memory("User likes green tea");
        store
            .insert_memories(&uid(), std::slice::from_ref(&m), None, None)
            .await
            .unwrap();
        let update = omi_model::UpdateMemoryRequest {
            content: Some("User plays the cello".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        store
            .update_memory(&uid(), &m.id, &update, Utc::now())
            .await
            .unwrap();
        assert!(sharing(&store, "User likes green tea").await.is_empty());
        assert_eq!(
            sharing(&store, "User plays cello").await,
            ["User plays the cello"]
        );
        assert!(store.delete_memory(&uid(), &m.id).await.unwrap());
        assert!(sharing(&store, "User plays cello").await.is_empty());
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memory_words")
            .fetch_one(&store.readers)
            .await
            .unwrap();
        assert_eq!(left, 0, "a deleted memory leaves no index rows");
    }

    #[tokio::test]
    async fn memories_stored_before_the_word_index_are_indexed_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = SqliteStore::open(&url, 1).await.unwrap();
        store
            .insert_memories(&uid(), &[memory("User likes green tea")], None, None)
            .await
            .unwrap();
        // As a database migrated from before 0003: memories, no index, the task pending.
        sqlx::query("DELETE FROM memory_words")
            .execute(&store.writer)
            .await
            .unwrap();
        sqlx::query("INSERT INTO store_tasks (name) VALUES ('index_memory_words')")
            .execute(&store.writer)
            .await
            .unwrap();
        store.close().await;
        let store = SqliteStore::open(&url, 1).await.unwrap();
        assert_eq!(
            sharing(&store, "User likes green tea").await,
            ["User likes green tea"]
        );
    }

    #[tokio::test]
    async fn memories_stored_before_the_search_index_are_found_after_open() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.sqlite").display());
        let store = SqliteStore::open(&url, 1).await.unwrap();
        let stored = ["User likes green tea", "ユーザーは東京に住んでいる"];
        let records: Vec<MemoryRecord> = stored.iter().map(|c| memory(c)).collect();
        store
            .insert_memories(&uid(), &records, None, None)
            .await
            .unwrap();
        // As a database migrated from before 0008: no terms, the task pending.
        sqlx::query("UPDATE memories SET search_terms = ''")
            .execute(&store.writer)
            .await
            .unwrap();
        sqlx::query("INSERT INTO store_tasks (name) VALUES ('index_memory_search')")
            .execute(&store.writer)
            .await
            .unwrap();
        let search = |query: &str| omi_model::MemorySearch {
            query: query.to_owned(),
            limit: omi_model::Limit::SEARCH_DEFAULT,
        };
        assert!(
            store
                .search_memories(&uid(), &search("tea"))
                .await
                .unwrap()
                .is_empty()
        );
        store.close().await;
        let store = SqliteStore::open(&url, 1).await.unwrap();
        for (query, content) in [("teas", stored[0]), ("東京", stored[1])] {
            let found = store.search_memories(&uid(), &search(query)).await.unwrap();
            let contents: Vec<&str> = found.iter().map(|i| i.content.as_str()).collect();
            assert_eq!(contents, [content], "{query}");
        }
    }

    /// A search of every conversation for `query`, first page of ten.
    fn conversation_search(query: &str) -> omi_model::ConversationSearch {
        omi_model::ConversationSearch {
            query: query.to_owned(),
            page: 1,
            per_page: 10,
            include_discarded: true,
            start_date: None,
            end_date: None,
            speaker: None,
        }
    }

    /// The ids of `uid`'s conversations a search for `query` finds.
    async fn conversations_found(store: &SqliteStore, query: &str) -> Vec<String> {
        let search = conversation_search(query);
        let found = store.search_conversations(&uid(), &search).await.unwrap();
        found.conversations.into_iter().map(|c| c.id).collect()
    }

    #[tokio::test]
    async fn a_conversation_is_found_by_its_latest_words_at_once_and_not_after_its_delete() {
        let (store, _dir) = store().await;
        let (c, job) =
            crate::store::fixtures::queued_conversation(&uid(), "c1", "東京で kayaking 🛶");
        store.insert_conversation(&c, &job, None).await.unwrap();
        assert_eq!(conversations_found(&store, "kayak").await, ["c1"]);
        assert_eq!(conversations_found(&store, "東京").await, ["c1"]);
        let retitle = |title: &str| omi_model::ConversationUpdate {
            title: Some(title.parse().unwrap()),
            discarded: None,
            starred: None,
            folder: None,
        };
        let now = Utc::now();
        // Two changes in one group commit: the last one is what the index holds.
        let (user, lisbon, porto) = (uid(), retitle("Lisbon trip"), retitle("Porto weekend"));
        let (first, second) = tokio::join!(
            store.update_conversation(&user, "c1", &lisbon, now),
            store.update_conversation(&user, "c1", &porto, now),
        );
        first.unwrap().unwrap();
        second.unwrap().unwrap();
        let latest = store.conversation(&uid(), "c1").await.unwrap().unwrap();
        let title = latest.structured.title.clone();
        let (now_word, old_word) = if title.contains("Porto") {
            ("porto", "lisbon")
        } else {
            ("lisbon", "porto")
        };
        assert_eq!(
            conversations_found(&store, now_word).await,
            ["c1"],
            "{title}"
        );
        assert!(
            conversations_found(&store, old_word).await.is_empty(),
            "{title}"
        );
        assert_eq!(
            conversations_found(&store, "kayak").await,
            ["c1"],
            "the text stays"
        );
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversation_search_pending")
            .fetch_one(&store.writer)
            .await
            .unwrap();
        assert_eq!(pending, 0, "every commit moves what it left pending");
        assert!(store.delete_conversation(&uid(), "c1").await.unwrap());
        assert!(conversations_found(&store, "kayak").await.is_empty());
    }

    #[tokio::test]
    async fn conversations_stored_before_their_search_index_are_found_after_open() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.sqlite").display());
        let store = SqliteStore::open(&url, 1).await.unwrap();
        for (id, text) in [
            ("c1", "We went kayaking on Lake Tahoe"),
            ("c2", "東京の渋谷で会う"),
        ] {
            let (c, job) = crate::store::fixtures::queued_conversation(&uid(), id, text);
            store.insert_conversation(&c, &job, None).await.unwrap();
        }
        // As a database migrated from before 0009: no terms, the task pending.
        sqlx::query("UPDATE conversations SET summary_terms = '', text_terms = ''")
            .execute(&store.writer)
            .await
            .unwrap();
        sqlx::query("INSERT INTO store_tasks (name) VALUES ('index_conversation_search')")
            .execute(&store.writer)
            .await
            .unwrap();
        // The cleared terms into the index, as a group commit would move them.
        search_pending::move_left_over(&store.writer).await.unwrap();
        let search = conversation_search;
        let found = store
            .search_conversations(&uid(), &search("kayak"))
            .await
            .unwrap();
        assert_eq!(found.found, 0);
        store.close().await;
        let store = SqliteStore::open(&url, 1).await.unwrap();
        for (query, id) in [("kayak", "c1"), ("渋谷", "c2")] {
            let found = store
                .search_conversations(&uid(), &search(query))
                .await
                .unwrap();
            let ids: Vec<&str> = found.conversations.iter().map(|c| c.id.as_str()).collect();
            assert_eq!((ids, found.found), (vec![id], 1), "{query}");
        }
    }

    #[tokio::test]
    async fn action_items_stored_before_their_search_index_are_found_after_open() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("a.sqlite").display());
        let store = SqliteStore::open(&url, 1).await.unwrap();
        let item = |description: &str| crate::store::ActionItemRecord {
            id: crate::keys::new_id(),
            description: description.to_owned(),
            completed: false,
            created_at: chrono::Utc::now(),
            due_at: None,
            completed_at: None,
            conversation_id: None,
        };
        let records = [item("Water the orchids"), item("渋谷で花を買う")];
        store
            .insert_action_items(&uid(), &records, None)
            .await
            .unwrap();
        // As a database migrated from before 0010: no terms, the task pending.
        sqlx::query("UPDATE action_items SET search_terms = ''")
            .execute(&store.writer)
            .await
            .unwrap();
        sqlx::query("INSERT INTO store_tasks (name) VALUES ('index_action_item_search')")
            .execute(&store.writer)
            .await
            .unwrap();
        let search = |query: &str| omi_model::RankedSearch {
            query: query.to_owned(),
            start_date: None,
            end_date: None,
            limit: omi_model::Limit::SEARCH_DEFAULT,
            offset: omi_model::Offset::default(),
        };
        assert!(
            store
                .rank_action_items(&uid(), &search("orchid"))
                .await
                .unwrap()
                .is_empty()
        );
        store.close().await;
        let store = SqliteStore::open(&url, 1).await.unwrap();
        for (query, description) in [("orchid", "Water the orchids"), ("渋谷", "渋谷で花を買う")]
        {
            let found = store
                .rank_action_items(&uid(), &search(query))
                .await
                .unwrap();
            let found: Vec<&str> = found.iter().map(|(a, _)| a.description.as_str()).collect();
            assert_eq!(found, [description], "{query}");
        }
        assert_eq!(store.reindex_search().await.unwrap().action_items, 2);
    }

    #[tokio::test]
    async fn a_user_whose_matches_rank_below_another_users_still_finds_them() {
        let (store, _dir) = store().await;
        let crowd = Uid::try_from("crowd".to_owned()).unwrap();
        // 100 short memories of another user, each a better bm25 match than ours.
        let theirs: Vec<MemoryRecord> = (0..100)
            .map(|n| memory(&format!("User hikes trail {n}")))
            .collect();
        store
            .insert_memories(&crowd, &theirs, None, None)
            .await
            .unwrap();
        let long = "User once went on a hike after a long week of meetings, errands, \
                    phone calls, cooking, cleaning and far too much coffee";
        store
            .insert_memories(&uid(), &[memory(long)], None, None)
            .await
            .unwrap();
        let search = omi_model::MemorySearch {
            query: "hike".to_owned(),
            limit: omi_model::Limit::SEARCH_DEFAULT,
        };
        let found = store.search_memories(&uid(), &search).await.unwrap();
        let contents: Vec<&str> = found.iter().map(|i| i.content.as_str()).collect();
        assert_eq!(contents, [long]);
        let theirs_found = store.search_memories(&crowd, &search).await.unwrap();
        assert_eq!(theirs_found.len(), 10, "a full page from the first try");
    }

    #[tokio::test]
    async fn reindex_recomputes_every_memorys_terms() {
        let (store, _dir) = store().await;
        let records = [
            memory("User collects vintage cameras"),
            memory("User bakes bread"),
        ];
        store
            .insert_memories(&uid(), &records, None, None)
            .await
            .unwrap();
        sqlx::query("UPDATE memories SET search_terms = 'stale'")
            .execute(&store.writer)
            .await
            .unwrap();
        assert_eq!(store.reindex_search().await.unwrap().memories, 2);
        let search = omi_model::MemorySearch {
            query: "camera".to_owned(),
            limit: omi_model::Limit::SEARCH_DEFAULT,
        };
        let found = store.search_memories(&uid(), &search).await.unwrap();
        assert_eq!(found.len(), 1);
        let stale = omi_model::MemorySearch {
            query: "stale".to_owned(),
            ..search
        };
        assert!(
            store
                .search_memories(&uid(), &stale)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_search_reads_each_phrase_in_row_order_from_the_full_text_index() {
        use crate::store::sql::{Dialect, MemorySearchSql};
        let (store, _dir) = store().await;
        let MemorySearchSql::Streams(sql) = sqlx::Sqlite::MEMORY_SEARCH else {
            panic!("SQLite searches by the best page");
        };
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "EXPLAIN QUERY PLAN {}",
            sql.stream
        )))
        .bind("\"hike\"")
        .bind(0_i64)
        .bind(32_i64)
        .bind("u")
        .fetch_all(&store.readers)
        .await
        .unwrap();
        let steps: Vec<&str> = plan.iter().map(|p| p.3.as_str()).collect();
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("SCAN memory_search VIRTUAL TABLE INDEX")),
            "{steps:?}"
        );
        // FTS5 hands the matches out in row order (no sort), and each is joined by key.
        assert!(
            steps.iter().all(|s| !s.contains("TEMP B-TREE")),
            "{steps:?}"
        );
        assert!(steps.contains(&"SEARCH r USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN"));
        assert!(steps.contains(&"SEARCH m USING PRIMARY KEY (id=?) LEFT-JOIN"));
    }

    #[tokio::test]
    async fn the_best_page_is_the_head_of_the_whole_ranking() {
        let (store, _dir) = store().await;
        let crowd = Uid::try_from("crowd".to_owned()).unwrap();
        let words = ["hike", "lisbon", "cook", "渋谷", "sushi"];
        let filler = [
            "with", "friends", "on", "the", "weekend", "often", "again", "and",
        ];
        // Memories of every length from 2 to 12 terms holding one to three of the words;
        // the other user's hold them too. No query finds more than 100 of ours, so a page
        // of 100 is the whole ranking (every match read).
        let contents = |salt: usize| -> Vec<String> {
            (0..150)
                .map(|n: usize| {
                    let mut text = format!("note{salt}x{n}");
                    for (k, word) in words.iter().enumerate() {
                        if (n / (k + 1)).is_multiple_of(k + 2) {
                            text.push(' ');
                            text.push_str(word);
                        }
                    }
                    for f in filler.iter().take(n % 9) {
                        text.push(' ');
                        text.push_str(f);
                    }
                    text
                })
                .collect()
        };
        for (who, salt) in [(uid(), 0), (crowd.clone(), 1)] {
            let records: Vec<MemoryRecord> = contents(salt).iter().map(|c| memory(c)).collect();
            for chunk in records.chunks(50) {
                store
                    .insert_memories(&who, chunk, None, None)
                    .await
                    .unwrap();
            }
        }
        for query in [
            "hike",
            "hike lisbon",
            "cook sushi 渋谷",
            "lisbon zzz",
            "渋",
            "zzz",
        ] {
            let search = |limit: u32| omi_model::MemorySearch {
                query: query.to_owned(),
                limit: omi_model::Limit::new_clamped(limit, 100),
            };
            let all = store.search_memories(&uid(), &search(100)).await.unwrap();
            for limit in [1, 3, 10, 25] {
                let page = store.search_memories(&uid(), &search(limit)).await.unwrap();
                let want: Vec<&str> = all
                    .iter()
                    .take(limit as usize)
                    .map(|i| i.id.as_str())
                    .collect();
                let got: Vec<&str> = page.iter().map(|i| i.id.as_str()).collect();
                assert_eq!(got, want, "{query} limit {limit}");
            }
            assert!(
                all.iter().all(|i| i.content.starts_with("note0x")),
                "{query}"
            );
        }
    }

    /// Memories of `uid()` and another user, 600 each, of 1 to 30 terms, holding each of
    /// `words` when `holds(word's index, draw)` says so for a fixed pseudo-random draw.
    async fn varied_store(
        words: &[&str],
        holds: fn(usize, u64) -> bool,
    ) -> (SqliteStore, tempfile::TempDir) {
        let (store, dir) = store().await;
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for who in [uid(), Uid::try_from("crowd".to_owned()).unwrap()] {
            let mut records = Vec::new();
            for n in 0..600 {
                let mut text = format!("note{n}");
                for (k, word) in words.iter().enumerate() {
                    if holds(k, next()) {
                        text.push(' ');
                        text.push_str(word);
                    }
                }
                for _ in 0..next() % 25 {
                    text.push_str(" filler");
                }
                records.push(memory(&text));
            }
            for chunk in records.chunks(100) {
                store
                    .insert_memories(&who, chunk, None, None)
                    .await
                    .unwrap();
            }
        }
        (store, dir)
    }

    /// Many memories holding several of a query's words, of many lengths, for both users,
    /// with the words about as common as each other and then of falling frequency: a search
    /// of several words stops on the stream of memories holding them all, and its page must
    /// still be the head of a search that read every match.
    #[tokio::test]
    async fn a_page_found_through_memories_holding_every_word_is_the_head_of_the_ranking() {
        use crate::store::sql::{Dialect, MemorySearchSql, memory_search::best_page};
        let MemorySearchSql::Streams(sql) = sqlx::Sqlite::MEMORY_SEARCH else {
            panic!("SQLite searches by the best page");
        };
        let words = ["hike", "lisbon", "cook", "東京"];
        let mixes: [fn(usize, u64) -> bool; 2] =
            [|_, draw| draw % 3 > 0, |k, draw| draw % (k as u64 + 2) == 0];
        for (mix, holds) in mixes.into_iter().enumerate() {
            let (store, _dir) = varied_store(&words, holds).await;
            let me = uid();
            for query in [
                "hike lisbon",
                "cook 東京 hike",
                "lisbon hike cook 東京",
                "hike zzz",
            ] {
                let phrases = omi_extract::search::query_phrases(query);
                let ids = |hits: Vec<crate::store::rows::SearchHitRow>| -> Vec<String> {
                    hits.into_iter()
                        .map(|h| h.into_item().unwrap().id)
                        .collect()
                };
                let every_match = best_page(&store.readers, sql, &me, &phrases, 100_000);
                let all = ids(every_match.await.unwrap());
                assert!(all.len() > 200, "mix {mix}, {query}: {}", all.len());
                for limit in [1, 3, 10, 25, 60] {
                    let page = best_page(&store.readers, sql, &me, &phrases, limit);
                    let page = ids(page.await.unwrap());
                    assert_eq!(page, all[..limit], "mix {mix}, {query}, limit {limit}");
                }
            }
        }
    }

    /// Memories whose terms are still pending (left by a process that stopped before its
    /// writer moved them) are found and ranked with the rest, and a store that opens moves
    /// them into the index.
    #[tokio::test]
    async fn memories_whose_terms_are_pending_are_found_and_moved_at_open() {
        use crate::store::sql::{Dialect, MemorySearchSql, memory_search::best_page};
        let MemorySearchSql::Streams(sql) = sqlx::Sqlite::MEMORY_SEARCH else {
            panic!("SQLite searches by the best page");
        };
        let words = ["hike", "lisbon"];
        let (store, dir) = varied_store(&words, |_, draw| draw % 3 > 0).await;
        let pending = |pool: SqlitePool| async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM memory_search_pending")
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        assert_eq!(
            pending(store.writer.clone()).await,
            0,
            "moved at each commit"
        );
        let me = uid();
        let phrases = omi_extract::search::query_phrases("hike lisbon");
        let ids = |hits: Vec<crate::store::rows::SearchHitRow>| -> Vec<String> {
            hits.into_iter()
                .map(|h| h.into_item().unwrap().id)
                .collect()
        };
        let before = ids(best_page(&store.readers, sql, &me, &phrases, 100_000)
            .await
            .unwrap());
        // Every third memory's terms back to pending, as a killed process leaves them.
        for statement in [
            "INSERT INTO memory_search_pending (row, terms) \
             SELECT rowid, terms FROM memory_search WHERE rowid % 3 = 0",
            "DELETE FROM memory_search WHERE rowid IN (SELECT row FROM memory_search_pending)",
        ] {
            sqlx::query(statement).execute(&store.writer).await.unwrap();
        }
        assert!(pending(store.writer.clone()).await > 300);
        let all = ids(best_page(&store.readers, sql, &me, &phrases, 100_000)
            .await
            .unwrap());
        let mut found = all.clone();
        let mut want = before.clone();
        found.sort();
        want.sort();
        assert_eq!(found, want, "the same memories are found");
        for limit in [1, 10, 60] {
            let page = ids(best_page(&store.readers, sql, &me, &phrases, limit)
                .await
                .unwrap());
            assert_eq!(page, all[..limit], "limit {limit}");
        }
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        store.close().await;
        let reopened = SqliteStore::open(&url, 2).await.unwrap();
        assert_eq!(pending(reopened.writer.clone()).await, 0, "moved at open");
        let after = ids(best_page(&reopened.readers, sql, &me, &phrases, 100_000)
            .await
            .unwrap());
        assert_eq!(after, before, "the ranking is what it was");
    }

    /// The `/proc` directory of the thread of this process named `name`.
    #[cfg(target_os = "linux")]
    fn thread_dir(name: &str) -> std::path::PathBuf {
        let comm_name: String = name.chars().take(15).collect();
        for task in std::fs::read_dir("/proc/self/task").unwrap() {
            let task = task.unwrap().path();
            let comm = std::fs::read_to_string(task.join("comm")).unwrap_or_default();
            if comm.trim_end() == comm_name {
                return task;
            }
        }
        panic!("no thread named {name}");
    }

    /// The CPUs a thread of this process named `name` may run on (`Cpus_allowed_list`).
    #[cfg(target_os = "linux")]
    fn allowed_cpus(name: &str) -> String {
        let status = std::fs::read_to_string(thread_dir(name).join("status")).unwrap();
        let line = status
            .lines()
            .find(|l| l.starts_with("Cpus_allowed_list:"))
            .unwrap();
        line["Cpus_allowed_list:".len()..].trim().to_owned()
    }

    /// The writer's thread and its connection's thread are pinned to the same one core.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_writer_and_its_connection_share_one_core() {
        let (store, _dir) = store().await;
        store
            .insert_memories(&uid(), &[memory("on one core")], None, None)
            .await
            .unwrap();
        if writer_core::chosen().is_none() {
            eprintln!("SKIPPED: this process may run on one core only, nothing is pinned");
            return;
        }
        let names = &store.threads;
        let writer = allowed_cpus(&names.writer);
        assert!(writer.parse::<usize>().is_ok(), "one core, not {writer}");
        assert_eq!(allowed_cpus(&names.connection), writer);
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("free.sqlite").display());
        let options = SqliteOptions {
            pin_writer: false,
            ..SqliteOptions::default()
        };
        let free = SqliteStore::open_with(&url, options).await.unwrap();
        free.insert_memories(&uid(), &[memory("anywhere")], None, None)
            .await
            .unwrap();
        for name in [&free.threads.writer, &free.threads.connection] {
            let cpus = allowed_cpus(name);
            assert!(
                cpus.parse::<usize>().is_err(),
                "{name} was pinned to {cpus}"
            );
        }
    }

    /// The scheduling policy of the thread of this process named `name` (`/proc/.../stat`'s
    /// 41st field: 0 normal, 3 batch).
    #[cfg(target_os = "linux")]
    fn policy(name: &str) -> u32 {
        let stat = std::fs::read_to_string(thread_dir(name).join("stat")).unwrap();
        // The fields after the command's closing parenthesis start at the 3rd.
        let after = stat.rsplit_once(')').unwrap().1;
        after.split_whitespace().nth(38).unwrap().parse().unwrap()
    }

    /// The writer's thread is a batch thread; its connection's thread a normal one.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_writer_is_a_batch_thread_and_its_connection_a_normal_one() {
        let (store, _dir) = store().await;
        store
            .insert_memories(&uid(), &[memory("in batches 🛶")], None, None)
            .await
            .unwrap();
        assert_eq!(policy(&store.threads.writer), 3, "SCHED_BATCH");
        assert_eq!(policy(&store.threads.connection), 0, "SCHED_OTHER");
    }

    /// The writer leaves the checkpoints to their own connection: it checkpoints by itself
    /// only past 10 000 pages, and what it commits still reaches the database file soon.
    #[tokio::test]
    async fn checkpoints_run_beside_the_writer() {
        let (store, dir) = store().await;
        let pages: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(&store.writer)
            .await
            .unwrap();
        assert_eq!(pages, i64::from(checkpointer::WRITER_CHECKPOINT_PAGES));
        let file = dir.path().join("t.sqlite");
        let size = || std::fs::metadata(&file).unwrap().len();
        tokio::time::sleep(checkpointer::INTERVAL * 3).await;
        let before = size();
        let records: Vec<MemoryRecord> = (0..300)
            .map(|n| {
                memory(&format!(
                    "User note {n}: 東京で会議 🗼 and a longer tail of words"
                ))
            })
            .collect();
        for chunk in records.chunks(50) {
            store
                .insert_memories(&uid(), chunk, None, None)
                .await
                .unwrap();
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while size() <= before {
            assert!(
                std::time::Instant::now() < deadline,
                "no checkpoint moved the log into the database file"
            );
            tokio::time::sleep(checkpointer::INTERVAL).await;
        }
    }

    /// `PRAGMA synchronous` as a connection of `pool` reports it (0 off, 1 normal, 2 full).
    async fn synchronous_of(pool: &SqlitePool) -> i64 {
        sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn commits_are_synced_by_default_and_normal_only_when_asked() {
        let (store, _dir) = store().await;
        assert_eq!(synchronous_of(&store.writer).await, 2, "writer: FULL");
        assert_eq!(synchronous_of(&store.readers).await, 2, "readers: FULL");
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("n.sqlite").display());
        let options = SqliteOptions {
            readers: 1,
            synchronous: Synchronous::Normal,
            pin_writer: true,
        };
        let normal = SqliteStore::open_with(&url, options).await.unwrap();
        assert_eq!(synchronous_of(&normal.writer).await, 1, "writer: NORMAL");
        assert_eq!(synchronous_of(&normal.readers).await, 1, "readers: NORMAL");
    }

    #[tokio::test]
    async fn the_writer_keeps_its_statement_journals_in_memory() {
        let (store, _dir) = store().await;
        let temp_store = |pool: &SqlitePool| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>("PRAGMA temp_store")
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(temp_store(&store.writer).await, 2, "writer: MEMORY");
        assert_eq!(temp_store(&store.readers).await, 0, "readers: the default");
    }

    #[test]
    fn the_default_options_sync_every_commit() {
        let options = SqliteOptions::default();
        assert_eq!(options.synchronous, Synchronous::Full);
        assert!(options.readers >= SqliteOptions::READERS_PER_CORE);
        assert!(options.readers <= SqliteOptions::MAX_DEFAULT_READERS);
        assert!(options.pin_writer);
    }
}
