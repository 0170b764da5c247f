//! Semantic memory search (`--embeddings`): vectors of memories from any OpenAI-compatible
//! `/embeddings` endpoint, made in the background after the write (never in the request),
//! stored beside the memory, and fused with the full-text ranking by reciprocal rank fusion.
//!
//! - [`run_embedder`] is the loop that embeds what needs it: memories never embedded,
//!   changed since, or embedded by another model
//!   ([`EmbeddingStore::memories_to_embed`](crate::store::EmbeddingStore::memories_to_embed)),
//!   a batch at a time. A batch the endpoint refuses is tried again later
//!   ([`SemanticConfig::retry_after`]); a memory that fails [`MAX_ATTEMPTS`] times keeps no
//!   vector and is still found by its words. A panic in a round fails that round only.
//! - `SemanticSearch::hybrid` answers a memory search: the full-text hits and the memories
//!   whose vectors are nearest to the query's, fused ([`fuse`]). When the query cannot be
//!   embedded (the endpoint down or slower than [`QUERY_TIMEOUT`]), the answer is the
//!   full-text one: a search never fails because embeddings do.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use omi_extract::{EmbedError, Embedder, EmbeddingsConfig};
use omi_model::{Limit, MemorySearch, MemorySearchItem, Uid};
use tokio::sync::watch;

use crate::service::Service;
use crate::store::{EmbeddedMemory, MemoryToEmbed, Store, StoreResult};

/// The longest a search waits for its query's vector before answering with words alone.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(2);
/// How many times a memory's embedding is tried before it is left without a vector.
pub const MAX_ATTEMPTS: i32 = 5;
/// How many hits of each ranking are fused.
pub const FUSION_DEPTH: u32 = 50;
/// The constant of reciprocal rank fusion: a hit at rank `r` (from 1) counts `1 / (K + r)`.
pub const RRF_K: f64 = 60.0;

/// What semantic search needs: the endpoint and how similar a memory must be to count.
#[derive(Debug, Clone)]
pub struct SemanticConfig {
    /// The `/embeddings` endpoint, its model and key.
    pub embeddings: EmbeddingsConfig,
    /// The least cosine similarity of a memory's vector to the query's for it to be a hit
    /// (a vector search otherwise finds "nearest" memories for any query).
    pub min_similarity: f32,
    /// How long after a failed attempt a memory is tried again.
    pub retry_after: Duration,
    /// How long an idle embedder waits before it looks again (for memories due for a retry,
    /// or written by another process); a write through this server wakes it at once.
    pub idle_wait: Duration,
}

impl SemanticConfig {
    /// The default least similarity.
    pub const DEFAULT_MIN_SIMILARITY: f32 = 0.3;
    /// The default wait before a failed memory is tried again.
    pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);
    /// The default wait of an idle embedder.
    pub const DEFAULT_IDLE_WAIT: Duration = Duration::from_secs(30);

    /// Semantic search over `embeddings`, every other setting at its default.
    pub fn new(embeddings: EmbeddingsConfig) -> Self {
        Self {
            embeddings,
            min_similarity: Self::DEFAULT_MIN_SIMILARITY,
            retry_after: Self::DEFAULT_RETRY_AFTER,
            idle_wait: Self::DEFAULT_IDLE_WAIT,
        }
    }
}

/// Semantic search over one endpoint: the embedder loop's and the searches' shared part.
#[derive(Debug)]
pub struct SemanticSearch {
    embedder: Embedder,
    min_similarity: f32,
    batch: usize,
    retry_after: Duration,
    idle_wait: Duration,
}

impl SemanticSearch {
    /// The semantic search `config` describes.
    pub fn new(config: SemanticConfig) -> Result<Self, EmbedError> {
        Ok(Self {
            batch: config.embeddings.batch.max(1),
            embedder: Embedder::new(config.embeddings)?,
            min_similarity: config.min_similarity,
            retry_after: config.retry_after,
            idle_wait: config.idle_wait,
        })
    }

