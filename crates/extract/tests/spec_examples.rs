//! The example texts of OMI's Integration Imports documentation, sent as its curl lines send
//! them, and what a user reading them expects back from the default rules extractor.
//!
//! Each test checks what the text promises (issue 17, item 1), in terms a person would accept
//! from any phrasing: the words a memory must carry, not its exact wording.

use chrono::{DateTime, Duration, Utc};
use omi_extract::{
    ConversationExtraction, ConversationInput, ExtractedMemory, RulesExtractor, TextInput, TextKind,
};
use omi_model::MemoryCategory;

const LINKEDIN_POST: &str = "I'm excited to announce that I've accepted a new position as Senior Software Engineer at TechCorp starting next month! Looking forward to this new chapter in my career. #newjob #softwareengineering #career";
const HEALTH_APP: &str = "Dr. Smith's contact information: Phone: (555) 123-4567, Email: dr.smith@hospital.org. Next appointment scheduled for April 3rd at 2:30 PM. Remember to bring your insurance card and list of current medications.";
const FLIGHT_EMAIL: &str = "Your flight to Paris has been confirmed for May 15th, 2024. Departure: JFK at 9:30 PM. Arrival: CDG at 11:00 AM local time. Confirmation code: ABC123. Your hotel reservation at Hotel de Paris is confirmed for May 16-20, 2024.";
const MARATHON_POST: &str = "Just finished my first marathon! 26.2 miles in 4 hours and 15 minutes. So proud of this accomplishment after 6 months of training. #running #marathon #personalgoals";
const SMS: &str = "Mom: Don't forget to pick up milk on your way home\n\nMe: Will do. Need anything else?\n\nMom: Maybe some bread too if the store has the whole grain kind\n\nMe: Got it. I'll be home around 6pm";
const EMAIL: &str = "From: alex@example.com\nTo: me@example.com\nSubject: Dinner Plans\n\nHi there,\n\nWould you like to grab dinner this Friday at 7pm? I found a new restaurant downtown that has great reviews.\n\nLet me know if you're available!\n\nBest,\nAlex";

fn start() -> DateTime<Utc> {
    omi_model::timestamp::parse_datetime("2024-03-10T15:00:00.000Z").expect("a date")
}

fn conversation(text: &str, kind: TextKind) -> ConversationExtraction {
    RulesExtractor.extract(&ConversationInput {
        text,
        kind,
        started_at: start(),
        finished_at: start() + Duration::minutes(5),
        known_memories: &[],
    })
}

fn imported(text: &str, kind: TextKind) -> Vec<ExtractedMemory> {
    RulesExtractor.extract_memories(&TextInput {
        text,
        kind,
        known_memories: &[],
    })
}

/// No memory carries a booking code, a phone number, an e-mail address or a one-off time.
#[track_caller]
fn no_logistics(memories: &[ExtractedMemory]) {
    for m in memories {
        let c = &m.content;
        assert!(
            !c.contains('@')
                && !c.contains("ABC123")
                && !c.contains("555")
                && !c.contains("PM")
                && !c.to_lowercase().contains("confirm"),
            "a memory of logistics: {c:?}"
        );
    }
}

#[test]
fn the_linkedin_announcement_says_where_and_as_what_the_user_will_work() {
    let memories = imported(LINKEDIN_POST, TextKind::SocialPost);
    let job = memories
        .iter()
        .find(|m| m.content.contains("TechCorp"))
        .unwrap_or_else(|| panic!("no memory of the new job in {memories:?}"));
    assert!(job.content.starts_with("User "), "{job:?}");
    assert!(job.content.contains("Senior Software Engineer"), "{job:?}");
    assert!(!job.content.contains('#'), "{job:?}");
    no_logistics(&memories);
}

#[test]
fn the_health_app_card_gives_the_users_doctor_and_no_contact_details() {
    let memories = imported(HEALTH_APP, TextKind::Other);
    assert!(
        memories
            .iter()
            .any(|m| m.content.contains("doctor") && m.content.contains("Smith")),
        "no memory of the doctor in {memories:?}"
    );
    no_logistics(&memories);
}

