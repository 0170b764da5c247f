//! Memories: the upsert, the read-modify-write update, the lists, and the content-word index
//! (`memory_words`) kept in step with every memory write.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::{FutureExt, TryStreamExt};
use omi_extract::search::query_phrases;
use omi_model::{
    DevMemoryListParams, Memory, MemorySearch, MemorySearchItem, MemoryUpdate, Uid, WebhookEvent,
    WebhookEvents,
};
use sqlx::query::Query;
use sqlx::{Either, Executor, Pool, QueryBuilder};

use super::backend::Conn;
use super::memory_search::{MemorySearchSql, best_page};
use super::parts::{owned_row, push_any, push_page};
use super::webhooks::{self, Announcement};
use super::{Arg, Backend, Dialect, PushArg, jobs, locking, memory_columns, read, remember};
use crate::store::rows::{MemoryRow, SearchHitRow, json_err, map_err};
use crate::store::{
    IdempotentAnswer, MAX_LOOKUP_WORDS, MAX_POSTINGS_PER_WORD, MemoryRecord, MemoryStore, NewJob,
    PreparedEdit, PreparedMemory, StoreError, StoreResult, to_micros, word_group_chunks,
};

/// The order of the memory lists.
const BY_SCORE: &str = "ORDER BY scoring DESC, created_at DESC, id DESC";

#[async_trait]
impl<B: Backend> MemoryStore for B {
    async fn insert_memories(
        &self,
        uid: &Uid,
        memories: &[MemoryRecord],
        job: Option<&NewJob>,
        answer: Option<IdempotentAnswer<Vec<Memory>>>,
    ) -> StoreResult<Vec<Memory>> {
        let data = (
            uid.clone(),
            job.cloned(),
            PreparedMemory::all(memories)?,
            answer,
        );
        self.write(data, |conn, (uid, job, memories, answer)| {
            async move {
                let stored = upsert_all::<B::Db>(conn, uid, memories).await?;
                if let Some(job) = job {
                    jobs::insert::<B::Db>(conn, job).await?;
                }
                remember::<B::Db, _>(conn, answer.as_ref(), &stored).await?;
                Ok(stored)
            }
            .boxed()
        })
        .await
    }

    async fn near_duplicate_candidates(
        &self,
        uid: &Uid,
        groups: &[Vec<String>],
        limit_each: i64,
    ) -> StoreResult<Vec<String>> {
        // Bind parameters are limited (SQLite: 32 766), so a huge batch is looked up in
        // chunks of whole groups.
        let mut found = Vec::new();
        let mut seen = HashSet::new();
        for chunk in word_group_chunks(groups, MAX_LOOKUP_WORDS) {
            let contents = near_duplicates(self.readers(), uid.as_str(), chunk, limit_each).await?;
            for content in contents {
                if seen.insert(content.clone()) {
                    found.push(content);
                }
            }
        }
        Ok(found)
    }

    async fn list_memories(
        &self,
        uid: &Uid,
        params: &DevMemoryListParams,
    ) -> StoreResult<Vec<Memory>> {
        if let Some(page) = self.memory_page_here(uid, params) {
            return page;
        }
        let rows = list::<B::Db>(uid, params)
            .build()
            .fetch_all(B::Db::on_pool(self.readers()))
            .await
            .map_err(map_err)?;
        rows.iter().map(memory_from_row::<B::Db>).collect()
    }

