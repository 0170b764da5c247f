//! The Developer API's goals: create with and without a metric, the two lists, update with
//! `null` clearing, progress within bounds and its daily history, delete as abandoning,
//! invalid input, other users and scopes.

use omi_api::DeveloperGoals;
use omi_model::{
    CreateGoalRequest, DevScope, GoalHistoryQuery, GoalProgressQuery, GoalType, ListGoalsQuery,
    UpdateGoalRequest,
};
use serde_json::{Value, json};

use crate::common::{Ctx, Record, Transport, contracts};

contracts!(
    a_goal_from_creation_to_deletion,
    invalid_goals_are_refused,
    goals_are_the_users_own_and_scoped,
);

fn inactive_too() -> ListGoalsQuery {
    ListGoalsQuery {
        include_inactive: Some(true),
        ..ListGoalsQuery::default()
    }
}

/// A measured goal's life: progress inside its bounds, the day's history keeping the last
/// value, a change clearing fields with `null`, and deletion abandoning it.
async fn a_goal_from_creation_to_deletion<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let dev = &ctx.dev;
    let japanese = rec.ok(
        "create: a title only (Japanese and emoji), no metric",
        dev.create_goal(CreateGoalRequest::new("  日本語能力試験N2に合格する 🎌 "))
            .await,
    );
    let run = rec.ok(
        "create: a numeric metric with bounds and a unit",
        dev.create_goal(CreateGoalRequest {
            why_it_matters: Some("Health".into()),
            success_criteria: Some(vec!["Finish a half marathon".into(), " ".into()]),
            horizon_at: Some("2027-06-30T00:00:00+09:00".parse().expect("a time")),
            goal_type: Some(GoalType::Numeric),
            target_value: Some(42.195),
            current_value: Some(5.0),
            min_value: Some(0.0),
            max_value: Some(100.0),
            unit: Some("km".into()),
            ..CreateGoalRequest::new("Run a marathon")
        })
        .await,
    );
    rec.ok(
        "list: active, oldest first",
        dev.list_goals(ListGoalsQuery::default()).await,
    );
    rec.ok("get", dev.get_goal(&run.id).await);
    rec.ok(
        "progress: within the bounds",
        dev.update_goal_progress(&run.id, GoalProgressQuery::new(12.5))
            .await,
    );
    rec.ok(
        "progress again the same day",
        dev.update_goal_progress(&run.id, GoalProgressQuery::new(21.1))
            .await,
    );
    rec.err(
        "progress above max_value: 422",
        422,
        dev.update_goal_progress(&run.id, GoalProgressQuery::new(150.0))
            .await,
    );
    rec.err(
        "progress without current_value: 422",
        422,
        dev.update_goal_progress(&run.id, GoalProgressQuery::default())
            .await,
    );
    let history = rec.ok(
        "history: one entry for the day, its last value",
        dev.goal_history(&run.id, GoalHistoryQuery::default()).await,
    );
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].value, 21.1);
    let body =
        r#"{"why_it_matters": null, "max_value": null, "title": "Run a marathon in Kyoto 京都"}"#;
    let update: UpdateGoalRequest = serde_json::from_str(body).expect("a body");
    rec.ok(
        "update: null clears why_it_matters and max_value",
        dev.update_goal(&run.id, update).await,
    );
    rec.ok(
        "progress on a goal without a metric: it becomes numeric",
        dev.update_goal_progress(&japanese.id, GoalProgressQuery::new(1.0))
            .await,
    );
    rec.ok("delete", dev.delete_goal(&japanese.id).await);
    rec.ok(
        "get: the deleted goal, abandoned",
        dev.get_goal(&japanese.id).await,
    );
    let active = rec.ok(
        "list: active only",
        dev.list_goals(ListGoalsQuery::default()).await,
    );
    assert_eq!(active.len(), 1);
    rec.ok(
        "list: include_inactive, newest first",
        dev.list_goals(inactive_too()).await,
    );
    let one = ListGoalsQuery {
        limit: Some(1),
        include_inactive: Some(true),
    };
    let page = rec.ok("list: limit 1", dev.list_goals(one).await);
    rec.note("limit 1: count", page.len());
    let clamped = ListGoalsQuery {
        limit: Some(0),
        ..ListGoalsQuery::default()
    };
    let clamped = rec.ok(
        "list: limit 0 is brought to 1",
        dev.list_goals(clamped).await,
    );
    rec.note("limit 0: count", clamped.len());
    rec.finish()
}

