//! What a post or announcement says of the user without the usual shape: the implicit first
//! person ("Just finished my first marathon!"), an announcement's opening ("I'm excited to
//! announce that I've accepted ..."), and a start date after the fact ("... at TechCorp
//! starting next month").
//!
//! Every function here works on a clause and its ASCII-lower-cased copy, whose byte offsets
//! match; cuts are made at offsets found in the lower-case copy at ASCII characters, so they
//! are character boundaries of both.

use crate::rules::lexicon::memories::{
    ACHIEVEMENT_VERBS, ANNOUNCING_FEELINGS, ANNOUNCING_VERBS, HAVE_DONE, NEWS_ADVERBS,
    PASSIVE_ACHIEVEMENTS, START_DATE_MARKERS, START_DATE_OPENERS,
};

/// A clause rewritten into the shape the first-person rules read, with its lower-case copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Normalized {
    /// The clause as the rules should read it.
    pub(super) text: String,
    /// `text` in ASCII lower case.
    pub(super) lower: String,
    /// Whether it states an achievement or a change ("I finished my first marathon"), whose
    /// figures ("in 4:12") are not a moment that makes it passing.
    pub(super) achievement: bool,
}

/// The clause with an announcement's opening dropped, an achievement put in the first person
/// ("Just finished ..." -> "I finished ...", "I've accepted ..." -> "I accepted ..."), and a
/// trailing start date cut off.
pub(super) fn normalize(text: &str, lower: &str) -> Normalized {
    let (mut text, mut lower) = (text, lower);
    let cut = announcement_len(lower);
    if cut > 0 {
        text = &text[cut..];
        lower = &lower[cut..];
    }
    let end = start_date_at(lower).unwrap_or(lower.len());
    let (text, lower) = (&text[..end], &lower[..end]);
    if let Some((verb, rest_at)) = passive_achievement(lower) {
        return Normalized {
            text: format!("I was {verb}{}", &text[rest_at..]),
            lower: format!("i was {verb}{}", &lower[rest_at..]),
            achievement: true,
        };
    }
    match achievement(lower) {
        Some((verb, rest_at)) => Normalized {
            text: format!("I {verb}{}", &text[rest_at..]),
            lower: format!("i {verb}{}", &lower[rest_at..]),
            achievement: true,
        },
        None => Normalized {
            text: text.to_owned(),
            lower: lower.to_owned(),
            achievement: false,
        },
    }
}

/// Whether a lower-case sentence opens with an achievement stated without a subject ("just
/// finished my first marathon"), so it may hold a memory though it never says "I".
pub(super) fn opens_with_achievement(lower: &str) -> bool {
    achievement(lower).is_some()
}

/// A change the user underwent, at the start of `lower` ("i've been promoted to", "i just got
/// hired as", "got engaged"): the participle and the byte offset after it.
fn passive_achievement(lower: &str) -> Option<(&'static str, usize)> {
    let mut rest = lower;
    for subject in ["i've ", "i have ", "i "] {
        if let Some(r) = rest.strip_prefix(subject) {
            rest = r;
            break;
        }
    }
    while let Some(r) = NEWS_ADVERBS
        .iter()
        .find_map(|a| rest.strip_prefix(a).and_then(|r| r.strip_prefix(' ')))
    {
        rest = r;
    }
    rest = ["been ", "got ", "was ", "just got "]
        .iter()
        .find_map(|b| rest.strip_prefix(b))?;
    let word_end = rest.find(' ').unwrap_or(rest.len());
    let word = &rest[..word_end];
    let participle = PASSIVE_ACHIEVEMENTS.iter().find(|p| **p == word)?;
    let after = &rest[word_end..];
    // "promoted to ...", "hired as ...", "elected to ...": the change says what it made the
    // user; "engaged" and "married" need nothing after them.
    let complete = matches!(*participle, "engaged" | "married")
        || after.starts_with(" to ")
        || after.starts_with(" as ")
        || after.starts_with(" by ")
        || after.starts_with(" into ");
    complete.then_some((*participle, lower.len() - rest.len() + word_end))
}

/// The byte length of an announcement's opening at the start of `lower` ("i'm so excited to
/// announce that "), or 0.
fn announcement_len(lower: &str) -> usize {
    // "Some news: ...", "Big news! ...", "Personal update - ...": a short heading of the news.
    for mark in [": ", "! ", " - "] {
        if let Some((head, after)) = lower.split_once(mark) {
            let head_words = head.split_whitespace().count();
            if (1..=3).contains(&head_words)
                && ["news", "update", "announcement"]
                    .iter()
                    .any(|n| head.ends_with(n))
            {
                return lower.len() - after.len() + announcement_len(after);
            }
        }
    }
    let mut rest = lower;
    for subject in ["i'm ", "i am ", "we're ", "we are "] {
        if let Some(r) = rest.strip_prefix(subject) {
            rest = r;
            break;
        }
    }
    for adverb in [
        "so ",
        "very ",
        "really ",
        "super ",
        "beyond ",
        "incredibly ",
    ] {
        if let Some(r) = rest.strip_prefix(adverb) {
            rest = r;
            break;
        }
    }
    let Some(r) = ANNOUNCING_FEELINGS
        .iter()
        .find_map(|f| rest.strip_prefix(f).and_then(|r| r.strip_prefix(" to ")))
    else {
        return 0;
    };
    let Some(r) = ANNOUNCING_VERBS.iter().find_map(|v| r.strip_prefix(v)) else {
        return 0;
    };
    let r = r.trim_start_matches([',', ':', ' ']);
    let r = r.strip_prefix("that ").unwrap_or(r);
    let r = r.trim_start_matches([',', ':', ' ']);
    lower.len() - r.len()
}

