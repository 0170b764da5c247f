//! What a text is about: its content words, and an extractive overview of 2-3 sentences.

use std::collections::HashMap;

use super::words::{is_stopword, stem, words};
use super::{Doc, truncate_words};

/// How often each content word (by stem) occurs, with the form it was first written in.
#[derive(Debug, Default)]
pub(crate) struct Keywords {
    counts: HashMap<String, (usize, String, usize)>,
    bigrams: HashMap<(String, String), (usize, String, usize)>,
}

impl Keywords {
    /// Count the content words of `doc`'s sentences.
    pub(crate) fn count(doc: &Doc) -> Self {
        let mut k = Self::default();
        let mut order = 0usize;
        for s in &doc.sentences {
            let mut prev: Option<(String, &str)> = None;
            for w in words(&s.text) {
                order += 1;
                let lower = w.to_lowercase();
                if !is_content(&lower) {
                    prev = None;
                    continue;
                }
                let st = stem(&lower);
                let display = display_form(w, &lower);
                let entry = k
                    .counts
                    .entry(st.clone())
                    .or_insert_with(|| (0, display.clone(), order));
                entry.0 += 1;
                if let Some((p, pw)) = prev.take() {
                    let b = k
                        .bigrams
                        .entry((p, st.clone()))
                        .or_insert_with(|| (0, format!("{pw} {display}"), order));
                    b.0 += 1;
                }
                prev = Some((st, w));
            }
        }
        k
    }

    /// The weight of a stem: how often it occurs.
    pub(crate) fn weight(&self, stem: &str) -> usize {
        self.counts.get(stem).map_or(0, |c| c.0)
    }

    /// The `n` most frequent words (ties: the first written), in their written form, with
    /// counts. Bigrams that recur come first and hide their words.
    pub(crate) fn top(&self, n: usize) -> Vec<(String, usize)> {
        let mut bigrams: Vec<&(usize, String, usize)> =
            self.bigrams.values().filter(|b| b.0 >= 2).collect();
        bigrams.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
        let mut out: Vec<(String, usize)> = Vec::new();
        let mut used: Vec<String> = Vec::new();
        for b in bigrams.into_iter().take(1) {
            out.push((b.1.clone(), b.0));
            used.extend(b.1.split(' ').map(|w| stem(&w.to_lowercase())));
        }
        let mut words: Vec<(&String, &(usize, String, usize))> = self.counts.iter().collect();
        words.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.2.cmp(&b.1.2)));
        for (st, (count, display, _)) in words {
            if out.len() >= n {
                break;
            }
            if !used.contains(st) {
                out.push((display.clone(), *count));
            }
        }
        out
    }
}

/// Whether a lower-case word can carry a topic.
fn is_content(lower: &str) -> bool {
    lower.chars().count() >= 3
        && !is_stopword(lower)
        && lower.chars().any(char::is_alphabetic)
        && !lower.chars().all(|c| c.is_ascii_digit() || c == '-')
}

/// Names keep their capital; other words are lower case.
fn display_form(word: &str, lower: &str) -> String {
    let capitalized = word.chars().next().is_some_and(char::is_uppercase)
        && word.chars().skip(1).any(char::is_lowercase);
    let all_caps = word.len() >= 2 && word.chars().all(|c| c.is_uppercase() || c.is_ascii_digit());
    if capitalized || all_caps {
        word.to_owned()
    } else {
        lower.to_owned()
    }
}

/// A 2-3 sentence extractive overview: the sentences whose content words recur most in the
/// text, in the order they were said, each at most 200 characters.
pub(crate) fn overview(doc: &Doc, keywords: &Keywords) -> String {
    let candidates: Vec<(usize, f64)> = doc
        .sentences
        .iter()
        .enumerate()
        .filter(|(_, s)| (4..=60).contains(&s.word_count()))
        .map(|(i, s)| {
            let mut seen: Vec<String> = Vec::new();
            let mut score = 0.0;
            for w in words(&s.text) {
                let lower = w.to_lowercase();
                if !is_content(&lower) {
                    continue;
                }
                let st = stem(&lower);
                if !seen.contains(&st) {
                    score += (1.0 + keywords.weight(&st) as f64).ln();
                    seen.push(st);
                }
            }
            let length = (s.word_count() as f64).sqrt();
            let mut score = score / length;
            if i < 3 {
                score *= 1.2;
            }
            if s.is_question() {
                score *= 0.7;
            }
            (i, score)
        })
        .collect();
    let want = match candidates.len() {
        0 => 0,
        1..=5 => 2,
        _ => 3,
    };
    let mut best = candidates;
    best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<usize> = best.iter().take(want).map(|(i, _)| *i).collect();
    chosen.sort_unstable();
    if chosen.is_empty() {
        chosen = (0..doc.sentences.len().min(2)).collect();
    }
    let parts: Vec<String> = chosen
        .into_iter()
        .map(|i| truncate_words(&doc.sentences[i].text, 200))
        .collect();
    join_sentences(&parts)
}

