//! Titles: at most 60 characters, a short phrase about what happened rather than how the text
//! starts, never a list of keywords.
//!
//! In order: an email's subject; the first event planned ("Dinner with Sarah"); in a short
//! text, or one that keeps coming back to it, the first thing to do, as what the conversation
//! was for ("Booking the cabin with Sarah"); the phrase of the text around the word it keeps
//! coming back to ("Kitchen renovation with Anna", "Oakland food bank"), with the one other
//! speaker of a conversation; for a text too short to have any, its first sentence.
//!
//! A text that mixes English with another script ("来週の月曜日に京都へ出張します。 /
//! Remember to pack the umbrella.") is led by its first sentence in that script, so the part
//! the English rules cannot read is not lost: "来週の月曜日に京都へ出張します / Packing the
//! umbrella".

use omi_model::{Event, StructuredActionItem};

use super::language::is_other_script;
use super::lexicon::title::NOT_TOPICS;
use super::summary::Keywords;
use super::words::{is_stopword, stem, words};
use super::{Doc, capitalize, truncate_words};

/// The longest title, in characters.
pub(crate) const MAX_CHARS: usize = 60;

/// The title of `doc`.
pub(crate) fn title(
    doc: &Doc,
    keywords: &Keywords,
    events: &[Event],
    actions: &[StructuredActionItem],
) -> String {
    if let Some(subject) = &doc.parsed.subject {
        return truncate_words(subject, MAX_CHARS);
    }
    with_other_script(doc, english_title(doc, keywords, events, actions))
}

/// The title led by the first sentence written in another script than the English rules
/// read, when the text has one and the title does not hold it already.
fn with_other_script(doc: &Doc, title: String) -> String {
    let Some(other) = doc.sentences.iter().find(|s| is_other_script(&s.text)) else {
        return title;
    };
    let other = other
        .text
        .trim_end_matches(['.', '!', '?', '。', '！', '？', '｡', ' ', '/']);
    if title.contains(other) {
        return title;
    }
    let title = title.trim_start_matches(['/', ' ']);
    let room = MAX_CHARS.saturating_sub(title.chars().count() + 3);
    let other = truncate_words(other, room.max(MAX_CHARS / 2));
    truncate_words(&format!("{other} / {title}"), MAX_CHARS)
}

/// The title the English rules give (see the module's documentation).
fn english_title(
    doc: &Doc,
    keywords: &Keywords,
    events: &[Event],
    actions: &[StructuredActionItem],
) -> String {
    let others = doc.others();
    let top = keywords.top(1);
    let top_word = top.first().map(|(w, _)| w.to_lowercase());
    if let Some(event) = events.first() {
        let central = top_word
            .as_deref()
            .is_some_and(|w| event.title.to_lowercase().contains(w))
            || doc.sentences.len() <= 6;
        if central {
            return truncate_words(&event.title, MAX_CHARS);
        }
    }
    let with = |title: String| -> String {
        match others.as_slice() {
            [one] if !title.contains(one) => {
                let with = format!("{title} with {one}");
                if with.chars().count() <= MAX_CHARS {
                    return with;
                }
                title
            }
            _ => title,
        }
    };
    if let Some(item) = actions.iter().find(|a| !a.completed) {
        let task = task_of(&item.description, &others);
        let central = top_word.as_deref().is_some_and(|w| {
            task.to_lowercase()
                .split_whitespace()
                .any(|t| stem(t) == stem(w))
        }) || doc.sentences.len() <= 4;
        if central && let Some(phrase) = doing(task) {
            return with(truncate_words(&phrase, MAX_CHARS));
        }
    }
    let topic = keywords
        .top(8)
        .into_iter()
        .filter(|(_, count)| *count >= 2 || doc.sentences.len() <= 3)
        .filter(|(w, _)| !others.iter().any(|o| o.eq_ignore_ascii_case(w)))
        .find(|(w, _)| {
            !w.split(' ')
                .any(|w| NOT_TOPICS.contains(&w.to_lowercase().as_str()))
        });
    let Some((topic, _)) = topic else {
        let first = doc.sentences.first().map_or("", |s| s.text.as_str());
        return truncate_words(
            first.trim_end_matches(['.', '!', '?', '。', '！', '？', '｡']),
            MAX_CHARS,
        );
    };
    let phrase = phrase_around(doc, &topic).unwrap_or(topic);
    with(capitalize(&truncate_words(&phrase, MAX_CHARS)))
}

/// What an action item asks, without who asked: "Sarah asked you to book the cabin" -> "book
/// the cabin".
fn task_of<'a>(description: &'a str, others: &[&str]) -> &'a str {
    for name in others {
        if let Some(rest) = description
            .strip_prefix(name)
            .and_then(|r| r.strip_prefix(" asked you to "))
        {
            return rest;
        }
    }
    description
}

