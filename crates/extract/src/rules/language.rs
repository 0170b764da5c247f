//! Which language a text is in, by `whatlang` (trigrams over the text's first characters):
//! the rules' cues, lexicons and date words are English, so only an English text gets
//! memories, action items and events; any text gets an extractive title, overview and
//! segments.

use whatlang::{Lang, Script};

/// How many characters of a text are read to tell its language: enough for a reliable answer,
/// few enough that a long text costs no more than a short one.
const SAMPLE_CHARS: usize = 2_000;

/// Whether the rules may read `text` as English. A text in another script (Japanese,
/// Cyrillic, Arabic...) is not; a Latin-script text is unless it is reliably another language
/// ("Ich wohne seit zehn Jahren in Berlin"). A text too short or too mixed to tell, or with no
/// letters, is read as English, as before language identification.
pub(crate) fn is_english(text: &str) -> bool {
    let sample: String = text.chars().take(SAMPLE_CHARS).collect();
    match whatlang::detect(&sample) {
        None => true,
        Some(info) if info.script() != Script::Latin => false,
        Some(info) => info.lang() == Lang::Eng || !info.is_reliable(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_english() {
        assert!(is_english(
            "Mom: Don't forget to pick up milk on your way home\nMe: Will do."
        ));
        assert!(is_english("I love hiking."));
        assert!(is_english(""));
        assert!(is_english("🎉🎉🎉 42"));
    }

    #[test]
    fn other_languages_are_not() {
        assert!(!is_english(
            "今日は友達と一緒に山に登りました。とても楽しかったです。来週もまた行きたいです。"
        ));
        assert!(!is_english(
            "Ich wohne seit zehn Jahren in Berlin und arbeite als Krankenschwester in einem großen Krankenhaus."
        ));
        assert!(!is_english(
            "Je suis très content de mon nouveau travail, et j'adore la cuisine de ma grand-mère."
        ));
    }
}
