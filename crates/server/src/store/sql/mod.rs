//! The SQL of both stores, written once: plain generic functions over a [`Dialect`] (SQLite
//! or PostgreSQL), one module per resource, each with the store trait it implements for every
//! [`Backend`].
//!
//! SQLite and PostgreSQL accept every statement here as written: `$1`-style parameters
//! (sqlx's SQLite driver binds them by number), `ON CONFLICT ... DO NOTHING` and
//! `DO UPDATE ... WHERE`, `RETURNING`, `FALSE`, and the columns of [`super::rows`], which
//! both schemas name and type alike. So ordering, conflicts and limits are the same in both
//! stores because the statements are the same statements. What only PostgreSQL says, the
//! row locks of a read-modify-write and of a job claim, is a [`Locking`] pair of texts.
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
//! monomorphized per database: no dynamic dispatch, no `Any` driver.

mod action_items;
mod backend;
mod conversations;
mod credentials;
mod embeddings;
mod export;
mod folders;
mod goals;
mod idempotency;
mod import;
mod jobs;
mod memories;
pub(crate) mod memory_search;
mod parts;
mod search;
mod search_index;
pub(crate) mod webhooks;

use omi_extract::search::QueryPhrase;
use sqlx::query::Query;
use sqlx::{Database, Encode, Executor, FromRow, IntoArguments, Pool, QueryBuilder, Type};

pub(crate) use backend::Backend;
pub(crate) use idempotency::remember;
pub(crate) use memories::index_words;
pub(crate) use memory_search::MemorySearchSql;
use memory_search::{MemoryStreams, StreamRow};
pub(crate) use search_index::{backfill_search_terms, summary_terms, text_terms};

/// The memory lists' statement, which the SQLite store also runs on its owned connections.
pub(crate) use memories::list as memories_list;

/// The list statements, for the tests that check which columns each reads.
#[cfg(test)]
pub(crate) mod lists {
    pub(crate) use super::action_items::list as action_items_list;
    pub(crate) use super::conversations::{
        developer_list as dev_conversations_list, integration_list as conversations_list,
    };
    pub(crate) use super::memories_list;
}

use super::StoreResult;
use super::rows::{
    ActionItemRow, AppKeyRow, AppRow, ConversationRow, DevConversationRow, DevKeyRow, FolderRow,
    IdempotencyRow, JobRow, MemoryRow, RankedActionItemRow, RankedConversationRow, SearchHitRow,
    map_err,
};

