//! Pieces the statements build with: reading one of a user's rows, and the filters, order
//! and page of the lists.

use chrono::{DateTime, Utc};
use sqlx::{Executor, QueryBuilder};

use super::{Arg, Dialect, PushArg};
use crate::store::rows::map_err;
use crate::store::{StoreResult, page_bounds, to_micros};

/// The order of the lists of conversations and action items.
pub(super) const NEWEST_FIRST: &str = "ORDER BY created_at DESC, id DESC";

/// One of a user's rows, read by `sql`, which selects by `uid = $1 AND id = $2`.
pub(super) async fn owned_row<'e, DB: Dialect>(
    exec: impl Executor<'e, Database = DB>,
    sql: &'static str,
    uid: &str,
    id: &str,
) -> StoreResult<Option<DB::Row>> {
    sqlx::query::<DB>(sql)
        .arg(uid)
        .arg(id)
        .fetch_optional(exec)
        .await
        .map_err(map_err)
}

/// Push ` AND column IN (values...)`; nothing when `values` is empty (no filter).
pub(super) fn push_any<'v, DB: Dialect>(
    q: &mut QueryBuilder<DB>,
    column: &str,
    values: impl IntoIterator<Item = &'v str>,
) {
    let mut values = values.into_iter().peekable();
    if values.peek().is_none() {
        return;
    }
    q.push(format_args!(" AND {column} IN ("));
    for (n, value) in values.enumerate() {
        if n > 0 {
            q.push(", ");
        }
        q.push_arg(value.to_owned());
    }
    q.push(")");
}

/// Push ` AND column >= start AND column <= end` for the dates given.
pub(super) fn push_date_range<DB: Dialect>(
    q: &mut QueryBuilder<DB>,
    column: &str,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) {
    if let Some(start) = start {
        q.push(format_args!(" AND {column} >= "))
            .push_arg(to_micros(start));
    }
    if let Some(end) = end {
        q.push(format_args!(" AND {column} <= "))
            .push_arg(to_micros(end));
    }
}

/// Push `order` (an `ORDER BY` clause) and the page.
pub(super) fn push_page<DB: Dialect>(
    q: &mut QueryBuilder<DB>,
    order: &str,
    page: &omi_model::PageParams,
) {
    let (limit, offset) = page_bounds(page);
    q.push(format_args!(" {order} LIMIT "))
        .push_arg(limit)
        .push(" OFFSET ")
        .push_arg(offset);
}
