//! The Developer API's goals.

use async_trait::async_trait;
use omi_model::{
    CreateGoalRequest, Goal, GoalHistoryEntry, GoalHistoryQuery, GoalProgressQuery, ListGoalsQuery,
    SuccessResponse, UpdateGoalRequest,
};

use crate::CallError;

/// The Developer API's goals (`/v1/dev/user/goals`), built with a developer key; every call
/// acts for the key's user. Reads need the `goals:read` scope, writes `goals:write`. An
/// unknown id, or another user's, is 404 "Goal not found".
#[async_trait]
pub trait DeveloperGoals: Send + Sync {
    /// What a call fails with: [`ApiError`](crate::ApiError) in-process; over HTTP also transport failures.
    type Error: CallError;

    /// `GET /v1/dev/user/goals`: the user's active goals, oldest first (`limit` default 10,
    /// brought into 1..=1000); with `include_inactive`, every goal, achieved and abandoned
    /// (deleted) ones too, newest first.
    async fn list_goals(&self, query: ListGoalsQuery) -> Result<Vec<Goal>, Self::Error>;

    /// `GET /v1/dev/user/goals/{goal_id}`: one goal, active or not.
    async fn get_goal(&self, goal_id: &str) -> Result<Goal, Self::Error>;

    /// `POST /v1/dev/user/goals`: create a goal (never changes another goal).
    async fn create_goal(&self, request: CreateGoalRequest) -> Result<Goal, Self::Error>;

    /// `PATCH /v1/dev/user/goals/{goal_id}`: change its texts, horizon or metric.
    async fn update_goal(
        &self,
        goal_id: &str,
        request: UpdateGoalRequest,
    ) -> Result<Goal, Self::Error>;

    /// `PATCH /v1/dev/user/goals/{goal_id}/progress?current_value=`: record where the goal
    /// stands now (within its metric's bounds); the day's history entry becomes this value.
    async fn update_goal_progress(
        &self,
        goal_id: &str,
        query: GoalProgressQuery,
    ) -> Result<Goal, Self::Error>;

    /// `GET /v1/dev/user/goals/{goal_id}/history?days=30`: the progress recorded in the last
    /// `days` days (1..=365), one entry per day (its last value), newest first.
    async fn goal_history(
        &self,
        goal_id: &str,
        query: GoalHistoryQuery,
    ) -> Result<Vec<GoalHistoryEntry>, Self::Error>;

    /// `DELETE /v1/dev/user/goals/{goal_id}`: delete it as OMI's cloud does, by abandoning
    /// it (it stays readable by id and in `include_inactive` lists); `{"success": true}`.
    async fn delete_goal(&self, goal_id: &str) -> Result<SuccessResponse, Self::Error>;
}
