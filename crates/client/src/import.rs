//! `POST /v1/dev/user/import` over HTTP: an export's lines sent as they are read.

use async_trait::async_trait;
use omi_api::{DeveloperImport, ImportBody};
use omi_model::ImportReport;

use crate::{DeveloperClient, Error};

const IMPORT: &[&str] = &["v1", "dev", "user", "import"];

/// The media type of an import's body.
const NDJSON: &str = "application/x-ndjson";

impl DeveloperClient {
    /// `POST /v1/dev/user/import`: store the records of an export (format `omi-export`)
    /// for the key's user, with their ids, times and every field, 500 records per
    /// transaction. The body is sent as it is read, so a file of any size is never held
    /// whole (build it with `omi_api::import_body` from bytes held whole). A record the
    /// user has already is left as it is, so an import can be repeated. Bad lines do not
    /// fail the call: the report lists them (`completed` false). Scope `memories:write`,
    /// and the write scope of each other kind the file holds. Never retried (a stream
    /// cannot be sent twice); call it again, which is safe.
    ///
    /// ```no_run
    /// use omi_client::Client;
    /// use omi_client::api::import_body;
    ///
    /// # async fn run() -> Result<(), omi_client::Error> {
    /// let dev = Client::new("http://127.0.0.1:8080")?.developer("omi_dev_0123456789abcdef0123456789abcdef");
    /// let file = std::fs::read("export.ndjson").expect("the export");
    /// let report = dev.import(import_body(file)).await?;
    /// println!("{} memories stored, {} bad lines", report.created.memories, report.errors.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn import(&self, body: ImportBody) -> Result<ImportReport, Error> {
        self.client()
            .post_stream(IMPORT, self.api_key(), NDJSON, body)
            .await
    }
}

#[async_trait]
impl DeveloperImport for DeveloperClient {
    type Error = Error;

    async fn import(&self, body: ImportBody) -> Result<ImportReport, Error> {
        DeveloperClient::import(self, body).await
    }
}
