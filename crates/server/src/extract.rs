//! Processing: what a conversation or an imported text becomes.
//!
//! The worker calls an [`Extractor`]; [`SimpleExtractor`] is a small deterministic one that
//! makes the pipeline real end to end with no model and no network (a title, an overview,
//! transcript segments from `Speaker: text` lines, action items from requests, memories from
//! first-person statements).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::{
    ConversationCategory, ConversationTextSource, MemoryCategory, StructuredActionItem,
    TranscriptSegment,
};

use crate::store::ProcessedConversation;

/// The input of conversation processing.
#[derive(Debug, Clone)]
pub struct ConversationInput<'a> {
    /// The conversation's text.
    pub text: &'a str,
    /// What kind of text it is.
    pub text_source: ConversationTextSource,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
}

/// A memory found by extraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractedMemory {
    /// The fact, phrased about the user ("User likes tea").
    pub content: String,
    /// Its category.
    pub category: MemoryCategory,
}

/// What processing made of a conversation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConversationExtraction {
    /// Title, overview, segments, action items, events.
    pub processed: ProcessedConversation,
    /// Memories about the user.
    pub memories: Vec<ExtractedMemory>,
}

/// Why extraction failed (the job is retried, then marked failed with this reason).
#[derive(Debug, Clone, thiserror::Error)]
#[error("extraction failed: {0}")]
pub struct ExtractError(pub String);

/// Turns texts into structure and memories.
#[async_trait]
pub trait Extractor: Send + Sync + 'static {
    /// Process a conversation.
    async fn conversation(
        &self,
        input: &ConversationInput<'_>,
    ) -> Result<ConversationExtraction, ExtractError>;

    /// Extract memories from an imported text.
    async fn memories(&self, text: &str) -> Result<Vec<ExtractedMemory>, ExtractError>;
}

/// The deterministic offline extractor.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimpleExtractor;

#[async_trait]
impl Extractor for SimpleExtractor {
    async fn conversation(
        &self,
        input: &ConversationInput<'_>,
    ) -> Result<ConversationExtraction, ExtractError> {
        let segments = transcript_segments(input);
        let sentences: Vec<String> = segments.iter().flat_map(|s| sentences(&s.text)).collect();
        let body = sentences.join(" ");
        let user_lines: Vec<&str> = segments
            .iter()
            .filter(|s| s.is_user || segments.len() == 1)
            .map(|s| s.text.as_str())
            .collect();
        let memories = first_person_memories(&user_lines.join(" "));
        let processed = ProcessedConversation {
            title: title(&sentences),
            overview: sentences
                .iter()
                .take(2)
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
            emoji: omi_model::Structured::DEFAULT_EMOJI.to_owned(),
            category: ConversationCategory::Other,
            action_items: action_items(&sentences),
            events: Vec::new(),
            discarded: body.split_whitespace().count() < 2,
            transcript_segments: segments,
        };
        Ok(ConversationExtraction {
            processed,
            memories,
        })
    }

    async fn memories(&self, text: &str) -> Result<Vec<ExtractedMemory>, ExtractError> {
        Ok(first_person_memories(text))
    }
}

/// The category of a memory created without one: `interesting` for notable achievements and
/// experiences, `system` for everything else (preferences, work, relationships).
pub fn categorize_memory(content: &str) -> MemoryCategory {
    const NOTABLE: &[&str] = &[
        "climbed",
        "won ",
        "ran a",
        "marathon",
        "traveled",
        "travelled",
        "visited",
        "built",
        "founded",
        "published",
        "award",
        "record",
        "fluent",
        "speaks",
    ];
    let lower = content.to_lowercase();
    if NOTABLE.iter().any(|w| lower.contains(w)) {
        MemoryCategory::Interesting
    } else {
        MemoryCategory::System
    }
}

/// `Name: text` lines become segments; other text is one segment of an unknown speaker.
/// Start and end seconds are spread over the conversation in proportion to words.
fn transcript_segments(input: &ConversationInput<'_>) -> Vec<TranscriptSegment> {
    let lines: Vec<(Option<&str>, &str)> = input
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(split_speaker)
        .collect();
    let labelled = lines.iter().filter(|(s, _)| s.is_some()).count();
    let pieces: Vec<(String, String)> = if labelled * 2 >= lines.len() && labelled > 0 {
        lines
            .iter()
            .map(|(s, t)| {
                let speaker = s.unwrap_or(TranscriptSegment::DEFAULT_SPEAKER);
                (speaker.to_owned(), (*t).to_owned())
            })
            .collect()
    } else {
        vec![(
            TranscriptSegment::DEFAULT_SPEAKER.to_owned(),
            input.text.trim().to_owned(),
        )]
    };
    let total_words: usize = pieces
        .iter()
        .map(|(_, t)| t.split_whitespace().count())
        .sum();
    let seconds = (input.finished_at - input.started_at)
        .num_milliseconds()
        .max(0) as f64
        / 1000.0;
    let mut elapsed = 0usize;
    pieces
        .into_iter()
        .map(|(speaker, text)| {
            let words = text.split_whitespace().count();
            let share = |w: usize| seconds * w as f64 / total_words.max(1) as f64;
            let segment = TranscriptSegment {
                is_user: is_user_label(&speaker),
                speaker,
                speaker_id: None,
                person_id: None,
                start: share(elapsed),
                end: share(elapsed + words),
                text,
                extra: serde_json::Map::new(),
            };
            elapsed += words;
            segment
        })
        .collect()
}

