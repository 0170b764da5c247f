//! `GET /openapi.json`, the OpenAPI document, and `GET /docs/`, the interactive reference page
//! over it. The page's assets are compiled into the binary (utoipa-swagger-ui's `vendored`
//! feature), so it works with no internet.

use std::sync::LazyLock;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::AppState;
use crate::http::openapi::{self, OPERATIONS_TAG};

/// Where the reference page is served (`/docs` redirects to `/docs/`).
pub const DOCS_PATH: &str = "/docs";

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// The route of the document, with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// The reference page's routes: [`DOCS_PATH`] and below, reading the document from
/// [`OPENAPI_PATH`].
pub fn reference_page<S: Clone + Send + Sync + 'static>() -> Router<S> {
    SwaggerUi::new(DOCS_PATH)
        .config(Config::from(OPENAPI_PATH))
        .into()
}

/// The OpenAPI document
///
/// This API as OpenAPI 3.1, the same document as `docs/openapi.json`.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = OPERATIONS_TAG,
    responses((status = 200, description = "The OpenAPI 3.1 document", body = serde_json::Value)),
)]
async fn openapi_json() -> Response {
    static DOCUMENT: LazyLock<String> = LazyLock::new(|| openapi::to_json(&openapi::openapi()));
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
        .into_response()
}
