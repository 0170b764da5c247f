//! The storage of memory vectors for semantic search: [`EmbeddingStore`], what the embedder
//! reads ([`MemoryToEmbed`]) and writes ([`EmbeddedMemory`]), and the vectors' byte form.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::{MemorySearchItem, Uid};

use super::StoreResult;

/// A memory whose content has no vector of the current model yet (new, changed, or its last
/// attempt failed and may be tried again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryToEmbed {
    /// Its id.
    pub id: String,
    /// Its user.
    pub uid: Uid,
    /// Its content, to embed.
    pub content: String,
    /// Its `updated_at` (microseconds) when read: the vector is of the content as it was then.
    pub memory_at: i64,
}

/// What the embedder made of a [`MemoryToEmbed`].
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddedMemory {
    /// The memory's id.
    pub memory_id: String,
    /// Its user.
    pub uid: Uid,
    /// Its `updated_at` when read.
    pub memory_at: i64,
    /// Its vector (unit length), or when to try again after a failure.
    pub outcome: Result<Vec<f32>, DateTime<Utc>>,
}

/// The vectors of memories. Every read is scoped to one user.
#[async_trait]
pub trait EmbeddingStore: Send + Sync + 'static {
    /// Up to `limit` memories of any user without a vector of `model` for their content as
    /// it is: never embedded, changed since, embedded by another model, or failed fewer than
    /// `max_attempts` times and due again at `now`.
    async fn memories_to_embed(
        &self,
        model: &str,
        max_attempts: i32,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<MemoryToEmbed>>;

    /// Keep what the embedder made, in one transaction: a vector replaces the memory's row,
    /// a failure counts one more attempt (the first, if the memory changed since). A memory
    /// deleted meanwhile is skipped.
    async fn save_embeddings(&self, model: &str, done: &[EmbeddedMemory]) -> StoreResult<()>;

    /// The ids of the user's `limit` memories whose current vectors of `model` are nearest
    /// to `query` (a unit vector), with their cosine similarity, most similar first; only
    /// those at least `min_similarity`. Reads the vectors one by one, keeping the best.
    async fn nearest_memories(
        &self,
        uid: &Uid,
        model: &str,
        query: &[f32],
        limit: usize,
        min_similarity: f32,
    ) -> StoreResult<Vec<(String, f32)>>;

    /// The search items of the user's memories `ids` (any order; missing ids are skipped),
    /// their `relevance_score` unset.
    async fn memory_search_items(
        &self,
        uid: &Uid,
        ids: &[String],
    ) -> StoreResult<Vec<MemorySearchItem>>;
}

/// A vector as stored: its numbers as little-endian f32s.
pub(crate) fn vector_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The dot product of `query` and a stored vector; `None` when their lengths differ (a
/// vector of another model's size).
pub(crate) fn dot_with_stored(query: &[f32], stored: &[u8]) -> Option<f32> {
    if stored.len() != query.len() * 4 {
        return None;
    }
    let sum = stored
        .chunks_exact(4)
        .zip(query)
        .map(|(bytes, q)| f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) * q)
        .sum();
    Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_vector_reads_back_for_the_dot_product() {
        let v = [0.6_f32, 0.8, 0.0];
        let bytes = vector_bytes(&v);
        assert_eq!(bytes.len(), 12);
        let d = dot_with_stored(&v, &bytes).unwrap();
        assert!((d - 1.0).abs() < 1e-6);
        assert_eq!(dot_with_stored(&[1.0, 0.0], &bytes), None);
    }
}