    async fn search_memories(
        &self,
        uid: &Uid,
        search: &MemorySearch,
    ) -> StoreResult<Vec<MemorySearchItem>> {
        let phrases = query_phrases(&search.query);
        if phrases.is_empty() {
            return Ok(Vec::new());
        }
        let limit = search.limit.get();
        let hits = match B::Db::MEMORY_SEARCH {
            MemorySearchSql::Streams(sql) => {
                let limit = usize::try_from(limit).unwrap_or(usize::MAX);
                best_page(self.readers(), sql, uid, &phrases, limit).await?
            }
            MemorySearchSql::Ranked(sql) => {
                let rows = sqlx::query::<B::Db>(sql)
                    .arg(uid.as_str())
                    .arg(B::Db::match_query(&phrases))
                    .arg(i64::from(limit))
                    .fetch_all(B::Db::on_pool(self.readers()))
                    .await
                    .map_err(map_err)?;
                rows.iter()
                    .map(read::<B::Db, SearchHitRow>)
                    .collect::<StoreResult<_>>()?
            }
        };
        hits.into_iter().map(SearchHitRow::into_item).collect()
    }

    async fn reindex_search(&self) -> StoreResult<crate::store::Reindexed> {
        super::search_index::reindex_all::<B::Db>(self.writer()).await
    }

    async fn memory(&self, uid: &Uid, id: &str) -> StoreResult<Option<Memory>> {
        let sql = concat!(
            "SELECT ",
            memory_columns!(),
            " FROM memories WHERE uid = $1 AND id = $2"
        );
        let row = owned_row(B::Db::on_pool(self.readers()), sql, uid.as_str(), id).await?;
        row.as_ref().map(memory_from_row::<B::Db>).transpose()
    }

    async fn update_memory(
        &self,
        uid: &Uid,
        id: &str,
        update: &MemoryUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Memory>> {
        let Some(before) = self.memory(uid, id).await? else {
            return Ok(None);
        };
        let new_content = update.content.as_ref().map(|c| c.as_str());
        let edit = PreparedEdit::new(&before.content, new_content);
        let data = (uid.clone(), id.to_owned(), update.clone(), edit, now);
        self.write(data, |conn, (uid, id, update, edit, now)| {
            update_row::<B::Db>(conn, uid, id, update, edit, *now).boxed()
        })
        .await
    }

    async fn delete_memory(&self, uid: &Uid, id: &str) -> StoreResult<bool> {
        let Some(before) = self.memory(uid, id).await? else {
            return Ok(false);
        };
        let words = PreparedEdit::new(&before.content, None).old_words;
        self.write(
            (uid.clone(), id.to_owned(), words),
            |conn, (uid, id, words)| delete_row::<B::Db>(conn, uid, id, words).boxed(),
        )
        .await
    }
}

/// A memory object from a row of `memory_columns!()`.
pub(super) fn memory_from_row<DB: Dialect>(row: &DB::Row) -> StoreResult<Memory> {
    read::<DB, MemoryRow>(row)?.into_memory()
}

/// Both memory lists.
pub(crate) fn list<DB: Dialect>(uid: &Uid, params: &DevMemoryListParams) -> QueryBuilder<DB> {
    let mut q = QueryBuilder::<DB>::new(concat!(
        "SELECT ",
        memory_columns!(),
        " FROM memories WHERE uid = "
    ));
    q.push_arg(uid.as_str());
    push_any(
        &mut q,
        "category",
        params.categories.iter().map(|c| c.as_str()),
    );
    push_page(&mut q, BY_SCORE, &params.page);
    q
}

/// [`upsert`] each of `memories`, and announce the ones inserted (`memory.created`); the
/// stored memories, in input order.
pub(super) async fn upsert_all<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    memories: &[PreparedMemory],
) -> StoreResult<Vec<Memory>> {
    let mut stored = Vec::with_capacity(memories.len());
    let mut heard = None;
    for m in memories {
        let upserted = upsert::<DB>(conn, uid, m).await?;
        heard = heard.or(upserted.heard);
        stored.push(upserted.memory);
    }
    if heard == Some(false) {
        return Ok(stored);
    }
    let created: Vec<_> = stored
        .iter()
        .zip(memories)
        .filter(|(memory, p)| memory.id == p.record.id)
        .map(|(memory, _)| Announcement {
            event: WebhookEvent::MemoryCreated,
            subject_id: &memory.id,
            data: memory,
        })
        .collect();
    webhooks::announce::<DB, _>(conn, uid, &created).await?;
    Ok(stored)
}

