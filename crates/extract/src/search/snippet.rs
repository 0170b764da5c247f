//! Highlighted snippets of search hits: the passage of a text around the words a query
//! matched, those words in Markdown bold.
//!
//! Words are matched as the index matches them, by their terms ([`super::index_terms`]):
//! "Hiking" is highlighted for the query "hikes", "Zürich" for "zurich", and in a script
//! written without spaces the characters a query's substring covers ("渋谷" in
//! "東京の渋谷に住む").

use std::collections::HashMap;
use std::ops::Range;

use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

use super::{Piece, QueryPhrase, pairs, pieces};

/// The default length of a snippet, in characters.
pub const SNIPPET_CHARS: usize = 160;

/// The shortest snippet asked for: a smaller `max_chars` is raised to this.
const MIN_SNIPPET_CHARS: usize = 16;

/// A passage of `text` of at most about `max_chars` characters around the words the query's
/// `phrases` match, each matched word (or matched run of unspaced-script characters) wrapped
/// in `**` (Markdown bold); `…` marks a cut at either end. `None` when no word of `text`
/// matches any phrase.
///
/// The passage is the one with the most of the phrases, then the most matches, the earliest
/// of equals; it ends at spaces where the text has them, white space in it is collapsed to
/// single spaces, and it is never cut inside a character or (but in a single word longer than
/// `max_chars`) a grapheme cluster. It has at most `max_chars` characters (at least 16) of the
/// text, besides the markers and the two `…`. Matched words that touch are highlighted as one.
///
/// ```
/// use omi_extract::search::{SNIPPET_CHARS, highlighted_snippet, query_phrases};
///
/// let text = "Went to Zürich last week.\n\nLoves hiking in the Alps.";
/// assert_eq!(
///     highlighted_snippet(text, &query_phrases("hikes zurich"), SNIPPET_CHARS).as_deref(),
///     Some("Went to **Zürich** last week. Loves **hiking** in the Alps."),
/// );
/// assert_eq!(
///     highlighted_snippet(text, &query_phrases("alps"), 20).as_deref(),
///     Some("…hiking in the **Alps**."),
/// );
/// assert_eq!(highlighted_snippet(text, &query_phrases("sushi"), SNIPPET_CHARS), None);
/// ```
pub fn highlighted_snippet(
    text: &str,
    phrases: &[QueryPhrase],
    max_chars: usize,
) -> Option<String> {
    let budget = max_chars.max(MIN_SNIPPET_CHARS);
    let mut marks = marks(text, phrases);
    if marks.is_empty() {
        return None;
    }
    let lo = text.len() - text.trim_start().len();
    let hi = text.trim_end().len().max(lo);
    for mark in &mut marks {
        // A mark widened to a cluster of a space and marks starts at the space.
        mark.bytes = mark.bytes.start.clamp(lo, hi)..mark.bytes.end.clamp(lo, hi);
    }
    let at = display_positions(text, lo, &marks);
    let (first, last) = best_window(&marks, &at, budget, phrases.len());
    let window = window(
        text,
        lo..hi,
        &marks[first],
        &marks[last],
        (at[first], at[last]),
        budget,
    );
    Some(render(text, window, lo..hi, &marks, budget))
}

/// A highlighted passage of the text: its bytes, and the phrases matched there.
struct Mark {
    bytes: Range<usize>,
    phrases: Vec<usize>,
}

/// A term of the text as the index has it, with the bytes it stands for: all of them, and
/// those of its first character (a one-character query highlights only that of a pair).
struct Term {
    text: String,
    whole: Range<usize>,
    first: Range<usize>,
}

/// The terms of `text`, in order.
fn terms(text: &str) -> Vec<Term> {
    let mut terms = Vec::new();
    for piece in pieces(text) {
        match piece {
            Piece::Word(text, bytes) => terms.push(Term {
                text,
                first: bytes.clone(),
                whole: bytes,
            }),
            Piece::Run(chars, bytes) => {
                for (i, pair) in pairs(&chars).into_iter().enumerate() {
                    let last = &bytes[(i + 1).min(bytes.len() - 1)];
                    terms.push(Term {
                        text: pair,
                        whole: bytes[i].start..last.end,
                        first: bytes[i].clone(),
                    });
                }
            }
        }
    }
    terms
}

