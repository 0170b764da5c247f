//! Titles: at most 60 characters, about what the text is about rather than how it starts.
//!
//! In order: an email's subject; the first event planned ("Dinner with Sarah"); the words the
//! text keeps coming back to ("Budget review, hiring and Q3"), with the one other speaker of a
//! conversation ("... with Anna"); for a text too short to have any, its first sentence.

use omi_model::Event;

use super::lexicon::title::NOT_TOPICS;
use super::summary::Keywords;
use super::{Doc, capitalize, truncate_words};

/// The longest title, in characters.
pub(crate) const MAX_CHARS: usize = 60;

/// The title of `doc`.
pub(crate) fn title(doc: &Doc, keywords: &Keywords, events: &[Event]) -> String {
    if let Some(subject) = &doc.parsed.subject {
        return truncate_words(subject, MAX_CHARS);
    }
    let others = doc.others();
    if let Some(event) = events.first() {
        let top = keywords.top(1);
        let central = top
            .first()
            .is_some_and(|(w, _)| event.title.to_lowercase().contains(&w.to_lowercase()))
            || doc.sentences.len() <= 6;
        if central {
            return truncate_words(&event.title, MAX_CHARS);
        }
    }
    let top: Vec<(String, usize)> = keywords
        .top(8)
        .into_iter()
        .filter(|(_, count)| *count >= 2 || doc.sentences.len() <= 3)
        .filter(|(w, _)| !others.iter().any(|o| o.eq_ignore_ascii_case(w)))
        .filter(|(w, _)| {
            !w.split(' ')
                .any(|w| NOT_TOPICS.contains(&w.to_lowercase().as_str()))
        })
        .take(3)
        .collect();
    if top.is_empty() {
        let first = doc.sentences.first().map_or("", |s| s.text.as_str());
        return truncate_words(first.trim_end_matches(['.', '!', '?']), MAX_CHARS);
    }
    let mut phrase = String::new();
    let mut parts: Vec<&str> = Vec::new();
    for (w, _) in &top {
        parts.push(w);
        let candidate = join(&parts);
        if candidate.chars().count() > MAX_CHARS {
            parts.pop();
            break;
        }
        phrase = candidate;
    }
    if phrase.is_empty() {
        phrase = truncate_words(&top[0].0, MAX_CHARS);
    }
    let mut out = capitalize(&phrase);
    if others.len() == 1 {
        let with = format!("{out} with {}", others[0]);
        if with.chars().count() <= MAX_CHARS {
            out = with;
        }
    }
    out
}

/// "a", "a and b", "a, b and c".
fn join(parts: &[&str]) -> String {
    match parts {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextKind;

    fn title_of(text: &str, kind: TextKind) -> String {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        let doc = Doc::new(text, kind, start);
        let events = super::super::events::find(&doc);
        title(&doc, &Keywords::count(&doc), &events)
    }

    #[test]
    fn an_emails_subject_is_its_title() {
        assert_eq!(
            title_of(
                "Subject: Q3 planning\n\nHi team, notes below.",
                TextKind::Email
            ),
            "Q3 planning"
        );
    }

    #[test]
    fn a_title_names_what_the_text_keeps_coming_back_to() {
        let t = title_of(
            "Anna: So the kitchen renovation is finally starting.\nMe: Nice, who's doing the kitchen?\n\
             Anna: A contractor from town. The renovation budget is tight though.\n\
             Me: Kitchen costs add up. Tiles especially.\nAnna: The tiles alone were a fortune.",
            TextKind::AudioTranscript,
        );
        assert!(t.to_lowercase().contains("kitchen"), "{t}");
        assert!(t.ends_with("with Anna"), "{t}");
        assert!(t.chars().count() <= MAX_CHARS);
    }
}
