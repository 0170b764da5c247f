//! The bounds every output of text processing must keep, checked the same way by the fuzz
//! targets and by the property tests (`fuzz/tests/properties.rs`). Each check panics, naming
//! the input, when a bound is broken.

use chrono::Datelike;
use omi_extract::identity::{
    content_key, content_words, indexed_words, is_near_duplicate, min_shared_words, similarity,
};
use omi_extract::{ConversationExtraction, ExtractedMemory, categorize_memory};
use omi_model::MemoryContent;

/// The longest an event may last, in minutes: a week.
pub const MAX_EVENT_MINUTES: i64 = 7 * 24 * 60;
/// The longest a title may be, in characters.
pub const MAX_TITLE_CHARS: usize = 60;

/// What processing made of `text`, a conversation lasting `seconds`: a short title, events
/// inside the calendar lasting a minute to a week (and surviving the wire), action items
/// with a description, transcript segments running forward inside the conversation, and
/// valid memories.
#[track_caller]
pub fn conversation(out: &ConversationExtraction, text: &str, seconds: f64) {
    memories(&out.memories, text);
    let p = &out.processed;
    assert!(
        p.title.chars().count() <= MAX_TITLE_CHARS,
        "title {:?} of {text:?}",
        p.title
    );
    for event in &p.events {
        assert!(
            (1..=9999).contains(&event.start.year()),
            "event {event:?} of {text:?}"
        );
        assert!(
            (1..=MAX_EVENT_MINUTES).contains(&event.duration),
            "event {event:?} of {text:?}"
        );
        assert!(
            !event.title.trim().is_empty(),
            "event {event:?} of {text:?}"
        );
        let json = serde_json::to_string(event).expect("an event serializes");
        let back: omi_model::Event = serde_json::from_str(&json).expect("an event reads back");
        assert_eq!(&back, event);
    }
    for item in &p.action_items {
        assert!(
            !item.description.trim().is_empty(),
            "action item {item:?} of {text:?}"
        );
    }
    let mut last_end = 0.0;
    for segment in &p.transcript_segments {
        assert!(
            segment.start >= last_end - 1e-9
                && segment.end >= segment.start
                && segment.end <= seconds + 1e-9,
            "segment {segment:?} of {text:?}"
        );
        last_end = segment.end;
    }
}

/// Memories found in `text`: each a valid memory content (1..=500 characters, not blank),
/// without surrounding space.
#[track_caller]
pub fn memories(found: &[ExtractedMemory], text: &str) {
    for m in found {
        assert!(
            m.content.parse::<MemoryContent>().is_ok(),
            "memory {:?} of {text:?} is not a valid memory content",
            m.content
        );
        assert_eq!(m.content, m.content.trim(), "memory of {text:?}");
    }
}

/// Every function that reads a memory's content, on `a` (and `b` to compare with): sorted,
/// non-empty content words; indexed words a subset of them, as many as a near-duplicate must
/// share; a symmetric similarity in 0..=1; an idempotent content key.
#[track_caller]
pub fn memory_functions(a: &str, b: &str) {
    let _ = categorize_memory(a);
    let words = content_words(a);
    assert!(words.windows(2).all(|w| w[0] < w[1]), "{words:?} of {a:?}");
    assert!(words.iter().all(|w| !w.is_empty()), "{words:?} of {a:?}");
    let indexed = indexed_words(&words);
    assert!(indexed.iter().all(|w| words.contains(w)), "{a:?}");
    if !words.is_empty() {
        assert_eq!(
            indexed.len() + min_shared_words(words.len()),
            words.len() + 1,
            "{a:?}"
        );
    }
    let s = similarity(a, b);
    assert!(
        (0.0..=1.0).contains(&s),
        "similarity {s} of {a:?} and {b:?}"
    );
    assert_eq!(s, similarity(b, a), "similarity is symmetric");
    assert_eq!(is_near_duplicate(a, b), is_near_duplicate(b, a));
    let key = content_key(a);
    assert_eq!(content_key(&key), key, "content_key is idempotent on {a:?}");
}

/// The search analysis of `text` and of `query`: terms without spaces and at most
/// `MAX_TERM_CHARS` long, at most `MAX_QUERY_PHRASES` phrases, none empty; and when `query`
/// is a line of `text`, each phrase of it stands in the text's terms (side by side, in order),
/// so the text has a highlighted snippet for the query: with a bold word, at most
/// `SNIPPET_CHARS` characters of the text besides its markers and cut marks.
#[track_caller]
pub fn search_functions(text: &str, query: &str) {
    use omi_extract::search::{
        MAX_QUERY_PHRASES, MAX_TERM_CHARS, SNIPPET_CHARS, highlighted_snippet, index_terms,
        query_phrases,
    };
    let indexed = index_terms(text);
    let terms: Vec<&str> = indexed.split(' ').filter(|t| !t.is_empty()).collect();
    for term in &terms {
        assert!(
            term.chars().count() <= MAX_TERM_CHARS,
            "{term:?} of {text:?}"
        );
    }
    let phrases = query_phrases(query);
    assert!(phrases.len() <= MAX_QUERY_PHRASES, "{query:?}");
    for phrase in &phrases {
        assert!(!phrase.terms.is_empty(), "{query:?}");
        let Some((last, head)) = phrase.terms.split_last() else {
            continue;
        };
        let found = terms.windows(phrase.terms.len()).any(|w| {
            w[..head.len()]
                .iter()
                .zip(head)
                .all(|(a, b)| *a == b.as_str())
                && if phrase.prefix {
                    w[head.len()].starts_with(last.as_str())
                } else {
                    w[head.len()] == last.as_str()
                }
        });
        assert!(
            found,
            "{phrase:?} of line {query:?} not in the terms of {text:?}"
        );
    }
    let snippet = highlighted_snippet(text, &phrases, SNIPPET_CHARS);
    assert_eq!(
        snippet.is_some(),
        !phrases.is_empty(),
        "snippet {snippet:?} of {text:?} for {query:?}"
    );
    if let Some(snippet) = snippet {
        // Each `**` the snippet adds is counted among these (the text's own stars too).
        let markers = snippet.matches("**").count();
        assert!(markers >= 2, "no bold in {snippet:?} of {text:?}");
        assert!(
            snippet.chars().count() <= SNIPPET_CHARS + 2 + 2 * markers,
            "{snippet:?} of {text:?} is too long"
        );
    }
}