/// Where a trailing start date begins (" starting next month"), when the clause has one.
fn start_date_at(lower: &str) -> Option<usize> {
    START_DATE_MARKERS
        .iter()
        .filter_map(|marker| {
            let at = lower.find(marker)?;
            let after = &lower[at + marker.len()..];
            let first = after
                .split_whitespace()
                .next()?
                .trim_matches(|c: char| !c.is_alphanumeric());
            let dated = START_DATE_OPENERS.contains(&first)
                || first.chars().next().is_some_and(|c| c.is_ascii_digit());
            // A date is a few words; a longer tail is more of the sentence.
            (dated && after.split_whitespace().count() <= 5 && at > 0).then_some(at)
        })
        .min()
}

/// An achievement at the start of `lower`, with or without "I" ("just finished", "i've
/// accepted", "finally ran"): the verb in the simple past and the byte offset where the rest
/// of the clause (from the space after the verb) starts.
fn achievement(lower: &str) -> Option<(&'static str, usize)> {
    let mut rest = lower;
    let mut subject: Option<&str> = None;
    for s in ["i've ", "i have ", "i "] {
        if let Some(r) = rest.strip_prefix(s) {
            rest = r;
            subject = Some(s);
            break;
        }
    }
    let had_have = subject.is_some_and(|s| s != "i ");
    let mut skipped_adverb = false;
    while let Some(r) = NEWS_ADVERBS
        .iter()
        .find_map(|a| rest.strip_prefix(a).and_then(|r| r.strip_prefix(' ')))
    {
        rest = r;
        skipped_adverb = true;
    }
    let word_end = rest.find(' ')?;
    let word = &rest[..word_end];
    let (_, past) = ACHIEVEMENT_VERBS.iter().find(|(v, _)| *v == word)?;
    // "I won ..." and "I ran ..." need no help; the rules read them. Only a missing subject,
    // a news adverb or a have-form is rewritten.
    if !(subject.is_none() || skipped_adverb || had_have) {
        return None;
    }
    // "I've joined ..." is read as it is ("User has joined ...").
    if had_have && !skipped_adverb && HAVE_DONE.contains(&word) {
        return None;
    }
    // "run" alone is a present habit ("I run every day"); only "I've run" is the past.
    if word == "run" && !had_have {
        return None;
    }
    Some((past, lower.len() - rest.len() + word_end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        normalize(text, &text.to_ascii_lowercase()).text
    }

    #[test]
    fn announcements_lose_their_opening_and_start_date() {
        assert_eq!(
            norm(
                "I'm excited to announce that I've accepted a new position at Acme starting next month"
            ),
            "I accepted a new position at Acme"
        );
        assert_eq!(
            norm("Some news: I've been promoted to Engineering Manager at Brightline"),
            "I was promoted to Engineering Manager at Brightline"
        );
        assert_eq!(
            norm("So happy to share: I joined the board effective March 1"),
            "I joined the board"
        );
    }

    #[test]
    fn posts_without_a_subject_are_in_the_first_person() {
        assert_eq!(
            norm("Just finished my first marathon"),
            "I finished my first marathon"
        );
        assert_eq!(
            norm("Finally graduated from nursing school"),
            "I graduated from nursing school"
        );
        assert_eq!(norm("I've accepted an offer"), "I accepted an offer");
        assert_eq!(norm("I've just run a marathon"), "I ran a marathon");
        assert_eq!(norm("I've joined Lumen"), "I've joined Lumen");
        assert_eq!(
            norm("I've been promoted to Engineering Manager at Brightline"),
            "I was promoted to Engineering Manager at Brightline"
        );
        assert_eq!(norm("Just got engaged"), "I was engaged");
        assert_eq!(norm("I was hired"), "I was hired");
        assert!(opens_with_achievement("just finished my first marathon!"));
        assert!(!opens_with_achievement("finishing touches on the deck"));
        assert!(!opens_with_achievement("the race started late"));
    }

    #[test]
    fn other_clauses_are_left_alone() {
        assert_eq!(norm("I love jazz"), "I love jazz");
        assert_eq!(norm("I run every day"), "I run every day");
        assert_eq!(
            norm("I moved from Ohio in 2019"),
            "I moved from Ohio in 2019"
        );
        assert_eq!(norm("もう終わった"), "もう終わった");
    }
}
