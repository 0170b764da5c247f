//! No text a user sends stops the server (issue 14): every entry point of the offline
//! extractor, over arbitrary Unicode and over sentences shaped to reach its rules, never
//! panics, and what it returns stays within its bounds.
//!
//! - Generated texts: any `char` (all planes), and words from many scripts with combining
//!   marks, zero-width joiners, bidirectional marks, astral emoji and characters whose lower
//!   case is longer or shorter than they are (`İ`, `K`); put into the sentences the rules read
//!   ("I love {word}{suffix}", "see you in {huge number} {unit}", "March 32nd", "at 25pm",
//!   "99/99/9999"...), as transcripts, messages, emails, posts and notes.
//! - Entry points: conversation processing for every [`TextKind`], memory extraction from
//!   text, `categorize_memory`, `content_words`, `indexed_words`, `similarity`,
//!   `is_near_duplicate` and `content_key`.
//! - Bounds: memory contents are valid `MemoryContent` (1..=500 characters, not blank);
//!   events start in the years 1..=9999 and last from 1 minute to a week; titles are at most
//!   60 characters; transcript segments run forward inside the conversation.
//!
//! Each input found to break a rule is kept as a named test below (and under
//! `fuzz/regressions/`, which `cargo xtask fuzz` replays). Case counts keep the file to a few
//! seconds; `cargo xtask fuzz` runs the same entry points for longer.

use chrono::{DateTime, Duration, Utc};
use omi_extract::identity::{content_key, is_near_duplicate};
use omi_extract::{
    ConversationExtraction, ConversationInput, ExtractedMemory, RulesExtractor, TextInput, TextKind,
};
use omi_fuzz::checks;
use omi_fuzz::mutate::TRICKY_CHARS;
use omi_fuzz::targets::KINDS;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// `cases` cases, or `PROPTEST_CASES` when set (to hunt longer).
fn config(cases: u32) -> ProptestConfig {
    let defaults = ProptestConfig::default();
    let cases = match std::env::var_os("PROPTEST_CASES") {
        Some(_) => defaults.cases,
        None => cases,
    };
    ProptestConfig {
        cases,
        // Shrinking a text of a few hundred characters is quick; keep it bounded anyway.
        max_shrink_iters: 2_000,
        ..defaults
    }
}

// ---- checks ----------------------------------------------------------------------------------

fn start() -> DateTime<Utc> {
    omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").expect("a valid time")
}

/// Process `text` as a conversation of `kind` started at `started_at` and check every bound.
#[track_caller]
fn process(text: &str, kind: TextKind, started_at: DateTime<Utc>) -> ConversationExtraction {
    let known = vec![
        "User likes もing".to_owned(),
        text.chars().take(80).collect(),
    ];
    let out = RulesExtractor.extract(&ConversationInput {
        text,
        kind,
        started_at,
        finished_at: started_at + Duration::minutes(3),
        known_memories: &known,
    });
    checks::conversation(&out, text, 180.0);
    out
}

/// Extract memories from `text` as an import of `kind` and check them.
#[track_caller]
fn import(text: &str, kind: TextKind) -> Vec<ExtractedMemory> {
    let found = RulesExtractor.extract_memories(&TextInput {
        text,
        kind,
        known_memories: &[],
    });
    checks::memories(&found, text);
    found
}

// ---- strategies ------------------------------------------------------------------------------

fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => select(TRICKY_CHARS),
        2 => any::<char>(),
        1 => proptest::char::range('\u{3040}', '\u{30FF}'),
        1 => proptest::char::range('\u{0300}', '\u{036F}'),
        1 => proptest::char::range('\u{1F300}', '\u{1FAFF}'),
        2 => proptest::char::range('a', 'z'),
    ]
}

/// A word of any script, now and then an English one.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => vec(tricky_char(), 1..8).prop_map(|c| c.into_iter().collect::<String>()),
        1 => select(&[
            "hiking", "tea", "jazz", "Anna", "Berlin", "running", "cities", "classes", "も",
            "もも", "日本語", "İstanbul", "KELVIN", "straße", "café", "naïve", "👩‍👩‍👧", "🇯🇵",
            "e\u{0301}", "שלום", "नमस्ते", "ไทย", "\u{202E}olleh", "a\u{200D}b",
        ][..])
        .prop_map(str::to_owned),
    ]
}

fn suffix() -> impl Strategy<Value = &'static str> {
    select(
        &[
            "", "ing", "ed", "s", "es", "ies", "'s", "s'", "sses", "ches", "e", "ings", "’s",
        ][..],
    )
}

/// A number as a sentence may write it, biased to the edges of every integer type.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (0u32..40).prop_map(|n| n.to_string()),
        select(
            &[
                "0",
                "00",
                "100000000",
                "999999999",
                "2147483647",
                "2147483648",
                "4294967296",
                "9223372036854775807",
                "9223372036854775808",
                "99999999999999999999999",
                "-1",
                "+5",
                "a",
                "an",
                "a couple",
                "few",
            ][..]
        )
        .prop_map(str::to_owned),
    ]
}

