//! Events: plans with a day or a time ("dinner with Anna this Friday at 7pm"), for the
//! user's calendar.

use chrono::{NaiveTime, Timelike};
use omi_model::Event;

use super::lexicon::events::{
    EVENT_NOUNS, HOLIDAY_MONTHS, MEETING_AGREEMENTS, NOT_A_PLAN, PLAN_PHRASES, PLAN_VERBS,
    SESSION_ROLES, WEEKDAY_OR_MONTH,
};
use super::sentences::Sentence;
use super::when::{self, When};
use super::words::{is_stopword, words};
use super::{Doc, capitalize, truncate_words};

/// The events the text plans.
///
/// A plan often takes more than one sentence: "Are you coming for Easter?" / "Yes, on the
/// 31st." (the day comes after the event), or "Let's grab lunch next week." / "Tuesday at
/// noon?" (a later sentence makes it precise). A sentence with a day or time but no event of
/// its own completes the event named up to two sentences before it.
pub(crate) fn find(doc: &Doc) -> Vec<Event> {
    let others = doc.others();
    let mut out: Vec<(Event, When)> = Vec::new();
    let mut starts = std::collections::HashSet::new();
    let mut recent_date: Option<(usize, chrono::NaiveDate)> = None;
    // The last event made (sentence index, position in `out`).
    let mut last_event: Option<(usize, usize)> = None;
    // An event named without a day or time (sentence index, title, minutes).
    let mut pending: Option<(usize, String, i64)> = None;
    let subject_title = doc
        .parsed
        .subject
        .as_deref()
        .filter(|s| has_event_noun(s))
        .map(str::to_owned);
    for (index, s) in doc.sentences.iter().enumerate() {
        let tokens = when::tokens(&s.lower);
        let rescheduled = ["moved to", "rescheduled", "pushed to", "push it to"]
            .iter()
            .any(|p| s.lower.contains(p));
        let called_off = !rescheduled && called_off(&s.lower, doc.started_at);
        let named = title(s, &tokens, &others);
        let Some(mut when) = when::find(&s.lower, doc.started_at)
            .filter(|w| w.is_specific() || w.part_of_day.is_some())
        else {
            if let Some((t, minutes)) = named.filter(|_| !called_off) {
                pending = Some((index, t, minutes));
            }
            continue;
        };
        if when.past || when.recurring || called_off {
            continue;
        }
        if when.date.is_none() {
            if let Some((_, date)) = recent_date.filter(|(at, _)| index - at <= 2) {
                when.date = Some(date);
            }
        } else if let Some(d) = when.date {
            recent_date = Some((index, d));
        }
        if when.deadline && when.time.is_none() {
            continue;
        }
        let (title, minutes) = match named {
            Some(t) => t,
            None => {
                let changes_day = [
                    "how about",
                    "what about",
                    "instead",
                    "actually",
                    "make it",
                    "works",
                ]
                .iter()
                .any(|p| s.lower.contains(p));
                let refines = |known: &When| {
                    (when.time.is_some() && known.time.is_none())
                        || (when.date.is_some() && (known.vague || changes_day))
                };
                if let Some((at, i)) = last_event
                    .filter(|(at, _)| index - at <= 2)
                    .filter(|(_, i)| refines(&out[*i].1))
                {
                    // A later sentence makes the last event precise.
                    let (event, known) = &mut out[i];
                    if when.date.is_some() && (known.vague || changes_day) {
                        known.date = when.date;
                        known.vague = false;
                    }
                    if when.time.is_some() {
                        known.time = when.time;
                        known.duration_minutes = when.duration_minutes.or(known.duration_minutes);
                    }
                    event.start = known.resolve(doc.started_at, default_time(known));
                    if let Some(minutes) = when.duration_minutes {
                        event.duration = minutes;
                    }
                    last_event = Some((at.max(index), i));
                    continue;
                }
                match pending.take().filter(|(at, _, _)| index - at <= 2) {
                    Some((_, t, minutes)) => (t, minutes),
                    None => match &subject_title {
                        Some(t) if when.date.is_some() && when.time.is_some() => {
                            (t.clone(), Event::DEFAULT_DURATION_MINUTES)
                        }
                        _ => match agreed_meeting(s, &others) {
                            Some(t) => (t, Event::DEFAULT_DURATION_MINUTES),
                            None => continue,
                        },
                    },
                }
            }
        };
        if let Some(month) = holiday_month(&title) {
            when.in_month(month, doc.started_at.date_naive());
        }
        if !when.is_specific() {
            pending = Some((index, title, minutes));
            continue;
        }
        let start = when.resolve(doc.started_at, default_time(&when));
        if !starts.insert(start) {
            continue;
        }
        out.push((
            Event {
                title: truncate_words(&title, 60),
                description: truncate_words(&s.text, 300),
                start,
                duration: when.duration_minutes.unwrap_or(minutes),
                created: false,
            },
            when,
        ));
        last_event = Some((index, out.len() - 1));
        pending = None;
    }
    out.into_iter().map(|(e, _)| e).collect()
}

