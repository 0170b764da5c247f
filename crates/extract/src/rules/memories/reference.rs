//! Memories stand alone: a clause that points back at something said before ("I love it",
//! "I like all of those games", "the one where Dwight tries to get Jim fired") is resolved
//! from the turn before when that turn asked about one named thing ("Have you seen The
//! Office?" -> "I love it" is "I love The Office"), and is otherwise no memory.

use crate::rules::lexicon::memories::{
    BACK_PHRASES, BACK_REFERENCES, BEFORE_DEMONSTRATIVE_THAT, PERSON_NOUNS, RELATIONS,
    THIRD_PERSONS,
};

/// The words of `lower` with their punctuation trimmed (inner apostrophes kept).
fn bare_words(lower: &str) -> Vec<&str> {
    lower
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
        .collect()
}

/// Whether the lower-case clause points back at something it does not name.
pub(super) fn dangles(text: &str, lower: &str) -> bool {
    if BACK_PHRASES.iter().any(|p| contains_phrase(lower, p)) {
        return true;
    }
    let words = bare_words(lower);
    let text_words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if BACK_REFERENCES.contains(w) {
            return true;
        }
        if *w == "that" {
            let last = i + 1 == words.len();
            let after_verb = i > 0 && BEFORE_DEMONSTRATIVE_THAT.contains(&words[i - 1]);
            if last || after_verb {
                return true;
            }
        }
        if THIRD_PERSONS.contains(w) && !has_person_before(&words, &text_words, i) {
            return true;
        }
    }
    false
}

/// Whether a person is named before word `i`: a relation ("my sister and her husband"), a word
/// for people, or a capitalized name that does not open the clause.
fn has_person_before(words: &[&str], text_words: &[&str], i: usize) -> bool {
    words[..i].iter().enumerate().any(|(j, w)| {
        RELATIONS.contains(w)
            || PERSON_NOUNS.contains(w)
            || ((j > 0 || !crate::rules::words::is_stopword(w))
                && *w != "i"
                && text_words.len() == words.len()
                && text_words[j].chars().next().is_some_and(char::is_uppercase))
    })
}

/// Whether `phrase` occurs in `lower` at a word start.
fn contains_phrase(lower: &str, phrase: &str) -> bool {
    let mut from = 0;
    while let Some(at) = lower[from..].find(phrase) {
        let at = from + at;
        let starts_word = lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if starts_word {
            return true;
        }
        from = at + phrase.len();
    }
    false
}

