//! Memory vectors: what needs embedding, what the embedder made, and the nearest vectors of
//! a user's memories.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::{FutureExt, TryStreamExt};
use omi_model::{MemorySearchItem, Uid};
use sqlx::QueryBuilder;

use super::backend::Conn;
use super::parts::push_any;
use super::{Arg, Backend, Dialect, PushArg, read};
use crate::store::embeddings::{dot_with_stored, vector_bytes};
use crate::store::rows::{SearchHitRow, map_err, uid_of};
use crate::store::{EmbeddedMemory, EmbeddingStore, MemoryToEmbed, StoreResult, to_micros};

#[async_trait]
impl<B: Backend> EmbeddingStore for B {
    async fn memories_to_embed(
        &self,
        model: &str,
        max_attempts: i32,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<MemoryToEmbed>> {
        let rows = sqlx::query::<B::Db>(
            "SELECT m.id, m.uid, m.content, m.updated_at FROM memories AS m \
             LEFT JOIN memory_embeddings AS e ON e.memory_id = m.id \
             WHERE e.memory_id IS NULL OR e.memory_at <> m.updated_at OR e.model <> $1 \
             OR (e.vector IS NULL AND e.attempts < $2 AND e.retry_at <= $3) \
             ORDER BY m.id LIMIT $4",
        )
        .arg(model)
        .arg(max_attempts)
        .arg(to_micros(now))
        .arg(limit)
        .fetch_all(B::Db::on_pool(self.readers()))
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                let (id, uid, content, memory_at) =
                    read::<B::Db, (String, String, String, i64)>(row)?;
                Ok(MemoryToEmbed {
                    id,
                    uid: uid_of(uid)?,
                    content,
                    memory_at,
                })
            })
            .collect()
    }

    async fn save_embeddings(&self, model: &str, done: &[EmbeddedMemory]) -> StoreResult<()> {
        let data = (model.to_owned(), done.to_vec());
        self.write(data, |conn, (model, done)| {
            async move {
                for one in done.iter() {
                    save_one::<B::Db>(conn, model, one).await?;
                }
                Ok(())
            }
            .boxed()
        })
        .await
    }

    async fn nearest_memories(
        &self,
        uid: &Uid,
        model: &str,
        query: &[f32],
        limit: usize,
        min_similarity: f32,
    ) -> StoreResult<Vec<(String, f32)>> {
        let mut rows = sqlx::query::<B::Db>(
            "SELECT e.memory_id, e.vector FROM memory_embeddings AS e \
             JOIN memories AS m ON m.id = e.memory_id \
             WHERE e.uid = $1 AND m.uid = $1 AND e.model = $2 AND e.vector IS NOT NULL \
             AND e.memory_at = m.updated_at",
        )
        .arg(uid.as_str())
        .arg(model)
        .fetch(B::Db::on_pool(self.readers()));
        let mut best = BinaryHeap::with_capacity(limit.saturating_add(1));
        while let Some(row) = rows.try_next().await.map_err(map_err)? {
            let (id, vector) = read::<B::Db, (String, Vec<u8>)>(&row)?;
            let Some(similarity) = dot_with_stored(query, &vector) else {
                continue;
            };
            if similarity.is_finite() && similarity >= min_similarity {
                best.push(Nearest(similarity, id));
                if best.len() > limit {
                    best.pop();
                }
            }
        }
        let mut found: Vec<(String, f32)> =
            best.into_iter().map(|Nearest(s, id)| (id, s)).collect();
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(found)
    }

    async fn memory_search_items(
        &self,
        uid: &Uid,
        ids: &[String],
    ) -> StoreResult<Vec<MemorySearchItem>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<B::Db>::new(
            "SELECT id, content, category, CAST(0 AS DOUBLE PRECISION) AS score FROM memories \
             WHERE uid = ",
        );
        q.push_arg(uid.as_str());
        push_any(&mut q, "id", ids.iter().map(String::as_str));
        let rows = q
            .build()
            .fetch_all(B::Db::on_pool(self.readers()))
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|row| read::<B::Db, SearchHitRow>(row)?.into_item())
            .collect()
    }
}

/// A memory and its similarity, ordered so that the heap's top is the least similar (the
/// one to drop when there are too many).
struct Nearest(f32, String);

impl PartialEq for Nearest {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Nearest {}

impl PartialOrd for Nearest {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Nearest {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: the smallest similarity is the greatest element.
        other
            .0
            .total_cmp(&self.0)
            .then_with(|| self.1.cmp(&other.1))
    }
}

/// Keep one outcome of the embedder, unless its memory is gone.
async fn save_one<DB: Dialect>(
    conn: &mut Conn<DB>,
    model: &str,
    one: &EmbeddedMemory,
) -> StoreResult<()> {
    let (vector, retry_at) = match &one.outcome {
        Ok(vector) => (Some(vector_bytes(vector)), 0),
        Err(retry_at) => (None, to_micros(*retry_at)),
    };
    sqlx::query::<DB>(
        "INSERT INTO memory_embeddings (memory_id, uid, model, memory_at, vector, attempts, \
         retry_at) SELECT $1, $2, $3, $4, $5, $6, $7 \
         WHERE EXISTS (SELECT 1 FROM memories WHERE id = $1) \
         ON CONFLICT (memory_id) DO UPDATE SET \
         attempts = CASE WHEN excluded.vector IS NOT NULL THEN 0 \
         WHEN memory_embeddings.memory_at = excluded.memory_at \
         AND memory_embeddings.model = excluded.model \
         THEN memory_embeddings.attempts + 1 ELSE 1 END, \
         model = excluded.model, memory_at = excluded.memory_at, vector = excluded.vector, \
         retry_at = excluded.retry_at",
    )
    .arg(one.memory_id.as_str())
    .arg(one.uid.as_str())
    .arg(model)
    .arg(one.memory_at)
    .arg(vector)
    .arg(i32::from(one.outcome.is_err()))
    .arg(retry_at)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(())
}
