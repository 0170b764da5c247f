//! Memories: timeless facts about the user, phrased as "User ..." statements.
//!
//! Only the user's own first-person statements are read (in a transcript, the lines of the
//! speaker marked as the user; in a note, post, email or message without speakers, all of it).
//! A clause becomes a memory when it has one of these shapes:
//!
//! - `I <verb> ...` with a verb of preference, habit or circumstance ("I love jazz",
//!   "I work at Acme", "I don't eat meat", "I usually swim on Sundays", "I grew up in Ohio");
//! - `I'm <state>` with a lasting state ("I'm vegetarian", "I'm a nurse", "I'm allergic to
//!   peanuts", "I'm from Lyon", "I'm learning Spanish");
//! - `I've been <doing> ...` ("I've been playing guitar for ten years");
//! - `My <person, pet or thing of mine> ...` ("My sister Anna lives in Berlin", "My birthday is
//!   on March 3rd", "My favorite band is Radiohead");
//! - `<Name> is my <relation>` ("Tom is my brother-in-law").
//!
//! and none of these: a question, a wish or plan ("I want to", "I'll", "I'm going to"), a task
//! ("I need to", "I have to"), a passing state ("I'm tired", "my phone is dead"), a moment
//! ("tomorrow", "last week", "right now", "at 7pm"), or a pronoun for an object ("I love it").

use omi_model::MemoryCategory;

use super::Doc;
use super::sentences::Sentence;
use super::when;
use crate::ExtractedMemory;

/// The category of a memory created without one: `interesting` for notable achievements and
/// experiences, `system` for everything else (preferences, work, relationships).
pub fn categorize_memory(content: &str) -> MemoryCategory {
    const NOTABLE: &[&str] = &[
        "climbed",
        "won ",
        "ran a",
        "marathon",
        "traveled",
        "travelled",
        "visited",
        "built",
        "founded",
        "published",
        "award",
        "record",
        "fluent",
        "speaks",
    ];
    let lower = content.to_lowercase();
    if NOTABLE.iter().any(|w| lower.contains(w)) {
        MemoryCategory::Interesting
    } else {
        MemoryCategory::System
    }
}

/// Verbs of the user that state a lasting fact, and their third-person forms.
const FACT_VERBS: &[(&str, &str)] = &[
    ("love", "loves"),
    ("like", "likes"),
    ("enjoy", "enjoys"),
    ("adore", "adores"),
    ("prefer", "prefers"),
    ("hate", "hates"),
    ("dislike", "dislikes"),
    ("work", "works"),
    ("live", "lives"),
    ("speak", "speaks"),
    ("own", "owns"),
    ("have", "has"),
    ("teach", "teaches"),
    ("volunteer", "volunteers"),
    ("support", "supports"),
    ("collect", "collects"),
    ("practice", "practices"),
    ("practise", "practises"),
    ("study", "studies"),
    ("grew", "grew"),
    ("was", "was"),
    ("moved", "moved"),
    ("graduated", "graduated"),
    ("studied", "studied"),
    ("used", "used"),
    ("drive", "drives"),
    ("follow", "follows"),
    ("believe", "believes"),
    ("identify", "identifies"),
    ("met", "met"),
    ("married", "married"),
    ("founded", "founded"),
    ("run", "runs"),
    ("play", "plays"),
    ("swim", "swims"),
    ("cook", "cooks"),
    ("bake", "bakes"),
    ("read", "reads"),
    ("go", "goes"),
    ("walk", "walks"),
    ("bike", "bikes"),
    ("cycle", "cycles"),
    ("meditate", "meditates"),
    ("drink", "drinks"),
    ("eat", "eats"),
    ("take", "takes"),
    ("wake", "wakes"),
    ("listen", "listens"),
    ("watch", "watches"),
    ("write", "writes"),
    ("paint", "paints"),
    ("sing", "sings"),
    ("call", "calls"),
    ("visit", "visits"),
    ("climb", "climbs"),
    ("hike", "hikes"),
    ("ski", "skis"),
    ("surf", "surfs"),
    ("fish", "fishes"),
    ("garden", "gardens"),
    ("knit", "knits"),
    ("dance", "dances"),
    ("can't", "can't"),
    ("cannot", "cannot"),
    ("accepted", "accepted"),
    ("joined", "joined"),
    ("started", "started"),
    ("began", "began"),
    ("tore", "tore"),
    ("broke", "broke"),
    ("quit", "quit"),
    ("won", "won"),
    ("lived", "lived"),
    ("played", "played"),
    ("ran", "ran"),
];

/// Verbs that state a fact only as a habit ("I swim every morning") or with their kind of
/// object ("I play the piano"), not as one outing ("I swim", "I go to the store").
const HABIT_VERBS: &[&str] = &[
    "run", "play", "swim", "cook", "bake", "read", "go", "walk", "bike", "cycle", "meditate",
    "drink", "eat", "take", "wake", "listen", "watch", "write", "paint", "sing", "call", "visit",
    "climb", "hike", "ski", "surf", "fish", "garden", "knit", "dance", "drive", "study",
];

