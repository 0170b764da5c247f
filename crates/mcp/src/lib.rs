//! # omi-mcp
//!
//! A user's memories, conversations and action items as [Model Context
//! Protocol](https://modelcontextprotocol.io) tools, named and shaped like OMI's hosted MCP
//! registry (`get_memories`, `create_memory`, `search_memories`, `get_conversations`,
//! `get_conversation_by_id`, `search_conversations`, `get_action_items`,
//! `create_action_item`...), built on the official Rust SDK (`rmcp`).
//!
//! The tools are another transport of the `omi-api` traits: each calls the trait method of
//! its REST twin, so it needs the same scope, counts against the same rate limit and
//! validates the same way. A [`Connector`] says who a call acts for: `omi-server` connects
//! the in-process service with the key of each HTTP request; the `client` feature's
//! `ClientConnector` proxies to a server over HTTP with one key. A refusal (a missing scope,
//! an unknown id, invalid input) is a tool error, `{"error": {"code", "message"}}` with
//! `isError`, never a transport failure.
//!
//! ```
//! // The tools, each with the scope its REST twin needs.
//! let search = omi_mcp::tools().iter().find(|t| t.name == "search_memories").unwrap();
//! assert_eq!(omi_mcp::scope_of(&search.name).map(|s| s.as_str()), Some("memories:read"));
//! assert_eq!(search.annotations.as_ref().and_then(|a| a.read_only_hint), Some(true));
//! ```
//!
//! Serving: [`streamable_http`] gives a tower service to mount at `/v1/mcp`;
//! [`serve_stdio`] serves standard input and output.

#[cfg(feature = "client")]
mod client;
mod cursor;
mod outcome;
mod registry;
mod server;
mod tools;
mod transport;

#[cfg(feature = "client")]
pub use client::ClientConnector;
pub use outcome::{ToolError, ToolOutcome};
pub use registry::{find, scope_of, tools};
pub use rmcp;
pub use server::{Connector, OmiMcp};
pub use transport::{Framing, MAX_REQUEST_BYTES, serve_stdio, streamable_http};
