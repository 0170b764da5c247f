//! Content words: what two memories are compared by, and the few of them a store indexes
//! so near-duplicate candidates are found without loading a user's memories.

use super::lexicon::{FUNCTION_WORDS, SYNONYMS};
use super::similarity::NEAR_DUPLICATE_SIMILARITY;
use super::stem::stem;

/// The content words of `text`, stemmed, synonyms folded, function words dropped, sorted and
/// without repeats.
///
/// ```
/// use omi_extract::identity::content_words;
/// assert_eq!(content_words("User loves hiking in the Alps."), ["alp", "hik", "lik"]);
/// ```
pub fn content_words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase().replace('\u{2019}', "'");
    let mut words: Vec<String> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.trim_matches('\'').is_empty())
        .map(stem)
        .map(|s| {
            SYNONYMS
                .iter()
                .find(|(from, _)| *from == s)
                .map_or(s, |(_, to)| (*to).to_owned())
        })
        .filter(|s| !FUNCTION_WORDS.contains(&s.as_str()))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The fewest content words a memory must share with one of `len` content words to reach
/// [`NEAR_DUPLICATE_SIMILARITY`] with it (at least 1).
///
/// With `s` shared words and sizes `a` and `b`, Dice is `2s / (a + b)`; since `s <= b`, reaching
/// a threshold `t` needs `s >= t * a / (2 - t)`: two thirds of the words at 0.8.
///
/// ```
/// use omi_extract::identity::min_shared_words;
/// assert_eq!(min_shared_words(3), 2);
/// assert_eq!(min_shared_words(6), 4);
/// ```
pub fn min_shared_words(len: usize) -> usize {
    let t = NEAR_DUPLICATE_SIMILARITY;
    let needed = (t * len as f64 / (2.0 - t) - 1e-9).ceil();
    (needed as usize).max(1)
}

/// The words of a memory (its sorted [`content_words`]) worth indexing for near-duplicate
/// lookups: its `b - min_shared_words(b) + 1` longest (ties alphabetical), where `b` is how
/// many it has.
///
/// A memory reaching [`NEAR_DUPLICATE_SIMILARITY`] with another shares at least
/// [`min_shared_words`] of its own `b` words with it, so at most `b - min_shared_words(b)` of
/// its words are missing from the other, and any one more of them includes a shared word.
/// Looking up all the words of a new memory among the indexed words of stored ones therefore
/// finds every near-duplicate, from about a third of the rows. The longest words are chosen
/// because they tend to be the rarest, which keeps the candidates few.
///
/// ```
/// use omi_extract::identity::{content_words, indexed_words};
/// let words = content_words("User loves hiking in the Swiss Alps");
/// assert_eq!(words, ["alp", "hik", "lik", "swiss"]);
/// assert_eq!(indexed_words(&words), ["swiss", "alp"]);
/// ```
pub fn indexed_words(words: &[String]) -> Vec<String> {
    let keep = words.len() + 1 - min_shared_words(words.len()).min(words.len() + 1);
    let mut by_length: Vec<&String> = words.iter().collect();
    by_length.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    by_length.into_iter().take(keep).cloned().collect()
}

/// The words a memory with `content` is indexed under: the [`indexed_words`] of its
/// [`content_words`]. A store keeps these beside each memory and looks a new memory's
/// [`content_words`] up among them.
///
/// ```
/// use omi_extract::identity::indexed_words_of;
/// assert_eq!(indexed_words_of("User loves hiking in the Swiss Alps"), ["swiss", "alp"]);
/// ```
pub fn indexed_words_of(content: &str) -> Vec<String> {
    indexed_words(&content_words(content))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::similarity::dice;

    #[test]
    fn a_near_duplicate_always_shares_the_minimum_number_of_words() {
        // Every pair of sizes and overlaps that reaches the threshold shares at least
        // `min_shared_words` of the first set's words: the index lookup cannot miss one.
        for a in 1..40usize {
            for b in 1..40usize {
                for shared in 0..=a.min(b) {
                    let dice = 2.0 * shared as f64 / (a + b) as f64;
                    if dice >= NEAR_DUPLICATE_SIMILARITY {
                        assert!(shared >= min_shared_words(a), "a={a} b={b} shared={shared}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_near_duplicate_holds_an_indexed_word_of_the_other() {
        // All pairs of subsets of an eight-word vocabulary: whenever two reach the threshold,
        // the lookup (all words of one against the indexed words of the other) finds it.
        let vocabulary: Vec<String> = ["ab", "b", "cde", "d", "efgh", "f", "gh", "hijkl"]
            .iter()
            .map(|w| (*w).to_owned())
            .collect();
        let subset = |mask: u32| -> Vec<String> {
            let mut set: Vec<String> = (0..8)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| vocabulary[i].clone())
                .collect();
            set.sort();
            set
        };
        for a in 1..256u32 {
            for b in 1..256u32 {
                let (a, b) = (subset(a), subset(b));
                if dice(&a, &b) >= NEAR_DUPLICATE_SIMILARITY {
                    let indexed = indexed_words(&b);
                    assert!(
                        indexed.iter().any(|w| a.contains(w)),
                        "{a:?} ~ {b:?}, indexed {indexed:?}"
                    );
                }
            }
        }
    }
}
