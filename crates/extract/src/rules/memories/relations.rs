//! The user's things and people: `My <noun> ...`, "my husband Mark", `<Name> is my
//! <relation>`, and the user's pronouns in the third person.

use crate::rules::lexicon::memories::{
    DOCTOR_CONTEXT, MY_NOUNS, PASSING, RELATION_ADJECTIVES, RELATIONS,
};

/// "My <noun> ..." -> "User's <noun> ...".
pub(super) fn possessive(text: &str, lower: &str, words: &[&str]) -> Option<String> {
    let rest_lower = lower.strip_prefix("my ")?;
    let rest_text = &text[3..];
    let noun = words
        .get(1)?
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-');
    if !MY_NOUNS.contains(&noun) {
        return None;
    }
    if words.len() < 3 {
        return None;
    }
    let tail_words = &words[2..];
    if tail_words
        .iter()
        .take(6)
        .any(|w| PASSING.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')))
    {
        return None;
    }
    // "my best friend", "my favorite X is Y": there must be a verb of being or a lasting verb.
    let verbs = [
        "is", "are", "was", "'s", "lives", "live", "works", "work", "loves", "love", "likes",
        "like", "has", "have", "plays", "play", "teaches", "owns", "speaks", "goes", "studies",
        "named", "called", "hates", "prefers", "runs", "calls", "visits", "cooks", "makes", "died",
        "passed", "turns", "turned", "moved", "retired", "lived", "grew", "got",
    ];
    let has_verb = words.iter().skip(1).any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        verbs.contains(&w)
            || w.ends_with("'s") && words.iter().position(|x| *x == w).is_some_and(|p| p > 1)
    });
    if !has_verb {
        // "my sister Anna's birthday" etc. without a verb is no statement.
        return None;
    }
    let _ = rest_lower;
    Some(format!("User's {}", pronouns(rest_text)))
}

/// People of the user's named anywhere in a sentence: "my (amazing) husband Mark",
/// "my manager, Kevin," -> "User's husband is Mark".
pub(super) fn named_relations(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for i in 0..words.len() {
        if !words[i].eq_ignore_ascii_case("my") {
            continue;
        }
        let mut j = i + 1;
        while words
            .get(j)
            .is_some_and(|w| RELATION_ADJECTIVES.contains(&w.to_ascii_lowercase().as_str()))
        {
            j += 1;
        }
        let Some(rel_word) = words.get(j) else {
            continue;
        };
        let rel = rel_word.trim_end_matches(',').to_ascii_lowercase();
        if !RELATIONS.contains(&rel.as_str()) {
            continue;
        }
        let Some(name_word) = words.get(j + 1) else {
            continue;
        };
        let name: String = name_word
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == '-' || *c == '\'')
            .collect();
        let name = name.trim_end_matches("'s").to_owned();
        let is_name = name.chars().next().is_some_and(char::is_uppercase)
            && name.chars().count() >= 2
            && !name.chars().all(char::is_uppercase)
            && !crate::rules::words::is_stopword(&name.to_ascii_lowercase());
        if is_name {
            out.push(format!("User's {rel} is {name}"));
        }
    }
    out
}

/// "<Name> is my <relation>" -> "User's <relation> is <Name>".
pub(super) fn named_relation(text: &str, words: &[&str]) -> Option<String> {
    let is_at = words.iter().position(|w| *w == "is")?;
    if is_at == 0 || is_at > 3 || words.get(is_at + 1) != Some(&"my") {
        return None;
    }
    let text_words: Vec<&str> = text.split_whitespace().collect();
    let name = text_words.get(..is_at)?.join(" ");
    if !name.chars().next().is_some_and(char::is_uppercase)
        || text_words[..is_at]
            .iter()
            .any(|w| !w.chars().next().is_some_and(char::is_uppercase))
    {
        return None;
    }
    let relation_words = text_words.get(is_at + 2..)?;
    let relation = relation_words.join(" ");
    let first = relation_words.first()?.to_ascii_lowercase();
    if !MY_NOUNS.contains(&first.as_str()) || relation_words.len() > 4 {
        return None;
    }
    Some(format!("User's {relation} is {name}"))
}

/// The user's words about themselves in the third person: "my" -> "their", "me" -> "them",
/// "myself" -> "themselves", "I" -> "they".
pub(super) fn pronouns(text: &str) -> String {
    text.split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let core_len = w.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
            let (core, tail) = w.split_at(core_len);
            let replaced = match core.to_ascii_lowercase().as_str() {
                "my" => "their",
                "me" => "them",
                "myself" => "themselves",
                "mine" => "theirs",
                "our" => "their",
                "ours" => "theirs",
                "i" => "they",
                "i'm" => "they're",
                "i've" => "they've",
                _ => return w.to_owned(),
            };
            format!("{replaced}{tail}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The user's doctor, named in the user's own record or words: "Dr. Smith's contact
/// information", "next appointment with Dr. Lee", "I saw Dr. Patel" -> "User's doctor is Dr.
/// Smith" ("dentist" when the sentence says so). The sentence must say something that makes
/// the doctor the user's (an appointment, a visit, contact details: `DOCTOR_CONTEXT`).
pub(super) fn doctor(text: &str, lower: &str) -> Option<String> {
    if !DOCTOR_CONTEXT.iter().any(|c| lower.contains(c)) {
        return None;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let title = word.to_ascii_lowercase();
        if !matches!(title.as_str(), "dr." | "dr" | "doctor") {
            continue;
        }
        let Some(name_word) = words.get(i + 1) else {
            continue;
        };
        let name: String = name_word
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == '-' || *c == '\'' || *c == '’')
            .collect();
        let name = name
            .strip_suffix("'s")
            .or_else(|| name.strip_suffix("’s"))
            .unwrap_or(&name)
            .trim_end_matches(['\'', '’']);
        let is_name = name.chars().next().is_some_and(char::is_uppercase)
            && name.chars().count() >= 2
            && !name.chars().all(char::is_uppercase)
            && !crate::rules::words::is_stopword(&name.to_ascii_lowercase());
        if !is_name {
            continue;
        }
        // "Dr. Hannah Weiss": a second capitalized word is the family name.
        let surname: String = words
            .get(i + 2)
            .filter(|_| !name_word.ends_with([',', '.', ';', ':']) && !name_word.contains('\''))
            .map(|w| {
                w.chars()
                    .take_while(|c| c.is_alphabetic() || *c == '-')
                    .collect::<String>()
            })
            .filter(|w| {
                w.chars().next().is_some_and(char::is_uppercase)
                    && w.chars().count() >= 2
                    && !crate::rules::words::is_stopword(&w.to_ascii_lowercase())
            })
            .unwrap_or_default();
        let name = if surname.is_empty() {
            name.to_owned()
        } else {
            format!("{name} {surname}")
        };
        let who = [
            "dentist",
            "pediatrician",
            "dermatologist",
            "therapist",
            "primary care",
        ]
        .into_iter()
        .find(|w| lower.contains(w))
        .map_or("doctor", |w| {
            if w == "primary care" {
                "primary care doctor"
            } else {
                w
            }
        });
        return Some(format!("User's {who} is Dr. {name}"));
    }
    None
}
