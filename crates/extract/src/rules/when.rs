//! Dates and times in a sentence ("this Friday at 7pm", "March 3rd", "tomorrow morning",
//! "in two weeks", "from 3 to 5pm"), resolved against the moment the text was made.
//!
//! Times are read as UTC: the server does not know the user's time zone.
//!
//! Every number comes from the user's text, so all date arithmetic is checked: a date that
//! would fall outside [`FIRST_YEAR`]..=[`LAST_YEAR`] ("see you in 100000000 days", "on
//! 99/99/9999") is no date at all, and a duration longer than [`MAX_DURATION_MINUTES`] is no
//! duration.

use super::lexicon::when::{MONTHS, NUMBER_WORDS, WEEKDAYS};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};

/// The first year a sentence may name (what RFC 3339, and so the wire, can write).
pub(crate) const FIRST_YEAR: i32 = 1;
/// The last year a sentence may name (what RFC 3339, and so the wire, can write).
pub(crate) const LAST_YEAR: i32 = 9999;
/// The longest duration a sentence may name, in minutes: a week.
pub(crate) const MAX_DURATION_MINUTES: i64 = 7 * 24 * 60;

/// A date and time a sentence names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct When {
    /// The day, when a date or a relative day was named.
    pub(crate) date: Option<NaiveDate>,
    /// The clock time, when one was named ("7pm", "19:00", "noon").
    pub(crate) time: Option<NaiveTime>,
    /// A time the part of the day suggests ("morning", "tonight", "dinner"), when no clock
    /// time was named.
    pub(crate) part_of_day: Option<NaiveTime>,
    /// How long, in minutes, when said ("for two hours", "from 3 to 5pm").
    pub(crate) duration_minutes: Option<i64>,
    /// Whether the sentence speaks of the past ("yesterday", "last Friday", "two weeks ago").
    pub(crate) past: bool,
    /// Whether the date is a deadline ("by Friday", "due Monday") rather than an appointment.
    pub(crate) deadline: bool,
    /// Whether a weekday was named in the plural ("on Fridays"): a habit, not one day.
    pub(crate) recurring: bool,
    /// Whether the day is only roughly named ("next week", "in two weeks"), so a later
    /// sentence may name it exactly.
    pub(crate) vague: bool,
    /// Whether the date is only a day of the month ("the 23rd"), so its month is a guess.
    pub(crate) day_only: bool,
}

impl When {
    /// Whether it names a day or a clock time.
    pub(crate) fn is_specific(&self) -> bool {
        self.date.is_some() || self.time.is_some()
    }

    /// Puts a day named without its month ("the 23rd") in `month`: the first such date on or
    /// after `today` ("Coming for Christmas?" / "Yes, on the 23rd" is December's 23rd).
    pub(crate) fn in_month(&mut self, month: u32, today: NaiveDate) {
        if let Some(date) = self
            .date
            .filter(|_| self.day_only)
            .and_then(|d| month_day(today, month, d.day(), None))
        {
            self.date = Some(date);
        }
    }

    /// The moment it names: the date (or `now`'s day, or the next day when the time has
    /// passed) at the clock time (or the part of the day's, or `default_time`).
    pub(crate) fn resolve(&self, now: DateTime<Utc>, default_time: NaiveTime) -> DateTime<Utc> {
        let time = self.time.or(self.part_of_day).unwrap_or(default_time);
        let today = now.date_naive();
        let date = match self.date {
            Some(d) => d,
            None if today.and_time(time) < now.naive_utc() => add_days(today, 1).unwrap_or(today),
            None => today,
        };
        date.and_time(time).and_utc()
    }
}

