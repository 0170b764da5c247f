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
//! a memory it has not read holds that phrase only if it is at least that long, so what it
//! can score is bounded by the phrases it may hold and how far their streams have gone
//! ([`unseen_bound`]). When the page's last memory scores at least that, the page is final
//! (the threshold algorithm of Fagin, Lotem and Naor, with the exact score of each memory read
//! computed from its terms).
//!
//! A search of several phrases also reads the stream of the memories holding every phrase
//! (FTS5's `AND`): those are the best of a page whenever there are enough of them, and that
//! stream bounds the ones it has not handed out, so the search stops when it has read a page
//! of them rather than when each phrase's stream has gone as far. Two common words that are
//! seldom together cost a few batches, not thousands of rows of each word.

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
    /// The memories of user `$1` whose terms are not in the full-text index yet (SQLite:
    /// written in the transaction being committed, or left by an earlier process), as
    /// [`StreamRow`]s: read whole and scored before the streams.
    pub(crate) pending: &'static str,
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
    /// A stream of the matches of `matching`, read from the start.
    fn new(matching: String, idf: f64, limit: usize, done: bool) -> Self {
        let batch = FIRST_BATCH.max(i64::try_from(limit.saturating_mul(2)).unwrap_or(i64::MAX));
        Self {
            matching,
            idf,
            after: 0,
            batch,
            done,
        }
    }

    /// The length of every memory of this stream not read yet is at least this.
    fn reached(&self) -> u64 {
        length_of(self.after)
    }
}

/// The most a memory no stream has handed out yet can score: the threshold the page's last
/// memory must reach to be final.
///
/// Such a memory holds some set `S` of the phrases, none of a finished stream, and is at
/// least as long as the longest reach of `S`'s streams: it scores at most `Σ idf(S) ×
/// weight(max reach(S))`. For each reach, the best `S` is every open stream that reached no
/// further, so the bound is the largest of those prefix sums by reach. A memory holding every
/// phrase is also one `every` (the stream of memories holding them all) has not handed out,
/// so it is bounded by `every`'s reach too.
fn unseen_bound(streams: &[Stream], every: Option<&Stream>) -> f64 {
    let mut open: Vec<(u64, f64)> = streams
        .iter()
        .filter(|s| !s.done)
        .map(|s| (s.reached(), s.idf))
        .collect();
    open.sort_by_key(|&(reached, _)| reached);
    let whole = open.len() == streams.len();
    let mut sum = 0.0;
    let mut bound: f64 = 0.0;
    for (k, &(reached, idf)) in open.iter().enumerate() {
        sum += idf;
        match every {
            Some(every) if whole && k + 1 == open.len() && k > 0 => {
                // The longest stream with all but one of the others, or every phrase.
                let lightest = open[..k].iter().map(|o| o.1).fold(f64::INFINITY, f64::min);
                bound = bound.max((sum - lightest) * weight(reached));
                if !every.done {
                    bound = bound.max(sum * weight(reached.max(every.reached())));
                }
            }
            _ => bound = bound.max(sum * weight(reached)),
        }
    }
    bound
}

/// A memory read and scored.
struct Hit {
    score: f64,
    row: i64,
    item: SearchHitRow,
}

/// One search under way: what it looks for, and what it has read.
struct Search<'a> {
    sql: MemoryStreams,
    uid: &'a Uid,
    phrases: &'a [QueryPhrase],
    /// Each phrase's `idf`, in the order of `phrases`.
    weights: Vec<f64>,
    seen: HashSet<i64>,
    hits: Vec<Hit>,
}

