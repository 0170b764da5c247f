//! Email headers and labels that are not speakers.

/// Email header names: a line starting with one of these is not a speaker's.
pub(crate) const HEADERS: &[&str] = &[
    "from", "to", "cc", "bcc", "subject", "date", "sent", "re", "fwd", "fw", "reply-to",
];

/// Labels that head a line without naming a speaker.
pub(crate) const NOT_SPEAKERS: &[&str] = &[
    "note",
    "notes",
    "note to self",
    "ps",
    "p.s",
    "todo",
    "to do",
    "to-do",
    "reminder",
    "update",
    "edit",
    "tip",
    "warning",
    "agenda",
    "action items",
    "tasks",
    "time",
    "when",
    "where",
    "location",
    "address",
    "phone",
    "email",
    "ingredients",
    "groceries",
    "shopping list",
    "shopping",
    "summary",
    "tl;dr",
    "tldr",
    "fun fact",
    "http",
    "https",
];
