//! The client, its builder, and the one private function every call goes through.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use omi_api::{ApiError, ErrorBody};
use omi_model::ApiKey;
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{DeveloperClient, Error, IntegrationClient, RetryPolicy};

/// OMI's cloud.
pub const DEFAULT_BASE_URL: &str = "https://api.omi.me";

/// The header that makes a retried create apply once.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// A client of one server. Cheap to clone (clones share connections).
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base_url: Url,
    retry: RetryPolicy,
}

/// Builds a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    http: Option<reqwest::Client>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            user_agent: concat!("omi-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            http: None,
        }
    }
}

impl ClientBuilder {
    /// The server (default `https://api.omi.me`); a path prefix is kept.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The longest a whole request may take (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest connecting may take (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How failed calls are retried.
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` sent.
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Use a caller's own `reqwest::Client` (then timeouts and user agent are its own).
    #[must_use]
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Build the client.
    pub fn build(self) -> Result<Client, Error> {
        let mut base_url = Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("base URL {:?}: {e}", self.base_url)))?;
        if base_url.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "base URL {:?} cannot have paths",
                self.base_url
            )));
        }
        base_url.set_query(None);
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| Error::Config(format!("HTTP client: {e}")))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                retry: self.retry,
            }),
        })
    }
}

impl Client {
    /// A builder with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client of `base_url` with every other setting at its default.
    pub fn new(base_url: impl Into<String>) -> Result<Self, Error> {
        Self::builder().base_url(base_url).build()
    }

    /// The Integration Imports API of app `app_id`, called with the app's key. An app id that
    /// cannot be a URL path segment (empty, `.` or `..`) makes every call fail with
    /// [`Error::Config`].
    pub fn integration(
        &self,
        app_id: impl Into<String>,
        key: impl Into<ApiKey>,
    ) -> IntegrationClient {
        IntegrationClient::new(self.clone(), app_id.into(), key.into())
    }

    /// The Developer API, called with a developer key.
    pub fn developer(&self, key: impl Into<ApiKey>) -> DeveloperClient {
        DeveloperClient::new(self.clone(), key.into())
    }

    /// Send a call, retrying per the policy. POSTs carry one `Idempotency-Key` across their
    /// retries, so a create whose answer was lost is applied once.
    pub(crate) async fn call<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        request: Request<'_, B>,
    ) -> Result<T, Error> {
        let url = self.url(request.path)?;
        let idempotency_key =
            (request.method == Method::POST).then(|| uuid::Uuid::new_v4().to_string());
        let mut attempt = 1;
        loop {
            let outcome = self
                .once(&request, url.clone(), idempotency_key.as_deref())
                .await;
            match outcome {
                Ok(value) => return Ok(value),
                Err(e) => match self.inner.retry.delay(attempt, &e) {
                    Some(wait) => {
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => return Err(e),
                },
            }
        }
    }

    fn url(&self, path: &[&str]) -> Result<Url, Error> {
        join_path(&self.inner.base_url, path)
    }

    /// Send a GET whose answer is streamed (no retry once it began), and give back the
    /// response to read a chunk at a time, with its URL; an error status is read whole into
    /// the API's error. The client's whole-request timeout does not apply (a stream may take
    /// long); its connect timeout does.
    pub(crate) async fn open_stream(
        &self,
        path: &[&str],
        key: &ApiKey,
    ) -> Result<(reqwest::Response, Url), Error> {
        let url = self.url(path)?;
        let response = self
            .inner
            .http
            .get(url.clone())
            .bearer_auth(key.expose())
            .timeout(STREAM_TIMEOUT)
            .send()
            .await
            .map_err(Error::from_reqwest)?;
        if response.status().is_success() {
            return Ok((response, url));
        }
        let (status, retry_after, bytes) = read_whole(response).await?;
        Err(Error::Api(api_error(status, bytes.as_ref(), retry_after)))
    }

    /// POST `body`, of type `content_type`, streamed as it is read (never retried: a stream
    /// cannot be sent again), and decode the answer.
    pub(crate) async fn post_stream<T: DeserializeOwned>(
        &self,
        path: &[&str],
        key: &ApiKey,
        content_type: &'static str,
        body: omi_api::ImportBody,
    ) -> Result<T, Error> {
        let url = self.url(path)?;
        let response = self
            .inner
            .http
            .post(url.clone())
            .bearer_auth(key.expose())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .timeout(STREAM_TIMEOUT)
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await
            .map_err(Error::from_reqwest)?;
        let (status, retry_after, bytes) = read_whole(response).await?;
        if status.is_success() {
            decode(&url, status, bytes.as_ref())
        } else {
            Err(Error::Api(api_error(status, bytes.as_ref(), retry_after)))
        }
    }

    async fn once<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        request: &Request<'_, B>,
        url: Url,
        idempotency_key: Option<&str>,
    ) -> Result<T, Error> {
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url.clone())
            .bearer_auth(request.key.expose())
            .query(request.query);
        if let Some(body) = request.body {
            builder = builder.json(body);
        }
        if let Some(key) = idempotency_key {
            builder = builder.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        let response = builder.send().await.map_err(Error::from_reqwest)?;
        let (status, retry_after, bytes) = read_whole(response).await?;
        if status.is_success() {
            decode(&url, status, bytes.as_ref())
        } else {
            Err(Error::Api(api_error(status, bytes.as_ref(), retry_after)))
        }
    }
}

/// An answer read whole: its status, its `Retry-After` in seconds (when it has one that
/// reads), and its body.
async fn read_whole(
    response: reqwest::Response,
) -> Result<(StatusCode, Option<u64>, impl AsRef<[u8]>), Error> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let bytes = response.bytes().await.map_err(Error::from_reqwest)?;
    Ok((status, retry_after, bytes))
}

/// Whether `segment` can be sent as one URL path segment. The empty segment and the dot
/// segments cannot: URL parsing (WHATWG, and so `reqwest`) removes `.` and `..`, even
/// percent-encoded, and an empty one names the collection's route with a trailing slash.
pub(crate) fn is_sendable_segment(segment: &str) -> bool {
    !matches!(segment, "" | "." | "..")
}

/// `base` with `path` appended, each segment percent-encoded whole (everything but RFC 3986's
/// unreserved characters), so that the server reads back exactly the segments given: `/`,
/// `?`, `#` and `%` stay inside their segment, and tabs and newlines are not dropped as URL
/// parsing drops them when they are left bare.
fn join_path(base: &Url, path: &[&str]) -> Result<Url, Error> {
    if base.cannot_be_a_base() {
        return Err(Error::Config("base URL cannot have paths".into()));
    }
    let mut joined = base.path().trim_end_matches('/').to_owned();
    for segment in path {
        if !is_sendable_segment(segment) {
            return Err(Error::Config(format!(
                "{segment:?} cannot be sent as a URL path segment"
            )));
        }
        joined.push('/');
        encode_segment(&mut joined, segment);
    }
    let mut url = base.clone();
    url.set_path(&joined);
    Ok(url)
}

fn encode_segment(out: &mut String, segment: &str) {
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// One call: method, path segments, query pairs, credentials, body.
pub(crate) struct Request<'a, B> {
    pub(crate) method: Method,
    pub(crate) path: &'a [&'a str],
    pub(crate) query: &'a [(&'static str, String)],
    pub(crate) key: &'a ApiKey,
    pub(crate) body: Option<&'a B>,
}

