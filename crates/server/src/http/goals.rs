//! `/v1/dev/user/goals...`: the Developer API's goals.

use axum::extract::Path;
use axum::response::Response;
use omi_model::{
    CreateGoalRequest, Goal, GoalHistoryEntry, GoalHistoryQuery, GoalProgressQuery, ListGoalsQuery,
    SuccessResponse, UpdateGoalRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::callers::Developer;
use super::extractors::{ApiJson, RawQueryString};
use crate::http::openapi::{GOALS_TAG, GoalIdParam};
use crate::service::dev_access;

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(progress))
        .routes(routes!(history))
}

/// List goals
///
/// The key owner's active goals, oldest first; with `include_inactive=true` every goal
/// (achieved and abandoned ones too), newest first. `limit` (default 10) is brought into
/// 1..=1000, never refused.
#[utoipa::path(
    get,
    path = "/v1/dev/user/goals",
    operation_id = "list_goals",
    tag = GOALS_TAG,
    params(ListGoalsQuery),
    responses((status = 200, description = "The goals", body = Vec<Goal>)),
    security(("developer_key" = ["goals:read"])),
)]
async fn list(
    dev: Developer<dev_access::GoalsRead>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: ListGoalsQuery| dev.api.list_goals(query))
        .await
}

/// Create goal
///
/// Stores a goal (in the background, active) and returns it. Any metric field gives it a
/// metric (`scale` unless `goal_type` says otherwise); other goals never change.
#[utoipa::path(
    post,
    path = "/v1/dev/user/goals",
    operation_id = "create_goal",
    tag = GOALS_TAG,
    request_body = CreateGoalRequest,
    responses((status = 200, description = "The goal", body = Goal)),
    security(("developer_key" = ["goals:write"])),
)]
async fn create(
    dev: Developer<dev_access::GoalsWrite>,
    ApiJson(body): ApiJson<CreateGoalRequest>,
) -> Response {
    dev.answer(dev.api.create_goal(body).await)
}

/// Get goal
///
/// One goal by id, active or not. Another user's goal is not found.
#[utoipa::path(
    get,
    path = "/v1/dev/user/goals/{goal_id}",
    operation_id = "get_goal",
    tag = GOALS_TAG,
    params(GoalIdParam),
    responses((status = 200, description = "The goal", body = Goal)),
    security(("developer_key" = ["goals:read"])),
)]
async fn get_one(dev: Developer<dev_access::GoalsRead>, Path(goal_id): Path<String>) -> Response {
    dev.answer(dev.api.get_goal(&goal_id).await)
}

/// Update goal
///
/// Changes its texts, horizon or metric; `null` clears `why_it_matters`, `horizon_at`,
/// `min_value`, `max_value` and `unit`.
#[utoipa::path(
    patch,
    path = "/v1/dev/user/goals/{goal_id}",
    operation_id = "update_goal",
    tag = GOALS_TAG,
    params(GoalIdParam),
    request_body = UpdateGoalRequest,
    responses((status = 200, description = "The goal as updated", body = Goal)),
    security(("developer_key" = ["goals:write"])),
)]
async fn update(
    dev: Developer<dev_access::GoalsWrite>,
    Path(goal_id): Path<String>,
    ApiJson(body): ApiJson<UpdateGoalRequest>,
) -> Response {
    dev.answer(dev.api.update_goal(&goal_id, body).await)
}

/// Delete goal
///
/// Deletes it as OMI's cloud does: it becomes `abandoned` and inactive, still readable by
/// id and listed with `include_inactive=true`.
#[utoipa::path(
    delete,
    path = "/v1/dev/user/goals/{goal_id}",
    operation_id = "delete_goal",
    tag = GOALS_TAG,
    params(GoalIdParam),
    responses((status = 200, description = "Deleted", body = SuccessResponse)),
    security(("developer_key" = ["goals:write"])),
)]
async fn delete(dev: Developer<dev_access::GoalsWrite>, Path(goal_id): Path<String>) -> Response {
    dev.answer(dev.api.delete_goal(&goal_id).await)
}

/// Record goal progress
///
/// Sets where the goal stands (`current_value`, within its metric's bounds; a goal without
/// a metric becomes `numeric`), and records it as the day's history entry (UTC).
#[utoipa::path(
    patch,
    path = "/v1/dev/user/goals/{goal_id}/progress",
    operation_id = "update_goal_progress",
    tag = GOALS_TAG,
    params(GoalIdParam, GoalProgressQuery),
    responses((status = 200, description = "The goal as updated", body = Goal)),
    security(("developer_key" = ["goals:write"])),
)]
async fn progress(
    dev: Developer<dev_access::GoalsWrite>,
    Path(goal_id): Path<String>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: GoalProgressQuery| {
        dev.api.update_goal_progress(&goal_id, query)
    })
    .await
}

/// Goal progress history
///
/// The progress recorded in the last `days` days (1..=365, default 30): one entry per UTC
/// day, its last value, newest first.
#[utoipa::path(
    get,
    path = "/v1/dev/user/goals/{goal_id}/history",
    operation_id = "goal_history",
    tag = GOALS_TAG,
    params(GoalIdParam, GoalHistoryQuery),
    responses((status = 200, description = "The history, newest first", body = Vec<GoalHistoryEntry>)),
    security(("developer_key" = ["goals:read"])),
)]
async fn history(
    dev: Developer<dev_access::GoalsRead>,
    Path(goal_id): Path<String>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: GoalHistoryQuery| {
        dev.api.goal_history(&goal_id, query)
    })
    .await
}