fn month() -> impl Strategy<Value = &'static str> {
    select(&["January", "feb", "March", "may", "Sept", "december", "Dec"][..])
}

/// A sentence shaped to reach a rule: a fact about the user, a plan with a date or a time
/// (real, impossible or absurd), a task, or a word of any script.
fn sentence() -> impl Strategy<Value = String> {
    prop_oneof![
        (word(), suffix()).prop_map(|(w, s)| format!("I love {w}{s}.")),
        (word(), suffix()).prop_map(|(w, s)| format!("User likes {w}{s}")),
        (word(), suffix(), word()).prop_map(|(w, s, v)| format!("I'm {w}{s} and I work at {v}.")),
        (word(), word()).prop_map(|(rel, name)| format!("My {rel} {name} lives in {name}.")),
        (word(), word()).prop_map(|(name, rel)| format!("{name} is my {rel}.")),
        (word(), number()).prop_map(|(w, n)| format!("I've been playing {w} for {n} years.")),
        (
            number(),
            select(&["days", "day", "weeks", "week", "months", "years", "hours"][..])
        )
            .prop_map(|(n, u)| format!("See you in {n} {u}.")),
        (
            number(),
            select(&["hours", "minutes", "hrs", "h", "mins"][..])
        )
            .prop_map(|(n, u)| format!("Dinner tomorrow at 7pm for {n} {u}.")),
        (
            month(),
            number(),
            select(&["", "st", "nd", "rd", "th"][..]),
            number()
        )
            .prop_map(|(m, d, o, y)| format!("Party on {m} {d}{o}, {y} at 8pm.")),
        (number(), month()).prop_map(|(d, m)| format!("Lunch on the {d}th of {m}.")),
        (number(), number(), number()).prop_map(|(m, d, y)| format!("Meeting on {m}/{d}/{y}.")),
        (number(), number(), number()).prop_map(|(y, m, d)| format!("Flight {y}-{m}-{d} at 06:45")),
        (number(), number()).prop_map(|(h, m)| format!("Call at {h}:{m} on Friday.")),
        (number(), select(&["pm", "am", " pm", "p.m", ""][..]))
            .prop_map(|(h, p)| format!("Game at {h}{p} next weekend")),
        (number(), number()).prop_map(|(a, b)| format!("Workshop from {a} to {b}pm tonight.")),
        (number(), number()).prop_map(|(a, b)| format!("Standup {a}-{b} on Mondays")),
        (word(), word()).prop_map(|(w, v)| format!("Don't forget to pick up {w} and {v}.")),
        (word(), word()).prop_map(|(w, v)| format!("Can you call {w} by Friday? Remember to {v}.")),
        (word(), word()).prop_map(|(w, v)| format!("{w} asked me to {v} {w}")),
        (word(), number())
            .prop_map(|(w, n)| format!("Just finished my first {w}! {n} miles in {n} hours.")),
        (word(), word()).prop_map(|(w, v)| format!(
            "I'm so excited to announce that I've accepted a {w} as {v} at {w} starting {v}!"
        )),
        (word(), word()).prop_map(|(w, v)| format!(
            "Dr. {w}'s contact information: {v}. Next appointment with Dr. {v}"
        )),
        (word(), word()).prop_map(|(w, v)| format!("Maybe some {w} too if {v}")),
        (word(), word()).prop_map(|(w, v)| format!("And {w} {v} as well.")),
        (word(), word()).prop_map(|(w, v)| format!(
            "Okay, note to self. Pick up {w}, call {v}, and make sure {w} {v}."
        )),
        (word(), word()).prop_map(|(w, v)| format!(
            "Have you seen The {w} {v}? I love it. Spent the day at the {v} {w}. I volunteer there."
        )),
        vec(word(), 1..6).prop_map(|w| w.join(" ")),
        Just("Lunch next week? Tuesday at noon works.".to_owned()),
        Just("the day after tomorrow at 25pm, then at 99:99 on February 30".to_owned()),
        Just("Me: see you in 100000000 days.".to_owned()),
    ]
}

/// How a line of a text starts: a speaker, a time stamp, a bullet, an email header.
fn line_start() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        3 => Just("Me: ".to_owned()),
        2 => word().prop_map(|w| format!("{w}: ")),
        1 => select(&[
            "Sam: ", "Speaker 1: ", "SPEAKER_00: ", "[10:32] Me: ", "(00:01:23) Anna: ",
            "12/03/2024, 10:32 - Anna: ", "10:32 Me: ", "- ", "* ", "1. ", "12) ", "- [ ] ",
            "[x] ", "☐ ", "✓ ", "Subject: Re: ", "From: ", "To: ", "Fwd: ", "> ",
        ][..])
        .prop_map(str::to_owned),
    ]
}

