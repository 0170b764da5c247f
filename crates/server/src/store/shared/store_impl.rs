//! [`Store`](crate::store::Store) and its per-resource traits over the statements of the
//! other macros: which pool or transaction each method runs on, and
//! the single-statement reads and writes.

/// Expands to `impl Store` and the impls of its per-resource traits for `$store`, a store whose module
/// invoked the statement macros and declares `Db` (see the [module](super) docs).
macro_rules! store_impl {
    ($store:ident) => {
        mod store_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use futures::FutureExt;
            use omi_model::{
                ActionItem, ActionItemListParams, ActionItemUpdate, Conversation,
                ConversationListParams, ConversationUpdate, DevConversationListParams,
                DevMemoryListParams, Memory, MemoryUpdate, TranscriptSegment, Uid,
            };
            use sqlx::{FromRow, QueryBuilder};

            use super::developer::{
                action_item_from_row, delete_action_item_row, delete_conversation_row,
                insert_action_item_rows, set_transcript, update_action_item_row,
                update_conversation_row,
            };
            use super::memories::{
                conversation_from_row, delete_memory_row, dev_conversation_from_row,
                insert_conversation_row, memory_from_row, near_duplicates, update_memory_row,
                upsert_memory,
            };
            use super::parts::{owned_row, push_any, push_date_range, push_page};
            use super::{Db, jobs};
            use omi_extract::ProcessedConversation;
            use $crate::store::idempotency;
            use $crate::store::rows::{
                AppKeyRow, AppRow, DevKeyRow, comma_list, json_err, map_err,
            };
            use $crate::store::shared::{
                action_item_columns, conversation_columns, dev_conversation_columns, memory_columns,
            };
            use $crate::store::{
                ActionItemRecord, ActionItemStore, AppKeyRecord, AppRecord, ConversationRecord,
                ConversationStore, CredentialStore, DevKeyRecord, EarlierAnswer, IdempotencyKey,
                IdempotencyStore, IdempotentAnswer, Job, JobStore, MAX_LOOKUP_WORDS, MemoryRecord,
                MemoryStore, NewJob, PreparedEdit, PreparedMemory, Store, StoreResult, to_micros,
                word_group_chunks,
            };

            /// The order of the lists of conversations and action items.
            const NEWEST_FIRST: &str = "ORDER BY created_at DESC, id DESC";
            /// The order of the memory lists.
            const BY_SCORE: &str = "ORDER BY scoring DESC, created_at DESC, id DESC";

            /// Remember `answer` (when the request carried an `Idempotency-Key`) to what the
            /// write stored, in the write's transaction.
            async fn remember<T>(
                conn: &mut super::Conn,
                answer: Option<&IdempotentAnswer<T>>,
                stored: &T,
            ) -> StoreResult<()> {
                match answer {
                    Some(answer) => idempotency::remember::<Db, T>(conn, answer, stored).await,
                    None => Ok(()),
                }
            }

            // The lists' statements. Each selects the columns its answer is built from and
            // no other: a column read is a column copied out of every row of the page.

            /// `Store::list_conversations`: the integration list, every column of the
            /// conversation object.
            pub(crate) fn conversations_list(
                uid: &Uid,
                params: &ConversationListParams,
            ) -> QueryBuilder<Db> {
                let mut q = QueryBuilder::<Db>::new(concat!(
                    "SELECT ",
                    conversation_columns!(),
                    " FROM conversations WHERE uid = "
                ));
                q.push_bind(uid.as_str());
                if !params.include_discarded {
                    q.push(" AND discarded = FALSE");
                }
                push_any(&mut q, "status", params.statuses.iter().map(|s| s.as_str()));
                push_date_range(&mut q, "created_at", params.start_date, params.end_date);
                let page = omi_model::PageParams {
                    limit: params.limit,
                    offset: params.offset,
                };
                push_page(&mut q, NEWEST_FIRST, &page);
                q
            }

            /// `DeveloperStore::list_dev_conversations`: the developer list, in the
            /// developer's shape, with the transcript column only when it is shown.
            pub(crate) fn dev_conversations_list(
                uid: &Uid,
                params: &DevConversationListParams,
            ) -> QueryBuilder<Db> {
                let mut q =
                    QueryBuilder::<Db>::new(concat!("SELECT ", dev_conversation_columns!()));
                if params.include_transcript {
                    q.push(", transcript_segments");
                }
                // The literal status and discarded terms match the partial indexes of the
                // dev list, which is how SQLite knows it may use them.
                q.push(
                    " FROM conversations \
                     WHERE status = 'completed' AND discarded = FALSE AND uid = ",
                );
                q.push_bind(uid.as_str());
                push_any(
                    &mut q,
                    "category",
                    params.categories.iter().map(|c| c.as_str()),
                );
                push_date_range(&mut q, "created_at", params.start_date, params.end_date);
                push_page(&mut q, NEWEST_FIRST, &params.page);
                q
            }

            /// `Store::list_memories`: both memory lists.
            pub(crate) fn memories_list(
                uid: &Uid,
                params: &DevMemoryListParams,
            ) -> QueryBuilder<Db> {
                let mut q = QueryBuilder::<Db>::new(concat!(
                    "SELECT ",
                    memory_columns!(),
                    " FROM memories WHERE uid = "
                ));
                q.push_bind(uid.as_str());
                push_any(
                    &mut q,
                    "category",
                    params.categories.iter().map(|c| c.as_str()),
                );
                push_page(&mut q, BY_SCORE, &params.page);
                q
            }

            /// `DeveloperStore::list_action_items`.
            pub(crate) fn action_items_list(
                uid: &Uid,
                params: &ActionItemListParams,
            ) -> QueryBuilder<Db> {
                let mut q = QueryBuilder::<Db>::new(concat!(
                    "SELECT ",
                    action_item_columns!(),
                    " FROM action_items WHERE uid = "
                ));
                q.push_bind(uid.as_str());
                if let Some(conversation_id) = &params.conversation_id {
                    q.push(" AND conversation_id = ")
                        .push_bind(conversation_id.as_str());
                }
                if let Some(completed) = params.completed {
                    q.push(" AND completed = ").push_bind(completed);
                }
                push_date_range(&mut q, "created_at", params.start_date, params.end_date);
                push_page(&mut q, NEWEST_FIRST, &params.page);
                q
            }

            #[async_trait]
            impl Store for super::$store {
                async fn ping(&self) -> StoreResult<()> {
                    self.check_writer()?;
                    sqlx::query("SELECT 1")
                        .execute(self.readers())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }
            }

            #[async_trait]
            impl CredentialStore for super::$store {
                async fn create_user(&self, uid: &Uid, now: DateTime<Utc>) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "INSERT INTO users (uid, created_at) VALUES ($1, $2) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(uid.as_str())
                    .bind(to_micros(now))
                    .execute(self.writer())
                    .await
                    .map_err(map_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn user_exists(&self, uid: &Uid) -> StoreResult<bool> {
                    let row = sqlx::query("SELECT 1 FROM users WHERE uid = $1")
                        .bind(uid.as_str())
                        .fetch_optional(self.readers())
                        .await
                        .map_err(map_err)?;
                    Ok(row.is_some())
                }

                async fn create_app(&self, app: &AppRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO apps (id, name, capabilities, created_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(&app.id)
                    .bind(&app.name)
                    .bind(comma_list(&app.capabilities))
                    .bind(to_micros(app.created_at))
                    .execute(self.writer())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn app(&self, app_id: &str) -> StoreResult<Option<AppRecord>> {
                    let row = sqlx::query("SELECT * FROM apps WHERE id = $1")
                        .bind(app_id)
                        .fetch_optional(self.readers())
                        .await
                        .map_err(map_err)?;
                    row.map(|r| Ok(AppRow::from_row(&r).map_err(map_err)?.into_app()))
                        .transpose()
                }

                async fn create_app_key(&self, key: &AppKeyRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO app_keys (id, app_id, secret_hash, label, created_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&key.id)
                    .bind(&key.app_id)
                    .bind(&key.secret_hash)
                    .bind(&key.label)
                    .bind(to_micros(key.created_at))
                    .execute(self.writer())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn app_key_by_hash(
                    &self,
                    secret_hash: &str,
                ) -> StoreResult<Option<AppKeyRecord>> {
                    let row = sqlx::query(
                        "SELECT * FROM app_keys WHERE secret_hash = $1 AND revoked_at IS NULL",
                    )
                    .bind(secret_hash)
                    .fetch_optional(self.readers())
                    .await
                    .map_err(map_err)?;
                    row.map(|r| Ok(AppKeyRow::from_row(&r).map_err(map_err)?.into_key()))
                        .transpose()
                }

                async fn set_app_enabled(
                    &self,
                    uid: &Uid,
                    app_id: &str,
                    enabled: bool,
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    let query = if enabled {
                        sqlx::query(
                            "INSERT INTO app_enablements (uid, app_id, enabled_at) \
                             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                        )
                        .bind(uid.as_str())
                        .bind(app_id)
                        .bind(to_micros(now))
                    } else {
                        sqlx::query("DELETE FROM app_enablements WHERE uid = $1 AND app_id = $2")
                            .bind(uid.as_str())
                            .bind(app_id)
                    };
                    query.execute(self.writer()).await.map_err(map_err)?;
                    Ok(())
                }

                async fn is_app_enabled(&self, uid: &Uid, app_id: &str) -> StoreResult<bool> {
                    let row =
                        sqlx::query("SELECT 1 FROM app_enablements WHERE uid = $1 AND app_id = $2")
                            .bind(uid.as_str())
                            .bind(app_id)
                            .fetch_optional(self.readers())
                            .await
                            .map_err(map_err)?;
                    Ok(row.is_some())
                }

                async fn create_dev_key(&self, key: &DevKeyRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO dev_keys (id, uid, secret_hash, label, scopes, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&key.id)
                    .bind(key.uid.as_str())
                    .bind(&key.secret_hash)
                    .bind(&key.label)
                    .bind(comma_list(&key.scopes))
                    .bind(to_micros(key.created_at))
                    .execute(self.writer())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn dev_key_by_hash(
                    &self,
                    secret_hash: &str,
                ) -> StoreResult<Option<DevKeyRecord>> {
                    let row = sqlx::query(
                        "SELECT * FROM dev_keys WHERE secret_hash = $1 AND revoked_at IS NULL",
                    )
                    .bind(secret_hash)
                    .fetch_optional(self.readers())
                    .await
                    .map_err(map_err)?;
                    row.map(|r| DevKeyRow::from_row(&r).map_err(map_err)?.into_key())
                        .transpose()
                }

                async fn touch_dev_key(&self, key_id: &str, now: DateTime<Utc>) -> StoreResult<()> {
                    sqlx::query("UPDATE dev_keys SET last_used_at = $1 WHERE id = $2")
                        .bind(to_micros(now))
                        .bind(key_id)
                        .execute(self.writer())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn revoke_key(&self, key_id: &str, now: DateTime<Utc>) -> StoreResult<bool> {
                    let mut tx = self.writer().begin().await.map_err(map_err)?;
                    let mut revoked = 0;
                    for sql in [
                        "UPDATE app_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                        "UPDATE dev_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                    ] {
                        revoked += sqlx::query(sql)
                            .bind(to_micros(now))
                            .bind(key_id)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_err)?
                            .rows_affected();
                    }
                    tx.commit().await.map_err(map_err)?;
                    Ok(revoked > 0)
                }
            }

            #[async_trait]
            impl ConversationStore for super::$store {
                async fn insert_conversation(
                    &self,
                    c: &ConversationRecord,
                    job: &NewJob,
                    answer: Option<IdempotentAnswer<()>>,
                ) -> StoreResult<()> {
                    self.write(
                        (c.clone(), job.clone(), answer),
                        |conn, (c, job, answer)| {
                            async move {
                                insert_conversation_row(conn, c, job.created_at).await?;
                                jobs::insert(conn, job).await?;
                                remember(conn, answer.as_ref(), &()).await
                            }
                            .boxed()
                        },
                    )
                    .await
                }

                async fn list_conversations(
                    &self,
                    uid: &Uid,
                    params: &ConversationListParams,
                ) -> StoreResult<Vec<Conversation>> {
                    let rows = conversations_list(uid, params)
                        .build()
                        .fetch_all(self.readers())
                        .await
                        .map_err(map_err)?;
                    rows.iter().map(conversation_from_row).collect()
                }

                async fn conversation(
                    &self,
                    uid: &Uid,
                    id: &str,
                ) -> StoreResult<Option<Conversation>> {
                    let sql = concat!(
                        "SELECT ",
                        conversation_columns!(),
                        " FROM conversations WHERE uid = $1 AND id = $2"
                    );
                    let row = owned_row(self.readers(), sql, uid.as_str(), id).await?;
                    row.as_ref().map(conversation_from_row).transpose()
                }

                async fn insert_transcript_conversation(
                    &self,
                    c: &ConversationRecord,
                    segments: &[TranscriptSegment],
                    job: &NewJob,
                    answer: Option<IdempotentAnswer<()>>,
                ) -> StoreResult<()> {
                    let segments = serde_json::to_string(segments).map_err(json_err)?;
                    self.write(
                        (c.clone(), job.clone(), segments, answer),
                        |conn, (c, job, segments, answer)| {
                            async move {
                                insert_conversation_row(conn, c, job.created_at).await?;
                                set_transcript(conn, &c.uid, &c.id, segments).await?;
                                jobs::insert(conn, job).await?;
                                remember(conn, answer.as_ref(), &()).await
                            }
                            .boxed()
                        },
                    )
                    .await
                }

                async fn list_dev_conversations(
                    &self,
                    uid: &Uid,
                    params: &DevConversationListParams,
                ) -> StoreResult<Vec<Conversation>> {
                    let rows = dev_conversations_list(uid, params)
                        .build()
                        .fetch_all(self.readers())
                        .await
                        .map_err(map_err)?;
                    rows.iter().map(dev_conversation_from_row).collect()
                }

                async fn update_conversation(
                    &self,
                    uid: &Uid,
                    id: &str,
                    update: &ConversationUpdate,
                    now: DateTime<Utc>,
                ) -> StoreResult<Option<Conversation>> {
                    let data = (uid.clone(), id.to_owned(), update.clone(), now);
                    self.write(data, |conn, (uid, id, update, now)| {
                        update_conversation_row(conn, uid.clone(), id.clone(), update.clone(), *now)
                            .boxed()
                    })
                    .await
                }

                async fn delete_conversation(&self, uid: &Uid, id: &str) -> StoreResult<bool> {
                    self.write((uid.clone(), id.to_owned()), |conn, (uid, id)| {
                        delete_conversation_row(conn, uid.clone(), id.clone()).boxed()
                    })
                    .await
                }
            }

            #[async_trait]
            impl MemoryStore for super::$store {
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
                            let mut stored = Vec::with_capacity(memories.len());
                            for m in memories {
                                stored.push(upsert_memory(conn, uid, m).await?);
                            }
                            if let Some(job) = job {
                                jobs::insert(conn, job).await?;
                            }
                            remember(conn, answer.as_ref(), &stored).await?;
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
                    // Bind parameters are limited (SQLite: 32 766), so a huge batch is looked up
                    // in chunks of whole groups.
                    let mut found = Vec::new();
                    let mut seen = std::collections::HashSet::new();
                    for chunk in word_group_chunks(groups, MAX_LOOKUP_WORDS) {
                        for content in
                            near_duplicates(self.readers(), uid.as_str(), chunk, limit_each).await?
                        {
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
                    let rows = memories_list(uid, params)
                        .build()
                        .fetch_all(self.readers())
                        .await
                        .map_err(map_err)?;
                    rows.iter().map(memory_from_row).collect()
                }

                async fn memory(&self, uid: &Uid, id: &str) -> StoreResult<Option<Memory>> {
                    let sql = concat!(
                        "SELECT ",
                        memory_columns!(),
                        " FROM memories WHERE uid = $1 AND id = $2"
                    );
                    let row = owned_row(self.readers(), sql, uid.as_str(), id).await?;
                    row.as_ref().map(memory_from_row).transpose()
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
                        update_memory_row(conn, uid, id, update, edit, *now).boxed()
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
                        |conn, (uid, id, words)| delete_memory_row(conn, uid, id, words).boxed(),
                    )
                    .await
                }
            }

            #[async_trait]
            impl ActionItemStore for super::$store {
                async fn insert_action_items(
                    &self,
                    uid: &Uid,
                    items: &[ActionItemRecord],
                    answer: Option<IdempotentAnswer<Vec<ActionItem>>>,
                ) -> StoreResult<Vec<ActionItem>> {
                    let data = (uid.clone(), items.to_vec(), answer);
                    self.write(data, |conn, (uid, items, answer)| {
                        async move {
                            let stored = insert_action_item_rows(conn, uid, items).await?;
                            remember(conn, answer.as_ref(), &stored).await?;
                            Ok(stored)
                        }
                        .boxed()
                    })
                    .await
                }

                async fn list_action_items(
                    &self,
                    uid: &Uid,
                    params: &ActionItemListParams,
                ) -> StoreResult<Vec<ActionItem>> {
                    let rows = action_items_list(uid, params)
                        .build()
                        .fetch_all(self.readers())
                        .await
                        .map_err(map_err)?;
                    rows.iter().map(action_item_from_row).collect()
                }

                async fn action_item(
                    &self,
                    uid: &Uid,
                    id: &str,
                ) -> StoreResult<Option<ActionItem>> {
                    let sql = concat!(
                        "SELECT ",
                        action_item_columns!(),
                        " FROM action_items WHERE uid = $1 AND id = $2"
                    );
                    let row = owned_row(self.readers(), sql, uid.as_str(), id).await?;
                    row.as_ref().map(action_item_from_row).transpose()
                }

                async fn update_action_item(
                    &self,
                    uid: &Uid,
                    id: &str,
                    update: &ActionItemUpdate,
                    now: DateTime<Utc>,
                ) -> StoreResult<Option<ActionItem>> {
                    let data = (uid.clone(), id.to_owned(), update.clone(), now);
                    self.write(data, |conn, (uid, id, update, now)| {
                        update_action_item_row(conn, uid.clone(), id.clone(), update.clone(), *now)
                            .boxed()
                    })
                    .await
                }

                async fn delete_action_item(&self, uid: &Uid, id: &str) -> StoreResult<bool> {
                    self.write((uid.clone(), id.to_owned()), |conn, (uid, id)| {
                        delete_action_item_row(conn, uid.clone(), id.clone()).boxed()
                    })
                    .await
                }
            }

            #[async_trait]
            impl JobStore for super::$store {
                async fn claim_job(
                    &self,
                    now: DateTime<Utc>,
                    lease_until: DateTime<Utc>,
                ) -> StoreResult<Option<Job>> {
                    let (now, until) = (to_micros(now), to_micros(lease_until));
                    self.write((now, until), |conn, &(now, until)| {
                        jobs::claim(conn, now, until).boxed()
                    })
                    .await
                }

                async fn complete_conversation_job(
                    &self,
                    job: &Job,
                    processed: &ProcessedConversation,
                    memories: &[MemoryRecord],
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    // What processing found to do becomes the conversation's own action
                    // items, in the same write that completes the job.
                    let action_items = job
                        .task
                        .subject_id()
                        .map(|id| ActionItemRecord::extracted_from(processed, id, now))
                        .unwrap_or_default();
                    let data = (
                        job.clone(),
                        processed.clone(),
                        PreparedMemory::all(memories)?,
                        action_items,
                        to_micros(now),
                    );
                    self.write(
                        data,
                        |conn, (job, processed, memories, action_items, now)| {
                            async move {
                                let exists = jobs::complete_conversation(
                                    conn, job, processed, memories, *now,
                                )
                                .await?;
                                if exists {
                                    insert_action_item_rows(conn, &job.uid, action_items).await?;
                                }
                                Ok(())
                            }
                            .boxed()
                        },
                    )
                    .await
                }

                async fn complete_memories_job(
                    &self,
                    job: &Job,
                    memories: &[MemoryRecord],
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    let data = (job.clone(), PreparedMemory::all(memories)?, to_micros(now));
                    self.write(data, |conn, (job, memories, now)| {
                        jobs::complete_memories(conn, job, memories, *now).boxed()
                    })
                    .await
                }

                async fn retry_job(
                    &self,
                    job: &Job,
                    error: &str,
                    run_after: DateTime<Utc>,
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    let data = (
                        job.clone(),
                        error.to_owned(),
                        to_micros(run_after),
                        to_micros(now),
                    );
                    self.write(data, |conn, (job, error, run_after, now)| {
                        jobs::retry(conn, job, error, *run_after, *now).boxed()
                    })
                    .await
                }

                async fn fail_job(
                    &self,
                    job: &Job,
                    error: &str,
                    public_reason: &str,
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    let data = (
                        job.clone(),
                        error.to_owned(),
                        public_reason.to_owned(),
                        to_micros(now),
                    );
                    self.write(data, |conn, (job, error, public_reason, now)| {
                        jobs::fail(conn, job, error, public_reason, *now).boxed()
                    })
                    .await
                }

                async fn renew_lease(&self, job: &Job, until: DateTime<Utc>) -> StoreResult<bool> {
                    self.write((job.clone(), to_micros(until)), |conn, (job, until)| {
                        jobs::renew(conn, job, *until).boxed()
                    })
                    .await
                }

                async fn release_job(&self, job: &Job, now: DateTime<Utc>) -> StoreResult<()> {
                    self.write((job.clone(), to_micros(now)), |conn, (job, now)| {
                        jobs::release(conn, job, *now).boxed()
                    })
                    .await
                }

                async fn queue_depth(&self) -> StoreResult<i64> {
                    jobs::depth(self.readers()).await
                }

                async fn purge_finished_jobs(
                    &self,
                    finished_before: DateTime<Utc>,
                    at_most: u32,
                ) -> StoreResult<u64> {
                    let before = to_micros(finished_before);
                    jobs::purge_finished(self.writer(), before, i64::from(at_most)).await
                }
            }

            #[async_trait]
            impl IdempotencyStore for super::$store {
                async fn earlier_answer(
                    &self,
                    key: &IdempotencyKey,
                    not_before: DateTime<Utc>,
                ) -> StoreResult<Option<EarlierAnswer>> {
                    idempotency::earlier::<Db>(self.readers(), key, not_before).await
                }

                async fn purge_idempotency(&self, before: DateTime<Utc>) -> StoreResult<u64> {
                    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                        .bind(to_micros(before))
                        .execute(self.writer())
                        .await
                        .map_err(map_err)?;
                    Ok(done.rows_affected())
                }
            }
        }
    };
}
pub(crate) use store_impl;
