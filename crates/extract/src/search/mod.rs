//! Search analysis: the terms a text is indexed under and the phrases a query looks for.
//!
//! Both stores index the same terms with their own full-text engines (SQLite FTS5 with bm25,
//! PostgreSQL `tsvector` with `ts_rank_cd`), so what a query finds is decided here, once:
//!
//! - text is NFKC-normalized (full-width letters and digits, half-width katakana), lower-cased,
//!   and Latin, Greek and Cyrillic letters lose their accents ("Café" and "cafe" match);
//! - words (runs of letters, digits and their combining marks) are stemmed with the Snowball
//!   English stemmer when they are ASCII letters ("hiking" and "hike" match); a possessive
//!   `'s` is dropped;
//! - text in scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) is
//!   indexed as overlapping character pairs, and a query's run of such text is a phrase of
//!   its pairs, so any substring of two characters or more is found ("渋谷" in
//!   "ユーザーは東京の渋谷に住んでいる"); a one-character query matches the pairs it starts;
//! - each emoji is a term of its own (`emoji` and its code point: "🍣" is `emoji1f363`).
//!
//! A hit is shown with [`highlighted_snippet`]: the passage of its text where the query's
//! phrases match by these same terms, the matched words in bold.
//!
//! ```
//! use omi_extract::search::{index_terms, query_phrases};
//!
//! assert_eq!(index_terms("User loves Hiking in Zürich"), "user love hike in zurich");
//! assert_eq!(index_terms("東京に住む"), "東京 京に に住 住む");
//! let phrases = query_phrases("hikes 京に");
//! assert_eq!(phrases[0].terms, ["hike"]);
//! assert_eq!(phrases[1].terms, ["京に"]);
//! ```

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use unicode_normalization::char::{
    canonical_combining_class, decompose_canonical, decompose_compatible, is_combining_mark,
};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::rules::words::stem;

mod snippet;

pub use snippet::{SNIPPET_CHARS, highlighted_snippet};

/// The most phrases a query looks for; words past these are ignored.
pub const MAX_QUERY_PHRASES: usize = 32;

/// The most characters of one indexed word; a longer one is cut to this (PostgreSQL ignores
/// lexemes over 2 047 bytes, and no real word comes near this).
pub const MAX_TERM_CHARS: usize = 64;

/// Something a query looks for: one term, or for text in a script without spaces the
/// character pairs of a substring, which must stand next to each other in that order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueryPhrase {
    /// The terms, in order (at least one).
    pub terms: Vec<String>,
    /// Whether the last term is a prefix (a one-character query in a script without
    /// spaces, which matches every pair it starts).
    pub prefix: bool,
}

/// The terms `text` is indexed under, in order, separated by single spaces (empty when it
/// has no word).
pub fn index_terms(text: &str) -> String {
    let mut terms: Vec<String> = Vec::new();
    for piece in pieces(text) {
        match piece {
            Piece::Word(word, _) => terms.push(word),
            Piece::Run(chars, _) => terms.extend(pairs(&chars)),
        }
    }
    terms.join(" ")
}

/// The phrases `query` looks for, without repeats, at most [`MAX_QUERY_PHRASES`]; empty
/// when it has no word (a query of punctuation alone finds nothing). Words that say nothing
/// of a memory ("what", "the", "user": [`QUERY_STOP_WORDS`]) are left out when the query has
/// any other: "what does the user like about hiking" looks for "like" and "hike".
pub fn query_phrases(query: &str) -> Vec<QueryPhrase> {
    let all = phrases_of(query);
    let meaningful: Vec<QueryPhrase> = all.iter().filter(|p| !is_stop_phrase(p)).cloned().collect();
    if meaningful.is_empty() {
        all
    } else {
        meaningful
    }
}

/// Query words left out when a query has others: English function words, and "user",
/// which OMI's memories all begin with.
pub const QUERY_STOP_WORDS: &[&str] = &[
    "a", "about", "an", "and", "any", "are", "as", "at", "be", "been", "by", "did", "do", "does",
    "for", "from", "had", "has", "have", "how", "i", "in", "is", "it", "me", "my", "of", "on",
    "or", "that", "the", "their", "them", "they", "this", "to", "user", "was", "were", "what",
    "when", "where", "which", "who", "why", "with", "you", "your",
];

