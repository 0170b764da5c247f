//! Sentences: where one ends, who said it, and whether it is an item of a list.

use unicode_segmentation::UnicodeSegmentation;

use super::lexicon::sentences::ABBREVIATIONS;
use super::segments::Turn;

/// How a line was marked as a list item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bullet {
    /// `- `, `* `, `• `, `1. `, `1) `.
    Plain,
    /// `[ ]`, `- [ ]`, `☐`.
    Open,
    /// `[x]`, `- [x]`, `☑`, `✓`.
    Done,
}

/// One sentence of a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sentence {
    /// The sentence, white space collapsed.
    pub(crate) text: String,
    /// `text` in ASCII lower case (byte offsets match `text`).
    pub(crate) lower: String,
    /// The turn it belongs to.
    pub(crate) turn: usize,
    /// Whether the user said or wrote it.
    pub(crate) by_user: bool,
    /// The list marker of its line, when it opens a list item.
    pub(crate) bullet: Option<Bullet>,
    /// The heading of the list it is in ("To do"), lower case, when a line ending in `:`
    /// came before it.
    pub(crate) heading: Option<String>,
}

impl Sentence {
    /// Whether it asks something.
    pub(crate) fn is_question(&self) -> bool {
        self.text.ends_with('?')
    }

    /// How many words it has.
    pub(crate) fn word_count(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

/// Split the turns into sentences. `user_turn` says whether a turn's sentences are the user's.
pub(crate) fn split(turns: &[Turn], user_turn: impl Fn(&Turn) -> bool) -> Vec<Sentence> {
    let mut out = Vec::new();
    for (index, turn) in turns.iter().enumerate() {
        let by_user = user_turn(turn);
        let mut heading: Option<String> = None;
        for raw_line in turn.text.lines() {
            let line = raw_line.trim();
            if line.is_empty() {
                heading = None;
                continue;
            }
            let (bullet, body) = strip_bullet(line);
            if bullet.is_none() && body.ends_with(':') && body.split_whitespace().count() <= 6 {
                heading = Some(body.trim_end_matches(':').trim().to_ascii_lowercase());
                continue;
            }
            if bullet.is_none() && heading.is_some() && body.split_whitespace().count() > 12 {
                heading = None;
            }
            let mut first = true;
            for text in split_line(body) {
                let lower = text.to_ascii_lowercase();
                out.push(Sentence {
                    text,
                    lower,
                    turn: index,
                    by_user,
                    bullet: if first { bullet } else { None },
                    heading: heading.clone(),
                });
                first = false;
            }
        }
    }
    out
}

/// The list marker of a line, and the line without it.
fn strip_bullet(line: &str) -> (Option<Bullet>, &str) {
    let mut rest = line;
    let mut bullet = None;
    for marker in ["- ", "* ", "• ", "– ", "+ "] {
        if let Some(r) = rest.strip_prefix(marker) {
            rest = r.trim_start();
            bullet = Some(Bullet::Plain);
            break;
        }
    }
    if bullet.is_none() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if (1..=2).contains(&digits) {
            let after = &rest[digits..];
            if let Some(r) = after
                .strip_prefix(". ")
                .or_else(|| after.strip_prefix(") "))
            {
                rest = r.trim_start();
                bullet = Some(Bullet::Plain);
            }
        }
    }
    for (marker, kind) in [
        ("[ ]", Bullet::Open),
        ("[]", Bullet::Open),
        ("☐", Bullet::Open),
        ("[x]", Bullet::Done),
        ("[X]", Bullet::Done),
        ("☑", Bullet::Done),
        ("✓", Bullet::Done),
        ("✔", Bullet::Done),
    ] {
        if let Some(r) = rest.strip_prefix(marker) {
            rest = r.trim_start();
            bullet = Some(kind);
            break;
        }
    }
    (bullet, rest)
}

/// Split one line into sentences at `.`, `!`, `?` (and runs of them) followed by a space or
/// the end, except after an abbreviation or an initial.
fn split_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b'.' | b'!' | b'?') {
            let mut end = i + 1;
            while end < bytes.len() && matches!(bytes[end], b'.' | b'!' | b'?' | b'"' | b')') {
                end += 1;
            }
            let at_break = end == bytes.len() || bytes[end] == b' ';
            if at_break && !(b == b'.' && is_abbreviation(&line[start..i], line, end)) {
                push(&mut out, &line[start..end]);
                start = end;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    push(&mut out, &line[start..]);
    out
}

/// Whether the period closing `before` belongs to an abbreviation or initial.
fn is_abbreviation(before: &str, line: &str, after: usize) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if word.len() == 1 && word.chars().all(|c| c.is_alphabetic()) {
        return true;
    }
    if ABBREVIATIONS.contains(&word.as_str()) {
        // "at 7 p.m. Bring wine" ends a sentence; "at 7 p.m. tomorrow" does not.
        if word == "a.m" || word == "p.m" {
            let next = line[after..].trim_start().chars().next();
            return !next.is_some_and(char::is_uppercase);
        }
        // "No. 5" is a number; "No. I drive an old car" is an answer and a new sentence.
        if word == "no" {
            let next = line[after..].trim_start().chars().next();
            return next.is_some_and(|c| c.is_ascii_digit() || c == '#');
        }
        return true;
    }
    false
}

/// Push the sentence `s`, white space collapsed. A sentence holding a full stop of another
/// script ("。", "！", "？", "।", "؟"), which needs no space after it, is cut further at the
/// sentence boundaries of Unicode's rules (UAX #29, by `unicode-segmentation`).
fn push(out: &mut Vec<String>, s: &str) {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !s.chars().any(char::is_alphanumeric) {
        return;
    }
    if s.is_ascii() || !s.contains(['。', '！', '？', '｡', '।', '؟', '።']) {
        out.push(s);
        return;
    }
    for part in s.split_sentence_bounds() {
        let part = part.trim();
        if part.chars().any(char::is_alphanumeric) {
            out.push(part.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(text: &str) -> Turn {
        Turn {
            speaker: None,
            is_user: false,
            text: text.to_owned(),
        }
    }

    #[track_caller]
    fn check(text: &str, expected: &[&str]) {
        let got: Vec<String> = split(&[turn(text)], |_| true)
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn sentences_end_at_stops_but_not_at_abbreviations_or_decimals() {
        check(
            "I saw Dr. Patel today. It cost 3.50 dollars! Really?? Yes.",
            &[
                "I saw Dr. Patel today.",
                "It cost 3.50 dollars!",
                "Really??",
                "Yes.",
            ],
        );
        check(
            "Dinner at 7 p.m. tomorrow. Bring wine.",
            &["Dinner at 7 p.m. tomorrow.", "Bring wine."],
        );
        check(
            "No. I drive an old car. Platform No. 5 is closed.",
            &["No.", "I drive an old car.", "Platform No. 5 is closed."],
        );
    }

    #[test]
    fn sentences_of_other_scripts_end_at_their_own_stops() {
        check(
            "今日は山に登りました。とても楽しかった！また行きたい？ I went too.",
            &[
                "今日は山に登りました。",
                "とても楽しかった！",
                "また行きたい？",
                "I went too.",
            ],
        );
    }

    #[test]
    fn lines_are_sentences_and_list_items_keep_their_heading() {
        let s = split(
            &[turn("To do:\n- [ ] call the plumber\n- [x] buy milk")],
            |_| true,
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "call the plumber");
        assert_eq!(s[0].bullet, Some(Bullet::Open));
        assert_eq!(s[1].bullet, Some(Bullet::Done));
        assert_eq!(s[1].heading.as_deref(), Some("to do"));
    }
}