    /// The model whose vectors are stored and compared.
    pub fn model(&self) -> &str {
        self.embedder.model()
    }

    /// `search` answered with both rankings fused; the full-text answer alone when the query
    /// has no vector.
    pub(crate) async fn hybrid(
        &self,
        store: &dyn Store,
        uid: &Uid,
        search: &MemorySearch,
    ) -> StoreResult<Vec<MemorySearchItem>> {
        let depth = MemorySearch {
            query: search.query.clone(),
            limit: Limit::new_clamped(FUSION_DEPTH.max(search.limit.get()), Limit::SEARCH_MAX),
        };
        let words = store.search_memories(uid, &depth).await?;
        let Some(query) = self.query_vector(&search.query).await else {
            return Ok(words.into_iter().take(limit_of(search)).collect());
        };
        let near = store
            .nearest_memories(
                uid,
                self.model(),
                &query,
                FUSION_DEPTH as usize,
                self.min_similarity,
            )
            .await?;
        let word_ids: Vec<&str> = words.iter().map(|w| w.id.as_str()).collect();
        let near_ids: Vec<&str> = near.iter().map(|(id, _)| id.as_str()).collect();
        let fused = fuse(&[&word_ids, &near_ids], limit_of(search));
        let mut known: HashMap<String, MemorySearchItem> =
            words.into_iter().map(|w| (w.id.clone(), w)).collect();
        let missing: Vec<String> = fused
            .iter()
            .filter(|(id, _)| !known.contains_key(id))
            .map(|(id, _)| id.clone())
            .collect();
        for item in store.memory_search_items(uid, &missing).await? {
            known.insert(item.id.clone(), item);
        }
        Ok(fused
            .into_iter()
            .filter_map(|(id, score)| {
                let mut item = known.remove(&id)?;
                item.relevance_score = Some(crate::store::relevance(score));
                Some(item)
            })
            .collect())
    }

