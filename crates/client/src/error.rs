//! What a client call fails with.

use omi_api::{ApiError, CallError};

/// A failed call: the API's answer, or a failure to get one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status; its status, detail and `Retry-After` are kept.
    #[error("the API answered {0}")]
    Api(#[from] ApiError),
    /// The server could not be reached, or the connection broke.
    #[error("could not reach the API: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request or connection took longer than the configured timeout.
    #[error("the request timed out: {0}")]
    Timeout(#[source] reqwest::Error),
    /// The server answered with a body this client cannot read.
    #[error("undecodable response from {url} (status {status}) at {path}: {source}")]
    Decode {
        /// The requested URL (without the query string).
        url: String,
        /// The HTTP status.
        status: u16,
        /// Where in the body decoding failed (e.g. `memories[3].created_at`).
        path: String,
        /// The raw body, cut to 4 KiB.
        body: String,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// The client was configured wrongly (e.g. an unparseable base URL).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl CallError for Error {
    fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            _ => None,
        }
    }
}

impl Error {
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Self::Timeout(e)
        } else {
            Self::Transport(e)
        }
    }
}
