//! Vectors of texts from any OpenAI-compatible embeddings endpoint (OpenAI, Azure OpenAI, a
//! local Ollama, llama.cpp or vLLM server...): `POST {base_url}/embeddings`.
//!
//! Each vector comes back L2-normalized to unit length, so the dot product of two is their
//! cosine similarity. Texts are sent as they are (the caller bounds their length), at most
//! [`EmbeddingsConfig::batch`] per request. An answer is checked before it is used: one vector
//! per text, each index once, finite numbers, not all zero, one dimension for all; anything
//! else is an [`EmbedError::Invalid`], never a panic or a silently wrong vector. Nothing is
//! retried here: [`EmbedError::is_retryable`] tells the caller whether trying again may help.
//!
//! ```no_run
//! use omi_extract::{Embedder, EmbeddingsConfig};
//!
//! # async fn run() -> Result<(), omi_extract::EmbedError> {
//! let mut config = EmbeddingsConfig::new("https://api.openai.com/v1", "text-embedding-3-small");
//! config.api_key = Some("sk-...".into());
//! let embedder = Embedder::new(config)?;
//! let texts = ["User is vegetarian".to_owned(), "User eats no meat".to_owned()];
//! let vectors = embedder.embed(&texts).await?;
//! let cosine: f32 = vectors[0].iter().zip(&vectors[1]).map(|(a, b)| a * b).sum();
//! println!("{} says they are {cosine:.2} alike", embedder.model());
//! # Ok(())
//! # }
//! ```

use std::time::Duration;

use omi_model::ApiKey;
use serde::Deserialize;
use serde_json::json;

use crate::llm::{debug_connection, endpoint_url, http_client, without_url};

/// Where vectors come from: any OpenAI-compatible `POST {base_url}/embeddings` endpoint.
#[derive(Clone)]
pub struct EmbeddingsConfig {
    /// The API's base URL, up to and without `/embeddings`
    /// (`https://api.openai.com/v1`, `http://localhost:11434/v1`).
    pub base_url: String,
    /// The model name (`text-embedding-3-small`, `nomic-embed-text`).
    pub model: String,
    /// The key, sent as `Authorization: Bearer`; never logged or shown by `Debug`.
    pub api_key: Option<ApiKey>,
    /// How long one request may take.
    pub timeout: Duration,
    /// The most texts sent in one request (at least 1); more texts take several requests.
    pub batch: usize,
}

impl EmbeddingsConfig {
    /// The default request timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default number of texts per request.
    pub const DEFAULT_BATCH: usize = 64;

    /// A configuration for `model` at `base_url`, without a key, with the default timeout and
    /// batch size.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            timeout: Self::DEFAULT_TIMEOUT,
            batch: Self::DEFAULT_BATCH,
        }
    }

    fn endpoint(&self) -> String {
        endpoint_url(&self.base_url, "embeddings")
    }
}

impl std::fmt::Debug for EmbeddingsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_connection(
            f,
            "EmbeddingsConfig",
            &self.base_url,
            &self.model,
            &self.api_key,
        )
        .field("timeout", &self.timeout)
        .field("batch", &self.batch)
        .finish()
    }
}

/// Why texts could not be embedded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    /// The configuration cannot work: a base URL that is not `http(s)`, an empty model name,
    /// a batch of 0, or an HTTP client that cannot be built.
    #[error("embeddings are not configured right: {0}")]
    Config(String),
    /// The endpoint could not be reached, or its answer broke off or took too long.
    #[error("embeddings transport failed: {0}")]
    Transport(String),
    /// The endpoint answered with a status other than success.
    #[error("the embeddings endpoint answered {status}: {body}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The start of the answer's body (its first 200 characters).
        body: String,
    },
    /// The endpoint answered with success but not as expected (not the expected JSON, a
    /// vector missing or repeated, numbers that are not finite, an empty or zero vector,
    /// vectors of different dimensions, a body over 64 MiB).
    #[error("the embeddings endpoint's answer is not valid: {0}")]
    Invalid(String),
}

impl EmbedError {
    /// Whether the same request may succeed later: transport failures, and statuses 408, 429
    /// and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Status { status, .. } => matches!(status, 408 | 429 | 500..=599),
            Self::Config(_) | Self::Invalid(_) => false,
        }
    }
}