/// Words that make a clause a habit.
const HABIT_MARKERS: &[&str] = &[
    "every",
    "usually",
    "always",
    "often",
    "regularly",
    "daily",
    "weekly",
    "never",
    "each",
    "mornings",
    "evenings",
    "weekends",
    "nights",
    "twice",
    "times",
    "whenever",
    "mostly",
    "sundays",
    "mondays",
    "tuesdays",
    "wednesdays",
    "thursdays",
    "fridays",
    "saturdays",
    "only",
    "since",
    "years",
    "competitively",
    "religiously",
    "a lot",
    "instruments",
    "guitar",
    "piano",
    "violin",
    "drums",
    "cello",
    "tennis",
    "soccer",
    "football",
    "basketball",
    "chess",
    "golf",
    "hockey",
    "volleyball",
    "baseball",
    "badminton",
    "squash",
    "coffee",
    "tea",
    "alcohol",
    "meat",
    "dairy",
    "gluten",
    "pork",
    "beef",
    "fish",
    "sugar",
    "caffeine",
    "decaf",
];

/// Adverbs allowed between "I" and the verb.
const ADVERBS: &[&str] = &[
    "really",
    "absolutely",
    "totally",
    "also",
    "still",
    "actually",
    "usually",
    "always",
    "generally",
    "mostly",
    "honestly",
    "definitely",
    "truly",
    "often",
    "currently",
    "kind",
    "kinda",
    "sort",
    "of",
    "now",
    "do",
    "genuinely",
    "seriously",
    "secretly",
    "low-key",
    "lowkey",
    "literally",
    "personally",
    "basically",
    "normally",
    "typically",
    "regularly",
    "sometimes",
    "rarely",
    "only",
    "mainly",
    "just",
];

/// What may follow "I'm" / "I am" in a lasting fact.
const STATES: &[&str] = &[
    "a ",
    "an ",
    "allergic",
    "vegetarian",
    "vegan",
    "pescatarian",
    "gluten",
    "lactose",
    "diabetic",
    "celiac",
    "coeliac",
    "intolerant",
    "from ",
    "originally",
    "based in",
    "married",
    "engaged",
    "divorced",
    "single",
    "widowed",
    "left-handed",
    "right-handed",
    "colorblind",
    "colourblind",
    "into ",
    "afraid of",
    "scared of",
    "terrified of",
    "learning",
    "studying",
    "fluent",
    "retired",
    "self-employed",
    "obsessed with",
    "passionate about",
    "interested in",
    "not a ",
    "working as",
    "working at",
    "working for",
    "employed",
    "the oldest",
    "the youngest",
    "an only child",
    "the only",
    "originally from",
    "living in",
    "half ",
    "bilingual",
    "trilingual",
    "training for",
    "sober",
    "pregnant",
    "deaf",
    "blind",
    "dyslexic",
    "autistic",
    "introverted",
    "extroverted",
    "an introvert",
    "an extrovert",
    "a big fan",
    "a huge fan",
    "a fan",
    "not big on",
    "big on",
    "really into",
    "huge into",
    "in a band",
    "in a relationship",
    "on a diet",
    "on the",
    "part of",
    "a member of",
    "member of",
    "a night owl",
    "a morning person",
    "not a morning person",
    "bad at",
    "good at",
    "terrible at",
    "great at",
    "more of a ",
    "a lifelong",
    "a proud",
    "a certified",
    "a licensed",
    "a senior",
    "a junior",
    "a second-year",
    "a first-year",
    "a third-year",
];

/// "I'm a ..." openings that are passing states, not facts.
const NOT_STATES: &[&str] = &[
    "a bit",
    "a little",
    "a lot",
    "a mess",
    "a minute",
    "a second",
    "a sec",
    "a few",
    "a tad",
    "a wreck",
    "a fan of that",
    "a fan of this",
    "a fan of it",
    "on the way",
    "on the phone",
    "on the train",
    "on the bus",
    "on the other",
    "on the road",
    "on the fence",
    "on the same page",
    "on the list",
    "on the call",
    "on the line",
    "on the hook",
    "on the edge",
];

/// After "I've been": what makes it a lasting fact.
const HAVE_BEEN: &[&str] = &[
    "a ",
    "an ",
    "working",
    "playing",
    "living",
    "learning",
    "teaching",
    "doing",
    "running",
    "vegetarian",
    "vegan",
    "married",
    "together",
    "to ",
    "using",
    "practicing",
    "practising",
    "studying",
    "volunteering",
    "coaching",
    "training",
    "collecting",
    "writing",
    "painting",
    "cooking",
    "dancing",
    "singing",
    "climbing",
    "swimming",
    "cycling",
    "meditating",
    "sober",
    "with ",
    "in love",
    "fascinated",
    "obsessed",
    "into ",
];

/// After "I've": participles of lasting facts ("I've lived in Oslo since 2015").
const HAVE_DONE: &[&str] = &[
    "lived",
    "worked",
    "played",
    "known",
    "studied",
    "taught",
    "visited",
    "run",
    "climbed",
    "never",
    "always",
    "been",
    "had",
    "joined",
    "owned",
    "completed",
    "finished",
    "won",
    "written",
    "published",
    "traveled",
    "travelled",
    "learned",
    "learnt",
    "loved",
    "hated",
    "used",
];