/// The one thing a question names with capitals, not at its start ("Have you seen The
/// Office?" -> "The Office", "Do you like Mount Tam?" -> "Mount Tam"), when it names exactly
/// one.
pub(super) fn named_in_question(question: &str) -> Option<String> {
    if !question.trim_end().ends_with('?') {
        return None;
    }
    let words: Vec<&str> = question.split_whitespace().collect();
    let mut runs: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let core = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-');
        let capital = i > 0
            && core != "I"
            && !core.starts_with("I'")
            && core.chars().next().is_some_and(char::is_uppercase);
        let article = !current.is_empty() && matches!(core, "of" | "the" | "and" | "de");
        if capital || (article && i + 1 < words.len()) {
            current.push(core);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
        // A run ends at its punctuation ("Paris, or Rome?").
        if !current.is_empty() && w.ends_with([',', '?', '!', '.', ';', ':']) {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    // "Have you seen The Office" starts its run with "The" after "seen".
    for run in &mut runs {
        while run
            .last()
            .is_some_and(|w| matches!(*w, "of" | "the" | "and" | "de"))
        {
            run.pop();
        }
    }
    runs.retain(|r| !r.is_empty() && r.len() <= 5);
    match runs.as_slice() {
        [one] => Some(one.join(" ")),
        _ => None,
    }
}

/// A named place a sentence speaks of, with its preposition ("Spent the morning at the
/// Oakland food bank again." -> "at the Oakland food bank"): the last `at`/`in` phrase whose
/// words include a capitalized one, up to five words, cut at punctuation or a word of time.
pub(super) fn named_place(sentence: &str) -> Option<String> {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut best = None;
    for (i, w) in words.iter().enumerate() {
        if !matches!(*w, "at" | "in") {
            continue;
        }
        let mut phrase: Vec<&str> = Vec::new();
        for next in words.iter().skip(i + 1).take(5) {
            let core = next.trim_end_matches(|c: char| !c.is_alphanumeric());
            if core.is_empty() || PLACE_STOPS.contains(&core.to_ascii_lowercase().as_str()) {
                break;
            }
            phrase.push(core);
            if core.len() != next.len() {
                break;
            }
        }
        let named = phrase
            .iter()
            .any(|p| p.chars().next().is_some_and(char::is_uppercase));
        if named {
            best = Some(format!("{w} {}", phrase.join(" ")));
        }
    }
    best
}

/// Words that end a place phrase ("at the food bank again").
const PLACE_STOPS: &[&str] = &[
    "again",
    "today",
    "tonight",
    "this",
    "last",
    "with",
    "for",
    "and",
    "but",
    "yesterday",
    "on",
    "every",
    "when",
    "because",
];

/// The clause with its one back-pointing word replaced: "it", "that" or "them" by the thing
/// the question before named, "there" by the place the sentence before named; `None` unless
/// that leaves nothing dangling. Returns `(text, lower)`.
pub(super) fn resolve(
    text: &str,
    lower: &str,
    thing: Option<&str>,
    place: Option<&str>,
) -> Option<(String, String)> {
    let words = bare_words(lower);
    let (at, with) = words.iter().enumerate().find_map(|(i, w)| match *w {
        "it" | "that" | "them" => thing.map(|t| (i, t)),
        "there" => place.map(|p| (i, p)),
        _ => None,
    })?;
    // Only an object: "I love it", "I volunteer there", not "it was great".
    if at < 2 {
        return None;
    }
    let mut text_words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    if text_words.len() != words.len() {
        return None;
    }
    let tail: String = text_words[at]
        .chars()
        .skip_while(|c| c.is_alphanumeric() || *c == '\'')
        .collect();
    text_words[at] = format!("{with}{tail}");
    let text = text_words.join(" ");
    let lower = text.to_ascii_lowercase();
    (!dangles(&text, &lower)).then_some((text, lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> bool {
        dangles(text, &text.to_ascii_lowercase())
    }

    #[test]
    fn clauses_that_point_back_dangle() {
        for text in [
            "I like all of those games",
            "I've been playing them",
            "I also like the one where Dwight tries to get Jim fired",
            "I enjoy playing it",
            "I love that show",
            "I grew up there",
            "He works at Google",
        ] {
            assert!(check(text), "{text}");
        }
    }

    #[test]
    fn clauses_that_name_what_they_speak_of_do_not() {
        for text in [
            "I love the pasta that my mom makes",
            "My sister and her husband live in Berlin",
            "I have a dog named Max",
            "Anna and her kids live next door",
            "I love hiking in the mountains",
            "日本の音楽が好きです",
        ] {
            assert!(!check(text), "{text}");
        }
    }

    #[test]
    fn a_question_naming_one_thing_resolves_it() {
        assert_eq!(
            named_in_question("Have you seen The Office?").as_deref(),
            Some("The Office")
        );
        assert_eq!(
            named_in_question("Do you like Mount Tam?").as_deref(),
            Some("Mount Tam")
        );
        assert_eq!(named_in_question("Do you prefer Paris or Rome?"), None);
        assert_eq!(named_in_question("Paris, Rome, or Oslo?"), None);
        assert_eq!(named_in_question("How are you?"), None);
        assert_eq!(
            resolve("I love it", "i love it", Some("The Office"), None),
            Some((
                "I love The Office".to_owned(),
                "i love the office".to_owned()
            ))
        );
        assert_eq!(
            resolve("It is great", "it is great", Some("The Office"), None),
            None
        );
    }

    #[test]
    fn there_is_the_place_named_just_before() {
        let place = named_place("Spent the morning at the Oakland food bank again.");
        assert_eq!(place.as_deref(), Some("at the Oakland food bank"));
        assert_eq!(named_place("Spent the morning at home."), None);
        assert_eq!(
            resolve(
                "I volunteer there every Saturday",
                "i volunteer there every saturday",
                None,
                place.as_deref()
            )
            .map(|r| r.0)
            .as_deref(),
            Some("I volunteer at the Oakland food bank every Saturday")
        );
    }
}
