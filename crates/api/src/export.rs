//! The Developer API's export of a user's records.

use std::pin::Pin;

use async_trait::async_trait;
use futures_core::Stream;
use omi_model::ExportLine;

use crate::CallError;

/// The lines of an export as they come, or the failure that ended it early (then no `end`
/// line comes).
pub type ExportStream<'a, E> = Pin<Box<dyn Stream<Item = Result<ExportLine, E>> + Send + 'a>>;

/// `GET /v1/dev/user/export`, built with a developer key: the key's user's records.
#[async_trait]
pub trait DeveloperExport: Send + Sync {
    /// What a call fails with: [`ApiError`](crate::ApiError) in-process; over HTTP also transport failures.
    type Error: CallError;

    /// Every record of the user as the lines of format `omi-export` version 1
    /// (`omi_model::ExportLine`): a header, the memories (the key needs `memories:read`),
    /// then the conversations with their transcripts, action items and goals when the key
    /// has their read scopes, each kind oldest first, and an `end` line with the counts.
    /// The records are read a page at a time as the stream is read, so a large export
    /// holds little in memory. The key's checks (401, 403, 429) fail the call itself,
    /// before any line.
    async fn export(&self) -> Result<ExportStream<'_, Self::Error>, Self::Error>;
}
