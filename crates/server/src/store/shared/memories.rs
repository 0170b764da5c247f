//! Conversations and memories: inserts, the memory upsert, read-modify-write updates, and
//! the content-word index (`memory_words`) kept in step with every memory write.

/// Expands to `mod memories`: the statements on conversations, memories and their word
/// index over the invoking store's `Conn` and `DbRow`. `$lock` is appended to the read of a
/// read-modify-write (`" FOR UPDATE"` or `""`).
macro_rules! memory_statements {
    (lock: $lock:literal) => {
        pub(super) mod memories {
            use chrono::{DateTime, Utc};
            use omi_model::{Conversation, Memory, MemoryUpdate, Structured, Uid};
            use sqlx::{FromRow, QueryBuilder, Row};

            use super::parts::{owned_row, push_any};
            use super::{Conn, Db, DbRow};
            use $crate::store::rows::{
                ConversationRow, DevConversationRow, MemoryRow, json_err, map_err,
            };
            use $crate::store::shared::memory_columns;
            use $crate::store::{
                ConversationRecord, MAX_POSTINGS_PER_WORD, PreparedEdit, PreparedMemory,
                StoreResult, to_micros,
            };

            /// A memory object from a row of `memory_columns!()`.
            pub(crate) fn memory_from_row(row: &DbRow) -> StoreResult<Memory> {
                MemoryRow::from_row(row).map_err(map_err)?.into_memory()
            }

            /// A conversation object from a row of `conversation_columns!()`.
            pub(crate) fn conversation_from_row(row: &DbRow) -> StoreResult<Conversation> {
                ConversationRow::from_row(row)
                    .map_err(map_err)?
                    .into_conversation()
            }

            /// A conversation in the Developer API's shape from a row of
            /// `dev_conversation_columns!()` (and `transcript_segments`, when shown).
            pub(crate) fn dev_conversation_from_row(row: &DbRow) -> StoreResult<Conversation> {
                DevConversationRow::from_row(row)
                    .map_err(map_err)?
                    .into_conversation()
            }

            /// Insert a new conversation, `processing`, with an empty `structured`.
            pub(crate) async fn insert_conversation_row(
                conn: &mut Conn,
                c: &ConversationRecord,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let geolocation = c
                    .geolocation
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()
                    .map_err(json_err)?;
                let structured = serde_json::to_string(&Structured::default()).map_err(json_err)?;
                sqlx::query(
                    "INSERT INTO conversations (id, uid, app_id, source, text, text_source, \
                     text_source_spec, language, created_at, started_at, finished_at, status, \
                     discarded, geolocation, structured, updated_at) VALUES ($1, $2, $3, $4, \
                     $5, $6, $7, $8, $9, $10, $11, 'processing', FALSE, $12, $13, $14)",
                )
                .bind(&c.id)
                .bind(c.uid.as_str())
                .bind(&c.app_id)
                .bind(c.source.as_str())
                .bind(&c.text)
                .bind(c.text_source.as_str())
                .bind(&c.text_source_spec)
                .bind(&c.language)
                .bind(to_micros(c.created_at))
                .bind(to_micros(c.started_at))
                .bind(to_micros(c.finished_at))
                .bind(geolocation)
                .bind(structured)
                .bind(to_micros(now))
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                Ok(())
            }

            /// Insert one memory unless the user has its content already; the stored one.
            /// A new row is not read back (one statement less in the writer): its object is
            /// [`PreparedMemory::inserted`].
            pub(crate) async fn upsert_memory(
                conn: &mut Conn,
                uid: &Uid,
                p: &PreparedMemory,
            ) -> StoreResult<Memory> {
                let m = &p.record;
                let inserted = sqlx::query(
                    "INSERT INTO memories (id, uid, content, content_key, category, \
                     visibility, tags, created_at, updated_at, manually_added, scoring, \
                     app_id, conversation_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12) \
                     ON CONFLICT (uid, content_key) DO NOTHING",
                )
                .bind(&m.id)
                .bind(uid.as_str())
                .bind(&m.content)
                .bind(&p.key)
                .bind(m.category.as_str())
                .bind(m.visibility.as_str())
                .bind(&p.tags)
                .bind(to_micros(m.created_at))
                .bind(m.manually_added)
                .bind(&p.scoring)
                .bind(&m.app_id)
                .bind(&m.conversation_id)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                if inserted.rows_affected() > 0 {
                    index_words(conn, uid.as_str(), &m.id, &p.words).await?;
                    return Ok(p.inserted());
                }
                let row = sqlx::query(concat!(
                    "SELECT ",
                    memory_columns!(),
                    " FROM memories WHERE uid = $1 AND content_key = $2"
                ))
                .bind(uid.as_str())
                .bind(&p.key)
                .fetch_one(&mut *conn)
                .await
                .map_err(map_err)?;
                memory_from_row(&row)
            }

            /// Apply `update` to one of a user's memories, with its index changes prepared
            /// in `edit`; `None` when it does not exist.
            pub(crate) async fn update_memory_row(
                conn: &mut Conn,
                uid: &Uid,
                id: &str,
                update: &MemoryUpdate,
                edit: &PreparedEdit,
                now: DateTime<Utc>,
            ) -> StoreResult<Option<Memory>> {
                let sql = concat!(
                    "SELECT ",
                    memory_columns!(),
                    " FROM memories WHERE uid = $1 AND id = $2",
                    $lock
                );
                let row = owned_row(&mut *conn, sql, uid.as_str(), id).await?;
                let Some(row) = row else { return Ok(None) };
                let before = memory_from_row(&row)?;
                let old_content = before.content.clone();
                let changed = update.apply_to(before, now);
                sqlx::query(
                    "UPDATE memories SET content = $1, content_key = COALESCE($2, content_key), \
                     category = $3, \
                     visibility = $4, tags = $5, updated_at = $6, scoring = $7, edited = $8 \
                     WHERE uid = $9 AND id = $10",
                )
                .bind(&changed.content)
                .bind(edit.new_key.as_deref())
                .bind(changed.category.map(|c| c.as_str()))
                .bind(changed.visibility.map(|v| v.as_str()))
                .bind(serde_json::to_string(&changed.tags).map_err(json_err)?)
                .bind(changed.updated_at.map(to_micros))
                .bind(&changed.scoring)
                .bind(changed.edited)
                .bind(uid.as_str())
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
                if changed.content != old_content {
                    unindex_words(conn, uid.as_str(), id, &edit.old_words).await?;
                    index_words(conn, uid.as_str(), id, &edit.new_words).await?;
                }
                Ok(Some(changed))
            }

            /// Delete one of a user's memories and its index rows `words` (prepared from
            /// its content before the write); `false` when it did not exist.
            pub(crate) async fn delete_memory_row(
                conn: &mut Conn,
                uid: &Uid,
                id: &str,
                words: &[String],
            ) -> StoreResult<bool> {
                let deleted = sqlx::query("DELETE FROM memories WHERE uid = $1 AND id = $2")
                    .bind(uid.as_str())
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .map_err(map_err)?;
                if deleted.rows_affected() == 0 {
                    return Ok(false);
                }
                unindex_words(conn, uid.as_str(), id, words).await?;
                Ok(true)
            }

            /// Index a memory just inserted or given new content under `words`: the
            /// [`indexed_words`] of its content words.
            pub(crate) async fn index_words(
                conn: &mut Conn,
                uid: &str,
                memory_id: &str,
                words: &[String],
            ) -> StoreResult<()> {
                if words.is_empty() {
                    return Ok(());
                }
                let mut q =
                    QueryBuilder::<Db>::new("INSERT INTO memory_words (uid, word, memory_id) ");
                q.push_values(words, |mut row, word| {
                    row.push_bind(uid).push_bind(word).push_bind(memory_id);
                });
                q.push(" ON CONFLICT DO NOTHING");
                q.build().execute(&mut *conn).await.map_err(map_err)?;
                Ok(())
            }

            /// Remove a memory's index rows under `words` (those of its content before a
            /// change or a delete). Found through the primary key, word by word.
            async fn unindex_words(
                conn: &mut Conn,
                uid: &str,
                memory_id: &str,
                words: &[String],
            ) -> StoreResult<()> {
                if words.is_empty() {
                    return Ok(());
                }
                let mut q = QueryBuilder::<Db>::new("DELETE FROM memory_words WHERE uid = ");
                q.push_bind(uid)
                    .push(" AND memory_id = ")
                    .push_bind(memory_id);
                push_any(&mut q, "word", words.iter().map(String::as_str));
                q.build().execute(&mut *conn).await.map_err(map_err)?;
                Ok(())
            }

            /// For each group of content words in `groups` (those of one memory to check),
            /// the contents of `uid`'s memories holding the most of them as indexed words, at
            /// most `limit_each` per group: one list without repeats, those closest to some
            /// group first (then by id, so both stores agree). One query for every group.
            pub(crate) async fn near_duplicates(
                pool: &sqlx::Pool<Db>,
                uid: &str,
                groups: &[Vec<String>],
                limit_each: i64,
            ) -> StoreResult<Vec<String>> {
                let pairs: Vec<(i64, &str)> = groups
                    .iter()
                    .zip(0_i64..)
                    .flat_map(|(words, n)| words.iter().map(move |w| (n, w.as_str())))
                    .collect();
                if pairs.is_empty() || limit_each <= 0 {
                    return Ok(Vec::new());
                }
                let mut q = QueryBuilder::<Db>::new("WITH wanted (n, word) AS (VALUES ");
                let mut values = q.separated(", ");
                for (n, word) in pairs {
                    values.push("(");
                    values.push_bind_unseparated(n);
                    values.push_unseparated(", ");
                    values.push_bind_unseparated(word.to_owned());
                    values.push_unseparated(")");
                }
                // Each word's postings are cut to its newest MAX_POSTINGS_PER_WORD memories
                // before any pair is formed, so a word every memory holds costs no more than
                // a rare one: a near-duplicate shares most of a memory's words, its rarer ones
                // among them, so it is still found through those.
                q.push(
                    "), postings AS (SELECT word, memory_id FROM (SELECT word, memory_id, \
                     ROW_NUMBER() OVER (PARTITION BY word ORDER BY memory_id DESC) AS nth \
                     FROM memory_words WHERE word IN (SELECT word FROM wanted) AND uid = ",
                )
                .push_bind(uid)
                .push(") numbered WHERE nth <= ")
                .push_bind(MAX_POSTINGS_PER_WORD)
                .push(
                    "), shared AS (SELECT wanted.n, p.memory_id, COUNT(*) AS hits \
                     FROM wanted JOIN postings p ON p.word = wanted.word \
                     GROUP BY wanted.n, p.memory_id), \
                     ranked AS (SELECT memory_id, ROW_NUMBER() OVER \
                     (PARTITION BY n ORDER BY hits DESC, memory_id) AS place FROM shared) \
                     SELECT m.content FROM memories m JOIN (SELECT memory_id, \
                     MIN(place) AS best FROM ranked WHERE place <= ",
                )
                .push_bind(limit_each)
                .push(" GROUP BY memory_id) r ON m.id = r.memory_id WHERE m.uid = ")
                .push_bind(uid)
                .push(" ORDER BY r.best, m.id");
                let rows = q.build().fetch_all(pool).await.map_err(map_err)?;
                rows.iter()
                    .map(|r| r.try_get::<String, _>(0).map_err(map_err))
                    .collect()
            }
        }
    };
}
pub(crate) use memory_statements;
