//! The user speaking of themselves: `I <verb> ...`, `I'm ...`, `I've been ...`, `I have ...`.

use super::relations::pronouns;
use crate::rules::lexicon::memories::{
    ACHIEVEMENTS, ADOPTED, ADVERBS, BODY_PARTS, DAILY_ROUTINES, DIETS, FACT_VERBS, HABIT_MARKERS,
    HABIT_VERBS, HAVE_BEEN, HAVE_DONE, HAVE_OBJECTS, LASTING_PURCHASES, LEFT, NOT_NAMES,
    NOT_STATES, PASSED, PASSIVE_ACHIEVEMENTS, PRONOUN_OBJECTS, SOUGHT, STATES,
};

/// Whether one of the first `n` words of `words` (punctuation trimmed) is in `list`.
fn any_of(words: &[&str], n: usize, list: &[&str]) -> bool {
    words.iter().take(n).any(|w| {
        list.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-'))
    })
}

/// Whether a verb of a one-off act states a lasting fact with this object: a house bought, a
/// dog adopted, an exam passed ("bought groceries", "passed the salt" are not).
fn lasting_act(base: &str, object_words: &[&str]) -> Option<bool> {
    let list = match base {
        "bought" => LASTING_PURCHASES,
        "adopted" => ADOPTED,
        "passed" => PASSED,
        "left" => LEFT,
        _ => return None,
    };
    Some(any_of(object_words, 6, list))
}

/// "I've gone gluten-free", "I went vegan", "I became vegetarian" -> "User is gluten-free".
pub(super) fn diet(lower: &str) -> Option<String> {
    let rest = [
        "i've gone ",
        "i have gone ",
        "i went ",
        "i've become ",
        "i have become ",
        "i became ",
    ]
    .iter()
    .find_map(|p| lower.strip_prefix(p))?;
    let word = rest
        .split_whitespace()
        .next()?
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
    DIETS.contains(&word).then(|| format!("User is {word}"))
}

