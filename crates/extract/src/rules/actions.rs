//! Action items: what the user was asked to do, promised to do, or noted to do.
//!
//! Three sources, each read from the sentence's own words:
//! - a request to the user by someone else ("can you send me the slides?", "don't forget to
//!   pick up milk", "please call the bank");
//! - a commitment or need of the user's ("I'll book the table", "I need to renew my passport",
//!   "remind me to water the plants", "we should book flights");
//! - an item of a to-do list, or a line marked `[ ]` (`[x]` is a completed item).

use chrono::{DateTime, Utc};
use omi_model::StructuredActionItem;

use super::lexicon::actions::{
    COMMITMENTS, CONTINUATIONS, DETERMINERS, HABIT_CHANGES, IMPERATIVE_VERBS, NOT_TASKS, PARTICLES,
    REQUESTS, SHOPPING_HEADINGS, SMALL_TALK_OBJECTS, TASK_WHEN_OBJECT,
};
use super::lexicon::when::MONTHS;
use super::sentences::{Bullet, Sentence};
use super::{Doc, capitalize, truncate_words};
use crate::TextKind;

/// The action items of the text, in order, without repeats.
pub(crate) fn find(doc: &Doc) -> Vec<StructuredActionItem> {
    let others = doc.others();
    let mut out: Vec<StructuredActionItem> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // The last request made of the user: who asked, in which turn, and its verb.
    let mut last_request: Option<(&str, usize, String)> = None;
    // The turn of a sentence that was only a cue ("Okay, note to self."): the user's next
    // sentence in it is a list of tasks.
    let mut cue_turn: Option<usize> = None;
    for s in &doc.sentences {
        let mut items = actions(doc, s, &others);
        if items.is_empty() && cue_turn == Some(s.turn) && (s.by_user || !doc.user_known) {
            items = listed_tasks(s);
        }
        cue_turn = is_bare_cue(&s.lower).then_some(s.turn);
        let speaker = doc.speaker(s).filter(|_| !s.by_user);
        if items.is_empty()
            && let (Some((asker, turn, verb)), Some(name)) = (&last_request, speaker)
            && *asker == name
            && s.turn <= turn + 2
        {
            items.extend(continued(s, name, verb));
        }
        if let Some(name) = speaker {
            let prefix = format!("{name} asked you to ");
            if let Some(verb) = items
                .iter()
                .rev()
                .find_map(|i| i.description.strip_prefix(&prefix))
                .and_then(verb_phrase)
            {
                last_request = Some((name, s.turn, verb));
            }
        }
        for item in items {
            if seen.insert(item.description.to_lowercase()) {
                out.push(item);
            }
        }
    }
    out
}

/// Whether a sentence is only a cue that tasks follow: "Okay, note to self.", "Reminders:".
fn is_bare_cue(lower: &str) -> bool {
    let core = lower.trim_end_matches(|c: char| !c.is_alphanumeric());
    [
        "note to self",
        "reminder",
        "reminders",
        "to do",
        "todo",
        "to-do",
    ]
    .iter()
    .any(|cue| {
        core.strip_suffix(cue).is_some_and(|before| {
            before.is_empty()
                || (before.ends_with([' ', ',']) && before.split_whitespace().count() <= 2)
        })
    })
}

/// The tasks of a sentence after a bare cue: its parts between commas and "and"
/// ("Pick up the dry cleaning before 6, call the insurance company, and book a haircut").
fn listed_tasks(s: &Sentence) -> Vec<StructuredActionItem> {
    let text = s.text.trim_end_matches(['.', '!', ';']);
    text.split(", ")
        .flat_map(|part| part.split(" and "))
        .map(|part| part.trim().trim_start_matches("and ").trim())
        .filter(|part| {
            let words = part.split_whitespace().count();
            (2..=20).contains(&words)
                && part
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| !is_stopword_subject(w))
        })
        .map(|part| StructuredActionItem {
            description: capitalize(&truncate_words(part, 200)),
            completed: false,
        })
        .collect()
}

