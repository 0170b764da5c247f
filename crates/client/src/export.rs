//! `GET /v1/dev/user/export` over HTTP: the user's records, read a line at a time as they
//! arrive.

use async_trait::async_trait;
use futures::stream;
use omi_api::ndjson::LineSplitter;
use omi_api::{DeveloperExport, ExportStream};
use omi_model::ExportLine;
use reqwest::{StatusCode, Url};

use crate::client::decode;
use crate::{DecodeError, DeveloperClient, Error};

const EXPORT: &[&str] = &["v1", "dev", "user", "export"];

/// The longest line read (a conversation with its text and transcript is far smaller).
const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

impl DeveloperClient {
    /// `GET /v1/dev/user/export`: every record of the user as the lines of format
    /// `omi-export` version 1 (a header, the records, an `end` line with the counts; scope
    /// `memories:read`, and the read scopes of the other kinds to include them), decoded one
    /// at a time as they arrive. The key's checks fail the call itself; a stream that ends
    /// without its `end` line was cut short.
    ///
    /// ```no_run
    /// use omi_client::Client;
    /// use omi_client::futures::TryStreamExt;
    /// use omi_client::model::ExportLine;
    ///
    /// # async fn run() -> Result<(), omi_client::Error> {
    /// let dev = Client::new("http://127.0.0.1:8080")?.developer("omi_dev_0123456789abcdef0123456789abcdef");
    /// let mut lines = dev.export().await?;
    /// while let Some(line) = lines.try_next().await? {
    ///     if let ExportLine::End { counts } = line {
    ///         println!("{} memories", counts.memories);
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn export(&self) -> Result<ExportStream<'static, Error>, Error> {
        let (response, url) = self.client().open_stream(EXPORT, self.api_key()).await?;
        let reader = LineReader {
            response,
            url,
            lines: LineSplitter::new(MAX_LINE_BYTES),
            finished: false,
        };
        Ok(Box::pin(stream::unfold(reader, |mut reader| async move {
            let line = reader.next_line().await?;
            Some((line, reader))
        })))
    }
}

/// The lines of a streamed answer.
struct LineReader {
    response: reqwest::Response,
    url: Url,
    lines: LineSplitter,
    finished: bool,
}

impl LineReader {
    /// The next line, decoded; `None` after the last one (or a failure).
    async fn next_line(&mut self) -> Option<Result<ExportLine, Error>> {
        loop {
            let line = match self.lines.next_line() {
                Some(line) => Some(line),
                None if self.finished => self.lines.finish(),
                None => {
                    if let Err(e) = self.read_chunk().await {
                        self.finished = true;
                        return Some(Err(e));
                    }
                    continue;
                }
            };
            match line? {
                Ok(line) if line.is_blank() => {}
                Ok(line) => return Some(decode(&self.url, StatusCode::OK, &line.bytes)),
                Err(_) => {
                    self.finished = true;
                    self.lines = LineSplitter::new(MAX_LINE_BYTES);
                    return Some(Err(self.line_too_long()));
                }
            }
        }
    }

    /// The error of a line longer than [`MAX_LINE_BYTES`]: an answer this client cannot read.
    fn line_too_long(&self) -> Error {
        let why = std::io::Error::other(format!(
            "an export line is longer than {MAX_LINE_BYTES} bytes"
        ));
        let mut url = self.url.clone();
        url.set_query(None);
        Error::Decode {
            url: url.to_string(),
            status: StatusCode::OK.as_u16(),
            path: String::new(),
            body: String::new(),
            source: DecodeError::new(serde_json::Error::io(why)),
        }
    }

    /// Give the splitter the next chunk of the answer, or mark the answer finished.
    async fn read_chunk(&mut self) -> Result<(), Error> {
        match self.response.chunk().await.map_err(Error::from_reqwest)? {
            Some(chunk) => self.lines.push(&chunk),
            None => self.finished = true,
        }
        Ok(())
    }
}

#[async_trait]
impl DeveloperExport for DeveloperClient {
    type Error = Error;

    async fn export(&self) -> Result<ExportStream<'_, Error>, Error> {
        DeveloperClient::export(self).await
    }
}