/// The tokens of a lower-case sentence: words with their inner `:`, `/`, `.`, `-`, `'` kept.
pub(crate) fn tokens(lower: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for t in lower
        .split(|c: char| c.is_whitespace() || ",;!?()\"".contains(c))
        .map(|t| t.trim_end_matches(['.', ':', '\'']))
        .map(|t| t.trim_start_matches(['\'', '-']))
        .filter(|t| !t.is_empty())
    {
        // "3-5pm" is a range: "3", "-", "5pm" (a date like "2024-04-01" stays whole).
        match t.split_once('-') {
            Some((a, b))
                if t.matches('-').count() == 1
                    && a.starts_with(|c: char| c.is_ascii_digit())
                    && b.starts_with(|c: char| c.is_ascii_digit()) =>
            {
                out.extend([a, "-", b]);
            }
            _ => out.push(t),
        }
    }
    out
}

fn weekday(token: &str) -> Option<(Weekday, bool)> {
    let t = token.strip_suffix("'s").unwrap_or(token);
    WEEKDAYS.iter().find_map(|(name, day)| {
        if t == *name {
            Some((*day, false))
        } else if t.strip_suffix('s') == Some(name) {
            Some((*day, true))
        } else {
            None
        }
    })
}

fn month(token: &str) -> Option<u32> {
    MONTHS.iter().find(|(n, _)| *n == token).map(|(_, m)| *m)
}

/// `date` moved by `days` (either way), when that is a date a sentence may name.
fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    let moved = date.checked_add_signed(Duration::try_days(days)?)?;
    plausible(moved).then_some(moved)
}