/// What [`upsert`] stored, and what it learned on the way.
struct Upserted {
    /// The memory inserted, or the user's memory that has its content already.
    memory: Memory,
    /// Whether some webhook of the user hears `memory.created`, when the upsert asked in
    /// the same query (SQLite); `None` when not asked.
    heard: Option<bool>,
}

/// The insert of one memory, skipped when the user has its content already; its
/// parameters are bound in this order by [`bind_memory`].
macro_rules! insert_memory {
    () => {
        "INSERT INTO memories (id, uid, content, content_key, category, visibility, tags, \
         created_at, updated_at, manually_added, scoring, app_id, conversation_id, \
         search_terms, source_id, source_url) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (uid, content_key) DO NOTHING"
    };
}

/// A whole upsert as one query of four statements ([`Dialect::STATEMENTS_IN_ONE_QUERY`]):
/// [`insert_memory`]; its word index rows (`$16`, a JSON array) when the insert happened; the
/// user's memory with the same content when it did not; and whether some webhook of the user
/// hears the events of mask `$17`.
const UPSERT_IN_ONE_QUERY: &str = concat!(
    insert_memory!(),
    "; INSERT INTO memory_words (uid, word, memory_id) \
     SELECT $2, value, $1 FROM json_each($16) \
     WHERE EXISTS (SELECT 1 FROM memories WHERE id = $1) ON CONFLICT DO NOTHING; \
     SELECT ",
    memory_columns!(),
    " FROM memories WHERE uid = $2 AND content_key = $4 AND id <> $1; \
     SELECT EXISTS (SELECT 1 FROM webhooks WHERE uid = $2 AND (events & $17) <> 0)"
);

/// `query` with the parameters `$1` to `$15` of [`insert_memory`] bound: memory `p` of
/// `uid`.
fn bind_memory<'q, DB: Dialect>(
    query: Query<'q, DB, DB::Arguments>,
    uid: &'q Uid,
    p: &'q PreparedMemory,
) -> Query<'q, DB, DB::Arguments> {
    let m = &p.record;
    query
        .arg(m.id.as_str())
        .arg(uid.as_str())
        .arg(m.content.as_str())
        .arg(p.key.as_str())
        .arg(m.category.as_str())
        .arg(m.visibility.as_str())
        .arg(p.tags.as_str())
        .arg(to_micros(m.created_at))
        .arg(m.manually_added)
        .arg(p.scoring.as_str())
        .arg(m.app_id.as_deref())
        .arg(m.conversation_id.as_deref())
        .arg(p.search_terms.as_str())
        .arg(m.origin.source_id.as_deref())
        .arg(m.origin.source_url.as_deref())
}

/// Insert one memory unless the user has its content already; the stored one. A new row is
/// not read back: its object is [`PreparedMemory::inserted`].
async fn upsert<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    p: &PreparedMemory,
) -> StoreResult<Upserted> {
    if DB::STATEMENTS_IN_ONE_QUERY {
        return upsert_in_one_query::<DB>(conn, uid, p).await;
    }
    let inserted = bind_memory::<DB>(sqlx::query(insert_memory!()), uid, p)
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    let memory = if DB::rows_affected(&inserted) > 0 {
        index_words::<DB>(conn, uid.as_str(), &p.record.id, &p.words).await?;
        p.inserted()
    } else {
        let row = sqlx::query::<DB>(concat!(
            "SELECT ",
            memory_columns!(),
            " FROM memories WHERE uid = $1 AND content_key = $2"
        ))
        .arg(uid.as_str())
        .arg(p.key.as_str())
        .fetch_one(DB::on(conn))
        .await
        .map_err(map_err)?;
        memory_from_row::<DB>(&row)?
    };
    Ok(Upserted {
        memory,
        heard: None,
    })
}

