//! The one place an [`ApiError`] becomes an HTTP response.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use omi_api::ApiError;

/// An [`ApiError`] as an axum response: its status, `{"detail": ...}`, and `Retry-After`.
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self.0.body())).into_response();
        if let Some(seconds) = self.0.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// FastAPI's answer to an unknown route.
pub async fn not_found() -> HttpError {
    HttpError(ApiError::not_found("Not Found"))
}

/// FastAPI's answer to a known route called with the wrong method.
pub async fn method_not_allowed() -> HttpError {
    HttpError(ApiError::message(405, "Method Not Allowed"))
}
