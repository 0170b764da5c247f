//! Turning a trait call's result into a response, with the rate-limit headers.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use omi_api::ApiError;
use serde::Serialize;

use super::error::HttpError;
use crate::ratelimit::QuotaState;

/// `200` with `body` as JSON, or the error; either way with `X-RateLimit-*` headers when the
/// call's policy is limited.
pub fn respond<T: Serialize>(result: Result<T, ApiError>, quota: Option<QuotaState>) -> Response {
    let mut response = match result {
        Ok(body) => axum::Json(body).into_response(),
        Err(e) => HttpError(e).into_response(),
    };
    if let Some(q) = quota {
        rate_limit_headers(response.headers_mut(), q);
    }
    response
}

fn rate_limit_headers(headers: &mut HeaderMap, q: QuotaState) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(q.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(q.remaining));
    headers.insert("x-ratelimit-reset", HeaderValue::from(q.reset_secs));
}
