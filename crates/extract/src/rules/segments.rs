//! Who said what: `Name: text` lines, email headers, and transcript segments.

use chrono::{DateTime, Utc};
use omi_model::TranscriptSegment;

use super::lexicon::segments::{
    HEADERS, NOT_SPEAKER_WORDS, NOT_SPEAKERS, SPEAKER_ROLES, USER_LABELS,
};
use super::lexicon::sentences::ABBREVIATIONS;
use super::words::fold_quotes;
use crate::TextKind;

/// One speaker's turn, or the whole text when it has no speakers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Turn {
    /// The label before the colon; `None` for unlabelled text.
    pub(crate) speaker: Option<String>,
    /// Whether the label names the user ("Me", "I", "User", "You" in a chat export).
    pub(crate) is_user: bool,
    /// What was said.
    pub(crate) text: String,
}

/// A text split into turns, with what its headers said.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Parsed {
    /// The turns, in order.
    pub(crate) turns: Vec<Turn>,
    /// An email's `Subject:`.
    pub(crate) subject: Option<String>,
    /// Whether the text is a labelled transcript (most lines start with a speaker).
    pub(crate) labelled: bool,
}

/// Split `text` into turns. Email headers at the top are read (the subject kept) and left out
/// of the body; `[10:32]`-style timestamps before a speaker are dropped.
pub(crate) fn parse(text: &str, kind: TextKind) -> Parsed {
    let text = fold_quotes(text);
    let mut lines: Vec<&str> = text.lines().map(str::trim).collect();
    let subject = take_headers(&mut lines, kind);
    let lines: Vec<&str> = lines
        .into_iter()
        .filter(|l| !l.is_empty() && !is_signature_noise(l))
        .flat_map(inline_turns)
        .collect();
    // A label said on two lines or more is a speaker even when it reads like a heading
    // ("Florence:", "Sterling:" in a chat): records do not repeat their headings.
    let labels: Vec<(Option<&str>, &str)> = lines
        .iter()
        .map(|l| split_label(strip_timestamp(l)))
        .collect();
    let repeated = |name: &str| labels.iter().filter(|(l, _)| *l == Some(name)).count() >= 2;
    let split: Vec<(Option<&str>, &str)> = lines
        .iter()
        .zip(&labels)
        .map(|(line, (label, rest))| match label {
            Some(name)
                if (looks_like_speaker(name) || (repeated(name) && !is_heading(name)))
                    && !(is_record(kind) && is_field_value(rest)) =>
            {
                (Some(*name), *rest)
            }
            _ => (None, strip_timestamp(line)),
        })
        .collect();
    let labelled_lines = split.iter().filter(|(s, _)| s.is_some()).count();
    // A post or note opening "Big news: ..." is not a transcript; a one-line chat message is.
    // A line labelled with the user ("Me:", "私:") is a turn in any kind of text.
    let user_labelled = split.iter().any(|(s, _)| s.is_some_and(is_user_label));
    let needed = match kind {
        TextKind::AudioTranscript | TextKind::Message => 1,
        TextKind::Email | TextKind::SocialPost | TextKind::Other if user_labelled => 1,
        TextKind::Email | TextKind::SocialPost | TextKind::Other => 2,
    };
    let labelled = labelled_lines >= needed && labelled_lines * 2 >= split.len();
    let turns = if labelled {
        let mut turns: Vec<Turn> = Vec::new();
        for (speaker, rest) in split {
            match (speaker, turns.last_mut()) {
                (Some(s), _) => turns.push(Turn {
                    is_user: is_user_label(s),
                    speaker: Some(s.to_owned()),
                    text: rest.to_owned(),
                }),
                // A line without a label continues the turn before it.
                (None, Some(last)) => {
                    last.text.push('\n');
                    last.text.push_str(rest);
                }
                (None, None) => turns.push(Turn {
                    speaker: None,
                    is_user: false,
                    text: rest.to_owned(),
                }),
            }
        }
        turns
    } else if lines.is_empty() {
        Vec::new()
    } else {
        vec![Turn {
            speaker: None,
            is_user: false,
            text: lines.join("\n"),
        }]
    };
    Parsed {
        turns,
        subject,
        labelled,
    }
}

