//! The rules of the wire enums: exact wire strings, the legacy capability aliases, and
//! pydantic's message naming every accepted value.

use std::fmt::Debug;
use std::str::FromStr;

use omi_model::{
    Capability, ConversationCategory, ConversationSource, ConversationStatus,
    ConversationTextSource, DevScope, GoalSource, GoalStatus, GoalType, MemoryCategory,
    MemoryTextSource, UnknownVariant, Visibility,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Assert `raw` parses (both with `FromStr` and from JSON) into `expected`.
#[track_caller]
fn check<T>(raw: &str, expected: Result<T, &str>)
where
    T: FromStr<Err = UnknownVariant> + DeserializeOwned + PartialEq + Debug + Copy,
{
    let parsed = raw.parse::<T>().map_err(|e| e.message);
    assert_eq!(
        parsed,
        expected.map_err(str::to_owned),
        "FromStr of {raw:?}"
    );
    let json = serde_json::to_string(raw).expect("a string serializes");
    let decoded = serde_json::from_str::<T>(&json).map_err(|e| e.to_string());
    match expected {
        Ok(value) => assert_eq!(decoded.expect("decodes"), value),
        Err(message) => {
            let e = decoded.expect_err("rejected");
            assert!(e.starts_with(message), "{e}");
        }
    }
}

/// Every member parses from, and serializes to, its wire string.
fn round_trips<T>(all: &[T], wire: &[&str])
where
    T: FromStr<Err = UnknownVariant> + Serialize + DeserializeOwned + PartialEq + Debug + Copy,
{
    assert_eq!(all.len(), wire.len());
    for (value, name) in all.iter().zip(wire) {
        assert_eq!(
            serde_json::to_value(value).expect("serializes"),
            serde_json::Value::from(*name)
        );
        check::<T>(name, Ok(*value));
    }
}

#[test]
fn capability_create_facts_is_an_alias_of_create_memories() {
    check("create_facts", Ok(Capability::CreateMemories));
    check("create_memories", Ok(Capability::CreateMemories));
}

#[test]
fn capability_read_facts_is_an_alias_of_read_memories() {
    check("read_facts", Ok(Capability::ReadMemories));
    check("read_memories", Ok(Capability::ReadMemories));
}

#[test]
fn capability_aliases_serialize_under_the_current_names() {
    let aliased: Capability = "create_facts".parse().expect("an alias");
    assert_eq!(aliased.as_str(), "create_memories");
    assert_eq!(
        serde_json::to_string(&aliased).expect("serializes"),
        r#""create_memories""#
    );
    assert_eq!(
        Capability::ReadMemories.action(),
        "read memories",
        "the 403 message names the action"
    );
}

#[test]
fn unknown_capability_names_every_accepted_value() {
    check::<Capability>(
        "delete_memories",
        Err(
            "Input should be 'create_conversation', 'create_memories', 'read_conversations', 'read_memories' or 'read_tasks'",
        ),
    );
}

#[test]
fn unknown_text_source_names_every_accepted_value() {
    check::<ConversationTextSource>(
        "fax",
        Err("Input should be 'audio_transcript', 'message' or 'other_text'"),
    );
    check::<MemoryTextSource>(
        "fax",
        Err("Input should be 'email', 'social_post' or 'other'"),
    );
}

#[test]
fn wire_strings_are_case_sensitive() {
    check::<Visibility>("Private", Err("Input should be 'public' or 'private'"));
    check::<MemoryCategory>(
        "SYSTEM",
        Err(
            "Input should be 'interesting', 'system', 'manual', 'core', 'hobbies', 'lifestyle', 'interests', 'habits', 'work', 'skills', 'learnings' or 'other'",
        ),
    );
    check::<DevScope>(
        " memories:read",
        Err(
            "Input should be 'memories:read', 'memories:write', 'conversations:read', 'conversations:write', 'action_items:read', 'action_items:write', 'goals:read', 'goals:write', 'webhooks:read' or 'webhooks:write'",
        ),
    );
}

#[test]
fn every_enum_member_round_trips_through_its_wire_string() {
    round_trips(
        ConversationTextSource::ALL,
        &["audio_transcript", "message", "other_text"],
    );
    round_trips(MemoryTextSource::ALL, &["email", "social_post", "other"]);
    round_trips(
        MemoryCategory::ALL,
        &[
            "interesting",
            "system",
            "manual",
            "core",
            "hobbies",
            "lifestyle",
            "interests",
            "habits",
            "work",
            "skills",
            "learnings",
            "other",
        ],
    );
    round_trips(Visibility::ALL, &["public", "private"]);
    round_trips(
        ConversationStatus::ALL,
        &["in_progress", "processing", "completed", "failed"],
    );
    round_trips(
        ConversationSource::ALL,
        &[
            "friend",
            "omi",
            "openglass",
            "screenpipe",
            "workflow",
            "sdcard",
            "external_integration",
            "fieldy",
            "bee",
            "plaud",
            "frame",
            "friend_com",
            "apple_watch",
            "phone",
            "desktop",
            "limitless",
            "onboarding",
        ],
    );
    round_trips(ConversationCategory::ALL, ConversationCategory::WIRE_NAMES);
    round_trips(
        Capability::ALL,
        &[
            "create_conversation",
            "create_memories",
            "read_conversations",
            "read_memories",
            "read_tasks",
        ],
    );
    round_trips(
        DevScope::ALL,
        &[
            "memories:read",
            "memories:write",
            "conversations:read",
            "conversations:write",
            "action_items:read",
            "action_items:write",
            "goals:read",
            "goals:write",
            "webhooks:read",
            "webhooks:write",
        ],
    );
    round_trips(GoalType::ALL, &["boolean", "scale", "numeric"]);
    round_trips(
        GoalStatus::ALL,
        &["background", "focused", "paused", "achieved", "abandoned"],
    );
    round_trips(GoalSource::ALL, &["user", "ai_suggested", "imported"]);
}

#[test]
fn enum_defaults_follow_the_spec() {
    assert_eq!(MemoryTextSource::default(), MemoryTextSource::Other);
    assert_eq!(Visibility::default(), Visibility::Private);
    assert_eq!(ConversationCategory::default(), ConversationCategory::Other);
}
