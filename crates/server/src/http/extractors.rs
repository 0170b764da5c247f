//! Request extractors that answer in OMI's error shape instead of axum's plain text.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use omi_api::{ApiError, ErrorDetail};
use omi_model::query::QueryParams;
use omi_model::validation::{kind, msg};
use omi_model::{ApiKey, Loc, ValidationError, ValidationErrors};
use serde::de::DeserializeOwned;

use super::error::HttpError;

/// A JSON body decoded with `omi_model::decode`: malformed JSON, a wrong content type and
/// wrongly typed fields are 422s in FastAPI's shape; an over-limit body is a 413.
///
/// Decoding problems are always a list of `{loc, msg, type}` items, even a lone one about the
/// body as a whole (a JSON array, a text body): FastAPI reports those as a list too. Only the
/// API's own body rules (`ApiError::validation`) turn a lone body problem into a message.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_like = is_json(req.headers());
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::message(413, super::idempotency::BODY_TOO_LARGE)
            } else {
                ApiError::bad_request(format!("{UNREADABLE_BODY}: {rejection}"))
            }
        })?;
        if !json_like {
            return Err(decoding_failed(ValidationErrors::single(
                ValidationError::new(
                    Loc::body(),
                    kind::MODEL_ATTRIBUTES_TYPE,
                    "Input should be a valid dictionary or object to extract fields from: send a JSON body with Content-Type: application/json",
                ),
            )));
        }
        omi_model::decode::from_json_slice(&bytes)
            .map(ApiJson)
            .map_err(decoding_failed)
    }
}

/// A body that did not decode: 422 with the problems as a list, as FastAPI answers.
fn decoding_failed(errors: ValidationErrors) -> HttpError {
    HttpError(ApiError::new(
        422,
        ErrorDetail::Validation(errors.bounded().0),
    ))
}

/// The start of the 400 detail for a body that could not be read (the client stopped sending
/// it, or took longer than the body-read timeout); the cause follows.
pub const UNREADABLE_BODY: &str = "Could not read the request body";

/// A body is read as JSON when its content type says JSON, says nothing, or is the form type
/// that `curl -d` sends by default (so a forgotten `-H 'Content-Type: application/json'` still
/// works); any other type is refused.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(text) = value.to_str() else {
        return false;
    };
    let mime = text
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime == "application/json"
        || mime == "application/x-www-form-urlencoded"
        || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// The key of an `Authorization: Bearer <key>` header, if the header has that form.
#[derive(Debug)]
pub struct Bearer(pub Option<ApiKey>);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, rest) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|k| !k.is_empty())
            .map(ApiKey::new);
        Ok(Self(key))
    }
}

/// The raw query string and the required `uid` parameter of the integration routes.
///
/// Nothing is rejected here: a missing `uid` is reported by [`UidQuery::uid`] and answered
/// after the key was checked (by the `App` caller extractor), as OMI's cloud answers it.
#[derive(Debug)]
pub struct UidQuery {
    /// The user id, when given.
    pub uid: Option<String>,
    /// The whole query string, for the route's own parameters.
    pub raw: String,
}

impl UidQuery {
    /// The user id, or the 422 `Field required` at `query.uid`.
    pub fn uid(&self) -> Result<&str, ApiError> {
        self.uid.as_deref().ok_or_else(|| {
            ApiError::validation(ValidationErrors::single(ValidationError::new(
                Loc::query("uid"),
                kind::MISSING,
                msg::FIELD_REQUIRED,
            )))
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for UidQuery {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default().to_owned();
        let uid = QueryParams::parse(&raw).last("uid").map(str::to_owned);
        Ok(Self { uid, raw })
    }
}

/// The raw query string (empty when absent).
#[derive(Debug)]
pub struct RawQueryString(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RawQueryString {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.uri.query().unwrap_or_default().to_owned()))
    }
}