/// [`upsert`] as the one query [`UPSERT_IN_ONE_QUERY`]: one hand-off to the driver's thread
/// instead of three (insert, word index, webhook lookup).
async fn upsert_in_one_query<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    p: &PreparedMemory,
) -> StoreResult<Upserted> {
    let heard_mask = WebhookEvents::from_events(&[WebhookEvent::MemoryCreated]).mask();
    let query = bind_memory::<DB>(sqlx::query(UPSERT_IN_ONE_QUERY), uid, p)
        .arg(p.words_json.as_str())
        .arg(heard_mask);
    let mut results = DB::on(conn).fetch_many(query);
    // Statements end with a `Left` each: rows of the third are the memory already stored,
    // the fourth's one row says whether a webhook hears.
    let (mut finished, mut existing, mut heard) = (0, None, None);
    while let Some(result) = results.try_next().await.map_err(map_err)? {
        match (result, finished) {
            (Either::Left(_), _) => finished += 1,
            (Either::Right(row), 2) => existing = Some(memory_from_row::<DB>(&row)?),
            (Either::Right(row), 3) => heard = Some(read::<DB, (i64,)>(&row)?.0 != 0),
            (Either::Right(_), n) => {
                return Err(StoreError::Internal(format!(
                    "statement {n} of a memory upsert returned a row"
                )));
            }
        }
    }
    if finished != 4 || heard.is_none() {
        return Err(StoreError::Internal(format!(
            "a memory upsert ran {finished} statements of 4"
        )));
    }
    Ok(Upserted {
        memory: existing.unwrap_or_else(|| p.inserted()),
        heard,
    })
}

/// Apply `update` to one of a user's memories, with its index changes prepared in `edit`;
/// `None` when it does not exist.
async fn update_row<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    id: &str,
    update: &MemoryUpdate,
    edit: &PreparedEdit,
    now: DateTime<Utc>,
) -> StoreResult<Option<Memory>> {
    const READ: super::Locking = locking!(
        "SELECT ", memory_columns!(), " FROM memories WHERE uid = $1 AND id = $2";
        lock: " FOR UPDATE"
    );
    let row = owned_row(DB::on(conn), DB::text(&READ), uid.as_str(), id).await?;
    let Some(row) = row else { return Ok(None) };
    let before = memory_from_row::<DB>(&row)?;
    let old_content = before.content.clone();
    let changed = update.apply_to(before, now);
    sqlx::query::<DB>(
        "UPDATE memories SET content = $1, content_key = COALESCE($2, content_key), \
         category = $3, visibility = $4, tags = $5, updated_at = $6, scoring = $7, \
         edited = $8, search_terms = COALESCE($11, search_terms) WHERE uid = $9 AND id = $10",
    )
    .arg(changed.content.as_str())
    .arg(edit.new_key.as_deref())
    .arg(changed.category.map(|c| c.as_str()))
    .arg(changed.visibility.map(|v| v.as_str()))
    .arg(serde_json::to_string(&changed.tags).map_err(json_err)?)
    .arg(changed.updated_at.map(to_micros))
    .arg(changed.scoring.as_deref())
    .arg(changed.edited)
    .arg(uid.as_str())
    .arg(id)
    .arg(edit.new_search_terms.as_deref())
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    if changed.content != old_content {
        unindex_words::<DB>(conn, uid.as_str(), id, &edit.old_words).await?;
        index_words::<DB>(conn, uid.as_str(), id, &edit.new_words).await?;
    }
    let updated = Announcement {
        event: WebhookEvent::MemoryUpdated,
        subject_id: id,
        data: &changed,
    };
    webhooks::announce::<DB, _>(conn, uid, &[updated]).await?;
    Ok(Some(changed))
}

