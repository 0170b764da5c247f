//! What makes a sentence a task: requests, commitments, and what is not a task.

/// Cues that someone asks the user to do what follows.
pub(crate) const REQUESTS: &[&str] = &[
    "don't forget to ",
    "do not forget to ",
    "dont forget to ",
    "remember to ",
    "make sure to ",
    "make sure you ",
    "can you please ",
    "could you please ",
    "can you ",
    "could you ",
    "would you mind ",
    "will you ",
    "can u ",
    "you need to ",
    "you have to ",
    "you must ",
    "you should ",
    "please ",
    "pls ",
    "we need to ",
    "we have to ",
    "we should ",
    "we must ",
    "let's ",
];

/// Cues that the user commits to, or needs to do, what follows.
pub(crate) const COMMITMENTS: &[&str] = &[
    "remind me to ",
    "note to self: ",
    "note to self ",
    "todo: ",
    "to do: ",
    "to-do: ",
    "don't forget to ",
    "do not forget to ",
    "remember to ",
    "i'll ",
    "i will ",
    "i need to ",
    "i have to ",
    "i've got to ",
    "i gotta ",
    "i must ",
    "i should ",
    "i'm going to ",
    "i am going to ",
    "i'm gonna ",
    "i plan to ",
    "i promised to ",
    "i promise to ",
    "let me ",
    "we need to ",
    "we have to ",
    "we should ",
    "we must ",
    "need to ",
    "wants me to ",
    "told me to ",
    "asked me to ",
];

/// Headings of a shopping list: what follows the colon is to buy ("Groceries: oat milk, eggs").
pub(crate) const SHOPPING_HEADINGS: &[&str] = &[
    "groceries",
    "grocery list",
    "shopping list",
    "shopping",
    "to buy",
    "buy",
];

/// Verbs after a cue that do not make a task ("I'll be there", "can you believe it").
pub(crate) const NOT_TASKS: &[&str] = &[
    "be",
    "see",
    "think",
    "never",
    "probably",
    "maybe",
    "miss",
    "love",
    "like",
    "know",
    "guess",
    "bet",
    "believe",
    "imagine",
    "hear",
    "wait",
    "let",
    "have",
    "keep",
    "stop",
    "tell",
    "say",
    "definitely",
    "always",
    "really",
    "just",
    "ever",
    "help",
    "do",
    "go",
    "get",
    "feel",
    "look",
    "check",
    "figure",
    "try",
    "put",
    "make",
    "take",
    "give",
    "show",
    "explain",
    "enjoy",
    "relax",
    "sleep",
    "rest",
    "stay",
    "talk",
    "chat",
    "find",
    "hang",
    "live",
    "die",
    "survive",
    "manage",
    "pass",
    "want",
    "need",
    "come",
    "leave",
    "move",
    "start",
    "use",
    "eat",
];

/// Verbs in [`NOT_TASKS`] that do make a task when a thing to do follows them.
pub(crate) const TASK_WHEN_OBJECT: &[&str] = &[
    "check", "get", "take", "make", "put", "give", "find", "tell", "look", "do", "figure", "try",
    "start", "help", "show", "go", "keep", "move", "come", "use", "talk", "have", "let",
];

/// Words after which a request is small talk, not a task ("can you believe", "can you hear me").
pub(crate) const SMALL_TALK_OBJECTS: &[&str] = &[
    "it", "that", "this", "me", "you", "so", "too", "there", "what", "how", "why", "if", "out",
    "later", "soon", "up", "now", "right", "a", "for", "on", "back", "by",
];

/// Particles that stay with a task's verb when a continued request reuses it ("pick up").
pub(crate) const PARTICLES: &[&str] = &["up", "off", "out", "down", "back", "in", "over", "away"];

/// Words that open a request continued in a later sentence ("Maybe some bread too").
pub(crate) const CONTINUATIONS: &[&str] = &[
    "maybe",
    "and",
    "also",
    "oh",
    "plus",
    "perhaps",
    "possibly",
    "ah",
    "oh and",
    "and maybe",
];

/// Words that open the thing a continued request adds: it must be a thing, not a clause.
pub(crate) const DETERMINERS: &[&str] = &[
    "some", "a", "an", "the", "more", "any", "two", "three", "four", "few", "couple", "extra",
    "another",
];

/// Verbs that open an imperative sentence that is a task ("Keep a headache diary", "Bring a
/// valid passport"): only verbs rarely used to open a statement.
pub(crate) const IMPERATIVE_VERBS: &[&str] = &[
    "bring", "keep", "call", "buy", "take", "ice", "cut", "stop", "send", "reply", "confirm",
    "check", "arrive", "schedule", "book", "water", "submit", "restart", "shred", "refill", "pack",
    "wear", "avoid", "email", "text", "pay", "renew", "sign", "print", "update", "register",
    "contact", "recheck", "drink", "stretch", "rest", "apply", "complete", "fill", "return",
    "cancel", "charge", "feed", "walk", "clean", "download", "install", "read", "review", "study",
    "practice", "finish", "prepare",
];

/// Changes of habit the user says they are making ("I'm starting a vitamin D supplement and
/// cutting back on red meat"), and the task each is.
pub(crate) const HABIT_CHANGES: &[(&str, &str)] = &[
    ("starting ", "Start "),
    ("cutting back on ", "Cut back on "),
    ("cutting down on ", "Cut down on "),
    ("quitting ", "Quit "),
    ("switching to ", "Switch to "),
    ("giving up ", "Give up "),
];
