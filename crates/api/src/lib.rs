//! # omi-api
//!
//! The transport-agnostic surface of OMI's Integration Imports API and Developer API: one
//! async trait per surface, and [`ApiError`], the one error type every implementation returns.
//!
//! An implementor is built with its credentials (an app id and key, or a developer key), so
//! calls carry none. The HTTP client (`omi-client`) and the in-process service (`omi-server`)
//! implement the same traits and report 401/403/404/422/429 identically, at call time. Code
//! written against these traits runs unchanged on either.
//!
//! ```
//! use omi_api::{ApiError, DeveloperMemories};
//! use omi_model::CreateMemoryRequest;
//!
//! /// Store a fact once, whatever the transport.
//! async fn remember(api: &dyn DeveloperMemories, fact: &str) -> Result<String, ApiError> {
//!     let memory = api.create_memory(CreateMemoryRequest::new(fact)).await?;
//!     Ok(memory.id)
//! }
//! ```

mod error;
mod traits;

pub use error::{ApiError, ErrorBody, ErrorDetail, ErrorKind, messages};
pub use traits::{DeveloperMemories, IntegrationImports};

/// The model crate, re-exported so users of the traits need one dependency.
pub use omi_model as model;
