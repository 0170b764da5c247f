//! `POST /v1/dev/user/import`: records in the export's format stored for the key's owner,
//! the body read as it arrives.

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use futures::StreamExt;
use omi_api::ImportBody;
use omi_model::{ExportLine, ImportReport};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::callers::Developer;
use crate::http::openapi::DEVELOPER_TAG;
use crate::service::dev_access;

/// The route's path (the idempotency layer leaves it alone: an import is idempotent by its
/// records' ids, and its body is read as a stream, never held whole).
pub const PATH: &str = "/v1/dev/user/import";

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import))
}

/// Import records in the export's format
///
/// The body is an export (`GET /v1/dev/user/export`, format `omi-export`, any version up to
/// 2) as newline-delimited JSON; its records are stored for the key's owner with their ids,
/// times and every field, 500 records per transaction (docs/export.md). A record the user
/// has already is left as it is, so an import can be repeated. Bad lines are listed by
/// number in the report (`completed` false): the batch holding the first one is not
/// applied, nor any after it. Needs `memories:write`, and the write scope of each other
/// kind the file holds. The body may be up to `--import-body-limit` bytes (64 MiB unless
/// set). Not in OMI's cloud.
#[utoipa::path(
    post,
    path = "/v1/dev/user/import",
    operation_id = "import_user_data",
    tag = DEVELOPER_TAG,
    request_body(content = ExportLine, description = "An export: one line of format omi-export per line", content_type = "application/x-ndjson"),
    responses((status = 200, description = "What the import stored, and its bad lines", body = ImportReport)),
    security(("developer_key" = ["memories:write"])),
)]
async fn import(
    State(state): State<AppState>,
    dev: Developer<dev_access::MemoriesBatch>,
    body: Body,
) -> Response {
    let answer = dev
        .api
        .clone()
        .import(limited(body, state.import_body_limit))
        .await;
    dev.answer(answer)
}

/// The chunks of `body`, failing with [`std::io::ErrorKind::FileTooLarge`] once they pass
/// `limit` bytes.
fn limited(body: Body, limit: usize) -> ImportBody {
    let mut read: usize = 0;
    Box::pin(body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        read = read.saturating_add(chunk.len());
        if read > limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("the body is larger than {limit} bytes"),
            ));
        }
        Ok(chunk.to_vec())
    }))
}
