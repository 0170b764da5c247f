//! Facts the user states about their people in the third person: "Mia is allergic to
//! peanuts", "Ava is 9", "Ben is 6 and has asthma", "Rocky is 3 now". The one who speaks is
//! the user, so the person is one of theirs (a child, a pet, a partner); who else speaks in
//! the text is not read this way. "He" or "she" opening a clause is the one person named last
//! ("How's Biscuit doing?" ... "He's 12 now" -> "Biscuit is 12 years old").

use crate::rules::lexicon::memories::{NOT_NAMES, PERSON_CONDITIONS, PERSON_KINDS, PERSON_STATES};
use crate::rules::lexicon::when::{MONTHS, WEEKDAYS};
use crate::rules::words::is_stopword;

/// The oldest age read as one ("Ava is 9"); a larger number is something else.
const MAX_AGE: u32 = 110;

/// The facts about named people in a sentence of the user's, one per clause (clauses are cut
/// at commas, semicolons and colons), each with the name it is about. `speakers` are the other
/// speakers' names; `named` the one person named last, whom "he" or "she" means.
pub(super) fn facts(text: &str, speakers: &[&str], named: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut start_of_sentence = true;
    for piece in text.split([',', ';', ':']) {
        let last: Option<String> = out
            .last()
            .map(|(name, _)| name.clone())
            .or(named.map(str::to_owned));
        let mut words: Vec<&str> = piece
            .split_whitespace()
            .map(|w| w.trim_end_matches(['.', '!', '?']))
            .collect();
        let inside = resolve_pronoun(&mut words, last.as_deref()) || !start_of_sentence;
        if let Some(found) = fact(&words, inside, speakers) {
            out.push((words[0].to_owned(), found));
        }
        start_of_sentence = false;
    }
    out
}

/// "He's 12 now", "She is vegan": the pronoun replaced by the person named last (a name so
/// named is surely one). Whether it was replaced.
fn resolve_pronoun<'a>(words: &mut Vec<&'a str>, named: Option<&'a str>) -> bool {
    let (Some(first), Some(name)) = (words.first().copied(), named) else {
        return false;
    };
    match first {
        "He" | "She" | "he" | "she" if words.get(1) == Some(&"is") => words[0] = name,
        "He's" | "She's" | "he's" | "she's" => {
            words.splice(0..1, [name, "is"]);
        }
        _ => return false,
    }
    true
}

/// "Mia is allergic to peanuts", "Ben is 6 and has asthma" as a fact, else `None`. An age
/// needs a name that is surely one: written in capitals inside the sentence, or followed by
/// "years old" or "now" ("Checkout is 11" opens a sentence and is no one's age).
fn fact(words: &[&str], inside: bool, speakers: &[&str]) -> Option<String> {
    let (name, verb) = (*words.first()?, *words.get(1)?);
    if !is_name(name) || speakers.contains(&name) {
        return None;
    }
    let rest = &words[2..];
    match verb {
        "is" => {
            if let Some(age) = rest.first().and_then(|w| w.parse::<u32>().ok()) {
                let after: Vec<String> = rest[1..].iter().map(|w| w.to_ascii_lowercase()).collect();
                let sure =
                    inside || matches!(after.first().map(String::as_str), Some("now" | "years"));
                if !(1..=MAX_AGE).contains(&age) || !sure || !ends_an_age(&after) {
                    return None;
                }
                let more = and_more(&rest[1..])
                    .map(|m| format!(" and {m}"))
                    .unwrap_or_default();
                return Some(format!("{name} is {age} years old{more}"));
            }
            state(rest)
                .or_else(|| kind(rest))
                .map(|s| format!("{name} is {s}"))
        }
        "has" => condition(rest).map(|c| format!("{name} has {c}")),
        _ => None,
    }
}

/// A capitalized word that names someone: not a function word, a weekday, a month or a word
/// like "Sorry".
fn is_name(word: &str) -> bool {
    let mut chars = word.chars();
    let lower = word.to_ascii_lowercase();
    chars.next().is_some_and(char::is_uppercase)
        && chars.all(|c| c.is_lowercase())
        && word.chars().count() >= 2
        && !is_stopword(&lower)
        && !NOT_NAMES.contains(&lower.as_str())
        && !WEEKDAYS.iter().any(|(d, _)| *d == lower)
        && !MONTHS.iter().any(|(m, _)| *m == lower)
}