/// Whose things make a fact: "my <one of these> ...".
const MY_NOUNS: &[&str] = &[
    "favorite",
    "favourite",
    "birthday",
    "anniversary",
    "wife",
    "husband",
    "partner",
    "spouse",
    "boyfriend",
    "girlfriend",
    "fiance",
    "fiancé",
    "fiancee",
    "fiancée",
    "mom",
    "mum",
    "mother",
    "dad",
    "father",
    "parents",
    "parent",
    "sister",
    "brother",
    "sibling",
    "siblings",
    "son",
    "daughter",
    "kids",
    "kid",
    "children",
    "child",
    "baby",
    "grandma",
    "grandmother",
    "grandpa",
    "grandfather",
    "grandparents",
    "aunt",
    "uncle",
    "cousin",
    "niece",
    "nephew",
    "best",
    "roommate",
    "flatmate",
    "boss",
    "manager",
    "coworker",
    "co-worker",
    "colleague",
    "dog",
    "cat",
    "pet",
    "puppy",
    "kitten",
    "name",
    "hometown",
    "job",
    "doctor",
    "therapist",
    "dentist",
    "major",
    "degree",
    "goal",
    "dream",
    "family",
    "in-laws",
    "stepmom",
    "stepdad",
    "stepmother",
    "stepfather",
    "stepson",
    "stepdaughter",
    "twin",
    "neighbor",
    "neighbour",
    "blood",
    "allergy",
    "allergies",
    "diet",
    "team",
    "mentor",
    "son's",
    "daughter's",
    "wife's",
    "husband's",
    "mom's",
    "dad's",
    "mother's",
    "father's",
    "sister's",
    "brother's",
    "partner's",
    "kids'",
    "children's",
    "go-to",
    "usual",
    "morning",
    "hobby",
    "hobbies",
    "car",
    "first",
    "native",
    "mother-in-law",
    "father-in-law",
    "sister-in-law",
    "brother-in-law",
    "daughters",
    "sons",
    "sisters",
    "brothers",
    "dogs",
    "cats",
    "pets",
    "twins",
    "grandkids",
    "grandchildren",
    "friend",
    "friends",
    "religion",
    "house",
    "apartment",
    "office",
    "company",
    "startup",
    "employer",
    "school",
    "university",
    "college",
    "title",
    "role",
    "specialty",
    "shoe",
    "size",
    "height",
    "weight",
    "nickname",
    "zodiac",
    "sign",
    "star",
    "love",
    "passion",
    "biggest",
    "least",
];

/// Things of the user's that make a passing state, not a fact: "my phone is dead".
const PASSING: &[&str] = &[
    "sick",
    "ill",
    "tired",
    "busy",
    "late",
    "here",
    "there",
    "coming",
    "visiting",
    "arriving",
    "leaving",
    "waiting",
    "angry",
    "mad",
    "upset",
    "annoyed",
    "asleep",
    "awake",
    "away",
    "out",
    "home",
    "back",
    "gone",
    "running",
    "calling",
    "texting",
    "driving",
    "flying",
    "staying",
    "doing",
    "going",
    "getting",
    "feeling",
    "making",
    "having",
    "bringing",
    "picking",
    "dead",
    "broken",
    "lost",
    "stuck",
    "delayed",
    "cancelled",
    "canceled",
    "done",
    "finished",
    "ready",
    "sorry",
    "sure",
    "fine",
    "okay",
    "ok",
    "right",
    "wrong",
    "gonna",
    "will",
    "would",
    "could",
    "might",
    "should",
    "must",
    "can",
    "wants",
    "needs",
    "asked",
    "said",
    "told",
    "says",
    "thinks",
    "thought",
    "just",
];

/// Words of a moment, which a timeless fact does not have.
const MOMENT_WORDS: &[&str] = &[
    "today",
    "tonight",
    "tomorrow",
    "yesterday",
    "now",
    "soon",
    "later",
    "ago",
    "recently",
    "lately",
    "earlier",
    "moment",
    "tmrw",
    "tmr",
    "tonite",
];

/// Words of a wish, plan, doubt, or condition.
const NOT_FACT_WORDS: &[&str] = &[
    "want", "wanna", "wish", "hope", "going", "gonna", "will", "would", "should", "could", "might",
    "maybe", "perhaps", "probably", "if", "need", "needs", "have to", "has to", "got to", "gotta",
    "must", "think", "guess", "suppose", "wonder", "feel", "feeling", "felt", "try", "trying",
    "tried", "unless", "whether", "pretend", "imagine", "seems", "sounds", "looks",
];

/// Objects that make "I love ..." not a fact about the user.
const PRONOUN_OBJECTS: &[&str] = &[
    "it",
    "it's",
    "that",
    "this",
    "these",
    "those",
    "you",
    "them",
    "him",
    "her",
    "us",
    "everyone",
    "everybody",
    "what",
    "how",
    "when",
    "where",
    "so",
    "too",
    "your",
    "yours",
    "one",
    "ya",
    "u",
];

/// Openings before the subject that are dropped ("Honestly, I love jazz").
const OPENINGS: &[&str] = &[
    "honestly",
    "well",
    "yeah",
    "yes",
    "oh",
    "actually",
    "so",
    "and",
    "but",
    "also",
    "btw",
    "by the way",
    "fun fact",
    "ok",
    "okay",
    "haha",
    "lol",
    "anyway",
    "anyways",
    "plus",
    "like",
    "no",
    "nope",
    "yep",
    "yup",
    "true",
    "right",
    "see",
    "because",
    "cause",
    "since",
    "as",
    "personally",
    "for me",
    "for the record",
    "fyi",
    "hey",
    "hi",
    "hello",
    "um",
    "uh",
    "ha",
    "wow",
    "omg",
    "funny enough",
    "funnily enough",
    "to be honest",
    "tbh",
    "you know",
    "i mean",
    "remember",
    "remember that",
    "reminder",
    "note",
    "just so you know",
    "as you know",
    "some personal news",
    "big news",
    "news",
    "update",
];

