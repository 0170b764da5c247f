//! Memories: timeless facts about the user, phrased as "User ..." statements.
//!
//! Only the user's own first-person statements are read (in a transcript, the lines of the
//! speaker marked as the user; in a note, post, email or message without speakers, all of it).
//! A clause becomes a memory when it has one of these shapes:
//!
//! - `I <verb> ...` with a verb of preference, habit or circumstance ("I love jazz",
//!   "I work at Acme", "I don't eat meat", "I usually swim on Sundays", "I grew up in Ohio");
//! - `I'm <state>` with a lasting state ("I'm vegetarian", "I'm a nurse", "I'm allergic to
//!   peanuts", "I'm from Lyon", "I'm learning Spanish");
//! - `I've been <doing> ...` ("I've been playing guitar for ten years");
//! - `My <person, pet or thing of mine> ...` ("My sister Anna lives in Berlin", "My birthday is
//!   on March 3rd", "My favorite band is Radiohead");
//! - `<Name> is my <relation>` ("Tom is my brother-in-law").
//!
//! and none of these: a question, a wish or plan ("I want to", "I'll", "I'm going to"), a task
//! ("I need to", "I have to"), a passing state ("I'm tired", "my phone is dead"), a moment
//! ("tomorrow", "last week", "right now", "at 7pm"), or a pronoun for an object ("I love it").
//!
//! The rules are split by concern: `clauses` cuts a sentence into clauses, `first_person`
//! reads "I ..." clauses, `relations` reads "my ..." clauses and the user's named people, and
//! `lexicon` holds every word list they read.

mod clauses;
mod first_person;
mod implicit;
mod reference;
mod relations;

use omi_model::MemoryCategory;

use super::Doc;
use super::sentences::Sentence;
use super::when;
use crate::ExtractedMemory;
use crate::rules::lexicon::memories::{MOMENT_WORDS, NOT_FACT_WORDS, NOTABLE};
use clauses::clauses;
use first_person::first_person;
use relations::{doctor, named_relation, named_relations, possessive};

/// The category of a memory created without one: `interesting` for notable achievements and
/// experiences, `system` for everything else (preferences, work, relationships).
pub fn categorize_memory(content: &str) -> MemoryCategory {
    let lower = content.to_lowercase();
    if NOTABLE.iter().any(|w| lower.contains(w)) {
        MemoryCategory::Interesting
    } else {
        MemoryCategory::System
    }
}

/// The memories the text states.
pub(crate) fn find(doc: &Doc) -> Vec<ExtractedMemory> {
    let mut out = Vec::new();
    for (index, s) in doc.sentences.iter().enumerate() {
        if !s.by_user || s.is_question() || s.word_count() > 45 {
            continue;
        }
        // "Dr. Smith's contact information: ...": who the user's doctor is.
        if let Some(content) = doctor(&s.text, &s.lower) {
            if !out.iter().any(|m: &ExtractedMemory| m.content == content) {
                out.push(ExtractedMemory {
                    content,
                    category: MemoryCategory::System,
                });
            }
        }
        let achievement = implicit::opens_with_achievement(&s.lower);
        if !speaks_of_self(&s.lower) && !achievement {
            continue;
        }
        let first = out.len();
        // What the turn before asked about, for "I love it" after "Have you seen The Office?".
        // and "I volunteer there" after "Spent the morning at the Oakland food bank.".
        let before = index.checked_sub(1).and_then(|i| doc.sentences.get(i));
        let thing = before
            .filter(|b| b.turn != s.turn)
            .and_then(|b| reference::named_in_question(&b.text));
        let place = before
            .filter(|b| b.by_user == s.by_user)
            .and_then(|b| reference::named_place(&b.text));
        for clause in clauses(s) {
            // A memory stands alone: what points back is resolved or the clause dropped.
            let (text, lower) = if reference::dangles(&clause.text, &clause.lower) {
                match reference::resolve(
                    &clause.text,
                    &clause.lower,
                    thing.as_deref(),
                    place.as_deref(),
                ) {
                    Some(resolved) => resolved,
                    None => continue,
                }
            } else {
                (clause.text, clause.lower)
            };
            if let Some(mut content) = fact(&text, &lower, doc) {
                // "Just finished my first marathon! 26.2 miles in 4 hours.": the figures of
                // an achievement, said next without a verb, belong to it.
                if achievement && out.len() == first {
                    if let Some(detail) = doc.sentences.get(index + 1).and_then(|n| detail(s, n)) {
                        content = format!("{content}, {detail}");
                    }
                }
                let category = categorize_memory(&content);
                out.push(ExtractedMemory { content, category });
            }
        }
        // "... thanks to my amazing husband Mark": who the user's people are, said in passing.
        for content in named_relations(&s.text) {
            let name = content.rsplit(' ').next().unwrap_or_default();
            if !out[first..].iter().any(|m| m.content.contains(name)) {
                let category = categorize_memory(&content);
                out.push(ExtractedMemory { content, category });
            }
        }
    }
    // What the store takes: a text holding a control character other than tab, newline and
    // carriage return (one that came in before the API refused them) is no memory.
    out.retain(|m| m.content.parse::<omi_model::MemoryContent>().is_ok());
    out
}