/// Where `phrases` match `text`: passages that do not overlap or touch, in order, each
/// widened to whole grapheme clusters.
fn marks(text: &str, phrases: &[QueryPhrase]) -> Vec<Mark> {
    let mut by_first: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut prefixes = Vec::new();
    for (n, phrase) in phrases.iter().enumerate() {
        match phrase.terms.as_slice() {
            [] => {}
            [only] if phrase.prefix => {
                if !only.is_empty() {
                    prefixes.push(n);
                }
            }
            [first, ..] => by_first.entry(first.as_str()).or_default().push(n),
        }
    }
    if by_first.is_empty() && prefixes.is_empty() {
        return Vec::new();
    }
    let terms = terms(text);
    let mut found = Vec::new();
    for (i, term) in terms.iter().enumerate() {
        let exact = by_first.get(term.text.as_str()).into_iter().flatten();
        for &n in exact.chain(&prefixes) {
            if let Some(bytes) = match_at(&terms, i, &phrases[n]) {
                found.push(Mark {
                    bytes,
                    phrases: vec![n],
                });
            }
        }
    }
    found.sort_by_key(|mark| mark.bytes.start);
    let mut marks = merge(found);
    widen_to_graphemes(text, &mut marks);
    merge(marks)
}

/// The bytes `phrase` covers when it matches the terms from `at` on.
fn match_at(terms: &[Term], at: usize, phrase: &QueryPhrase) -> Option<Range<usize>> {
    let (want_last, want_head) = phrase.terms.split_last()?;
    let found = terms.get(at..at.checked_add(phrase.terms.len())?)?;
    let (last, head) = found.split_last()?;
    if !head
        .iter()
        .zip(want_head)
        .all(|(term, want)| term.text == *want)
    {
        return None;
    }
    let end = if last.text == *want_last {
        last.whole.end
    } else if phrase.prefix && last.text.starts_with(want_last.as_str()) {
        last.first.end
    } else {
        return None;
    };
    Some(found[0].whole.start..end)
}

/// `marks` (in order of their starts) with those that overlap or touch made one.
fn merge(marks: Vec<Mark>) -> Vec<Mark> {
    let mut merged: Vec<Mark> = Vec::with_capacity(marks.len());
    for mark in marks {
        match merged.last_mut() {
            Some(last) if mark.bytes.start <= last.bytes.end => {
                last.bytes.end = last.bytes.end.max(mark.bytes.end);
                for phrase in mark.phrases {
                    if !last.phrases.contains(&phrase) {
                        last.phrases.push(phrase);
                    }
                }
            }
            _ => merged.push(mark),
        }
    }
    merged
}

/// Widen each of `marks` (in order, apart) to the grapheme clusters it touches, so that a
/// marker never stands between an emoji and its skin tone or a letter and its accent.
fn widen_to_graphemes(text: &str, marks: &mut [Mark]) {
    let mut clusters = text
        .grapheme_indices(true)
        .map(|(i, cluster)| i..i + cluster.len())
        .peekable();
    for mark in marks {
        while clusters.next_if(|c| c.end <= mark.bytes.start).is_some() {}
        if let Some(cluster) = clusters.peek() {
            mark.bytes.start = mark.bytes.start.min(cluster.start);
        }
        while clusters.next_if(|c| c.end < mark.bytes.end).is_some() {}
        if let Some(cluster) = clusters.peek() {
            mark.bytes.end = mark.bytes.end.max(cluster.end);
        }
    }
}

/// Where each of `marks` starts and ends as shown, in characters from `from`: white space
/// shown as one space wherever it runs longer.
fn display_positions(text: &str, from: usize, marks: &[Mark]) -> Vec<(usize, usize)> {
    let mut chars = text[from..]
        .char_indices()
        .map(|(i, c)| (from + i, c))
        .peekable();
    let mut shown = 0;
    let mut in_space = false;
    let mut position = |to: usize| {
        while let Some((_, c)) = chars.next_if(|&(i, _)| i < to) {
            let space = c.is_whitespace();
            if !(space && in_space) {
                shown += 1;
            }
            in_space = space;
        }
        shown
    };
    marks
        .iter()
        .map(|mark| (position(mark.bytes.start), position(mark.bytes.end)))
        .collect()
}

