//! When two memories say the same thing.
//!
//! Two contents are compared by their *content words*: lower-cased words with possessives,
//! plurals and `-ing`/`-ed` endings stripped, a few synonyms folded ("loves", "enjoys" and
//! "likes" are one word; "mom" and "mother" too), and function words ("the", "is", "User",
//! "their") left out. [`similarity`] is the Dice coefficient of the two sets: twice the
//! words they share over the words they hold between them. It is 1 for the same facts in
//! other words ("User loves hiking in the Alps" / "user enjoys hiking in the alps") and 0 for
//! facts with nothing in common.

use std::collections::HashSet;

use crate::store::content_key;

/// The similarity from which two memories count as near-duplicates.
pub const NEAR_DUPLICATE_SIMILARITY: f64 = 0.8;

/// Words that carry no content of their own, compared after stemming.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "user", "user'", "users", "they", "them", "their", "theirs", "themselv", "i",
    "me", "my", "we", "our", "us", "he", "she", "him", "her", "his", "it", "its", "is", "are",
    "was", "were", "be", "been", "being", "am", "ha", "has", "have", "had", "do", "doe", "did",
    "of", "in", "on", "at", "to", "for", "with", "by", "from", "and", "or", "that", "this", "who",
    "which", "as", "so", "very", "really", "also", "just", "named", "nam", "called", "call",
];

/// Pairs of (stem, the stem it counts as).
const SYNONYMS: &[(&str, &str)] = &[
    ("lov", "lik"),
    ("enjoy", "lik"),
    ("ador", "lik"),
    ("fond", "lik"),
    ("fan", "lik"),
    ("hat", "dislik"),
    ("detest", "dislik"),
    ("mom", "mother"),
    ("mum", "mother"),
    ("mommy", "mother"),
    ("dad", "father"),
    ("daddy", "father"),
    ("favourit", "favorit"),
    ("kid", "child"),
    ("children", "child"),
    ("colour", "color"),
    ("job", "work"),
    ("employ", "work"),
];

/// Reduce a lower-case word to its stem: possessive, plural and `-ing`/`-ed` endings go,
/// then a final `e`, then one of a doubled final ASCII consonant ("running" -> "run").
///
/// Safe for any text: the endings it removes are ASCII, lengths are counted in characters
/// (so "word of more than four letters" means letters, whatever the script), and the doubled
/// letter is compared and removed as a character, never as a byte: a character is never cut
/// (issue 14: "もing" cut "も" in two and stopped the server).
pub(crate) fn stem(word: &str) -> String {
    let mut w = word.trim_matches('\'');
    w = w
        .strip_suffix("'s")
        .or_else(|| w.strip_suffix("s'"))
        .unwrap_or(w);
    let mut s = w.to_owned();
    let mut letters = s.chars().count();
    if letters > 4 && s.ends_with("ies") {
        cut(&mut s, &mut letters, "ies");
        s.push('y');
        letters += 1;
    } else if letters > 4 && (s.ends_with("sses") || s.ends_with("ches") || s.ends_with("shes")) {
        cut(&mut s, &mut letters, "es");
    } else if letters > 3 && s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") {
        cut(&mut s, &mut letters, "s");
    }
    let mut stripped = false;
    if letters > 5 && s.ends_with("ing") {
        cut(&mut s, &mut letters, "ing");
        stripped = true;
    } else if letters > 4 && s.ends_with("ed") {
        cut(&mut s, &mut letters, "ed");
        stripped = true;
    }
    if letters > 3 && s.ends_with('e') {
        cut(&mut s, &mut letters, "e");
    }
    if stripped && letters >= 3 {
        let mut last_two = s.chars().rev();
        if let (Some(last), Some(before)) = (last_two.next(), last_two.next()) {
            if last == before && last.is_ascii() && !"aeiouls".contains(last) {
                s.pop();
            }
        }
    }
    s
}

/// Remove `suffix`, which `s` ends with, and count what is left in `letters`. Every suffix
/// [`stem`] removes is ASCII, so the cut falls on a character boundary.
fn cut(s: &mut String, letters: &mut usize, suffix: &str) {
    debug_assert!(suffix.is_ascii() && s.ends_with(suffix));
    s.truncate(s.len() - suffix.len());
    *letters = letters.saturating_sub(suffix.len());
}

/// The content words of `text`, stemmed, synonyms folded, function words dropped, sorted and
/// without repeats.
///
/// ```
/// use omi_server::extract::content_words;
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

