//! Events: plans with a day or a time ("dinner with Anna this Friday at 7pm"), for the
//! user's calendar.

use chrono::{NaiveTime, Timelike};
use omi_model::Event;

use super::when::{self, When};
use super::words::{is_stopword, words};
use super::{Doc, capitalize, truncate_words};

/// Things that happen at a time, and how long each lasts when the text does not say.
const EVENT_NOUNS: &[(&str, i64)] = &[
    ("dinner", 120),
    ("supper", 120),
    ("lunch", 60),
    ("breakfast", 60),
    ("brunch", 90),
    ("coffee", 30),
    ("drinks", 120),
    ("meeting", 60),
    ("meetup", 120),
    ("call", 30),
    ("appointment", 60),
    ("appt", 60),
    ("interview", 60),
    ("party", 180),
    ("concert", 180),
    ("gig", 180),
    ("show", 120),
    ("movie", 120),
    ("movies", 120),
    ("game", 180),
    ("match", 120),
    ("class", 60),
    ("lesson", 60),
    ("practice", 90),
    ("rehearsal", 120),
    ("training", 60),
    ("workout", 60),
    ("session", 60),
    ("presentation", 60),
    ("demo", 60),
    ("standup", 15),
    ("stand-up", 15),
    ("review", 60),
    ("sync", 30),
    ("1:1", 30),
    ("one-on-one", 30),
    ("date", 120),
    ("wedding", 360),
    ("ceremony", 120),
    ("recital", 90),
    ("conference", 480),
    ("workshop", 180),
    ("webinar", 60),
    ("flight", 180),
    ("checkup", 60),
    ("check-up", 60),
    ("exam", 120),
    ("haircut", 45),
    ("playdate", 120),
    ("barbecue", 180),
    ("bbq", 180),
    ("picnic", 180),
    ("hike", 180),
    ("yoga", 60),
    ("reservation", 120),
    ("visit", 60),
    ("tour", 90),
    ("festival", 240),
    ("service", 90),
    ("reunion", 180),
    ("shower", 180),
    ("dentist", 60),
    ("doctor", 60),
    ("vet", 60),
];

/// Phrases that make a plan without naming what it is, and the title they give.
const PLAN_PHRASES: &[(&str, &str)] = &[
    ("let's meet", "Meet up"),
    ("meet up", "Meet up"),
    ("meet you", "Meet up"),
    ("meet at", "Meet up"),
    ("catch up", "Catch up"),
    ("pick you up", "Pick-up"),
    ("pick me up", "Pick-up"),
    ("come over", "Get-together"),
    ("hang out", "Hang out"),
];

/// Words that call a plan off or put it in the past.
const NOT_A_PLAN: &[&str] = &[
    "had",
    "was",
    "were",
    "went",
    "did",
    "cancel",
    "cancelled",
    "canceled",
    "can't",
    "cannot",
    "couldn't",
    "won't",
    "missed",
    "skip",
    "skipped",
];

/// The events the text plans.
pub(crate) fn find(doc: &Doc) -> Vec<Event> {
    let others = doc.others();
    let mut out: Vec<Event> = Vec::new();
    let mut recent_date: Option<(usize, chrono::NaiveDate)> = None;
    for (index, s) in doc.sentences.iter().enumerate() {
        let Some(mut when) = when::find(&s.lower, doc.started_at) else {
            continue;
        };
        let tokens = when::tokens(&s.lower);
        if when.past || when.recurring {
            continue;
        }
        let rescheduled = ["moved to", "rescheduled", "pushed to", "push it to"]
            .iter()
            .any(|p| s.lower.contains(p));
        if !rescheduled && tokens.iter().any(|t| NOT_A_PLAN.contains(t)) {
            continue;
        }
        if when.date.is_none() {
            if let Some((at, date)) = recent_date.filter(|(at, _)| index - at <= 2) {
                let _ = at;
                when.date = Some(date);
            }
        } else if let Some(d) = when.date {
            recent_date = Some((index, d));
        }
        let Some((title, default_minutes)) = title(doc, s, &tokens, &others) else {
            continue;
        };
        if !when.is_specific() || (when.deadline && when.time.is_none()) {
            continue;
        }
        let start = when.resolve(doc.started_at, default_time(&when));
        if out.iter().any(|e| e.start == start) {
            continue;
        }
        out.push(Event {
            title: truncate_words(&title, 60),
            description: truncate_words(&s.text, 300),
            start,
            duration: when.duration_minutes.unwrap_or(default_minutes),
            created: false,
        });
    }
    out
}

fn default_time(when: &When) -> NaiveTime {
    when.part_of_day
        .or_else(|| NaiveTime::from_hms_opt(9, 0, 0))
        .unwrap_or_default()
        .with_second(0)
        .unwrap_or_default()
}

