//! The shared contract suite: every rule of the two API reference texts (and of the
//! Developer API's conversations and action items), written once against
//! the `omi-api` traits and run in-process (the service's handles) and over HTTP
//! (`omi-client` against a real server on `127.0.0.1:0`). Both runs of a contract record
//! every call's outcome and must match the same insta snapshot, so the transports cannot
//! drift apart.
//!
//! One binary, one module per feature; helpers live in `common`.

mod common;

mod action_item_search;
mod action_items;
mod async_completion;
mod auth_matrix;
mod conversation_search;
mod conversations;
mod dev_key;
mod export;
mod folders;
mod goals;
mod import;
mod integration_conversations;
mod integration_memories;
mod integration_tasks;
mod mcp;
mod memories;
mod pagination;
mod properties;
mod search;
mod search_quality;
mod segment_sessions;
mod spec_examples;
mod validation;
mod webhooks;
