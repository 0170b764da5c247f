//! The storage of memories: [`MemoryStore`], [`MemoryRecord`], and what a memory write
//! computes before it runs (its content key, scoring and indexed words).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_extract::identity::{content_key, indexed_words_of};
use omi_extract::search::index_terms;
use omi_extract::{ExtractedMemory, categorize_memory};
use omi_model::{
    DevMemoryListParams, ExplicitMemory, Memory, MemoryCategory, MemoryOrigin, MemorySearch,
    MemorySearchItem, MemoryUpdate, NewMemory, Uid, Visibility,
};

use super::{IdempotentAnswer, NewJob, StoreResult};

/// A memory to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryRecord {
    /// Its id (used only if no memory of the user has the same content).
    pub id: String,
    /// The fact, trimmed.
    pub content: String,
    /// Its category.
    pub category: MemoryCategory,
    /// Who may see it.
    pub visibility: Visibility,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Whether a person or app added it (rather than extraction).
    pub manually_added: bool,
    /// The app that added it.
    pub app_id: Option<String>,
    /// The conversation it was extracted from.
    pub conversation_id: Option<String>,
    /// Where it comes from, as the importing app said.
    pub origin: MemoryOrigin,
}

impl MemoryRecord {
    /// A memory the user made through the Developer API (`manually_added`), at `now`.
    /// Without a category, one is chosen from its content.
    pub fn manual(new: &NewMemory, now: DateTime<Utc>) -> Self {
        let content = new.content.as_str();
        Self {
            category: new.category.unwrap_or_else(|| categorize_memory(content)),
            visibility: new.visibility,
            tags: new.tags.to_strings(),
            manually_added: true,
            ..Self::new(content.to_owned(), now)
        }
    }

    /// A memory app `app_id` imported as given, at `now`: `system`, private, not manual.
    pub fn imported(memory: &ExplicitMemory, app_id: &str, now: DateTime<Utc>) -> Self {
        Self {
            tags: memory.tags.to_strings(),
            app_id: Some(app_id.to_owned()),
            origin: memory.origin.clone(),
            ..Self::new(memory.content.as_str().to_owned(), now)
        }
    }

    /// A memory extraction found at `now`, in text app `app_id` imported or in conversation
    /// `conversation_id`. Extraction never makes a `manual` memory: such a category is
    /// stored as `system`.
    pub fn extracted(
        found: &ExtractedMemory,
        app_id: Option<String>,
        conversation_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            category: match found.category {
                MemoryCategory::Manual => MemoryCategory::System,
                other => other,
            },
            app_id,
            conversation_id: conversation_id.map(str::to_owned),
            ..Self::new(found.content.clone(), now)
        }
    }

    /// `content` with a new id and every default: `system`, private, no tags, not manual,
    /// from no app or conversation.
    fn new(content: String, now: DateTime<Utc>) -> Self {
        Self {
            id: crate::keys::new_id(),
            content,
            category: MemoryCategory::System,
            visibility: Visibility::Private,
            tags: Vec::new(),
            created_at: now,
            manually_added: false,
            app_id: None,
            conversation_id: None,
            origin: MemoryOrigin::default(),
        }
    }
}

/// A memory ready to insert, with what the statements need computed before the write
/// starts (so a store's writer spends its time on SQL only).
#[derive(Debug, Clone)]
pub(crate) struct PreparedMemory {
    /// The memory.
    pub(crate) record: MemoryRecord,
    /// Its [`content_key`].
    pub(crate) key: String,
    /// Its sort key.
    pub(crate) scoring: String,
    /// Its tags as stored JSON.
    pub(crate) tags: String,
    /// The words it is indexed under ([`indexed_words_of`]).
    pub(crate) words: Vec<String>,
    /// [`Self::words`] as a JSON array (how SQLite's one-query upsert takes them).
    pub(crate) words_json: String,
    /// Its full-text search terms ([`index_terms`]).
    pub(crate) search_terms: String,
}

impl PreparedMemory {
    /// `record`, prepared.
    pub(crate) fn new(record: &MemoryRecord) -> super::StoreResult<Self> {
        let words = indexed_words_of(&record.content);
        Ok(Self {
            key: content_key(&record.content),
            scoring: omi_model::scoring(record.manually_added, record.category, record.created_at),
            tags: serde_json::to_string(&record.tags).map_err(super::rows::json_err)?,
            words_json: serde_json::to_string(&words).map_err(super::rows::json_err)?,
            words,
            search_terms: index_terms(&record.content),
            record: record.clone(),
        })
    }

    /// The memory object as inserting this one stores it: what reading the new row back
    /// returns (times at the store's microsecond precision, nothing reviewed or edited),
    /// without the read.
    pub(crate) fn inserted(&self) -> omi_model::Memory {
        let m = &self.record;
        let created_at = super::from_micros(super::to_micros(m.created_at));
        omi_model::Memory {
            id: m.id.clone(),
            content: m.content.clone(),
            category: Some(m.category),
            visibility: Some(m.visibility),
            tags: m.tags.clone(),
            created_at,
            updated_at: Some(created_at),
            manually_added: Some(m.manually_added),
            scoring: Some(self.scoring.clone()),
            reviewed: Some(false),
            user_review: None,
            edited: Some(false),
            app_id: m.app_id.clone(),
            conversation_id: m.conversation_id.clone(),
            source_id: m.origin.source_id.clone(),
            source_url: m.origin.source_url.clone(),
            extra: serde_json::Map::new(),
        }
    }