/// The memories the text states.
pub(crate) fn find(doc: &Doc) -> Vec<ExtractedMemory> {
    let mut out = Vec::new();
    for s in doc.sentences.iter().filter(|s| s.by_user) {
        if s.is_question() || s.word_count() > 45 || !speaks_of_self(&s.lower) {
            continue;
        }
        let first = out.len();
        for clause in clauses(s) {
            if let Some(content) = fact(&clause.text, &clause.lower, doc) {
                let category = categorize_memory(&content);
                out.push(ExtractedMemory { content, category });
            }
        }
        // "... thanks to my amazing husband Mark": who the user's people are, said in passing.
        for content in named_relations(&s.text) {
            let name = content.rsplit(' ').next().unwrap_or_default();
            if !out[first..].iter().any(|m| m.content.contains(name)) {
                let category = categorize_memory(&content);
                out.push(ExtractedMemory { content, category });
            }
        }
    }
    // What the store takes: a text holding a control character other than tab, newline and
    // carriage return (one that came in before the API refused them) is no memory.
    out.retain(|m| m.content.parse::<omi_model::MemoryContent>().is_ok());
    out
}

/// Whether a lower-case sentence has a word every memory shape needs ("i", "my", "we"), so
/// most sentences are passed over without being split into clauses.
fn speaks_of_self(lower: &str) -> bool {
    lower.starts_with("i ")
        || lower.starts_with("i'")
        || lower.starts_with("we ")
        || ["my ", " i ", " i'm", " i've", " we ", " we'", "(i "]
            .iter()
            .any(|p| lower.contains(p))
}

/// A clause of a sentence, trimmed of openings and closing punctuation.
struct Clause {
    text: String,
    lower: String,
}

