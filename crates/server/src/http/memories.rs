//! `/v1/dev/user/memories...`: the Developer API's memories.

use axum::extract::Path;
use axum::response::Response;
use omi_model::{
    BatchCreateMemoriesRequest, BatchMemoriesResponse, CreateMemoryRequest, ListDevMemoriesQuery,
    Memory, MemorySearchResponse, SearchMemoriesQuery, SuccessResponse, UpdateMemoryRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::callers::Developer;
use super::extractors::{ApiJson, RawQueryString};
use crate::http::openapi::{DEVELOPER_TAG, MemoryIdParam};
use crate::service::dev_access;

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(create_batch))
        .routes(routes!(search))
        .routes(routes!(get_one, update, delete))
}

/// Retrieve memories
///
/// The key owner's memories, highest `scoring` first, then newest.
#[utoipa::path(
    get,
    path = "/v1/dev/user/memories",
    operation_id = "list_dev_memories",
    tag = DEVELOPER_TAG,
    params(ListDevMemoriesQuery),
    responses((status = 200, description = "A page of memories", body = Vec<Memory>)),
    security(("developer_key" = ["memories:read"])),
)]
async fn list(
    dev: Developer<dev_access::MemoriesRead>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: ListDevMemoriesQuery| {
        dev.api.list_memories(query)
    })
    .await
}

/// Search memories
///
/// The key owner's memories that match `query`, best first, in OMI's cloud's envelope.
/// Full-text, offline: any form of a word finds the others ("hiking" finds "hike"), case
/// and accents do not matter, and any part of a Japanese, Chinese or Thai text of two
/// characters or more is found. `relevance_score` is in [0.5, 1), higher is better.
#[utoipa::path(
    get,
    path = "/v1/dev/user/memories/vector/search",
    operation_id = "search_dev_memories",
    tag = DEVELOPER_TAG,
    params(SearchMemoriesQuery),
    responses((status = 200, description = "The memories found, best first", body = MemorySearchResponse)),
    security(("developer_key" = ["memories:read"])),
)]
async fn search(
    dev: Developer<dev_access::MemoriesRead>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: SearchMemoriesQuery| {
        dev.api.search_memories(query)
    })
    .await
}

/// Create memory
///
/// Stores one memory (`manually_added` true) and returns it; the same content again returns
/// the memory already stored instead of a duplicate.
#[utoipa::path(
    post,
    path = "/v1/dev/user/memories",
    operation_id = "create_dev_memory",
    tag = DEVELOPER_TAG,
    request_body = CreateMemoryRequest,
    responses((status = 200, description = "The memory", body = Memory)),
    security(("developer_key" = ["memories:write"])),
)]
async fn create(
    dev: Developer<dev_access::MemoriesWrite>,
    ApiJson(body): ApiJson<CreateMemoryRequest>,
) -> Response {
    dev.answer(dev.api.create_memory(body).await)
}

/// Create memories (batch)
///
/// Up to 25 memories at once, all or nothing: one invalid item rejects the whole batch.
#[utoipa::path(
    post,
    path = "/v1/dev/user/memories/batch",
    operation_id = "create_dev_memories_batch",
    tag = DEVELOPER_TAG,
    request_body = BatchCreateMemoriesRequest,
    responses((status = 200, description = "The memories, in request order", body = BatchMemoriesResponse)),
    security(("developer_key" = ["memories:write"])),
)]
async fn create_batch(
    dev: Developer<dev_access::MemoriesBatch>,
    ApiJson(body): ApiJson<BatchCreateMemoriesRequest>,
) -> Response {
    dev.answer(dev.api.create_memories_batch(body).await)
}

/// Get memory
///
/// One memory by id (not in OMI's cloud). Another user's memory is not found.
#[utoipa::path(
    get,
    path = "/v1/dev/user/memories/{memory_id}",
    operation_id = "get_dev_memory",
    tag = DEVELOPER_TAG,
    params(MemoryIdParam),
    responses((status = 200, description = "The memory", body = Memory)),
    security(("developer_key" = ["memories:read"])),
)]
async fn get_one(
    dev: Developer<dev_access::MemoriesRead>,
    Path(memory_id): Path<String>,
) -> Response {
    dev.answer(dev.api.get_memory(&memory_id).await)
}

/// Update memory
///
/// Changes a memory's content, visibility, tags or category; at least one is required. A
/// content change sets `edited` and moves `updated_at`.
#[utoipa::path(
    patch,
    path = "/v1/dev/user/memories/{memory_id}",
    operation_id = "update_dev_memory",
    tag = DEVELOPER_TAG,
    params(MemoryIdParam),
    request_body = UpdateMemoryRequest,
    responses((status = 200, description = "The memory as updated", body = Memory)),
    security(("developer_key" = ["memories:write"])),
)]
async fn update(
    dev: Developer<dev_access::MemoriesWrite>,
    Path(memory_id): Path<String>,
    ApiJson(body): ApiJson<UpdateMemoryRequest>,
) -> Response {
    dev.answer(dev.api.update_memory(&memory_id, body).await)
}

/// Delete memory
///
/// Deletes a memory permanently.
#[utoipa::path(
    delete,
    path = "/v1/dev/user/memories/{memory_id}",
    operation_id = "delete_dev_memory",
    tag = DEVELOPER_TAG,
    params(MemoryIdParam),
    responses((status = 200, description = "Deleted", body = SuccessResponse)),
    security(("developer_key" = ["memories:write"])),
)]
async fn delete(
    dev: Developer<dev_access::MemoriesWrite>,
    Path(memory_id): Path<String>,
) -> Response {
    dev.answer(dev.api.delete_memory(&memory_id).await)
}