/// The first and last of the marks the snippet is about: of those that fit in `budget`
/// characters together, the ones with the most distinct phrases, then the most marks, the
/// earliest of equals (one mark alone when none fits).
fn best_window(
    marks: &[Mark],
    at: &[(usize, usize)],
    budget: usize,
    phrases: usize,
) -> (usize, usize) {
    let mut counts = vec![0usize; phrases];
    let mut distinct = 0;
    let mut best = (0, 0);
    let mut best_score = (0, 0);
    let mut end = 0;
    for first in 0..marks.len() {
        end = end.max(first);
        while end < marks.len() && at[end].1.saturating_sub(at[first].0) <= budget {
            for &phrase in &marks[end].phrases {
                distinct += usize::from(counts[phrase] == 0);
                counts[phrase] += 1;
            }
            end += 1;
        }
        let (last, score) = if end > first {
            (end - 1, (distinct, end - first))
        } else {
            (first, (marks[first].phrases.len(), 1))
        };
        if score > best_score {
            best = (first, last);
            best_score = score;
        }
        if end > first {
            for &phrase in &marks[first].phrases {
                counts[phrase] -= 1;
                distinct -= usize::from(counts[phrase] == 0);
            }
        }
    }
    best
}

/// The bytes of the snippet: from `first` to `last` (or as much of `first` as fits), with as
/// much of the text around them as `budget` leaves, shared before and after, both ends at
/// grapheme boundaries inside `text` (the text's bytes but its white space at either end) and
/// at spaces where the text around has them.
fn window(
    text: &str,
    text_bytes: Range<usize>,
    first: &Mark,
    last: &Mark,
    (first_at, last_at): ((usize, usize), (usize, usize)),
    budget: usize,
) -> Range<usize> {
    let core_start = first.bytes.start;
    let core_len = last_at.1.saturating_sub(first_at.0);
    let (core_end, spare) = if core_len <= budget {
        (last.bytes.end, budget - core_len)
    } else {
        let (cut, _) = advance(text, core_start..first.bytes.end, budget);
        let cluster_end = grapheme_floor(text, cut);
        (
            if cluster_end > core_start {
                cluster_end
            } else {
                cut
            },
            0,
        )
    };
    let before = first_at.0.min(spare / 2);
    let (mut end, after) = advance(text, core_end..text_bytes.end, spare - before);
    let before = first_at.0.min(spare - after);
    let mut start = retreat(text, text_bytes.start..core_start, before);
    start = grapheme_ceil(text, start).min(core_start);
    end = grapheme_floor(text, end).max(core_end);
    if start > text_bytes.start
        && cuts_a_word(text, start)
        && let Some(space) = text[start..core_start].find(char::is_whitespace)
    {
        start += space;
    }
    if end < text_bytes.end
        && cuts_a_word(text, end)
        && let Some(space) = text[core_end..end].rfind(char::is_whitespace)
    {
        end = core_end + space;
    }
    start..end
}

/// Whether byte `at` of `text` (a character boundary inside it) stands inside a word: no
/// white space on either side.
fn cuts_a_word(text: &str, at: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at..].chars().next();
    before.is_some_and(|c| !c.is_whitespace()) && after.is_some_and(|c| !c.is_whitespace())
}

/// The byte `count` characters (as shown: a run of white space is one) into `bytes` of
/// `text`, and how many it went (fewer at the end of `bytes`).
fn advance(text: &str, bytes: Range<usize>, count: usize) -> (usize, usize) {
    let (len, went) = walk(text[bytes.clone()].chars(), count);
    (bytes.start + len, went)
}

/// The byte `count` characters (as shown) back from the end of `bytes` of `text`.
fn retreat(text: &str, bytes: Range<usize>, count: usize) -> usize {
    bytes.end - walk(text[bytes.clone()].chars().rev(), count).0
}

/// The bytes of the first `count` characters of `chars` as shown (with the rest of a run of
/// white space they end in), and how many there were (fewer when `chars` ends first).
fn walk(chars: impl Iterator<Item = char>, count: usize) -> (usize, usize) {
    let mut went = 0;
    let mut len = 0;
    let mut in_space = false;
    for c in chars {
        let space = c.is_whitespace();
        if !(space && in_space) {
            if went == count {
                break;
            }
            went += 1;
        }
        in_space = space;
        len += c.len_utf8();
    }
    (len, went)
}

/// The grapheme boundary of `text` at or before byte `at` (a character boundary).
fn grapheme_floor(text: &str, at: usize) -> usize {
    let mut cursor = GraphemeCursor::new(at, text.len(), true);
    match cursor.is_boundary(text, 0) {
        Ok(false) => cursor.prev_boundary(text, 0).ok().flatten().unwrap_or(at),
        _ => at,
    }
}