impl Search<'_> {
    /// Read `stream`'s next batch, scoring the caller's memories not read before.
    async fn read<DB: Dialect>(
        &mut self,
        tx: &mut sqlx::Transaction<'_, DB>,
        stream: &mut Stream,
    ) -> StoreResult<()> {
        let rows = sqlx::query::<DB>(self.sql.stream)
            .arg(stream.matching.clone())
            .arg(stream.after)
            .arg(stream.batch)
            .arg(self.uid.as_str())
            .fetch_all(DB::on(tx))
            .await
            .map_err(map_err)?;
        for row in &rows {
            let row = read::<DB, StreamRow>(row)?;
            stream.after = stream.after.max(row.row);
            if self.seen.insert(row.row) {
                self.score(row);
            }
        }
        if i64::try_from(rows.len()).unwrap_or(i64::MAX) < stream.batch {
            stream.done = true;
        }
        stream.batch = stream.batch.saturating_mul(2).min(MAX_BATCH);
        Ok(())
    }

    /// Score `row` when it is one of the caller's memories.
    fn score(&mut self, row: StreamRow) {
        let (Some(id), Some(content), Some(category), Some(terms)) =
            (row.id, row.content, row.category, row.terms)
        else {
            return; // another user's
        };
        let split: Vec<&str> = terms.split(' ').collect();
        let found: f64 = self
            .phrases
            .iter()
            .zip(&self.weights)
            .filter(|(phrase, _)| holds(&split, phrase))
            .map(|(_, idf)| idf)
            .sum();
        if found > 0.0 {
            let score = found * weight(term_count(&terms));
            self.hits.push(Hit {
                score,
                row: row.row,
                item: SearchHitRow::new(id, content, category, score / (1.0 + score)),
            });
        }
    }

    /// Keep the best `limit` hits; whether they are the page, given what is left unread.
    fn settle(&mut self, limit: usize, unseen: f64) -> bool {
        sort_hits(&mut self.hits);
        self.hits.truncate(limit);
        // Equal scores may differ in their last bits by the order of the sum.
        self.hits.len() >= limit
            && self
                .hits
                .last()
                .is_some_and(|h| h.score >= unseen * (1.0 - 1e-9))
    }
}

/// The `limit` best memories of `uid` for `phrases` (at least one), best first, by the
/// statements of `sql`; read in one transaction, so every statement sees the same memories.
///
/// Each phrase has a stream, and a search of several phrases also reads the stream of the
/// memories holding them all, which are the best of a page when there are enough of them:
/// its reach alone bounds them, so the page is final long before each phrase's stream has
/// gone as far.
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
        streams.push(Stream::new(matching, idf(found, size), limit, found == 0));
    }
    let mut every = (phrases.len() > 1).then(|| {
        let none = streams.iter().any(|s| s.done);
        Stream::new(DB::match_every_query(phrases), 0.0, limit, none)
    });
    let mut search = Search {
        sql,
        uid,
        phrases,
        weights: streams.iter().map(|s| s.idf).collect(),
        seen: HashSet::new(),
        hits: Vec::new(),
    };
    let pending = sqlx::query::<DB>(sql.pending)
        .arg(uid.as_str())
        .fetch_all(DB::on(&mut tx))
        .await
        .map_err(map_err)?;
    for row in &pending {
        let row = read::<DB, StreamRow>(row)?;
        search.seen.insert(row.row);
        search.score(row);
    }
    loop {
        for stream in streams.iter_mut().chain(every.as_mut()).filter(|s| !s.done) {
            search.read(&mut tx, stream).await?;
        }
        let unseen = unseen_bound(&streams, every.as_ref());
        if search.settle(limit, unseen) || streams.iter().all(|s| s.done) {
            break;
        }
    }
    tx.rollback().await.map_err(map_err)?;
    Ok(search.hits.into_iter().map(|h| h.item).collect())
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

    /// A stream with `idf` that has read up to memories of `reached` terms.
    fn reached(idf: f64, reached: u64, done: bool) -> Stream {
        let mut stream = Stream::new(String::new(), idf, 10, done);
        stream.after = i64::try_from(reached << LENGTH_SHIFT).unwrap();
        stream
    }

    #[test]
    fn the_unseen_bound_is_the_best_set_of_phrases_a_memory_not_read_can_hold() {
        let one = [reached(2.0, 5, false)];
        assert!((unseen_bound(&one, None) - 2.0 * weight(5)).abs() < 1e-12);
        assert!(unseen_bound(&[reached(2.0, 5, true)], None).abs() < 1e-12);
        // Out of order by reach: {far} alone, or both at the far reach.
        let two = [reached(1.0, 30, false), reached(3.0, 2, false)];
        let both = 4.0 * weight(30);
        let want = (3.0 * weight(2)).max(both).max(1.0 * weight(30));
        assert!((unseen_bound(&two, None) - want).abs() < 1e-12);
        // Memories holding both that were not read are at least as long as `every` reached.
        let every = reached(0.0, 60, false);
        let want = (3.0 * weight(2))
            .max(1.0 * weight(30))
            .max(4.0 * weight(60));
        assert!((unseen_bound(&two, Some(&every)) - want).abs() < 1e-12);
        let every = reached(0.0, 60, true);
        let want = (3.0 * weight(2)).max(1.0 * weight(30));
        assert!((unseen_bound(&two, Some(&every)) - want).abs() < 1e-12);
        // A finished stream's phrase is in no memory left unread.
        let one_done = [reached(1.0, 30, true), reached(3.0, 2, false)];
        assert!((unseen_bound(&one_done, Some(&every)) - 3.0 * weight(2)).abs() < 1e-12);
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
