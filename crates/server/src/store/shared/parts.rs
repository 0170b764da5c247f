//! Pieces every query module builds with: reading one of a user's rows, and the filters,
//! order and page of the lists.

/// Expands to `mod parts`: query pieces over the invoking store's `Db` and `DbRow`.
macro_rules! query_parts {
    () => {
        pub(super) mod parts {
            use chrono::{DateTime, Utc};
            use sqlx::QueryBuilder;

            use super::{Db, DbRow};
            use $crate::store::rows::map_err;
            use $crate::store::{StoreResult, page_bounds, to_micros};

            /// One of a user's rows, read by `sql`, which selects by `uid = $1 AND id = $2`.
            pub(crate) async fn owned_row<'e, E>(
                exec: E,
                sql: &'static str,
                uid: &str,
                id: &str,
            ) -> StoreResult<Option<DbRow>>
            where
                E: sqlx::Executor<'e, Database = Db>,
            {
                sqlx::query(sql)
                    .bind(uid)
                    .bind(id)
                    .fetch_optional(exec)
                    .await
                    .map_err(map_err)
            }

            /// Push ` AND column IN (values...)`; nothing when `values` is empty (no filter).
            pub(crate) fn push_any<'v>(
                q: &mut QueryBuilder<Db>,
                column: &str,
                values: impl IntoIterator<Item = &'v str>,
            ) {
                let mut values = values.into_iter().peekable();
                if values.peek().is_none() {
                    return;
                }
                q.push(format!(" AND {column} IN ("));
                let mut list = q.separated(", ");
                for value in values {
                    list.push_bind(value.to_owned());
                }
                q.push(")");
            }

            /// Push ` AND column >= start AND column <= end` for the dates given.
            pub(crate) fn push_date_range(
                q: &mut QueryBuilder<Db>,
                column: &str,
                start: Option<DateTime<Utc>>,
                end: Option<DateTime<Utc>>,
            ) {
                if let Some(start) = start {
                    q.push(format!(" AND {column} >= "))
                        .push_bind(to_micros(start));
                }
                if let Some(end) = end {
                    q.push(format!(" AND {column} <= "))
                        .push_bind(to_micros(end));
                }
            }

            /// Push `order` (an `ORDER BY` clause) and the page.
            pub(crate) fn push_page(
                q: &mut QueryBuilder<Db>,
                order: &str,
                page: &omi_model::PageParams,
            ) {
                let (limit, offset) = page_bounds(page);
                q.push(format!(" {order} LIMIT "))
                    .push_bind(limit)
                    .push(" OFFSET ")
                    .push_bind(offset);
            }
        }
    };
}
pub(crate) use query_parts;