/// A title from the event noun (with up to two words before it) and who it is with, and the
/// noun's usual length in minutes.
fn title(
    doc: &Doc,
    s: &super::sentences::Sentence,
    tokens: &[&str],
    others: &[&str],
) -> Option<(String, i64)> {
    let original: Vec<&str> = words(&s.text).collect();
    let lower: Vec<String> = original.iter().map(|w| w.to_ascii_lowercase()).collect();
    let found = lower.iter().enumerate().find_map(|(i, w)| {
        EVENT_NOUNS
            .iter()
            .find(|(n, _)| n == w)
            .map(|(_, d)| (i, *d))
    });
    let (mut head, minutes) = match found {
        Some((i, minutes)) => {
            let mut first = i;
            while first > 0 && i - first < 2 && is_modifier(original[first - 1], &lower[first - 1])
            {
                first -= 1;
            }
            (original[first..=i].join(" "), minutes)
        }
        None => {
            let (_, title) = PLAN_PHRASES.iter().find(|(p, _)| s.lower.contains(p))?;
            ((*title).to_owned(), Event::DEFAULT_DURATION_MINUTES)
        }
    };
    if let Some(with) = with_whom(&original, &lower) {
        if !head
            .to_ascii_lowercase()
            .contains(&with.to_ascii_lowercase())
        {
            head = format!("{head} with {with}");
        }
    } else if others.len() == 1
        && tokens
            .iter()
            .any(|t| matches!(*t, "we" | "us" | "let's" | "you" | "join" | "together"))
    {
        head = format!("{head} with {}", others[0]);
    }
    let _ = doc;
    Some((capitalize(&head), minutes))
}

/// Whether a word before the event noun belongs to its name ("team meeting",
/// "Anna's birthday party").
fn is_modifier(word: &str, lower: &str) -> bool {
    word.chars()
        .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
        && !is_stopword(lower)
        && !matches!(
            lower,
            "a" | "an"
                | "the"
                | "our"
                | "my"
                | "your"
                | "his"
                | "her"
                | "their"
                | "have"
                | "grab"
                | "get"
                | "do"
                | "for"
                | "to"
                | "at"
                | "big"
                | "quick"
                | "free"
                | "book"
                | "booked"
                | "schedule"
                | "scheduled"
                | "plan"
                | "planned"
                | "join"
                | "go"
                | "about"
                | "remember"
                | "forget"
                | "confirm"
                | "confirmed"
                | "cancel"
                | "upcoming"
                | "up"
                | "with"
                | "re"
                | "reminder"
                | "after"
                | "before"
        )
        && !WEEKDAY_OR_MONTH.contains(&lower)
}

const WEEKDAY_OR_MONTH: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// "with Anna", "with Dr. Patel", "with my mom" -> who.
fn with_whom(original: &[&str], lower: &[String]) -> Option<String> {
    let at = lower.iter().position(|w| w == "with")?;
    let rest = &original[at + 1..];
    let first = *rest.first()?;
    if matches!(
        lower.get(at + 1).map(String::as_str),
        Some("my" | "the" | "our")
    ) {
        let noun = *rest.get(1)?;
        if is_stopword(&noun.to_ascii_lowercase()) {
            return None;
        }
        let det = if lower[at + 1] == "my" { "" } else { "the " };
        return Some(format!("{det}{noun}"));
    }
    if !first.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    let mut names = vec![first];
    for w in rest.iter().skip(1).take(2) {
        let lw = w.to_ascii_lowercase();
        if w.chars().next().is_some_and(char::is_uppercase)
            && !WEEKDAY_OR_MONTH.contains(&lw.as_str())
            && !is_stopword(&lw)
        {
            names.push(w);
        } else if lw == "and" {
            names.push("and");
        } else {
            break;
        }
    }
    while names.last() == Some(&"and") {
        names.pop();
    }
    let lead = first.to_ascii_lowercase();
    if WEEKDAY_OR_MONTH.contains(&lead.as_str()) || is_stopword(&lead) {
        return None;
    }
    Some(names.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::TextKind;

    fn doc(text: &str) -> Doc {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        Doc::new(text, TextKind::Message, start)
    }

    #[test]
    fn a_plan_with_a_day_and_time_is_an_event() {
        let events = find(&doc("Dinner with Sarah this Friday at 7pm at Luigi's."));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].title, "Dinner with Sarah");
        assert_eq!(events[0].start.to_rfc3339(), "2024-03-15T19:00:00+00:00");
        assert_eq!(events[0].duration, 120);
    }

    #[test]
    fn modifiers_and_stated_durations_are_kept() {
        let events = find(&doc("The team meeting is on Tuesday from 10 to 11:30am."));
        assert_eq!(events[0].title, "Team meeting");
        assert_eq!(events[0].duration, 90);
    }

    #[test]
    fn past_cancelled_and_deadline_only_mentions_are_not_events() {
        assert!(find(&doc("We had dinner last Friday at 7.")).is_empty());
        assert!(find(&doc("I can't make the meeting tomorrow at 10.")).is_empty());
        assert!(find(&doc("Send the report by Friday.")).is_empty());
        assert!(find(&doc("I love dinner parties.")).is_empty());
    }

    #[test]
    fn a_time_takes_the_day_said_just_before() {
        let events = find(&doc("Are you free on Saturday? Let's do lunch at 1."));
        assert_eq!(events[0].start.to_rfc3339(), "2024-03-16T13:00:00+00:00");
    }
}