/// The grapheme boundary of `text` at or after byte `at` (a character boundary).
fn grapheme_ceil(text: &str, at: usize) -> usize {
    let mut cursor = GraphemeCursor::new(at, text.len(), true);
    match cursor.is_boundary(text, 0) {
        Ok(false) => cursor.next_boundary(text, 0).ok().flatten().unwrap_or(at),
        _ => at,
    }
}

/// The snippet of `window` of `text`: white space collapsed, the parts of `marks` in it in
/// `**`, at most `budget` characters of the text, `…` where it does not reach the start or
/// the end of `text_bytes`.
fn render(
    text: &str,
    window: Range<usize>,
    text_bytes: Range<usize>,
    marks: &[Mark],
    budget: usize,
) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut space = false;
    let mut open = false;
    let mut shown_bytes: Option<Range<usize>> = None;
    let mut cut = false;
    let mut marks = marks
        .iter()
        .skip_while(|mark| mark.bytes.end <= window.start)
        .peekable();
    for (i, c) in text[window.clone()].char_indices() {
        let i = window.start + i;
        while marks.next_if(|mark| mark.bytes.end <= i).is_some() {
            if std::mem::take(&mut open) {
                out.push_str("**");
            }
        }
        if c.is_whitespace() {
            space = shown > 0;
            continue;
        }
        if shown + 1 + usize::from(space) > budget {
            cut = true;
            break;
        }
        if std::mem::take(&mut space) {
            out.push(' ');
            shown += 1;
        }
        if !open && marks.peek().is_some_and(|mark| mark.bytes.start <= i) {
            out.push_str("**");
            open = true;
        }
        out.push(c);
        shown += 1;
        let start = shown_bytes.map_or(i, |bytes| bytes.start);
        shown_bytes = Some(start..i + c.len_utf8());
    }
    if open {
        out.push_str("**");
    }
    let shown_bytes = shown_bytes.unwrap_or(window);
    let mut snippet = String::with_capacity(out.len() + 6);
    if shown_bytes.start > text_bytes.start {
        snippet.push('…');
    }
    snippet.push_str(&out);
    if cut || shown_bytes.end < text_bytes.end {
        snippet.push('…');
    }
    snippet
}

#[cfg(test)]
mod tests {
    use super::super::query_phrases;
    use super::*;

    fn snippet(text: &str, query: &str, max_chars: usize) -> Option<String> {
        highlighted_snippet(text, &query_phrases(query), max_chars)
    }

    /// The characters of the text in a snippet: without the markers and the cut marks (for
    /// texts that have neither `*` nor `…`).
    fn text_chars(snippet: &str) -> usize {
        let plain = snippet.replace("**", "");
        let plain = plain.strip_prefix('…').unwrap_or(&plain);
        let plain = plain.strip_suffix('…').unwrap_or(plain);
        plain.chars().count()
    }

    /// Texts, queries and their snippets (of 160 characters at most).
    const EXAMPLES: &[(&str, &str, &str)] = &[
        // English words match by stem, and keep their case.
        (
            "Went Hiking on Sunday",
            "hikes",
            "Went **Hiking** on Sunday",
        ),
        (
            "She hiked, he hikes.",
            "hiking",
            "She **hiked**, he **hikes**.",
        ),
        // Accents and case fold; a combining accent stays inside the bold word.
        (
            "Moved to ZÜRICH, near the café",
            "zurich cafe",
            "Moved to **ZÜRICH**, near the **café**",
        ),
        ("a cafe\u{301} here", "café", "a **cafe\u{301}** here"),
        // Japanese substrings highlight the characters they cover; one character, itself.
        ("東京の渋谷に住む", "渋谷", "東京の**渋谷**に住む"),
        ("東京の渋谷に住む", "渋", "東京の**渋**谷に住む"),
        ("東京の渋谷に住む", "京の渋", "東**京の渋**谷に住む"),
        // Overlapping and touching matches are one.
        ("東京都に住む", "東京 京都", "**東京都**に住む"),
        // Half-width katakana are found as NFKC reads them, and shown as written.
        ("ｶﾞｽ代", "ガス", "**ｶﾞｽ**代"),
        // Thai by pairs; "สว" ends before the vowel mark of ว, which the highlight takes in.
        ("สวัสดีครับ", "สว", "**สวั**สดีครับ"),
        ("ผมชอบกินข้าว", "กิน", "ผมชอบ**กิน**ข้าว"),
        // Emoji match emoji, with their skin tones and joined sequences.
        ("Loves 🍣 and 🍜", "🍣", "Loves **🍣** and 🍜"),
        ("ok 👍🏽 fine", "👍", "ok **👍🏽** fine"),
        ("a 👩‍💻 b", "💻", "a **👩‍💻** b"),
        // Words side by side are highlighted separately.
        (
            "we go hiking daily",
            "hike go",
            "we **go** **hiking** daily",
        ),
        // White space collapses and is trimmed.
        (
            "  Went\n\n  hiking\t\t today  \n",
            "hiking",
            "Went **hiking** today",
        ),
    ];

