//! Imports: records of an export inserted with every field as given, a batch in one
//! transaction; a record the user has already is left as it is.

use async_trait::async_trait;
use futures::FutureExt;
use omi_model::{Folder, Goal, GoalHistoryEntry, Uid};

use super::backend::Conn;
use super::{Arg, Backend, Dialect, index_words, read};
use crate::store::rows::{json_err, map_err};
use crate::store::{
    ImportRecord, ImportStore, ImportedActionItem, ImportedBatch, ImportedConversation,
    ImportedMemory, MAX_FOLDERS_PER_USER, RecordRefused, RefusalReason, StoreResult, to_micros,
};

/// The most history rows of one goal an import writes (a value per day: over 100 years).
const MAX_HISTORY_ROWS: usize = 40_000;

#[async_trait]
impl<B: Backend> ImportStore for B {
    async fn import_batch(
        &self,
        uid: &Uid,
        records: Vec<ImportRecord>,
    ) -> StoreResult<Result<ImportedBatch, RecordRefused>> {
        self.write((uid.clone(), records), |conn, (uid, records)| {
            async move {
                if let Some(refused) = taken_id::<B::Db>(conn, uid, records).await? {
                    return Ok(Err(refused));
                }
                if let Some(refused) = folder_beyond_limit::<B::Db>(conn, uid, records).await? {
                    return Ok(Err(refused));
                }
                let mut batch = ImportedBatch::default();
                for record in records {
                    let created = insert::<B::Db>(conn, uid, record).await?;
                    let counts = if created {
                        &mut batch.created
                    } else {
                        &mut batch.already_present
                    };
                    counts.add(record.kind());
                }
                Ok(Ok(batch))
            }
            .boxed()
        })
        .await
    }
}

/// The first record of `records` whose id another user's record of its table has.
async fn taken_id<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    records: &[ImportRecord],
) -> StoreResult<Option<RecordRefused>> {
    for (index, record) in records.iter().enumerate() {
        let (statement, id) = match record {
            ImportRecord::Memory(m) => ("SELECT uid FROM memories WHERE id = $1", &m.memory.id),
            ImportRecord::Folder(f) => ("SELECT uid FROM folders WHERE id = $1", &f.id),
            ImportRecord::Conversation(c) => (
                "SELECT uid FROM conversations WHERE id = $1",
                &c.conversation.id,
            ),
            ImportRecord::ActionItem(a) => {
                ("SELECT uid FROM action_items WHERE id = $1", &a.item.id)
            }
            // Goals are a user's own (their key is the user and the id).
            ImportRecord::Goal(..) => continue,
        };
        let row = sqlx::query::<DB>(statement)
            .arg(id.as_str())
            .fetch_optional(DB::on(conn))
            .await
            .map_err(map_err)?;
        let owner = row.as_ref().map(read::<DB, (String,)>).transpose()?;
        if owner.is_some_and(|(owner,)| owner != uid.as_str()) {
            return Ok(Some(RecordRefused {
                index,
                reason: RefusalReason::IdTaken,
            }));
        }
    }
    Ok(None)
}

/// The first folder of `records` the user does not have yet that would pass
/// [`MAX_FOLDERS_PER_USER`].
async fn folder_beyond_limit<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    records: &[ImportRecord],
) -> StoreResult<Option<RecordRefused>> {
    if !records.iter().any(|r| matches!(r, ImportRecord::Folder(_))) {
        return Ok(None);
    }
    let row = sqlx::query::<DB>("SELECT COUNT(*) FROM folders WHERE uid = $1")
        .arg(uid.as_str())
        .fetch_one(DB::on(conn))
        .await
        .map_err(map_err)?;
    let (mut count,) = read::<DB, (i64,)>(&row)?;
    for (index, record) in records.iter().enumerate() {
        let ImportRecord::Folder(folder) = record else {
            continue;
        };
        let present = sqlx::query::<DB>("SELECT id FROM folders WHERE uid = $1 AND id = $2")
            .arg(uid.as_str())
            .arg(folder.id.as_str())
            .fetch_optional(DB::on(conn))
            .await
            .map_err(map_err)?;
        if present.is_some() {
            continue;
        }
        count = count.saturating_add(1);
        if count > MAX_FOLDERS_PER_USER {
            return Ok(Some(RecordRefused {
                index,
                reason: RefusalReason::TooManyFolders,
            }));
        }
    }
    Ok(None)
}

/// Insert `record` unless the user has it already; whether it was inserted.
async fn insert<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    record: &ImportRecord,
) -> StoreResult<bool> {
    match record {
        ImportRecord::Memory(m) => insert_memory::<DB>(conn, uid, m).await,
        ImportRecord::Folder(f) => insert_folder::<DB>(conn, uid, f).await,
        ImportRecord::Conversation(c) => insert_conversation::<DB>(conn, uid, c).await,
        ImportRecord::ActionItem(a) => insert_action_item::<DB>(conn, uid, a).await,
        ImportRecord::Goal(goal, history) => insert_goal::<DB>(conn, uid, goal, history).await,
    }
}