/// A line holding several turns ("Me: I love hiking. Sarah: Remember to book the cabin.", as
/// a one-line request sends a chat) cut where a new speaker label follows a sentence end. Only
/// a line that opens with a label is cut, and only at a label that is the user's or one or two
/// capitalized words, so "Me: Great. Note the time: 7pm" stays whole.
fn inline_turns(line: &str) -> Vec<&str> {
    let (Some(_), first_text) = split_speaker(strip_timestamp(line)) else {
        return vec![line];
    };
    let mut out = Vec::new();
    let mut start = 0;
    // Not inside the opening label ("Dr. Patel: ...").
    let mut search = line.len() - first_text.len();
    let stops = ['.', '!', '?', '。', '！', '？'];
    while let Some(at) = line[search..].find(stops) {
        let stop_len = line[search + at..].chars().next().map_or(1, char::len_utf8);
        let end = search + at + stop_len;
        search = end;
        let after = &line[end..];
        if !after.starts_with(' ') && stop_len == 1 {
            continue;
        }
        let candidate = after.trim_start();
        // "... with Dr. Patel: ..." is no sentence end.
        let before = line[..end - stop_len]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if before.chars().count() <= 1 || ABBREVIATIONS.contains(&before.as_str()) {
            continue;
        }
        if let (Some(name), _) = split_speaker(candidate) {
            let words: Vec<&str> = name.split_whitespace().collect();
            // A capitalized name, or a short one in a script without case ("母").
            let named = words.len() <= 2
                && words.iter().all(|w| {
                    w.chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || !c.is_lowercase())
                })
                && !crate::rules::words::is_stopword(&name.to_lowercase());
            if is_user_label(name) || named {
                out.push(line[start..end].trim());
                start = line.len() - candidate.len();
            }
        }
    }
    out.push(line[start..].trim());
    out.retain(|l| !l.is_empty());
    out
}

/// Read email headers from the top of `lines` (removing them) and return the subject.
fn take_headers(lines: &mut Vec<&str>, kind: TextKind) -> Option<String> {
    let mut subject = None;
    let mut end = 0;
    let mut headers = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            if headers > 0 {
                end = i + 1;
                break;
            }
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if HEADERS.contains(&name.trim().to_ascii_lowercase().as_str()) => {
                headers += 1;
                end = i + 1;
                if name.trim().eq_ignore_ascii_case("subject") {
                    let value = strip_reply_prefixes(value.trim());
                    if !value.is_empty() {
                        subject = Some(value.to_owned());
                    }
                }
            }
            _ => break,
        }
    }
    // A single `To:` line in a note is not a header block; an email's always is.
    if headers >= 2 || subject.is_some() || (headers == 1 && kind == TextKind::Email) {
        lines.drain(..end);
        subject
    } else {
        None
    }
}

fn strip_reply_prefixes(mut s: &str) -> &str {
    loop {
        let lower = s.to_ascii_lowercase();
        let Some(prefix) = ["re:", "fwd:", "fw:"]
            .iter()
            .find(|p| lower.starts_with(*p))
        else {
            return s;
        };
        s = s[prefix.len()..].trim_start();
    }
}

fn is_signature_noise(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower.starts_with("sent from my ") || lower == "--" || lower.starts_with("get outlook for")
}