    /// The query's vector, or `None` (logged) when the endpoint fails or takes longer than
    /// [`QUERY_TIMEOUT`].
    async fn query_vector(&self, query: &str) -> Option<Vec<f32>> {
        let texts = [query.to_owned()];
        match tokio::time::timeout(QUERY_TIMEOUT, self.embedder.embed(&texts)).await {
            Ok(Ok(mut vectors)) => vectors.pop(),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not embed a search query; searching by words");
                None
            }
            Err(_) => {
                tracing::warn!("embedding a search query timed out; searching by words");
                None
            }
        }
    }

    /// One round of the embedder: embed up to a batch of what needs it and keep the result;
    /// how many memories it handled (0: nothing to do).
    async fn embed_round(
        &self,
        store: &dyn Store,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<usize> {
        let batch = i64::try_from(self.batch).unwrap_or(i64::MAX);
        let todo = store
            .memories_to_embed(self.model(), MAX_ATTEMPTS, now, batch)
            .await?;
        if todo.is_empty() {
            return Ok(0);
        }
        let done = self.embed_batch(&todo, now).await;
        store.save_embeddings(self.model(), &done).await?;
        Ok(todo.len())
    }

    /// The outcome of each memory of `todo`: one request for all; when the endpoint refuses
    /// the batch for good (a 4xx, a malformed answer), one request per memory, so one text it
    /// cannot take does not fail the others.
    async fn embed_batch(
        &self,
        todo: &[MemoryToEmbed],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<EmbeddedMemory> {
        let texts: Vec<String> = todo.iter().map(|m| m.content.clone()).collect();
        match self.embedder.embed(&texts).await {
            Ok(vectors) => todo
                .iter()
                .zip(vectors)
                .map(|(m, v)| outcome(m, Ok(v)))
                .collect(),
            Err(e) if e.is_retryable() || todo.len() == 1 => {
                tracing::warn!(error = %e, memories = todo.len(), "embedding failed; will retry");
                let later = self.retry_at(now);
                todo.iter().map(|m| outcome(m, Err(later))).collect()
            }
            Err(e) => {
                tracing::warn!(error = %e, "a batch was refused; embedding its memories one by one");
                let mut done = Vec::with_capacity(todo.len());
                for m in todo {
                    let one = self.embedder.embed(std::slice::from_ref(&m.content)).await;
                    done.push(match one.map(|mut v| v.pop()) {
                        Ok(Some(vector)) => outcome(m, Ok(vector)),
                        _ => outcome(m, Err(self.retry_at(now))),
                    });
                }
                done
            }
        }
    }
}

impl SemanticSearch {
    /// When a memory that failed now is tried again.
    fn retry_at(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        chrono::Duration::from_std(self.retry_after)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(now)
    }
}

/// What became of memory `m`.
fn outcome(
    m: &MemoryToEmbed,
    result: Result<Vec<f32>, chrono::DateTime<chrono::Utc>>,
) -> EmbeddedMemory {
    EmbeddedMemory {
        memory_id: m.id.clone(),
        uid: m.uid.clone(),
        memory_at: m.memory_at,
        outcome: result,
    }
}

fn limit_of(search: &MemorySearch) -> usize {
    search.limit.get() as usize
}

/// Reciprocal rank fusion of `rankings` (each best first, ids unique within one): every id
/// scores `1 / (RRF_K + rank)` summed over the rankings it is in, then the best `limit`,
/// with each score divided by the best possible (first in every ranking), so in (0, 1].
/// Ties keep the order of first appearance.
pub fn fuse(rankings: &[&[&str]], limit: usize) -> Vec<(String, f64)> {
    let mut scores: Vec<(String, f64)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for ranking in rankings {
        for (rank, id) in ranking.iter().enumerate() {
            let score = 1.0 / (RRF_K + rank as f64 + 1.0);
            match index.get(id) {
                Some(&at) => scores[at].1 += score,
                None => {
                    index.insert(id, scores.len());
                    scores.push(((*id).to_owned(), score));
                }
            }
        }
    }
    let best = rankings.len().max(1) as f64 / (RRF_K + 1.0);
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    scores.truncate(limit);
    scores.into_iter().map(|(id, s)| (id, s / best)).collect()
}

/// The embedder loop: rounds until `stopped`, waiting its idle wait when a round found
/// nothing to do or failed. A round that panics is logged and counted; the loop goes on.
pub async fn run_embedder(
    service: Service,
    semantic: Arc<SemanticSearch>,
    mut stopped: watch::Receiver<bool>,
) {
    tracing::info!(
        model = semantic.model(),
        "embedding memories for semantic search"
    );
    loop {
        let store = service.store().as_ref();
        let round = AssertUnwindSafe(semantic.embed_round(store, service.now())).catch_unwind();
        let busy = match round.await {
            Ok(Ok(n)) => n > 0,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "an embedding round failed");
                false
            }
            Err(panic) => {
                crate::metrics::panic_caught(crate::metrics::PanicSite::Embedder);
                let message = crate::panics::message(&*panic);
                tracing::error!(panic = %message, "an embedding round panicked; going on");
                false
            }
        };
        if busy {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(semantic.idle_wait) => {}
            () = service.until_memories_written() => {}
            () = async { let _ = stopped.wait_for(|s| *s).await; } => return,
        }
        if *stopped.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fusion_rewards_agreement_and_keeps_either_rankings_hits() {
        let words = ["a", "b", "c"];
        let near = ["c", "d"];
        let fused = fuse(&[&words, &near], 10);
        let ids: Vec<&str> = fused.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "b", "d"]);
        assert!(fused.iter().all(|(_, s)| *s > 0.0 && *s <= 1.0));
        assert_eq!(fuse(&[&words, &near], 2).len(), 2);
        let alone = fuse(&[&["x"], &[]], 5);
        assert_eq!(alone[0].0, "x");
        assert!(fuse(&[&[], &[]], 5).is_empty());
    }
}
