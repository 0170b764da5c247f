//! Cutting a sentence into clauses ("..., but I ...", "... because ...") and trimming each of
//! openings ("Honestly, ") and closing fillers ("... too").

use super::Sentence;
use crate::rules::lexicon::memories::{
    CLAUSE_SEPARATORS, CLAUSE_SUBJECTS, CLOSING_FILLERS, OPENINGS,
};

/// A clause of a sentence, trimmed of openings and closing punctuation.
pub(super) struct Clause {
    /// The clause as written.
    pub(super) text: String,
    /// The clause in lower case.
    pub(super) lower: String,
}

/// Split at ", but", ";", " but ", ", and I", " and I'm", " because ", ", so ", " which ",
/// and drop openings ("Honestly, ").
pub(super) fn clauses(s: &Sentence) -> Vec<Clause> {
    let lower = &s.lower;
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for sep in CLAUSE_SEPARATORS {
        let mut from = 0;
        while let Some(at) = lower[from..].find(sep) {
            let at = from + at;
            from = at + sep.len();
            // "My wife and I love sailing" stays whole. (Only the first four words are
            // read: reading all of them at every separator made long sentences quadratic.)
            let before: Vec<&str> = lower[..at].split_whitespace().take(4).collect();
            if sep.trim_start_matches(',').trim() == "and i"
                && before.first() == Some(&"my")
                && before.len() <= 3
            {
                continue;
            }
            let last = sep.trim_end().rsplit(' ').next().unwrap_or_default();
            let next = if CLAUSE_SUBJECTS.contains(&last) {
                at + sep.trim_end().len() - last.len()
            } else {
                at + sep.len()
            };
            cuts.push((at, next));
        }
    }
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for (cut_start, cut_end) in cuts {
        if cut_start < start {
            continue;
        }
        push_clause(
            &mut out,
            &s.text[start..cut_start],
            &lower[start..cut_start],
        );
        start = cut_end;
    }
    push_clause(&mut out, &s.text[start..], &lower[start..]);
    out
}

fn push_clause(out: &mut Vec<Clause>, text: &str, lower: &str) {
    let mut text = text.trim();
    let mut lower = lower.trim();
    loop {
        let before = lower.len();
        for opening in OPENINGS {
            if let Some(rest) = lower.strip_prefix(opening)
                && (rest.starts_with([',', ' ', '!']) || rest.is_empty())
            {
                let cut = lower.len() - rest.len();
                let rest_trimmed = rest.trim_start_matches([',', ' ', '!']);
                let cut = cut + (rest.len() - rest_trimmed.len());
                text = &text[cut..];
                lower = &lower[cut..];
                break;
            }
        }
        if lower.len() == before {
            break;
        }
    }
    let trim = |s: &str| s.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    let mut end = trim(lower);
    // Closing fillers: "I'm vegetarian myself", "I love jazz too".
    loop {
        let before = end;
        for filler in CLOSING_FILLERS {
            if lower[..end].ends_with(filler) {
                end = trim(&lower[..end - filler.len()]);
            }
        }
        if end == before {
            break;
        }
    }
    if end == 0 {
        return;
    }
    out.push(Clause {
        text: text[..end].to_owned(),
        lower: lower[..end].to_owned(),
    });
}
