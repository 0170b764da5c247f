//! Similarity: how alike two memories are, and when they count as saying the same thing.

use super::content_key;
use super::words::content_words;

/// The similarity from which two memories count as near-duplicates.
pub const NEAR_DUPLICATE_SIMILARITY: f64 = 0.8;

/// How alike two texts are, from 0 (no content word shared) to 1 (the same content words):
/// the Dice coefficient of their [`content_words`].
///
/// ```
/// use omi_extract::identity::similarity;
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

/// Whether two memories say the same thing: the same [`content_key`] (case, spacing and final
/// punctuation aside), or a [`similarity`] of at least [`NEAR_DUPLICATE_SIMILARITY`].
///
/// ```
/// use omi_extract::identity::is_near_duplicate;
/// assert!(is_near_duplicate("User likes green tea.", "user LIKES green tea"));
/// assert!(is_near_duplicate("User loves green tea", "User enjoys green tea"));
/// assert!(!is_near_duplicate("User likes green tea", "User dislikes green tea"));
/// ```
pub fn is_near_duplicate(a: &str, b: &str) -> bool {
    content_key(a) == content_key(b) || similarity(a, b) >= NEAR_DUPLICATE_SIMILARITY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_facts_are_not_near_duplicates() {
        assert!(!is_near_duplicate(
            "User's sister lives in Berlin",
            "User's brother lives in Berlin"
        ));
    }
}
