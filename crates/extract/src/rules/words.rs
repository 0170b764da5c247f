//! Words: splitting text into them, and the lists of words the rules treat specially.

use std::collections::HashSet;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

use super::lexicon::stopwords::STOPWORDS;

/// The words of `text`, at the word boundaries of Unicode's rules (UAX #29, by
/// `unicode-segmentation`): runs of letters and digits with their inner apostrophes
/// ("don't"), words joined by a hyphen kept as one ("pick-up"), and any leading or trailing
/// apostrophe or hyphen left out. Any script: a run of kana or a Latin word is one word, each
/// ideograph one.
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    // Whether the last span may take "-word" (it ended a word, then a hyphen followed).
    let mut hyphen_after_word = false;
    let mut last_was_word = false;
    for (at, segment) in text.split_word_bound_indices() {
        let is_word = segment.chars().any(char::is_alphanumeric);
        if is_word {
            match spans.last_mut() {
                Some(last) if hyphen_after_word => last.1 = at + segment.len(),
                _ => spans.push((at, at + segment.len())),
            }
            hyphen_after_word = false;
            last_was_word = true;
        } else {
            hyphen_after_word = last_was_word && segment == "-";
            last_was_word = false;
        }
    }
    spans
        .into_iter()
        .map(move |(from, to)| text[from..to].trim_matches(|c| c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
}

/// The Snowball (Porter 2) English stem of a lower-case word, by `rust-stemmers`: "running",
/// "runs" -> "run", "renovation" -> "renov". A word with anything but ASCII letters and
/// apostrophes is returned as it is: the English stemmer has nothing to say of it. The rules'
/// keyword counts, titles and categories compare words by this stem; memory identity keeps its
/// own ([`crate::identity`]), whose stems a store has indexed.
pub(crate) fn stem(word: &str) -> String {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphabetic() || c == '\'') {
        return word.to_owned();
    }
    STEMMER
        .get_or_init(|| Stemmer::create(Algorithm::English))
        .stem(word)
        .into_owned()
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
    fn words_are_found_in_any_script() {
        let found: Vec<&str> =
            words("I don't like the 'kitchen-sink' café; 日本語 カタカナ 🎉").collect();
        assert_eq!(
            found,
            [
                "I",
                "don't",
                "like",
                "the",
                "kitchen-sink",
                "café",
                "日",
                "本",
                "語",
                "カタカナ"
            ]
        );
    }

    #[test]
    fn english_words_are_stemmed_by_snowball_and_others_kept() {
        assert_eq!(stem("running"), "run");
        assert_eq!(stem("renovations"), "renov");
        assert_eq!(stem("renovation"), "renov");
        assert_eq!(stem("café"), "café");
        assert_eq!(stem("もing"), "もing");
        assert_eq!(stem(""), "");
    }

    #[test]
    fn stopwords_are_known() {
        assert!(is_stopword("the"));
        assert!(is_stopword("yeah"));
        assert!(!is_stopword("budget"));
    }
}