/// Delete one of a user's memories and its index rows `words` (prepared from its content
/// before the write); `false` when it did not exist.
async fn delete_row<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    id: &str,
    words: &[String],
) -> StoreResult<bool> {
    let deleted = sqlx::query::<DB>("DELETE FROM memories WHERE uid = $1 AND id = $2")
        .arg(uid.as_str())
        .arg(id)
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    if DB::rows_affected(&deleted) == 0 {
        return Ok(false);
    }
    unindex_words::<DB>(conn, uid.as_str(), id, words).await?;
    let deleted = Announcement {
        event: WebhookEvent::MemoryDeleted,
        subject_id: id,
        data: &serde_json::json!({ "id": id }),
    };
    webhooks::announce::<DB, _>(conn, uid, &[deleted]).await?;
    Ok(true)
}

/// Index a memory just inserted or given new content under `words`: the indexed words of
/// its content.
pub(crate) async fn index_words<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &str,
    memory_id: &str,
    words: &[String],
) -> StoreResult<()> {
    if words.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<DB>::new("INSERT INTO memory_words (uid, word, memory_id) VALUES ");
    for (n, word) in words.iter().enumerate() {
        q.push(if n == 0 { "(" } else { ", (" });
        q.push_arg(uid).push(", ").push_arg(word.as_str());
        q.push(", ").push_arg(memory_id).push(")");
    }
    q.push(" ON CONFLICT DO NOTHING");
    q.build().execute(DB::on(conn)).await.map_err(map_err)?;
    Ok(())
}

/// Remove a memory's index rows under `words` (those of its content before a change or a
/// delete). Found through the primary key, word by word.
async fn unindex_words<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &str,
    memory_id: &str,
    words: &[String],
) -> StoreResult<()> {
    if words.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<DB>::new("DELETE FROM memory_words WHERE uid = ");
    q.push_arg(uid)
        .push(" AND memory_id = ")
        .push_arg(memory_id);
    push_any(&mut q, "word", words.iter().map(String::as_str));
    q.build().execute(DB::on(conn)).await.map_err(map_err)?;
    Ok(())
}

/// For each group of content words in `groups` (those of one memory to check), the contents
/// of `uid`'s memories holding the most of them as indexed words, at most `limit_each` per
/// group: one list without repeats, those closest to some group first (then by id, so both
/// stores agree). One query for every group.
async fn near_duplicates<DB: Dialect>(
    pool: &Pool<DB>,
    uid: &str,
    groups: &[Vec<String>],
    limit_each: i64,
) -> StoreResult<Vec<String>> {
    let mut q = QueryBuilder::<DB>::new("");
    if !push_near_duplicates(&mut q, uid, groups, limit_each) {
        return Ok(Vec::new());
    }
    let rows = q
        .build()
        .fetch_all(DB::on_pool(pool))
        .await
        .map_err(map_err)?;
    rows.iter()
        .map(|row| Ok(read::<DB, (String,)>(row)?.0))
        .collect()
}