    /// The snippet, checked: a bold part, at most `max_chars` (at least 16) characters of
    /// the text; where the text has no `*` nor `…` to mistake for ours, exactly so, and the
    /// markers pair up around text.
    fn bounded_snippet(text: &str, phrases: &[QueryPhrase], max_chars: usize) -> Option<String> {
        let out = highlighted_snippet(text, phrases, max_chars)?;
        let max_chars = max_chars.max(MIN_SNIPPET_CHARS);
        let markers = out.matches("**").count();
        assert!(markers >= 2, "{out:?}");
        assert!(
            out.chars().count() <= max_chars + 2 + 2 * markers,
            "{out:?}"
        );
        if !text.contains(['*', '…']) {
            assert!(text_chars(&out) <= max_chars, "{out:?}");
            let parts: Vec<&str> = out.split("**").collect();
            assert!(parts.len() % 2 == 1, "{out:?}");
            assert!(
                parts.iter().skip(1).step_by(2).all(|p| !p.is_empty()),
                "{out:?}"
            );
        }
        Some(out)
    }

    #[test]
    fn matched_words_are_highlighted() {
        for &(text, query, want) in EXAMPLES {
            assert_eq!(
                snippet(text, query, SNIPPET_CHARS).as_deref(),
                Some(want),
                "{text:?} for {query:?}"
            );
        }
    }

    #[test]
    fn nothing_matched_is_none() {
        assert_eq!(snippet("Went hiking", "sushi", 160), None);
        assert_eq!(snippet("", "sushi", 160), None);
        assert_eq!(snippet("Went hiking", "", 160), None);
        assert_eq!(highlighted_snippet("Went hiking", &[], 160), None);
        let empty = QueryPhrase {
            terms: vec![String::new()],
            prefix: true,
        };
        assert_eq!(highlighted_snippet("Went hiking", &[empty], 160), None);
    }

    #[test]
    fn long_texts_are_cut_at_spaces_with_marks() {
        let before = "one two three four five six seven eight nine ten ".repeat(5);
        let after = " eleven twelve thirteen fourteen fifteen sixteen".repeat(5);
        let text = format!("{before}The user loves hiking in the mountains.{after}");
        let out = snippet(&text, "hiking", 60).expect("a match");
        assert!(out.starts_with('…') && out.ends_with('…'), "{out}");
        assert!(out.contains("**hiking**"), "{out}");
        assert!(text_chars(&out) <= 60, "{out}");
        // Whole words at both ends.
        let inner = out.trim_matches('…');
        for word in inner.split(' ') {
            let word = word.trim_matches('*').trim_end_matches('.');
            assert!(
                text.split(' ').any(|w| w.trim_end_matches('.') == word),
                "{word:?} of {out}"
            );
        }
    }

    #[test]
    fn the_window_with_most_phrases_wins() {
        let filler = "lorem ipsum dolor sit amet ".repeat(10);
        let text = format!("sushi first. {filler} then sushi and ramen together. {filler}");
        let out = snippet(&text, "sushi ramen", 40).expect("a match");
        assert!(out.contains("**sushi** and **ramen**"), "{out}");
        // Equal windows: the earliest.
        let text = format!("hiking early. {filler} hiking late.");
        let out = snippet(&text, "hiking", 20).expect("a match");
        assert!(out.starts_with("**hiking** early"), "{out}");
    }

