//! `GET /v1/dev/user/export` over HTTP: the user's records, read a line at a time as they
//! arrive.

use async_trait::async_trait;
use futures::stream;
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
            buffer: Vec::new(),
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
    buffer: Vec<u8>,
    finished: bool,
}

impl LineReader {
    /// The next line, decoded; `None` after the last one (or a failure).
    async fn next_line(&mut self) -> Option<Result<ExportLine, Error>> {
        loop {
            if let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buffer.drain(..=end).collect();
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Some(decode(&self.url, StatusCode::OK, &line));
            }
            if self.finished {
                let rest = std::mem::take(&mut self.buffer);
                return (!rest.iter().all(u8::is_ascii_whitespace))
                    .then(|| decode(&self.url, StatusCode::OK, &rest));
            }
            if let Err(e) = self.read_chunk().await {
                self.finished = true;
                self.buffer.clear();
                return Some(Err(e));
            }
        }
    }

    /// The error of a line longer than [`MAX_LINE_BYTES`]: an answer this client cannot read.
    fn line_too_long(&self) -> Error {
        let why = std::io::Error::other(format!(
            "an export line is longer than {MAX_LINE_BYTES} bytes"
        ));
        let start = self.buffer.get(..256).unwrap_or(&self.buffer);
        let mut url = self.url.clone();
        url.set_query(None);
        Error::Decode {
            url: url.to_string(),
            status: StatusCode::OK.as_u16(),
            path: String::new(),
            body: String::from_utf8_lossy(start).into_owned(),
            source: DecodeError::new(serde_json::Error::io(why)),
        }
    }

    /// Append the next chunk of the answer to the buffer, or mark the answer finished.
    async fn read_chunk(&mut self) -> Result<(), Error> {
        match self.response.chunk().await.map_err(Error::from_reqwest)? {
            Some(chunk) if self.buffer.len().saturating_add(chunk.len()) > MAX_LINE_BYTES => {
                Err(self.line_too_long())
            }
            Some(chunk) => {
                self.buffer.extend_from_slice(&chunk);
                Ok(())
            }
            None => {
                self.finished = true;
                Ok(())
            }
        }
    }
}

#[async_trait]
impl DeveloperExport for DeveloperClient {
    type Error = Error;

    async fn export(&self) -> Result<ExportStream<'_, Error>, Error> {
        DeveloperClient::export(self).await
    }
}