/// A database our statements run on: what they bind and read, and where.
pub(crate) trait Dialect:
    Database<Arguments: IntoArguments<Self>>
    + Binds<'static, i64>
    + Binds<'static, Option<i64>>
    + Binds<'static, i32>
    + Binds<'static, bool>
    + Binds<'static, Option<bool>>
    + Binds<'static, String>
    + Binds<'static, Vec<u8>>
    + Binds<'static, Option<Vec<u8>>>
    + for<'a> Binds<'a, &'a str>
    + for<'a> Binds<'a, Option<&'a str>>
    + ReadsRow<IdempotencyRow>
    + ReadsRow<MemoryRow>
    + ReadsRow<ConversationRow>
    + ReadsRow<DevConversationRow>
    + ReadsRow<ActionItemRow>
    + ReadsRow<JobRow>
    + ReadsRow<AppRow>
    + ReadsRow<AppKeyRow>
    + ReadsRow<DevKeyRow>
    + ReadsRow<FolderRow>
    + ReadsRow<(i64, i64)>
    + ReadsRow<(i64,)>
    + ReadsRow<(String,)>
    + ReadsRow<(String, String)>
    + ReadsRow<(String, String, String)>
    + ReadsRow<(String, i64)>
    + ReadsRow<webhooks::WebhookRow>
    + ReadsRow<webhooks::DeliveryRow>
    + ReadsRow<(String, String, String, i64)>
    + ReadsRow<(String, Vec<u8>)>
    + ReadsRow<SearchHitRow>
    + ReadsRow<StreamRow>
    + ReadsRow<RankedConversationRow>
    + ReadsRow<RankedActionItemRow>
    + ReadsRow<jobs::UserEditsRow>
    + ReadsRow<jobs::JobIdRow>
    + ReadsRow<action_items::StructuredRow>
{
    /// Whether a read-modify-write locks the rows it reads (PostgreSQL, where writes run
    /// side by side); SQLite's one writer already serializes every write.
    const LOCKS_ROWS: bool;

    /// Whether one query may hold several statements, `$N` naming the same argument in each
    /// (SQLite: sqlx runs them all in one call to the connection's thread, so a write that
    /// needs several statements costs one hand-off to the driver instead of one each).
    const STATEMENTS_IN_ONE_QUERY: bool;

    /// A connection (or transaction) as an executor.
    fn on(conn: &mut Self::Connection) -> impl Executor<'_, Database = Self>;

    /// A pool as an executor.
    fn on_pool(pool: &Pool<Self>) -> impl Executor<'_, Database = Self>;

    /// How many rows a statement changed.
    fn rows_affected(done: &Self::QueryResult) -> u64;

    /// How this database finds a user's memories by their search terms.
    const MEMORY_SEARCH: MemorySearchSql;

    /// One phrase as this database's full-text query: its terms in order side by side (the
    /// last as a prefix when the phrase says so).
    fn match_phrase(phrase: &QueryPhrase) -> String;

    /// The full-text operators joining two queries: `[any, every]`.
    const MATCH_JOINERS: [&'static str; 2];

    /// `phrases` as this database's full-text query: any phrase matches.
    fn match_query(phrases: &[QueryPhrase]) -> String {
        join_phrases::<Self>(phrases, Self::MATCH_JOINERS[0])
    }

    /// `phrases` as this database's full-text query: every phrase matches.
    fn match_every_query(phrases: &[QueryPhrase]) -> String {
        join_phrases::<Self>(phrases, Self::MATCH_JOINERS[1])
    }

    /// ` AND` a condition on `conversations` that its terms match the [`Dialect::match_query`]
    /// pushed between the two parts.
    const CONVERSATION_MATCHES: [&'static str; 2];

    /// The Developer API's ranked conversation search, in two parts: before the match query,
    /// and between it and the user's id (the date filters follow); rows of
    /// [`RankedConversationRow`] of completed, kept conversations.
    const RANKED_CONVERSATIONS: [&'static str; 2];

    /// The `ORDER BY` of [`Dialect::RANKED_CONVERSATIONS`].
    const RANKED_CONVERSATIONS_ORDER: &'static str;

    /// The Developer API's ranked action item search, in two parts as
    /// [`Dialect::RANKED_CONVERSATIONS`]; rows of [`RankedActionItemRow`].
    const RANKED_ACTION_ITEMS: [&'static str; 2];

    /// The `ORDER BY` of [`Dialect::RANKED_ACTION_ITEMS`].
    const RANKED_ACTION_ITEMS_ORDER: &'static str;

    /// ` AND` a condition that the user speaks in a conversation (a transcript segment with
    /// `is_user`).
    const USER_SPEAKS: &'static str;

    /// ` AND` a condition that the person whose id is pushed between the parts speaks in a
    /// conversation (a transcript segment with that `person_id`).
    const PERSON_SPEAKS: [&'static str; 2];

    /// The text of `statement` this database runs.
    fn text(statement: &Locking) -> &'static str {
        if Self::LOCKS_ROWS {
            statement.locked
        } else {
            statement.unlocked
        }
    }
}

/// A statement with and without its row lock (`FOR UPDATE`, `FOR UPDATE SKIP LOCKED`);
/// [`Dialect::text`] picks the one a database runs. Made by [`locking!`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Locking {
    /// Without the lock (SQLite).
    pub(crate) unlocked: &'static str,
    /// With it (PostgreSQL).
    pub(crate) locked: &'static str,
}

/// `locking!("SELECT ...", lock: " FOR UPDATE", then: ")")`: a [`Locking`] statement
/// whose lock goes between the two parts (`then` may be left out). Each part is a literal
/// or a macro expanding to one (`memory_columns!()`), as `concat!` takes.
macro_rules! locking {
    ($($before:expr),+ ; lock: $lock:literal $(; then: $($after:expr),+)?) => {
        $crate::store::sql::Locking {
            unlocked: concat!($($before),+ $(, $($after),+)?),
            locked: concat!($($before),+, $lock $(, $($after),+)?),
        }
    };
}
pub(crate) use locking;

/// A database that can bind a `T` (encoded for `'t`) as a statement parameter.
pub(crate) trait Binds<'t, T>: Database {
    /// `query` with `value` bound as its next parameter.
    fn bind_to(
        query: Query<'_, Self, Self::Arguments>,
        value: T,
    ) -> Query<'_, Self, Self::Arguments>;

    /// Bind `value` as the next parameter of `builder`, and push its placeholder.
    fn push_to(builder: &mut QueryBuilder<Self>, value: T);
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

    fn push_to(builder: &mut QueryBuilder<Self>, value: T) {
        builder.push_bind(value);
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

/// `row` read as a `T`, its errors as the store's.
pub(crate) fn read<DB: ReadsRow<T>, T>(row: &DB::Row) -> StoreResult<T> {
    DB::read_row(row).map_err(map_err)
}

/// `.arg(value)`: bind through the statement's [`Dialect`], so generic code can chain binds.
pub(crate) trait Arg<DB: Database>: Sized {
    /// The query with `value` bound as its next parameter.
    fn arg<'t, T>(self, value: T) -> Self
    where
        DB: Binds<'t, T>;
}

impl<DB: Database> Arg<DB> for Query<'_, DB, DB::Arguments> {
    fn arg<'t, T>(self, value: T) -> Self
    where
        DB: Binds<'t, T>,
    {
        DB::bind_to(self, value)
    }
}

/// `.push_arg(value)`: [`QueryBuilder::push_bind`] through the builder's [`Dialect`].
pub(crate) trait PushArg<DB: Database> {
    /// Bind `value` and push its placeholder.
    fn push_arg<'t, T>(&mut self, value: T) -> &mut Self
    where
        DB: Binds<'t, T>;
}

impl<DB: Database> PushArg<DB> for QueryBuilder<DB> {
    fn push_arg<'t, T>(&mut self, value: T) -> &mut Self
    where
        DB: Binds<'t, T>,
    {
        DB::push_to(self, value);
        self
    }
}

/// `phrases` as `DB`'s full-text query, each phrase's query joined by `joiner`.
fn join_phrases<DB: Dialect>(phrases: &[QueryPhrase], joiner: &str) -> String {
    let written: Vec<String> = phrases.iter().map(DB::match_phrase).collect();
    written.join(joiner)
}

impl Dialect for sqlx::Sqlite {
    const LOCKS_ROWS: bool = false;
    const STATEMENTS_IN_ONE_QUERY: bool = true;

    // Row numbers start with the memory's length (migration 0016): each phrase's matches
    // come shortest first, and the search stops when its page is final.
    const MEMORY_SEARCH: MemorySearchSql = MemorySearchSql::Streams(MemoryStreams {
        count: "SELECT COUNT(*) FROM (SELECT 1 FROM memory_search \
                WHERE memory_search MATCH $1 LIMIT $2)",
        size: "SELECT COALESCE(MAX(row), 0) FROM memory_search_rows",
        pending: "SELECT p.row AS row, m.id AS id, m.content AS content, \
                  m.category AS category, m.search_terms AS terms \
                  FROM memory_search_pending AS p \
                  JOIN memory_search_rows AS r ON r.row = (p.row & 1099511627775) \
                  JOIN memories AS m ON m.id = r.memory_id AND m.uid = $1",
        stream: "SELECT s.row AS row, m.id AS id, m.content AS content, \
                 m.category AS category, m.search_terms AS terms \
                 FROM (SELECT rowid AS row FROM memory_search \
                       WHERE memory_search MATCH $1 AND rowid > $2 ORDER BY rowid LIMIT $3) AS s \
                 LEFT JOIN memory_search_rows AS r ON r.row = (s.row & 1099511627775) \
                 LEFT JOIN memories AS m ON m.id = r.memory_id AND m.uid = $4 \
                 ORDER BY s.row",
    });

    const CONVERSATION_MATCHES: [&'static str; 2] = [
        " AND id IN (SELECT r.conversation_id FROM conversation_search AS s \
         CROSS JOIN conversation_search_rows AS r WHERE s.conversation_search MATCH ",
        " AND r.row = s.rowid)",
    ];

    const RANKED_CONVERSATIONS: [&'static str; 2] = [
        concat!(
            "SELECT ",
            dev_conversation_columns!(),
            ", text, -s.rank / (1.0 - s.rank) AS score \
             FROM conversation_search AS s CROSS JOIN conversation_search_rows AS r \
             CROSS JOIN conversations AS c WHERE s.conversation_search MATCH "
        ),
        " AND r.row = s.rowid AND c.id = r.conversation_id AND status = 'completed' \
         AND discarded = FALSE AND uid = ",
    ];

    const RANKED_CONVERSATIONS_ORDER: &'static str = "ORDER BY s.rank, c.id";

    const RANKED_ACTION_ITEMS: [&'static str; 2] = [
        concat!(
            "SELECT ",
            action_item_columns!(),
            ", -s.rank / (1.0 - s.rank) AS score \
             FROM action_item_search AS s CROSS JOIN action_item_search_rows AS r \
             CROSS JOIN action_items AS a WHERE s.action_item_search MATCH "
        ),
        " AND r.row = s.rowid AND a.id = r.action_item_id AND uid = ",
    ];

    const RANKED_ACTION_ITEMS_ORDER: &'static str = "ORDER BY s.rank, a.id";

    const USER_SPEAKS: &'static str = " AND json_valid(transcript_segments) AND EXISTS \
         (SELECT 1 FROM json_each(transcript_segments) WHERE json_extract(value, '$.is_user') = 1)";

    const PERSON_SPEAKS: [&'static str; 2] = [
        " AND json_valid(transcript_segments) AND EXISTS (SELECT 1 FROM \
         json_each(transcript_segments) WHERE json_extract(value, '$.person_id') = ",
        ")",
    ];

    /// FTS5: `"b c"`, `"d"*`.
    fn match_phrase(phrase: &QueryPhrase) -> String {
        let star = if phrase.prefix { "*" } else { "" };
        format!("\"{}\"{star}", phrase.terms.join(" ").replace('"', "\"\""))
    }

    /// FTS5: `"a" OR "b c"`, `"a" AND "b c"`.
    const MATCH_JOINERS: [&'static str; 2] = [" OR ", " AND "];

    fn on(conn: &mut Self::Connection) -> impl Executor<'_, Database = Self> {
        conn
    }

    fn on_pool(pool: &Pool<Self>) -> impl Executor<'_, Database = Self> {
        pool
    }

    fn rows_affected(done: &Self::QueryResult) -> u64 {
        done.rows_affected()
    }
}

impl Dialect for sqlx::Postgres {
    const LOCKS_ROWS: bool = true;
    const STATEMENTS_IN_ONE_QUERY: bool = false;

    // Normalization 32 maps the rank into [0, 1): rank / (rank + 1).
    const MEMORY_SEARCH: MemorySearchSql = MemorySearchSql::Ranked(
        "SELECT id, content, category, \
         ts_rank_cd(search, q, 32)::float8 AS score \
         FROM memories, to_tsquery('simple'::regconfig, $2) AS q \
         WHERE uid = $1 AND search @@ q ORDER BY score DESC, id LIMIT $3",
    );

    const CONVERSATION_MATCHES: [&'static str; 2] =
        [" AND search @@ to_tsquery('simple'::regconfig, ", ")"];

    const RANKED_CONVERSATIONS: [&'static str; 2] = [
        concat!(
            "SELECT ",
            dev_conversation_columns!(),
            ", text, ts_rank_cd(search, q, 32)::float8 AS score \
             FROM conversations, to_tsquery('simple'::regconfig, "
        ),
        ") AS q WHERE search @@ q AND status = 'completed' AND discarded = FALSE AND uid = ",
    ];

    const RANKED_CONVERSATIONS_ORDER: &'static str = "ORDER BY score DESC, id";

    const RANKED_ACTION_ITEMS: [&'static str; 2] = [
        concat!(
            "SELECT ",
            action_item_columns!(),
            ", ts_rank_cd(search, q, 32)::float8 AS score \
             FROM action_items, to_tsquery('simple'::regconfig, "
        ),
        ") AS q WHERE search @@ q AND uid = ",
    ];

    const RANKED_ACTION_ITEMS_ORDER: &'static str = "ORDER BY score DESC, id";

    const USER_SPEAKS: &'static str =
        " AND transcript_segments::jsonb @> '[{\"is_user\": true}]'::jsonb";

    const PERSON_SPEAKS: [&'static str; 2] = [
        " AND transcript_segments::jsonb @> jsonb_build_array(jsonb_build_object('person_id', ",
        "::text))",
    ];

    /// `tsquery`: `('b' <-> 'c')`, `('d':*)`.
    fn match_phrase(phrase: &QueryPhrase) -> String {
        let lexeme = |t: &str| format!("'{}'", t.replace('\\', "\\\\").replace('\'', "''"));
        let terms: Vec<String> = phrase.terms.iter().map(|t| lexeme(t)).collect();
        let star = if phrase.prefix { ":*" } else { "" };
        format!("({}{star})", terms.join(" <-> "))
    }

    /// `tsquery`: `('a') | ('b' <-> 'c')`, `('a') & ('b' <-> 'c')`.
    const MATCH_JOINERS: [&'static str; 2] = [" | ", " & "];

    fn on(conn: &mut Self::Connection) -> impl Executor<'_, Database = Self> {
        conn
    }

    fn on_pool(pool: &Pool<Self>) -> impl Executor<'_, Database = Self> {
        pool
    }

    fn rows_affected(done: &Self::QueryResult) -> u64 {
        done.rows_affected()
    }
}

/// The columns a memory object is built from (`MemoryRow`): every column but `uid` and
/// `content_key`. The driver copies each value of each row, so every read names the columns
/// its answer is built from, and a list reads no more than it returns.
macro_rules! memory_columns {
    () => {
        "id, content, category, visibility, tags, created_at, updated_at, manually_added, \
         scoring, reviewed, user_review, edited, app_id, conversation_id, source_id, source_url"
    };
}
use memory_columns;

/// The columns a conversation object is built from (`ConversationRow`): every column but
/// `uid`, `updated_at` and `category` (which SQLite computes from `structured` on every read
/// of it, and which only the developer list's filter uses).
macro_rules! conversation_columns {
    () => {
        "id, source, language, created_at, started_at, finished_at, status, discarded, \
         geolocation, structured, failure_reason, starred, folder_id, \
         (SELECT name FROM folders WHERE folders.id = folder_id) AS folder_name, \
         transcript_segments, app_id, text, text_source, text_source_spec"
    };
}
use conversation_columns;

/// The columns the Developer API shows of a conversation (`DevConversationRow`): no
/// imported text, importing app or text source, which its routes leave out, and no
/// transcript, which a list adds (`, transcript_segments`) only when it shows it.
macro_rules! dev_conversation_columns {
    () => {
        "id, source, language, created_at, started_at, finished_at, status, discarded, \
         geolocation, structured, failure_reason, starred, folder_id, \
         (SELECT name FROM folders WHERE folders.id = folder_id) AS folder_name"
    };
}
use dev_conversation_columns;

/// The columns an action item object is built from (`ActionItemRow`): every column but
/// `uid`.
macro_rules! action_item_columns {
    () => {
        "id, description, completed, created_at, updated_at, due_at, completed_at, \
         conversation_id"
    };
}
use action_item_columns;
