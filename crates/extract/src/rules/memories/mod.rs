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
//! - `<Name> is my <relation>` ("Tom is my brother-in-law");
//! - `<Name> is <age or lasting state>` about the user's people ("Mia is allergic to
//!   peanuts", "Ava is 9").
//!
//! and none of these: a question, a wish or plan ("I want to", "I'll", "I'm going to"), a task
//! ("I need to", "I have to"), a passing state ("I'm tired", "my phone is dead"), a moment
//! ("tomorrow", "last week", "right now", "at 7pm"), or a pronoun for an object ("I love it").
//!
//! The rules are split by concern: `clauses` cuts a sentence into clauses, `first_person`
//! reads "I ..." clauses, `relations` reads "my ..." clauses and the user's named people, and
//! `lexicon` holds every word list they read.

mod birthdays;
mod clauses;
mod first_person;
mod household;
mod implicit;
mod people;
mod records;
mod reference;
mod relations;
mod speakers;

use omi_model::MemoryCategory;

use super::Doc;
use super::sentences::Sentence;
use super::when;
use crate::ExtractedMemory;
use crate::rules::lexicon::memories::{
    DAILY_ROUTINES, FREQUENCY_MARKERS, GOAL_OPENINGS, GOAL_VERBS, HEDGES, MOMENT_WORDS,
    NOT_FACT_WORDS, NOTABLE, PRONOUN_OBJECTS, RELATIONS,
};
use clauses::{clauses, statement_before_tag};
use first_person::{diet, first_person};
use relations::{doctor, named_relation, named_relations, possessive, pronouns};

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
    push_new(&mut out, speakers::doctor_speakers(doc));
    let others = doc.others();
    // The one person named last, whom "he" or "she" means ("How's Biscuit doing?").
    let mut named: Option<String> = None;
    for (index, s) in doc.sentences.iter().enumerate() {
        if !s.by_user {
            if let Some(thing) = reference::named_in_question(&s.text) {
                named = Some(thing);
            }
            continue;
        }
        if s.word_count() > 45 {
            continue;
        }
        // "I'm vegan though, is that ok?": the statement before a tag question is read.
        let statement;
        let s = if s.is_question() {
            match statement_before_tag(s) {
                Some(found) => {
                    statement = found;
                    &statement
                }
                None => continue,
            }
        } else {
            s
        };
        // "Dr. Smith's contact information: ...": who the user's doctor is.
        if let Some(content) = doctor(&s.text, &s.lower)
            && !out.iter().any(|m: &ExtractedMemory| m.content == content)
        {
            out.push(ExtractedMemory {
                content,
                category: MemoryCategory::System,
            });
        }
        // "Allergies: penicillin", "Lisinopril 10mg every morning": the user's own record.
        if (doc.speaker(s).is_none() || doc.parsed.turns.get(s.turn).is_some_and(|t| t.is_user))
            && let Some(content) = records::record_fact(&s.text, &s.lower)
        {
            if !out.iter().any(|m: &ExtractedMemory| m.content == content) {
                let category = categorize_memory(&content);
                out.push(ExtractedMemory { content, category });
            }
            continue;
        }
        // "Lab results: cholesterol 210 (borderline high)": the user's flagged values.
        if doc.speaker(s).is_none() {
            push_new(&mut out, records::lab_flags(&s.text, &s.lower));
        }
        // "My daughter loves swimming", "the kids are excited": the user has them.
        push_new(&mut out, household::implied(&s.lower));
        // "Mia is allergic to peanuts", "Ava is 9": facts about the user's people.
        if introduces_someone(&s.lower) {
            named = None;
        }
        for (name, fact) in people::facts(&s.text, &others, named.as_deref()) {
            push_new(&mut out, [fact]);
            named = Some(name);
        }
        // "Happy birthday Maya!", "Mom (birthday Oct 12)": the birthdays of the user's people.
        push_new(&mut out, birthdays::birthday(s, doc.started_at));
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
                if achievement
                    && out.len() == first
                    && let Some(detail) = doc.sentences.get(index + 1).and_then(|n| detail(s, n))
                {
                    content = format!("{content}, {detail}");
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

/// Whether a sentence brings in another of the user's people ("my dad called"), after whom
/// "he" or "she" no longer means the one named before.
fn introduces_someone(lower: &str) -> bool {
    lower
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|pair| {
            pair[0] == "my"
                && RELATIONS.contains(&pair[1].trim_end_matches(|c: char| !c.is_alphanumeric()))
        })
}

/// Add the facts not found yet, each with its category.
fn push_new(out: &mut Vec<ExtractedMemory>, found: impl IntoIterator<Item = String>) {
    for content in found {
        if !out.iter().any(|m| m.content == content) {
            let category = categorize_memory(&content);
            out.push(ExtractedMemory { content, category });
        }
    }
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
    // "We also adopted a cat", "we finally bought a house": the adverb is left out.
    for (adverb, plain) in [
        ("we also ", "we "),
        ("we just ", "we "),
        ("we finally ", "we "),
        ("we recently ", "we "),
    ] {
        if normalized.lower.starts_with(adverb) {
            normalized.text = format!("We {}", &normalized.text[adverb.len()..]);
            normalized.lower = format!("{plain}{}", &normalized.lower[adverb.len()..]);
        }
    }
    // "On Sundays I call my grandmother": a habit's days said first go after the fact.
    if let Some(rest_at) = leading_habit_time(&normalized.lower) {
        let when = normalized.text[..rest_at].trim().trim_end_matches(',');
        let mut chars = when.chars();
        let when: String = chars
            .next()
            .map(|c| c.to_lowercase().chain(chars).collect())
            .unwrap_or_default();
        normalized.text = format!("{} {when}", &normalized.text[rest_at..]);
        normalized.lower = normalized.text.to_ascii_lowercase();
    }
    // "I walk to work now", "I live alone now": a trailing "now" marks a change that lasts,
    // not a moment.
    for tail in [" now", " these days", " nowadays"] {
        if let Some(kept) = normalized.lower.strip_suffix(tail) {
            let at = kept.len();
            normalized.text.truncate(at);
            normalized.lower.truncate(at);
        }
    }
    let (text, lower) = (normalized.text.as_str(), normalized.lower.as_str());
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.len() < 2 || words.len() > 30 {
        return None;
    }
    // "I've gone gluten-free this year": a diet taken up lasts, whenever it began.
    if let Some(found) = diet(lower) {
        return Some(found);
    }
    // "I wake up at 6 every day", "I get up at 5": a habit's time is part of it, not a
    // moment, and "now" in it marks a change that lasts ("I get migraines twice a month now
    // instead of every week").
    let habitual = has_any_word(&words, FREQUENCY_MARKERS)
        || DAILY_ROUTINES.iter().any(|r| lower.starts_with(r));
    let moment_words: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !(habitual && matches!(*w, "now" | "nowadays")))
        .collect();
    let is_birthday =
        lower.contains("birthday") || lower.contains("anniversary") || lower.contains("born on");
    // "I tore my ACL two years ago", "I started running three years ago": years ago date a
    // lasting fact of the user's past; the verb rules still decide whether it is one.
    let long_ago = [" years ago", " decades ago", " year ago"]
        .iter()
        .any(|p| lower.ends_with(p) || lower.contains(&format!("{p} ")));
    if has_any_word(&moment_words, MOMENT_WORDS) && !is_birthday && !long_ago {
        return None;
    }
    if !is_birthday
        && !long_ago
        && !normalized.achievement
        && !habitual
        && has_moment(&without_model_years(lower), doc)
    {
        return None;
    }
    if let Some(goal) = goal(text, lower) {
        return Some(goal);
    }
    if has_any_phrase(lower, &unhedged(&words), NOT_FACT_WORDS) {
        return None;
    }
    let out = first_person(text, lower)
        .or_else(|| possessive(text, lower, &words))
        .or_else(|| named_relation(text, &words))
        .or_else(|| favorite_named_first(text, lower))?;
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

/// The clause without model years ("an old 2009 corolla", "my 2018 honda civic"): a year
/// right before a name of a make or model dates the thing, not the clause.
fn without_model_years(lower: &str) -> String {
    let words: Vec<&str> = lower.split_whitespace().collect();
    words
        .iter()
        .enumerate()
        .filter(|(i, w)| {
            let year = w.len() == 4 && w.chars().all(|c| c.is_ascii_digit());
            let owned = i
                .checked_sub(1)
                .and_then(|p| words.get(p))
                .is_some_and(|p| matches!(*p, "a" | "an" | "my" | "our" | "old" | "new"));
            !(year && owned && words.get(i + 1).is_some_and(|n| n.len() > 2))
        })
        .map(|(_, w)| *w)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words without the hedges that only round a figure ("maybe twice a month", "probably
/// 3 times"): such a hedge is no doubt about the fact.
fn unhedged<'a>(words: &[&'a str]) -> Vec<&'a str> {
    words
        .iter()
        .enumerate()
        .filter(|(i, w)| {
            let amount = words.get(i + 1).is_some_and(|n| {
                n.starts_with(|c: char| c.is_ascii_digit())
                    || matches!(*n, "once" | "twice" | "two" | "three" | "four" | "five")
            });
            !(HEDGES.contains(w) && amount)
        })
        .map(|(_, w)| *w)
        .collect()
}