/// How alike two texts are, from 0 (no content word shared) to 1 (the same content words):
/// the Dice coefficient of their [`content_words`].
///
/// ```
/// use omi_server::extract::similarity;
/// assert_eq!(similarity("User loves hiking", "user enjoys hiking."), 1.0);
/// assert_eq!(similarity("User loves hiking", "User has a cat"), 0.0);
/// ```
pub fn similarity(a: &str, b: &str) -> f64 {
    dice(&content_words(a), &content_words(b))
}

/// The Dice coefficient of two sorted sets.
pub(crate) fn dice(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

/// The fewest content words a memory must share with one of `len` content words to reach
/// [`NEAR_DUPLICATE_SIMILARITY`] with it (at least 1).
///
/// With `s` shared words and sizes `a` and `b`, Dice is `2s / (a + b)`; since `s <= b`, reaching
/// a threshold `t` needs `s >= t * a / (2 - t)`: two thirds of the words at 0.8.
///
/// ```
/// use omi_server::extract::min_shared_words;
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
/// use omi_server::extract::{content_words, indexed_words};
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

/// Whether two memories say the same thing: the same [`content_key`] (case, spacing and final
/// punctuation aside), or a [`similarity`] of at least [`NEAR_DUPLICATE_SIMILARITY`].
///
/// ```
/// use omi_server::extract::is_near_duplicate;
/// assert!(is_near_duplicate("User likes green tea.", "user LIKES green tea"));
/// assert!(is_near_duplicate("User loves green tea", "User enjoys green tea"));
/// assert!(!is_near_duplicate("User likes green tea", "User dislikes green tea"));
/// ```
pub fn is_near_duplicate(a: &str, b: &str) -> bool {
    content_key(a) == content_key(b) || similarity(a, b) >= NEAR_DUPLICATE_SIMILARITY
}

/// Memories seen so far, for checking new ones against them.
pub(crate) struct MemoryIndex {
    keys: HashSet<String>,
    words: Vec<Vec<String>>,
}

impl MemoryIndex {
    /// An index of `known`.
    pub(crate) fn new(known: &[String]) -> Self {
        let mut index = Self {
            keys: HashSet::with_capacity(known.len()),
            words: Vec::with_capacity(known.len()),
        };
        for k in known {
            index.add(k);
        }
        index
    }

    fn add(&mut self, content: &str) {
        self.keys.insert(content_key(content));
        self.words.push(content_words(content));
    }

    /// Add `content` and return `true` unless it repeats a memory already in the index.
    pub(crate) fn insert_if_novel(&mut self, content: &str) -> bool {
        if self.keys.contains(&content_key(content)) {
            return false;
        }
        let words = content_words(content);
        if self
            .words
            .iter()
            .any(|w| dice(w, &words) >= NEAR_DUPLICATE_SIMILARITY)
        {
            return false;
        }
        self.keys.insert(content_key(content));
        self.words.push(words);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_fold_endings() {
        for (word, expected) in [
            ("running", "run"),
            ("loves", "lov"),
            ("loved", "lov"),
            ("sister's", "sister"),
            ("cities", "city"),
            ("classes", "class"),
            ("tea", "tea"),
        ] {
            assert_eq!(stem(word), expected, "{word}");
        }
    }

    #[test]
    fn a_japanese_suffix_does_not_split_a_character() {
        // Issue 14: the doubled-consonant rule compared the last two *bytes* of "も" (after
        // "ing" went) and cut the character in two.
        assert_eq!(stem("もing"), "もing");
        assert_eq!(stem("ももing"), "ももing");
        assert_eq!(stem("ももももing"), "もももも");
        assert_eq!(
            content_words("User likes もing"),
            ["lik", "もing"].map(String::from)
        );
    }

    #[test]
    fn stems_count_letters_not_bytes() {
        // Endings go from words of more than so many *letters*, whatever the script.
        assert_eq!(stem("éing"), "éing");
        assert_eq!(stem("caféing"), "café");
        assert_eq!(stem("naïveties"), "naïvety");
        assert_eq!(stem("ßßßed"), "ßßß");
        assert_eq!(stem("tipping"), "tip");
        assert_eq!(stem("😀😀ing"), "😀😀ing");
        assert_eq!(stem("😀😀😀ing"), "😀😀😀");
    }

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

    #[test]
    fn different_facts_are_not_near_duplicates() {
        assert!(!is_near_duplicate(
            "User's sister lives in Berlin",
            "User's brother lives in Berlin"
        ));
    }
}