/// Whether a lower-case sentence has a word every memory shape needs ("i", "my", "we"), so
/// most sentences are passed over without being split into clauses.
fn speaks_of_self(lower: &str) -> bool {
    lower.starts_with("i ")
        || lower.starts_with("i'")
        || lower.starts_with("we ")
        || ["my ", " i ", " i'm", " i've", " we ", " we'", "(i "]
            .iter()
            .any(|p| lower.contains(p))
}

/// The sentence after an achievement when it only gives its figures ("26.2 miles in 4 hours
/// and 15 minutes."): it opens with a number, is short, and says nothing of its own.
fn detail(achievement: &Sentence, next: &Sentence) -> Option<String> {
    let opens_with_number = next.text.chars().next().is_some_and(|c| c.is_ascii_digit());
    let words = next.word_count();
    if next.turn != achievement.turn
        || !opens_with_number
        || words > 12
        || next.is_question()
        || speaks_of_self(&next.lower)
        || next.lower.split_whitespace().any(|w| {
            matches!(
                w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''),
                "is" | "was" | "are" | "were" | "it" | "it's" | "that" | "this"
            )
        })
    {
        return None;
    }
    let detail = next.text.trim_end_matches(|c: char| !c.is_alphanumeric());
    (!detail.is_empty()).then(|| detail.to_owned())
}

/// The clause as a "User ..." fact, or `None`.
fn fact(text: &str, lower: &str, doc: &Doc) -> Option<String> {
    let mut normalized = implicit::normalize(text, lower);
    // "Completed my first half marathon today in 1:58": the day dates the news, not the
    // achievement, which stays true; its moment words are left out.
    if normalized.achievement {
        let kept: Vec<&str> = normalized
            .text
            .split(' ')
            .filter(|w| {
                let core = w
                    .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                    .to_ascii_lowercase();
                !MOMENT_WORDS.contains(&core.as_str())
            })
            .collect();
        normalized.text = kept.join(" ");
        normalized.lower = normalized.text.to_ascii_lowercase();
    }
    let (text, lower) = (normalized.text.as_str(), normalized.lower.as_str());
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.len() < 2 || words.len() > 30 {
        return None;
    }
    let is_birthday =
        lower.contains("birthday") || lower.contains("anniversary") || lower.contains("born on");
    // "I tore my ACL two years ago", "I started running three years ago": years ago date a
    // lasting fact of the user's past; the verb rules still decide whether it is one.
    let long_ago = [" years ago", " decades ago", " year ago"]
        .iter()
        .any(|p| lower.ends_with(p) || lower.contains(&format!("{p} ")));
    if has_any_word(&words, MOMENT_WORDS) && !is_birthday && !long_ago {
        return None;
    }
    if !is_birthday && !long_ago && !normalized.achievement && has_moment(lower, doc) {
        return None;
    }
    if has_any_phrase(lower, &words, NOT_FACT_WORDS) {
        return None;
    }
    let out = first_person(text, lower)
        .or_else(|| possessive(text, lower, &words))
        .or_else(|| named_relation(text, &words))?;
    let out = out
        .trim()
        .trim_end_matches([',', ';', ':', '-', '.'])
        .to_owned();
    if out.split_whitespace().count() < 3
        || out.chars().count() > omi_model::MemoryContent::MAX_CHARS
    {
        return None;
    }
    Some(out)
}

/// Whether the clause names a day or time of its own ("at 7pm", "on Friday").
fn has_moment(lower: &str, doc: &Doc) -> bool {
    when::find(lower, doc.started_at).is_some_and(|w| !w.recurring && (w.is_specific() || w.past))
}