fn split_speaker(line: &str) -> (Option<&str>, &str) {
    match line.split_once(':') {
        Some((name, rest))
            if !name.is_empty()
                && name.chars().count() <= 40
                && name.split_whitespace().count() <= 4
                && name.chars().next().is_some_and(char::is_alphabetic)
                && !rest.trim().is_empty() =>
        {
            (Some(name.trim()), rest.trim())
        }
        _ => (None, line),
    }
}

fn is_user_label(speaker: &str) -> bool {
    ["me", "i", "user", "myself"].contains(&speaker.to_lowercase().as_str())
}

fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if matches!(c, '.' | '!' | '?') {
            push_sentence(&mut out, &mut current);
        }
    }
    push_sentence(&mut out, &mut current);
    out
}

fn push_sentence(out: &mut Vec<String>, current: &mut String) {
    let s = current.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().any(char::is_alphanumeric) {
        out.push(s);
    }
    current.clear();
}

const TITLE_MAX_CHARS: usize = 60;

fn title(sentences: &[String]) -> String {
    let first = sentences.first().map_or("", String::as_str);
    let trimmed = first.trim_end_matches(['.', '!', '?']);
    if trimmed.chars().count() <= TITLE_MAX_CHARS {
        return trimmed.to_owned();
    }
    let mut out = String::new();
    for word in trimmed.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > TITLE_MAX_CHARS - 1 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push('…');
    out
}

const ACTION_CUES: &[&str] = &[
    "don't forget to",
    "do not forget to",
    "remember to",
    "need to",
    "i'll",
    "i will",
    "can you",
    "could you",
    "please",
];

fn action_items(sentences: &[String]) -> Vec<StructuredActionItem> {
    sentences
        .iter()
        .filter(|s| {
            let lower = s.to_lowercase().replace('\u{2019}', "'");
            ACTION_CUES.iter().any(|cue| lower.contains(cue))
        })
        .map(|s| StructuredActionItem {
            description: s.trim_end_matches(['.', '!', '?']).to_owned(),
            completed: false,
        })
        .collect()
}

/// Openings of first-person statements and how they read about "User".
const FIRST_PERSON: &[(&str, &str)] = &[
    ("i'm ", "User is "),
    ("i am ", "User is "),
    ("i like ", "User likes "),
    ("i love ", "User loves "),
    ("i enjoy ", "User enjoys "),
    ("i prefer ", "User prefers "),
    ("i hate ", "User hates "),
    ("i work ", "User works "),
    ("i live ", "User lives "),
    ("i have ", "User has "),
    ("my ", "User's "),
];

fn first_person_memories(text: &str) -> Vec<ExtractedMemory> {
    let mut out: Vec<ExtractedMemory> = Vec::new();
    for sentence in sentences(text) {
        let normalized = sentence.replace('\u{2019}', "'");
        let lower = normalized.to_lowercase();
        let Some((opening, about_user)) = FIRST_PERSON.iter().find(|(o, _)| lower.starts_with(o))
        else {
            continue;
        };
        let rest = normalized[opening.len()..].trim_end_matches(['.', '!', '?']);
        let content = format!("{about_user}{rest}");
        if content.chars().count() <= omi_model::MemoryContent::MAX_CHARS
            && !out.iter().any(|m| m.content == content)
        {
            out.push(ExtractedMemory {
                content,
                category: MemoryCategory::System,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> ConversationInput<'_> {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        ConversationInput {
            text,
            text_source: ConversationTextSource::Message,
            started_at: start,
            finished_at: start + chrono::Duration::seconds(60),
        }
    }

    #[tokio::test]
    async fn speaker_lines_become_segments_spread_over_the_duration() {
        let out = SimpleExtractor
            .conversation(&input(
                "Mom: Don't forget to pick up milk\n\nMe: Will do. I love whole grain bread.",
            ))
            .await
            .unwrap();
        let segs = &out.processed.transcript_segments;
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].speaker, "Mom");
        assert!(!segs[0].is_user);
        assert!(segs[1].is_user);
        assert_eq!(segs[1].end, 60.0);
        assert_eq!(
            out.processed.action_items[0].description,
            "Don't forget to pick up milk"
        );
        assert_eq!(out.memories[0].content, "User loves whole grain bread");
    }

    #[tokio::test]
    async fn titles_are_short() {
        let long = "word ".repeat(40);
        let out = SimpleExtractor.conversation(&input(&long)).await.unwrap();
        assert!(out.processed.title.chars().count() <= TITLE_MAX_CHARS);
    }
}