/// Whether a past or cancelling word ("was", "can't") is in a clause that holds the date: in
/// "Work was stressful, the audit is next Tuesday" the audit is still a plan.
fn called_off(lower: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    let off = |part: &str| when::tokens(part).iter().any(|t| NOT_A_PLAN.contains(t));
    if !off(lower) {
        return false;
    }
    let mut dated = lower
        .split([',', ';'])
        .filter(|part| when::find(part, now).is_some())
        .peekable();
    if dated.peek().is_none() {
        off(lower)
    } else {
        dated.any(off)
    }
}

/// A meeting agreed with the one other speaker without naming an event ("Same time next
/// week?", "See you at 12:30", "let's see you again on November 19th at 9am"), titled by
/// who they are: a session with a tutor, trainer or therapist, an appointment with a doctor,
/// else a meeting with them.
fn agreed_meeting(s: &Sentence, others: &[&str]) -> Option<String> {
    let [other] = others else {
        return None;
    };
    if !MEETING_AGREEMENTS.iter().any(|p| s.lower.contains(p)) {
        return None;
    }
    let role = other.to_ascii_lowercase();
    if let Some((_, session)) = SESSION_ROLES.iter().find(|(r, _)| *r == role) {
        return Some((*session).to_owned());
    }
    if role.starts_with("dr.") || role.starts_with("dr ") {
        return Some(format!("Appointment with {other}"));
    }
    Some(format!("Meeting with {other}"))
}

/// The month of a holiday the title names ("Christmas" is December's), if it has a fixed one.
fn holiday_month(title: &str) -> Option<u32> {
    words(&title.to_ascii_lowercase()).find_map(|w| {
        HOLIDAY_MONTHS
            .iter()
            .find(|(h, _)| *h == w)
            .map(|(_, m)| *m)
    })
}

/// Whether `text` names an event.
fn has_event_noun(text: &str) -> bool {
    words(&text.to_ascii_lowercase()).any(|w| noun_minutes(w).is_some())
}

/// The usual minutes of an event noun (singular or plural), if `word` is one.
fn noun_minutes(word: &str) -> Option<i64> {
    let singular = word.strip_suffix('s').unwrap_or(word);
    EVENT_NOUNS
        .iter()
        .find(|(n, _)| *n == word || *n == singular)
        .map(|(_, m)| *m)
}

fn default_time(when: &When) -> NaiveTime {
    when.part_of_day
        .or_else(|| NaiveTime::from_hms_opt(9, 0, 0))
        .unwrap_or_default()
        .with_second(0)
        .unwrap_or_default()
}