/// Whether `date` is in the years a sentence may name ([`FIRST_YEAR`]..=[`LAST_YEAR`]).
fn plausible(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

fn number(token: &str) -> Option<i64> {
    token.parse().ok().or_else(|| {
        NUMBER_WORDS
            .iter()
            .find(|(w, _)| *w == token)
            .map(|(_, n)| *n)
    })
}

/// "3", "3rd", "21st" as a day of the month.
fn day_of_month(token: &str) -> Option<u32> {
    let digits = token
        .strip_suffix("st")
        .or_else(|| token.strip_suffix("nd"))
        .or_else(|| token.strip_suffix("rd"))
        .or_else(|| token.strip_suffix("th"))
        .unwrap_or(token);
    let d: u32 = digits.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

/// The first day on or after `from` that is `day`.
fn upcoming(from: NaiveDate, day: Weekday) -> Option<NaiveDate> {
    let ahead = (i64::from(day.num_days_from_monday())
        - i64::from(from.weekday().num_days_from_monday()))
    .rem_euclid(7);
    add_days(from, ahead)
}

/// A bare weekday ("on Sunday", "Wednesday at 6pm"): the next one to come. Today's own
/// weekday means a week from today, since today is "today" or "tonight" ("call your
/// grandmother on Sunday", said on a Sunday evening, is next Sunday); "this Sunday" on a
/// Sunday is today.
fn coming(from: NaiveDate, day: Weekday) -> Option<NaiveDate> {
    if from.weekday() == day {
        add_days(from, 7)
    } else {
        upcoming(from, day)
    }
}

/// "Wednesday the 27th": the first date on or after `from` (within a year) that is both that
/// weekday and that day of its month.
fn weekday_the(from: NaiveDate, day: Weekday, month_day: u32) -> Option<NaiveDate> {
    let (mut year, mut month) = (from.year(), from.month());
    for _ in 0..13 {
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, month_day)
            && date >= from
            && date.weekday() == day
            && plausible(date)
        {
            return Some(date);
        }
        (year, month) = if month == 12 {
            (year.checked_add(1)?, 1)
        } else {
            (year, month + 1)
        };
    }
    None
}

/// `day` in the week after the one holding `from`.
fn next_week(from: NaiveDate, day: Weekday) -> Option<NaiveDate> {
    let back_to_monday = i64::from(from.weekday().num_days_from_monday());
    add_days(
        from,
        7 + i64::from(day.num_days_from_monday()) - back_to_monday,
    )
}

/// The first `month`/`day` on or after `today` (this year's, or next year's when it has passed).
fn month_day(today: NaiveDate, month: u32, day: u32, year: Option<i32>) -> Option<NaiveDate> {
    let date = match year {
        Some(y) => NaiveDate::from_ymd_opt(y, month, day)?,
        None => {
            let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
            if this_year >= today {
                this_year
            } else {
                NaiveDate::from_ymd_opt(today.year().checked_add(1)?, month, day)?
            }
        }
    };
    plausible(date).then_some(date)
}

fn hm(hour: u32, minute: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// A clock time in one token ("7pm", "7:30pm", "19:00", "7.30am") or two ("7 pm").
/// `Some((time, explicit_meridiem, tokens_used))`.
/// `None` when `tokens` ends before `i` ("from 3 to" at the end of a text).
fn clock(tokens: &[&str], i: usize) -> Option<(u32, u32, Option<bool>, usize)> {
    let t = *tokens.get(i)?;
    let (body, mut pm, mut used) =
        if let Some(b) = t.strip_suffix("pm").or_else(|| t.strip_suffix("p.m")) {
            (b, Some(true), 1)
        } else if let Some(b) = t.strip_suffix("am").or_else(|| t.strip_suffix("a.m")) {
            (b, Some(false), 1)
        } else {
            (t, None, 1)
        };
    if body.is_empty() {
        return None;
    }
    let (h, m) = match body.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        Some(_) => return None,
        None => (body.parse::<u32>().ok()?, 0),
    };
    if pm.is_none() {
        match tokens.get(i + 1).copied() {
            Some("pm" | "p.m") => {
                pm = Some(true);
                used = 2;
            }
            Some("am" | "a.m") => {
                pm = Some(false);
                used = 2;
            }
            _ => {}
        }
    }
    if h > 23 || m > 59 || (pm.is_some() && !(1..=12).contains(&h)) {
        return None;
    }
    // "06:45" is a 24-hour time: leave it as it is.
    if pm.is_none() && body.starts_with('0') && body.len() > 1 {
        pm = Some(h >= 12);
    }
    Some((h, m, pm, used))
}

fn to_24h(hour: u32, pm: Option<bool>, evening_hint: bool, morning_hint: bool) -> u32 {
    match pm {
        Some(true) if hour < 12 => hour + 12,
        Some(false) if hour == 12 => 0,
        Some(_) => hour,
        None if hour >= 13 || hour == 0 => hour,
        None if hour == 12 => 12,
        None if morning_hint => hour,
        None if evening_hint || hour <= 6 => hour + 12,
        None => hour,
    }
}

/// Find the date and time `lower` (a lower-case sentence) names, relative to `now`.
/// `None` when it names neither a day, nor a clock time, nor a part of the day.
pub(crate) fn find(lower: &str, now: DateTime<Utc>) -> Option<When> {
    let tokens = tokens(lower);
    let today = now.date_naive();
    let mut when = When::default();
    let evening_hint = tokens.iter().any(|t| {
        matches!(
            *t,
            "tonight"
                | "evening"
                | "dinner"
                | "supper"
                | "night"
                | "drinks"
                | "party"
                | "concert"
                | "club"
                | "movie"
                | "show"
                | "gig"
        )
    });
    let morning_hint = tokens
        .iter()
        .any(|t| matches!(*t, "morning" | "breakfast" | "am" | "a.m"));
    let mut found = false;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let prev = if i > 0 { tokens[i - 1] } else { "" };
        let next = tokens.get(i + 1).copied().unwrap_or("");
        let mut consumed = 1;
        match t {
            "yesterday" | "ago" => when.past = true,
            "last"
                if matches!(
                    next,
                    "night" | "week" | "month" | "year" | "time" | "weekend"
                ) || weekday(next).is_some() =>
            {
                when.past = true;
            }
            "today" => set_date(&mut when, &mut found, add_days(today, 0)),
            "tonight" => {
                set_date(&mut when, &mut found, add_days(today, 0));
                when.part_of_day
                    .get_or_insert(hm(20, 0).unwrap_or_default());
            }
            "tomorrow" if prev == "after" && i >= 2 && tokens[i - 2] == "day" => {
                set_date(&mut when, &mut found, add_days(today, 2));
            }
            "tomorrow" => set_date(&mut when, &mut found, add_days(today, 1)),
            "weekend" if matches!(prev, "this" | "next" | "the") => {
                let date = upcoming(today, Weekday::Sat).and_then(|sat| {
                    if prev == "next"
                        && sat - today < Duration::days(7)
                        && today.weekday() != Weekday::Sat
                    {
                        add_days(sat, 7)
                    } else {
                        Some(sat)
                    }
                });
                set_date(&mut when, &mut found, date);
            }
            "week" if prev == "next" => {
                let date = next_week(today, Weekday::Mon);
                if when.date.is_none() && date.is_some() {
                    when.vague = true;
                }
                set_date(&mut when, &mut found, date);
            }
            "in" => {
                // "in two weeks", "in 3 days", "in a week"
                if let (Some(n), Some(unit)) = (number(next), tokens.get(i + 2)) {
                    let days = match *unit {
                        "day" | "days" => Some(n),
                        "week" | "weeks" => n.checked_mul(7),
                        _ => None,
                    };
                    // "in 100000000 days" names no date a calendar holds: not a date.
                    if let Some(date) = days.and_then(|days| add_days(today, days)) {
                        set_date(&mut when, &mut found, Some(date));
                        consumed = 3;
                    }
                }
            }
            "noon" | "midday" => set_time(&mut when, &mut found, hm(12, 0)),
            "midnight" => set_time(&mut when, &mut found, hm(23, 59)),
            "morning" => {
                when.part_of_day.get_or_insert(hm(9, 0).unwrap_or_default());
            }
            "afternoon" => {
                when.part_of_day
                    .get_or_insert(hm(15, 0).unwrap_or_default());
            }
            "evening" => {
                when.part_of_day
                    .get_or_insert(hm(19, 0).unwrap_or_default());
            }
            "night" if prev != "last" => {
                when.part_of_day
                    .get_or_insert(hm(20, 0).unwrap_or_default());
            }
            "breakfast" => {
                when.part_of_day.get_or_insert(hm(8, 0).unwrap_or_default());
            }
            "brunch" => {
                when.part_of_day
                    .get_or_insert(hm(11, 0).unwrap_or_default());
            }
            "lunch" | "lunchtime" => {
                when.part_of_day
                    .get_or_insert(hm(12, 0).unwrap_or_default());
            }
            "dinner" | "supper" => {
                when.part_of_day
                    .get_or_insert(hm(19, 0).unwrap_or_default());
            }
            "by" | "due" | "before" | "until" | "deadline" => {
                if weekday(next).is_some()
                    || matches!(
                        next,
                        "tomorrow" | "tonight" | "today" | "monday" | "end" | "noon" | "eod"
                    )
                    || month(next).is_some()
                {
                    when.deadline = true;
                }
            }
            _ => {
                if let Some((day, plural)) = weekday(t) {
                    if plural || prev == "every" {
                        when.recurring = true;
                    } else if prev == "last" {
                        when.past = true;
                    } else if let Some(d) = (next == "the")
                        .then(|| tokens.get(i + 2).and_then(|t| day_of_month(t)))
                        .flatten()
                    {
                        // "Wednesday the 27th": the next month whose 27th is a Wednesday.
                        when.date = weekday_the(today, day, d);
                        found |= when.date.is_some();
                        consumed = 3;
                    } else if when.date.is_none() {
                        let date = match prev {
                            "next" => next_week(today, day),
                            "this" => upcoming(today, day),
                            _ => coming(today, day),
                        };
                        set_date(&mut when, &mut found, date);
                    }
                } else if let Some(m) = month(t) {
                    // "march 3", "march 3rd, 2025"; "may" only before a day number.
                    if let Some(d) = day_of_month(next) {
                        let year = tokens
                            .get(i + 2)
                            .and_then(|y| y.parse::<i32>().ok())
                            .filter(|y| (1900..=2200).contains(y));
                        if let Some(date) = month_day(today, m, d, year) {
                            // A named date is more precise than a weekday beside it.
                            when.date = Some(date);
                            found = true;
                            consumed = if year.is_some() { 3 } else { 2 };
                        }
                    }
                } else if let Some(d) = day_of_month(t).filter(|_| {
                    !t.chars().all(|c| c.is_ascii_digit())
                        || month(next).is_some()
                        || (next == "of" && tokens.get(i + 2).and_then(|m| month(m)).is_some())
                }) {
                    // "3rd of march", "3 march", "the 15th"
                    let m = month(next).or_else(|| {
                        (next == "of")
                            .then(|| tokens.get(i + 2).and_then(|m| month(m)))
                            .flatten()
                    });
                    let date = match m {
                        Some(m) => month_day(today, m, d, None),
                        None if prev == "the" => {
                            let this = NaiveDate::from_ymd_opt(today.year(), today.month(), d);
                            match this {
                                Some(this) if this >= today => Some(this),
                                _ => {
                                    let (y, mo) = if today.month() == 12 {
                                        (today.year().checked_add(1), 1)
                                    } else {
                                        (Some(today.year()), today.month() + 1)
                                    };
                                    y.and_then(|y| NaiveDate::from_ymd_opt(y, mo, d))
                                }
                            }
                        }
                        None => None,
                    }
                    .filter(|date| plausible(*date));
                    if let Some(date) = date {
                        when.day_only = m.is_none() && when.date.is_none();
                        set_date(&mut when, &mut found, Some(date));
                        consumed = if next == "of" {
                            3
                        } else if m.is_some() {
                            2
                        } else {
                            1
                        };
                    }
                } else if let Some(date) = numeric_date(t, today) {
                    when.date = Some(date);
                    found = true;
                } else if let Some((h, m, pm, used)) = clock(&tokens, i) {
                    // A bare number is a time only after "at", "around", "from" or before "o'clock".
                    let bare = pm.is_none() && !t.contains([':', '.']);
                    let cue = matches!(
                        prev,
                        "at" | "around" | "@" | "from" | "til" | "till" | "to" | "-" | "between"
                    ) || next == "o'clock"
                        || next == "oclock"
                        || next == "-";
                    if !bare || cue {
                        let range_end = duration_range(
                            &tokens,
                            i + used,
                            pm,
                            evening_hint,
                            morning_hint,
                            prev == "between",
                        );
                        // In "from 3 to 5pm" the first time takes the second's meridiem.
                        let pm = pm.or(range_end.and_then(|(_, pm2)| pm2));
                        let hour = to_24h(h, pm, evening_hint, morning_hint);
                        if when.time.is_none() {
                            set_time(&mut when, &mut found, hm(hour, m));
                            if let Some((end, _)) = range_end {
                                let start_min = i64::from(hour * 60 + m);
                                let mut minutes = end - start_min;
                                if minutes <= 0 {
                                    minutes += 12 * 60;
                                }
                                if minutes > 0 && minutes < 24 * 60 {
                                    when.duration_minutes = Some(minutes);
                                }
                            }
                        }
                        consumed = used;
                    }
                }
            }
        }
        if t == "for" && when.duration_minutes.is_none() {
            when.duration_minutes = duration_for(&tokens[i + 1..]);
        }
        i += consumed;
    }
    (found || when.part_of_day.is_some()).then_some(when)
}