/// Whether `phrase` is one stop word, compared as the query's words are: by its term.
fn is_stop_phrase(phrase: &QueryPhrase) -> bool {
    static STOP_TERMS: OnceLock<HashSet<String>> = OnceLock::new();
    let stop = STOP_TERMS.get_or_init(|| QUERY_STOP_WORDS.iter().map(|w| index_terms(w)).collect());
    !phrase.prefix && matches!(phrase.terms.as_slice(), [term] if stop.contains(term))
}

/// Every phrase of `query`, without repeats, at most [`MAX_QUERY_PHRASES`].
fn phrases_of(query: &str) -> Vec<QueryPhrase> {
    let mut seen = HashSet::new();
    pieces(query)
        .into_iter()
        .map(|piece| match piece {
            Piece::Word(word, _) => QueryPhrase {
                terms: vec![word],
                prefix: false,
            },
            Piece::Run(chars, _) => QueryPhrase {
                prefix: chars.len() == 1,
                terms: pairs(&chars),
            },
        })
        .filter(|phrase| seen.insert(phrase.clone()))
        .take(MAX_QUERY_PHRASES)
        .collect()
}

/// A word or a run of text in a script without spaces, folded, with the bytes of the text it
/// was read from.
enum Piece {
    /// A word's term, and the bytes of the word.
    Word(String, Range<usize>),
    /// A run's characters, and the bytes each came from.
    Run(Vec<char>, Vec<Range<usize>>),
}

/// The words and runs of `text`, in order.
fn pieces(text: &str) -> Vec<Piece> {
    let mut reader = Reader::default();
    for bytes in segments(text) {
        let segment = &text[bytes.clone()];
        if let [byte] = segment.as_bytes() {
            reader.read(char::from(*byte), bytes);
        } else {
            for c in segment.nfkc() {
                reader.read(c, bytes.clone());
            }
        }
    }
    reader.finish_word();
    reader.finish_run();
    reader.out
}

/// The pieces read so far and the word or run being read.
#[derive(Default)]
struct Reader {
    out: Vec<Piece>,
    word: String,
    word_bytes: Option<Range<usize>>,
    run: Vec<char>,
    run_bytes: Vec<Range<usize>>,
    after_apostrophe: bool,
}

impl Reader {
    /// Read `c`, a character of the normalized text, which came from `bytes` of the text.
    fn read(&mut self, c: char, bytes: Range<usize>) {
        if is_pictograph(c) {
            self.finish_word();
            self.finish_run();
            self.out.push(Piece::Word(pictograph_term(c), bytes));
        } else if is_unspaced(c) {
            self.finish_word();
            self.run.push(c);
            self.run_bytes.push(bytes);
        } else if c.is_alphanumeric() || (is_combining_mark(c) && !self.word.is_empty()) {
            self.finish_run();
            fold_into(&mut self.word, c);
            if !self.word.is_empty() {
                let start = self.word_bytes.as_ref().map_or(bytes.start, |b| b.start);
                self.word_bytes = Some(start..bytes.end);
            }
        } else {
            let apostrophe = matches!(c, '\'' | '\u{2019}') && !self.word.is_empty();
            self.finish_word();
            self.finish_run();
            self.after_apostrophe = apostrophe;
        }
    }

    /// End the word being read: stemmed and cut to [`MAX_TERM_CHARS`]; a possessive `s`
    /// (right after an apostrophe) is dropped.
    fn finish_word(&mut self) {
        let possessive = std::mem::take(&mut self.after_apostrophe) && self.word == "s";
        let word = std::mem::take(&mut self.word);
        let bytes = self.word_bytes.take().unwrap_or_default();
        if word.is_empty() || possessive {
            return;
        }
        let stemmed = stem(&word);
        let term = stemmed.chars().take(MAX_TERM_CHARS).collect();
        self.out.push(Piece::Word(term, bytes));
    }

    /// End the run being read.
    fn finish_run(&mut self) {
        if !self.run.is_empty() {
            let run = std::mem::take(&mut self.run);
            self.out
                .push(Piece::Run(run, std::mem::take(&mut self.run_bytes)));
        }
    }
}

/// The byte ranges of `text` that NFKC normalizes on their own, in order: each starts at a
/// character that nothing before it composes or reorders with, so normalizing them one by
/// one gives the normalization of the whole text, and each character of the result is known
/// to come from its range.
fn segments(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.next()?;
        while chars.next_if(|&(_, c)| !starts_segment(c)).is_some() {}
        let end = chars.peek().map_or(text.len(), |&(i, _)| i);
        Some(start..end)
    })
}

