//! Stemming for memory identity: a word reduced to the form under which its plurals,
//! possessives and `-ing`/`-ed` forms compare equal. The rules' keyword counts use Snowball
//! (`rules::words::stem`); this one stays because a store has indexed every memory under
//! these stems (`indexed_words`), and a different stemmer needs that index rebuilt first.

/// Reduce a lower-case word to its stem: possessive, plural and `-ing`/`-ed` endings go,
/// then a final `e`, then one of a doubled final ASCII consonant ("running" -> "run").
///
/// Safe for any text: the endings it removes are ASCII, lengths are counted in characters
/// (so "word of more than four letters" means letters, whatever the script), and the doubled
/// letter is compared and removed as a character, never as a byte: a character is never cut
/// (issue 14: "もing" cut "も" in two and stopped the server).
pub(crate) fn stem(word: &str) -> String {
    let mut w = word.trim_matches('\'');
    w = w
        .strip_suffix("'s")
        .or_else(|| w.strip_suffix("s'"))
        .unwrap_or(w);
    let mut s = w.to_owned();
    let mut letters = s.chars().count();
    if letters > 4 && s.ends_with("ies") {
        cut(&mut s, &mut letters, "ies");
        s.push('y');
        letters += 1;
    } else if letters > 4 && (s.ends_with("sses") || s.ends_with("ches") || s.ends_with("shes")) {
        cut(&mut s, &mut letters, "es");
    } else if letters > 3 && s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") {
        cut(&mut s, &mut letters, "s");
    }
    let mut stripped = false;
    if letters > 5 && s.ends_with("ing") {
        cut(&mut s, &mut letters, "ing");
        stripped = true;
    } else if letters > 4 && s.ends_with("ed") {
        cut(&mut s, &mut letters, "ed");
        stripped = true;
    }
    if letters > 3 && s.ends_with('e') {
        cut(&mut s, &mut letters, "e");
    }
    if stripped && letters >= 3 {
        let mut last_two = s.chars().rev();
        if let (Some(last), Some(before)) = (last_two.next(), last_two.next())
            && last == before
            && last.is_ascii()
            && !"aeiouls".contains(last)
        {
            s.pop();
        }
    }
    s
}

/// Remove `suffix`, which `s` ends with, and count what is left in `letters`. Every suffix
/// [`stem`] removes is ASCII, so the cut falls on a character boundary.
fn cut(s: &mut String, letters: &mut usize, suffix: &str) {
    debug_assert!(suffix.is_ascii() && s.ends_with(suffix));
    s.truncate(s.len() - suffix.len());
    *letters = letters.saturating_sub(suffix.len());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::content_words;

    #[test]
    fn stems_fold_endings() {
        for (word, expected) in [
            ("running", "run"),
            ("loves", "lov"),
            ("loved", "lov"),
            ("sister's", "sister"),
            ("cities", "city"),
            ("classes", "class"),
            ("tea", "tea"),
        ] {
            assert_eq!(stem(word), expected, "{word}");
        }
    }

    #[test]
    fn a_japanese_suffix_does_not_split_a_character() {
        // Issue 14: the doubled-consonant rule compared the last two *bytes* of "も" (after
        // "ing" went) and cut the character in two.
        assert_eq!(stem("もing"), "もing");
        assert_eq!(stem("ももing"), "ももing");
        assert_eq!(stem("ももももing"), "もももも");
        assert_eq!(
            content_words("User likes もing"),
            ["lik", "もing"].map(String::from)
        );
    }

    #[test]
    fn stems_count_letters_not_bytes() {
        // Endings go from words of more than so many *letters*, whatever the script.
        assert_eq!(stem("éing"), "éing");
        assert_eq!(stem("caféing"), "café");
        assert_eq!(stem("naïveties"), "naïvety");
        assert_eq!(stem("ßßßed"), "ßßß");
        assert_eq!(stem("tipping"), "tip");
        assert_eq!(stem("😀😀ing"), "😀😀ing");
        assert_eq!(stem("😀😀😀ing"), "😀😀😀");
    }
}