/// "I <verb> ...", "I'm ...", "I am ...", "I've been ...", "I don't ...".
pub(super) fn first_person(text: &str, lower: &str) -> Option<String> {
    // "My wife and I love hiking" -> "User and their wife love hiking".
    if let Some(rest) = lower.strip_prefix("my ") {
        if let Some(and_i) = rest.find(" and i ") {
            let who = &text[3..3 + and_i];
            if who.split_whitespace().count() <= 2 {
                let after = &text[3 + and_i + " and i ".len()..];
                let verb = after.split_whitespace().next()?.to_ascii_lowercase();
                if FACT_VERBS.iter().any(|(v, _)| *v == verb)
                    && !HABIT_VERBS.contains(&verb.as_str())
                {
                    return Some(format!("User and their {who} {}", pronouns(after)));
                }
            }
        }
        return None;
    }
    if let Some(found) = diet(lower) {
        return Some(found);
    }
    // "We bought our first house", "we adopted a rescue dog": the household's lasting acts.
    for (we, verb) in [("we bought ", "bought"), ("we adopted ", "adopted")] {
        if let Some(rest) = lower.strip_prefix(we) {
            let words: Vec<&str> = rest.split_whitespace().collect();
            return lasting_act(verb, &words)
                .filter(|lasting| *lasting)
                .map(|_| format!("User {verb} {}", pronouns(&text[we.len()..])));
        }
    }
    // "We have two kids", "we love being near parks": the user's household.
    for (we, verb, third) in [
        ("we have ", "have", "has"),
        ("we've got ", "have", "has"),
        ("we love ", "love", "loves"),
        ("we like ", "like", "likes"),
        ("we enjoy ", "enjoy", "enjoys"),
        ("we live ", "live", "lives"),
        ("we own ", "own", "owns"),
    ] {
        if let Some(rest) = lower.strip_prefix(we) {
            let rest_text = &text[we.len()..];
            if verb == "have" {
                return have(rest_text, rest);
            }
            let first = rest.split_whitespace().next().unwrap_or_default();
            if PRONOUN_OBJECTS.contains(&first)
                || (verb == "live" && !matches!(first, "in" | "near" | "on" | "by"))
            {
                return None;
            }
            return Some(format!("User {third} {}", pronouns(rest_text)));
        }
    }
    let (subject_len, form) = if lower.starts_with("i'm ") {
        (4, Form::Am)
    } else if lower.starts_with("i am ") {
        (5, Form::Am)
    } else if lower.starts_with("i've ") {
        (5, Form::Have)
    } else if lower.starts_with("i have been ") {
        (7, Form::Have)
    } else if lower.starts_with("i ") {
        (2, Form::Verb)
    } else {
        return None;
    };
    let rest_text = &text[subject_len..];
    let rest = &lower[subject_len..];
    match form {
        Form::Am => {
            let mut rest = rest;
            while let Some(r) = [
                "also ",
                "really ",
                "actually ",
                "currently ",
                "still ",
                "now ",
                "basically ",
                "definitely ",
                "totally ",
                "honestly ",
                "officially ",
                "finally ",
            ]
            .iter()
            .find_map(|a| rest.strip_prefix(a))
            {
                rest = r;
            }
            let rest_text = &rest_text[rest_text.len() - rest.len()..];
            // "I'm 34" -> "User is 34 years old".
            let first = rest.split_whitespace().next().unwrap_or_default();
            if let Ok(age) = first.parse::<u32>() {
                let after: Vec<&str> = rest.split_whitespace().skip(1).collect();
                if (1..=120).contains(&age)
                    && (after.is_empty()
                        || after.starts_with(&["years", "old"])
                        || after[0] == "and")
                {
                    return Some(format!("User is {age} years old"));
                }
                return None;
            }
            if let Some(found) = own_name(rest_text).or_else(|| search(rest_text, rest)) {
                return Some(found);
            }
            // "a second" is a passing state, "a second-year student" is not.
            if NOT_STATES.iter().any(|n| {
                rest.strip_prefix(n).is_some_and(|after| {
                    n.ends_with(' ')
                        || after
                            .chars()
                            .next()
                            .is_none_or(|c| !c.is_alphanumeric() && c != '-')
                })
            }) {
                return None;
            }
            if !STATES.iter().any(|s| rest.starts_with(s)) {
                return None;
            }
            // "I'm a little ..." was dropped above; "I'm a nurse" needs a noun after "a".
            if (rest.starts_with("a ") || rest.starts_with("an "))
                && rest.split_whitespace().count() < 2
            {
                return None;
            }
            Some(format!("User is {}", pronouns(rest_text)))
        }
        Form::Have => {
            let rest_text_full = rest_text;
            if let Some(after) = rest.strip_prefix("been ") {
                let next = after.split_whitespace().next().unwrap_or_default();
                let ongoing = next.len() > 4
                    && next.ends_with("ing")
                    && !matches!(
                        next,
                        "thinking"
                            | "feeling"
                            | "trying"
                            | "going"
                            | "meaning"
                            | "wondering"
                            | "waiting"
                            | "looking"
                            | "getting"
                            | "hoping"
                            | "planning"
                            | "struggling"
                            | "dealing"
                            | "sleeping"
                            | "having"
                            | "busy"
                            | "working on"
                            | "talking"
                            | "reading"
                    );
                if ongoing || HAVE_BEEN.iter().any(|h| after.starts_with(h)) || member(after) {
                    let after_text = &rest_text_full[rest.len() - after.len()..];
                    return Some(format!("User has been {}", pronouns(after_text)));
                }
                return None;
            }
            let first = rest.split_whitespace().next()?;
            if first == "got" {
                // "I've got two kids" is "I have two kids".
                let after_text = rest_text_full.trim_start()[3..].trim_start();
                return have(after_text, &after_text.to_ascii_lowercase());
            }
            if HAVE_DONE.contains(&first) {
                return Some(format!(
                    "User has {}",
                    pronouns(rest_text_full.trim_start())
                ));
            }
            None
        }
        Form::Verb => {
            // Skip adverbs: "I really love", "I don't", "I never".
            let mut i = 0;
            let mut negation: Option<&str> = None;
            let mut adverbs: Vec<&str> = Vec::new();
            let rest_words: Vec<&str> = rest.split_whitespace().collect();
            let text_words: Vec<&str> = rest_text.split_whitespace().collect();
            if text_words.len() != rest_words.len() {
                return None;
            }
            while let Some(w) = rest_words.get(i) {
                if matches!(*w, "don't" | "do" if rest_words.get(i + 1) == Some(&"not") || *w == "don't")
                {
                    negation = Some("doesn't");
                    i += if *w == "do" { 2 } else { 1 };
                } else if matches!(*w, "never") {
                    negation = Some("never");
                    i += 1;
                } else if ADVERBS.contains(w) && i < 3 {
                    if !matches!(
                        *w,
                        "do" | "kind"
                            | "kinda"
                            | "sort"
                            | "of"
                            | "just"
                            | "actually"
                            | "honestly"
                            | "literally"
                            | "basically"
                            | "personally"
                            | "genuinely"
                            | "seriously"
                            | "secretly"
                            | "low-key"
                            | "lowkey"
                            | "finally"
                    ) {
                        adverbs.push(text_words[i]);
                    }
                    i += 1;
                } else {
                    break;
                }
            }
            let verb = *rest_words.get(i)?;
            let (base, third) = FACT_VERBS.iter().find(|(v, _)| *v == verb)?;
            let object_words = &rest_words[i + 1..];
            let object_text = text_words[i + 1..].join(" ");
            let first_object = object_words.first().copied().unwrap_or("");
            if object_words.is_empty() {
                return None;
            }
            if PRONOUN_OBJECTS
                .contains(&first_object.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
                && !matches!(
                    *base,
                    "have"
                        | "was"
                        | "go"
                        | "play"
                        | "grew"
                        | "used"
                        | "moved"
                        | "met"
                        | "married"
                        | "can't"
                        | "cannot"
                        | "take"
                        | "call"
                        | "visit"
                        | "read"
                        | "watch"
                        | "drink"
                        | "eat"
                        | "listen"
                        | "work"
                        | "live"
                )
            {
                return None;
            }
            let habit_ok = || {
                let joined = object_words.join(" ");
                // "I wake up at 6", "I go to bed at 11": a daily routine is a habit.
                DAILY_ROUTINES.iter().any(|r| lower.starts_with(r))
                    || adverbs
                        .iter()
                        .any(|a| HABIT_MARKERS.contains(&a.to_ascii_lowercase().as_str()))
                    || negation.is_some()
                    || HABIT_MARKERS.iter().any(|m| {
                        if m.contains(' ') {
                            joined.contains(m)
                        } else {
                            object_words
                                .iter()
                                .any(|w| w.trim_matches(|c: char| !c.is_alphanumeric()) == *m)
                        }
                    })
            };
            let object = pronouns(&object_text);
            let adverb_text = if adverbs.is_empty() {
                String::new()
            } else {
                format!("{} ", adverbs.join(" "))
            };
            match *base {
                "have" => {
                    if negation.is_some() {
                        return None;
                    }
                    return have(&object_text, &object_words.join(" "));
                }
                "was" => {
                    // "I was born in ..." only.
                    if first_object == "born" {
                        return Some(format!("User was {object}"));
                    }
                    // "Just got engaged to Laura": an engagement or a wedding is something
                    // the user got.
                    if matches!(first_object, "engaged" | "married") {
                        return Some(format!("User got {object}"));
                    }
                    // "I was promoted to Engineering Manager", "I was accepted into Stanford".
                    if PASSIVE_ACHIEVEMENTS.contains(&first_object)
                        && (object_words.len() >= 3
                            || matches!(first_object, "engaged" | "married"))
                    {
                        return Some(format!("User was {object}"));
                    }
                    return None;
                }
                "grew" => {
                    return (first_object == "up").then(|| format!("User grew {object}"));
                }
                "used" => {
                    return (first_object == "to").then(|| format!("User used {object}"));
                }
                "accepted" | "joined" | "started" | "began" => {
                    // "I accepted a job in Denver", "I started growing tomatoes".
                    let lasting = object_words.iter().take(4).any(|w| {
                        matches!(
                            w.trim_matches(|c: char| !c.is_alphanumeric()),
                            "job"
                                | "offer"
                                | "position"
                                | "role"
                                | "team"
                                | "company"
                                | "band"
                                | "club"
                                | "choir"
                                | "gym"
                                | "league"
                        )
                    }) || first_object.ends_with("ing")
                        || first_object == "to"
                        || object_words.contains(&"as");
                    return lasting.then(|| format!("User {adverb_text}{third} {object}"));
                }
                "finished" | "completed" => {
                    // "I finished my first marathon", not "I finished the dishes".
                    let achieved =
                        object_words.iter().take(5).any(|w| {
                            ACHIEVEMENTS.contains(&w.trim_matches(|c: char| {
                                !c.is_alphanumeric() && c != '\'' && c != '-'
                            }))
                        });
                    return achieved.then(|| format!("User {adverb_text}{third} {object}"));
                }
                "bought" | "adopted" | "passed" | "left" => {
                    return lasting_act(base, object_words)
                        .filter(|lasting| *lasting)
                        .map(|_| format!("User {adverb_text}{third} {object}"));
                }
                "tore" | "broke" if any_of(object_words, 3, BODY_PARTS) => {
                    // An injury is part of the user's health history.
                    return Some(format!("User {adverb_text}{third} {object}"));
                }
                "tore" | "broke" | "quit" | "won" | "lived" | "played" | "ran" => {
                    // Biography: "I tore my ACL playing soccer in college", "I lived in Lisbon".
                    let joined = object_words.join(" ");
                    let biographical = *base == "lived"
                        || *base == "quit"
                        || (*base == "ran"
                            && (joined.contains("marathon") || joined.contains("race")))
                        || (*base == "won" && !object_words.is_empty())
                        || [
                            "in college",
                            "in high school",
                            "in school",
                            "as a kid",
                            "as a child",
                            "growing up",
                            "years",
                            "in university",
                        ]
                        .iter()
                        .any(|m| joined.contains(m));
                    return biographical.then(|| format!("User {adverb_text}{third} {object}"));
                }
                "moved" | "graduated" | "studied" | "met" | "married" | "founded" => {
                    // Past facts that last: "I moved to Denver in 2019", "I met my wife in college".
                    if *base == "met"
                        && !object_words.iter().any(|w| {
                            w.trim_end_matches(|c: char| !c.is_alphanumeric()) == "my" || *w == "my"
                        })
                    {
                        return None;
                    }
                    return Some(format!("User {adverb_text}{third} {object}"));
                }
                "can't" | "cannot" => {
                    // "I can't stand cilantro", "I can't eat gluten".
                    if matches!(
                        first_object,
                        "stand" | "eat" | "drink" | "have" | "swim" | "drive" | "tolerate"
                    ) {
                        return Some(format!("User can't {object}"));
                    }
                    return None;
                }
                _ => {}
            }
            // "I drive an old 2009 Corolla", "I drive a Subaru": the car is a lasting fact.
            let drives_a_car = *base == "drive"
                && matches!(first_object, "a" | "an" | "the")
                && text_words[i + 1..].iter().take(4).any(|w| {
                    w.chars().next().is_some_and(char::is_uppercase)
                        || (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))
                });
            if HABIT_VERBS.contains(base) && !habit_ok() && !drives_a_car {
                return None;
            }
            let first_bare = first_object.trim_end_matches([',', '.', ';', '!']);
            if *base == "work"
                && !object_words.first().is_some_and(|_| {
                    matches!(
                        first_bare,
                        "at" | "as"
                            | "for"
                            | "in"
                            | "with"
                            | "from"
                            | "remotely"
                            | "part-time"
                            | "full-time"
                            | "nights"
                            | "on"
                            | "two"
                            | "three"
                            | "out"
                    )
                })
            {
                return None;
            }
            if *base == "live"
                && !object_words.first().is_some_and(|_| {
                    matches!(
                        first_bare,
                        "in" | "on"
                            | "near"
                            | "with"
                            | "alone"
                            | "by"
                            | "at"
                            | "close"
                            | "outside"
                            | "downtown"
                            | "next"
                            | "across"
                            | "right"
                    )
                })
            {
                return None;
            }
            Some(match negation {
                Some("doesn't") => format!("User {adverb_text}doesn't {base} {object}"),
                Some(_) => format!("User {adverb_text}never {base} {object}"),
                None => format!("User {adverb_text}{third} {object}"),
            })
        }
    }
}

