//! `Idempotency-Key` on the wire: the header is read and the request fingerprinted here;
//! what a key means (a create applied once, its answer remembered in the create's own
//! transaction) is [`crate::service::idempotency`].
//!
//! The key is scoped to its caller (the SHA-256 of the `Authorization` header) and bound to
//! the request (method, path, query and body): for 24 hours the same key with the same
//! request gets the first answer again, marked `Idempotent-Replayed: true`; the same key with
//! a different request is a 422. Nothing is written for a key before the caller's key,
//! scope, rate limit and input have passed their checks.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use omi_api::ApiError;
use sha2::{Digest, Sha256};

use super::AppState;
use crate::service::idempotency::IdempotentRequest;
use crate::store::IdempotencyKey;

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The response header marking a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";
/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 255;

/// The middleware: POSTs with an `Idempotency-Key` run as an [`IdempotentRequest`]; others
/// pass, and so does an import (idempotent by its records' ids, its body streamed).
///
/// A key that is not 1 to [`MAX_KEY_CHARS`] visible characters (400) or a body over the limit
/// (413) is not answered here: the request goes on without its body and with the refusal as a
/// [`Refused`] extension, which the caller extractors answer after the credentials were
/// checked, so a call without a key is a 401 whatever its headers and body.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST
        || !request.headers().contains_key(HEADER)
        || request.uri().path() == super::import::PATH
    {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    match read(&state, &parts, body).await {
        Ok((idempotent, body)) => {
            let request = Request::from_parts(parts, Body::from(body));
            let mut response = idempotent.scope(next.run(request)).await;
            if idempotent.replayed() {
                response
                    .headers_mut()
                    .insert(REPLAYED, HeaderValue::from_static("true"));
            }
            response
        }
        Err(refusal) => {
            parts.extensions.insert(Refused(refusal));
            next.run(Request::from_parts(parts, Body::empty())).await
        }
    }
}

/// A request's `Idempotency-Key` or body that cannot be used: the error to answer once the
/// caller's credentials have passed.
#[derive(Debug, Clone)]
pub struct Refused(pub ApiError);

/// The key and fingerprint of a request, and its body.
async fn read(
    state: &AppState,
    parts: &axum::http::request::Parts,
    body: Body,
) -> Result<(std::sync::Arc<IdempotentRequest>, axum::body::Bytes), ApiError> {
    let key = key_text(&parts.headers)?;
    let body = to_bytes(body, state.body_limit)
        .await
        .map_err(|_| ApiError::message(413, BODY_TOO_LARGE))?;
    let idempotent = IdempotentRequest::new(IdempotencyKey {
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
    });
    Ok((idempotent, body))
}

/// The 413 detail.
pub const BODY_TOO_LARGE: &str = "Request body is too large";

/// The 400 detail of an `Idempotency-Key` that is empty or too long.
pub fn invalid_key_message() -> String {
    format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters")
}

fn key_text(headers: &axum::http::HeaderMap) -> Result<String, ApiError> {
    let text = headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if text.is_empty() || text.chars().count() > MAX_KEY_CHARS {
        return Err(ApiError::bad_request(invalid_key_message()));
    }
    Ok(text.to_owned())
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
        service: crate::service::Service,
        url: String,
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
            router: app(service.clone(), &HttpConfig::default()),
            service,
            url,
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

    /// Whether anything is remembered under `idem` for the caller sending `authorization`.
    async fn remembered(f: &Fixture, authorization: &str, idem: &str) -> bool {
        let key = IdempotencyKey {
            caller: sha256_hex(&[authorization.as_bytes()]),
            key: idem.to_owned(),
            fingerprint: String::new(),
        };
        let epoch = chrono::DateTime::UNIX_EPOCH;
        let earlier = f.service.store().earlier_answer(&key, epoch).await;
        earlier.unwrap().is_some()
    }

    #[tokio::test]
    async fn a_caller_refused_by_its_key_or_scope_leaves_no_record() {
        let f = fixture().await;
        let unknown = format!("omi_dev_{}", "0".repeat(32));
        assert_eq!(post(&f, &unknown, "k-4", "User likes tea").await.0, 401);
        assert!(!remembered(&f, &format!("Bearer {unknown}"), "k-4").await);
        let admin = Admin::new(f.service.clone());
        let uid = admin.create_user(None).await.unwrap();
        let reader = admin
            .create_dev_key(&uid, &[omi_model::DevScope::MemoriesRead])
            .await
            .unwrap();
        assert_eq!(post(&f, &reader.key, "k-4", "User likes tea").await.0, 403);
        assert!(!remembered(&f, &format!("Bearer {}", reader.key), "k-4").await);
        assert!(!remembered(&f, &format!("Bearer {}", f.dev_key), "k-4").await);
        post(&f, &f.dev_key, "k-4", "User likes tea").await;
        assert!(remembered(&f, &format!("Bearer {}", f.dev_key), "k-4").await);
    }

    #[tokio::test]
    async fn a_pending_record_left_by_an_older_version_does_not_hold_the_key() {
        let f = fixture().await;
        let pool = sqlx::SqlitePool::connect(&f.url).await.unwrap();
        let caller = sha256_hex(&[format!("Bearer {}", f.dev_key).as_bytes()]);
        sqlx::query(
            "INSERT INTO idempotency_keys (caller, key, fingerprint, state, created_at) \
             VALUES ($1, 'k-5', 'old', 'pending', $2)",
        )
        .bind(caller)
        .bind(crate::store::to_micros(f.service.now()))
        .execute(&pool)
        .await
        .unwrap();
        let first = post(&f, &f.dev_key, "k-5", "User likes tea").await;
        assert_eq!((first.0, first.1), (200, false), "{}", first.2);
        let again = post(&f, &f.dev_key, "k-5", "User likes tea").await;
        assert_eq!((again.0, again.1, again.2), (200, true, first.2));
    }

    #[tokio::test]
    async fn an_empty_key_is_a_bad_request() {
        let f = fixture().await;
        assert_eq!(post(&f, &f.dev_key, " ", "x").await.0, 400);
    }

    #[tokio::test]
    async fn an_unusable_key_is_refused_only_after_the_credentials() {
        let f = fixture().await;
        let unknown = format!("omi_dev_{}", "0".repeat(32));
        let too_long = "k".repeat(MAX_KEY_CHARS + 1);
        for idem in [" ", too_long.as_str()] {
            let refused = post(&f, &unknown, idem, "User likes tea").await;
            assert_eq!(refused.0, 401, "{}", refused.2);
            let bad = post(&f, &f.dev_key, idem, "User likes tea").await;
            assert_eq!(bad.0, 400, "{}", bad.2);
            assert!(bad.2.contains(&invalid_key_message()), "{}", bad.2);
        }
    }
}
