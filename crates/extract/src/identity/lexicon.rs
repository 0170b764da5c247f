//! The word lists of memory identity: function words, which carry no content, and synonyms,
//! which count as one word. Both are compared after stemming ([`super::stem::stem`]), so they hold
//! stems ("lov", "themselv"), not words.

/// Words that carry no content of their own, compared after stemming.
pub(super) const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "user", "user'", "users", "they", "them", "their", "theirs", "themselv", "i",
    "me", "my", "we", "our", "us", "he", "she", "him", "her", "his", "it", "its", "is", "are",
    "was", "were", "be", "been", "being", "am", "ha", "has", "have", "had", "do", "doe", "did",
    "of", "in", "on", "at", "to", "for", "with", "by", "from", "and", "or", "that", "this", "who",
    "which", "as", "so", "very", "really", "also", "just", "named", "nam", "called", "call",
];

/// Pairs of (stem, the stem it counts as).
pub(super) const SYNONYMS: &[(&str, &str)] = &[
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