/// The longest a streamed answer may take in all.
const STREAM_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// `bytes` of an answer from `url` with `status`, decoded as a `T`; where it does not
/// decode is named in the error.
pub(crate) fn decode<T: DeserializeOwned>(
    url: &Url,
    status: StatusCode,
    bytes: &[u8],
) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let mut body = String::from_utf8_lossy(bytes).into_owned();
        body.truncate(4096);
        let mut url = url.clone();
        url.set_query(None);
        Error::Decode {
            url: url.to_string(),
            status: status.as_u16(),
            path,
            body,
            source: crate::error::DecodeError::new(e.into_inner()),
        }
    })
}

/// The API's error: its `{"detail": ...}` body when it has one, else the status's reason.
fn api_error(status: StatusCode, bytes: &[u8], retry_after: Option<u64>) -> ApiError {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => ApiError::from_body(status.as_u16(), body, retry_after),
        Err(_) => ApiError::message(
            status.as_u16(),
            status.canonical_reason().unwrap_or("Unknown error"),
        )
        .with_retry_after(retry_after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(base: &str, path: &[&str]) -> Result<String, Error> {
        join_path(&Url::parse(base).unwrap(), path).map(|u| u.to_string())
    }

    #[test]
    fn each_segment_reaches_the_server_whole() {
        assert_eq!(
            joined("http://h", &["v1", "a b/c?d#e%f\tg\nh", "ümlaut", "x.y~z"]).unwrap(),
            "http://h/v1/a%20b%2Fc%3Fd%23e%25f%09g%0Ah/%C3%BCmlaut/x.y~z"
        );
    }

    #[test]
    fn a_base_path_prefix_is_kept() {
        assert_eq!(
            joined("http://h/omi/", &["v1", "memories"]).unwrap(),
            "http://h/omi/v1/memories"
        );
        assert_eq!(joined("http://h/omi", &["v1"]).unwrap(), "http://h/omi/v1");
    }

    #[test]
    fn empty_and_dot_segments_are_refused_not_rewritten() {
        for segment in ["", ".", ".."] {
            assert!(!is_sendable_segment(segment));
            assert!(matches!(
                joined("http://h", &["v1", segment, "x"]),
                Err(Error::Config(_))
            ));
        }
        assert!(is_sendable_segment("..."));
    }
}