/// Each invalid input's answer, and that nothing of it is stored.
async fn invalid_goals_are_refused<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let dev = &ctx.dev;
    rec.err(
        "blank title",
        422,
        dev.create_goal(CreateGoalRequest::new(" \u{3000} ")).await,
    );
    rec.err(
        "501 characters of title",
        422,
        dev.create_goal(CreateGoalRequest::new("目".repeat(501)))
            .await,
    );
    let criteria = CreateGoalRequest {
        success_criteria: Some(vec!["done".into(); 21]),
        ..CreateGoalRequest::new("Too many criteria")
    };
    rec.err("21 success criteria", 422, dev.create_goal(criteria).await);
    let reversed = CreateGoalRequest {
        min_value: Some(10.0),
        max_value: Some(1.0),
        ..CreateGoalRequest::new("Reversed bounds")
    };
    rec.err(
        "min_value above max_value",
        422,
        dev.create_goal(reversed).await,
    );
    let outside = CreateGoalRequest {
        current_value: Some(-1.0),
        min_value: Some(0.0),
        ..CreateGoalRequest::new("Below its minimum")
    };
    rec.err(
        "current_value below min_value",
        422,
        dev.create_goal(outside).await,
    );
    let long_unit = CreateGoalRequest {
        unit: Some("u".repeat(65)),
        ..CreateGoalRequest::new("A long unit")
    };
    rec.err("a 65-character unit", 422, dev.create_goal(long_unit).await);
    let kept = rec.ok(
        "a valid goal",
        dev.create_goal(CreateGoalRequest::new("Valid")).await,
    );
    rec.err(
        "update: no field",
        422,
        dev.update_goal(&kept.id, UpdateGoalRequest::default())
            .await,
    );
    let shrink = UpdateGoalRequest {
        current_value: Some(5.0),
        max_value: Some(Some(4.0)),
        ..UpdateGoalRequest::default()
    };
    rec.err(
        "update: current above the new max",
        422,
        dev.update_goal(&kept.id, shrink).await,
    );
    rec.err(
        "history: 366 days",
        422,
        dev.goal_history(&kept.id, GoalHistoryQuery { days: Some(366) })
            .await,
    );
    rec.err(
        "history: 0 days",
        422,
        dev.goal_history(&kept.id, GoalHistoryQuery { days: Some(0) })
            .await,
    );
    let all = rec.ok(
        "only the valid goal was stored, unchanged",
        dev.list_goals(inactive_too()).await,
    );
    assert_eq!(all.len(), 1);
    rec.finish()
}

/// Another user's goal is not found (for every route), creating a goal leaves the others as
/// they were, and each route needs its scope.
async fn goals_are_the_users_own_and_scoped<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let mine = rec.ok(
        "mine",
        ctx.dev.create_goal(CreateGoalRequest::new("Mine")).await,
    );
    let other = ctx
        .user("goal_other", &[DevScope::GoalsRead, DevScope::GoalsWrite])
        .await;
    rec.err("another user's: get", 404, other.get_goal(&mine.id).await);
    rec.err(
        "another user's: progress",
        404,
        other
            .update_goal_progress(&mine.id, GoalProgressQuery::new(1.0))
            .await,
    );
    rec.err(
        "another user's: history",
        404,
        other
            .goal_history(&mine.id, GoalHistoryQuery::default())
            .await,
    );
    rec.err(
        "another user's: delete",
        404,
        other.delete_goal(&mine.id).await,
    );
    rec.err(
        "unknown id: get",
        404,
        ctx.dev.get_goal("goal_000000000000").await,
    );
    rec.ok(
        "the other user's own goal",
        other.create_goal(CreateGoalRequest::new("Theirs")).await,
    );
    let after = rec.ok(
        "mine after theirs was made",
        ctx.dev.get_goal(&mine.id).await,
    );
    assert_eq!(after, mine, "creating a goal never changes another goal");

    let reader = ctx.user("goal_reader", &[DevScope::GoalsRead]).await;
    rec.ok(
        "goals:read lists",
        reader.list_goals(ListGoalsQuery::default()).await,
    );
    rec.err(
        "goals:read cannot create",
        403,
        reader.create_goal(CreateGoalRequest::new("x")).await,
    );
    let memories = ctx.user("goal_memories", &[DevScope::MemoriesRead]).await;
    rec.err(
        "memories:read cannot list goals",
        403,
        memories.list_goals(ListGoalsQuery::default()).await,
    );
    rec.note("scopes", json!([DevScope::GoalsRead, DevScope::GoalsWrite]));
    rec.finish()
}
