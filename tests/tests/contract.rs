//! The shared contract suite: every rule of the two API reference texts, written once against
//! the `omi-api` traits and run in-process (the service's handles) and over HTTP
//! (`omi-client` against a real server on `127.0.0.1:0`). Both runs of a contract record
//! every call's outcome and must match the same insta snapshot, so the transports cannot
//! drift apart.
//!
//! One binary, one module per feature; helpers live in `common`.

mod common;

mod async_completion;
mod auth_matrix;
mod developer_memories;
mod integration_conversations;
mod integration_memories;
mod pagination;
mod properties;
mod spec_examples;
mod validation;