/// Drop a leading `[10:32]`, `(00:01:23)`, `10:32` or chat-export `12/03/2024, 10:32 - `.
fn strip_timestamp(line: &str) -> &str {
    let mut rest = line;
    if let Some(inner) = rest.strip_prefix(['[', '('])
        && let Some(close) = inner.find([']', ')'])
        && inner[..close]
            .chars()
            .all(|c| c.is_ascii_digit() || " :/.,-apmAPM".contains(c))
    {
        rest = inner[close + 1..].trim_start();
    }
    // "12/03/2024, 10:32 - Anna: hi"
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        if let Some(dash) = rest.find(" - ")
            && rest[..dash]
                .chars()
                .all(|c| c.is_ascii_digit() || " :/.,apmAPM".contains(c))
        {
            return rest[dash + 3..].trim_start();
        }
        let end = rest.find(' ').unwrap_or(rest.len());
        let token = &rest[..end];
        if token.contains(':')
            && token.chars().all(|c| c.is_ascii_digit() || c == ':')
            && end < rest.len()
        {
            rest = rest[end..].trim_start();
        }
    }
    rest
}

/// `("Anna", "hi")` for `"Anna: hi"` (or the full-width `"Anna：hi"`); `(None, line)` when
/// the line has no speaker label. Only a label that looks like a speaker counts
/// ([`looks_like_speaker`]): "Upcoming: cleaning on the 28th" is text.
pub(crate) fn split_speaker(line: &str) -> (Option<&str>, &str) {
    match split_label(line) {
        (Some(name), rest) if looks_like_speaker(name) => (Some(name), rest),
        _ => (None, line),
    }
}

/// `("Anna", "hi")` for `"Anna: hi"` when the label has a speaker label's form (short,
/// capitalized, no header name), whether or not it looks like a speaker.
fn split_label(line: &str) -> (Option<&str>, &str) {
    let Some((name, rest)) = line.split_once([':', '：']) else {
        return (None, line);
    };
    let name = name.trim();
    let rest = rest.trim();
    let lower = name.to_lowercase();
    let first = name.chars().next();
    // A script without case ("母", "田中さん") writes a name in a few characters.
    let caseless =
        first.is_some_and(|c| c.is_alphabetic() && !c.is_uppercase() && !c.is_lowercase());
    let is_label = !name.is_empty()
        && !rest.is_empty()
        && name.chars().count() <= if caseless { 8 } else { 40 }
        && name.split_whitespace().count() <= 4
        && first.is_some_and(char::is_alphabetic)
        && (first.is_some_and(|c| c.is_uppercase()) || caseless || is_user_label(name))
        && !name.ends_with(['.', ','])
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || " ._-'".contains(c))
        && !HEADERS.contains(&lower.as_str())
        && !NOT_SPEAKERS.contains(&lower.as_str())
        && !rest.starts_with("//");
    if is_label {
        (Some(name), rest)
    } else {
        (None, line)
    }
}

/// Whether a label before a colon names someone who speaks: the user, an anonymous speaker
/// ("Speaker 1"), a role ("Mom", "Doctor", "Host") or a name ("Anna", "Dr. Patel"). A
/// heading of a record is not: a word of a form or calendar ("Upcoming", "Next appointment",
/// "Dosage"), a possessive ("Dr. Alvarez's office"), or a single word made from a verb or an
/// abstract noun ("Pending", "Confirmation", "Payment") that is no role. A label a text
/// repeats is a speaker all the same (see [`parse`]).
pub(crate) fn looks_like_speaker(name: &str) -> bool {
    if is_user_label(name) || crate::rules::is_anonymous(name) {
        return true;
    }
    let lower = name.to_lowercase();
    if lower.contains("'s") {
        return false;
    }
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.iter().any(|w| SPEAKER_ROLES.contains(w)) {
        return true;
    }
    if is_heading(name) {
        return false;
    }
    match words.as_slice() {
        [one] => {
            let n = one.chars().count();
            // Not "-ence" or "-ity": Florence and Felicity are names.
            let derived = ["ing", "tion", "sion", "ment", "ness"]
                .iter()
                .any(|suffix| one.ends_with(suffix));
            !(n >= 6 && derived)
        }
        _ => true,
    }
}

/// Whether a label is a heading of a record by its words: a possessive ("Dr. Alvarez's
/// office") or a word of forms and calendars ("Upcoming", "Dose"), even when repeated.
fn is_heading(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.contains("'s")
        || lower
            .split_whitespace()
            .any(|w| NOT_SPEAKER_WORDS.contains(&w) && !SPEAKER_ROLES.contains(&w))
}

