//! The words that vote for each conversation category.

use omi_model::ConversationCategory as C;

/// Words that vote for each category (stemmed when the lexicon is built).
pub(crate) const LEXICON: &[(C, &str)] = &[
    (
        C::Work,
        "work job office boss manager colleague coworker meeting deadline project client standup sprint report deck slides presentation promotion salary hire hiring interview team quarterly okr roadmap shift payroll onboarding",
    ),
    (
        C::Business,
        "business company revenue sales customer customers market marketing startup investor investors deal contract partnership profit pricing product launch strategy b2b vendor supplier invoice",
    ),
    (
        C::Entrepreneurship,
        "founder cofounder co-founder startup seed fundraising pitch venture bootstrap mvp accelerator incubator entrepreneur",
    ),
    (
        C::Finance,
        "money budget bank loan mortgage invest investing investment stock stocks savings saving tax taxes rent bills debt credit expense expenses crypto retirement pension insurance paycheck",
    ),
    (
        C::Health,
        "doctor dentist health sick illness pain allergy allergic asthma diabetes medication medicine pill prescription hospital clinic therapy therapist symptoms fever surgery blood pressure diet sleep workout gym exercise weight checkup vaccine injury knee dr patient patients medical medications dental x-ray x-rays physio physiotherapy pharmacy dose dosage cholesterol vitamin",
    ),
    (
        C::Family,
        "mom mum mother dad father parents sister brother grandma grandmother grandpa grandfather aunt uncle cousin family niece nephew in-laws sibling siblings",
    ),
    (
        C::Parenting,
        "kid kids child children son daughter baby toddler school homework daycare teacher parenting diaper nap bedtime playdate pediatrician preschool kindergarten",
    ),
    (
        C::Romantic,
        "dating boyfriend girlfriend wife husband partner anniversary romantic valentine proposal engagement wedding honeymoon fiance fiancee",
    ),
    (
        C::Social,
        "friend friends party drinks dinner hangout hang barbecue bbq brunch birthday invite invited guests catch neighbour neighbor club",
    ),
    (
        C::Travel,
        "trip travel flight flights airport hotel vacation holiday passport visa beach luggage itinerary tour abroad destination airbnb inn motel resort hostel",
    ),
    (
        C::Education,
        "class course lecture exam study studying university college school semester professor homework assignment learn learning degree thesis tutor grades",
    ),
    (
        C::Technology,
        "software code coding app api server database bug deploy computer laptop ai algorithm programming developer cloud rust python javascript github tech website internet",
    ),
    (
        C::Science,
        "science research experiment physics chemistry biology study data scientist lab hypothesis theory space planet climate",
    ),
    (
        C::Sports,
        "game match team score soccer football basketball tennis golf marathon race training coach league season goal swim swimming cycling hockey baseball gym climbing hike hiking trail trails camping ski skiing surf surfing yoga running",
    ),
    (
        C::Music,
        "music song songs band concert album guitar piano singing sing playlist spotify gig drums violin choir festival",
    ),
    (
        C::Entertainment,
        "movie movies film show series episode netflix tv game games gaming actor theater theatre comedy podcast streaming",
    ),
    (
        C::Literature,
        "book books novel author poem poetry library chapter writer writing fiction",
    ),
    (
        C::History,
        "history historical war century ancient empire museum medieval revolution",
    ),
    (
        C::Politics,
        "election vote voting government president minister policy politics political congress senate parliament campaign",
    ),
    (
        C::Legal,
        "lawyer attorney court legal lawsuit judge custody lease dispute settlement law notary",
    ),
    (
        C::Philosophy,
        "philosophy meaning ethics moral existence consciousness stoic stoicism truth",
    ),
    (
        C::Spiritual,
        "church prayer pray god faith spiritual meditation temple mosque soul religion worship",
    ),
    (
        C::Psychology,
        "anxiety stress stressed therapy therapist mental emotions emotional feelings burnout depression mindset motivation habit habits",
    ),
    (
        C::Inspiration,
        "inspiration inspired inspiring dream dreams goals motivation achieve proud gratitude grateful",
    ),
    (
        C::Weather,
        "weather rain raining snow storm forecast sunny temperature cold hot heat wind",
    ),
    (
        C::News,
        "news headline article reported announced breaking journalist",
    ),
    (
        C::Real,
        "house apartment rent landlord tenant mortgage realtor property listing lease buyer seller",
    ),
    (
        C::Design,
        "design designer logo layout mockup figma font typography ux ui branding",
    ),
    (
        C::Architecture,
        "architecture architect building buildings construction blueprint renovation facade",
    ),
    (
        C::Economics,
        "economy economics inflation recession gdp interest rates unemployment",
    ),
    (
        C::Environment,
        "environment environmental recycling recycle climate sustainability sustainable pollution carbon emissions solar compost garden gardening plants",
    ),
];
