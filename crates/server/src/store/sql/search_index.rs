//! The search terms of memories and conversations: what a write stores beside the text (both
//! stores' full-text indexes read these columns), and the backfill of rows written before a
//! migration added them.
//!
//! Terms are computed in Rust ([`index_terms`]) so both stores find the same words. A
//! conversation's text may be half a megabyte; its terms are cut at
//! [`MAX_TEXT_TERM_BYTES`] (at a space between two terms), which keeps PostgreSQL's
//! `tsvector` under its 1 MB limit for any text, and finds any word of the first hundred
//! thousand or so of it.

use omi_extract::search::index_terms;
use omi_model::Structured;
use sqlx::Pool;

use super::{Arg, Dialect, read};
use crate::store::rows::map_err;
use crate::store::{Reindexed, StoreResult};

/// The most bytes of terms a conversation's text is indexed under.
pub(crate) const MAX_TEXT_TERM_BYTES: usize = 256 * 1024;

/// The terms of a conversation's title and overview.
pub(crate) fn summary_terms(structured: &Structured) -> String {
    index_terms(&format!("{}\n{}", structured.title, structured.overview))
}

/// The terms of a conversation's text, at most [`MAX_TEXT_TERM_BYTES`] of them.
pub(crate) fn text_terms(text: &str) -> String {
    let mut terms = index_terms(text);
    if terms.len() > MAX_TEXT_TERM_BYTES {
        // Terms are separated by ASCII spaces, and the byte of a space is never part of a
        // longer character: the last one up to the limit is a char boundary between two
        // whole terms.
        let cut = terms.as_bytes()[..=MAX_TEXT_TERM_BYTES]
            .iter()
            .rposition(|&b| b == b' ')
            .unwrap_or(0);
        terms.truncate(cut);
    }
    terms
}

/// A table whose rows carry search terms: how to read a row's source and write its terms.
pub(crate) struct IndexedTable {
    /// The store task a migration left for the rows it added the columns to.
    pub(crate) task: &'static str,
    /// What the rows are, for the log.
    pub(crate) what: &'static str,
    /// `id, a, b` of the rows after id `$1`, in id order, at most `$2`.
    pub(crate) select: &'static str,
    /// Set the terms `$1`, `$2` of row `$3`.
    pub(crate) update: &'static str,
    /// The two terms columns' values from `a` and `b` (either may go unused).
    pub(crate) terms: fn(&str, &str) -> StoreResult<(String, String)>,
}

/// Memories: `search_terms` of the content.
pub(crate) const MEMORIES: IndexedTable = IndexedTable {
    task: "index_memory_search",
    what: "memories",
    select: "SELECT id, content, '' FROM memories WHERE id > $1 ORDER BY id LIMIT $2",
    // `$2` (the unused second terms) is bound but not read.
    update: "UPDATE memories SET search_terms = $1 WHERE id = $3",
    terms: |content, _| Ok((index_terms(content), String::new())),
};

/// Conversations: `summary_terms` of the title and overview, `text_terms` of the text.
pub(crate) const CONVERSATIONS: IndexedTable = IndexedTable {
    task: "index_conversation_search",
    what: "conversations",
    select: "SELECT id, structured, text FROM conversations WHERE id > $1 ORDER BY id LIMIT $2",
    update: "UPDATE conversations SET summary_terms = $1, text_terms = $2 WHERE id = $3",
    terms: |structured, text| {
        let structured: Structured =
            serde_json::from_str(structured).map_err(crate::store::rows::json_err)?;
        Ok((summary_terms(&structured), text_terms(text)))
    },
};

/// Action items: `search_terms` of the description.
pub(crate) const ACTION_ITEMS: IndexedTable = IndexedTable {
    task: "index_action_item_search",
    what: "action items",
    select: "SELECT id, description, '' FROM action_items WHERE id > $1 ORDER BY id LIMIT $2",
    // `$2` (the unused second terms) is bound but not read.
    update: "UPDATE action_items SET search_terms = $1 WHERE id = $3",
    terms: |description, _| Ok((index_terms(description), String::new())),
};

/// Every table with search terms.
pub(crate) const INDEXED_TABLES: [&IndexedTable; 3] = [&MEMORIES, &CONVERSATIONS, &ACTION_ITEMS];

/// Give their terms to the rows written before the search columns existed, once per table:
/// the migration that added them leaves a task row that this removes when done. Batches
/// commit one by one, so a restart in the middle goes on where it stopped.
pub(crate) async fn backfill_search_terms<DB: Dialect>(pool: &Pool<DB>) -> StoreResult<()> {
    for table in INDEXED_TABLES {
        let pending = sqlx::query::<DB>("SELECT name FROM store_tasks WHERE name = $1")
            .arg(table.task)
            .fetch_optional(DB::on_pool(pool))
            .await
            .map_err(map_err)?;
        if pending.is_none() {
            continue;
        }
        let indexed = index_table::<DB>(pool, table).await?;
        sqlx::query::<DB>("DELETE FROM store_tasks WHERE name = $1")
            .arg(table.task)
            .execute(DB::on_pool(pool))
            .await
            .map_err(map_err)?;
        if indexed > 0 {
            tracing::info!(
                rows = indexed,
                table = table.what,
                "indexed existing rows for search"
            );
        }
    }
    Ok(())
}

/// Recompute the terms of every row of every indexed table; how many rows of each.
pub(crate) async fn reindex_all<DB: Dialect>(pool: &Pool<DB>) -> StoreResult<Reindexed> {
    Ok(Reindexed {
        memories: index_table::<DB>(pool, &MEMORIES).await?,
        conversations: index_table::<DB>(pool, &CONVERSATIONS).await?,
        action_items: index_table::<DB>(pool, &ACTION_ITEMS).await?,
    })
}

/// Recompute the terms of every row of `table`, in id order, a thousand per transaction;
/// how many rows there were.
async fn index_table<DB: Dialect>(pool: &Pool<DB>, table: &IndexedTable) -> StoreResult<usize> {
    const BATCH: i64 = 1_000;
    let mut after = String::new();
    let mut indexed = 0usize;
    loop {
        let rows = sqlx::query::<DB>(table.select)
            .arg(after.as_str())
            .arg(BATCH)
            .fetch_all(DB::on_pool(pool))
            .await
            .map_err(map_err)?;
        let batch: Vec<(String, String, String)> = rows
            .iter()
            .map(read::<DB, (String, String, String)>)
            .collect::<StoreResult<_>>()?;
        let Some((last, _, _)) = batch.last() else {
            break;
        };
        after.clone_from(last);
        let mut tx = pool.begin().await.map_err(map_err)?;
        for (id, a, b) in &batch {
            let (first, second) = (table.terms)(a, b)?;
            sqlx::query::<DB>(table.update)
                .arg(first)
                .arg(second)
                .arg(id.as_str())
                .execute(DB::on(&mut tx))
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        indexed += batch.len();
    }
    Ok(indexed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_is_indexed_up_to_the_limit_at_a_term_boundary() {
        let text = "東京の渋谷 ".repeat(200_000);
        let terms = text_terms(&text);
        assert!(terms.len() <= MAX_TEXT_TERM_BYTES);
        assert!(terms.len() > MAX_TEXT_TERM_BYTES - 16);
        assert!(terms.split(' ').all(|t| t.chars().count() == 2));
        assert_eq!(text_terms("Hiking in Zürich"), "hike in zurich");
    }
}