/// Where "I ..." starts after a habit's time said first ("on sundays i call", "every morning,
/// i run"), if the clause opens with one.
fn leading_habit_time(lower: &str) -> Option<usize> {
    let words: Vec<&str> = lower.split_whitespace().collect();
    let habitual = match words.as_slice() {
        ["on", day, ..] => day.trim_end_matches(',').ends_with("days"),
        ["every", _, ..] => true,
        [first, ..] => first.trim_end_matches(',').ends_with("days") && first.len() > 5,
        [] => false,
    };
    if !habitual {
        return None;
    }
    let at = [" i ", ", i "]
        .iter()
        .filter_map(|p| lower.find(p).map(|at| at + p.len() - 2))
        .min()?;
    (lower[..at].split_whitespace().count() <= 3).then_some(at)
}

/// A lasting goal of the user's: "I want to pass the JLPT N4 in December", "my goal is to
/// run a marathon" -> "User wants to ...". The verb after the opening must be one of a goal
/// (`GOAL_VERBS`: become, learn, move, run...), so "I want to grab lunch" is no goal, and a
/// goal has no moment of its own ("I want to go home tonight").
fn goal(text: &str, lower: &str) -> Option<String> {
    let opening = GOAL_OPENINGS.iter().find(|o| lower.starts_with(*o))?;
    let rest_lower = &lower[opening.len()..];
    let rest_text = &text[opening.len()..];
    let rest_words: Vec<&str> = rest_lower.split_whitespace().collect();
    let verb = *rest_words.first()?;
    if !GOAL_VERBS.contains(&verb)
        || rest_words.len() < 2
        || rest_words.len() > 15
        || has_any_word(&rest_words, MOMENT_WORDS)
        || has_any_word(
            &rest_words,
            &["this", "that", "it", "you", "them", "there", "some"],
        )
        || (verb == "go" && !matches!(rest_words.get(1), Some(&"back")))
    {
        return None;
    }
    let rest = pronouns(rest_text.trim_end_matches(|c: char| !c.is_alphanumeric()));
    Some(format!("User wants to {rest}"))
}

