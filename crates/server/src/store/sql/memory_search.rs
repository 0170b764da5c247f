//! Memory search by the best page only (SQLite): a search reads each phrase's matches best
//! first and stops once no memory it has not read can beat the page it has, so its cost
//! follows the page, not the number of memories that match.
//!
//! The score of a memory is bm25's for one occurrence of each phrase it holds:
//!
//! ```text
//! score = weight(dl) × Σ idf(phrase found),   weight(dl) = (k1 + 1) / (1 + k1 (1 − b + b dl / avgdl))
//! ```
//!
//! with `dl` the memory's number of terms, `k1` 1.2 and `b` 0.75 (FTS5's), a fixed `avgdl`
//! ([`TYPICAL_TERMS`]), and `idf = ln(1 + (N − n + 0.5) / (n + 0.5))` with `n` the memories
//! holding the phrase (counted up to [`DF_CAP`]) and `N` the memories indexed. A phrase found
//! twice counts once: memories are a sentence or two, where a repeat says little.
//!
//! `weight` depends on the memory's length alone and falls as it grows, and each memory's
//! FTS5 row number starts with its length (migration 0016), so FTS5 hands out a phrase's
//! matches by falling weight. Once the search has read a phrase's matches up to length `dl`,
//! a memory it has not read holds that phrase only if it is at least that long: it scores at
//! most `Σ idf × weight(dl)` over the phrases not read to the end. When the page's last
//! memory scores at least that, the page is final (the threshold algorithm of Fagin, Lotem
//! and Naor, with the exact score of each memory read computed from its terms).

use std::collections::HashSet;

use omi_extract::search::QueryPhrase;
use omi_model::Uid;
use sqlx::Pool;

use super::{Arg, Dialect, read};
use crate::store::StoreResult;
use crate::store::rows::{SearchHitRow, map_err};

/// How a database finds a user's memories by their search terms.
#[derive(Debug, Clone, Copy)]
pub(crate) enum MemorySearchSql {
    /// One statement ranks every match: `$1` the user, `$2` a [`Dialect::match_query`], `$3`
    /// the limit; rows of [`SearchHitRow`], best first (then by id, so equal scores come in
    /// one order).
    Ranked(&'static str),
    /// The search by the best page only ([`best_page`]).
    Streams(MemoryStreams),
}

/// The statements of a search by the best page: each phrase's matches by row number, and
/// what the scores need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemoryStreams {
    /// How many memories of all users a match query finds, at most `$2`: `$1` the
    /// [`Dialect::match_query`] of one phrase. One row, one integer.
    pub(crate) count: &'static str,
    /// How many memories the index has held (the largest row number's low bits are at least
    /// that many). One row, one integer.
    pub(crate) size: &'static str,
    /// Up to `$3` matches of match query `$1` with a row number above `$2`, in row-number
    /// order, as [`StreamRow`]s: the memory's columns are NULL unless it is user `$4`'s.
    pub(crate) stream: &'static str,
}

/// A match read from a phrase's stream: its FTS5 row number, and the memory if it is the
/// caller's.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct StreamRow {
    row: i64,
    id: Option<String>,
    content: Option<String>,
    category: Option<String>,
    terms: Option<String>,
}

/// The bits of an FTS5 row number below the memory's length.
pub(crate) const LENGTH_SHIFT: u32 = 40;

/// The `avgdl` of [`weight`]: about the number of terms of a memory ("User loves hiking in the
/// Alps on weekends" has 8).
pub(crate) const TYPICAL_TERMS: f64 = 12.0;

/// The most matches counted for a phrase's `idf`: a phrase more common than this weighs as
/// one this common (counting further would cost a search more as it grows).
pub(crate) const DF_CAP: i64 = 1_000;

/// The first batch read from a stream; each next batch of the same stream is twice the last,
/// up to [`MAX_BATCH`].
const FIRST_BATCH: i64 = 32;

/// The largest batch read from a stream.
const MAX_BATCH: i64 = 4_096;

/// bm25's `k1`.
const K1: f64 = 1.2;

/// bm25's `b`.
const B: f64 = 0.75;

