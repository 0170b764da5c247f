//! What the user's words imply they have: "my daughter loves swimming" -> "User has a
//! daughter"; "the kids are excited", "a big yard for the dogs", "more grandkids" -> "User
//! has kids", "User has dogs", "User has grandkids". Read only in the user's own sentences.

use crate::rules::lexicon::memories::{HOUSEHOLD_PLURALS, HOUSEHOLD_SINGULARS, POSSESSIONS};

/// The household members a lower-case sentence of the user's names, as "User has ..." facts.
/// A noun followed by "'s" names something of theirs, not them ("the children's hospital").
pub(super) fn implied(lower: &str) -> Vec<String> {
    let words: Vec<&str> = lower.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    for pair in words.windows(2) {
        let (before, noun) = (pair[0], pair[1]);
        if noun.contains('\'') || noun.contains('’') {
            continue;
        }
        let noun = noun.trim_end_matches(|c: char| !c.is_alphanumeric());
        let fact = if HOUSEHOLD_PLURALS.contains(&noun)
            && matches!(before, "my" | "our" | "the" | "more")
        {
            format!("User has {noun}")
        } else if HOUSEHOLD_SINGULARS.contains(&noun) && before == "my" {
            format!("User has a {noun}")
        } else {
            continue;
        };
        if !out.contains(&fact) {
            out.push(fact);
        }
    }
    out.extend(possession(&words));
    out
}

/// "from my backyard garden" -> "User has a backyard garden": a thing of the user's that
/// lasts, after "my" with at most one word between.
fn possession(words: &[&str]) -> Option<String> {
    let my = words.iter().position(|w| *w == "my")?;
    let after = words.get(my + 1..(my + 3).min(words.len()))?;
    let at = after.iter().position(|w| {
        !w.contains('\'')
            && POSSESSIONS.contains(&w.trim_end_matches(|c: char| !c.is_alphanumeric()))
    })?;
    let thing: Vec<&str> = after[..=at]
        .iter()
        .map(|w| w.trim_end_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    if thing.len() == 2 && !thing[0].chars().all(char::is_alphabetic) {
        return None;
    }
    Some(format!("User has a {}", thing.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::implied;

    #[test]
    fn the_users_people_and_pets_said_in_passing_are_theirs() {
        assert_eq!(
            implied("my daughter loves swimming too"),
            ["User has a daughter"]
        );
        assert_eq!(implied("the kids are excited."), ["User has kids"]);
        assert_eq!(implied("a big yard for the dogs, and"), ["User has dogs"]);
        assert!(implied("riding for the children's hospital").is_empty());
        assert!(implied("the daughter of a friend").is_empty());
        assert_eq!(
            implied("first tomatoes from my backyard garden"),
            ["User has a backyard garden"]
        );
    }
}
