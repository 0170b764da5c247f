//! The birthdays of the user's people: wished on the day ("Happy birthday Maya!" from the
//! user on February 1 -> "User celebrates Maya's birthday on February 1") or noted beside a
//! person ("Mom (birthday Oct 12)" -> "User's mom's birthday is on Oct 12").

use chrono::{DateTime, Utc};

use super::Sentence;
use crate::rules::lexicon::memories::RELATIONS;

/// The birthday a sentence of the user's gives, if any.
pub(super) fn birthday(s: &Sentence, started_at: DateTime<Utc>) -> Option<String> {
    wished(s, started_at).or_else(|| noted(s))
}

/// "Happy birthday Maya!!": the day the user wishes it is the birthday.
fn wished(s: &Sentence, started_at: DateTime<Utc>) -> Option<String> {
    let rest = s.text.get("happy birthday ".len()..)?;
    if !s.lower.starts_with("happy birthday ") {
        return None;
    }
    let who = name(rest.split_whitespace().next()?)?;
    let day = started_at.format("%B %-d");
    Some(format!("User celebrates {who}'s birthday on {day}"))
}

/// "Mom (birthday Oct 12) - she loves orchids": a person, then their birthday in brackets.
fn noted(s: &Sentence) -> Option<String> {
    let open = s.lower.find(" (birthday ")?;
    let who = &s.text[..open];
    let after = &s.text[open + " (birthday ".len()..];
    let date = after[..after.find(')')?].trim();
    if who.split_whitespace().count() != 1
        || date.is_empty()
        || date.chars().count() > 20
        || !date.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    let relation = who.to_lowercase();
    if RELATIONS.contains(&relation.as_str()) {
        return Some(format!("User's {relation}'s birthday is on {date}"));
    }
    let who = name(who)?;
    Some(format!("User celebrates {who}'s birthday on {date}"))
}

/// A first name: a capitalized word of letters, its punctuation trimmed ("Maya!!" -> "Maya").
fn name(word: &str) -> Option<&str> {
    let word = word.trim_end_matches(|c: char| !c.is_alphabetic());
    let is_name = word.chars().next().is_some_and(char::is_uppercase)
        && word.chars().count() >= 2
        && word.chars().all(char::is_alphabetic)
        && !word.chars().all(char::is_uppercase);
    is_name.then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextKind;
    use crate::rules::Doc;

    fn found(text: &str) -> Vec<String> {
        let start = omi_model::timestamp::parse_datetime("2024-02-01T10:00:00Z").unwrap();
        let doc = Doc::new(text, TextKind::Other, start);
        doc.sentences
            .iter()
            .filter_map(|s| birthday(s, start))
            .collect()
    }

    #[test]
    fn birthdays_wished_or_noted_are_the_users_peoples() {
        assert_eq!(
            found("Happy birthday Maya!! 🎉"),
            ["User celebrates Maya's birthday on February 1"]
        );
        assert_eq!(
            found("Mom (birthday Oct 12) - she loves orchids"),
            ["User's mom's birthday is on Oct 12"]
        );
        assert!(found("Happy birthday to you").is_empty());
        assert!(found("Gifts (birthday party) for the kids").is_empty());
    }
}