/// What may follow an age: nothing, "now", "years old", or "and ...".
fn ends_an_age(after: &[String]) -> bool {
    match after.first().map(String::as_str) {
        None | Some("now" | "and") => true,
        Some("years" | "year") => after.get(1).is_some_and(|w| w == "old"),
        _ => false,
    }
}

/// "... and has asthma", "... and is vegetarian": a second fact joined to an age.
fn and_more(after: &[&str]) -> Option<String> {
    let at = after.iter().position(|w| w.eq_ignore_ascii_case("and"))?;
    let (verb, rest) = (after.get(at + 1)?, &after[at + 2..]);
    match *verb {
        "has" => condition(rest).map(|c| format!("has {c}")),
        "is" => state(rest).map(|s| format!("is {s}")),
        _ => None,
    }
}

/// "allergic to peanuts", "vegetarian": a lasting state (the clause's words from it on).
fn state(rest: &[&str]) -> Option<String> {
    let first = rest.first()?.to_ascii_lowercase();
    (PERSON_STATES.contains(&first.as_str()) && rest.len() <= 6).then(|| rest.join(" "))
}

/// "a border collie", "a rescue cat": what kind of animal (or person) they are, up to "and".
fn kind(rest: &[&str]) -> Option<String> {
    let end = rest
        .iter()
        .position(|w| w.eq_ignore_ascii_case("and"))
        .unwrap_or(rest.len());
    let rest = &rest[..end];
    let article = rest.first().is_some_and(|w| matches!(*w, "a" | "an"));
    let noun = rest.last()?.to_ascii_lowercase();
    (article && (2..=4).contains(&rest.len()) && PERSON_KINDS.contains(&noun.as_str()))
        .then(|| rest.join(" "))
}

/// "asthma", "a peanut allergy", "type 1 diabetes": a condition (the clause's words from it
/// on, when one of them names a condition).
fn condition(rest: &[&str]) -> Option<String> {
    let named = rest
        .iter()
        .any(|w| PERSON_CONDITIONS.contains(&w.to_ascii_lowercase().as_str()));
    (named && rest.len() <= 4).then(|| rest.join(" "))
}

#[cfg(test)]
mod tests {
    use super::facts;

    fn texts(text: &str, named: Option<&str>) -> Vec<String> {
        facts(text, &["Grace"], named)
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }

    #[test]
    fn the_users_people_in_the_third_person() {
        assert_eq!(
            texts(
                "Mia is allergic to peanuts, so no snacks with nuts please.",
                None
            ),
            ["Mia is allergic to peanuts"]
        );
        assert_eq!(
            texts(
                "Things to remember: Ava is 9 and in 4th grade, Ben is 6 and has asthma.",
                None
            ),
            ["Ava is 9 years old", "Ben is 6 years old and has asthma"]
        );
        assert_eq!(
            texts("Yes, Rocky is 3 now.", None),
            ["Rocky is 3 years old"]
        );
    }

    #[test]
    fn he_or_she_is_the_person_named_last() {
        assert_eq!(
            texts("He's 12 now, so I worry a lot.", Some("Biscuit")),
            ["Biscuit is 12 years old"]
        );
        assert_eq!(
            texts(
                "He's a border collie and he's obsessed with frisbees.",
                Some("Rocky")
            ),
            ["Rocky is a border collie"]
        );
        assert!(texts("He's 12 now.", None).is_empty());
    }

    #[test]
    fn times_speakers_and_other_words_are_no_one() {
        assert!(texts("Checkout is 11.", None).is_empty());
        assert!(texts("Dinner is at 7, Gate is 12 today.", None).is_empty());
        assert!(texts("Grace is allergic to cats.", None).is_empty());
        assert!(texts("Friday is 5 and hot.", None).is_empty());
        assert!(texts("Yes, Room is 4 doors down.", None).is_empty());
    }
}
