//! The user's own records: a health note's fields ("Allergies: penicillin, shellfish",
//! "Insurance: BlueShield PPO", "Diagnosis: celiac disease") and the medicines taken every
//! day ("Lisinopril 10mg every morning for blood pressure"). Read only in a text with no
//! speakers or in the user's own turn, so they are the user's.

use crate::rules::lexicon::memories::{HEALTHY_RANGES, LAB_CONTEXT, LAB_FLAGS};

/// Words of a regular dose: a medicine taken with one of these is taken for good, unlike a
/// course ("3 times daily for 10 days").
const ONGOING: &[&str] = &[
    "every morning",
    "every evening",
    "every night",
    "every day",
    "daily",
    "nightly",
    "once a day",
    "twice a day",
    "at bedtime",
    "each morning",
    "each night",
];

/// Units of a dose ("10mg", "2000 IU").
const UNITS: &[&str] = &["mg", "mcg", "µg", "iu", "ml", "g", "units"];

/// A fact of the user's from one line of their own record, or `None`.
pub(super) fn record_fact(text: &str, lower: &str) -> Option<String> {
    field(text, lower).or_else(|| medicine(text, lower))
}

/// "Allergies: penicillin, shellfish" -> "User is allergic to penicillin and shellfish";
/// "Insurance: BlueShield PPO" -> "User has BlueShield PPO insurance"; "Diagnosis: asthma" ->
/// "User has asthma"; "Blood type: O+" -> "User's blood type is O+".
fn field(text: &str, lower: &str) -> Option<String> {
    let colon = lower.find(':')?;
    let name = lower[..colon].trim();
    let value = text[colon + 1..].trim().trim_end_matches(['.', ';', ',']);
    if value.is_empty() || value.chars().count() > 80 || value.contains(':') {
        return None;
    }
    let items = || {
        let parts: Vec<&str> = value
            .split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        match parts.as_slice() {
            [] => None,
            [one] => Some((*one).to_owned()),
            [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
        }
    };
    let none = matches!(
        value.to_ascii_lowercase().as_str(),
        "none" | "n/a" | "na" | "nka" | "nkda" | "no known allergies" | "-"
    );
    if none {
        return None;
    }
    match name {
        "allergies" | "allergic to" | "allergy" | "drug allergies" => {
            Some(format!("User is allergic to {}", items()?.to_lowercase()))
        }
        "insurance" | "insurer" | "health insurance" => Some(format!("User has {value} insurance")),
        "diagnosis" | "diagnoses" | "conditions" | "condition" | "medical conditions" => {
            Some(format!("User has {}", items()?))
        }
        "blood type" | "blood group" => Some(format!("User's blood type is {value}")),
        _ => None,
    }
}

/// "Lisinopril 10mg every morning for blood pressure" -> "User takes Lisinopril every
/// morning for blood pressure": a name, a dose, and a regular time, with no end ("for 10
/// days" is a course, not a fact).
fn medicine(text: &str, lower: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let first = *words.first()?;
    if !first.chars().next().is_some_and(char::is_uppercase)
        || !ONGOING.iter().any(|o| lower.contains(o))
        || lower.contains(" days")
        || lower.contains(" weeks")
        || words.len() > 14
    {
        return None;
    }
    // Where the dose is: "10mg", or "2000 IU".
    let dose_at = words.iter().enumerate().position(|(i, w)| {
        let w = w.to_lowercase();
        let digits = w.chars().take_while(char::is_ascii_digit).count();
        let unit = w[digits..].trim_end_matches([',', '.']);
        (digits > 0 && UNITS.contains(&unit))
            || (digits == w.len()
                && words
                    .get(i + 1)
                    .is_some_and(|u| UNITS.contains(&u.to_lowercase().as_str())))
    })?;
    if dose_at == 0 || dose_at > 3 {
        return None;
    }
    let unit_words = if words[dose_at].chars().all(|c| c.is_ascii_digit()) {
        2
    } else {
        1
    };
    let name = words[..dose_at].join(" ");
    let rest: Vec<&str> = words[dose_at + unit_words..]
        .iter()
        .copied()
        .skip_while(|w| *w == "-" || w.eq_ignore_ascii_case("take") || *w == ",")
        .collect();
    if rest.is_empty() {
        return None;
    }
    let rest = rest.join(" ");
    Some(format!(
        "User takes {name} {}",
        rest.trim_end_matches(['.', ';', ','])
    ))
}

/// Flagged values of the user's lab results: "Lab results: cholesterol 210 (borderline high),
/// vitamin D low" -> "User has borderline high cholesterol", "User has low vitamin D"; "A1C
/// is 6.1, in the prediabetes range" -> "User has prediabetes". Read only on a line that
/// says it gives results.
pub(super) fn lab_flags(text: &str, lower: &str) -> Vec<String> {
    if !LAB_CONTEXT.iter().any(|c| lower.contains(c)) {
        return Vec::new();
    }
    let body = lower.find(':').map_or(0, |at| at + 1);
    let mut out = Vec::new();
    for part in text[body..].split([',', ';']) {
        let part = part.trim().trim_end_matches(['.', ')', ' ']);
        if let Some(found) = flagged(part).or_else(|| in_range(part)) {
            out.push(found);
        }
    }
    out
}

/// "cholesterol 210 (borderline high" -> "User has borderline high cholesterol".
fn flagged(part: &str) -> Option<String> {
    let lower = part.to_ascii_lowercase();
    let flag = LAB_FLAGS
        .iter()
        .find(|f| lower.ends_with(*f) && lower.len() > f.len())?;
    let measure: Vec<&str> = part[..part.len() - flag.len()]
        .trim_end_matches(['(', ' ', ':', '-'])
        .split_whitespace()
        .filter(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    let measure_words = measure.len();
    if !(1..=3).contains(&measure_words)
        || measure
            .iter()
            .any(|w| crate::rules::words::is_stopword(&w.to_ascii_lowercase()))
    {
        return None;
    }
    let measure = measure.join(" ");
    let measure = if measure
        .chars()
        .all(|c| c.is_uppercase() || !c.is_alphabetic())
    {
        measure
    } else {
        let mut chars = measure.chars();
        chars
            .next()
            .map(|c| c.to_lowercase().chain(chars).collect())
            .unwrap_or_default()
    };
    Some(format!("User has {flag} {measure}"))
}

/// "in the prediabetes range" -> "User has prediabetes".
fn in_range(part: &str) -> Option<String> {
    let lower = part.to_ascii_lowercase();
    let rest = lower.strip_prefix("in the ")?.strip_suffix(" range")?;
    let words: Vec<&str> = rest.split_whitespace().collect();
    if words.len() != 1 || HEALTHY_RANGES.contains(&words[0]) {
        return None;
    }
    Some(format!("User has {}", words[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<&str>) {
        let lower = text.to_ascii_lowercase();
        assert_eq!(record_fact(text, &lower).as_deref(), expected, "{text}");
    }

    #[test]
    fn a_records_fields_are_the_users_facts() {
        check(
            "Allergies: penicillin, shellfish",
            Some("User is allergic to penicillin and shellfish"),
        );
        check(
            "Insurance: BlueShield PPO",
            Some("User has BlueShield PPO insurance"),
        );
        check("Allergies: none", None);
        check("Member ID: XQW492018", None);
    }

    #[test]
    fn flagged_lab_values_are_the_users_conditions() {
        let text = "Lab results from my annual physical: cholesterol 210 (borderline high), vitamin D low.";
        assert_eq!(
            lab_flags(text, &text.to_ascii_lowercase()),
            [
                "User has borderline high cholesterol",
                "User has low vitamin D"
            ]
        );
        let text = "Your results: A1C is 6.1, in the prediabetes range.";
        assert_eq!(
            lab_flags(text, &text.to_ascii_lowercase()),
            ["User has prediabetes"]
        );
        let text = "Results: glucose in the normal range, iron 80.";
        assert!(lab_flags(text, &text.to_ascii_lowercase()).is_empty());
    }

    #[test]
    fn medicines_taken_every_day_are_facts_but_a_course_is_not() {
        check(
            "Lisinopril 10mg every morning for blood pressure",
            Some("User takes Lisinopril every morning for blood pressure"),
        );
        check(
            "Vitamin D 2000 IU daily",
            Some("User takes Vitamin D daily"),
        );
        check(
            "Amoxicillin 500mg - take 1 capsule 3 times daily for 10 days",
            None,
        );
        check("Café 2 mg daily", Some("User takes Café daily"));
    }
}
