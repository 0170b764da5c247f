//! The offline, deterministic extractor: hand-written rules, no model files, no network.
//!
//! A text goes through these steps, each in its own module:
//!
//! 1. [`segments`]: `Name: text` lines become turns and transcript segments; an email's
//!    headers are read (its subject kept) and left out of the body.
//! 2. [`sentences`]: turns become sentences, each knowing whether the user said it and
//!    whether it is an item of a list.
//! 3. [`summary`] counts the content words; [`title`], the overview and [`classify`] use them.
//! 4. [`actions`], [`events`] (with [`when`] for dates) and [`memories`] read the sentences.

mod actions;
mod classify;
mod events;
mod language;
mod lexicon;
mod memories;
mod segments;
mod sentences;
mod summary;
mod title;
mod when;
pub(crate) mod words;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::identity::retain_novel;
use crate::{
    ConversationExtraction, ConversationInput, ExtractError, ExtractedMemory, Extractor,
    ProcessedConversation, TextInput, TextKind,
};
use segments::Parsed;
use sentences::Sentence;

pub use memories::categorize_memory;

/// The offline extractor (the default). Deterministic: the same input always gives the same
/// output.
///
/// ```
/// use omi_extract::{ConversationInput, RulesExtractor, TextKind};
///
/// let start = "2024-03-10T15:00:00Z".parse().unwrap();
/// let out = RulesExtractor.extract(&ConversationInput {
///     text: "Sam: Don't forget to pick up milk on the way home.\n\
///            Me: Sure. Dinner with Anna this Friday at 7pm, right?\n\
///            Sam: Yes. Oh, and I'm allergic to peanuts, remember.\n\
///            Me: I know. I'm vegetarian myself, so I'll cook pasta.",
///     kind: TextKind::AudioTranscript,
///     started_at: start,
///     finished_at: start + chrono::Duration::minutes(2),
///     known_memories: &[],
/// });
/// assert_eq!(
///     out.processed.action_items[0].description,
///     "Sam asked you to pick up milk on the way home"
/// );
/// assert_eq!(out.processed.events[0].start.to_rfc3339(), "2024-03-15T19:00:00+00:00");
/// assert_eq!(out.memories[0].content, "User is vegetarian");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct RulesExtractor;

impl RulesExtractor {
    /// Process a conversation (what [`Extractor::conversation`] does, synchronously). The
    /// language is identified from the text.
    pub fn extract(&self, input: &ConversationInput<'_>) -> ConversationExtraction {
        self.extract_in_language(input, None)
    }

    /// Process a conversation whose request named its `language` (a BCP 47 / ISO 639-1 code
    /// such as `"en"`, `"en-US"`, `"ja"`; what [`Extractor::conversation_in_language`] does,
    /// synchronously). A named language other than English is trusted: the text gets an
    /// extractive title, overview and segments and no English patterns, whatever it looks
    /// like. English is trusted too, except for a text in a script English is not written in
    /// (a Japanese text sent with the API's default `"en"`). `None`, or a code that names no
    /// language, leaves the language to be identified from the text, as [`Self::extract`].
    ///
    /// ```
    /// use omi_extract::{ConversationInput, RulesExtractor, TextKind};
    ///
    /// let start = "2024-03-10T15:00:00Z".parse().unwrap();
    /// let input = ConversationInput {
    ///     text: "Me: I love hiking. Sarah: Remember to book the cabin for Friday.",
    ///     kind: TextKind::Message,
    ///     started_at: start,
    ///     finished_at: start + chrono::Duration::minutes(1),
    ///     known_memories: &[],
    /// };
    /// assert!(!RulesExtractor.extract_in_language(&input, Some("en")).memories.is_empty());
    /// // Said to be Dutch: no English patterns are read into it.
    /// assert!(RulesExtractor.extract_in_language(&input, Some("nl")).memories.is_empty());
    /// ```
    pub fn extract_in_language(
        &self,
        input: &ConversationInput<'_>,
        language: Option<&str>,
    ) -> ConversationExtraction {
        let doc = Doc::with_language(input.text, input.kind, input.started_at, language);
        let transcript_segments =
            segments::transcript_segments(&doc.parsed.turns, input.started_at, input.finished_at);
        let keywords = summary::Keywords::count(&doc);
        // The cues of events, tasks and memories are English; another language gets an
        // extractive title, overview and segments only.
        let (events, action_items) = if doc.english {
            (events::find(&doc), actions::find(&doc))
        } else {
            (Vec::new(), Vec::new())
        };
        let category = classify::classify(&doc);
        let title = title::title(&doc, &keywords, &events, &action_items);
        let overview = summary::overview(&doc, &keywords);
        // Words by Unicode's boundaries: a Japanese sentence has no spaces but many words.
        let words: usize = doc
            .parsed
            .turns
            .iter()
            .map(|t| words::words(&t.text).take(2).count())
            .sum();
        let memories = if doc.english {
            retain_novel(memories::find(&doc), input.known_memories)
        } else {
            Vec::new()
        };
        ConversationExtraction {
            processed: ProcessedConversation {
                title,
                overview,
                emoji: classify::emoji(category).to_owned(),
                category,
                action_items,
                events,
                transcript_segments,
                discarded: words < 2,
            },
            memories,
        }
    }