/// Whether a kind of text is written rather than spoken or chatted: a note, an email or a post.
fn is_record(kind: TextKind) -> bool {
    matches!(
        kind,
        TextKind::Email | TextKind::SocialPost | TextKind::Other
    )
}

/// Whether what follows a label is a record's value, not something said: it opens with a
/// number or a month ("Tetanus: 2019", "COVID booster: September 2024", "Flu shot: October
/// 15, 2024 at Walgreens").
fn is_field_value(rest: &str) -> bool {
    let first = rest.split_whitespace().next().unwrap_or_default();
    let word = first
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    first.starts_with(|c: char| c.is_ascii_digit())
        || crate::rules::lexicon::when::MONTHS
            .iter()
            .any(|(m, _)| *m == word && *m != "may")
}

/// Whether a speaker label names the user.
pub(crate) fn is_user_label(speaker: &str) -> bool {
    USER_LABELS.contains(&speaker.to_lowercase().as_str())
}

/// Transcript segments of the turns, their start and end seconds spread over
/// `started_at..finished_at` in proportion to their words.
pub(crate) fn transcript_segments(
    turns: &[Turn],
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
) -> Vec<TranscriptSegment> {
    let total_words: usize = turns
        .iter()
        .map(|t| t.text.split_whitespace().count())
        .sum();
    let seconds = (finished_at - started_at).num_milliseconds().max(0) as f64 / 1000.0;
    let share = |w: usize| seconds * w as f64 / total_words.max(1) as f64;
    let mut elapsed = 0usize;
    turns
        .iter()
        .map(|turn| {
            let words = turn.text.split_whitespace().count();
            let segment = TranscriptSegment {
                text: turn.text.split_whitespace().collect::<Vec<_>>().join(" "),
                speaker: turn
                    .speaker
                    .clone()
                    .unwrap_or_else(|| TranscriptSegment::DEFAULT_SPEAKER.to_owned()),
                speaker_id: None,
                is_user: turn.is_user,
                person_id: None,
                start: share(elapsed),
                end: share(elapsed + words),
                extra: serde_json::Map::new(),
            };
            elapsed += words;
            segment
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speaker_lines_become_turns() {
        let p = parse(
            "Mom: Don't forget the milk\nMe: Will do.\nand the bread",
            TextKind::AudioTranscript,
        );
        assert!(p.labelled);
        assert_eq!(p.turns.len(), 2);
        assert_eq!(p.turns[0].speaker.as_deref(), Some("Mom"));
        assert!(!p.turns[0].is_user);
        assert!(p.turns[1].is_user);
        assert_eq!(p.turns[1].text, "Will do.\nand the bread");
    }

    #[test]
    fn speaker_labels_inside_a_line_start_a_new_turn() {
        let p = parse(
            "Me: I love hiking. Sarah: Remember to book the cabin.",
            TextKind::Message,
        );
        let turns: Vec<(Option<&str>, &str)> = p
            .turns
            .iter()
            .map(|t| (t.speaker.as_deref(), t.text.as_str()))
            .collect();
        assert_eq!(
            turns,
            [
                (Some("Me"), "I love hiking."),
                (Some("Sarah"), "Remember to book the cabin.")
            ]
        );
        let p = parse(
            "Me: Great. Note the time: 7pm. Bring wine",
            TextKind::Message,
        );
        assert_eq!(p.turns.len(), 1);
        let p = parse(
            "Anna: Okay! Me: 日本語でも大丈夫。 Anna: 🎉 yes",
            TextKind::Message,
        );
        assert_eq!(p.turns.len(), 3);
    }

    #[test]
    fn email_headers_give_the_subject_and_leave_the_body() {
        let p = parse(
            "From: Anna <anna@example.com>\nTo: me\nSubject: Re: Dinner on Friday\n\nHi! Are we still on?",
            TextKind::Email,
        );
        assert_eq!(p.subject.as_deref(), Some("Dinner on Friday"));
        assert!(!p.labelled);
        assert_eq!(p.turns[0].text, "Hi! Are we still on?");
    }

    #[test]
    fn timestamps_before_speakers_are_dropped() {
        assert_eq!(
            split_speaker(strip_timestamp("[10:32] Anna: hi")),
            (Some("Anna"), "hi")
        );
        assert_eq!(
            split_speaker(strip_timestamp("12/03/2024, 10:32 - Anna: hi")),
            (Some("Anna"), "hi")
        );
    }

    #[test]
    fn labels_that_are_not_speakers_are_text() {
        assert_eq!(split_speaker("Note to self: call Bob").0, None);
        assert_eq!(split_speaker("Time: 7pm").0, None);
        assert_eq!(split_speaker("see https://example.com").0, None);
    }

    #[test]
    fn a_records_values_are_no_speech() {
        let note = "Vaccination record\nTetanus: 2019\nCOVID booster: September 2024\nI'm allergic to eggs.";
        assert!(
            parse(note, TextKind::Other)
                .turns
                .iter()
                .all(|t| t.speaker.is_none())
        );
        let chat = parse("Anna: 7pm?\nMe: 8 works", TextKind::Message);
        assert_eq!(chat.turns[0].speaker.as_deref(), Some("Anna"));
    }

    #[test]
    fn upcoming_at_the_start_of_a_line_is_no_speaker_label() {
        let p = parse(
            "Bright Smiles Dental - Patient portal\nDr. Alvarez's office: (415) 555-0199\n\
             Upcoming: cleaning and x-rays on August 28th at 9:00 AM.\n\
             Please arrive 10 minutes early.",
            TextKind::Other,
        );
        assert!(!p.labelled);
        assert!(p.turns.iter().all(|t| t.speaker.is_none()));
        for heading in [
            "Upcoming",
            "Next appointment",
            "Dosage",
            "Pending",
            "Confirmation",
            "Dr. Alvarez's office",
        ] {
            assert_eq!(
                split_speaker(&format!("{heading}: 9am")).0,
                None,
                "{heading}"
            );
        }
        for speaker in [
            "Anna",
            "Dr. Patel",
            "Host",
            "Speaker 1",
            "Mom",
            "Sarah Chen",
            "私",
            "母",
        ] {
            assert_eq!(
                split_speaker(&format!("{speaker}: hello")).0,
                Some(speaker),
                "{speaker}"
            );
        }
    }

    #[test]
    fn a_name_that_reads_like_a_heading_is_a_speaker_when_it_comes_back() {
        let p = parse(
            "Sterling: are you coming?\nMe: yes\nSterling: great",
            TextKind::Message,
        );
        assert_eq!(p.turns.len(), 3);
        assert_eq!(p.turns[0].speaker.as_deref(), Some("Sterling"));
        assert_eq!(split_speaker("Florence: hi").0, Some("Florence"));
        assert_eq!(split_speaker("Felicity: hi").0, Some("Felicity"));
        let p = parse("Dose: 10mg\nDose: 5mg\nTaken with food", TextKind::Other);
        assert!(!p.labelled);
    }

    #[test]
    fn first_person_labels_of_other_languages_are_the_user() {
        let p = parse(
            "母：牛乳を買ってきてね。\n私：わかった。",
            TextKind::Message,
        );
        assert_eq!(p.turns.len(), 2);
        assert!(p.turns[1].is_user);
        let p = parse("私: 今日は山に登りました。", TextKind::Other);
        assert!(p.labelled && p.turns[0].is_user);
    }

    #[test]
    fn segments_are_spread_over_the_duration_by_words() {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        let p = parse("A: one two\nMe: three four", TextKind::Message);
        let segs = transcript_segments(&p.turns, start, start + chrono::Duration::seconds(60));
        assert_eq!((segs[0].start, segs[0].end), (0.0, 30.0));
        assert_eq!((segs[1].start, segs[1].end), (30.0, 60.0));
        assert!(segs[1].is_user);
    }
}
