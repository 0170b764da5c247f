//! The Developer API's goals (`/v1/dev/user/goals...`) over HTTP: inherent methods on
//! [`DeveloperClient`], which its `DeveloperGoals` implementation calls.

use async_trait::async_trait;
use omi_api::{DeveloperGoals, messages};
use omi_model::{
    CreateGoalRequest, Goal, GoalHistoryEntry, GoalHistoryQuery, GoalProgressQuery, ListGoalsQuery,
    SuccessResponse, UpdateGoalRequest,
};
use reqwest::Method;

use crate::{DeveloperClient, Error};

const GOALS: &[&str] = &["v1", "dev", "user", "goals"];

impl DeveloperClient {
    /// `GET /v1/dev/user/goals`: the user's active goals, oldest first; with
    /// `include_inactive`, every goal newest first (scope `goals:read`). One call answers at
    /// most 1 000 goals, so there is no stream.
    pub async fn list_goals(&self, query: ListGoalsQuery) -> Result<Vec<Goal>, Error> {
        self.call::<(), _>(Method::GET, GOALS, &query.to_query_pairs(), None)
            .await
    }

    /// `GET /v1/dev/user/goals/{goal_id}`: one goal, active or not; 404 "Goal not found" for
    /// an unknown id or another user's.
    pub async fn get_goal(&self, goal_id: &str) -> Result<Goal, Error> {
        let id = (goal_id, messages::GOAL_NOT_FOUND);
        self.call_item::<(), _>(Method::GET, GOALS, id, &[], None)
            .await
    }

    /// `POST /v1/dev/user/goals`: create a goal (scope `goals:write`).
    pub async fn create_goal(&self, request: CreateGoalRequest) -> Result<Goal, Error> {
        self.call(Method::POST, GOALS, &[], Some(&request)).await
    }

    /// `PATCH /v1/dev/user/goals/{goal_id}`: change its texts, horizon or metric.
    pub async fn update_goal(
        &self,
        goal_id: &str,
        request: UpdateGoalRequest,
    ) -> Result<Goal, Error> {
        let id = (goal_id, messages::GOAL_NOT_FOUND);
        self.call_item(Method::PATCH, GOALS, id, &[], Some(&request))
            .await
    }

    /// `PATCH /v1/dev/user/goals/{goal_id}/progress`: record where the goal stands now.
    pub async fn update_goal_progress(
        &self,
        goal_id: &str,
        query: GoalProgressQuery,
    ) -> Result<Goal, Error> {
        let id = (goal_id, messages::GOAL_NOT_FOUND);
        let pairs = query.to_query_pairs();
        self.call_item_at::<(), _>(Method::PATCH, GOALS, id, &["progress"], &pairs, None)
            .await
    }

    /// `GET /v1/dev/user/goals/{goal_id}/history`: the progress of the last `days` days,
    /// one entry per day, newest first.
    pub async fn goal_history(
        &self,
        goal_id: &str,
        query: GoalHistoryQuery,
    ) -> Result<Vec<GoalHistoryEntry>, Error> {
        let id = (goal_id, messages::GOAL_NOT_FOUND);
        let pairs = query.to_query_pairs();
        self.call_item_at::<(), _>(Method::GET, GOALS, id, &["history"], &pairs, None)
            .await
    }

    /// `DELETE /v1/dev/user/goals/{goal_id}`: abandon it, as OMI's cloud deletes a goal.
    pub async fn delete_goal(&self, goal_id: &str) -> Result<SuccessResponse, Error> {
        let id = (goal_id, messages::GOAL_NOT_FOUND);
        self.call_item::<(), _>(Method::DELETE, GOALS, id, &[], None)
            .await
    }
}

#[async_trait]
impl DeveloperGoals for DeveloperClient {
    type Error = Error;

    async fn list_goals(&self, query: ListGoalsQuery) -> Result<Vec<Goal>, Error> {
        DeveloperClient::list_goals(self, query).await
    }

    async fn get_goal(&self, goal_id: &str) -> Result<Goal, Error> {
        DeveloperClient::get_goal(self, goal_id).await
    }

    async fn create_goal(&self, request: CreateGoalRequest) -> Result<Goal, Error> {
        DeveloperClient::create_goal(self, request).await
    }

    async fn update_goal(&self, goal_id: &str, request: UpdateGoalRequest) -> Result<Goal, Error> {
        DeveloperClient::update_goal(self, goal_id, request).await
    }

    async fn update_goal_progress(
        &self,
        goal_id: &str,
        query: GoalProgressQuery,
    ) -> Result<Goal, Error> {
        DeveloperClient::update_goal_progress(self, goal_id, query).await
    }

    async fn goal_history(
        &self,
        goal_id: &str,
        query: GoalHistoryQuery,
    ) -> Result<Vec<GoalHistoryEntry>, Error> {
        DeveloperClient::goal_history(self, goal_id, query).await
    }

    async fn delete_goal(&self, goal_id: &str) -> Result<SuccessResponse, Error> {
        DeveloperClient::delete_goal(self, goal_id).await
    }
}