/// Whether normalization leaves the text before `c` alone: the compatibility decomposition
/// of `c` begins with a starter that composes with nothing before it (Unicode's quick check
/// says "yes" to it, not "maybe").
fn starts_segment(c: char) -> bool {
    if c.is_ascii() {
        return true;
    }
    let mut first = None;
    decompose_compatible(c, |part| {
        first.get_or_insert(part);
    });
    first.is_some_and(|first| {
        canonical_combining_class(first) == 0
            && is_nfkc_quick(std::iter::once(first)) == IsNormalized::Yes
    })
}

/// Append `c` to `word` lower-cased, without the accents of a Latin, Greek or Cyrillic
/// letter.
fn fold_into(word: &mut String, c: char) {
    for lower in c.to_lowercase() {
        if has_foldable_accents(lower) {
            decompose_canonical(lower, |part| {
                if !is_combining_mark(part) {
                    word.push(part);
                }
            });
        } else if !(is_combining_mark(lower) && ends_with_foldable(word)) {
            word.push(lower);
        }
    }
}

/// Whether `c` is a letter whose accents search ignores (Latin, Greek, Cyrillic).
fn has_foldable_accents(c: char) -> bool {
    matches!(c, '\u{00C0}'..='\u{052F}' | '\u{1E00}'..='\u{1FFF}')
}

/// Whether `word` ends with such a letter (a combining accent after it is dropped too).
fn ends_with_foldable(word: &str) -> bool {
    word.chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphabetic() || has_foldable_accents(c))
}

/// Whether `c` is an emoji or a pictographic symbol (each is a term of its own; skin tones,
/// joiners and variation selectors around it are not).
fn is_pictograph(c: char) -> bool {
    matches!(c,
        '\u{2600}'..='\u{27BF}'       // miscellaneous symbols, dingbats
        | '\u{2B00}'..='\u{2BFF}'     // arrows, stars
        | '\u{1F000}'..='\u{1F3FA}'   // cards, enclosed, pictographs (not skin tones)
        | '\u{1F400}'..='\u{1FAFF}'   // pictographs, emoticons, transport, supplemental
    )
}

/// The term of a pictograph: `emoji` and its code point in hex (`🍣` is `emoji1f363`),
/// letters and digits that every full-text tokenizer keeps whole.
fn pictograph_term(c: char) -> String {
    format!("emoji{:x}", u32::from(c))
}

/// Whether `c` belongs to a script written without spaces between words.
fn is_unspaced(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}'     // Thai, Lao
        | '\u{1000}'..='\u{109F}'   // Myanmar
        | '\u{1780}'..='\u{17FF}'   // Khmer
        | '\u{3005}' | '\u{3007}'   // ideographic iteration mark, zero
        | '\u{3040}'..='\u{30FF}'   // hiragana, katakana
        | '\u{31F0}'..='\u{31FF}'   // katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility ideographs
        | '\u{20000}'..='\u{3134F}' // CJK extensions B-G
    ) && c != '\u{30FB}' // katakana middle dot: a separator
}