/// Vectors of texts, one per text, each L2-normalized to unit length (so a dot product is the
/// cosine).
#[derive(Debug, Clone)]
pub struct Embedder {
    config: EmbeddingsConfig,
    http: reqwest::Client,
}

/// The largest answer body read; a larger one is [`EmbedError::Invalid`].
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// How much of an error answer's body is read, for [`EmbedError::Status`].
const ERROR_BODY_BYTES: usize = 1024;
/// How many characters of an error answer's body are kept.
const ERROR_BODY_CHARS: usize = 200;

impl Embedder {
    /// An embedder for `config`. Fails ([`EmbedError::Config`]) when the base URL is not an
    /// `http(s)` URL, the model name is empty, the batch size is 0, or the HTTP client cannot
    /// be built.
    pub fn new(config: EmbeddingsConfig) -> Result<Self, EmbedError> {
        if config.batch == 0 {
            return Err(EmbedError::Config(
                "the embeddings batch size must be at least 1".to_owned(),
            ));
        }
        let http = http_client(
            "embeddings",
            &config.base_url,
            &config.model,
            config.timeout,
        )
        .map_err(EmbedError::Config)?;
        Ok(Self { config, http })
    }

    /// The vectors of `texts`, in order. Sends at most `config.batch` texts per request
    /// (several requests for more). Empty input is `Ok(vec![])` without a request. All the
    /// vectors have the same dimension; when one request fails, the whole call fails.
    pub async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut vectors: Vec<Vec<f32>> = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(self.config.batch) {
            let batch = self.embed_batch(chunk).await?;
            if let (Some(first), Some(next)) = (vectors.first(), batch.first()) {
                check_dimension(first, next, vectors.len())?;
            }
            vectors.extend(batch);
        }
        Ok(vectors)
    }

    /// The model name (for the store to record which model made a vector).
    pub fn model(&self) -> &str {
        &self.config.model
    }

    /// One request: the normalized vectors of `texts`, in order.
    async fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let body = json!({
            "model": self.config.model,
            "input": texts,
            "encoding_format": "float",
        });
        let mut request = self.http.post(self.config.endpoint()).json(&body);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = request.send().await.map_err(|e| {
            EmbedError::Transport(format!(
                "could not reach the embeddings endpoint {}: {}",
                self.config.endpoint(),
                without_url(&e)
            ))
        })?;
        let status = response.status();
        if !status.is_success() {
            let (start, _) = read_body(response, ERROR_BODY_BYTES)
                .await
                .map_err(broke_off)?;
            return Err(EmbedError::Status {
                status: status.as_u16(),
                body: String::from_utf8_lossy(&start)
                    .chars()
                    .take(ERROR_BODY_CHARS)
                    .collect(),
            });
        }
        let too_large = || {
            EmbedError::Invalid(format!(
                "the answer is larger than {} MiB",
                MAX_BODY_BYTES >> 20
            ))
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY_BYTES as u64)
        {
            return Err(too_large());
        }
        let (bytes, more) = read_body(response, MAX_BODY_BYTES)
            .await
            .map_err(broke_off)?;
        if more {
            return Err(too_large());
        }
        vectors_of(&bytes, texts.len())
    }
}

/// A failure while reading an answer's body.
fn broke_off(e: reqwest::Error) -> EmbedError {
    EmbedError::Transport(format!(
        "the embeddings endpoint's answer broke off: {}",
        without_url(&e)
    ))
}

/// Up to `limit` bytes of `response`'s body, and whether it had more.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

#[derive(Deserialize)]
struct Answer {
    data: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    index: usize,
    embedding: Vec<f64>,
}

/// The normalized vectors of an answer to a request for `count` texts, in index order.
fn vectors_of(body: &[u8], count: usize) -> Result<Vec<Vec<f32>>, EmbedError> {
    let invalid = EmbedError::Invalid;
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|e| invalid(format!("not the expected JSON ({e})")))?;
    if answer.data.len() != count {
        return Err(invalid(format!(
            "{} vectors for {count} texts",
            answer.data.len()
        )));
    }
    let mut slots: Vec<Option<Vec<f32>>> = vec![None; count];
    for (i, item) in answer.data.into_iter().enumerate() {
        let slot = slots.get_mut(item.index).ok_or_else(|| {
            invalid(format!(
                "data[{i}].index {} is not below {count}",
                item.index
            ))
        })?;
        if slot.is_some() {
            return Err(invalid(format!(
                "data[{i}].index {} is repeated",
                item.index
            )));
        }
        *slot = Some(normalized(item.embedding).map_err(|e| invalid(format!("data[{i}]: {e}")))?);
    }
    // `count` items with distinct indexes below `count` fill every slot.
    let vectors: Vec<Vec<f32>> = slots.into_iter().flatten().collect();
    if let Some(first) = vectors.first() {
        for (i, v) in vectors.iter().enumerate().skip(1) {
            check_dimension(first, v, i)?;
        }
    }
    Ok(vectors)
}