    /// Extract memories from an imported text (what [`Extractor::memories`] does,
    /// synchronously).
    pub fn extract_memories(&self, input: &TextInput<'_>) -> Vec<ExtractedMemory> {
        let doc = Doc::new(input.text, input.kind, Utc::now());
        if !doc.english {
            return Vec::new();
        }
        retain_novel(memories::find(&doc), input.known_memories)
    }
}

/// Run `work` on tokio's blocking pool, off the async runtime, so a long text never holds up
/// the threads that answer requests. A panic in `work` is passed on to the caller (the
/// worker catches it and fails that job's attempt).
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ExtractError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Ok(value),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(ExtractError::new(format!(
            "the rules extractor stopped: {e}"
        ))),
    }
}

#[async_trait]
impl Extractor for RulesExtractor {
    async fn conversation(
        &self,
        input: &ConversationInput<'_>,
    ) -> Result<ConversationExtraction, ExtractError> {
        self.conversation_in_language(input, None).await
    }

    async fn conversation_in_language(
        &self,
        input: &ConversationInput<'_>,
        language: Option<&str>,
    ) -> Result<ConversationExtraction, ExtractError> {
        let text = input.text.to_owned();
        let known = input.known_memories.to_vec();
        let language = language.map(str::to_owned);
        let (kind, started_at, finished_at) = (input.kind, input.started_at, input.finished_at);
        off_runtime(move || {
            RulesExtractor.extract_in_language(
                &ConversationInput {
                    text: &text,
                    kind,
                    started_at,
                    finished_at,
                    known_memories: &known,
                },
                language.as_deref(),
            )
        })
        .await
    }

    async fn memories(&self, text: &str) -> Result<Vec<ExtractedMemory>, ExtractError> {
        self.text_memories(&TextInput {
            text,
            kind: TextKind::Other,
            known_memories: &[],
        })
        .await
    }

    async fn text_memories(
        &self,
        input: &TextInput<'_>,
    ) -> Result<Vec<ExtractedMemory>, ExtractError> {
        let text = input.text.to_owned();
        let known = input.known_memories.to_vec();
        let kind = input.kind;
        off_runtime(move || {
            RulesExtractor.extract_memories(&TextInput {
                text: &text,
                kind,
                known_memories: &known,
            })
        })
        .await
    }
}

/// A text as the rules read it.
pub(crate) struct Doc {
    /// Its turns and headers.
    pub(crate) parsed: Parsed,
    /// Its sentences, in order.
    pub(crate) sentences: Vec<Sentence>,
    /// When it was made: relative dates resolve against it.
    pub(crate) started_at: DateTime<Utc>,
    /// Whether some turn is the user's, or the text has no speakers (so it is the user's own).
    pub(crate) user_known: bool,
    /// Whether the text is English (or too short to tell): the rules' cues are English.
    pub(crate) english: bool,
    /// What kind of text it is.
    pub(crate) kind: TextKind,
}

impl Doc {
    pub(crate) fn new(text: &str, kind: TextKind, started_at: DateTime<Utc>) -> Self {
        Self::with_language(text, kind, started_at, None)
    }

    /// A text whose language a request may have named (see
    /// [`RulesExtractor::extract_in_language`]).
    pub(crate) fn with_language(
        text: &str,
        kind: TextKind,
        started_at: DateTime<Utc>,
        language: Option<&str>,
    ) -> Self {
        let parsed = segments::parse(text, kind);
        let user_known = !parsed.labelled || parsed.turns.iter().any(|t| t.is_user);
        let sentences = sentences::split(&parsed.turns, |t| t.is_user || t.speaker.is_none());
        Self {
            parsed,
            sentences,
            started_at,
            user_known,
            english: language::reads_as_english(text, language),
            kind,
        }
    }

    /// Who said `s`, when the text names speakers.
    pub(crate) fn speaker(&self, s: &Sentence) -> Option<&str> {
        self.parsed.turns.get(s.turn)?.speaker.as_deref()
    }

    /// The named speakers who are not the user, in order of first appearance.
    pub(crate) fn others(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in &self.parsed.turns {
            if let Some(s) = t.speaker.as_deref()
                && !t.is_user
                && !out.contains(&s)
                && !is_anonymous(s)
            {
                out.push(s);
            }
        }
        out
    }
}

/// Whether a speaker label names nobody ("Speaker 1", "SPEAKER_00", "Unknown").
pub(crate) fn is_anonymous(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    lower.starts_with("speaker") || lower.starts_with("unknown") || lower.starts_with("person ")
}

