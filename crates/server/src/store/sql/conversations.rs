//! Conversations: the insert of a conversation with its processing job, both lists, and the
//! read-modify-write update.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use omi_model::{
    Conversation, ConversationListParams, ConversationSearch, ConversationUpdate,
    DevConversationListParams, RankedSearch, Structured, TranscriptSegment, Uid,
};
use sqlx::QueryBuilder;

use super::backend::Conn;
use super::parts::{NEWEST_FIRST, owned_row, push_any, push_date_range, push_page};
use super::search_index::summary_terms;
use super::{
    Arg, Backend, Dialect, PushArg, conversation_columns, dev_conversation_columns, jobs, locking,
    read, remember,
};
use super::{folders, search};
use crate::store::rows::{ConversationRow, DevConversationRow, json_err, map_err};
use crate::store::{
    ConversationRecord, ConversationSearchPage, ConversationStore, IdempotentAnswer, NewJob,
    RankedConversation, StoreError, StoreResult, to_micros,
};

#[async_trait]
impl<B: Backend> ConversationStore for B {
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
                    insert::<B::Db>(conn, c, job.created_at).await?;
                    jobs::insert::<B::Db>(conn, job).await?;
                    remember::<B::Db, _>(conn, answer.as_ref(), &()).await
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
        let rows = integration_list::<B::Db>(uid, params)
            .build()
            .fetch_all(B::Db::on_pool(self.readers()))
            .await
            .map_err(map_err)?;
        rows.iter().map(conversation_from_row::<B::Db>).collect()
    }

    async fn conversation(&self, uid: &Uid, id: &str) -> StoreResult<Option<Conversation>> {
        let sql = concat!(
            "SELECT ",
            conversation_columns!(),
            " FROM conversations WHERE uid = $1 AND id = $2"
        );
        let row = owned_row(B::Db::on_pool(self.readers()), sql, uid.as_str(), id).await?;
        row.as_ref().map(conversation_from_row::<B::Db>).transpose()
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
                    insert::<B::Db>(conn, c, job.created_at).await?;
                    set_transcript::<B::Db>(conn, &c.uid, &c.id, segments).await?;
                    jobs::insert::<B::Db>(conn, job).await?;
                    remember::<B::Db, _>(conn, answer.as_ref(), &()).await
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
        let rows = developer_list::<B::Db>(uid, params)
            .build()
            .fetch_all(B::Db::on_pool(self.readers()))
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|row| read::<B::Db, DevConversationRow>(row)?.into_conversation())
            .collect()
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
            update_row::<B::Db>(conn, uid, id, update, *now).boxed()
        })
        .await
    }

    async fn delete_conversation(&self, uid: &Uid, id: &str) -> StoreResult<bool> {
        self.write((uid.clone(), id.to_owned()), |conn, (uid, id)| {
            delete_row::<B::Db>(conn, uid, id).boxed()
        })
        .await
    }

    async fn search_conversations(
        &self,
        uid: &Uid,
        search: &ConversationSearch,
    ) -> StoreResult<ConversationSearchPage> {
        search::search_page::<B::Db>(self.readers(), uid, search).await
    }

    async fn rank_conversations(
        &self,
        uid: &Uid,
        search: &RankedSearch,
    ) -> StoreResult<Vec<RankedConversation>> {
        search::ranked_conversations::<B::Db>(self.readers(), uid, search).await
    }
}

/// A conversation object from a row of `conversation_columns!()`.
pub(super) fn conversation_from_row<DB: Dialect>(row: &DB::Row) -> StoreResult<Conversation> {
    read::<DB, ConversationRow>(row)?.into_conversation()
}

