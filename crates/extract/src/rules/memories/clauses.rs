//! Cutting a sentence into clauses ("..., but I ...", "... because ...") and trimming each of
//! openings ("Honestly, ") and closing fillers ("... too").

use super::Sentence;
use crate::rules::lexicon::memories::{
    CLAUSE_SEPARATORS, CLAUSE_SUBJECTS, CLOSING_FILLERS, FACT_VERBS, OPENINGS,
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
    // An emoji ends a thought as a stop does ("... my backyard garden 🍅 I've been ...").
    for (at, c) in s.text.char_indices() {
        if is_emoji(c) {
            cuts.push((at, at + c.len_utf8()));
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
    out.into_iter()
        .flat_map(carry_subject)
        .flat_map(only_instead)
        .collect()
}

/// "I don't drink coffee, only green tea" -> "I don't drink coffee", "I drink green tea": what
/// the user does instead, after "only", is a fact of its own with the verb denied before.
fn only_instead(clause: Clause) -> Vec<Clause> {
    let negation = ["i don't ", "i do not ", "i dont "]
        .into_iter()
        .find(|n| clause.lower.starts_with(n));
    let (Some(negation), Some(at)) = (negation, clause.lower.find(", only ")) else {
        return vec![clause];
    };
    let verb_end = clause.lower[negation.len()..]
        .find(' ')
        .map_or(at, |i| negation.len() + i);
    if verb_end >= at {
        return vec![clause];
    }
    let verb = &clause.text[negation.len()..verb_end];
    let instead = &clause.text[at + ", only ".len()..];
    let second = Clause {
        text: format!("I {verb} {instead}"),
        lower: format!(
            "i {} {}",
            verb.to_ascii_lowercase(),
            instead.to_ascii_lowercase()
        ),
    };
    let first = Clause {
        text: clause.text[..at].to_owned(),
        lower: clause.lower[..at].to_owned(),
    };
    vec![first, second]
}

/// Whether a character is an emoji or pictograph (the blocks posts use: symbols, pictographs,
/// dingbats, transport and map symbols).
fn is_emoji(c: char) -> bool {
    matches!(u32::from(c), 0x1F300..=0x1FAFF | 0x2600..=0x27BF)
}

/// "I grew up in Nairobi and moved to Toronto" -> "I grew up in Nairobi", "I moved to
/// Toronto": a second verb of a fact after "and" gets the clause's "I", so each fact stands
/// alone. The verb needs an object ("I love music and dance" stays whole).
fn carry_subject(clause: Clause) -> Vec<Clause> {
    if !clause.lower.starts_with("i ") {
        return vec![clause];
    }
    let mut from = 0;
    while let Some(at) = clause.lower[from..].find(" and ").map(|at| from + at) {
        from = at + " and ".len();
        let mut rest = clause.lower[from..].split_whitespace();
        let verb = rest.next().unwrap_or_default();
        let is_verb = FACT_VERBS.iter().any(|(v, _)| *v == verb);
        if is_verb && rest.next().is_some() {
            let first = Clause {
                text: clause.text[..at].to_owned(),
                lower: clause.lower[..at].to_owned(),
            };
            let second = Clause {
                text: format!("I {}", &clause.text[from..]),
                lower: format!("i {}", &clause.lower[from..]),
            };
            let mut out = vec![first];
            out.extend(carry_subject(second));
            return out;
        }
    }
    vec![clause]
}

/// The statement before a tag question ("I'm vegan though, is that ok?" -> "I'm vegan
/// though"): a question whose last comma-separated part is a short tag asking for
/// agreement, and whose first part does not ask.
pub(super) fn statement_before_tag(s: &Sentence) -> Option<Sentence> {
    let comma = s.lower.rfind(", ")?;
    let tag = s.lower[comma + 2..].trim_end_matches(['?', '!', ' ']);
    let head = &s.lower[..comma];
    let tag_words = tag.split_whitespace().count();
    let is_tag = tag_words <= 4
        && [
            "is that ",
            "is it ",
            "does that ",
            "right",
            "ok",
            "okay",
            "isn't it",
            "no",
        ]
        .iter()
        .any(|t| tag.starts_with(t) && (t.ends_with(' ') || tag.len() == t.len()));
    let asks = head.contains('?')
        || head.split_whitespace().next().is_some_and(|w| {
            matches!(
                w,
                "do" | "does"
                    | "did"
                    | "is"
                    | "are"
                    | "can"
                    | "could"
                    | "would"
                    | "should"
                    | "will"
                    | "what"
                    | "how"
                    | "why"
                    | "where"
                    | "when"
                    | "who"
                    | "have"
            )
        });
    if !is_tag || asks {
        return None;
    }
    Some(Sentence {
        text: s.text[..comma].to_owned(),
        lower: head.to_owned(),
        ..s.clone()
    })
}

fn push_clause(out: &mut Vec<Clause>, text: &str, lower: &str) {
    let mut text = text.trim();
    let mut lower = lower.trim();
    // "My routine: I wake up at 6", "Life update: I left my job": a short heading before
    // the user's own words is left out.
    if let Some(colon) = lower.find(": ") {
        let after = &lower[colon + 2..];
        if lower[..colon].split_whitespace().count() <= 3
            && (after.starts_with("i ") || after.starts_with("i'") || after.starts_with("we "))
        {
            text = &text[colon + 2..];
            lower = after;
        }
    }
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
