//! Making inputs: seeds changed by random edits, and now and then text from nothing.
//!
//! Without coverage feedback (that needs a nightly compiler), what finds bugs is what the
//! edits insert: each kind of input has a dictionary of pieces the code reacts to (speaker
//! labels, English suffixes, huge numbers, impossible dates, JSON field names, query
//! parameters) and a set of characters that have broken text code before (multi-byte
//! letters, combining marks, joiners, bidirectional controls, astral emoji, letters whose
//! lower case has another length).

use rand::Rng;
use rand::rngs::StdRng;

use crate::targets::InputKind;

/// Characters that break code which treats bytes as characters or assumes one lower-case
/// form of the same length.
pub const TRICKY_CHARS: &[char] = &[
    'も',
    '日',
    '本',
    '한',
    'é',
    'ß',
    'ẞ',
    'İ',
    'ı',
    'K',
    'Å',
    'Σ',
    'ς',
    'ǅ',
    'ﬁ',
    'ŉ',
    '\u{0301}',
    '\u{0308}',
    '\u{20DD}',
    '\u{200D}',
    '\u{200B}',
    '\u{200C}',
    '\u{200E}',
    '\u{200F}',
    '\u{202E}',
    '\u{2066}',
    '\u{FEFF}',
    '\u{00A0}',
    '\u{2028}',
    '\u{3000}',
    '\u{0}',
    '😀',
    '👩',
    '🏽',
    '🇯',
    '🇵',
    '𝔘',
    '𐍈',
    '\u{10FFFF}',
    'ا',
    'ש',
    'अ',
    'ि',
    '्',
    'ก',
    '่',
    '\'',
    '\u{2019}',
    '.',
    '!',
    '?',
    ':',
    '-',
    '/',
    ' ',
    '\n',
    '\t',
    '\r',
    '0',
    '9',
    '@',
    '"',
    '(',
    ')',
    '[',
    ']',
    '•',
    '☐',
    '✓',
    '…',
];

/// Pieces of text the extractor's rules react to.
const TEXT_TOKENS: &[&str] = &[
    "Me: ",
    "Sam: ",
    "Speaker 1: ",
    "[10:32] ",
    "12/03/2024, 10:32 - Anna: ",
    "\n",
    "\n\n",
    ". ",
    "? ",
    "I love ",
    "I like ",
    "I'm ",
    "I am ",
    "I've been ",
    "I've got ",
    "We have ",
    "My sister ",
    "My wife and I love ",
    " is my ",
    "User likes ",
    "ing",
    "ed",
    "ies",
    "'s",
    "s'",
    "sses",
    "もing",
    " in ",
    " days",
    " weeks",
    " months",
    " years",
    "100000000",
    "9223372036854775807",
    "99999999999999999999",
    "-1",
    "0",
    " at ",
    "pm",
    "am",
    "25pm",
    "99:99",
    "7:30",
    "March ",
    "32nd",
    "February 30",
    "99/99/9999",
    "2/30/2024",
    "999999999",
    "+99999-01-01",
    "tomorrow",
    "the day after tomorrow",
    "next week",
    "this weekend",
    "Friday",
    "Fridays",
    " for ",
    " hours",
    " minutes",
    "from 3 to ",
    "the ",
    "th of ",
    "Subject: Re: ",
    "From: ",
    "[ ] ",
    "[x] ",
    "- ",
    "1. ",
    "To do:\n",
    ", and I ",
    "; ",
    " but ",
    " so i ",
    "Don't forget to ",
    "Can you ",
    "Remember to ",
    "I need to ",
    "by Friday",
    " myself",
    " too",
    "Mr. ",
    "p.m. ",
];

/// Pieces of JSON request bodies.
const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1e999",
    "-1e308",
    "18446744073709551616",
    "-9223372036854775809",
    "0.0000001",
    "\"text\":",
    "\"memories\":",
    "\"content\":",
    "\"tags\":",
    "\"category\":",
    "\"visibility\":",
    "\"started_at\":",
    "\"finished_at\":",
    "\"language\":",
    "\"geolocation\":",
    "\"latitude\":",
    "\"longitude\":",
    "\"text_source\":",
    "\"transcript_segments\":",
    "\"segments\":",
    "\"description\":",
    "\"completed\":",
    "\"due_at\":",
    "\"2024-03-10T15:00:00Z\"",
    "\"9999-12-31T23:59:59-23:59\"",
    "\"0000-01-01T00:00:00+23:59\"",
    "\"2024-02-30T25:61:61Z\"",
    "\"+99999-01-01T00:00:00Z\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"\\u00e9\"",
    "\"audio_transcript\"",
    "\"interesting\"",
    "\"private\"",
    "\"\"",
    "\" \"",
];

