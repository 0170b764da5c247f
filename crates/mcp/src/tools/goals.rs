//! Goal tools: `get_goals`, over [`DeveloperGoals`].

use omi_api::DeveloperGoals;
use omi_api::model::ListGoalsQuery;
use rmcp::schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{arguments, limit};
use crate::outcome::{ToolOutcome, answer, called};

/// `get_goals`' default number of goals.
pub(crate) const LIST_DEFAULT: i64 = 10;
/// `get_goals`' largest number of goals.
pub(crate) const LIST_MAX: i64 = 100;

/// Arguments of `get_goals`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct GetGoals {
    /// Also the achieved and abandoned goals, newest first (default false: the active
    /// goals, oldest first).
    include_inactive: Option<bool>,
    /// Number of goals to return, 1..=100 (default 10).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<i64>,
}

/// `get_goals`: what the user is working towards, with each goal's progress.
pub(crate) async fn get_goals<A: DeveloperGoals>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: GetGoals = arguments(args)?;
    let query = ListGoalsQuery {
        limit: Some(limit(args.limit, LIST_DEFAULT, LIST_MAX)?),
        include_inactive: args.include_inactive,
    };
    let goals = called(api.list_goals(query).await)?;
    answer(json!({ "goals": goals }))
}
