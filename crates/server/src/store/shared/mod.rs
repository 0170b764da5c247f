//! The SQL both stores run, written once.
//!
//! SQLite and PostgreSQL accept every statement here as written: `$1`-style parameters
//! (sqlx's SQLite driver binds them by number), `ON CONFLICT ... DO NOTHING` and
//! `DO UPDATE ... WHERE`, `RETURNING`, `FALSE`, and the columns of [`super::rows`], which
//! both schemas name and type alike. So ordering, conflicts and limits are the same in both
//! stores because the statements are the same statements.
//!
//! sqlx cannot run one function over two databases without a trait bound for every type it
//! binds, so each macro here expands, inside a store's module, into a module of plain
//! functions over that store's types: one text, two compiled copies that cannot drift. A
//! store's module declares what the expansions use:
//!
//! - `type Db`, `type Conn` and `type DbRow`: the sqlx database, connection and row types;
//! - `impl Self { fn readers(&self) -> &Pool<Db>; fn writer(&self) -> &Pool<Db>;
//!   async fn write(&self, data, op) }`: where reads and single-statement writes run, and how
//!   a multi-statement write runs in one transaction (SQLite: the group commit; PostgreSQL: a
//!   transaction of its own). `op` is an `Fn` over `&data` that does nothing but SQL, since
//!   the group commit may run it again after rolling a batch back.
//!
//! What only one database can say is passed to the macros as literals: the row locks of
//! PostgreSQL (`FOR UPDATE` before a read-modify-write, `FOR UPDATE SKIP LOCKED` when a
//! worker claims a job), empty for SQLite, whose single writer already serializes writes.

mod developer;
mod jobs;
mod memories;
mod parts;
mod store_impl;

pub(crate) use developer::developer_statements;
pub(crate) use jobs::job_statements;
pub(crate) use memories::memory_statements;
pub(crate) use parts::query_parts;
pub(crate) use store_impl::store_impl;

/// The columns a memory object is built from (`MemoryRow`): every column but `uid` and
/// `content_key`. The driver copies each value of each row, so every read names the columns
/// its answer is built from, and a list reads no more than it returns.
macro_rules! memory_columns {
    () => {
        "id, content, category, visibility, tags, created_at, updated_at, manually_added, \
         scoring, reviewed, user_review, edited, app_id, conversation_id"
    };
}
pub(crate) use memory_columns;

/// The columns a conversation object is built from (`ConversationRow`): every column but
/// `uid`, `updated_at` and `category` (which SQLite computes from `structured` on every read
/// of it, and which only the developer list's filter uses).
macro_rules! conversation_columns {
    () => {
        "id, source, language, created_at, started_at, finished_at, status, discarded, \
         geolocation, structured, failure_reason, transcript_segments, app_id, text, \
         text_source, text_source_spec"
    };
}
pub(crate) use conversation_columns;

/// The columns the Developer API shows of a conversation (`DevConversationRow`): no
/// imported text, importing app or text source, which its routes leave out, and no
/// transcript, which a list adds (`, transcript_segments`) only when it shows it.
macro_rules! dev_conversation_columns {
    () => {
        "id, source, language, created_at, started_at, finished_at, status, discarded, \
         geolocation, structured, failure_reason"
    };
}
pub(crate) use dev_conversation_columns;

/// The columns an action item object is built from (`ActionItemRow`): every column but
/// `uid`.
macro_rules! action_item_columns {
    () => {
        "id, description, completed, created_at, updated_at, due_at, completed_at, \
         conversation_id"
    };
}
pub(crate) use action_item_columns;