/// The integration list, every column of the conversation object.
pub(crate) fn integration_list<DB: Dialect>(
    uid: &Uid,
    params: &ConversationListParams,
) -> QueryBuilder<DB> {
    let mut q = QueryBuilder::<DB>::new(concat!(
        "SELECT ",
        conversation_columns!(),
        " FROM conversations WHERE uid = "
    ));
    q.push_arg(uid.as_str());
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

/// The developer list, in the developer's shape, with the transcript column only when it is
/// shown.
pub(crate) fn developer_list<DB: Dialect>(
    uid: &Uid,
    params: &DevConversationListParams,
) -> QueryBuilder<DB> {
    let mut q = QueryBuilder::<DB>::new(concat!("SELECT ", dev_conversation_columns!()));
    if params.include_transcript {
        q.push(", transcript_segments");
    }
    // The literal status and discarded terms match the partial indexes of the dev list,
    // which is how SQLite knows it may use them.
    q.push(" FROM conversations WHERE status = 'completed' AND discarded = FALSE AND uid = ");
    q.push_arg(uid.as_str());
    push_any(
        &mut q,
        "category",
        params.categories.iter().map(|c| c.as_str()),
    );
    push_date_range(&mut q, "created_at", params.start_date, params.end_date);
    if let Some(folder) = &params.folder_id {
        q.push(" AND folder_id = ");
        q.push_arg(folder.as_str().to_owned());
    }
    // Literal, as the partial index of starred conversations says it.
    match params.starred {
        Some(true) => q.push(" AND starred = TRUE"),
        Some(false) => q.push(" AND starred = FALSE"),
        None => &mut q,
    };
    push_page(&mut q, NEWEST_FIRST, &params.page);
    q
}

/// Insert a new conversation, `processing`, with an empty `structured`.
async fn insert<DB: Dialect>(
    conn: &mut Conn<DB>,
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
    sqlx::query::<DB>(
        "INSERT INTO conversations (id, uid, app_id, source, text, text_source, \
         text_source_spec, language, created_at, started_at, finished_at, status, \
         discarded, geolocation, structured, updated_at, text_terms, client_session_id, \
         client_device_id, client_platform) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, 'processing', FALSE, $12, $13, $14, $15, $16, $17, $18)",
    )
    .arg(c.id.as_str())
    .arg(c.uid.as_str())
    .arg(c.app_id.as_deref())
    .arg(c.source.as_str())
    .arg(c.text.as_str())
    .arg(c.text_source.as_str())
    .arg(c.text_source_spec.as_deref())
    .arg(c.language.as_str())
    .arg(to_micros(c.created_at))
    .arg(to_micros(c.started_at))
    .arg(to_micros(c.finished_at))
    .arg(geolocation.as_deref())
    .arg(structured)
    .arg(to_micros(now))
    .arg(c.text_terms.as_str())
    .arg(c.client.session_id.as_deref())
    .arg(c.client.device_id.as_deref())
    .arg(c.client.platform.as_deref())
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Give a new conversation the transcript its creator sent.
async fn set_transcript<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    id: &str,
    segments: &str,
) -> StoreResult<()> {
    sqlx::query::<DB>(
        "UPDATE conversations SET transcript_segments = $1 WHERE uid = $2 AND id = $3",
    )
    .arg(segments)
    .arg(uid.as_str())
    .arg(id)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Delete one of a user's conversations; `false` when there was none.
async fn delete_row<DB: Dialect>(conn: &mut Conn<DB>, uid: &Uid, id: &str) -> StoreResult<bool> {
    let done = sqlx::query::<DB>("DELETE FROM conversations WHERE uid = $1 AND id = $2")
        .arg(uid.as_str())
        .arg(id)
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    Ok(DB::rows_affected(&done) > 0)
}

/// Apply `update` to one of a user's conversations; `None` when it does not exist.
async fn update_row<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    id: &str,
    update: &ConversationUpdate,
    now: DateTime<Utc>,
) -> StoreResult<Option<Conversation>> {
    const READ: super::Locking = locking!(
        "SELECT ", conversation_columns!(), " FROM conversations WHERE uid = $1 AND id = $2";
        lock: " FOR UPDATE"
    );
    let row = owned_row(DB::on(conn), DB::text(&READ), uid.as_str(), id).await?;
    let Some(row) = row else { return Ok(None) };
    let mut changed = update.apply(conversation_from_row::<DB>(&row)?);
    if let Some(Some(folder)) = &update.folder {
        let name = folders::folder_name::<DB>(conn, uid, folder.as_str()).await?;
        let name = name.ok_or_else(|| StoreError::NotFound(format!("folder {folder}")))?;
        changed.folder_name = Some(name);
    }
    // The fields the user set are marked, so that processing, should it still run, keeps
    // them (`jobs::complete_conversation`).
    sqlx::query::<DB>(
        "UPDATE conversations SET structured = $1, discarded = $2, updated_at = $3, \
         title_set_by_user = (title_set_by_user OR $4), \
         discarded_set_by_user = (discarded_set_by_user OR $5), summary_terms = $8, \
         starred = $9, folder_id = $10 WHERE uid = $6 AND id = $7",
    )
    .arg(serde_json::to_string(&changed.structured).map_err(json_err)?)
    .arg(changed.discarded)
    .arg(to_micros(now))
    .arg(update.title.is_some())
    .arg(update.discarded.is_some())
    .arg(uid.as_str())
    .arg(id)
    .arg(summary_terms(&changed.structured))
    .arg(changed.starred)
    .arg(changed.folder_id.as_deref())
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(Some(changed))
}