/// Pieces of query strings.
const QUERY_TOKENS: &[&str] = &[
    "&",
    "=",
    "%",
    "%FF",
    "%00",
    "%2B",
    "+",
    "limit=",
    "offset=",
    "include_discarded=",
    "statuses=",
    "start_date=",
    "end_date=",
    "categories=",
    "include_transcript=",
    "completed=",
    "conversation_id=",
    "true",
    "False",
    "completed,processing",
    "2024-03-10",
    "+99999-01-01",
    "2024-03-10T15:00:00%2B02:00",
    "9999-12-31T23:59:59-23:59",
    "9223372036854775808",
    "-9223372036854775809",
    "1000",
    "1001",
    "0",
    "-1",
];

/// Seeds every run starts from, besides the saved inputs and the fixture texts.
pub const TEXT_SEEDS: &[&str] = &[
    "User likes もing",
    "Me: see you in 100000000 days.",
    "Me: I love hiking in the Alps. I'm vegetarian. My sister Anna lives in Berlin.",
    "Sam: Don't forget to pick up milk on the way home.\nMe: Sure. Dinner with Anna this \
     Friday at 7pm, right?",
    "Lunch next week? Tuesday at noon works. Party on March 32nd at 25pm.",
    "Subject: Re: Flight 2024-04-01 at 06:45\nFrom: a@b.c\n\nSee you on 99/99/9999.",
    "To do:\n- [ ] call the plumber\n- [x] book a table for 2 hours",
    "My wife and I love sailing, and I work at Acme; I've got two kids.",
];

/// Seeds of JSON bodies.
pub const JSON_SEEDS: &[&str] = &[
    r#"{"text": "Me: I love jazz.", "started_at": "2024-03-10T15:00:00Z", "language": "en"}"#,
    r#"{"memories": [{"content": "User likes tea", "tags": ["a"]}], "text": "x"}"#,
    r#"{"content": "User likes もing", "category": "interesting", "visibility": "private"}"#,
    r#"{"memories": [{"content": "a"}, {"content": "b", "category": "system"}]}"#,
    r#"{"transcript_segments": [{"text": "hi", "speaker": "SPEAKER_00", "is_user": true, "start": 0, "end": 1}]}"#,
    r#"{"description": "Call the plumber", "completed": false, "due_at": "2024-03-10T15:00:00Z"}"#,
    r#"{"geolocation": {"latitude": 90, "longitude": -180}, "text": "t"}"#,
];

/// Seeds of query strings.
pub const QUERY_SEEDS: &[&str] = &[
    "limit=10&offset=0",
    "statuses=completed,processing&include_discarded=true",
    "start_date=2024-03-10&end_date=2024-03-10T15:00:00%2B02:00",
    "categories=interesting,system&limit=1000",
    "completed=true&conversation_id=abc",
];

/// The dictionary of `kind`.
fn tokens(kind: InputKind) -> &'static [&'static str] {
    match kind {
        InputKind::Text => TEXT_TOKENS,
        InputKind::Json => JSON_TOKENS,
        InputKind::Query => QUERY_TOKENS,
    }
}

/// A character: now and then any at all, mostly a tricky one or a letter.
fn any_char(rng: &mut StdRng) -> char {
    match rng.random_range(0..10) {
        0..=3 => TRICKY_CHARS[rng.random_range(0..TRICKY_CHARS.len())],
        4..=5 => rng.random::<char>(),
        6 => char::from_u32(rng.random_range(0x3040..0x3100)).unwrap_or('も'),
        _ => char::from(rng.random_range(b'a'..=b'z')),
    }
}

/// A text of up to `max` characters made from nothing.
fn fresh(rng: &mut StdRng, kind: InputKind, max: usize) -> Vec<u8> {
    let mut out = String::new();
    let len = rng.random_range(0..=max);
    while out.chars().count() < len {
        if rng.random_bool(0.3) {
            out.push_str(tokens(kind)[rng.random_range(0..tokens(kind).len())]);
        } else {
            out.push(any_char(rng));
        }
    }
    out.into_bytes()
}

/// A random character boundary of `s` (0 and `s.len()` included).
fn boundary(rng: &mut StdRng, s: &str) -> usize {
    let n = s.chars().count();
    let k = rng.random_range(0..=n);
    s.char_indices().nth(k).map_or(s.len(), |(i, _)| i)
}

