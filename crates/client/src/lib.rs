//! # omi-client
//!
//! A typed async client for OMI's Integration Imports API and Developer API: for
//! `https://api.omi.me` or a self-hosted `omi-server`, which speak the same wire format.
//!
//! [`Client::developer`] and [`Client::integration`] give handles whose inherent methods are
//! the API's routes ([`DeveloperClient`]: memories, conversations, action items;
//! [`IntegrationClient`]: imports), so no trait needs importing. The same handles implement
//! the `omi-api` traits, so code written against the traits runs over HTTP or in-process
//! alike. Calls are retried on 429, 502, 503, 504, timeouts and connection failures, with
//! exponential backoff and jitter, honouring `Retry-After`; every POST carries an
//! `Idempotency-Key` kept across its retries. Keys never appear in `Debug` output.
//!
//! This crate is the only dependency a user needs besides an async runtime: the request and
//! answer types are re-exported as [`model`] (`omi-model`), the traits and `ApiError` as
//! [`api`] (`omi-api`), and the [`futures`] crate, whose `TryStreamExt` (`try_next`,
//! `try_collect`...) reads the `*_stream` lists, as [`futures`].
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use omi_client::futures::TryStreamExt;
//! use omi_client::model::{CreateMemoryRequest, ListDevMemoriesQuery};
//! use omi_client::{Client, RetryPolicy};
//!
//! # async fn run() -> Result<(), omi_client::Error> {
//! let client = Client::builder()
//!     .base_url("http://127.0.0.1:8080")
//!     .timeout(Duration::from_secs(10))
//!     .retry_policy(RetryPolicy { max_attempts: 5, ..RetryPolicy::default() })
//!     .build()?;
//! let dev = client.developer("omi_dev_0123456789abcdef0123456789abcdef");
//! dev.create_memory(CreateMemoryRequest::new("User speaks fluent Japanese")).await?;
//! let all: Vec<_> = dev.memories_stream(ListDevMemoriesQuery::default()).try_collect().await?;
//! println!("{} memories", all.len());
//! # Ok(())
//! # }
//! ```
//!
//! A failure is an [`Error`]: [`Error::status`] is the HTTP status when the server answered,
//! [`Error::api_error`] the API's answer (OMI's `detail`), and its `Display` says what
//! happened and why ("could not reach the API at http://127.0.0.1:8080/v1/dev/user/memories:
//! Connection refused (os error 111)").

mod action_items;
mod client;
mod conversations;
mod developer;
mod error;
mod export;
mod goals;
mod import;
mod integration;
mod keys;
mod memories;
mod paging;
mod retry;
mod webhooks;

pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, IDEMPOTENCY_KEY_HEADER};
pub use developer::DeveloperClient;
pub use error::{DecodeError, Error, TransportError};
pub use integration::IntegrationClient;
pub use retry::{RetryPolicy, should_retry};

/// The `futures` crate this one's streams are made with, re-exported: its `TryStreamExt`
/// (`try_next`, `try_collect`...) and `StreamExt` read the `*_stream` lists without a
/// dependency of your own.
pub use futures;
/// The traits, `ApiError` and OMI's fixed messages (`omi-api`), re-exported.
pub use omi_api as api;
/// The request and answer types (`omi-model`), re-exported.
pub use omi_model as model;

/// The README's examples, run as doctests (`cargo xtask doc-examples` also builds them in a
/// crate that depends on this one alone).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
