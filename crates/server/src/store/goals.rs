//! The storage of goals: [`GoalStore`] and [`GoalChange`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::{Goal, GoalHistoryEntry, GoalListParams, GoalUpdate, Uid, ValidationErrors};

use super::{IdempotentAnswer, StoreResult};

/// A change to a stored goal, made inside the store's transaction on the goal as stored.
#[derive(Debug, Clone, PartialEq)]
pub enum GoalChange {
    /// Its texts, horizon or metric.
    Update(GoalUpdate),
    /// Progress: the metric's current value, and the day's history entry.
    Progress(f64),
    /// Deleted: abandoned, as OMI's cloud deletes.
    Abandon,
}

impl GoalChange {
    /// `goal` with this change made at `now`, and the history entry it records (if any);
    /// or why the change does not fit the goal.
    pub fn apply(
        &self,
        goal: Goal,
        now: DateTime<Utc>,
    ) -> Result<(Goal, Option<GoalHistoryEntry>), ValidationErrors> {
        match self {
            Self::Update(update) => Ok((update.apply(goal, now)?, None)),
            Self::Progress(value) => Ok((
                goal.with_progress(*value, now)?,
                Some(GoalHistoryEntry::recorded(*value, now)),
            )),
            Self::Abandon => Ok((goal.abandoned(now), None)),
        }
    }
}

/// What [`GoalStore::change_goal`] found: `None` when the goal does not exist, else the
/// changed goal or why the change was refused (nothing written).
pub type GoalChangeOutcome = Option<Result<Goal, ValidationErrors>>;

/// The persistence of goals. Every method takes the user's id and never reads or writes
/// another user's rows.
#[async_trait]
pub trait GoalStore: Send + Sync + 'static {
    /// Insert a goal (with `answer` in the same transaction when given); the stored goal.
    async fn insert_goal(
        &self,
        uid: &Uid,
        goal: &Goal,
        answer: Option<IdempotentAnswer<Goal>>,
    ) -> StoreResult<Goal>;

    /// A user's active goals oldest first, or with `include_inactive` every goal newest
    /// first; at most `limit`.
    async fn list_goals(&self, uid: &Uid, params: &GoalListParams) -> StoreResult<Vec<Goal>>;

    /// One of a user's goals.
    async fn goal(&self, uid: &Uid, id: &str) -> StoreResult<Option<Goal>>;

    /// Make `change` to one of a user's goals at `now`, reading and writing it in one
    /// transaction.
    async fn change_goal(
        &self,
        uid: &Uid,
        id: &str,
        change: &GoalChange,
        now: DateTime<Utc>,
    ) -> StoreResult<GoalChangeOutcome>;

    /// A goal's history entries of the days from `since_day` (`YYYY-MM-DD`) on, newest
    /// first.
    async fn goal_history(
        &self,
        uid: &Uid,
        goal_id: &str,
        since_day: &str,
    ) -> StoreResult<Vec<GoalHistoryEntry>>;
}
