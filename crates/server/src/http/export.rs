//! `GET /v1/dev/user/export`: the key owner's records as newline-delimited JSON.

use axum::body::{Body, Bytes};
use axum::response::Response;
use futures::StreamExt;
use omi_model::ExportLine;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::callers::Developer;
use crate::http::openapi::DEVELOPER_TAG;
use crate::service::dev_access;

/// The media type of an export.
pub const NDJSON: &str = "application/x-ndjson";

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export))
}

/// Export the user's records
///
/// Every record of the key owner, streamed as newline-delimited JSON in format `omi-export`
/// version 1 (docs/export.md): a `header` line, then one line per record (`memory`; and
/// `conversation` with its transcript, `action_item` and `goal` when the key has their read
/// scopes), each kind oldest first, and an `end` line with the counts. A stream without its
/// `end` line was cut short by a failure. Needs `memories:read`. Not in OMI's cloud.
#[utoipa::path(
    get,
    path = "/v1/dev/user/export",
    operation_id = "export_user_data",
    tag = DEVELOPER_TAG,
    responses((status = 200, description = "One export line per line", body = ExportLine, content_type = "application/x-ndjson")),
    security(("developer_key" = ["memories:read"])),
)]
async fn export(dev: Developer<dev_access::MemoriesRead>) -> Response {
    let lines = dev.api.clone().export().map(|line| match line {
        Ok(line) => serde_json::to_vec(&line)
            .map(|mut json| {
                json.push(b'\n');
                Bytes::from(json)
            })
            .map_err(|e| {
                tracing::error!(error = %e, "an export line did not serialize");
                std::io::Error::other("an export line did not serialize")
            }),
        Err(e) => {
            tracing::error!(error = %e, "an export stopped early");
            Err(std::io::Error::other("the export stopped early"))
        }
    });
    dev.stream(NDJSON, Body::from_stream(lines))
}