/// An error unless `vector` (the one at `index`) has the dimension of `first`.
fn check_dimension(first: &[f32], vector: &[f32], index: usize) -> Result<(), EmbedError> {
    if vector.len() == first.len() {
        Ok(())
    } else {
        Err(EmbedError::Invalid(format!(
            "vector {index} has {} dimensions, the first {}",
            vector.len(),
            first.len()
        )))
    }
}

/// `embedding` scaled to unit length, as `f32`s; an error when it is empty, all zero, or has a
/// number that is not a finite `f32`.
fn normalized(embedding: Vec<f64>) -> Result<Vec<f32>, String> {
    if embedding.is_empty() {
        return Err("the embedding is empty".to_owned());
    }
    let mut vector = Vec::with_capacity(embedding.len());
    for (j, x) in embedding.into_iter().enumerate() {
        // An `f32` that overflowed is infinite.
        let x = x as f32;
        if !x.is_finite() {
            return Err(format!("embedding[{j}] is not a finite number"));
        }
        vector.push(x);
    }
    // In f64, so the squares of large f32s cannot overflow.
    let norm = vector
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt();
    if norm == 0.0 {
        return Err("the embedding is all zeros".to_owned());
    }
    Ok(vector
        .into_iter()
        .map(|x| (f64::from(x) / norm) as f32)
        .collect())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::post;
    use axum::{Json, Router};
    use serde_json::Value;

    use super::*;

    const KEY: &str = "sk-test-secret-0123456789";

    /// The stand-in's unnormalized vector of `text`: deterministic, and different for the
    /// texts the tests send; a text starting `wide:` has one more dimension.
    fn raw_vector(text: &str) -> Vec<f64> {
        let sum: u32 = text.bytes().map(u32::from).sum();
        let mut v = vec![text.len() as f64 + 1.0, f64::from(sum % 97), 2.0];
        if text.starts_with("wide:") {
            v.push(1.0);
        }
        v
    }

    fn unit(v: &[f64]) -> Vec<f32> {
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        v.iter().map(|x| (x / norm) as f32).collect()
    }

    /// What the stand-in was sent, and a fixed answer to give instead of embedding.
    #[derive(Clone, Default)]
    struct StandIn {
        answer: Arc<Mutex<Option<(u16, String)>>>,
        requests: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    }

    /// Embeds every input with `raw_vector`, answering in reverse order.
    async fn embeddings(
        State(s): State<StandIn>,
        headers: HeaderMap,
        Json(body): Json<Value>,
    ) -> impl IntoResponse {
        s.requests.lock().unwrap().push((headers, body.clone()));
        if let Some((status, answer)) = s.answer.lock().unwrap().clone() {
            return (StatusCode::from_u16(status).unwrap(), answer);
        }
        let inputs = body["input"].as_array().cloned().unwrap_or_default();
        let mut data: Vec<Value> = inputs
            .iter()
            .enumerate()
            .map(|(i, text)| {
                json!({
                    "object": "embedding",
                    "index": i,
                    "embedding": raw_vector(text.as_str().unwrap_or_default()),
                })
            })
            .collect();
        data.reverse();
        let answer = json!({"object": "list", "data": data, "model": body["model"]});
        (StatusCode::OK, answer.to_string())
    }

    async fn hang() -> &'static str {
        tokio::time::sleep(Duration::from_secs(30)).await;
        "{}"
    }

    /// A stand-in endpoint, and a config for it (`/v1/slow` hangs).
    async fn serve() -> (EmbeddingsConfig, StandIn) {
        let stand_in = StandIn::default();
        let app = Router::new()
            .route("/v1/embeddings", post(embeddings))
            .route("/v1/slow/embeddings", post(hang))
            .with_state(stand_in.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut config = EmbeddingsConfig::new(format!("http://{addr}/v1/"), "test-embedder");
        config.timeout = Duration::from_secs(5);
        (config, stand_in)
    }

    fn texts(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    /// The error embedding `words` with `config`.
    async fn embed_error(config: EmbeddingsConfig, words: &[&str]) -> EmbedError {
        Embedder::new(config)
            .unwrap()
            .embed(&texts(words))
            .await
            .unwrap_err()
    }

    /// The error embedding one text when the stand-in answers `status` with `body`.
    async fn error_for(status: u16, body: &str) -> EmbedError {
        let (config, stand_in) = serve().await;
        *stand_in.answer.lock().unwrap() = Some((status, body.to_owned()));
        embed_error(config, &["one"]).await
    }

    /// Asserts that `e` is a retryable transport error whose reason contains `part`.
    fn assert_transport(e: &EmbedError, part: &str) {
        assert!(
            matches!(e, EmbedError::Transport(reason) if reason.contains(part)),
            "{e:?}"
        );
        assert!(e.is_retryable());
    }

    #[tokio::test]
    async fn vectors_come_back_in_order_normalized_with_the_key() {
        let (config, stand_in) = serve().await;
        let embedder = Embedder::new(EmbeddingsConfig {
            api_key: Some(KEY.into()),
            ..config
        })
        .unwrap();
        assert_eq!(embedder.model(), "test-embedder");
        let words = ["tea", "a longer text", "ünïcödé"];
        let vectors = embedder.embed(&texts(&words)).await.unwrap();
        assert_eq!(vectors.len(), 3);
        for (v, word) in vectors.iter().zip(words) {
            assert_eq!(*v, unit(&raw_vector(word)), "{word}");
            let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-6, "{norm}");
        }
        let requests = stand_in.requests.lock().unwrap();
        let (headers, body) = &requests[0];
        assert_eq!(headers["authorization"], format!("Bearer {KEY}"));
        assert_eq!(
            *body,
            json!({"model": "test-embedder", "input": words, "encoding_format": "float"})
        );
    }

    #[tokio::test]
    async fn no_key_no_authorization_and_no_texts_no_request() {
        let (config, stand_in) = serve().await;
        let embedder = Embedder::new(config).unwrap();
        assert_eq!(embedder.embed(&[]).await.unwrap(), Vec::<Vec<f32>>::new());
        assert!(stand_in.requests.lock().unwrap().is_empty());
        embedder.embed(&texts(&["one"])).await.unwrap();
        let requests = stand_in.requests.lock().unwrap();
        assert!(!requests[0].0.contains_key("authorization"));
    }

    #[tokio::test]
    async fn more_texts_than_a_batch_take_several_requests() {
        let (mut config, stand_in) = serve().await;
        config.batch = 2;
        let words = ["a", "bb", "ccc", "dddd", "eeeee"];
        let vectors = Embedder::new(config)
            .unwrap()
            .embed(&texts(&words))
            .await
            .unwrap();
        let expected: Vec<Vec<f32>> = words.iter().map(|w| unit(&raw_vector(w))).collect();
        assert_eq!(vectors, expected);
        let sent: Vec<Value> = stand_in
            .requests
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| body["input"].clone())
            .collect();
        assert_eq!(
            sent,
            [json!(["a", "bb"]), json!(["ccc", "dddd"]), json!(["eeeee"])]
        );
    }

    #[tokio::test]
    async fn server_errors_are_retryable_and_client_errors_are_not() {
        let long = "é".repeat(300);
        match error_for(500, &long).await {
            e @ EmbedError::Status { status: 500, .. } => {
                assert!(e.is_retryable());
                let EmbedError::Status { body, .. } = e else {
                    unreachable!()
                };
                assert_eq!(body, "é".repeat(200));
            }
            other => panic!("{other:?}"),
        }
        let e = error_for(400, "{\"error\": \"bad model\"}").await;
        assert_eq!(
            e,
            EmbedError::Status {
                status: 400,
                body: "{\"error\": \"bad model\"}".to_owned()
            }
        );
        assert!(!e.is_retryable());
        assert!(error_for(429, "slow down").await.is_retryable());
    }

    #[tokio::test]
    async fn answers_not_as_expected_are_invalid() {
        let answers = [
            // Wrong count.
            json!({"data": []}).to_string(),
            // An index out of range, and one repeated.
            json!({"data": [{"index": 1, "embedding": [1.0]}]}).to_string(),
            json!({"data": [{"index": 0, "embedding": [1.0]}, {"index": 0, "embedding": [1.0]}]})
                .to_string(),
            // A missing index.
            json!({"data": [{"embedding": [1.0]}]}).to_string(),
            // Not finite: NaN is not JSON, 1e39 overflows an f32.
            r#"{"data": [{"index": 0, "embedding": [NaN]}]}"#.to_owned(),
            json!({"data": [{"index": 0, "embedding": [1e39, 0.0]}]}).to_string(),
            // Zero and empty vectors.
            json!({"data": [{"index": 0, "embedding": [0.0, 0.0]}]}).to_string(),
            json!({"data": [{"index": 0, "embedding": []}]}).to_string(),
            // Not JSON, or not the expected JSON.
            "<html>gateway</html>".to_owned(),
            json!({"data": [{"index": 0, "embedding": "AAAAAA=="}]}).to_string(),
            json!([1, 2, 3]).to_string(),
        ];
        for answer in answers {
            let e = error_for(200, &answer).await;
            assert!(matches!(e, EmbedError::Invalid(_)), "{answer}: {e:?}");
            assert!(!e.is_retryable());
        }
    }

    #[tokio::test]
    async fn differing_dimensions_are_invalid() {
        let answer = json!({"data": [
            {"index": 1, "embedding": [1.0, 2.0]},
            {"index": 0, "embedding": [1.0, 2.0, 3.0]},
        ]});
        assert!(matches!(
            vectors_of(answer.to_string().as_bytes(), 2),
            Err(EmbedError::Invalid(reason)) if reason.contains("dimensions")
        ));
        // Also across the requests of one call.
        let (mut config, _) = serve().await;
        config.batch = 1;
        let e = embed_error(config, &["narrow", "wide: one more dimension"]).await;
        assert!(
            matches!(&e, EmbedError::Invalid(reason) if reason.contains("dimensions")),
            "{e:?}"
        );
    }

    #[tokio::test]
    async fn answers_over_64_mib_are_refused() {
        let huge = " ".repeat(MAX_BODY_BYTES + 1);
        assert!(matches!(
            error_for(200, &huge).await,
            EmbedError::Invalid(reason) if reason.contains("64 MiB")
        ));
    }

    #[tokio::test]
    async fn a_body_is_read_up_to_its_limit() {
        let (config, stand_in) = serve().await;
        *stand_in.answer.lock().unwrap() = Some((200, "0123456789".to_owned()));
        let response = reqwest::Client::new()
            .post(config.endpoint())
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let (start, more) = read_body(response, 4).await.unwrap();
        assert_eq!((start.as_slice(), more), (&b"0123"[..], true));
    }

    #[tokio::test]
    async fn a_hanging_endpoint_times_out_as_a_retryable_transport_error() {
        let (mut config, _) = serve().await;
        config.base_url.push_str("slow");
        config.timeout = Duration::from_millis(200);
        assert_transport(&embed_error(config, &["one"]).await, "timed out");
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_is_a_transport_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let config = EmbeddingsConfig::new(format!("http://{addr}/v1"), "m");
        assert_transport(&embed_error(config, &["one"]).await, "could not reach");
    }

    #[test]
    fn debug_hides_the_key() {
        let config = EmbeddingsConfig {
            api_key: Some(KEY.into()),
            ..EmbeddingsConfig::new("https://api.example.com/v1", "m")
        };
        assert!(!format!("{config:?}").contains("sk-test-secret"));
        let embedder = Embedder::new(config).unwrap();
        assert!(!format!("{embedder:?}").contains("sk-test-secret"));
    }

    #[test]
    fn unworkable_configurations_are_refused() {
        for config in [
            EmbeddingsConfig::new("localhost:11434", "m"),
            EmbeddingsConfig::new("http://localhost:11434/v1", " "),
            EmbeddingsConfig {
                batch: 0,
                ..EmbeddingsConfig::new("http://localhost:11434/v1", "m")
            },
        ] {
            assert!(matches!(Embedder::new(config), Err(EmbedError::Config(_))));
        }
    }
}