/// A task as what was being done: "book the cabin" -> "Booking the cabin". `None` when its
/// first word is not an English verb the rules can put in the -ing form.
fn doing(task: &str) -> Option<String> {
    let (verb, rest) = task.split_once(' ').unwrap_or((task, ""));
    // "Send them your portfolio before then" says nothing alone.
    if rest.split_whitespace().any(|w| {
        matches!(
            w.to_ascii_lowercase()
                .trim_matches(|c: char| !c.is_alphanumeric()),
            "it" | "them"
                | "him"
                | "her"
                | "that"
                | "this"
                | "these"
                | "those"
                | "then"
                | "you"
                | "me"
                | "us"
                | "i"
                | "i'm"
                | "my"
                | "we"
                | "their"
        )
    }) {
        return None;
    }
    // "Pick up milk on your way home" -> "Picking up milk on the way home".
    let rest = rest
        .split(' ')
        .map(|w| if w == "your" { "the" } else { w })
        .collect::<Vec<_>>()
        .join(" ");
    let lower = verb.to_ascii_lowercase();
    if lower.len() < 2 || !lower.chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    let gerund = ing(&lower);
    let rest = rest.trim();
    Some(if rest.is_empty() {
        capitalize(&gerund)
    } else {
        format!("{} {rest}", capitalize(&gerund))
    })
}

/// The -ing form of an English verb in ASCII lower case: "book" -> "booking", "make" ->
/// "making", "plan" -> "planning", "tie" -> "tying".
fn ing(verb: &str) -> String {
    let is_vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
    if let Some(stem) = verb.strip_suffix("ie") {
        return format!("{stem}ying");
    }
    if verb.ends_with('e')
        && !verb.ends_with("ee")
        && !verb.ends_with("ye")
        && !verb.ends_with("oe")
    {
        return format!("{}ing", &verb[..verb.len() - 1]);
    }
    let chars: Vec<char> = verb.chars().collect();
    let groups = chars
        .iter()
        .enumerate()
        .filter(|(i, c)| is_vowel(**c) && (*i == 0 || !is_vowel(chars[i - 1])))
        .count();
    if let [.., a, b, c] = chars.as_slice()
        && groups == 1
        && !is_vowel(*a)
        && is_vowel(*b)
        && !is_vowel(*c)
        && !"wxy".contains(*c)
    {
        return format!("{verb}{c}ing");
    }
    format!("{verb}ing")
}

/// The words of the text around the first time it says `topic`: its neighbours that are
/// content words too, at most four in all ("food" -> "Oakland food bank", "kitchen" ->
/// "kitchen renovation").
fn phrase_around(doc: &Doc, topic: &str) -> Option<String> {
    if topic.contains(' ') {
        return None;
    }
    let target = stem(&topic.to_lowercase());
    for s in &doc.sentences {
        let ws: Vec<&str> = words(&s.text).collect();
        let Some(at) = ws.iter().position(|w| stem(&w.to_lowercase()) == target) else {
            continue;
        };
        let content = |w: &str| {
            let lower = w.to_lowercase();
            !is_stopword(&lower)
                && !NOT_TOPICS.contains(&lower.as_str())
                && w.chars()
                    .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        };
        let mut from = at;
        while from > 0 && at - from < 2 && content(ws[from - 1]) {
            from -= 1;
        }
        let mut to = at + 1;
        while to < ws.len() && to - from < 4 && content(ws[to]) {
            to += 1;
        }
        return Some(ws[from..to].join(" "));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextKind;

    fn title_of(text: &str, kind: TextKind) -> String {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        let doc = Doc::new(text, kind, start);
        let events = super::super::events::find(&doc);
        let actions = super::super::actions::find(&doc);
        title(&doc, &Keywords::count(&doc), &events, &actions)
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
        assert!(!t.contains(','), "a keyword list: {t}");
        assert!(t.chars().count() <= MAX_CHARS);
    }

    #[test]
    fn a_short_conversation_about_a_task_is_titled_by_it() {
        assert_eq!(
            title_of(
                "Me: I love hiking. Sarah: Remember to book the cabin.",
                TextKind::Message
            ),
            "Booking the cabin with Sarah"
        );
    }

    #[test]
    fn a_mixed_language_text_keeps_its_other_language_in_the_title() {
        let t = title_of(
            "来週の月曜日に京都へ出張します。 / Remember to pack the umbrella.",
            TextKind::Other,
        );
        assert!(t.contains("京都へ出張します"), "{t}");
        assert!(t.to_lowercase().contains("umbrella"), "{t}");
        let t = title_of(
            "Ana: 来週の月曜日に京都へ出張します。\nMe: Remember to pack the umbrella.",
            TextKind::Message,
        );
        assert!(t.contains("京都"), "{t}");
        assert!(t.chars().count() <= MAX_CHARS);
        let long = "今日は友達と一緒に山に登りました。とても楽しかったです。".repeat(4);
        let t = title_of(
            &format!("{long}\nMe: Remember to pack the umbrella."),
            TextKind::Message,
        );
        assert!(t.chars().count() <= MAX_CHARS, "{t}");
    }

    #[test]
    fn verbs_take_their_ing_form() {
        for (verb, want) in [
            ("book", "booking"),
            ("make", "making"),
            ("plan", "planning"),
            ("tie", "tying"),
            ("see", "seeing"),
            ("open", "opening"),
            ("fix", "fixing"),
            ("buy", "buying"),
            ("visit", "visiting"),
        ] {
            assert_eq!(ing(verb), want);
        }
        assert_eq!(doing("買う"), None);
    }
}
