//! Words that say nothing about a text's topic: function words, fillers of speech, the most
//! common verbs, and days and parts of the day. Separated by white space.

/// The stop words, separated by white space (see [`super::super::words::is_stopword`]).
pub(crate) const STOPWORDS: &str = "
a about above after again against ago ah all almost already also although always am an and another any anybody
anyone anything anyway anyways are aren't around as ask asked at away back be because been before being below
best better between big both but by can can't cannot could couldn't day days did didn't do does doesn't doing
don't done down during each either else enough even ever every everyone everything exactly few fine first for
from fun further get gets getting give go goes going gone gonna good got gotta great guess guy guys had hadn't
has hasn't have haven't having he he'd he'll he's hear hello her here here's hers herself hey hi him himself his
hmm honestly how however huh i i'd i'll i'm i've if in into is isn't it it'd it'll it's its itself just keep kind
kinda know known last later least let let's like liked likely little long look looking lot lots made make makes
making many may maybe me mean means might mine more most much must my myself need needs never new next nice no
nope nor not nothing now of off oh ok okay on once one only or other others our ours ourselves out over own
pretty probably put quite rather re really right said same saw say says see seem seems she she'd she'll she's
should shouldn't since so some somebody someone something sometimes soon sorry still stuff such sure take talk
talked tell than thank thanks that that's the their theirs them themselves then there there's these they they'd
they'll they're they've thing things think this those though thought through time times to today told too
tomorrow tonight totally try trying two uh um umm until up upon us use used very via wait want wanted wants was
wasn't way we we'd we'll we're we've well went were weren't what what's whatever when where whether which while
who who's whole whom whose why will with without won't work would wouldn't wow yeah yep yes yet you you'd you'll
you're you've your yours yourself yourselves yup
monday tuesday wednesday thursday friday saturday sunday week weekend morning afternoon evening night
am pm a.m p.m
";