/// A title from the event noun (with up to two words before it) and who it is with, and the
/// noun's usual length in minutes; or from a plan's verb ("my parents arrive" -> "Parents
/// arrive").
fn title(s: &Sentence, tokens: &[&str], others: &[&str]) -> Option<(String, i64)> {
    let original: Vec<&str> = words(&s.text).collect();
    let lower: Vec<String> = original.iter().map(|w| w.to_ascii_lowercase()).collect();
    // "after lunch", "before the meeting": a moment relative to an event, not the event.
    let found = lower.iter().enumerate().find_map(|(i, w)| {
        // "after lunch" is a moment; "dry cleaning" a chore, not the dentist's cleaning.
        let relative = i > 0
            && matches!(
                lower[i - 1].as_str(),
                "after" | "before" | "until" | "till" | "during" | "since" | "dry"
            );
        // "Our records show that ...": a verb, not the event its noun names.
        let verb = lower.get(i + 1).is_some_and(|n| n == "that");
        noun_minutes(w)
            .filter(|_| !relative && !verb)
            .map(|d| (i, d))
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
        None => match PLAN_PHRASES.iter().find(|(p, _)| s.lower.contains(p)) {
            Some((_, title)) => ((*title).to_owned(), Event::DEFAULT_DURATION_MINUTES),
            None => (
                verb_plan(&original, &lower)?,
                Event::DEFAULT_DURATION_MINUTES,
            ),
        },
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
    Some((capitalize(&head), minutes))
}

/// "my parents arrive Sunday", "the package lands Friday": who or what, and the verb. A
/// plan's verb is a verb: "landing page", "arriving passengers", "the departing flight"
/// use it as a word before a noun, and make no plan.
fn verb_plan(original: &[&str], lower: &[String]) -> Option<String> {
    let at = lower
        .iter()
        .enumerate()
        .position(|(i, w)| PLAN_VERBS.contains(&w.as_str()) && !names_a_thing(lower, i))?;
    let mut first = at;
    while first > 0
        && at - first < 3
        && !matches!(
            lower[first - 1].as_str(),
            "my" | "the" | "our" | "your" | "also" | "and" | "will" | "i" | "we" | "you" | "it"
        )
        && !is_stopword(&lower[first - 1])
    {
        first -= 1;
    }
    // A verb with no one who comes or goes ("Departs: September 20") names no event of its
    // own; the event named before it ("Flight SW 482") is the one it times.
    if first == at {
        return None;
    }
    Some(capitalize(&original[first..=at].join(" ")))
}

/// Whether the plan verb at `at` is used before a noun ("landing page", "arriving
/// passengers") or after an article ("the landing"), not as a verb: what follows a verb of
/// coming and going is a time, a place, a preposition or nothing.
fn names_a_thing(lower: &[String], at: usize) -> bool {
    let after_article = at > 0 && matches!(lower[at - 1].as_str(), "the" | "a" | "an");
    let intransitive = !lower[at].starts_with("visit");
    let Some(next) = lower.get(at + 1) else {
        return after_article;
    };
    let next_fits_a_verb = is_stopword(next)
        || WEEKDAY_OR_MONTH.contains(&next.as_str())
        || next.chars().next().is_some_and(|c| c.is_ascii_digit())
        || matches!(
            next.as_str(),
            "today"
                | "tonight"
                | "tomorrow"
                | "home"
                | "back"
                | "early"
                | "late"
                | "soon"
                | "here"
                | "there"
                | "around"
                | "next"
                | "this"
                | "safely"
        );
    after_article || (intransitive && !next_fits_a_verb)
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
    use crate::TextKind;

    fn doc(text: &str) -> Doc {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        Doc::new(text, TextKind::Message, start)
    }

    #[test]
    fn a_meeting_agreed_with_the_one_other_speaker_is_an_event() {
        let start = omi_model::timestamp::parse_datetime("2024-07-12T12:00:00Z").unwrap();
        let doc = Doc::new(
            "Trainer: Same time next week?\nMe: Yes, Wednesday at 7am.",
            crate::TextKind::Message,
            start,
        );
        let found: Vec<(String, String)> = find(&doc)
            .into_iter()
            .map(|e| (e.title, e.start.to_rfc3339()))
            .collect();
        assert_eq!(
            found,
            [(
                "Training session".to_owned(),
                "2024-07-17T07:00:00+00:00".to_owned()
            )]
        );
        let doc = Doc::new(
            "Ivy: Great, see you at 12:30\nMe: Sure",
            crate::TextKind::Message,
            start,
        );
        assert_eq!(find(&doc)[0].title, "Meeting with Ivy");
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
    fn a_landing_page_is_no_event_but_a_landing_flight_is() {
        for text in [
            "The landing page copy is almost done, I will polish it on Thursday.",
            "Can we look at the landing page on Monday?",
            "Arriving passengers use gate 4 from 6pm on Friday.",
        ] {
            let events = find(&doc(text));
            assert!(
                events
                    .iter()
                    .all(|e| !e.title.to_lowercase().contains("landing")
                        && !e.title.to_lowercase().contains("arriving")),
                "{text}: {events:?}"
            );
        }
        let events = find(&doc("My parents arrive on Sunday at 3pm."));
        assert_eq!(events[0].title, "Parents arrive");
        let events = find(&doc("Our flight lands Friday at 6pm."));
        assert_eq!(events.len(), 1, "{events:?}");
    }

    #[test]
    fn a_day_of_the_month_said_for_a_holiday_is_in_its_month() {
        let start = omi_model::timestamp::parse_datetime("2024-11-10T18:00:00Z").unwrap();
        let doc = Doc::new(
            "Dad: So are you coming for Christmas?\nMe: Yes, we'll drive up on the 23rd.",
            crate::TextKind::Message,
            start,
        );
        let events = find(&doc);
        assert_eq!(events[0].title, "Christmas with Dad");
        assert_eq!(events[0].start.date_naive().to_string(), "2024-12-23");
    }

    #[test]
    fn a_past_word_in_another_clause_leaves_the_plan() {
        let events = find(&doc("Work was stressful, the audit is next Tuesday."));
        assert_eq!(events[0].title, "Audit");
        assert!(find(&doc("Can't tomorrow, I have shifts at 6.")).is_empty());
    }

    #[test]
    fn a_noun_used_as_a_verb_names_no_event() {
        let events = find(&doc(
            "Our records show that Luna is due for her vaccines. We booked her in for Tuesday at 10:30 AM.",
        ));
        assert_eq!(events[0].title, "Vaccines");
    }

    #[test]
    fn a_time_takes_the_day_said_just_before() {
        let events = find(&doc("Are you free on Saturday? Let's do lunch at 1."));
        assert_eq!(events[0].start.to_rfc3339(), "2024-03-16T13:00:00+00:00");
    }
}
