//! # omi-server
//!
//! A self-hostable server for OMI's Integration Imports API and Developer API, and the
//! library it is made of. Apps written for `https://api.omi.me` work against it by changing
//! only their base URL.
//!
//! - [`service::Service`] implements the `omi-api` traits over a [`store::Store`]: the same
//!   checks, in the same order, whether called in-process or over HTTP.
//! - [`store`] holds the storage trait and the embedded SQLite store.
//! - [`http`] is the thin axum layer; [`worker`] runs durable jobs through an
//!   [`omi_extract::Extractor`].
//! - [`admin`] makes users, apps and keys; [`server::RunningServer`] runs it all.
//! - [`mcp`] serves the user's data as MCP tools (`omi-mcp`), at `POST /v1/mcp` and over
//!   stdio (`omi-server mcp --stdio`).
//! - [`metrics`] records request, job and rate-limit metrics and renders them for `GET /metrics`.
//! - [`http::openapi::openapi`] is the OpenAPI 3.1 document of the routes, served at
//!   `GET /openapi.json` with an interactive reference page at `GET /docs/`.
//!
//! Features: `mimalloc` (on by default) makes the `omi-server` binary allocate with
//! mimalloc, which on Unix also replaces `malloc` for the whole process; depend on this
//! crate with `default-features = false` to keep your own allocator.
//!
//! ```no_run
//! use omi_server::server::{RunningServer, ServerConfig};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let server = RunningServer::start(ServerConfig {
//!     addr: "127.0.0.1:0".parse()?,
//!     database_url: "sqlite:///tmp/omi-example.sqlite".into(),
//!     ..ServerConfig::default()
//! })
//! .await?;
//! println!("listening on {}", server.base_url());
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

pub mod admin;
pub mod faults;
pub mod http;
mod keys;
pub mod mcp;
pub mod metrics;
mod panics;
pub mod ratelimit;
pub mod semantic;
mod sender;
pub mod server;
pub mod service;
pub mod store;
pub mod webhooks;
pub mod worker;
