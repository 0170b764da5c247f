//! Turning a call's result into a response, and the rate-limit headers of every response.
//!
//! A handler (or a caller extractor that refuses) puts the [`QuotaState`] its check left in
//! the response's extensions; [`rate_limit_headers`], one layer over the resource routes,
//! writes it as the `X-RateLimit-*` headers.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use omi_api::ApiError;
use serde::Serialize;

use super::error::HttpError;
use crate::ratelimit::QuotaState;

/// `200` with `body` as JSON, or the error; with `quota` in the response's extensions when
/// the call's policy is limited.
pub fn respond<T: Serialize>(result: Result<T, ApiError>, quota: Option<QuotaState>) -> Response {
    let mut response = match result {
        Ok(body) => axum::Json(body).into_response(),
        Err(e) => HttpError(e).into_response(),
    };
    if let Some(q) = quota {
        response.extensions_mut().insert(q);
    }
    response
}

/// `response` with the `X-RateLimit-*` headers of the quota in its extensions, if any.
pub async fn rate_limit_headers(mut response: Response) -> Response {
    if let Some(q) = response.extensions().get::<QuotaState>().copied() {
        write_headers(response.headers_mut(), q);
    }
    response
}

fn write_headers(headers: &mut HeaderMap, q: QuotaState) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(q.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(q.remaining));
    headers.insert("x-ratelimit-reset", HeaderValue::from(q.reset_secs));
}