/// What a phrase found once is worth in a memory of `terms` terms (before `idf`): falls as
/// `terms` grows.
pub(crate) fn weight(terms: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // lengths are far below 2^52
    let dl = terms as f64;
    (K1 + 1.0) / (1.0 + K1 * (1.0 - B + B * dl / TYPICAL_TERMS))
}

/// bm25's `idf` of a phrase `found` in that many of `size` memories; always positive.
pub(crate) fn idf(found: i64, size: i64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // counts are far below 2^52
    let (n, size) = (found.max(0) as f64, size.max(found).max(0) as f64);
    (1.0 + (size - n + 0.5) / (n + 0.5)).ln()
}

/// The number of terms of `terms` as migration 0016 counts them: its spaces plus one, none
/// for an empty text.
pub(crate) fn term_count(terms: &str) -> u64 {
    if terms.is_empty() {
        0
    } else {
        terms.bytes().filter(|&b| b == b' ').count() as u64 + 1
    }
}

/// The memory length a row number says.
fn length_of(row: i64) -> u64 {
    u64::try_from(row >> LENGTH_SHIFT).unwrap_or(0)
}

/// Whether `phrase` stands in `terms` (its terms side by side, in order; the last one as a
/// prefix when the phrase says so).
pub(crate) fn holds(terms: &[&str], phrase: &QueryPhrase) -> bool {
    let want = phrase.terms.as_slice();
    let Some((last, before)) = want.split_last() else {
        return false;
    };
    terms.windows(want.len()).any(|window| {
        let Some((got_last, got_before)) = window.split_last() else {
            return false;
        };
        got_before == before
            && if phrase.prefix {
                got_last.starts_with(last.as_str())
            } else {
                got_last == last
            }
    })
}

/// One phrase's stream: its match query, weight, and how far it has been read.
struct Stream {
    matching: String,
    idf: f64,
    /// The last row number read.
    after: i64,
    /// The next batch's size.
    batch: i64,
    /// Whether every match has been read.
    done: bool,
}

impl Stream {
    /// The most a memory not yet read from this stream can gain from its phrase.
    fn bound(&self) -> f64 {
        if self.done {
            0.0
        } else {
            self.idf * weight(length_of(self.after))
        }
    }
}

/// A memory read and scored.
struct Hit {
    score: f64,
    row: i64,
    item: SearchHitRow,
}

/// The `limit` best memories of `uid` for `phrases` (at least one), best first, by the
/// statements of `sql`; read in one transaction, so every statement sees the same memories.
pub(crate) async fn best_page<DB: Dialect>(
    pool: &Pool<DB>,
    sql: MemoryStreams,
    uid: &Uid,
    phrases: &[QueryPhrase],
    limit: usize,
) -> StoreResult<Vec<SearchHitRow>> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    let size_row = sqlx::query::<DB>(sql.size)
        .fetch_one(DB::on(&mut tx))
        .await
        .map_err(map_err)?;
    let (size,) = read::<DB, (i64,)>(&size_row)?;
    let mut streams = Vec::with_capacity(phrases.len());
    for phrase in phrases {
        let matching = DB::match_query(std::slice::from_ref(phrase));
        let count = sqlx::query::<DB>(sql.count)
            .arg(matching.clone())
            .arg(DF_CAP)
            .fetch_one(DB::on(&mut tx))
            .await
            .map_err(map_err)?;
        let (found,) = read::<DB, (i64,)>(&count)?;
        streams.push(Stream {
            matching,
            idf: idf(found, size),
            after: 0,
            batch: FIRST_BATCH.max(i64::try_from(limit.saturating_mul(2)).unwrap_or(i64::MAX)),
            done: found == 0,
        });
    }
    let weights: Vec<f64> = streams.iter().map(|s| s.idf).collect();
    let mut seen: HashSet<i64> = HashSet::new();
    let mut hits: Vec<Hit> = Vec::new();
    loop {
        for stream in streams.iter_mut().filter(|s| !s.done) {
            let rows = sqlx::query::<DB>(sql.stream)
                .arg(stream.matching.clone())
                .arg(stream.after)
                .arg(stream.batch)
                .arg(uid.as_str())
                .fetch_all(DB::on(&mut tx))
                .await
                .map_err(map_err)?;
            let read_rows = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            for row in &rows {
                let row = read::<DB, StreamRow>(row)?;
                stream.after = stream.after.max(row.row);
                if !seen.insert(row.row) {
                    continue;
                }
                let (Some(id), Some(content), Some(category), Some(terms)) =
                    (row.id, row.content, row.category, row.terms)
                else {
                    continue; // another user's
                };
                let split: Vec<&str> = terms.split(' ').collect();
                let found: f64 = phrases
                    .iter()
                    .zip(&weights)
                    .filter(|(phrase, _)| holds(&split, phrase))
                    .map(|(_, idf)| idf)
                    .sum();
                if found <= 0.0 {
                    continue;
                }
                let score = found * weight(term_count(&terms));
                hits.push(Hit {
                    score,
                    row: row.row,
                    item: SearchHitRow::new(id, content, category, score / (1.0 + score)),
                });
            }
            if read_rows < stream.batch {
                stream.done = true;
            }
            stream.batch = stream.batch.saturating_mul(2).min(MAX_BATCH);
        }
        sort_hits(&mut hits);
        hits.truncate(limit);
        let threshold: f64 = streams.iter().map(Stream::bound).sum();
        let full = hits.len() >= limit;
        // Equal scores may differ in their last bits by the order of the sum.
        if streams.iter().all(|s| s.done)
            || (full
                && hits
                    .last()
                    .is_some_and(|h| h.score >= threshold * (1.0 - 1e-9)))
        {
            break;
        }
    }
    tx.rollback().await.map_err(map_err)?;
    Ok(hits.into_iter().map(|h| h.item).collect())
}

