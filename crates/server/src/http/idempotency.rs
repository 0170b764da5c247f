//! `Idempotency-Key`: a retried POST is applied once.
//!
//! The first POST with a key runs and, when it succeeds, its answer is stored under the key in
//! the caller's scope (the SHA-256 of its `Authorization` header). For 24 hours the same key
//! with the same request (method, path, query and body) gets that stored answer again, with
//! `Idempotent-Replayed: true`; the same key with a different request is a 422; a duplicate
//! arriving while the first still runs is a 409 with `Retry-After: 1`. Failed answers are not
//! stored, so a retry after a 5xx or 429 runs again.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use omi_api::ApiError;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::HttpError;
use crate::service::store_error;
use crate::store::{IdempotencyBegin, IdempotencyKey};

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The response header marking a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";
/// How long a key is remembered.
pub const RETENTION: Duration = Duration::hours(24);
/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 255;

/// The middleware: POSTs with an `Idempotency-Key` go through the record; others pass.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.headers().contains_key(HEADER) {
        return next.run(request).await;
    }
    match run(&state, request, next).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn run(state: &AppState, request: Request, next: Next) -> Result<Response, HttpError> {
    let (parts, body) = request.into_parts();
    let key = key_text(&parts.headers)?;
    let body = to_bytes(body, state.body_limit)
        .await
        .map_err(|_| ApiError::message(413, "Request body is too large"))?;
    let key = IdempotencyKey {
        caller: sha256_hex(&[parts
            .headers
            .get(header::AUTHORIZATION)
            .map_or(&[][..], HeaderValue::as_bytes)]),
        fingerprint: sha256_hex(&[
            parts.method.as_str().as_bytes(),
            parts.uri.to_string().as_bytes(),
            &body,
        ]),
        key,
    };
    let service = &state.service;
    let now = service.now();
    let begun = service
        .store()
        .begin_idempotent(&key, now, now - RETENTION)
        .await
        .map_err(store_error)?;
    match begun {
        IdempotencyBegin::New => {}
        IdempotencyBegin::Replay { status, body } => return Ok(replay(status, body)),
        IdempotencyBegin::InProgress => {
            return Err(HttpError(
                ApiError::message(
                    409,
                    "A request with this Idempotency-Key is still being processed; retry shortly",
                )
                .with_retry_after(Some(1)),
            ));
        }
        IdempotencyBegin::Mismatch => {
            return Err(HttpError(ApiError::message(
                422,
                "This Idempotency-Key was already used with a different request",
            )));
        }
    }
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    record(state, &key, response).await
}

/// Store a successful answer; forget the key otherwise so a retry runs again.
async fn record(
    state: &AppState,
    key: &IdempotencyKey,
    response: Response,
) -> Result<Response, HttpError> {
    let store = state.service.store();
    if !response.status().is_success() {
        if let Err(e) = store.abandon_idempotent(key).await {
            tracing::warn!(error = %e, "could not release an idempotency key");
        }
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX)
        .await
        .map_err(|_| ApiError::internal())?;
    store
        .finish_idempotent(key, parts.status.as_u16(), &bytes)
        .await
        .map_err(store_error)?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

fn key_text(headers: &axum::http::HeaderMap) -> Result<String, HttpError> {
    let text = headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if text.is_empty() || text.chars().count() > MAX_KEY_CHARS {
        return Err(HttpError(ApiError::bad_request(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters"
        ))));
    }
    Ok(text.to_owned())
}

fn replay(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;
    use crate::admin::Admin;
    use crate::http::{HttpConfig, app};
    use crate::server::{ServerConfig, open_store, service};

    struct Fixture {
        router: axum::Router,
        dev_key: String,
        other_key: String,
        _dir: tempfile::TempDir,
    }

    async fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let store = open_store(&url).await.unwrap();
        let service = service(Arc::clone(&store), &ServerConfig::default())
            .await
            .unwrap();
        let admin = Admin::new(service.clone());
        let demo = admin.bootstrap_demo("http://test").await.unwrap().unwrap();
        let other = admin
            .create_dev_key(&demo.uid, omi_model::DevScope::ALL)
            .await
            .unwrap();
        Fixture {
            router: app(service, &HttpConfig::default()),
            dev_key: demo.dev_key,
            other_key: other.key,
            _dir: dir,
        }
    }

    async fn post(f: &Fixture, key: &str, idem: &str, content: &str) -> (u16, bool, String) {
        let request = Request::post("/v1/dev/user/memories")
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .header(HEADER, idem)
            .body(Body::from(format!(r#"{{"content": "{content}"}}"#)))
            .unwrap();
        let response = f.router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let replayed = response.headers().contains_key(REPLAYED);
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, replayed, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_retried_post_gets_the_first_answer() {
        let f = fixture().await;
        let first = post(&f, &f.dev_key, "k-1", "User likes tea").await;
        let again = post(&f, &f.dev_key, "k-1", "User likes tea").await;
        assert_eq!((first.0, first.1), (200, false));
        assert_eq!((again.0, again.1), (200, true));
        assert_eq!(first.2, again.2);
    }

    #[tokio::test]
    async fn the_same_key_with_another_body_is_refused() {
        let f = fixture().await;
        post(&f, &f.dev_key, "k-2", "User likes tea").await;
        let other = post(&f, &f.dev_key, "k-2", "User likes coffee").await;
        assert_eq!(other.0, 422);
        assert!(other.2.contains("already used with a different request"));
    }

    #[tokio::test]
    async fn keys_belong_to_their_caller() {
        let f = fixture().await;
        post(&f, &f.dev_key, "shared", "User likes tea").await;
        let other = post(&f, &f.other_key, "shared", "User likes jazz").await;
        assert_eq!((other.0, other.1), (200, false));
    }

    #[tokio::test]
    async fn failed_answers_are_not_kept() {
        let f = fixture().await;
        let bad = post(&f, &f.dev_key, "k-3", "").await;
        assert_eq!(bad.0, 422);
        let fixed_retry = post(&f, &f.dev_key, "k-3", "").await;
        assert_eq!((fixed_retry.0, fixed_retry.1), (422, false));
    }

    #[tokio::test]
    async fn an_empty_key_is_a_bad_request() {
        let f = fixture().await;
        assert_eq!(post(&f, &f.dev_key, " ", "x").await.0, 400);
    }
}