/// Split at ", but", ";", " but ", ", and I", " and I'm", " because ", ", so ", " which ",
/// and drop openings ("Honestly, ").
fn clauses(s: &Sentence) -> Vec<Clause> {
    const SEPARATORS: &[&str] = &[
        "; ",
        ", but ",
        " but ",
        ", and i ",
        ", and i'm ",
        ", and i've ",
        " and i'm ",
        " and i've ",
        " and i ",
        ", and my ",
        " and my ",
        ", and we ",
        " and we ",
        ", and it's ",
        ", and it ",
        " and it ",
        " and this ",
        " and that ",
        ", so ",
        " so i ",
        " so this ",
        " so it ",
        " so we ",
        " because ",
        " cause ",
        " since i ",
        ", which ",
        " which ",
        " although ",
        " though ",
        " while ",
        " whereas ",
        " - ",
        " – ",
        " — ",
        " when ",
        " until ",
        " unless ",
        " lol ",
        " haha ",
        " :) ",
        " :( ",
        ", i ",
        ", i'm ",
        ", i've ",
        ", they ",
        ", it's ",
        ", it ",
        ", we ",
        ", that's ",
        ", you ",
        ", he ",
        ", she ",
    ];
    /// Subjects a separator may end with: the next clause starts at them.
    const SUBJECTS: &[&str] = &[
        "i", "i'm", "i've", "my", "we", "it", "it's", "this", "that", "that's", "they", "you",
        "he", "she",
    ];
    let lower = &s.lower;
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for sep in SEPARATORS {
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
            let next = if SUBJECTS.contains(&last) {
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
            if let Some(rest) = lower.strip_prefix(opening) {
                if rest.starts_with([',', ' ', '!']) || rest.is_empty() {
                    let cut = lower.len() - rest.len();
                    let rest_trimmed = rest.trim_start_matches([',', ' ', '!']);
                    let cut = cut + (rest.len() - rest_trimmed.len());
                    text = &text[cut..];
                    lower = &lower[cut..];
                    break;
                }
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
        for filler in [
            " myself",
            " too",
            " as well",
            " though",
            " lol",
            " haha",
            " honestly",
            " actually",
            " really",
            " btw",
            " tbh",
            " anyway",
            " now",
        ] {
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

/// The clause as a "User ..." fact, or `None`.
fn fact(text: &str, lower: &str, doc: &Doc) -> Option<String> {
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.len() < 2 || words.len() > 30 {
        return None;
    }
    let is_birthday =
        lower.contains("birthday") || lower.contains("anniversary") || lower.contains("born on");
    if has_any_word(&words, MOMENT_WORDS) && !is_birthday {
        return None;
    }
    if !is_birthday && has_moment(lower, doc) {
        return None;
    }
    if has_any_phrase(lower, &words, NOT_FACT_WORDS) {
        return None;
    }
    let out = first_person(text, lower)
        .or_else(|| possessive(text, lower, &words))
        .or_else(|| named_relation(text, &words))?;
    let out = out
        .trim()
        .trim_end_matches([',', ';', ':', '-', '.'])
        .to_owned();
    if out.split_whitespace().count() < 3
        || out.chars().count() > omi_model::MemoryContent::MAX_CHARS
    {
        return None;
    }
    Some(out)
}

/// Whether the clause names a day or time of its own ("at 7pm", "on Friday").
fn has_moment(lower: &str, doc: &Doc) -> bool {
    when::find(lower, doc.started_at).is_some_and(|w| !w.recurring && (w.is_specific() || w.past))
}

fn has_any_word(words: &[&str], list: &[&str]) -> bool {
    words
        .iter()
        .any(|w| list.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')))
}

fn has_any_phrase(lower: &str, words: &[&str], list: &[&str]) -> bool {
    list.iter().any(|p| {
        if p.contains(' ') {
            lower.contains(p)
        } else {
            words
                .iter()
                .any(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'') == *p)
        }
    })
}

/// "I <verb> ...", "I'm ...", "I am ...", "I've been ...", "I don't ...".
fn first_person(text: &str, lower: &str) -> Option<String> {
    // "My wife and I love hiking" -> "User and their wife love hiking".
    if let Some(rest) = lower.strip_prefix("my ") {
        if let Some(and_i) = rest.find(" and i ") {
            let who = &text[3..3 + and_i];
            if who.split_whitespace().count() <= 2 {
                let after = &text[3 + and_i + " and i ".len()..];
                let verb = after.split_whitespace().next()?.to_ascii_lowercase();
                if FACT_VERBS.iter().any(|(v, _)| *v == verb)
                    && !HABIT_VERBS.contains(&verb.as_str())
                {
                    return Some(format!("User and their {who} {}", pronouns(after)));
                }
            }
        }
        return None;
    }
    // "We have two kids", "we love being near parks": the user's household.
    for (we, verb, third) in [
        ("we have ", "have", "has"),
        ("we've got ", "have", "has"),
        ("we love ", "love", "loves"),
        ("we like ", "like", "likes"),
        ("we enjoy ", "enjoy", "enjoys"),
        ("we live ", "live", "lives"),
        ("we own ", "own", "owns"),
    ] {
        if let Some(rest) = lower.strip_prefix(we) {
            let rest_text = &text[we.len()..];
            if verb == "have" {
                return have(rest_text, rest);
            }
            let first = rest.split_whitespace().next().unwrap_or_default();
            if PRONOUN_OBJECTS.contains(&first)
                || (verb == "live" && !matches!(first, "in" | "near" | "on" | "by"))
            {
                return None;
            }
            return Some(format!("User {third} {}", pronouns(rest_text)));
        }
    }
    let (subject_len, form) = if lower.starts_with("i'm ") {
        (4, Form::Am)
    } else if lower.starts_with("i am ") {
        (5, Form::Am)
    } else if lower.starts_with("i've ") {
        (5, Form::Have)
    } else if lower.starts_with("i have been ") {
        (7, Form::Have)
    } else if lower.starts_with("i ") {
        (2, Form::Verb)
    } else {
        return None;
    };
    let rest_text = &text[subject_len..];
    let rest = &lower[subject_len..];
    match form {
        Form::Am => {
            let mut rest = rest;
            while let Some(r) = [
                "also ",
                "really ",
                "actually ",
                "currently ",
                "still ",
                "now ",
                "basically ",
                "definitely ",
                "totally ",
                "honestly ",
                "officially ",
                "finally ",
            ]
            .iter()
            .find_map(|a| rest.strip_prefix(a))
            {
                rest = r;
            }
            let rest_text = &rest_text[rest_text.len() - rest.len()..];
            // "I'm 34" -> "User is 34 years old".
            let first = rest.split_whitespace().next().unwrap_or_default();
            if let Ok(age) = first.parse::<u32>() {
                let after: Vec<&str> = rest.split_whitespace().skip(1).collect();
                if (1..=120).contains(&age)
                    && (after.is_empty()
                        || after.starts_with(&["years", "old"])
                        || after[0] == "and")
                {
                    return Some(format!("User is {age} years old"));
                }
                return None;
            }
            if NOT_STATES.iter().any(|n| rest.starts_with(n)) {
                return None;
            }
            if !STATES.iter().any(|s| rest.starts_with(s)) {
                return None;
            }
            // "I'm a little ..." was dropped above; "I'm a nurse" needs a noun after "a".
            if (rest.starts_with("a ") || rest.starts_with("an "))
                && rest.split_whitespace().count() < 2
            {
                return None;
            }
            Some(format!("User is {}", pronouns(rest_text)))
        }
        Form::Have => {
            let rest_text_full = rest_text;
            if let Some(after) = rest.strip_prefix("been ") {
                let next = after.split_whitespace().next().unwrap_or_default();
                let ongoing = next.len() > 4
                    && next.ends_with("ing")
                    && !matches!(
                        next,
                        "thinking"
                            | "feeling"
                            | "trying"
                            | "going"
                            | "meaning"
                            | "wondering"
                            | "waiting"
                            | "looking"
                            | "getting"
                            | "hoping"
                            | "planning"
                            | "struggling"
                            | "dealing"
                            | "sleeping"
                            | "having"
                            | "busy"
                            | "working on"
                            | "talking"
                            | "reading"
                    );
                if ongoing || HAVE_BEEN.iter().any(|h| after.starts_with(h)) {
                    let after_text = &rest_text_full[rest.len() - after.len()..];
                    return Some(format!("User has been {}", pronouns(after_text)));
                }
                return None;
            }
            let first = rest.split_whitespace().next()?;
            if first == "got" {
                // "I've got two kids" is "I have two kids".
                let after_text = rest_text_full.trim_start()[3..].trim_start();
                return have(after_text, &after_text.to_ascii_lowercase());
            }
            if HAVE_DONE.contains(&first) {
                return Some(format!(
                    "User has {}",
                    pronouns(rest_text_full.trim_start())
                ));
            }
            None
        }
        Form::Verb => {
            // Skip adverbs: "I really love", "I don't", "I never".
            let mut i = 0;
            let mut negation: Option<&str> = None;
            let mut adverbs: Vec<&str> = Vec::new();
            let rest_words: Vec<&str> = rest.split_whitespace().collect();
            let text_words: Vec<&str> = rest_text.split_whitespace().collect();
            if text_words.len() != rest_words.len() {
                return None;
            }
            while let Some(w) = rest_words.get(i) {
                if matches!(*w, "don't" | "do" if rest_words.get(i + 1) == Some(&"not") || *w == "don't")
                {
                    negation = Some("doesn't");
                    i += if *w == "do" { 2 } else { 1 };
                } else if matches!(*w, "never") {
                    negation = Some("never");
                    i += 1;
                } else if ADVERBS.contains(w) && i < 3 {
                    if !matches!(
                        *w,
                        "do" | "kind"
                            | "kinda"
                            | "sort"
                            | "of"
                            | "just"
                            | "actually"
                            | "honestly"
                            | "literally"
                            | "basically"
                            | "personally"
                            | "genuinely"
                            | "seriously"
                            | "secretly"
                            | "low-key"
                            | "lowkey"
                    ) {
                        adverbs.push(text_words[i]);
                    }
                    i += 1;
                } else {
                    break;
                }
            }
            let verb = *rest_words.get(i)?;
            let (base, third) = FACT_VERBS.iter().find(|(v, _)| *v == verb)?;
            let object_words = &rest_words[i + 1..];
            let object_text = text_words[i + 1..].join(" ");
            let first_object = object_words.first().copied().unwrap_or("");
            if object_words.is_empty() {
                return None;
            }
            if PRONOUN_OBJECTS
                .contains(&first_object.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
                && !matches!(
                    *base,
                    "have"
                        | "was"
                        | "go"
                        | "play"
                        | "grew"
                        | "used"
                        | "moved"
                        | "met"
                        | "married"
                        | "can't"
                        | "cannot"
                        | "take"
                        | "call"
                        | "visit"
                        | "read"
                        | "watch"
                        | "drink"
                        | "eat"
                        | "listen"
                        | "work"
                        | "live"
                )
            {
                return None;
            }
            let habit_ok = || {
                let joined = object_words.join(" ");
                adverbs
                    .iter()
                    .any(|a| HABIT_MARKERS.contains(&a.to_ascii_lowercase().as_str()))
                    || negation.is_some()
                    || HABIT_MARKERS.iter().any(|m| {
                        if m.contains(' ') {
                            joined.contains(m)
                        } else {
                            object_words
                                .iter()
                                .any(|w| w.trim_matches(|c: char| !c.is_alphanumeric()) == *m)
                        }
                    })
            };
            let object = pronouns(&object_text);
            let adverb_text = if adverbs.is_empty() {
                String::new()
            } else {
                format!("{} ", adverbs.join(" "))
            };
            match *base {
                "have" => {
                    if negation.is_some() {
                        return None;
                    }
                    return have(&object_text, &object_words.join(" "));
                }
                "was" => {
                    // "I was born in ..." only.
                    if first_object == "born" {
                        return Some(format!("User was {object}"));
                    }
                    return None;
                }
                "grew" => {
                    return (first_object == "up").then(|| format!("User grew {object}"));
                }
                "used" => {
                    return (first_object == "to").then(|| format!("User used {object}"));
                }
                "accepted" | "joined" | "started" | "began" => {
                    // "I accepted a job in Denver", "I started growing tomatoes".
                    let lasting = object_words.iter().take(4).any(|w| {
                        matches!(
                            w.trim_matches(|c: char| !c.is_alphanumeric()),
                            "job"
                                | "offer"
                                | "position"
                                | "role"
                                | "team"
                                | "company"
                                | "band"
                                | "club"
                                | "choir"
                                | "gym"
                                | "league"
                        )
                    }) || first_object.ends_with("ing")
                        || first_object == "to";
                    return lasting.then(|| format!("User {adverb_text}{third} {object}"));
                }
                "tore" | "broke" | "quit" | "won" | "lived" | "played" | "ran" => {
                    // Biography: "I tore my ACL playing soccer in college", "I lived in Lisbon".
                    let joined = object_words.join(" ");
                    let biographical = *base == "lived"
                        || *base == "quit"
                        || (*base == "ran"
                            && (joined.contains("marathon") || joined.contains("race")))
                        || (*base == "won" && !object_words.is_empty())
                        || [
                            "in college",
                            "in high school",
                            "in school",
                            "as a kid",
                            "as a child",
                            "growing up",
                            "years",
                            "in university",
                        ]
                        .iter()
                        .any(|m| joined.contains(m));
                    return biographical.then(|| format!("User {adverb_text}{third} {object}"));
                }
                "moved" | "graduated" | "studied" | "met" | "married" | "founded" => {
                    // Past facts that last: "I moved to Denver in 2019", "I met my wife in college".
                    if *base == "met"
                        && !object_words.iter().any(|w| {
                            w.trim_end_matches(|c: char| !c.is_alphanumeric()) == "my" || *w == "my"
                        })
                    {
                        return None;
                    }
                    return Some(format!("User {adverb_text}{third} {object}"));
                }
                "can't" | "cannot" => {
                    // "I can't stand cilantro", "I can't eat gluten".
                    if matches!(
                        first_object,
                        "stand" | "eat" | "drink" | "have" | "swim" | "drive" | "tolerate"
                    ) {
                        return Some(format!("User can't {object}"));
                    }
                    return None;
                }
                _ => {}
            }
            if HABIT_VERBS.contains(base) && !habit_ok() {
                return None;
            }
            if *base == "work"
                && !object_words.first().is_some_and(|w| {
                    matches!(
                        *w,
                        "at" | "as"
                            | "for"
                            | "in"
                            | "with"
                            | "from"
                            | "remotely"
                            | "part-time"
                            | "full-time"
                            | "nights"
                            | "on"
                            | "two"
                            | "three"
                            | "out"
                    )
                })
            {
                return None;
            }
            if *base == "live"
                && !object_words.first().is_some_and(|w| {
                    matches!(
                        *w,
                        "in" | "on"
                            | "near"
                            | "with"
                            | "alone"
                            | "by"
                            | "at"
                            | "close"
                            | "outside"
                            | "downtown"
                            | "next"
                            | "across"
                            | "right"
                    )
                })
            {
                return None;
            }
            Some(match negation {
                Some("doesn't") => format!("User {adverb_text}doesn't {base} {object}"),
                Some(_) => format!("User {adverb_text}never {base} {object}"),
                None => format!("User {adverb_text}{third} {object}"),
            })
        }
    }
}

#[derive(Clone, Copy)]
enum Form {
    Am,
    Have,
    Verb,
}

/// What the user has that is a fact: family, pets, conditions, degrees ("I have two kids",
/// "I have a dog named Max", "I have asthma").
fn have(object_text: &str, object: &str) -> Option<String> {
    const OK: &[&str] = &[
        "kid",
        "kids",
        "child",
        "children",
        "son",
        "sons",
        "daughter",
        "daughters",
        "sister",
        "sisters",
        "brother",
        "brothers",
        "sibling",
        "siblings",
        "twin",
        "twins",
        "dog",
        "dogs",
        "cat",
        "cats",
        "pet",
        "pets",
        "puppy",
        "kitten",
        "horse",
        "rabbit",
        "parrot",
        "fish",
        "hamster",
        "allergy",
        "allergies",
        "asthma",
        "diabetes",
        "adhd",
        "celiac",
        "migraines",
        "arthritis",
        "eczema",
        "epilepsy",
        "anxiety",
        "depression",
        "insomnia",
        "condition",
        "disease",
        "degree",
        "phd",
        "masters",
        "master's",
        "bachelor's",
        "license",
        "tattoo",
        "tattoos",
        "grandkids",
        "grandchildren",
        "stepson",
        "stepdaughter",
        "nephew",
        "nephews",
        "niece",
        "nieces",
        "wife",
        "husband",
        "partner",
        "boyfriend",
        "girlfriend",
        "fiance",
        "fiancée",
        "fiancee",
        "roommate",
        "roommates",
        "blood",
        "intolerance",
        "pressure",
        "cholesterol",
        "pacemaker",
        "garden",
        "boat",
        "cabin",
        "house",
        "apartment",
        "farm",
        "business",
        "podcast",
        "blog",
        "channel",
        "band",
        "collection",
        "food",
    ];
    let words: Vec<&str> = object.split_whitespace().collect();
    let hit = words
        .iter()
        .take(5)
        .any(|w| OK.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')));
    let first = words.first().copied().unwrap_or("");
    if !hit || matches!(first, "to" | "got" | "been" | "no" | "nothing" | "any") {
        return None;
    }
    Some(format!("User has {}", pronouns(object_text)))
}

/// "My <noun> ..." -> "User's <noun> ...".
fn possessive(text: &str, lower: &str, words: &[&str]) -> Option<String> {
    let rest_lower = lower.strip_prefix("my ")?;
    let rest_text = &text[3..];
    let noun = words
        .get(1)?
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-');
    if !MY_NOUNS.contains(&noun) {
        return None;
    }
    if words.len() < 3 {
        return None;
    }
    let tail_words = &words[2..];
    if tail_words
        .iter()
        .take(6)
        .any(|w| PASSING.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')))
    {
        return None;
    }
    // "my best friend", "my favorite X is Y": there must be a verb of being or a lasting verb.
    let verbs = [
        "is", "are", "was", "'s", "lives", "live", "works", "work", "loves", "love", "likes",
        "like", "has", "have", "plays", "play", "teaches", "owns", "speaks", "goes", "studies",
        "named", "called", "hates", "prefers", "runs", "calls", "visits", "cooks", "makes", "died",
        "passed", "turns", "turned", "moved", "retired", "lived", "grew", "got",
    ];
    let has_verb = words.iter().skip(1).any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        verbs.contains(&w)
            || w.ends_with("'s") && words.iter().position(|x| *x == w).is_some_and(|p| p > 1)
    });
    if !has_verb {
        // "my sister Anna's birthday" etc. without a verb is no statement.
        return None;
    }
    let _ = rest_lower;
    Some(format!("User's {}", pronouns(rest_text)))
}

/// People of the user's named anywhere in a sentence: "my (amazing) husband Mark",
/// "my manager, Kevin," -> "User's husband is Mark".
fn named_relations(text: &str) -> Vec<String> {
    const RELATIONS: &[&str] = &[
        "wife",
        "husband",
        "partner",
        "spouse",
        "boyfriend",
        "girlfriend",
        "fiance",
        "fiancé",
        "fiancee",
        "fiancée",
        "sister",
        "brother",
        "son",
        "daughter",
        "mom",
        "mum",
        "mother",
        "dad",
        "father",
        "boss",
        "manager",
        "roommate",
        "cousin",
        "aunt",
        "uncle",
        "grandma",
        "grandpa",
        "niece",
        "nephew",
        "stepson",
        "stepdaughter",
        "therapist",
        "mentor",
        "coach",
    ];
    const ADJECTIVES: &[&str] = &[
        "amazing",
        "wonderful",
        "lovely",
        "dear",
        "best",
        "older",
        "younger",
        "little",
        "big",
        "baby",
        "twin",
        "new",
        "awesome",
        "incredible",
        "beautiful",
        "sweet",
        "late",
    ];
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for i in 0..words.len() {
        if !words[i].eq_ignore_ascii_case("my") {
            continue;
        }
        let mut j = i + 1;
        while words
            .get(j)
            .is_some_and(|w| ADJECTIVES.contains(&w.to_ascii_lowercase().as_str()))
        {
            j += 1;
        }
        let Some(rel_word) = words.get(j) else {
            continue;
        };
        let rel = rel_word.trim_end_matches(',').to_ascii_lowercase();
        if !RELATIONS.contains(&rel.as_str()) {
            continue;
        }
        let Some(name_word) = words.get(j + 1) else {
            continue;
        };
        let name: String = name_word
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == '-' || *c == '\'')
            .collect();
        let name = name.trim_end_matches("'s").to_owned();
        let is_name = name.chars().next().is_some_and(char::is_uppercase)
            && name.chars().count() >= 2
            && !name.chars().all(char::is_uppercase)
            && !super::words::is_stopword(&name.to_ascii_lowercase());
        if is_name {
            out.push(format!("User's {rel} is {name}"));
        }
    }
    out
}

/// "<Name> is my <relation>" -> "User's <relation> is <Name>".
fn named_relation(text: &str, words: &[&str]) -> Option<String> {
    let is_at = words.iter().position(|w| *w == "is")?;
    if is_at == 0 || is_at > 3 || words.get(is_at + 1) != Some(&"my") {
        return None;
    }
    let text_words: Vec<&str> = text.split_whitespace().collect();
    let name = text_words.get(..is_at)?.join(" ");
    if !name.chars().next().is_some_and(char::is_uppercase)
        || text_words[..is_at]
            .iter()
            .any(|w| !w.chars().next().is_some_and(char::is_uppercase))
    {
        return None;
    }
    let relation_words = text_words.get(is_at + 2..)?;
    let relation = relation_words.join(" ");
    let first = relation_words.first()?.to_ascii_lowercase();
    if !MY_NOUNS.contains(&first.as_str()) || relation_words.len() > 4 {
        return None;
    }
    Some(format!("User's {relation} is {name}"))
}

/// The user's words about themselves in the third person: "my" -> "their", "me" -> "them",
/// "myself" -> "themselves", "I" -> "they".
fn pronouns(text: &str) -> String {
    text.split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let core_len = w.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
            let (core, tail) = w.split_at(core_len);
            let replaced = match core.to_ascii_lowercase().as_str() {
                "my" => "their",
                "me" => "them",
                "myself" => "themselves",
                "mine" => "theirs",
                "i" => "they",
                "i'm" => "they're",
                "i've" => "they've",
                _ => return w.to_owned(),
            };
            format!("{replaced}{tail}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextKind;

    fn memories(text: &str) -> Vec<String> {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        find(&Doc::new(text, TextKind::Other, start))
            .into_iter()
            .map(|m| m.content)
            .collect()
    }

    #[track_caller]
    fn check(text: &str, expected: &[&str]) {
        assert_eq!(memories(text), expected, "{text}");
    }

    #[test]
    fn preferences_are_facts() {
        check(
            "I love hiking in the mountains.",
            &["User loves hiking in the mountains"],
        );
        check(
            "Honestly, I really hate cilantro.",
            &["User really hates cilantro"],
        );
        check("I don't eat meat.", &["User doesn't eat meat"]);
        check(
            "My favorite band is Radiohead.",
            &["User's favorite band is Radiohead"],
        );
    }

    #[test]
    fn people_work_places_and_health_are_facts() {
        check(
            "My sister Anna lives in Berlin.",
            &["User's sister Anna lives in Berlin"],
        );
        check(
            "I work as a nurse at St. Mary's.",
            &["User works as a nurse at St. Mary's"],
        );
        check("I'm allergic to peanuts.", &["User is allergic to peanuts"]);
        check("I grew up in Ohio.", &["User grew up in Ohio"]);
        check(
            "I have two kids and a dog named Max.",
            &["User has two kids and a dog named Max"],
        );
        check(
            "Tom is my brother-in-law.",
            &["User's brother-in-law is Tom"],
        );
        check(
            "My birthday is on March 3rd.",
            &["User's birthday is on March 3rd"],
        );
        check(
            "My wife and I love sailing.",
            &["User and their wife love sailing"],
        );
    }

    #[test]
    fn habits_are_facts_but_outings_are_not() {
        check(
            "I swim every morning before work.",
            &["User swims every morning before work"],
        );
        check("I play the piano.", &["User plays the piano"]);
        check("I go to the store.", &[]);
    }

    #[test]
    fn tasks_moments_wishes_and_passing_states_are_not_facts() {
        check("I need to call the dentist.", &[]);
        check("I'm going to Paris next week.", &[]);
        check("I want to learn French.", &[]);
        check("I'm so tired today.", &[]);
        check("My phone is dead.", &[]);
        check("I love it!", &[]);
        check("I'm a bit busy.", &[]);
        check("I love you.", &[]);
        check("Do you like sushi?", &[]);
        check("I had dinner with Anna at 7.", &[]);
    }

    #[test]
    fn other_speakers_facts_are_not_the_users() {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        let doc = Doc::new(
            "Anna: I'm vegetarian.\nMe: I'm allergic to shellfish.",
            TextKind::AudioTranscript,
            start,
        );
        let found: Vec<String> = find(&doc).into_iter().map(|m| m.content).collect();
        assert_eq!(found, ["User is allergic to shellfish"]);
    }
}