async fn insert_memory<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    p: &ImportedMemory,
) -> StoreResult<bool> {
    let m = &p.memory;
    let done = sqlx::query::<DB>(
        "INSERT INTO memories (id, uid, content, content_key, category, visibility, tags, \
         created_at, updated_at, manually_added, scoring, reviewed, user_review, edited, \
         app_id, conversation_id, search_terms, source_id, source_url) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19) ON CONFLICT DO NOTHING",
    )
    .arg(m.id.as_str())
    .arg(uid.as_str())
    .arg(m.content.as_str())
    .arg(p.key.as_str())
    .arg(p.category.as_str())
    .arg(p.visibility.as_str())
    .arg(p.tags.as_str())
    .arg(to_micros(m.created_at))
    .arg(p.updated_at)
    .arg(m.manually_added.unwrap_or(false))
    .arg(p.scoring.as_str())
    .arg(m.reviewed.unwrap_or(false))
    .arg(m.user_review)
    .arg(m.edited.unwrap_or(false))
    .arg(m.app_id.as_deref())
    .arg(m.conversation_id.as_deref())
    .arg(p.search_terms.as_str())
    .arg(m.source_id.as_deref())
    .arg(m.source_url.as_deref())
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    let inserted = DB::rows_affected(&done) > 0;
    if inserted {
        index_words::<DB>(conn, uid.as_str(), &m.id, &p.words).await?;
    }
    Ok(inserted)
}

async fn insert_folder<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    f: &Folder,
) -> StoreResult<bool> {
    let done = sqlx::query::<DB>(
        "INSERT INTO folders (id, uid, name, description, color, icon, created_at, \
         updated_at, sort_order, is_default, is_system) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
    )
    .arg(f.id.as_str())
    .arg(uid.as_str())
    .arg(f.name.as_str())
    .arg(f.description.as_deref())
    .arg(f.color.as_str())
    .arg(f.icon.as_str())
    .arg(to_micros(f.created_at))
    .arg(to_micros(f.updated_at))
    .arg(f.order)
    .arg(f.is_default)
    .arg(f.is_system)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(DB::rows_affected(&done) > 0)
}

async fn insert_conversation<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    p: &ImportedConversation,
) -> StoreResult<bool> {
    let c = &p.conversation;
    let done = sqlx::query::<DB>(
        "INSERT INTO conversations (id, uid, app_id, source, text, text_source, \
         text_source_spec, language, created_at, started_at, finished_at, status, discarded, \
         geolocation, structured, transcript_segments, failure_reason, updated_at, \
         summary_terms, text_terms, starred, folder_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $9, $18, $19, $20, $21) ON CONFLICT DO NOTHING",
    )
    .arg(c.id.as_str())
    .arg(uid.as_str())
    .arg(c.app_id.as_deref())
    .arg(p.source.as_str())
    .arg(p.text.as_str())
    .arg(p.text_source.as_str())
    .arg(p.text_source_spec.as_deref())
    .arg(c.language.as_deref().unwrap_or("en"))
    .arg(to_micros(c.created_at))
    .arg(to_micros(p.started_at()))
    .arg(to_micros(p.finished_at()))
    .arg(p.status.as_str())
    .arg(c.discarded)
    .arg(p.geolocation.as_deref())
    .arg(p.structured.as_str())
    .arg(p.transcript.as_str())
    .arg(p.failure_reason.as_deref())
    .arg(p.summary_terms.as_str())
    .arg(p.text_terms.as_str())
    .arg(c.starred)
    .arg(c.folder_id.as_deref())
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(DB::rows_affected(&done) > 0)
}

async fn insert_action_item<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    p: &ImportedActionItem,
) -> StoreResult<bool> {
    let a = &p.item;
    let done = sqlx::query::<DB>(
        "INSERT INTO action_items (id, uid, description, completed, created_at, updated_at, \
         due_at, completed_at, conversation_id, search_terms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
    )
    .arg(a.id.as_str())
    .arg(uid.as_str())
    .arg(a.description.as_str())
    .arg(a.completed)
    .arg(p.created_at)
    .arg(p.updated_at)
    .arg(a.due_at.map(to_micros))
    .arg(a.completed_at.map(to_micros))
    .arg(a.conversation_id.as_deref())
    .arg(p.search_terms.as_str())
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(DB::rows_affected(&done) > 0)
}

async fn insert_goal<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    goal: &Goal,
    history: &[GoalHistoryEntry],
) -> StoreResult<bool> {
    let done = sqlx::query::<DB>(
        "INSERT INTO goals (uid, id, created_at, active, body) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT DO NOTHING",
    )
    .arg(uid.as_str())
    .arg(goal.id.as_str())
    .arg(to_micros(goal.created_at))
    .arg(goal.is_active)
    .arg(serde_json::to_string(goal).map_err(json_err)?)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    if DB::rows_affected(&done) == 0 {
        return Ok(false);
    }
    for entry in history.iter().take(MAX_HISTORY_ROWS) {
        sqlx::query::<DB>(
            "INSERT INTO goal_history (uid, goal_id, day, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .arg(uid.as_str())
        .arg(goal.id.as_str())
        .arg(entry.date.as_str())
        .arg(serde_json::to_string(entry).map_err(json_err)?)
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    }
    Ok(true)
}
