//! Words that are not a topic for a title.

/// Words that recur without being what a text is about: common verbs, feelings, numbers.
pub(crate) const NOT_TOPICS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "prof", "send", "sent", "bring", "brought", "finish", "finished",
    "finally", "love", "loved", "loves", "amazing", "awesome", "excited", "personal", "news",
    "alright", "start", "started", "call", "called", "perfect", "noted", "quick", "three", "four",
    "five", "six", "ten", "twenty", "spent", "spend", "live", "lived", "drop", "works", "worked",
    "working", "found", "find", "stay", "stayed", "change", "changed", "ready", "happy", "glad",
    "busy", "tired", "lovely", "nice", "cool", "fine", "true", "real", "hard", "easy", "huge",
    "sounds", "mind", "remember", "forget", "care", "hope", "wish", "ask", "asked", "feel", "felt",
    "last", "years", "year", "months", "month", "hours", "hour", "minutes", "daily", "wow", "hiya",
];