/// The overlapping character pairs of a run (the one character of a run of one).
fn pairs(chars: &[char]) -> Vec<String> {
    if chars.len() == 1 {
        return vec![chars[0].to_string()];
    }
    chars
        .windows(2)
        .map(|pair| pair.iter().collect::<String>())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_forms_case_and_accents_fold() {
        assert_eq!(index_terms("HIKING, hikes & Hiked!"), "hike hike hike");
        assert_eq!(index_terms("Café Olé in ZÜRICH"), "cafe ole in zurich");
        assert_eq!(index_terms("naïve résumé"), index_terms("naive resume"));
        assert_eq!(index_terms("Ｆｕｌｌｗｉｄｔｈ １２３"), "fullwidth 123");
        assert_eq!(index_terms("Москва"), "москва");
    }

    #[test]
    fn possessives_go_and_apostrophes_split() {
        assert_eq!(index_terms("User's sister"), "user sister");
        assert_eq!(index_terms("User’s dog"), "user dog");
        assert_eq!(index_terms("don't"), "don t");
    }

    #[test]
    fn unspaced_scripts_index_pairs_and_query_substrings() {
        assert_eq!(index_terms("ラーメン"), "ラー ーメ メン");
        let phrases = query_phrases("東京");
        assert_eq!(phrases.len(), 1);
        assert_eq!(phrases[0].terms, ["東京"]);
        assert!(!phrases[0].prefix);
        let one = query_phrases("京");
        assert!(one[0].prefix);
        assert_eq!(index_terms("สวัสดีครับ").split(' ').count(), 9);
        // Mixed with Latin and emoji: each part on its own.
        assert_eq!(
            index_terms("東京tower 🍣 sushi"),
            "東京 tower emoji1f363 sushi"
        );
        // A skin tone and a joiner are not terms; the pictographs are.
        assert_eq!(index_terms("👍🏽 👩‍💻"), "emoji1f44d emoji1f469 emoji1f4bb");
    }

    #[test]
    fn japanese_voiced_kana_keep_their_marks() {
        // NFKC composes が; half-width ｶﾞ becomes ガ.
        assert_eq!(index_terms("ｶﾞｽ"), "ガス");
        assert_ne!(index_terms("かき"), index_terms("がき"));
    }

    #[test]
    fn stop_words_are_left_out_unless_they_are_all_there_is() {
        let terms = |q: &str| -> Vec<String> {
            query_phrases(q).into_iter().flat_map(|p| p.terms).collect()
        };
        assert_eq!(
            terms("What does the user like about hiking?"),
            ["like", "hike"]
        );
        assert_eq!(terms("the user"), ["the", "user"]);
        assert_eq!(terms("Why does Maria's dog bark"), ["maria", "dog", "bark"]);
    }

    #[test]
    fn queries_have_no_repeats_and_a_bound() {
        assert_eq!(query_phrases("hike hiking HIKES").len(), 1);
        assert!(query_phrases("?! ... —").is_empty());
        let many: String = (0..100).map(|n| format!("w{n} ")).collect();
        assert_eq!(query_phrases(&many).len(), MAX_QUERY_PHRASES);
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_bounded_terms_without_spaces(text in "\\PC{0,300}") {
            let terms = index_terms(&text);
            for term in terms.split(' ').filter(|t| !t.is_empty()) {
                proptest::prop_assert!(term.chars().count() <= MAX_TERM_CHARS);
                proptest::prop_assert!(!term.chars().any(char::is_whitespace));
            }
            let phrases = query_phrases(&text);
            proptest::prop_assert!(phrases.len() <= MAX_QUERY_PHRASES);
            proptest::prop_assert!(phrases.iter().all(|p| !p.terms.is_empty()));
        }

        #[test]
        fn a_word_of_a_text_finds_it(words in proptest::collection::vec("\\PC{1,12}", 1..8), pick in 0usize..8) {
            let text = words.join(" ");
            let terms = index_terms(&text);
            let terms: Vec<&str> = terms.split(' ').collect();
            let query = &words[pick % words.len()];
            for phrase in query_phrases(query) {
                let found = terms.windows(phrase.terms.len()).any(|w| {
                    let (last, head) = w.split_last().unwrap();
                    let (want_last, want_head) = phrase.terms.split_last().unwrap();
                    head == want_head.iter().map(String::as_str).collect::<Vec<_>>().as_slice()
                        && if phrase.prefix { last.starts_with(want_last.as_str()) } else { last == want_last }
                });
                proptest::prop_assert!(found, "{phrase:?} not in {terms:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn segments_normalize_as_the_whole_text(
            text in "[a-eA-E ́̀̈̃̕͜͝\u{0345}\u{1100}-\u{1175}\u{11A8}-\u{11C2}가-갸\u{3131}-\u{318E}ｦ-ﾟかがこご\u{3099}\u{309A}\u{309B}\u{0B47}\u{0B3E}\u{0B56}\u{0B57}ﬁ①㍿¼]{0,40}|\\PC{0,100}",
        ) {
            let mut covered = 0;
            let mut normalized = String::new();
            for bytes in segments(&text) {
                proptest::prop_assert_eq!(bytes.start, covered);
                covered = bytes.end;
                normalized.extend(text[bytes].nfkc());
            }
            proptest::prop_assert_eq!(covered, text.len());
            proptest::prop_assert_eq!(normalized, text.nfkc().collect::<String>());
        }
    }

    #[test]
    fn long_words_are_cut_by_characters() {
        let long = "é".repeat(500);
        assert_eq!(index_terms(&long).chars().count(), MAX_TERM_CHARS);
    }
}
