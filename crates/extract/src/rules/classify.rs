//! The category and emoji of a conversation: a vote of the text's words over a small lexicon
//! per OMI category. A category needs two votes (one in a short text); without any the text
//! is `other`.

use std::collections::HashMap;
use std::sync::OnceLock;

use omi_model::ConversationCategory as C;

use super::Doc;
use super::lexicon::classify::LEXICON;
use super::words::{stem, words};

/// The emoji of each category.
pub(crate) fn emoji(category: C) -> &'static str {
    match category {
        C::Personal => "🙂",
        C::Education => "📚",
        C::Health => "🩺",
        C::Finance => "💰",
        C::Legal => "⚖️",
        C::Philosophy => "🤔",
        C::Spiritual => "🙏",
        C::Science => "🔬",
        C::Entrepreneurship => "🚀",
        C::Parenting => "👶",
        C::Romantic => "❤️",
        C::Travel => "✈️",
        C::Inspiration => "✨",
        C::Technology => "💻",
        C::Business => "💼",
        C::Social => "🎉",
        C::Work => "🗂️",
        C::Sports => "⚽",
        C::Politics => "🏛️",
        C::Literature => "📖",
        C::History => "📜",
        C::Architecture => "🏗️",
        C::Music => "🎵",
        C::Weather => "🌦️",
        C::News => "📰",
        C::Entertainment => "🎬",
        C::Psychology => "🧠",
        C::Real => "🏠",
        C::Design => "🎨",
        C::Family => "👨‍👩‍👧",
        C::Economics => "📈",
        C::Environment => "🌱",
        _ => omi_model::Structured::DEFAULT_EMOJI,
    }
}

fn lexicon() -> &'static HashMap<String, Vec<usize>> {
    static MAP: OnceLock<HashMap<String, Vec<usize>>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, (_, words)) in LEXICON.iter().enumerate() {
            for w in words.split_whitespace() {
                let entry = map.entry(stem(w)).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
            }
        }
        map
    })
}

/// The category most of the text's words vote for.
pub(crate) fn classify(doc: &Doc) -> C {
    let lexicon = lexicon();
    let mut votes = vec![0usize; LEXICON.len()];
    let mut total_words = 0usize;
    for s in &doc.sentences {
        for w in words(&s.lower) {
            total_words += 1;
            if let Some(categories) = lexicon.get(&stem(w)) {
                for &c in categories {
                    votes[c] += 1;
                }
            }
        }
    }
    let needed = if total_words < 60 { 1 } else { 2 };
    let best = votes
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        .filter(|(_, v)| **v >= needed);
    match best {
        Some((i, _)) => LEXICON[i].0,
        None if doc.others().is_empty() => C::Personal,
        None => C::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextKind;

    fn category(text: &str) -> C {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        classify(&Doc::new(text, TextKind::Other, start))
    }

    #[test]
    fn topical_words_decide_the_category() {
        assert_eq!(
            category("Our flight lands at 6; the hotel is near the beach."),
            C::Travel
        );
        assert_eq!(
            category("The doctor changed my asthma medication."),
            C::Health
        );
        assert_eq!(
            category("We need to fix the bug before the deploy to the server."),
            C::Technology
        );
    }

    #[test]
    fn a_health_card_is_health_not_finance() {
        assert_eq!(
            category(
                "Dr. Smith's contact information: Phone: (555) 123-4567, Email: \
                 dr.smith@hospital.org. Next appointment scheduled for April 3rd at 2:30 PM. \
                 Remember to bring your insurance card and list of current medications."
            ),
            C::Health
        );
        assert_eq!(
            category(
                "Bright Smiles Dental - Patient portal\nUpcoming: cleaning and x-rays on \
                 August 28th at 9:00 AM.\nPlease bring your updated insurance information."
            ),
            C::Health
        );
        assert_eq!(
            category("My credit card bill is due and the car insurance went up again."),
            C::Finance
        );
    }

    #[test]
    fn every_category_has_an_emoji() {
        for c in C::ALL {
            assert!(!emoji(*c).is_empty());
        }
    }
}
