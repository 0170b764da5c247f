//! Goals and their history: each goal a row holding its wire object (`body`), with the
//! copies of `active` and `created_at` the lists use; a progress record upserts the day's
//! history row in the goal's transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use omi_model::{Goal, GoalHistoryEntry, GoalListParams, Uid};
use serde::de::DeserializeOwned;

use super::backend::Conn;
use super::parts::owned_row;
use super::{Arg, Backend, Dialect, locking, read, remember};
use crate::store::rows::{json_err, map_err};
use crate::store::{
    GoalChange, GoalChangeOutcome, GoalStore, IdempotentAnswer, StoreResult, to_micros,
};

/// The most history entries one read returns (a year of days, and one).
const MAX_HISTORY_ROWS: i64 = 366;

#[async_trait]
impl<B: Backend> GoalStore for B {
    async fn insert_goal(
        &self,
        uid: &Uid,
        goal: &Goal,
        answer: Option<IdempotentAnswer<Goal>>,
    ) -> StoreResult<Goal> {
        let data = (uid.clone(), goal.clone(), answer);
        self.write(data, |conn, (uid, goal, answer)| {
            async move {
                insert::<B::Db>(conn, uid, goal).await?;
                remember::<B::Db, _>(conn, answer.as_ref(), goal).await?;
                Ok(goal.clone())
            }
            .boxed()
        })
        .await
    }

    async fn list_goals(&self, uid: &Uid, params: &GoalListParams) -> StoreResult<Vec<Goal>> {
        let sql = if params.include_inactive {
            "SELECT body FROM goals WHERE uid = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        } else {
            "SELECT body FROM goals WHERE uid = $1 AND active = TRUE \
             ORDER BY created_at ASC, id ASC LIMIT $2"
        };
        let rows = sqlx::query::<B::Db>(sql)
            .arg(uid.as_str())
            .arg(i64::from(params.limit))
            .fetch_all(B::Db::on_pool(self.readers()))
            .await
            .map_err(map_err)?;
        rows.iter().map(body_of::<B::Db, Goal>).collect()
    }

    async fn goal(&self, uid: &Uid, id: &str) -> StoreResult<Option<Goal>> {
        let sql = "SELECT body FROM goals WHERE uid = $1 AND id = $2";
        let row = owned_row(B::Db::on_pool(self.readers()), sql, uid.as_str(), id).await?;
        row.as_ref().map(body_of::<B::Db, Goal>).transpose()
    }

    async fn change_goal(
        &self,
        uid: &Uid,
        id: &str,
        change: &GoalChange,
        now: DateTime<Utc>,
    ) -> StoreResult<GoalChangeOutcome> {
        let data = (uid.clone(), id.to_owned(), change.clone(), now);
        self.write(data, |conn, (uid, id, change, now)| {
            change_row::<B::Db>(conn, uid, id, change, *now).boxed()
        })
        .await
    }

    async fn goal_history(
        &self,
        uid: &Uid,
        goal_id: &str,
        since_day: &str,
    ) -> StoreResult<Vec<GoalHistoryEntry>> {
        let rows = sqlx::query::<B::Db>(
            "SELECT body FROM goal_history WHERE uid = $1 AND goal_id = $2 AND day >= $3 \
             ORDER BY day DESC LIMIT $4",
        )
        .arg(uid.as_str())
        .arg(goal_id)
        .arg(since_day)
        .arg(MAX_HISTORY_ROWS)
        .fetch_all(B::Db::on_pool(self.readers()))
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(body_of::<B::Db, GoalHistoryEntry>)
            .collect()
    }
}

/// The JSON `body` column of a row, read as `T`.
pub(super) fn body_of<DB: Dialect, T: DeserializeOwned>(row: &DB::Row) -> StoreResult<T> {
    let (body,) = read::<DB, (String,)>(row)?;
    serde_json::from_str(&body).map_err(json_err)
}

/// Insert `goal` of `uid` (inside the caller's transaction).
async fn insert<DB: Dialect>(conn: &mut Conn<DB>, uid: &Uid, goal: &Goal) -> StoreResult<()> {
    sqlx::query::<DB>(
        "INSERT INTO goals (uid, id, created_at, active, body) VALUES ($1, $2, $3, $4, $5)",
    )
    .arg(uid.as_str())
    .arg(goal.id.as_str())
    .arg(to_micros(goal.created_at))
    .arg(goal.is_active)
    .arg(serde_json::to_string(goal).map_err(json_err)?)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Make `change` to one of a user's goals; nothing is written when it is refused.
async fn change_row<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    id: &str,
    change: &GoalChange,
    now: DateTime<Utc>,
) -> StoreResult<GoalChangeOutcome> {
    const READ: super::Locking = locking!(
        "SELECT body FROM goals WHERE uid = $1 AND id = $2";
        lock: " FOR UPDATE"
    );
    let row = owned_row(DB::on(conn), DB::text(&READ), uid.as_str(), id).await?;
    let Some(row) = row else { return Ok(None) };
    let before: Goal = body_of::<DB, Goal>(&row)?;
    let (goal, entry) = match change.apply(before, now) {
        Ok(changed) => changed,
        Err(refused) => return Ok(Some(Err(refused))),
    };
    sqlx::query::<DB>("UPDATE goals SET active = $1, body = $2 WHERE uid = $3 AND id = $4")
        .arg(goal.is_active)
        .arg(serde_json::to_string(&goal).map_err(json_err)?)
        .arg(uid.as_str())
        .arg(id)
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    if let Some(entry) = entry {
        sqlx::query::<DB>(
            "INSERT INTO goal_history (uid, goal_id, day, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (uid, goal_id, day) DO UPDATE SET body = excluded.body",
        )
        .arg(uid.as_str())
        .arg(id)
        .arg(entry.date.as_str())
        .arg(serde_json::to_string(&entry).map_err(json_err)?)
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    }
    Ok(Some(Ok(goal)))
}
