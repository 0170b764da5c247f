//! omi-model's integration tests, linked as one binary; the modules live in `tests/model/`.
//!
//! - `spec_examples`: every example of the two API reference texts, the JSON ones copied
//!   verbatim into `tests/fixtures/spec/`, decoded, validated or round-tripped, and snapshotted.
//! - `*_rules`: one test per validation rule, asserting the exact `{loc, msg, type}`.
//! - `roundtrip_props`: property tests: valid values survive JSON unchanged, and no input
//!   (JSON, bytes, query strings) makes decoding or validation panic.

#[path = "model/common.rs"]
mod common;

#[path = "model/spec_examples.rs"]
mod spec_examples;