/// Record `date` (unless a date is already known); `None`, a date past the calendar's end,
/// records nothing.
fn set_date(when: &mut When, found: &mut bool, date: Option<NaiveDate>) {
    if let Some(date) = date {
        if when.date.is_none() {
            when.date = Some(date);
        }
        *found = true;
    }
}

fn set_time(when: &mut When, found: &mut bool, time: Option<NaiveTime>) {
    if let Some(t) = time {
        if when.time.is_none() {
            when.time = Some(t);
        }
        *found = true;
    }
}

/// "2024-03-15", "3/15", "3/15/2024" (month first).
fn numeric_date(token: &str, today: NaiveDate) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(token, "%Y-%m-%d") {
        return plausible(d).then_some(d);
    }
    let parts: Vec<&str> = token.split('/').collect();
    let date = match parts.as_slice() {
        [m, d] => month_day(today, m.parse().ok()?, d.parse().ok()?, None),
        [m, d, y] => {
            let mut y: i32 = y.parse().ok()?;
            if (0..100).contains(&y) {
                y += 2000;
            }
            NaiveDate::from_ymd_opt(y, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }?;
    plausible(date).then_some(date)
}

/// After a start time, at `tokens[i]`: "to 5pm", "- 5pm", "until 5". The end in minutes
/// after midnight and its meridiem.
fn duration_range(
    tokens: &[&str],
    i: usize,
    start_pm: Option<bool>,
    evening_hint: bool,
    morning_hint: bool,
    between: bool,
) -> Option<(i64, Option<bool>)> {
    let sep = *tokens.get(i)?;
    if !(matches!(sep, "to" | "until" | "till" | "til" | "-") || (between && sep == "and")) {
        return None;
    }
    let (h, m, pm, _) = clock(tokens, i + 1)?;
    let pm = pm.or(start_pm);
    let hour = to_24h(h, pm, evening_hint, morning_hint);
    Some((i64::from(hour * 60 + m), pm))
}

/// "for 2 hours", "for an hour", "for half an hour", "for 45 minutes", "for a couple of hours".
fn duration_for(after: &[&str]) -> Option<i64> {
    let mut i = 0;
    if after.first() == Some(&"half") {
        return matches!(after.get(2), Some(&("hour" | "hr"))).then_some(30);
    }
    // "a couple of hours", "a few minutes"
    if after.first() == Some(&"a") && matches!(after.get(1), Some(&("couple" | "few"))) {
        i += 1;
    }
    let n = number(after.get(i)?)?;
    i += 1;
    if after.get(i) == Some(&"of") {
        i += 1;
    }
    let unit = *after.get(i)?;
    let unit_minutes = match unit {
        "hour" | "hours" | "hr" | "hrs" | "h" => 60,
        "minute" | "minutes" | "min" | "mins" => 1,
        _ => return None,
    };
    // "for 99999999999999999 hours" is no duration.
    n.checked_mul(unit_minutes)
        .filter(|minutes| (1..=MAX_DURATION_MINUTES).contains(minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sunday 10 March 2024, 15:00 UTC.
    fn now() -> DateTime<Utc> {
        omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap()
    }

    #[track_caller]
    fn check(sentence: &str, expected: &str) {
        let when = find(&sentence.to_ascii_lowercase(), now()).expect("a date or time");
        let at = when.resolve(now(), hm(9, 0).unwrap());
        assert_eq!(
            at.format("%Y-%m-%d %H:%M").to_string(),
            expected,
            "{sentence}"
        );
    }

    #[test]
    fn todays_weekday_is_next_weeks_unless_this() {
        // 2024-03-10 is a Sunday.
        check("Call your grandmother on Sunday", "2024-03-17 09:00");
        check("this Sunday at 5pm", "2024-03-10 17:00");
        check("Monday at 9am", "2024-03-11 09:00");
    }

    #[test]
    fn a_weekday_with_a_day_of_the_month_finds_its_month() {
        check("We'll drive up on Wednesday the 27th", "2024-03-27 09:00");
        check("Friday the 13th at 8pm", "2024-09-13 20:00");
        assert!(find("monday the 31st", now()).is_some_and(|w| w.date.is_some()));
    }

    #[test]
    fn a_time_range_cut_off_after_to_is_no_range() {
        for sentence in ["meet from 3 to", "call between 4 and", "lunch at 1 -"] {
            let when = find(sentence, now()).expect("the start time is still a time");
            assert_eq!(when.duration_minutes, None, "{sentence}");
        }
        check("meet from 3 to", "2024-03-10 15:00");
    }

    #[test]
    fn relative_days_resolve_against_the_start() {
        check("Dinner this Friday at 7pm", "2024-03-15 19:00");
        check("Dinner on Friday at 7", "2024-03-15 19:00");
        check("Lunch next Tuesday at noon", "2024-03-12 12:00");
        check("Call tomorrow at 10:30am", "2024-03-11 10:30");
        check("Drinks tonight", "2024-03-10 20:00");
        check("Meeting in two weeks at 2 pm", "2024-03-24 14:00");
        check("The dentist on March 21st at 4:15pm", "2024-03-21 16:15");
        check("Party on the 2nd of February", "2025-02-02 09:00");
        check("Flight 2024-04-01 at 06:45", "2024-04-01 06:45");
        check("game at 3", "2024-03-10 15:00");
        check("see you at 1", "2024-03-11 13:00");
    }

    #[test]
    fn durations_come_from_ranges_and_for_phrases() {
        let w = find("workshop from 3 to 5pm on friday", now()).unwrap();
        assert_eq!(w.time, hm(15, 0));
        assert_eq!(w.duration_minutes, Some(120));
        let w = find("call at 10am for 45 minutes", now()).unwrap();
        assert_eq!(w.duration_minutes, Some(45));
        let w = find("dinner at 7pm for a couple of hours", now()).unwrap();
        assert_eq!(w.duration_minutes, Some(120));
    }

    #[test]
    fn the_past_deadlines_and_habits_are_marked() {
        assert!(find("we had dinner last friday", now()).unwrap().past);
        assert!(find("send it by friday", now()).unwrap().deadline);
        assert!(find("i swim on fridays", now()).is_none_or(|w| w.recurring));
    }

    #[test]
    fn a_number_of_days_past_the_calendar_is_not_a_date() {
        // Issue 14: "in 100000000 days" overflowed chrono's date arithmetic and panicked.
        assert_eq!(find("see you in 100000000 days.", now()), None);
        assert_eq!(find("see you in 9223372036854775807 days", now()), None);
        assert_eq!(find("see you in 9223372036854775807 weeks", now()), None);
        assert_eq!(find("see you in 3000000 days", now()), None);
        check("see you in 3 days", "2024-03-13 09:00");
    }

    #[test]
    fn impossible_calendar_dates_are_not_dates() {
        for sentence in [
            "party on 99/99/9999",
            "party on 2/30/2024",
            "party on 1/1/999999999",
            "party on 1/1/-5",
            "party on march 32nd",
            "party on february 30",
            "party on +99999-01-01",
            "party on 0000-01-01",
        ] {
            assert_eq!(
                find(sentence, now()).and_then(|w| w.date),
                None,
                "{sentence}"
            );
        }
    }

    #[test]
    fn an_overflowing_duration_is_no_duration() {
        for sentence in [
            "call at 10am for 9223372036854775807 hours",
            "call at 10am for 99999999999 minutes",
            "call at 10am for 0 minutes",
        ] {
            let when = find(sentence, now()).expect("a time");
            assert_eq!(when.duration_minutes, None, "{sentence}");
        }
    }

    #[test]
    fn relative_days_at_the_end_of_the_calendar_are_not_dates() {
        let last = omi_model::timestamp::parse_datetime("9999-12-31T12:00:00Z").unwrap();
        for sentence in [
            "dinner tomorrow",
            "dinner the day after tomorrow",
            "dinner next week",
            "dinner next friday",
            "dinner this weekend",
            "dinner next weekend",
            "dinner on the 1st",
            "dinner on march 3rd",
            "dinner in 2 weeks",
        ] {
            let date = find(sentence, last).and_then(|w| w.date);
            assert!(date.is_none_or(plausible), "{sentence}: {date:?}");
        }
        let when = find("dinner at 7am", last).expect("a time");
        assert_eq!(
            when.resolve(last, hm(9, 0).unwrap()).date_naive(),
            last.date_naive()
        );
    }

    #[test]
    fn words_that_are_not_dates_are_not_dates() {
        assert_eq!(find("i may go to the store", now()), None);
        assert_eq!(find("i have 3 kids", now()), None);
    }
}
