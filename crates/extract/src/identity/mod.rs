//! Memory identity: when two memories say the same thing. This module is its one owner; the
//! extractors drop repeats with it, and a store keys, indexes and looks up memories with it.
//!
//! - [`content_key`]: the normalized form under which exact repeats are recognized (case,
//!   spacing and final punctuation aside); a store keeps one memory per user and key.
//! - [`content_words`]: lower-cased words with possessives, plurals and `-ing`/`-ed` endings
//!   stripped, a few synonyms folded ("loves", "enjoys" and "likes" are one word; "mom" and
//!   "mother" too), and function words ("the", "is", "User", "their") left out.
//! - [`similarity`]: the Dice coefficient of two contents' words: twice the words they share
//!   over the words they hold between them. It is 1 for the same facts in other words ("User
//!   loves hiking in the Alps" / "user enjoys hiking in the alps") and 0 for facts with
//!   nothing in common; [`is_near_duplicate`] from [`NEAR_DUPLICATE_SIMILARITY`] on.
//! - [`retain_novel`]: the memories found that repeat no known memory and no earlier find.
//! - [`indexed_words`] and [`min_shared_words`]: the few words of a memory a store indexes so
//!   that every near-duplicate of a new memory is found by a lookup of its words.
//!
//! The word lists are in `lexicon.rs`, apart from the logic.

mod lexicon;
mod novelty;
mod similarity;
mod stem;
mod words;

pub use novelty::retain_novel;
pub use similarity::{NEAR_DUPLICATE_SIMILARITY, is_near_duplicate, similarity};
pub use words::{content_words, indexed_words, indexed_words_of, min_shared_words};

/// The normalized form of a memory's content under which duplicates are recognized:
/// lower case, white space collapsed, trailing punctuation dropped (with the white space
/// between it and the last word, so the key of a key is the key itself).
///
/// ```
/// use omi_extract::identity::content_key;
/// assert_eq!(content_key("  User  likes TEA. "), content_key("user likes tea"));
/// assert_eq!(content_key("User likes tea ."), content_key("user likes tea"));
/// ```
pub fn content_key(content: &str) -> String {
    let collapsed: Vec<String> = content.split_whitespace().map(str::to_lowercase).collect();
    collapsed
        .join(" ")
        .trim_end_matches(|c: char| matches!(c, '.' | '!' | '?' | ';' | ',') || c.is_whitespace())
        .to_owned()
}