fn line() -> impl Strategy<Value = String> {
    (line_start(), vec(sentence(), 1..4)).prop_map(|(start, s)| format!("{start}{}", s.join(" ")))
}

/// A text of a few lines, each shaped like the rules expect or not.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => vec(line(), 1..6).prop_map(|l| l.join("\n")),
        1 => vec(line(), 1..4).prop_map(|l| l.join("\n\n")),
        2 => any::<String>(),
        2 => vec(tricky_char(), 0..200).prop_map(|c| c.into_iter().collect()),
    ]
}

/// A start time anywhere the wire allows, the calendar's ends included.
fn started_at() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        3 => Just(start()),
        2 => (-62_135_596_800i64..=253_402_300_799)
            .prop_map(|s| DateTime::from_timestamp(s, 0).expect("in range")),
        1 => select(&[
            "0001-01-01T00:00:00Z",
            "0001-01-01T23:59:59Z",
            "9999-12-31T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "9999-12-27T12:00:00Z",
        ][..])
        .prop_map(|t| omi_model::timestamp::parse_datetime(t).expect("a valid time")),
    ]
}

// ---- properties ------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(160))]

    #[test]
    fn no_text_of_any_kind_breaks_conversation_processing(
        text in text(),
        kind in select(&KINDS[..]),
        started_at in started_at(),
    ) {
        process(&text, kind, started_at);
    }

    #[test]
    fn no_text_of_any_kind_breaks_memory_extraction(text in text(), kind in select(&KINDS[..])) {
        import(&text, kind);
    }

    #[test]
    fn no_content_breaks_the_memory_comparisons(a in text(), b in text()) {
        checks::memory_functions(&a, &b);
        checks::memory_functions(&b, &a);
    }

    #[test]
    fn a_fact_in_any_script_is_extracted_safely(w in word(), s in suffix(), kind in select(&KINDS[..])) {
        let text = format!("Me: I love {w}{s}. I'm {w}{s}. My sister {w} lives in {w}{s}.");
        process(&text, kind, start());
        import(&text, kind);
        checks::memory_functions(&format!("User likes {w}{s}"), &format!("User loves {w}"));
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Long inputs: many lines, long words, long runs of one character.
    #[test]
    fn long_texts_stay_within_bounds(
        lines in vec(line(), 20..60),
        run in tricky_char(),
        n in 0usize..3000,
        kind in select(&KINDS[..]),
    ) {
        let mut text = lines.join("\n");
        text.push_str("\nMe: I love ");
        text.extend(std::iter::repeat_n(run, n));
        process(&text, kind, start());
        import(&text, kind);
    }
}

// ---- regressions: each input that once broke a rule ------------------------------------------

fn message(text: &str) -> ConversationExtraction {
    process(text, TextKind::Message, start())
}

#[test]
fn a_japanese_suffix_does_not_split_a_character() {
    // Issue 14: "もing" lost "ing", and the doubled-letter rule cut "も" between two bytes.
    checks::memory_functions("User likes もing", "User likes もing");
    for kind in KINDS {
        process("Me: User likes もing. I love もing.", kind, start());
        import("User likes もing", kind);
    }
}

#[test]
fn a_relative_date_past_the_calendar_is_not_a_date() {
    // Issue 14: "in 100000000 days" overflowed chrono's date arithmetic.
    assert!(
        message("Me: see you in 100000000 days.")
            .processed
            .events
            .is_empty()
    );
    for text in [
        "Me: dinner in 9223372036854775807 weeks at 7pm",
        "Me: dinner in 3000000 days at 7pm",
    ] {
        // The time stands; the day is the conversation's own.
        let events = message(text).processed.events;
        assert_eq!(events[0].start, start() + Duration::hours(4), "{text}");
    }
}

#[test]
fn punctuation_after_a_space_is_not_part_of_the_content_key() {
    // content_key("tea .") was "tea " (the space before the dropped "." stayed), which is
    // not the key of "tea", nor its own key.
    assert_eq!(content_key("User likes tea ."), "user likes tea");
    assert_eq!(content_key("i\u{2028}."), "i");
    assert_eq!(content_key("User likes tea ! ?"), "user likes tea");
    assert!(is_near_duplicate("User likes tea .", "user likes tea"));
}

#[test]
fn an_absurd_duration_is_not_a_duration() {
    let out = message("Me: dinner tomorrow at 7pm for 9223372036854775807 hours");
    assert_eq!(out.processed.events[0].duration, 120);
}

#[test]
fn a_relative_date_at_the_end_of_the_calendar_is_not_a_date() {
    let last = omi_model::timestamp::parse_datetime("9999-12-31T23:59:00Z").expect("a time");
    for text in [
        "Me: dinner tomorrow at 7pm",
        "Me: dinner next week",
        "Me: lunch next friday at noon",
        "Me: party this weekend at 8pm",
        "Me: dinner at 7pm",
        "Me: dinner tonight",
    ] {
        process(text, TextKind::Message, last);
    }
}