/// `s` with its first letter in upper case.
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A title cut to the longest a title may be (the LLM extractor's titles are cut the same way).
#[cfg(feature = "llm")]
pub(crate) fn truncate_title(s: &str) -> String {
    truncate_words(s, title::MAX_CHARS)
}

/// At most `max` characters of `s`, cut at a word boundary with `…` when cut.
pub(crate) fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for word in s.split_whitespace() {
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = s.chars().take(max - 1).collect();
    }
    let trimmed = out.trim_end_matches([',', ';', ':', '-', ' ']).to_owned();
    format!("{trimmed}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> ConversationInput<'_> {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        ConversationInput {
            text,
            kind: TextKind::Message,
            started_at: start,
            finished_at: start + chrono::Duration::seconds(60),
            known_memories: &[],
        }
    }

    #[test]
    fn speaker_lines_become_segments_spread_over_the_duration() {
        let out = RulesExtractor.extract(&input(
            "Mom: Don't forget to pick up milk\n\nMe: Will do. I love whole grain bread.",
        ));
        let segs = &out.processed.transcript_segments;
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].speaker, "Mom");
        assert!(!segs[0].is_user);
        assert!(segs[1].is_user);
        assert_eq!(segs[1].end, 60.0);
        assert_eq!(
            out.processed.action_items[0].description,
            "Mom asked you to pick up milk"
        );
        assert_eq!(out.memories[0].content, "User loves whole grain bread");
    }

    #[test]
    fn titles_are_short() {
        let long = "budget planning review ".repeat(40);
        let out = RulesExtractor.extract(&input(&long));
        assert!(out.processed.title.chars().count() <= title::MAX_CHARS);
    }

    #[test]
    fn a_text_of_one_word_is_discarded() {
        assert!(RulesExtractor.extract(&input("hello")).processed.discarded);
        assert!(RulesExtractor.extract(&input("🎉 !!")).processed.discarded);
        assert!(
            !RulesExtractor
                .extract(&input("今日は山に登りました"))
                .processed
                .discarded
        );
        assert!(
            !RulesExtractor
                .extract(&input("hello there"))
                .processed
                .discarded
        );
    }

    #[tokio::test]
    async fn long_texts_are_processed_off_the_runtime_with_the_same_result() {
        let text = "Me: I love hiking in the mountains.\n".repeat(2000);
        let sync = RulesExtractor.extract(&input(&text));
        let out = RulesExtractor.conversation(&input(&text)).await.unwrap();
        assert_eq!(out, sync);
    }

    #[test]
    fn another_language_gets_a_title_overview_and_segments_but_no_english_patterns() {
        let out = RulesExtractor.extract(&input(
            "母: 帰りに牛乳を買ってきてね。\n私: わかった。6時ごろ帰るよ。\n母: パンもお願い。全粒粉のがあれば。",
        ));
        let p = &out.processed;
        assert!(!p.discarded);
        assert_eq!(p.transcript_segments.len(), 3);
        assert!(!p.title.is_empty() && !p.overview.is_empty());
        assert!(p.action_items.is_empty() && p.events.is_empty());
        assert!(out.memories.is_empty());
        let out = RulesExtractor.extract(&input(
            "Ich liebe Wandern in den Bergen. Ich arbeite seit zehn Jahren als Krankenschwester in Berlin.",
        ));
        assert!(out.memories.is_empty(), "{:?}", out.memories);
        assert!(!out.processed.title.is_empty());
    }

    #[tokio::test]
    async fn a_requests_language_decides_whether_english_patterns_are_read() {
        let text = "Me: I love hiking. Sarah: Remember to book the cabin for Friday at 6pm.";
        let english = RulesExtractor
            .conversation_in_language(&input(text), Some("en"))
            .await
            .unwrap();
        assert_eq!(english, RulesExtractor.extract(&input(text)));
        assert!(!english.memories.is_empty() && !english.processed.action_items.is_empty());
        let dutch = RulesExtractor
            .conversation_in_language(&input(text), Some("nl"))
            .await
            .unwrap();
        assert!(dutch.memories.is_empty());
        assert!(dutch.processed.action_items.is_empty() && dutch.processed.events.is_empty());
        assert_eq!(dutch.processed.transcript_segments.len(), 2);
        // The API's default "en" does not make a Japanese text English.
        let japanese = "母: 帰りに牛乳を買ってきてね。\n私: わかった。6時ごろ帰るよ。";
        let out = RulesExtractor.extract_in_language(&input(japanese), Some("en"));
        assert!(out.processed.events.is_empty() && out.memories.is_empty());
    }

    #[test]
    fn truncation_cuts_at_words() {
        assert_eq!(truncate_words("one two three", 9), "one two…");
        assert_eq!(truncate_words("short", 9), "short");
    }
}