fn has_any_word(words: &[&str], list: &[&str]) -> bool {
    words
        .iter()
        .any(|w| list.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')))
}

fn has_any_phrase(lower: &str, words: &[&str], list: &[&str]) -> bool {
    list.iter().any(|p| {
        if p.contains(' ') {
            lower.contains(p)
        } else {
            words
                .iter()
                .any(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'') == *p)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextKind;

    fn memories(text: &str) -> Vec<String> {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        find(&Doc::new(text, TextKind::Other, start))
            .into_iter()
            .map(|m| m.content)
            .collect()
    }

    #[track_caller]
    fn check(text: &str, expected: &[&str]) {
        assert_eq!(memories(text), expected, "{text}");
    }

    #[test]
    fn preferences_are_facts() {
        check(
            "I love hiking in the mountains.",
            &["User loves hiking in the mountains"],
        );
        check(
            "Honestly, I really hate cilantro.",
            &["User really hates cilantro"],
        );
        check("I don't eat meat.", &["User doesn't eat meat"]);
        check(
            "My favorite band is Radiohead.",
            &["User's favorite band is Radiohead"],
        );
    }

    #[test]
    fn people_work_places_and_health_are_facts() {
        check(
            "My sister Anna lives in Berlin.",
            &["User's sister Anna lives in Berlin"],
        );
        check(
            "I work as a nurse at St. Mary's.",
            &["User works as a nurse at St. Mary's"],
        );
        check("I'm allergic to peanuts.", &["User is allergic to peanuts"]);
        check("I grew up in Ohio.", &["User grew up in Ohio"]);
        check(
            "I have two kids and a dog named Max.",
            &["User has two kids and a dog named Max"],
        );
        check(
            "Tom is my brother-in-law.",
            &["User's brother-in-law is Tom"],
        );
        check(
            "My birthday is on March 3rd.",
            &["User's birthday is on March 3rd"],
        );
        check(
            "My wife and I love sailing.",
            &["User and their wife love sailing"],
        );
    }

    #[test]
    fn habits_are_facts_but_outings_are_not() {
        check(
            "I swim every morning before work.",
            &["User swims every morning before work"],
        );
        check("I play the piano.", &["User plays the piano"]);
        check("I go to the store.", &[]);
    }

    #[test]
    fn tasks_moments_wishes_and_passing_states_are_not_facts() {
        check("I need to call the dentist.", &[]);
        check("I'm going to Paris next week.", &[]);
        check("I want to learn French.", &[]);
        check("I'm so tired today.", &[]);
        check("My phone is dead.", &[]);
        check("I love it!", &[]);
        check("I'm a bit busy.", &[]);
        check("I love you.", &[]);
        check("Do you like sushi?", &[]);
        check("I had dinner with Anna at 7.", &[]);
    }

    #[test]
    fn the_users_doctor_is_named_with_a_visit_or_a_record() {
        check(
            "Dr. Smith's contact information: Phone: (555) 123-4567.",
            &["User's doctor is Dr. Smith"],
        );
        check(
            "Primary care: Dr. Hannah Weiss, Elm Street Clinic",
            &["User's primary care doctor is Dr. Hannah Weiss"],
        );
        check("Dr. Who is a great show.", &[]);
    }

    #[test]
    fn memories_stand_alone() {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        let found = |text: &str| -> Vec<String> {
            find(&Doc::new(text, TextKind::Message, start))
                .into_iter()
                .map(|m| m.content)
                .collect()
        };
        assert!(
            found("Sam: Do you play video games?\nMe: I like all of those games. I've been playing them for years. I enjoy playing it.")
                .is_empty()
        );
        assert!(found("Me: I also like the one where Dwight tries to get Jim fired.").is_empty());
        assert_eq!(
            found("Sam: Have you seen The Office?\nMe: I love it."),
            ["User loves The Office"]
        );
        assert_eq!(
            found("Sam: Have you seen The Office?\nMe: Yes! I love it."),
            Vec::<String>::new(),
            "only the sentence right after the question is resolved"
        );
    }

    #[test]
    fn other_speakers_facts_are_not_the_users() {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        let doc = Doc::new(
            "Anna: I'm vegetarian.\nMe: I'm allergic to shellfish.",
            TextKind::AudioTranscript,
            start,
        );
        let found: Vec<String> = find(&doc).into_iter().map(|m| m.content).collect();
        assert_eq!(found, ["User is allergic to shellfish"]);
    }
}
