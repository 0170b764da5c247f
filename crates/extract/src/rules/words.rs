//! Words: splitting text into them, and the lists of words the rules treat specially.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::lexicon::stopwords::STOPWORDS;

/// The words of `text`: runs of letters, digits and inner apostrophes (typographic ones
/// already folded to `'`).
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
}

/// `text` with typographic apostrophes and quotes folded to ASCII, so patterns see one form.
pub(crate) fn fold_quotes(text: &str) -> String {
    text.replace(['\u{2019}', '\u{2018}'], "'")
        .replace(['\u{201c}', '\u{201d}'], "\"")
}

/// Whether `word` (lower case) says nothing about a text's topic: function words, fillers
/// of speech and the most common verbs.
pub(crate) fn is_stopword(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOPWORDS.split_whitespace().collect())
        .contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_inner_apostrophes_and_hyphens() {
        let w: Vec<&str> = words("Don't forget: pick-up at 7pm, 'ok'?").collect();
        assert_eq!(w, ["Don't", "forget", "pick-up", "at", "7pm", "ok"]);
    }

    #[test]
    fn stopwords_are_known() {
        assert!(is_stopword("the"));
        assert!(is_stopword("yeah"));
        assert!(!is_stopword("budget"));
    }
}
