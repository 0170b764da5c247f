//! The Developer API's import of a user's records, in the export's format.

use std::pin::Pin;

use async_trait::async_trait;
use futures_core::Stream;
use omi_model::ImportReport;

use crate::CallError;

/// The bytes of an import, a chunk at a time (a file read as it goes, or a request body).
pub type ImportBody = Pin<Box<dyn Stream<Item = Result<Vec<u8>, std::io::Error>> + Send>>;

/// An [`ImportBody`] of bytes held whole.
pub fn import_body(bytes: impl Into<Vec<u8>>) -> ImportBody {
    let chunk: Result<Vec<u8>, std::io::Error> = Ok(bytes.into());
    Box::pin(Once(Some(chunk)))
}

/// A stream of one item.
struct Once<T>(Option<T>);

impl<T: Unpin> Stream for Once<T> {
    type Item = T;

    fn poll_next(
        mut self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<T>> {
        std::task::Poll::Ready(self.0.take())
    }
}

/// `POST /v1/dev/user/import`, built with a developer key: records in format
/// `omi-export` (any version up to `omi_model::EXPORT_VERSION`) stored for the key's user.
#[async_trait]
pub trait DeveloperImport: Send + Sync {
    /// What a call fails with: [`ApiError`](crate::ApiError) in-process; over HTTP also
    /// transport failures.
    type Error: CallError;

    /// Store the records of `body` for the user, with their ids, times and every field,
    /// in batches of `omi_model::IMPORT_BATCH_RECORDS` records, each batch in one
    /// transaction. The key needs `memories:write`, and the write scope of every other
    /// kind the file holds. A record the user has already is left as it is, so an import
    /// can be repeated. Bad lines do not fail the call: the [`ImportReport`] lists them by
    /// number (with `completed` false), and says how far the file was applied. The key's
    /// checks (401, 403, 429) fail the call itself.
    async fn import(&self, body: ImportBody) -> Result<ImportReport, Self::Error>;
}