/// Best first; equal scores in row-number order (shorter, then older, first).
fn sort_hits(hits: &mut [Hit]) {
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.row.cmp(&b.row)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(terms: &[&str], prefix: bool) -> QueryPhrase {
        QueryPhrase {
            terms: terms.iter().map(|t| (*t).to_owned()).collect(),
            prefix,
        }
    }

    #[test]
    fn a_phrase_is_held_side_by_side_and_in_order() {
        let terms: Vec<&str> = "東京 京の の渋 渋谷".split(' ').collect();
        assert!(holds(&terms, &phrase(&["渋谷"], false)));
        assert!(holds(&terms, &phrase(&["東京", "京の"], false)));
        assert!(!holds(&terms, &phrase(&["京の", "東京"], false)));
        assert!(!holds(&terms, &phrase(&["東京", "の渋"], false)));
        assert!(holds(&terms, &phrase(&["渋"], true)));
        assert!(!holds(&terms, &phrase(&["谷"], true)));
        assert!(!holds(&terms, &phrase(&[], false)));
        assert!(!holds(&[], &phrase(&["a"], false)));
    }

    #[test]
    fn a_shorter_memory_weighs_more_and_a_rarer_phrase_more() {
        assert!(weight(5) > weight(6));
        assert!(weight(0) > weight(1000));
        assert!(weight(u64::MAX) > 0.0);
        assert!(idf(1, 1000) > idf(10, 1000));
        assert!(idf(1000, 1000) > 0.0);
        assert!(
            idf(5, 0) > 0.0,
            "a count above the size is read as the size"
        );
    }

    #[test]
    fn terms_are_counted_as_the_migration_counts_them() {
        assert_eq!(term_count(""), 0);
        assert_eq!(term_count("hike"), 1);
        assert_eq!(term_count("user love hike"), 3);
        assert_eq!(length_of((7_i64 << LENGTH_SHIFT) + 12), 7);
        assert_eq!(length_of(-1), 0);
    }

    #[test]
    fn hits_sort_best_first_then_by_row() {
        let hit = |score, row| Hit {
            score,
            row,
            item: SearchHitRow::new(String::new(), String::new(), String::new(), 0.0),
        };
        let mut hits = vec![hit(1.0, 3), hit(2.0, 9), hit(1.0, 2)];
        sort_hits(&mut hits);
        let order: Vec<i64> = hits.iter().map(|h| h.row).collect();
        assert_eq!(order, [9, 2, 3]);
    }
}