/// Whether a word opens a statement rather than a task ("I", "we", "it"...).
fn is_stopword_subject(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "i" | "i'm"
            | "we"
            | "it"
            | "it's"
            | "that"
            | "this"
            | "he"
            | "she"
            | "they"
            | "you"
            | "my"
            | "the"
            | "a"
            | "an"
            | "there"
    )
}

/// The verb of a task, with its particle: "pick up" of "pick up milk on the way home".
fn verb_phrase(task: &str) -> Option<String> {
    let mut words = task.split_whitespace();
    let verb = words.next()?;
    if !verb.chars().all(|c| c.is_alphabetic() || c == '-') {
        return None;
    }
    match words.next() {
        Some(p) if PARTICLES.contains(&p) => Some(format!("{verb} {p}")),
        _ => Some(verb.to_owned()),
    }
}

/// A request continued by the one who made it, in the same turn or one of the next two, with
/// a thing and no verb: "Maybe some bread too if the store has the whole grain kind" after
/// "Don't forget to pick up milk" is "Mom asked you to pick up some bread if ...".
fn continued(s: &Sentence, asker: &str, verb: &str) -> Option<StructuredActionItem> {
    if s.is_question() && !s.lower.starts_with("and ") && !s.lower.starts_with("maybe ") {
        return None;
    }
    let mut rest: &str = &s.lower;
    let mut marked = false;
    while let Some(r) = CONTINUATIONS.iter().find_map(|m| {
        rest.strip_prefix(m)
            .map(|r| r.trim_start_matches([',', ' ']))
    }) {
        rest = r;
        marked = true;
    }
    let first = rest.split_whitespace().next()?;
    if !DETERMINERS.contains(&first) {
        return None;
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    // The thing is a few words ("some bread", "the spare chalk bag"), then a stop: "the
    // internet bill went up to $80" is news, not a thing to get.
    let thing_len = words
        .iter()
        .skip(1)
        .take_while(|w| {
            !w.ends_with([',', '.', '!', '?'])
                && !matches!(
                    w.trim_matches(|c: char| !c.is_alphanumeric()),
                    "too" | "also" | "if" | "for" | "from" | "as" | "please" | "when" | "at"
                )
        })
        .count();
    let by_marker = words.get(1 + thing_len).is_some_and(|w| {
        matches!(
            w.trim_matches(|c: char| !c.is_alphanumeric()),
            "too" | "also" | "if" | "for" | "from" | "as" | "please" | "when" | "at"
        )
    });
    if thing_len > if by_marker { 3 } else { 2 } {
        return None;
    }
    let added = words.iter().take(6).any(|w| {
        matches!(
            w.trim_matches(|c: char| !c.is_alphanumeric()),
            "too" | "also"
        )
    }) || rest.contains(" as well");
    if !(marked || added) || words.len() > 25 {
        return None;
    }
    let at = s.lower.len() - rest.len();
    let thing: Vec<&str> = s.text[at..]
        .split_whitespace()
        .filter(|w| {
            !matches!(
                w.to_ascii_lowercase()
                    .trim_matches(|c: char| !c.is_alphanumeric()),
                "too" | "also"
            ) || w.trim_matches(|c: char| c.is_alphanumeric()).len() > 1
        })
        .collect();
    let thing = thing
        .join(" ")
        .trim_end_matches(['.', '!', '?', ',', ';', ':', ' '])
        .to_owned();
    if thing.split_whitespace().count() < 2 {
        return None;
    }
    Some(StructuredActionItem {
        description: format!(
            "{asker} asked you to {verb} {}",
            truncate_words(&thing, 180)
        ),
        completed: false,
    })
}

fn actions(doc: &Doc, s: &Sentence, others: &[&str]) -> Vec<StructuredActionItem> {
    if let Some(item) = list_item(s) {
        return vec![item];
    }
    let speaker = doc.speaker(s);
    if speaker.is_none() || s.by_user {
        let own = shopping_list(s).or_else(|| due(doc, s));
        if let Some(description) = own {
            return vec![StructuredActionItem {
                description,
                completed: false,
            }];
        }
    }
    let from_other = !s.by_user && speaker.is_some();
    // Who may give or take a task here: in a transcript with no speaker marked as the user,
    // anyone may be the user.
    let may_request = from_other || !doc.user_known || speaker.is_none();
    let may_commit = s.by_user || !doc.user_known;
    let both: Vec<&'static str> = [REQUESTS, COMMITMENTS].concat();
    let cues: &[&'static str] = match (may_request, may_commit) {
        (true, true) => &both,
        (true, false) => REQUESTS,
        (false, true) => COMMITMENTS,
        (false, false) => &[],
    };
    // "Keep a headache diary." said by the doctor, "Bring a valid passport." in a
    // booking: an imperative from someone else, or in a record or email with no speakers.
    let imperative_here =
        from_other || (speaker.is_none() && matches!(doc.kind, TextKind::Email | TextKind::Other));
    if imperative_here && !s.is_question() {
        let items = imperatives(s, speaker, from_other, others, doc.started_at);
        if !items.is_empty() {
            return items;
        }
    }
    let mut out = if may_commit {
        habit_changes(&s.text, &s.lower)
    } else {
        Vec::new()
    };
    // The cue of the clause before, for "make sure you stretch, and drink more water".
    let mut carried: Option<&'static str> = None;
    for clause in clauses(&s.lower) {
        let text = &s.lower[clause.clone()];
        let (cue, start) = match find_cue(text, cues) {
            Some((cue, at)) => (cue, clause.start + at + cue.len()),
            None => match carried.take() {
                Some(cue) => {
                    let skip = text.len() - text.trim_start_matches("and ").len();
                    (cue, clause.start + skip)
                }
                None => continue,
            },
        };
        let task = &s.text[start..clause.end];
        match describe(task, cue, speaker, from_other, others) {
            Some(description) => {
                out.push(StructuredActionItem {
                    description,
                    completed: false,
                });
                carried = Some(cue);
            }
            None => carried = None,
        }
    }
    out
}

/// "I'm starting a vitamin D supplement and cutting back on red meat": the changes of habit
/// the user is making, one task each ("Start a vitamin D supplement", "Cut back on red
/// meat"). "I'm starting to feel better" starts nothing.
fn habit_changes(text: &str, lower: &str) -> Vec<StructuredActionItem> {
    let Some(at) = lower.find("i'm ").or_else(|| lower.find("i am ")) else {
        return Vec::new();
    };
    let mut rest = &lower[at..];
    rest = &rest[rest.find(' ').map_or(rest.len(), |i| i + 1)..];
    let mut offset = lower.len() - rest.len();
    if rest.starts_with("am ") {
        rest = &rest[3..];
        offset += 3;
    }
    let mut out = Vec::new();
    while let Some((change, task)) = HABIT_CHANGES.iter().find(|(c, _)| rest.starts_with(c)) {
        let body = &rest[change.len()..];
        let end = [" and ", ", ", ". ", "; ", " so ", " because "]
            .iter()
            .filter_map(|p| body.find(p))
            .min()
            .unwrap_or(body.len());
        let object = text[offset + change.len()..offset + change.len() + end]
            .trim_end_matches(['.', '!', ',', ';']);
        if body.starts_with("to ") || object.split_whitespace().count() < 2 {
            break;
        }
        out.push(StructuredActionItem {
            description: truncate_words(&format!("{task}{object}"), 200),
            completed: false,
        });
        let next = offset + change.len() + end;
        let Some(after_and) = lower[next..].strip_prefix(" and ") else {
            break;
        };
        offset = lower.len() - after_and.len();
        rest = after_and;
    }
    out
}

/// "Groceries: oat milk, eggs, spinach" -> "Buy oat milk, eggs and spinach": a shopping
/// list's heading and its items on one line.
fn shopping_list(s: &Sentence) -> Option<String> {
    let (head, items) = s.text.split_once(':')?;
    if !SHOPPING_HEADINGS.contains(&head.trim().to_lowercase().as_str()) {
        return None;
    }
    let items: Vec<&str> = items
        .trim()
        .trim_end_matches('.')
        .split([',', ';'])
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .collect();
    let listed = match items.as_slice() {
        [] => return None,
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    Some(truncate_words(&format!("Buy {listed}"), 200))
}

/// "Next refill due June 20." -> "Refill due June 20": something of the user's record due on
/// a day, in a line of a few words.
fn due(doc: &Doc, s: &Sentence) -> Option<String> {
    let text = s.text.trim_end_matches(['.', '!']);
    let words = text.split_whitespace().count();
    let at = s.lower.find(" due ")?;
    if !(3..=9).contains(&words) || at == 0 || s.lower[..at].contains(' ') && at > 30 {
        return None;
    }
    let dated = super::when::find(&s.lower[at..], doc.started_at).is_some_and(|w| w.date.is_some())
        || names_a_month(&s.lower[at..]);
    if !dated || s.is_question() {
        return None;
    }
    let text = text
        .strip_prefix("Next ")
        .or_else(|| text.strip_prefix("next "))
        .unwrap_or(text);
    Some(capitalize(text))
}

/// Whether a lower-case text names a month of a year ("october 2025"): a due date as records
/// give it, with no day.
fn names_a_month(lower: &str) -> bool {
    let tokens = super::when::tokens(lower);
    tokens.windows(2).any(|pair| {
        MONTHS.iter().any(|(m, _)| *m == pair[0])
            && pair[1].len() == 4
            && pair[1].chars().all(|c| c.is_ascii_digit())
    })
}

/// The imperatives a sentence opens with, one for each verb joined by "and" ("Please arrive
/// 10 minutes early and bring your insurance card" -> two tasks).
fn imperatives(
    s: &Sentence,
    speaker: Option<&str>,
    from_other: bool,
    others: &[&str],
    now: DateTime<Utc>,
) -> Vec<StructuredActionItem> {
    let mut out = Vec::new();
    let mut rest = s.clone();
    while let Some((item, next)) = imperative(&rest, speaker, from_other, others, now) {
        out.push(item);
        match next {
            Some(next) => rest = next,
            None => break,
        }
    }
    out
}

/// A sentence that opens with the verb of a task ("Keep a headache diary", "Ice the knee
/// after exercise"), as a task; `None` when its first word is no such verb or it is too
/// short to say what to do.
fn imperative(
    s: &Sentence,
    speaker: Option<&str>,
    from_other: bool,
    others: &[&str],
    now: DateTime<Utc>,
) -> Option<(StructuredActionItem, Option<Sentence>)> {
    let lower = &s.lower;
    let opening = ["please ", "also "]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map_or_else(|| fronted_time(lower, now), |p| p.len());
    let first = lower[opening..].split_whitespace().next()?;
    let first = first.trim_end_matches(|c: char| !c.is_alphanumeric());
    if !IMPERATIVE_VERBS.contains(&first) || s.word_count() < 3 || s.word_count() > 25 {
        return None;
    }
    // "Call (555) 010-4433 with questions", "Contact us if you need help": an offer of
    // service, not a task.
    if [
        "question", "if you", "any time", "anytime", "for help", "for more",
    ]
    .iter()
    .any(|p| s.lower.contains(p))
    {
        return None;
    }
    // The task ends where the next clause begins ("..., and let's see you again").
    let end = [", and ", "; ", " and let's ", ", but ", " - ", ", so "]
        .iter()
        .filter_map(|p| lower.find(p))
        .min()
        .unwrap_or(lower.len());
    // "... and bring your insurance card", "..., and submit the problem set": a second task
    // with a verb of its own.
    let opens_with_verb = |at: usize| {
        lower[at..]
            .split_whitespace()
            .next()
            .is_some_and(|verb| IMPERATIVE_VERBS.contains(&verb))
    };
    let second = lower[..end]
        .match_indices(" and ")
        .map(|(at, and)| (at, at + and.len()))
        .chain(
            lower[end..]
                .starts_with(", and ")
                .then_some((end, end + ", and ".len())),
        )
        .find(|(_, verb_at)| opens_with_verb(*verb_at));
    let cut = second.map_or(end, |(at, _)| at);
    let description = describe(
        &s.text[opening..cut],
        "please ",
        speaker,
        from_other,
        others,
    )?;
    let next = second.map(|(_, verb_at)| Sentence {
        text: s.text[verb_at..].to_owned(),
        lower: lower[verb_at..].to_owned(),
        ..s.clone()
    });
    let item = StructuredActionItem {
        description,
        completed: false,
    };
    Some((item, next))
}

/// The length of a time said before an imperative and a comma ("For next week, read chapters
/// 4 and 5", "Tomorrow, call the bank"): a phrase of at most four words that names a day or
/// time; 0 when there is none.
fn fronted_time(lower: &str, now: DateTime<Utc>) -> usize {
    let Some((phrase, _)) = lower.split_once(", ") else {
        return 0;
    };
    let short = phrase.split_whitespace().count() <= 4;
    if short && super::when::find(phrase, now).is_some() {
        phrase.len() + ", ".len()
    } else {
        0
    }
}

/// A to-do list item: a line marked `[ ]`/`[x]`, or any item of a list headed "to do",
/// "todo", "tasks" or "action items".
fn list_item(s: &Sentence) -> Option<StructuredActionItem> {
    let bullet = s.bullet?;
    let todo_heading = s.heading.as_deref().is_some_and(|h| {
        [
            "to do",
            "todo",
            "to-do",
            "tasks",
            "action items",
            "next steps",
            "follow-ups",
            "follow ups",
            "reminder",
            "errands",
        ]
        .iter()
        .any(|t| h.contains(t))
    });
    if bullet == Bullet::Plain && !todo_heading {
        return None;
    }
    let text = s.text.trim_end_matches(['.', '!', ';']).trim();
    if text.split_whitespace().count() < 2 && !todo_heading {
        return None;
    }
    Some(StructuredActionItem {
        description: capitalize(&truncate_words(text, 200)),
        completed: bullet == Bullet::Done,
    })
}

/// The clauses of a lower-case sentence, as byte ranges: split at ", but", ";", " but ",
/// " and i'll", " so i", and after a leading "ok,"-like word.
fn clauses(lower: &str) -> Vec<std::ops::Range<usize>> {
    let mut cuts = vec![0];
    for sep in [
        "; ",
        ", but ",
        " but ",
        ", and ",
        ", so ",
        " so i ",
        " and i'll ",
        " and i ",
    ] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(sep) {
            let cut = from
                + at
                + if sep.starts_with(", ") || sep.starts_with("; ") {
                    2
                } else {
                    1
                };
            cuts.push(cut);
            from += at + sep.len();
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.push(lower.len());
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// The first cue in `clause` at a word start: `(cue, byte offset)`.
fn find_cue(clause: &str, cues: &[&'static str]) -> Option<(&'static str, usize)> {
    let mut best: Option<(&'static str, usize)> = None;
    for cue in cues {
        let mut from = 0;
        while let Some(at) = clause[from..].find(cue) {
            let at = from + at;
            let at_word_start = at == 0
                || clause[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| !c.is_alphanumeric() && c != '\'');
            if at_word_start {
                let better = match best {
                    None => true,
                    Some((b, bat)) => at < bat || (at == bat && cue.len() > b.len()),
                };
                if better {
                    best = Some((cue, at));
                }
                break;
            }
            from = at + 1;
        }
    }
    best
}

/// Turn the words after a cue into a task ("pick up milk on the way home"), or `None` when they
/// are not one.
fn describe(
    task: &str,
    cue: &str,
    speaker: Option<&str>,
    from_other: bool,
    others: &[&str],
) -> Option<String> {
    // "pay the rent by Friday, it's late this month": the task ends before a new subject.
    let lower_task = task.to_ascii_lowercase();
    let end = [
        ", it",
        ", that's",
        ", i ",
        ", i'm",
        ", we",
        ", they",
        ", he ",
        ", she ",
        ", thanks",
        ", because",
        ", since",
        ", as ",
        ", which",
        ", though",
        ", you're",
        ", you know",
    ]
    .iter()
    .filter_map(|p| lower_task.find(p))
    .min()
    .unwrap_or(task.len());
    let task = &task[..end];
    let mut words: Vec<&str> = task.split_whitespace().collect();
    // A cue inside a cue: "please remember to pay", "can you make sure to call".
    loop {
        let lower: Vec<String> = words
            .iter()
            .take(3)
            .map(|w| w.to_ascii_lowercase())
            .collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        let skip = match lower.as_slice() {
            ["remember", "to", ..] => 2,
            // "make sure to call" is "call"; "make sure someone is home" stays whole.
            ["make", "sure", "to" | "you"] => 2,
            ["don't", "forget", "to"] | ["do", "not", "forget"] | ["remind", "me", "to"] => 3,
            _ => 0,
        };
        if skip == 0 {
            break;
        }
        words.drain(..skip);
        if words
            .first()
            .is_some_and(|w| matches!(w.to_ascii_lowercase().as_str(), "to" | "you"))
        {
            words.remove(0);
        }
    }
    while let Some(first) = words.first() {
        let lower = first.to_ascii_lowercase();
        if matches!(
            lower.trim_matches(|c: char| !c.is_alphanumeric()),
            "please"
                | "also"
                | "just"
                | "definitely"
                | "really"
                | "still"
                | "quickly"
                | "pls"
                | "actually"
                | "first"
                | "then"
                | "totally"
                | "absolutely"
                | "both"
        ) {
            words.remove(0);
        } else {
            break;
        }
    }
    let verb = words
        .first()?
        .to_ascii_lowercase()
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
        .to_owned();
    let object = words
        .get(1)
        .map(|w| {
            w.to_ascii_lowercase()
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_owned()
        })
        .unwrap_or_default();
    if verb.is_empty() || verb.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    // "get you that book" gives something; "get you" alone does not.
    let gives = matches!(
        verb.as_str(),
        "get" | "give" | "show" | "tell" | "send" | "bring"
    ) && matches!(
        object.as_str(),
        "you" | "me" | "them" | "him" | "her" | "us"
    ) && words.len() >= 4;
    // "keep a headache diary" has a thing to do; "take a look", "take a break" do not.
    let a_thing = matches!(object.as_str(), "a" | "an")
        && matches!(verb.as_str(), "keep" | "take" | "start" | "get")
        && words.len() >= 4
        && words.get(2).is_some_and(|w| {
            !matches!(
                w.to_ascii_lowercase()
                    .trim_matches(|c: char| !c.is_alphanumeric()),
                "look" | "break" | "minute" | "second" | "moment" | "chance" | "bit" | "sec"
            )
        });
    let has_object = TASK_WHEN_OBJECT.contains(&verb.as_str())
        && !object.is_empty()
        && (gives || a_thing || !SMALL_TALK_OBJECTS.contains(&object.as_str()))
        && words.len() >= 3;
    if NOT_TASKS.contains(&verb.as_str()) && !has_object {
        return None;
    }
    // "you should" and "please" before words that are no task.
    if matches!(cue, "you should " | "please " | "pls ") && words.len() < 2 {
        return None;
    }
    if cue == "please " && ["note", "find", "see"].contains(&verb.as_str()) {
        return None;
    }
    if words.len() > 30 {
        words.truncate(30);
    }
    let mut text = words.join(" ");
    text = text
        .trim_end_matches(['.', '!', '?', ',', ';', ':', ' '])
        .to_owned();
    for tail in [
        ", ok",
        ", okay",
        " ok",
        " okay",
        ", please",
        " please",
        ", alright",
        " for me",
        ", right",
        ", yeah",
        " yeah",
        ", thanks",
        " thanks",
        " thank you",
        ", thank you",
        " lol",
        " haha",
        // "Bring snacks everyone": who is addressed is not part of the task.
        ", everyone",
        " everyone",
        ", guys",
        " guys",
        ", folks",
        " folks",
        ", y'all",
        " y'all",
    ] {
        if text.to_ascii_lowercase().ends_with(tail) && !(tail == " for me" && from_other) {
            text.truncate(text.len() - tail.len());
        }
    }
    text = rewrite_pronouns(&text, speaker, from_other, others);
    let text = text.trim().trim_end_matches([',', ';', ':', '-']).trim();
    if text.split_whitespace().count() < 2 {
        return None;
    }
    let text = truncate_words(text, 200);
    // A request names who asked: "Mom asked you to pick up milk on your way home".
    Some(match speaker {
        Some(name) if from_other && !super::is_anonymous(name) => {
            format!("{name} asked you to {}", lowercase_first(&text))
        }
        _ => capitalize(&text),
    })
}

/// `s` with its first letter in lower case, unless the first word is a name or an acronym.
fn lowercase_first(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or_default();
    if first.chars().skip(1).any(char::is_uppercase) || first == "I" {
        return s.to_owned();
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A request from a named speaker reads about them ("send me the report" from Anna ->
/// "send them the report", as the item says who asked); a promise of the user's to the one
/// other speaker reads about that speaker ("I'll call you" -> "call Sam").
fn rewrite_pronouns(
    text: &str,
    speaker: Option<&str>,
    from_other: bool,
    others: &[&str],
) -> String {
    let (me, you) = match (from_other, speaker) {
        (true, Some(s)) if !super::is_anonymous(s) => (Some(s), None),
        (false, _) if others.len() == 1 => (None, Some(others[0])),
        _ => (None, None),
    };
    text.split(' ')
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let (core, tail) = split_trailing_punct(&lower, w);
            match (core, me, you) {
                ("me", Some(_), _) => format!("them{tail}"),
                ("my", Some(_), _) => format!("their{tail}"),
                ("myself", Some(_), _) => format!("themselves{tail}"),
                ("you", _, Some(name)) => format!("{name}{tail}"),
                ("your", _, Some(name)) => format!("{name}'s{tail}"),
                _ => w.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn split_trailing_punct<'a>(lower: &'a str, original: &'a str) -> (&'a str, &'a str) {
    let core_len = lower.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    (&lower[..core_len], &original[core_len..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextKind;

    fn items(text: &str) -> Vec<String> {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        find(&Doc::new(text, TextKind::Message, start))
            .into_iter()
            .map(|i| i.description)
            .collect()
    }

    #[test]
    fn shopping_lists_dues_and_joined_imperatives_are_tasks() {
        let start = omi_model::timestamp::parse_datetime("2024-06-01T10:00:00Z").unwrap();
        let found = |text: &str| -> Vec<String> {
            find(&Doc::new(text, TextKind::Other, start))
                .into_iter()
                .map(|a| a.description)
                .collect()
        };
        assert_eq!(
            found("Groceries: oat milk, eggs, spinach"),
            ["Buy oat milk, eggs and spinach"]
        );
        assert_eq!(found("Next refill due June 20."), ["Refill due June 20"]);
        assert_eq!(
            found("Please arrive 10 minutes early and bring your insurance card."),
            ["Arrive 10 minutes early", "Bring your insurance card"]
        );
        assert_eq!(
            found("Dr. Brooks wants me to recheck in 3 months."),
            ["Recheck in 3 months"]
        );
    }

    #[test]
    fn requests_to_the_user_are_tasks_about_the_requester() {
        assert_eq!(
            items("Anna: Can you send me the Q3 numbers by Friday?\nMe: Sure."),
            ["Anna asked you to send them the Q3 numbers by Friday"]
        );
        assert_eq!(
            items("Mom: Don't forget to pick up milk on the way home!"),
            ["Mom asked you to pick up milk on the way home"]
        );
    }

    #[test]
    fn the_users_commitments_are_tasks() {
        assert_eq!(
            items("Sam: The deck?\nMe: I'll send you the deck tonight."),
            ["Send Sam the deck tonight"]
        );
        assert_eq!(
            items("I really need to renew my passport before June."),
            ["Renew my passport before June"]
        );
    }

    #[test]
    fn a_request_continued_by_the_one_who_asked_is_a_second_task() {
        assert_eq!(
            items(
                "Mom: Don't forget to pick up milk on your way home\nMe: Will do. Need anything else?\nMom: Maybe some bread too if the store has the whole grain kind"
            ),
            [
                "Mom asked you to pick up milk on your way home",
                "Mom asked you to pick up some bread if the store has the whole grain kind"
            ]
        );
        assert_eq!(
            items("Anna: Can you bring the salad?\nMe: Sure.\nAnna: And some napkins too."),
            [
                "Anna asked you to bring the salad",
                "Anna asked you to bring some napkins"
            ]
        );
        // Another speaker's words, or a sentence with a verb, continue nothing.
        assert_eq!(
            items("Anna: Can you bring the salad?\nSam: Maybe some music too."),
            ["Anna asked you to bring the salad"]
        );
        assert_eq!(
            items("Anna: Can you bring the salad?\nMe: Sure.\nAnna: The party starts at 8."),
            ["Anna asked you to bring the salad"]
        );
        assert_eq!(
            items(
                "Anna: Can you bring the salad?\nMe: Sure.\nAnna: Also the weather turned cold again."
            ),
            ["Anna asked you to bring the salad"]
        );
    }

    #[test]
    fn a_bare_cue_makes_the_next_sentence_a_list_of_tasks() {
        assert_eq!(
            items(
                "Me: Okay, note to self. Pick up the dry cleaning before 6, call the bank, and book a haircut."
            ),
            [
                "Pick up the dry cleaning before 6",
                "Call the bank",
                "Book a haircut"
            ]
        );
        assert_eq!(
            items("Me: Note to self. It was a long day."),
            Vec::<String>::new()
        );
        assert_eq!(
            items("Mr. Patel: Please make sure someone is home."),
            ["Mr. Patel asked you to make sure someone is home"]
        );
    }

    #[test]
    fn an_imperative_from_someone_else_or_in_a_record_is_a_task() {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        let found = |text: &str, kind: TextKind| -> Vec<String> {
            find(&Doc::new(text, kind, start))
                .into_iter()
                .map(|i| i.description)
                .collect()
        };
        assert_eq!(
            found(
                "Dr. Okoro: Keep a headache diary.\nMe: Okay.",
                TextKind::AudioTranscript
            ),
            ["Dr. Okoro asked you to keep a headache diary"]
        );
        assert_eq!(
            found("Physio plan\nIce the knee after exercise.", TextKind::Other),
            ["Ice the knee after exercise"]
        );
        assert!(found("Call (555) 010-4433 with questions.", TextKind::Other).is_empty());
        assert!(found("Me: Bring it on, Sam!\nSam: Ha.", TextKind::Message).is_empty());
        assert!(found("Take care of yourself.", TextKind::SocialPost).is_empty());
    }

    #[test]
    fn a_time_said_first_and_a_verb_after_a_comma_and_are_tasks_too() {
        assert_eq!(
            items(
                "Professor: For next week, read chapters 4 and 5, and submit the problem set by Monday.\nMe: Ok."
            ),
            [
                "Professor asked you to read chapters 4 and 5",
                "Professor asked you to submit the problem set by Monday"
            ]
        );
        assert_eq!(
            items("Jordan: Bring snacks everyone\nMe: Sure"),
            ["Jordan asked you to bring snacks"]
        );
    }

    #[test]
    fn the_users_changes_of_habit_are_tasks() {
        assert_eq!(
            items("Me: I'm starting a vitamin D supplement and cutting back on red meat."),
            ["Start a vitamin D supplement", "Cut back on red meat"]
        );
        assert!(items("Me: I'm starting to feel better.").is_empty());
        assert!(items("Anna: I'm quitting sugar for a month.\nMe: Nice!").is_empty());
    }

    #[test]
    fn a_record_due_in_a_month_of_a_year_is_a_task() {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        let found: Vec<String> = find(&Doc::new(
            "Vaccination record\nTetanus: 2019\nCOVID booster: September 2024\nNext flu shot due October 2025.",
            TextKind::Other,
            start,
        ))
        .into_iter()
        .map(|i| i.description)
        .collect();
        assert_eq!(found, ["Flu shot due October 2025"]);
    }

    #[test]
    fn small_talk_is_not_a_task() {
        assert!(items("Can you believe it? I'll be there. I'll see.").is_empty());
        assert!(items("Sam: I'll bring the wine.\nMe: Great.").is_empty());
    }

    #[test]
    fn todo_lists_are_tasks_and_checked_items_are_done() {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        let found = find(&Doc::new(
            "To do:\n- call the plumber\n- [x] buy stamps",
            TextKind::Other,
            start,
        ));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].description, "Call the plumber");
        assert!(found[1].completed);
    }
}