/// "I'm Sam" -> "User's name is Sam": one capitalized word that is no belief or demonym
/// ("I'm Catholic", "I'm Canadian", "I'm Japanese").
fn own_name(rest_text: &str) -> Option<String> {
    let name = rest_text.trim().trim_end_matches(['.', '!', ',']);
    let lower = name.to_lowercase();
    let demonym = ["ese", "ish", "ian", "can", "ean", "ch", "i"]
        .iter()
        .any(|e| lower.ends_with(e));
    let is_name = name.chars().next().is_some_and(char::is_uppercase)
        && name.chars().count() >= 2
        && name.chars().all(char::is_alphabetic)
        && !name.chars().all(char::is_uppercase)
        && !NOT_NAMES.contains(&lower.as_str());
    (is_name && !demonym).then(|| format!("User's name is {name}"))
}

/// "I'm looking for a fully remote role" -> "User is looking for a fully remote role": a
/// search for a job or a home lasts, unlike looking for one's keys.
fn search(rest_text: &str, rest: &str) -> Option<String> {
    let sought = ["looking for a ", "looking for an ", "looking for a new "]
        .iter()
        .any(|p| rest.starts_with(p))
        && rest
            .split_whitespace()
            .take(7)
            .any(|w| SOUGHT.contains(&w.trim_matches(|c: char| !c.is_alphanumeric())));
    sought.then(|| format!("User is {}", pronouns(rest_text)))
}

/// "on the platform team", "part of the board": the user's place in a group, after "I've been".
fn member(after: &str) -> bool {
    (after.starts_with("on the ") || after.starts_with("part of "))
        && after.split_whitespace().take(6).any(|w| {
            matches!(
                w.trim_matches(|c: char| !c.is_alphanumeric()),
                "team" | "board" | "committee" | "crew" | "staff" | "council"
            )
        })
}

#[derive(Clone, Copy)]
enum Form {
    Am,
    Have,
    Verb,
}

/// What the user has that is a fact: family, pets, conditions, degrees ("I have two kids",
/// "I have a dog named Max", "I have asthma").
fn have(object_text: &str, object: &str) -> Option<String> {
    let words: Vec<&str> = object.split_whitespace().collect();
    let hit = words.iter().take(5).any(|w| {
        HAVE_OBJECTS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
    });
    let first = words.first().copied().unwrap_or("");
    if !hit || matches!(first, "to" | "got" | "been" | "no" | "nothing" | "any") {
        return None;
    }
    Some(format!("User has {}", pronouns(object_text)))
}