/// "Kyoto was my favorite city" -> "User's favorite city is Kyoto": a thing named before "is
/// my favorite" (or "was"), a name or a short noun phrase, not a pronoun.
fn favorite_named_first(text: &str, lower: &str) -> Option<String> {
    let (at, marker) = [
        " is my favorite ",
        " was my favorite ",
        " is my favourite ",
        " was my favourite ",
    ]
    .iter()
    .find_map(|m| lower.find(m).map(|at| (at, *m)))?;
    let subject = text[..at].trim();
    let subject_words: Vec<&str> = subject.split_whitespace().collect();
    let first = subject_words.first()?.to_ascii_lowercase();
    if subject_words.len() > 5
        || PRONOUN_OBJECTS.contains(&first.as_str())
        || matches!(
            first.as_str(),
            "he" | "she" | "they" | "which" | "who" | "there" | "and" | "but"
        )
    {
        return None;
    }
    let mut what: Vec<&str> = Vec::new();
    for w in text[at + marker.len()..].split_whitespace().take(4) {
        let ends = w.ends_with([',', '.', '!', ';', '?']);
        what.push(w.trim_end_matches([',', '.', '!', ';', '?']));
        if ends {
            break;
        }
    }
    let thing = what.join(" ");
    if thing.is_empty() {
        return None;
    }
    Some(format!("User's favorite {thing} is {subject}"))
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
    fn routines_denials_with_only_and_the_users_people_are_facts() {
        check(
            "My routine: I wake up at 6. I don't drink coffee, only green tea.",
            &[
                "User wakes up at 6",
                "User doesn't drink coffee",
                "User drinks green tea",
            ],
        );
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        let found: Vec<String> = find(&Doc::new(
            "Dana: How's Biscuit doing?\nMe: Better, thanks.\nDana: Poor pup.\nMe: He's 12 now, so I worry a lot.",
            TextKind::Message,
            start,
        ))
        .into_iter()
        .map(|m| m.content)
        .collect();
        assert_eq!(found, ["Biscuit is 12 years old"]);
        let found: Vec<String> = find(&Doc::new(
            "Dana: How's Biscuit doing?\nMe: My dad is visiting. He's 70 now.",
            TextKind::Message,
            start,
        ))
        .into_iter()
        .map(|m| m.content)
        .collect();
        assert!(found.iter().all(|m| !m.contains("Biscuit")), "{found:?}");
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
    fn lasting_goals_are_facts_but_errands_are_not() {
        check("I want to learn French.", &["User wants to learn French"]);
        check(
            "My goal is to run a marathon before I turn 40.",
            &["User wants to run a marathon before they turn 40"],
        );
        check("I want to pick it up.", &[]);
    }

    #[test]
    fn one_off_acts_are_facts_only_when_they_last() {
        check(
            "We bought our first house in Portland.",
            &["User bought their first house in Portland"],
        );
        check("I bought groceries.", &[]);
        check(
            "I left my job at the bank.",
            &["User left their job at the bank"],
        );
        check("I left my keys at home.", &[]);
        check(
            "I tore my ACL playing football in March.",
            &["User tore their ACL playing football in March"],
        );
        check(
            "Passed my driving test today!",
            &["User passed their driving test"],
        );
        check("I've gone gluten-free.", &["User is gluten-free"]);
        check("I play bass.", &["User plays bass"]);
        check(
            "Kyoto was my favorite city.",
            &["User's favorite city is Kyoto"],
        );
        check(
            "On Sundays I call my grandmother.",
            &["User calls their grandmother on Sundays"],
        );
        check(
            "My routine: I usually cycle to work.",
            &["User usually cycles to work"],
        );
    }

    #[test]
    fn facts_hidden_in_a_longer_sentence_are_read() {
        check(
            "I grew up in Nairobi and moved to Toronto for university.",
            &[
                "User grew up in Nairobi",
                "User moved to Toronto for university",
            ],
        );
        check("I'm vegan though, is that ok?", &["User is vegan"]);
        check("Is that ok, I'm vegan?", &[]);
        check(
            "My routine: I wake up at 6 every day.",
            &["User wakes up at 6 every day"],
        );
        check(
            "I get migraines maybe twice a month.",
            &["User gets migraines maybe twice a month"],
        );
        check(
            "I'm Sam, I moved here from Dublin.",
            &["User's name is Sam", "User moved here from Dublin"],
        );
        check("I'm Canadian.", &[]);
        check(
            "I've been on the platform team for two years.",
            &["User has been on the platform team for two years"],
        );
        check(
            "I'm looking for a fully remote role.",
            &["User is looking for a fully remote role"],
        );
        check("I'm looking for a pen.", &[]);
        check(
            "I just got engaged to my best friend Laura.",
            &["User got engaged to their best friend Laura"],
        );
    }

    #[test]
    fn tasks_moments_wishes_and_passing_states_are_not_facts() {
        check("I need to call the dentist.", &[]);
        check("I'm going to Paris next week.", &[]);
        check("I want to grab lunch.", &[]);
        check("I want to go home tonight.", &[]);
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
