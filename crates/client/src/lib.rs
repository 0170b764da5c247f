//! # omi-client
//!
//! A typed async client for OMI's Integration Imports API and Developer API: for
//! `https://api.omi.me` or a self-hosted `omi-server`, which speak the same wire format.
//!
//! [`Client::integration`] and [`Client::developer`] give handles that implement the
//! `omi-api` traits (the developer handle: memories, conversations and action items), so
//! code written against the traits runs over HTTP or in-process alike.
//! Calls are retried on 429, 502, 503, 504, timeouts and connection failures, with
//! exponential backoff and jitter, honouring `Retry-After`; every POST carries an
//! `Idempotency-Key` kept across its retries. Lists are also offered as streams that page
//! through everything. Keys never appear in `Debug` output.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use futures::TryStreamExt;
//! use omi_api::DeveloperMemories;
//! use omi_client::{Client, RetryPolicy};
//! use omi_model::{CreateMemoryRequest, ListDevMemoriesQuery};
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

mod action_items;
mod client;
mod conversations;
mod developer;
mod error;
mod integration;
mod memories;
mod paging;
mod retry;

pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, IDEMPOTENCY_KEY_HEADER};
pub use developer::DeveloperClient;
pub use error::Error;
pub use integration::IntegrationClient;
pub use retry::{RetryPolicy, should_retry};

/// The crates this one speaks in, re-exported.
pub use omi_api as api;
pub use omi_model as model;
