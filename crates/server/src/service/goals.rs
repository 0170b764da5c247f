//! The Developer API's goals over the store.

use async_trait::async_trait;
use chrono::Duration;
use omi_api::{ApiError, DeveloperGoals, messages};
use omi_model::{
    CreateGoalRequest, Goal, GoalHistoryEntry, GoalHistoryQuery, GoalProgressQuery, ListGoalsQuery,
    SuccessResponse, UpdateGoalRequest,
};

use super::{AuthorizedDeveloper, DeveloperHandle, dev_access, store_error};
use crate::store::GoalChange;

impl AuthorizedDeveloper {
    /// Make `change` to one of the caller's goals: 404 when there is none, 422 when the
    /// change does not fit it.
    async fn change_goal(&self, goal_id: &str, change: GoalChange) -> Result<Goal, ApiError> {
        let now = self.service().now();
        let outcome = self
            .service()
            .store()
            .change_goal(&self.uid, goal_id, &change, now)
            .await
            .map_err(store_error)?;
        match outcome {
            None => Err(ApiError::not_found(messages::GOAL_NOT_FOUND)),
            Some(changed) => Ok(changed?),
        }
    }

    /// [`DeveloperGoals::list_goals`] for this caller.
    pub async fn list_goals(&self, query: ListGoalsQuery) -> Result<Vec<Goal>, ApiError> {
        let params = query.validate()?;
        self.service()
            .store()
            .list_goals(&self.uid, &params)
            .await
            .map_err(store_error)
    }

    /// [`DeveloperGoals::get_goal`] for this caller.
    pub async fn get_goal(&self, goal_id: &str) -> Result<Goal, ApiError> {
        self.service()
            .store()
            .goal(&self.uid, goal_id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(messages::GOAL_NOT_FOUND))
    }

    /// [`DeveloperGoals::create_goal`] for this caller.
    pub async fn create_goal(&self, request: CreateGoalRequest) -> Result<Goal, ApiError> {
        let new = request.validate()?;
        let goal = Goal::create(crate::keys::new_goal_id(), new, self.service().now());
        let store = self.service().store();
        let write = |remember| store.insert_goal(&self.uid, &goal, remember);
        self.service().create_once(Goal::clone, write).await
    }

    /// [`DeveloperGoals::update_goal`] for this caller.
    pub async fn update_goal(
        &self,
        goal_id: &str,
        request: UpdateGoalRequest,
    ) -> Result<Goal, ApiError> {
        let update = request.validate()?;
        self.change_goal(goal_id, GoalChange::Update(update)).await
    }

    /// [`DeveloperGoals::update_goal_progress`] for this caller.
    pub async fn update_goal_progress(
        &self,
        goal_id: &str,
        query: GoalProgressQuery,
    ) -> Result<Goal, ApiError> {
        let value = query.validate()?;
        self.change_goal(goal_id, GoalChange::Progress(value)).await
    }

    /// [`DeveloperGoals::goal_history`] for this caller.
    pub async fn goal_history(
        &self,
        goal_id: &str,
        query: GoalHistoryQuery,
    ) -> Result<Vec<GoalHistoryEntry>, ApiError> {
        let days = query.validate()?;
        self.get_goal(goal_id).await?;
        let today = self.service().now().date_naive();
        let first = today
            .checked_sub_signed(Duration::days(i64::from(days) - 1))
            .unwrap_or(today);
        self.service()
            .store()
            .goal_history(&self.uid, goal_id, &first.format("%Y-%m-%d").to_string())
            .await
            .map_err(store_error)
    }

    /// [`DeveloperGoals::delete_goal`] for this caller.
    pub async fn delete_goal(&self, goal_id: &str) -> Result<SuccessResponse, ApiError> {
        self.change_goal(goal_id, GoalChange::Abandon).await?;
        Ok(SuccessResponse::OK)
    }
}

#[async_trait]
impl DeveloperGoals for DeveloperHandle {
    type Error = ApiError;

    async fn list_goals(&self, query: ListGoalsQuery) -> Result<Vec<Goal>, ApiError> {
        self.authorized::<dev_access::GoalsRead>()
            .await?
            .list_goals(query)
            .await
    }

    async fn get_goal(&self, goal_id: &str) -> Result<Goal, ApiError> {
        self.authorized::<dev_access::GoalsRead>()
            .await?
            .get_goal(goal_id)
            .await
    }

    async fn create_goal(&self, request: CreateGoalRequest) -> Result<Goal, ApiError> {
        self.authorized::<dev_access::GoalsWrite>()
            .await?
            .create_goal(request)
            .await
    }

    async fn update_goal(
        &self,
        goal_id: &str,
        request: UpdateGoalRequest,
    ) -> Result<Goal, ApiError> {
        self.authorized::<dev_access::GoalsWrite>()
            .await?
            .update_goal(goal_id, request)
            .await
    }

    async fn update_goal_progress(
        &self,
        goal_id: &str,
        query: GoalProgressQuery,
    ) -> Result<Goal, ApiError> {
        self.authorized::<dev_access::GoalsWrite>()
            .await?
            .update_goal_progress(goal_id, query)
            .await
    }

    async fn goal_history(
        &self,
        goal_id: &str,
        query: GoalHistoryQuery,
    ) -> Result<Vec<GoalHistoryEntry>, ApiError> {
        self.authorized::<dev_access::GoalsRead>()
            .await?
            .goal_history(goal_id, query)
            .await
    }

    async fn delete_goal(&self, goal_id: &str) -> Result<SuccessResponse, ApiError> {
        self.authorized::<dev_access::GoalsWrite>()
            .await?
            .delete_goal(goal_id)
            .await
    }
}