    #[test]
    fn a_match_at_the_very_end() {
        let text = format!("{}and then hiking", "words before the match ".repeat(20));
        let out = snippet(&text, "hike", 40).expect("a match");
        assert!(out.starts_with('…'), "{out}");
        assert!(out.ends_with("**hiking**"), "{out}");
        assert!(text_chars(&out) <= 40, "{out}");
    }

    #[test]
    fn multi_byte_texts_are_cut_by_characters() {
        // 160 characters in all: no cut.
        let text = format!("{}渋谷{}", "あ".repeat(80), "い".repeat(78));
        assert_eq!(text.chars().count(), 160);
        let out = snippet(&text, "渋谷", 160).expect("a match");
        assert_eq!(
            out,
            format!("{}**渋谷**{}", "あ".repeat(80), "い".repeat(78))
        );
        // One more: cut at one end or the other, never more than 160 of the text.
        let text = format!("{text}う");
        let out = snippet(&text, "渋谷", 160).expect("a match");
        assert!(out.contains("**渋谷**"), "{out}");
        assert_eq!(text_chars(&out), 160, "{out}");
        assert!(out.starts_with('…') != out.ends_with('…'), "{out}");
        // Accented Latin in decomposed form: never a mark without its letter at a cut.
        let text = "e\u{301}".repeat(100) + " hiking " + &"e\u{301}".repeat(100);
        let out = snippet(&text, "hiking", 20).expect("a match");
        assert!(out.contains("**hiking**"), "{out}");
        assert!(!out.trim_start_matches('…').starts_with('\u{301}'), "{out}");
    }

    #[test]
    fn a_word_longer_than_the_snippet_is_cut() {
        let text = format!("hike{} rest", "x".repeat(100));
        let query = QueryPhrase {
            terms: vec![index_terms_of(&text)],
            prefix: false,
        };
        let out = highlighted_snippet(&text, &[query], 16).expect("a match");
        assert_eq!(out, format!("**hike{}**…", "x".repeat(12)));
    }

    fn index_terms_of(text: &str) -> String {
        super::super::index_terms(text)
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn max_chars_is_at_least_sixteen() {
        let text = "a long sentence about going hiking in the mountains every weekend";
        let out = snippet(text, "hiking", 0).expect("a match");
        assert!(out.contains("**hiking**"), "{out}");
        assert!(text_chars(&out) <= MIN_SNIPPET_CHARS, "{out}");
    }

    #[test]
    fn a_megabyte_is_read_in_linear_time() {
        let text = "lorem ipsum 渋谷 👍🏽 🇯🇵 hiking e\u{301} ".repeat(25_000);
        assert!(text.len() > 1_000_000);
        let out = snippet(&text, "hike 渋谷 👍 🇯", 160).expect("a match");
        assert!(out.contains("**hiking**"), "{out}");
        let flags = "🇯🇵".repeat(200_000);
        let out = snippet(&flags, "🇯", 160).expect("a match");
        assert!(text_chars(&out) <= 160);
        let marks = format!("a{}", "\u{301}".repeat(300_000));
        assert!(snippet(&marks, "a", 160).is_some());
    }

    proptest::proptest! {
        #[test]
        fn any_text_and_query_give_a_bounded_snippet(
            text in "\\PC{0,400}|[a-c *…\n]{0,100}",
            query in "\\PC{0,20}|[a-c]{1,3}",
            max_chars in 0usize..200,
        ) {
            bounded_snippet(&text, &query_phrases(&query), max_chars);
            // A line of the text as the query: always found.
            if let Some(line) = text.lines().next() {
                let phrases = query_phrases(line);
                let out = bounded_snippet(&text, &phrases, max_chars);
                proptest::prop_assert_eq!(out.is_some(), !phrases.is_empty());
            }
        }

        #[test]
        fn a_word_among_others_is_highlighted(
            before in proptest::collection::vec("\\PC{1,10}", 0..30),
            after in proptest::collection::vec("\\PC{1,10}", 0..30),
            max_chars in 16usize..200,
        ) {
            let hike = |word: &String| super::super::index_terms(word).split(' ').any(|t| t == "hike");
            proptest::prop_assume!(!before.iter().chain(&after).any(hike));
            let text = format!("{} hiking {}", before.join(" "), after.join(" "));
            let out = highlighted_snippet(&text, &query_phrases("hike"), max_chars);
            proptest::prop_assert!(
                out.as_deref().is_some_and(|out| out.contains("**hiking**")),
                "{out:?} of {text:?}"
            );
        }
    }
}