/// Push the query of [`near_duplicates`] onto `q`; `false` (nothing pushed) when there is
/// nothing to look up.
pub(super) fn push_near_duplicates<DB: Dialect>(
    q: &mut QueryBuilder<DB>,
    uid: &str,
    groups: &[Vec<String>],
    limit_each: i64,
) -> bool {
    let pairs: Vec<(i64, &str)> = groups
        .iter()
        .zip(0_i64..)
        .flat_map(|(words, n)| words.iter().map(move |w| (n, w.as_str())))
        .collect();
    if pairs.is_empty() || limit_each <= 0 {
        return false;
    }
    q.push("WITH wanted (n, word) AS (VALUES ");
    for (i, (n, word)) in pairs.into_iter().enumerate() {
        q.push(if i == 0 { "(" } else { ", (" });
        q.push_arg(n).push(", ").push_arg(word).push(")");
    }
    // Each word's postings are cut to its newest MAX_POSTINGS_PER_WORD memories before any
    // pair is formed, so a word every memory holds costs no more than a rare one: a
    // near-duplicate shares most of a memory's words, its rarer ones among them, so it is
    // still found through those. The cut walks down each word's index entries to the oldest
    // posting kept (`cutoff`, materialized so that it runs once a word), then scans the
    // range from there: a window function over the postings read and sorted every one.
    q.push(
        "), cutoff AS MATERIALIZED (SELECT word, COALESCE((SELECT memory_id \
         FROM memory_words m WHERE m.uid = ",
    )
    .push_arg(uid)
    .push(" AND m.word = w.word ORDER BY memory_id DESC LIMIT 1 OFFSET ")
    .push_arg(MAX_POSTINGS_PER_WORD - 1)
    .push(
        "), '') AS oldest FROM (SELECT DISTINCT word FROM wanted) w), \
         postings AS (SELECT p.word, p.memory_id FROM cutoff c JOIN memory_words p \
         ON p.uid = ",
    )
    .push_arg(uid)
    .push(" AND p.word = c.word AND p.memory_id >= c.oldest")
    // The few memories found are then read by id: `CROSS JOIN` keeps SQLite from starting
    // at the user's memories instead (SQLite 3.51 did, without statistics: every memory of
    // the user read and probed against the few found, 9 ms a lookup at 10 000 memories).
    .push(
        "), shared AS (SELECT wanted.n, p.memory_id, COUNT(*) AS hits \
         FROM wanted JOIN postings p ON p.word = wanted.word \
         GROUP BY wanted.n, p.memory_id), \
         ranked AS (SELECT memory_id, ROW_NUMBER() OVER \
         (PARTITION BY n ORDER BY hits DESC, memory_id) AS place FROM shared) \
         SELECT m.content FROM (SELECT memory_id, MIN(place) AS best FROM ranked \
         WHERE place <= ",
    )
    .push_arg(limit_each)
    .push(" GROUP BY memory_id) r CROSS JOIN memories m WHERE m.id = r.memory_id AND m.uid = ")
    .push_arg(uid)
    .push(" ORDER BY r.best, m.id");
    true
}

#[cfg(test)]
mod tests {
    use sqlx::{QueryBuilder, Row, Sqlite};

    use super::push_near_duplicates;
    use crate::store::sql::Backend;
    use crate::store::sqlite::SqliteStore;

    /// SQLite's plan of the near-duplicate lookup, one line per step.
    async fn near_duplicate_plan(store: &SqliteStore) -> Vec<String> {
        let groups = [
            vec!["love".to_owned(), "hike".to_owned()],
            vec!["東京".to_owned(), "🛶".to_owned()],
        ];
        let mut q = QueryBuilder::<Sqlite>::new("EXPLAIN QUERY PLAN ");
        assert!(push_near_duplicates(&mut q, "u1", &groups, 500));
        let rows = q.build().fetch_all(store.readers()).await.unwrap();
        rows.iter().map(|row| row.get::<String, _>(3)).collect()
    }

    #[tokio::test]
    async fn the_near_duplicate_lookup_reads_the_memories_it_found_by_id_not_all_the_users() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = SqliteStore::open(&url, 1).await.unwrap();
        let plan = near_duplicate_plan(&store).await;
        assert!(
            plan.iter()
                .any(|step| step == "SEARCH m USING PRIMARY KEY (id=?)"),
            "{plan:#?}"
        );
        assert!(
            !plan
                .iter()
                .any(|step| step.contains("memories_unique_content") || step == "SCAN m"),
            "{plan:#?}"
        );
    }

    #[test]
    fn nothing_to_look_up_pushes_nothing() {
        let mut q = QueryBuilder::<Sqlite>::new("");
        assert!(!push_near_duplicates(&mut q, "u1", &[vec![]], 10));
        assert!(!push_near_duplicates(&mut q, "u1", &[vec!["a".into()]], 0));
        assert_eq!(q.sql().as_str(), "");
    }
}
