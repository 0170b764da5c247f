//! # omi-api
//!
//! The transport-agnostic surface of OMI's Integration Imports API and Developer API: one
//! async trait per resource, and [`ApiError`], the one error type every implementation returns.
//!
//! An implementor is built with its credentials (an app id and key, or a developer key), so
//! calls carry none. The HTTP client (`omi-client`) and the in-process service (`omi-server`)
//! implement the same traits and report 401/403/404/422/429 identically, at call time. Code
//! written against these traits runs unchanged on either.
//!
//! Each trait names its error type: [`ApiError`] for the in-process service, a richer enum
//! for the HTTP client (which can also fail to reach the server). Both implement
//! [`CallError`], so generic code can always ask for the API's answer.
//!
//! ```
//! use omi_api::{CallError, DeveloperMemories, ErrorKind};
//! use omi_api::model::CreateMemoryRequest;
//!
//! /// Store a fact once, whatever the transport; `None` when the content is invalid.
//! async fn remember<A: DeveloperMemories>(api: &A, fact: &str) -> Result<Option<String>, A::Error> {
//!     match api.create_memory(CreateMemoryRequest::new(fact)).await {
//!         Ok(memory) => Ok(Some(memory.id)),
//!         Err(e) if e.api_error().is_some_and(|a| a.kind() == ErrorKind::Validation) => Ok(None),
//!         Err(e) => Err(e),
//!     }
//! }
//! ```

mod action_items;
mod conversations;
mod error;
mod export;
mod goals;
mod import;
mod integration;
mod keys;
mod memories;
pub mod ndjson;
pub mod wait;
mod webhooks;

pub use action_items::DeveloperActionItems;
pub use conversations::DeveloperConversations;
pub use error::{ApiError, CallError, ErrorKind, messages};
pub use export::{DeveloperExport, ExportStream};
pub use goals::DeveloperGoals;
pub use import::{DeveloperImport, ImportBody, import_body};
pub use integration::IntegrationImports;
pub use keys::DeveloperKey;
pub use memories::DeveloperMemories;
/// The wire error body, defined in `omi-model` (so it can be built with the types alone).
pub use omi_model::{ErrorBody, ErrorDetail};
pub use wait::WaitError;
pub use webhooks::DeveloperWebhooks;

/// The model crate, re-exported so users of the traits need one dependency.
pub use omi_model as model;

/// The README's examples, run as doctests (`cargo xtask doc-examples` also builds them in a
/// crate that depends on this one alone).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