#[test]
fn the_health_app_card_gives_the_appointment_and_what_to_bring() {
    let out = conversation(HEALTH_APP, TextKind::Other);
    let p = &out.processed;
    let appointment = p
        .events
        .iter()
        .find(|e| e.title.to_lowercase().contains("appointment"))
        .unwrap_or_else(|| panic!("no appointment in {:?}", p.events));
    assert_eq!(appointment.start.to_rfc3339(), "2024-04-03T14:30:00+00:00");
    assert!(
        p.action_items
            .iter()
            .any(|a| a.description.contains("insurance card")),
        "no item to bring the insurance card in {:?}",
        p.action_items
    );
    no_logistics(&out.memories);
}

#[test]
fn the_flight_email_gives_no_memory_of_its_booking() {
    let memories = imported(FLIGHT_EMAIL, TextKind::Email);
    no_logistics(&memories);
    assert!(
        memories.iter().all(|m| !m.content.contains("flight")),
        "{memories:?}"
    );
    let out = conversation(FLIGHT_EMAIL, TextKind::Email);
    no_logistics(&out.memories);
    assert!(
        out.processed
            .events
            .iter()
            .any(|e| e.start.to_rfc3339().starts_with("2024-05-15")),
        "no flight on May 15th in {:?}",
        out.processed.events
    );
}

#[test]
fn the_marathon_post_is_an_interesting_memory_of_the_achievement() {
    for kind in [TextKind::Other, TextKind::SocialPost] {
        let out = conversation(MARATHON_POST, kind);
        let marathon = out
            .memories
            .iter()
            .find(|m| m.content.contains("first marathon"))
            .unwrap_or_else(|| panic!("no marathon memory in {:?}", out.memories));
        assert_eq!(marathon.category, MemoryCategory::Interesting);
        assert!(marathon.content.starts_with("User "), "{marathon:?}");
        assert!(marathon.content.contains("26.2 miles"), "{marathon:?}");
        assert!(!marathon.content.contains('#'), "{marathon:?}");
    }
    let imported = imported(MARATHON_POST, TextKind::SocialPost);
    assert!(
        imported
            .iter()
            .any(|m| m.content.contains("first marathon")),
        "{imported:?}"
    );
}

#[test]
fn the_sms_request_continued_in_the_next_turn_is_a_second_action_item() {
    let out = conversation(SMS, TextKind::Message);
    let items: Vec<&str> = out
        .processed
        .action_items
        .iter()
        .map(|a| a.description.as_str())
        .collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].contains("milk"), "{items:?}");
    assert!(items[1].contains("bread"), "{items:?}");
    assert!(items[1].starts_with("Mom"), "{items:?}");
    assert!(out.memories.is_empty(), "{:?}", out.memories);
}

#[test]
fn the_dinner_email_is_an_event_on_friday_and_no_memory() {
    let out = conversation(EMAIL, TextKind::Email);
    assert_eq!(out.processed.title, "Dinner Plans");
    let dinner = out
        .processed
        .events
        .iter()
        .find(|e| e.title.to_lowercase().contains("dinner"))
        .unwrap_or_else(|| panic!("{:?}", out.processed.events));
    assert_eq!(dinner.start.to_rfc3339(), "2024-03-15T19:00:00+00:00");
    assert!(out.memories.is_empty(), "{:?}", out.memories);
}

#[test]
fn the_readme_demo_line_is_two_turns_titled_by_what_happened() {
    let out = conversation(
        "Me: I love hiking. Sarah: Remember to book the cabin.",
        TextKind::Message,
    );
    let p = &out.processed;
    let turns: Vec<(&str, &str)> = p
        .transcript_segments
        .iter()
        .map(|s| (s.speaker.as_str(), s.text.as_str()))
        .collect();
    assert_eq!(
        turns,
        [
            ("Me", "I love hiking."),
            ("Sarah", "Remember to book the cabin.")
        ]
    );
    assert_eq!(p.title, "Booking the cabin with Sarah");
    assert!(!p.title.contains(','), "a keyword list: {:?}", p.title);
    assert!(
        !p.overview.contains("Sarah:") && !p.overview.contains("Me:"),
        "{:?}",
        p.overview
    );
    assert_eq!(
        p.action_items[0].description,
        "Sarah asked you to book the cabin"
    );
    assert_eq!(out.memories[0].content, "User loves hiking");
}
