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

/// Whether the rules may read `text` as English when a request named its `language`: a
/// named language other than English is trusted (no English patterns); English is trusted
/// unless the text is in a script English is not written in (the API's default `"en"` sent
/// with a Japanese text); no code, or one that names no language (empty, `"und"`, `"auto"`,
/// anything that is not 2-3 letters before an optional region), leaves it to [`is_english`].
pub(crate) fn reads_as_english(text: &str, language: Option<&str>) -> bool {
    match language.and_then(primary_subtag) {
        None => is_english(text),
        Some(code) if code == "en" || code == "eng" => {
            let sample: String = text.chars().take(SAMPLE_CHARS).collect();
            whatlang::detect_script(&sample).is_none_or(|script| script == Script::Latin)
        }
        Some(_) => false,
    }
}

/// The language of a BCP 47 tag or locale, lower case: "en" of "en-US" and "en_GB", "ja" of
/// "ja"; `None` for a tag that names no language.
/// Whether a sentence is written in a script other than Latin (Japanese, Cyrillic, Arabic...),
/// so the English rules cannot read it: a mixed-language text keeps it in its title.
pub(crate) fn is_other_script(sentence: &str) -> bool {
    sentence
        .chars()
        .filter(|c| c.is_alphabetic())
        .nth(1)
        .is_some()
        && whatlang::detect_script(sentence).is_some_and(|script| script != Script::Latin)
}

fn primary_subtag(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    let letters = primary.chars().count();
    let named = (2..=3).contains(&letters)
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && !matches!(primary.as_str(), "und" | "mul" | "zxx" | "mis");
    named.then_some(primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_language_is_trusted_and_english_only_in_a_script_english_is_written_in() {
        let hiking = "I love hiking in the mountains with my sister.";
        assert!(reads_as_english(hiking, Some("en")));
        assert!(reads_as_english(hiking, Some("en-US")));
        assert!(reads_as_english(hiking, Some("EN_gb")));
        assert!(!reads_as_english(hiking, Some("nl")));
        assert!(!reads_as_english(hiking, Some("ja")));
        // The API's default "en" with a Japanese text: the script decides.
        assert!(!reads_as_english(
            "今日は友達と一緒に山に登りました。",
            Some("en")
        ));
        // A German text said to be English is read as English (the request knows best).
        assert!(reads_as_english("Ich wohne in Berlin.", Some("en")));
        // No language named: identified from the text.
        for unnamed in [
            None,
            Some(""),
            Some("und"),
            Some("auto"),
            Some("??"),
            Some("日本語"),
        ] {
            assert!(reads_as_english(hiking, unnamed), "{unnamed:?}");
            assert!(!reads_as_english(
                "今日は友達と一緒に山に登りました。",
                unnamed
            ));
        }
    }

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
