//! What a client call fails with. No foreign error type is part of this API: the HTTP
//! library's and the JSON decoder's errors are wrapped in [`TransportError`] and
//! [`DecodeError`], reachable through `source()` for logging, and every `Display` says the
//! cause in words ("could not reach the API at http://...: Connection refused").

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use omi_api::{ApiError, CallError, WaitError};

/// A failed call: the API's answer, or a failure to get one.
///
/// [`Error::status`] gives the HTTP status whenever the server answered, and
/// [`Error::api_error`] the API's answer (status, `detail`, `Retry-After`), without importing
/// any trait.
///
/// ```
/// use omi_client::Error;
/// use omi_client::api::ApiError;
///
/// let e = Error::from(ApiError::not_found("Memory not found"));
/// assert_eq!(e.status(), Some(404));
/// assert_eq!(e.to_string(), "the API answered 404: Memory not found");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status; its status, detail and `Retry-After` are kept.
    #[error("the API answered {0}")]
    Api(#[from] ApiError),
    /// The server could not be reached, or the connection broke.
    #[error("could not reach the API at {}: {}", .0.url(), .0)]
    Transport(#[source] TransportError),
    /// The request or connection took longer than the configured timeout.
    #[error("the request to {} timed out: {}", .0.url(), .0)]
    Timeout(#[source] TransportError),
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
        source: DecodeError,
    },
    /// [`DeveloperClient::wait_until_processed`](crate::DeveloperClient::wait_until_processed)
    /// gave up: the conversation was still not processed when its timeout passed (what `?`
    /// makes of [`WaitError::TimedOut`]).
    #[error("conversation {conversation_id} was not processed after {} ms", .waited.as_millis())]
    NotProcessed {
        /// The conversation waited for.
        conversation_id: String,
        /// How long was waited.
        waited: Duration,
    },
    /// The client was configured wrongly (e.g. an unparseable base URL).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl Error {
    /// The HTTP status of the server's answer, when there was one: the status of an API error,
    /// or of an answer that could not be decoded. `None` when no answer came (transport
    /// failure, timeout, configuration).
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status()),
            Self::Decode { status, .. } => Some(*status),
            Self::Transport(_) | Self::Timeout(_) | Self::NotProcessed { .. } | Self::Config(_) => {
                None
            }
        }
    }

    /// The API's answer (status, `detail`, `Retry-After`), when the failure is one; the same
    /// as [`CallError::api_error`], without the trait in scope.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Self::Timeout(TransportError::new(e))
        } else {
            Self::Transport(TransportError::new(e))
        }
    }
}

impl From<WaitError<Error>> for Error {
    fn from(e: WaitError<Error>) -> Self {
        match e {
            WaitError::Call(e) => e,
            WaitError::TimedOut {
                conversation_id,
                waited,
                ..
            } => Self::NotProcessed {
                conversation_id,
                waited,
            },
        }
    }
}

impl CallError for Error {
    fn api_error(&self) -> Option<&ApiError> {
        Error::api_error(self)
    }
}

/// Why a request got no answer (the connection was refused, reset, timed out...).
///
/// Opaque: its `Display` is the innermost cause in words ("Connection refused (os error
/// 111)"), [`url`](Self::url) the URL asked for, and `source()` the HTTP library's own error,
/// for logging.
pub struct TransportError {
    url: String,
    retryable: bool,
    inner: reqwest::Error,
}

impl TransportError {
    fn new(inner: reqwest::Error) -> Self {
        let url = inner
            .url()
            .map(|u| {
                let mut u = u.clone();
                u.set_query(None);
                u.to_string()
            })
            .unwrap_or_else(|| "(unknown URL)".to_owned());
        let retryable =
            inner.is_timeout() || inner.is_connect() || inner.is_request() || inner.is_body();
        Self {
            url,
            retryable,
            inner,
        }
    }

    /// The URL of the request (without its query string).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether trying again may help: the connection failed, broke or timed out (and not,
    /// say, the request could not be built).
    pub(crate) fn is_retryable(&self) -> bool {
        self.retryable
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("url", &self.url)
            .field("cause", &self.inner)
            .finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&root_cause(&self.inner))
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.inner)
    }
}

/// Why an answer's body could not be read as the expected JSON.
///
/// Opaque: its `Display` is the decoder's message (e.g. "invalid type: string \"x\",
/// expected i64 at line 1 column 9"), and `source()` the decoder's own error.
pub struct DecodeError {
    inner: serde_json::Error,
}

impl DecodeError {
    pub(crate) fn new(inner: serde_json::Error) -> Self {
        Self { inner }
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl StdError for DecodeError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.inner)
    }
}

/// The words of the innermost cause of `error` (the HTTP library's outer messages, such as
/// "error sending request for url (...)", say nothing the URL does not).
fn root_cause(error: &(dyn StdError + 'static)) -> String {
    let mut deepest = error;
    while let Some(next) = deepest.source() {
        deepest = next;
    }
    deepest.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Layer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|l| l as &(dyn StdError + 'static))
        }
    }

    #[test]
    fn the_root_cause_is_the_innermost_message() {
        let chain = Layer(
            "error sending request",
            Some(Box::new(Layer(
                "client error (Connect)",
                Some(Box::new(Layer("Connection refused (os error 111)", None))),
            ))),
        );
        assert_eq!(root_cause(&chain), "Connection refused (os error 111)");
        assert_eq!(root_cause(&Layer("alone", None)), "alone");
    }

    #[test]
    fn status_is_given_only_when_the_server_answered() {
        assert_eq!(Error::from(ApiError::rate_limited(3)).status(), Some(429));
        assert_eq!(Error::Config("x".into()).status(), None);
        let source = DecodeError::new(serde_json::from_str::<u8>("\"x\"").unwrap_err());
        let decode = Error::Decode {
            url: "http://h/v1".into(),
            status: 200,
            path: ".".into(),
            body: "\"x\"".into(),
            source,
        };
        assert_eq!(decode.status(), Some(200));
        assert!(decode.api_error().is_none());
    }

    #[tokio::test]
    async fn a_refused_connection_says_where_and_why() {
        // A port that was just free: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let client = crate::Client::builder()
            .base_url(format!("http://127.0.0.1:{port}"))
            .retry_policy(crate::RetryPolicy::never())
            .build()
            .expect("a client");
        let dev = client.developer("omi_dev_0123456789abcdef0123456789abcdef");
        let e = dev.get_memory("m1").await.expect_err("nothing listens");
        assert!(matches!(e, Error::Transport(_)), "{e:?}");
        assert_eq!(e.status(), None);
        let shown = e.to_string();
        let url = format!("http://127.0.0.1:{port}/v1/dev/user/memories/m1");
        assert!(
            shown.starts_with(&format!("could not reach the API at {url}: ")),
            "{shown}"
        );
        assert!(shown.to_lowercase().contains("refused"), "{shown}");
        assert!(StdError::source(&e).is_some(), "the cause stays reachable");
    }
}