/// An input made from `seeds`: one of them changed by a few random edits, or (one time in
/// twenty) a new text. Edits of a text keep it valid UTF-8; edits of JSON and query strings
/// sometimes work on bytes.
pub fn generate(rng: &mut StdRng, kind: InputKind, seeds: &[Vec<u8>]) -> Vec<u8> {
    if seeds.is_empty() || rng.random_range(0..20) == 0 {
        return fresh(rng, kind, 300);
    }
    let mut input = seeds[rng.random_range(0..seeds.len())].clone();
    let edits = 1 + rng.random_range(0..8);
    for _ in 0..edits {
        if kind != InputKind::Text && rng.random_range(0..4) == 0 {
            edit_bytes(rng, &mut input);
        } else {
            let other = &seeds[rng.random_range(0..seeds.len())];
            input = edit_text(rng, kind, &String::from_utf8_lossy(&input), other).into_bytes();
        }
    }
    // Keep inputs small enough to run fast; a long input is a seed's job.
    const MAX_BYTES: usize = 64 * 1024;
    if input.len() > MAX_BYTES {
        // Cut before a character, not inside one (a UTF-8 continuation byte is 0b10xxxxxx).
        let mut end = MAX_BYTES;
        while end > 0 && input[end] & 0xc0 == 0x80 {
            end -= 1;
        }
        input.truncate(end);
    }
    input
}

/// One edit of a text, at character boundaries.
fn edit_text(rng: &mut StdRng, kind: InputKind, s: &str, other: &[u8]) -> String {
    let at = boundary(rng, s);
    let (head, tail) = s.split_at(at);
    match rng.random_range(0..8) {
        // Insert a dictionary piece.
        0..=2 => {
            let token = tokens(kind)[rng.random_range(0..tokens(kind).len())];
            format!("{head}{token}{tail}")
        }
        // Insert a few characters.
        3 => {
            let chars: String = (0..rng.random_range(1..4)).map(|_| any_char(rng)).collect();
            format!("{head}{chars}{tail}")
        }
        // Delete a run of characters.
        4 => {
            let end = boundary(rng, tail);
            format!("{head}{}", &tail[end..])
        }
        // Repeat a run of characters, up to a few hundred times.
        5 => {
            let end = boundary(rng, tail).min(64 * 4);
            let end = (0..=end)
                .rev()
                .find(|i| tail.is_char_boundary(*i))
                .unwrap_or(0);
            let run = &tail[..end];
            let times = rng.random_range(1..=300);
            format!("{head}{}{tail}", run.repeat(times))
        }
        // Splice in a piece of another seed.
        6 => {
            let other = String::from_utf8_lossy(other);
            let from = boundary(rng, &other);
            let rest = &other[from..];
            let to = boundary(rng, rest);
            format!("{head}{}{tail}", &rest[..to])
        }
        // Replace one character.
        _ => {
            let mut chars = tail.chars();
            chars.next();
            format!("{head}{}{}", any_char(rng), chars.as_str())
        }
    }
}

/// One edit of raw bytes: flip, insert, delete or set one byte to an edge value.
fn edit_bytes(rng: &mut StdRng, input: &mut Vec<u8>) {
    let at = rng.random_range(0..=input.len());
    match rng.random_range(0..4) {
        0 if at < input.len() => input[at] ^= 1 << rng.random_range(0..8),
        1 => input.insert(at, rng.random()),
        2 if at < input.len() => {
            input.remove(at);
        }
        _ => {
            let edge = [0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xed, 0xf4, 0xff];
            input.insert(at, edge[rng.random_range(0..edge.len())]);
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn edits_of_a_text_keep_it_valid_utf8() {
        let mut rng = StdRng::seed_from_u64(7);
        let seeds: Vec<Vec<u8>> = TEXT_SEEDS.iter().map(|s| s.as_bytes().to_vec()).collect();
        for _ in 0..2_000 {
            let input = generate(&mut rng, InputKind::Text, &seeds);
            assert!(std::str::from_utf8(&input).is_ok());
        }
    }

    #[test]
    fn the_same_seed_makes_the_same_inputs() {
        let seeds: Vec<Vec<u8>> = JSON_SEEDS.iter().map(|s| s.as_bytes().to_vec()).collect();
        let run = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..50)
                .map(|_| generate(&mut rng, InputKind::Json, &seeds))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }
}
