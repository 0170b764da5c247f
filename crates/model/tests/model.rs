//! omi-model's integration tests, linked as one binary; the modules live in `tests/model/`.
//!
//! - `spec_examples`: every example of the two API reference texts, the JSON ones copied
//!   verbatim into `tests/fixtures/spec/`, decoded, validated or round-tripped, and snapshotted.
//! - `*_rules`: one test per validation rule, named for the rule, asserting the exact
//!   `{loc, msg, type}` of every problem.
//! - `control_char_rules`: no user text holds a control character but tab, newline and
//!   carriage return; unusual but legitimate Unicode is accepted.
//! - `roundtrip_props`: property tests: valid values survive JSON unchanged, and no input
//!   (JSON, bytes, query strings) makes decoding or validation panic.
//! - `unicode_props`: bounds counted in characters whatever the script.

#[path = "model/common.rs"]
mod common;

#[path = "model/spec_examples.rs"]
mod spec_examples;

#[path = "model/control_char_rules.rs"]
mod control_char_rules;
#[path = "model/conversation_rules.rs"]
mod conversation_rules;
#[path = "model/decoding_rules.rs"]
mod decoding_rules;
#[path = "model/developer_rules.rs"]
mod developer_rules;
#[path = "model/enum_rules.rs"]
mod enum_rules;
#[path = "model/memory_rules.rs"]
mod memory_rules;
#[path = "model/query_rules.rs"]
mod query_rules;

#[path = "model/roundtrip_props.rs"]
mod roundtrip_props;
#[path = "model/unicode_props.rs"]
mod unicode_props;