/// Marks that end a sentence, in the scripts that have their own ("。", "।", "؟"...).
const SENTENCE_ENDS: &[char] = &[
    '.', '!', '?', '…', '。', '！', '？', '｡', '।', '॥', '؟', '۔', '።', '။', '։', '჻',
];

/// Sentences joined as their script writes them: each ends with a full stop (the script's
/// own, "。" after Chinese or Japanese, "." otherwise) unless it already ends a sentence, and
/// sentences are separated by a space except after a full-width mark ("。", "！", "？"), after
/// which Chinese and Japanese put none.
pub(crate) fn join_sentences(parts: &[String]) -> String {
    let mut out = String::new();
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() && !out.ends_with(['。', '！', '？', '｡']) {
            out.push(' ');
        }
        out.push_str(part);
        if !part.ends_with(SENTENCE_ENDS) {
            let wide = part.chars().last().is_some_and(is_wide_script);
            out.push(if wide { '。' } else { '.' });
        }
    }
    out
}

/// Whether `c` is of a script that ends sentences with "。" (Han, kana, and their marks).
fn is_wide_script(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}' // hiragana, katakana
        | '\u{3400}'..='\u{4dbf}' // Han extension A
        | '\u{4e00}'..='\u{9fff}' // Han
        | '\u{f900}'..='\u{faff}' // Han compatibility
        | '\u{ff66}'..='\u{ff9f}' // half-width katakana
        | '\u{3000}'..='\u{303f}' // CJK punctuation
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextKind;

    fn doc(text: &str) -> Doc {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        Doc::new(text, TextKind::Other, start)
    }

    #[test]
    fn the_overview_takes_the_sentences_about_the_main_topic_in_order() {
        let d = doc(
            "Hi all. The garden is doing great this year. The tomatoes in the garden are huge. \
             My neighbour's cat sat on the fence. We should share the garden tomatoes with the \
             neighbours. The weather was odd. See you.",
        );
        let k = Keywords::count(&d);
        let o = overview(&d, &k);
        assert!(o.contains("tomatoes"), "{o}");
        assert!(!o.contains("weather"), "{o}");
        assert!(!o.contains("See you"), "{o}");
    }

    #[test]
    fn a_japanese_overview_has_no_speaker_labels_and_joins_sentences_with_the_japanese_full_stop() {
        for text in [
            "母: 帰りに牛乳を買ってきてね。\n私: わかった。6時ごろ帰るよ。\n母: パンもお願い。全粒粉のがあれば。",
            "母：帰りに牛乳を買ってきてね。\n私：わかった。6時ごろ帰るよ。\n母：パンもお願い。全粒粉のがあれば。",
            "母: 帰りに牛乳を買ってきてね。私: わかった。6時ごろ帰るよ。母: パンもお願い。",
            "私: 今日は友達と一緒に高尾山に登りました。とても楽しかったです。来週の土曜日にまた行く予定です。",
        ] {
            let d = doc(text);
            let o = overview(&d, &Keywords::count(&d));
            assert!(!o.is_empty(), "{text}");
            assert!(!o.contains(':') && !o.contains('：'), "{o}");
            assert!(!o.contains("。."), "{o}");
            assert!(!o.contains("。 "), "{o}");
        }
    }

    #[test]
    fn sentences_are_joined_per_script() {
        let parts = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            join_sentences(&parts(&["わかった。", "6時ごろ帰るよ", "Ok"])),
            "わかった。6時ごろ帰るよ。Ok."
        );
        assert_eq!(
            join_sentences(&parts(&["I love hiking", "Book the cabin!"])),
            "I love hiking. Book the cabin!"
        );
        assert_eq!(
            join_sentences(&parts(&["क्या आप आएंगे?", "मैं घर पर हूँ।"])),
            "क्या आप आएंगे? मैं घर पर हूँ।"
        );
    }

    #[test]
    fn recurring_pairs_of_words_are_top_keywords() {
        let d = doc("The budget review is Monday. Bring the budget review notes. Budget again.");
        assert_eq!(Keywords::count(&d).top(2)[0].0, "budget review");
    }
}