    /// Every record of `records`, prepared, in order.
    pub(crate) fn all(records: &[MemoryRecord]) -> super::StoreResult<Vec<Self>> {
        records.iter().map(Self::new).collect()
    }
}

/// What changing or deleting a memory writes besides its row, computed before the write
/// starts: the store's writer runs SQL only, never text processing on user input.
#[derive(Debug, Clone, Default)]
pub(crate) struct PreparedEdit {
    /// The index words of the content the memory had when it was read before the write:
    /// the rows to remove. Should another write change the content in between, the rows
    /// of its content linger; lookups compare the memories' real contents, so a lingering
    /// row can only add a candidate, never hide one.
    pub(crate) old_words: Vec<String>,
    /// The new content's [`content_key`], when the content changes.
    pub(crate) new_key: Option<String>,
    /// The new content's index words (empty when the content does not change).
    pub(crate) new_words: Vec<String>,
    /// The new content's full-text search terms, when the content changes.
    pub(crate) new_search_terms: Option<String>,
}

impl PreparedEdit {
    /// An edit of a memory whose content is `old`, to `new` when that is given.
    pub(crate) fn new(old: &str, new: Option<&str>) -> Self {
        Self {
            old_words: indexed_words_of(old),
            new_key: new.map(content_key),
            new_words: new.map(indexed_words_of).unwrap_or_default(),
            new_search_terms: new.map(index_terms),
        }
    }
}

/// What `admin reindex` indexed: how many rows of each table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Reindexed {
    /// Memories.
    pub memories: usize,
    /// Conversations.
    pub conversations: usize,
    /// Action items.
    pub action_items: usize,
}

/// The persistence of memories. Every method takes the user's id and never reads or writes
/// another user's rows.
#[async_trait]
pub trait MemoryStore: Send + Sync + 'static {
    /// Insert memories (and optionally a job) in one transaction. A memory whose content a
    /// memory of the user already has is not inserted; the existing one is returned in its
    /// place. The result is in input order. `answer`, when given, is remembered in the same
    /// transaction.
    async fn insert_memories(
        &self,
        uid: &Uid,
        memories: &[MemoryRecord],
        job: Option<&NewJob>,
        answer: Option<IdempotentAnswer<Vec<Memory>>>,
    ) -> StoreResult<Vec<Memory>>;

    /// For each group of content words in `groups` (those of one memory to check), the
    /// contents of the user's memories whose indexed words
    /// ([`omi_extract::identity::indexed_words`] of their content words) hold the most of the
    /// group, at most `limit_each` per group: the only memories a new memory with these
    /// content words can be a near-duplicate of. One list without repeats, from one query
    /// (callers bound the number of groups and words).
    async fn near_duplicate_candidates(
        &self,
        uid: &Uid,
        groups: &[Vec<String>],
        limit_each: i64,
    ) -> StoreResult<Vec<String>>;

    /// A page of a user's memories by scoring, then newest first.
    async fn list_memories(
        &self,
        uid: &Uid,
        params: &DevMemoryListParams,
    ) -> StoreResult<Vec<Memory>>;

    /// A user's memories that match `search.query` (as [`omi_extract::search`] reads it),
    /// best first, at most `search.limit`; none for a query without a word.
    async fn search_memories(
        &self,
        uid: &Uid,
        search: &MemorySearch,
    ) -> StoreResult<Vec<MemorySearchItem>>;

    /// Recompute the search terms of every memory and every conversation of every user, a
    /// thousand per transaction; how many rows there were (`admin reindex`).
    async fn reindex_search(&self) -> StoreResult<Reindexed>;

    /// One of a user's memories.
    async fn memory(&self, uid: &Uid, id: &str) -> StoreResult<Option<Memory>>;

    /// Change one of a user's memories; `None` when it does not exist.
    async fn update_memory(
        &self,
        uid: &Uid,
        id: &str,
        update: &MemoryUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Memory>>;

    /// Delete one of a user's memories; `false` when it did not exist.
    async fn delete_memory(&self, uid: &Uid, id: &str) -> StoreResult<bool>;
}

/// The most words one near-duplicate lookup binds (two parameters each; SQLite takes at
/// most 32 766 in one statement).
pub(crate) const MAX_LOOKUP_WORDS: usize = 8_000;

/// The most memories holding one word (the newest) that a near-duplicate lookup pairs with
/// the memories it checks: a word every memory of a large user holds would otherwise pair
/// each checked memory with all of them.
pub(crate) const MAX_POSTINGS_PER_WORD: i64 = 200;

/// `groups` cut into runs of whole groups holding at most `max_words` words between them
/// (a group larger than that alone forms a run).
pub(crate) fn word_group_chunks(
    groups: &[Vec<String>],
    max_words: usize,
) -> impl Iterator<Item = &[Vec<String>]> {
    let mut rest = groups;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut words = 0;
        let mut end = 0;
        while end < rest.len() && (end == 0 || words + rest[end].len() <= max_words) {
            words += rest[end].len();
            end += 1;
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_groups_are_chunked_whole_and_bounded() {
        let group = |n: usize| vec!["w".to_owned(); n];
        let groups = [group(3), group(4), group(2), group(9), group(1)];
        let sizes: Vec<Vec<usize>> = word_group_chunks(&groups, 7)
            .map(|c| c.iter().map(Vec::len).collect())
            .collect();
        // An oversized group (9 words) goes alone; every other chunk holds at most 7 words.
        assert_eq!(sizes, [vec![3, 4], vec![2], vec![9], vec![1]]);
        assert_eq!(word_group_chunks(&[], 7).count(), 0);
    }
}
