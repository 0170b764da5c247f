//! How one SQL text runs on either database: [`Dialect`], implemented by SQLite and
//! PostgreSQL, lets a statement be a plain generic function (`async fn f<DB: Dialect>(..)`)
//! instead of a macro expanded once per store.
//!
//! sqlx needs a bound for every type a generic function binds or reads, and for the
//! connection it runs on; Rust does not carry such bounds from a trait to its users. So
//! [`Dialect`] names them once, as supertraits on the database type itself ([`Binds`],
//! [`ReadsRow`]), which Rust does carry, and hands out its connections and pools as executors
//! ([`Dialect::on`], [`Dialect::on_pool`]). A statement then reads as SQL:
//!
//! ```text
//! sqlx::query::<DB>("SELECT ... WHERE caller = $1")
//!     .arg(key.caller.as_str())
//!     .fetch_optional(DB::on(conn))
//! ```
//!
//! A statement module adds what it binds and reads to [`Dialect`]'s list. Everything here is
//! monomorphized per database, as the macros were: no dynamic dispatch, no `Any` driver.
//! The idempotency statements (`store/idempotency.rs`) are the first written this way; the
//! others are still macros in `store/shared/`.

use sqlx::query::Query;
use sqlx::{Database, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use super::rows::IdempotencyRow;

/// A database our statements run on: what they bind and read, and where.
pub(crate) trait Dialect:
    Database<Arguments: IntoArguments<Self>>
    + Binds<'static, i64>
    + Binds<'static, Vec<u8>>
    + for<'a> Binds<'a, &'a str>
    + ReadsRow<IdempotencyRow>
{
    /// A connection (or transaction) as an executor.
    fn on(conn: &mut Self::Connection) -> impl Executor<'_, Database = Self>;
    /// A pool as an executor.
    fn on_pool(pool: &Pool<Self>) -> impl Executor<'_, Database = Self>;
}

/// A database that can bind a `T` (encoded for `'t`) as a statement parameter.
pub(crate) trait Binds<'t, T>: Database {
    /// `query` with `value` bound as its next parameter.
    fn bind_to(
        query: Query<'_, Self, Self::Arguments>,
        value: T,
    ) -> Query<'_, Self, Self::Arguments>;
}

impl<'t, DB: Database, T> Binds<'t, T> for DB
where
    T: Encode<'t, DB> + Type<DB>,
{
    fn bind_to(
        query: Query<'_, Self, Self::Arguments>,
        value: T,
    ) -> Query<'_, Self, Self::Arguments> {
        query.bind(value)
    }
}

/// A database whose rows can be read into a row struct `T`.
pub(crate) trait ReadsRow<T>: Database {
    /// The row read as a `T`.
    fn read_row(row: &Self::Row) -> sqlx::Result<T>;
}

impl<DB: Database, T> ReadsRow<T> for DB
where
    T: for<'r> FromRow<'r, DB::Row>,
{
    fn read_row(row: &Self::Row) -> sqlx::Result<T> {
        T::from_row(row)
    }
}

/// `.arg(value)`: bind through the statement's [`Dialect`], so generic code can chain binds.
pub(crate) trait Arg<DB: Database>: Sized {
    /// The query with `value` bound as its next parameter.
    fn arg<'t, T>(self, value: T) -> Self
    where
        DB: Binds<'t, T>;
}

impl<'q, DB: Database> Arg<DB> for Query<'q, DB, DB::Arguments> {
    fn arg<'t, T>(self, value: T) -> Self
    where
        DB: Binds<'t, T>,
    {
        DB::bind_to(self, value)
    }
}

impl Dialect for sqlx::Sqlite {
    fn on(conn: &mut Self::Connection) -> impl Executor<'_, Database = Self> {
        conn
    }

    fn on_pool(pool: &Pool<Self>) -> impl Executor<'_, Database = Self> {
        pool
    }
}

impl Dialect for sqlx::Postgres {
    fn on(conn: &mut Self::Connection) -> impl Executor<'_, Database = Self> {
        conn
    }

    fn on_pool(pool: &Pool<Self>) -> impl Executor<'_, Database = Self> {
        pool
    }
}
