//! Novelty: which of the memories found repeat neither a known memory nor one found before
//! them. Both extractors drop the repeats with it.

use std::collections::HashSet;

use super::content_key;
use super::similarity::{NEAR_DUPLICATE_SIMILARITY, dice};
use super::words::content_words;
use crate::output::ExtractedMemory;

/// Memories seen so far, for checking new ones against them.
struct MemoryIndex {
    keys: HashSet<String>,
    words: Vec<Vec<String>>,
}

impl MemoryIndex {
    /// An index of `known`.
    fn new(known: &[String]) -> Self {
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
    fn insert_if_novel(&mut self, content: &str) -> bool {
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

/// Keep the memories that repeat neither a known memory nor an earlier one in `found`
/// ([`content_key`] or [`is_near_duplicate`](super::is_near_duplicate)), in order.
///
/// ```
/// use omi_extract::ExtractedMemory;
/// use omi_extract::identity::retain_novel;
/// use omi_model::MemoryCategory;
///
/// let found = |content: &str| ExtractedMemory {
///     content: content.to_owned(),
///     category: MemoryCategory::System,
/// };
/// let known = ["User loves tea.".to_owned()];
/// let kept = retain_novel(vec![found("user enjoys tea"), found("User has a cat")], &known);
/// assert_eq!(kept, [found("User has a cat")]);
/// ```
pub fn retain_novel(found: Vec<ExtractedMemory>, known: &[String]) -> Vec<ExtractedMemory> {
    let mut seen = MemoryIndex::new(known);
    found
        .into_iter()
        .filter(|m| seen.insert_if_novel(&m.content))
        .collect()
}

#[cfg(test)]
mod tests {
    use omi_model::MemoryCategory;

    use super::*;

    fn memory(content: &str) -> ExtractedMemory {
        ExtractedMemory {
            content: content.to_owned(),
            category: MemoryCategory::System,
        }
    }

    #[test]
    fn known_memories_and_their_near_duplicates_are_not_extracted_again() {
        let known = vec!["User loves hiking in the Alps.".to_owned()];
        let found = vec![
            memory("user loves hiking in the alps"),
            memory("User enjoys hiking in the Alps"),
            memory("User has a sister named Anna"),
            memory("User has a sister named Anna."),
        ];
        let kept = retain_novel(found, &known);
        assert_eq!(kept, vec![memory("User has a sister named Anna")]);
    }
}
