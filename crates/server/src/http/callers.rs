//! Extractors that yield an authorized caller: the request's credentials checked for the
//! route's access ([`DevAccess`], [`AppAccess`]) before anything else of the request is read,
//! its JSON body included, as OMI's cloud runs its key dependencies first. A refused call is
//! answered by the extractor (401, 403, 404, 422 for the `uid`, 429, then the 400 or 413 the
//! idempotency layer left for after the checks), with the rate-limit quota the check left; a
//! handler holds a caller that passed, so it is one call and [`Developer::answer`] /
//! [`App::answer`].

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use omi_api::ApiError;
use omi_model::FromQueryStr;
use serde::Serialize;

use super::AppState;
use super::extractors::{Bearer, UidQuery};
use super::idempotency::Refused;
use super::respond::respond;
use crate::ratelimit::QuotaState;
use crate::service::{AppAccess, AuthorizedDeveloper, AuthorizedIntegration, Checked, DevAccess};

/// A Developer API call whose key passed the checks of access `A`.
#[derive(Debug)]
pub struct Developer<A> {
    /// The key's user, authorized for `A`.
    pub api: AuthorizedDeveloper,
    quota: Option<QuotaState>,
    access: PhantomData<fn() -> A>,
}

impl<A: DevAccess> FromRequestParts<AppState> for Developer<A> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(Bearer(key)) = Bearer::from_request_parts(parts, state).await;
        let Checked { caller, quota } = state.service.developer(key).authorize::<A>().await;
        let api = caller.map_err(|refused| respond::<()>(Err(refused), quota))?;
        if let Some(refusal) = unusable_request(parts, quota) {
            return Err(refusal);
        }
        Ok(Self {
            api,
            quota,
            access: PhantomData,
        })
    }
}

impl<A> Developer<A> {
    /// The response to the call's `result`, with the quota of its check.
    pub fn answer<T: Serialize>(&self, result: Result<T, ApiError>) -> Response {
        respond(result, self.quota)
    }

    /// A `200` response whose body is `body`, of type `content_type`, with the quota of the
    /// call's check (for routes that stream their answer).
    pub fn stream(&self, content_type: &'static str, body: axum::body::Body) -> Response {
        let mut response =
            ([(axum::http::header::CONTENT_TYPE, content_type)], body).into_response();
        if let Some(q) = self.quota {
            response.extensions_mut().insert(q);
        }
        response
    }

    /// The response to `call` with the route's parameters read from the query string `raw`;
    /// parameters that do not read are answered as the refusal they are.
    pub async fn answer_query<Q, T, F>(&self, raw: &str, call: impl FnOnce(Q) -> F) -> Response
    where
        Q: FromQueryStr,
        T: Serialize,
        F: Future<Output = Result<T, ApiError>>,
    {
        self.answer(with_query(raw, call).await)
    }
}

/// An Integration Imports call whose app key passed the checks of access `A` for the
/// `uid` of its query string.
#[derive(Debug)]
pub struct App<A> {
    /// The app, authorized for `A` and the user.
    pub api: AuthorizedIntegration,
    /// The whole query string, for the route's own parameters (read after the checks).
    pub query: String,
    quota: Option<QuotaState>,
    access: PhantomData<fn() -> A>,
}

impl<A: AppAccess> FromRequestParts<AppState> for App<A> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Path(app_id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Ok(Bearer(key)) = Bearer::from_request_parts(parts, state).await;
        let Ok(query) = UidQuery::from_request_parts(parts, state).await;
        let handle = state.service.integration(app_id, key);
        let Checked { caller, quota } = handle.authorize::<A>(query.uid()).await;
        let api = caller.map_err(|refused| respond::<()>(Err(refused), quota))?;
        if let Some(refusal) = unusable_request(parts, quota) {
            return Err(refusal);
        }
        Ok(Self {
            api,
            query: query.raw,
            quota,
            access: PhantomData,
        })
    }
}

/// The refusal the idempotency layer left for after the credentials (an `Idempotency-Key`
/// that is not 1 to 255 visible characters, a body over the limit), answered now.
fn unusable_request(parts: &mut Parts, quota: Option<QuotaState>) -> Option<Response> {
    let Refused(error) = parts.extensions.remove::<Refused>()?;
    Some(respond::<()>(Err(error), quota))
}

impl<A> App<A> {
    /// The response to the call's `result`, with the quota of its check.
    pub fn answer<T: Serialize>(&self, result: Result<T, ApiError>) -> Response {
        respond(result, self.quota)
    }

    /// The response to `call` with the route's parameters read from the request's query
    /// string; parameters that do not read are answered as the refusal they are.
    pub async fn answer_query<Q, T, F>(&self, call: impl FnOnce(Q) -> F) -> Response
    where
        Q: FromQueryStr,
        T: Serialize,
        F: Future<Output = Result<T, ApiError>>,
    {
        self.answer(with_query(&self.query, call).await)
    }
}

/// `call`'s result with parameters `Q` read from `raw`, or why they do not read.
async fn with_query<Q, T, F>(raw: &str, call: impl FnOnce(Q) -> F) -> Result<T, ApiError>
where
    Q: FromQueryStr,
    F: Future<Output = Result<T, ApiError>>,
{
    call(Q::from_query_str(raw)?).await
}
