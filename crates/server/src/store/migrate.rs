//! Copying every record from one database to another: `omi-server admin migrate-data`.
//!
//! The main use is moving an embedded server's SQLite file onto PostgreSQL, where several
//! servers can share it, but any of the two backends can be copied to any. [`migrate_data`]:
//!
//! 1. refuses when both URLs name the same database, or a SQLite source does not exist;
//! 2. opens both databases with the stores' own openers, so both are migrated to the latest
//!    schema (the target is created if it is a new SQLite file);
//! 3. checks that each database has exactly the tables and columns of [`TABLES`] (generated
//!    columns and migration bookkeeping aside), so a migration that adds a column or a table
//!    this list forgets makes the copy refuse instead of silently dropping data;
//! 4. refuses when the target holds any row;
//! 5. reads every table in primary-key order, a page at a time (keyset pagination), from one
//!    snapshot of the source (a read transaction), and inserts the rows into the target inside
//!    **one transaction**, committed at the end: a failure anywhere leaves the target without
//!    a row (only its schema, from step 2, remains; on PostgreSQL the jobs' identity sequence
//!    may have moved, which only skips ids).
//!
//! Rows go through sqlx's `Any` driver, each column read and bound as its known [`Kind`]:
//! flags are `INTEGER` 0/1 in SQLite and `BOOLEAN` in PostgreSQL, which the kind converts;
//! times are microseconds in both; JSON is text in both. Secrets exist only as hashes, and
//! are copied as such. Conversations' `category` is generated from `structured` by each
//! database, so it is not copied. Jobs keep their ids: on PostgreSQL they are inserted with
//! `OVERRIDING SYSTEM VALUE` and the identity sequence is moved past the largest, so new jobs
//! get larger ids; a job that was `running` (its process is gone) becomes `queued` and due at
//! once, so the target's workers run it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyConnection, AssertSqlSafe, Connection, Row, Transaction};

use super::StoreError;
use super::postgres::{PostgresOptions, PostgresStore};
use super::redacted_url;
use super::sqlite::SqliteStore;

/// The most rows read and inserted at a time.
const PAGE_ROWS: usize = 1000;

/// The most parameters one insert binds (SQLite allows 32 766, PostgreSQL 65 535); a page of
/// a wide table holds fewer rows than [`PAGE_ROWS`] so that its insert stays below this.
const MAX_PARAMETERS: usize = 16_384;

/// Tables a database may hold that are not copied: migration bookkeeping, the stores' list
/// of work to finish when they open (a new target's store did it already), and SQLite's
/// full-text indexes of memories, conversations and action items with their shadow tables, which the
/// target's triggers fill as the rows are inserted; and the vectors of memories, which the
/// target's embedder (if it has one) makes again.
const NOT_COPIED: &[&str] = &[
    "_sqlx_migrations",
    "store_tasks",
    "memory_search_rows",
    "memory_search_pending",
    "memory_search",
    "memory_search_data",
    "memory_search_idx",
    "memory_search_content",
    "memory_search_docsize",
    "memory_search_config",
    "conversation_search_rows",
    "conversation_search_pending",
    "conversation_search",
    "conversation_search_data",
    "conversation_search_idx",
    "conversation_search_content",
    "conversation_search_docsize",
    "conversation_search_config",
    "action_item_search_rows",
    "action_item_search",
    "action_item_search_data",
    "action_item_search_idx",
    "action_item_search_content",
    "action_item_search_docsize",
    "action_item_search_config",
    "memory_embeddings",
];

/// How a column's values are read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (ids, JSON, wire strings).
    Text,
    /// A 64-bit integer (times in microseconds, counts, job ids).
    Int,
    /// A flag: `INTEGER` 0/1 in SQLite, `BOOLEAN` in PostgreSQL.
    Flag,
    /// Bytes (`BLOB` / `BYTEA`).
    Bytes,
}

/// A table [`migrate_data`] copies.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// Its name.
    pub name: &'static str,
    /// How many of the leading columns make the primary key (the copy's order).
    pub key: usize,
    /// Every column that is not generated, primary key first.
    pub columns: &'static [(&'static str, Kind)],
    /// Whether its first column is an identity column on PostgreSQL (`jobs.id`): inserted
    /// with `OVERRIDING SYSTEM VALUE`, and its sequence moved past the largest copied value.
    pub identity: bool,
}

use Kind::{Bytes, Flag, Int, Text};

/// Every table with data, in an order where a row's references are copied before it.
pub const TABLES: &[Table] = &[
    Table {
        name: "users",
        key: 1,
        columns: &[("uid", Text), ("created_at", Int)],
        identity: false,
    },
    Table {
        name: "apps",
        key: 1,
        columns: &[
            ("id", Text),
            ("name", Text),
            ("capabilities", Text),
            ("created_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "app_keys",
        key: 1,
        columns: &[
            ("id", Text),
            ("app_id", Text),
            ("secret_hash", Text),
            ("label", Text),
            ("created_at", Int),
            ("revoked_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "app_enablements",
        key: 2,
        columns: &[("uid", Text), ("app_id", Text), ("enabled_at", Int)],
        identity: false,
    },
    Table {
        name: "dev_keys",
        key: 1,
        columns: &[
            ("id", Text),
            ("uid", Text),
            ("secret_hash", Text),
            ("label", Text),
            ("scopes", Text),
            ("created_at", Int),
            ("last_used_at", Int),
            ("revoked_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "conversations",
        key: 1,
        columns: &[
            ("id", Text),
            ("uid", Text),
            ("app_id", Text),
            ("source", Text),
            ("text", Text),
            ("text_source", Text),
            ("text_source_spec", Text),
            ("language", Text),
            ("created_at", Int),
            ("started_at", Int),
            ("finished_at", Int),
            ("status", Text),
            ("discarded", Flag),
            ("geolocation", Text),
            ("structured", Text),
            ("transcript_segments", Text),
            ("failure_reason", Text),
            ("updated_at", Int),
            ("title_set_by_user", Flag),
            ("discarded_set_by_user", Flag),
            ("summary_terms", Text),
            ("text_terms", Text),
            ("client_session_id", Text),
            ("client_device_id", Text),
            ("client_platform", Text),
            ("starred", Flag),
            ("folder_id", Text),
        ],
        identity: false,
    },
    Table {
        name: "folders",
        key: 1,
        columns: &[
            ("id", Text),
            ("uid", Text),
            ("name", Text),
            ("description", Text),
            ("color", Text),
            ("icon", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("sort_order", Int),
            ("is_default", Flag),
            ("is_system", Flag),
        ],
        identity: false,
    },
    Table {
        name: "memories",
        key: 1,
        columns: &[
            ("id", Text),
            ("uid", Text),
            ("content", Text),
            ("content_key", Text),
            ("category", Text),
            ("visibility", Text),
            ("tags", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("manually_added", Flag),
            ("scoring", Text),
            ("reviewed", Flag),
            ("user_review", Flag),
            ("edited", Flag),
            ("app_id", Text),
            ("conversation_id", Text),
            ("search_terms", Text),
            ("source_id", Text),
            ("source_url", Text),
        ],
        identity: false,
    },
    Table {
        name: "memory_words",
        key: 3,
        columns: &[("uid", Text), ("word", Text), ("memory_id", Text)],
        identity: false,
    },
    Table {
        name: "webhooks",
        key: 1,
        columns: &[
            ("id", Text),
            ("uid", Text),
            ("url", Text),
            ("description", Text),
            ("events", Int),
            ("secret", Text),
            ("created_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "webhook_deliveries",
        key: 1,
        columns: &[
            ("seq", Int),
            ("id", Text),
            ("webhook_id", Text),
            ("uid", Text),
            ("event", Text),
            ("subject_id", Text),
            ("payload", Text),
            ("status", Text),
            ("attempts", Int),
            ("attempt_log", Text),
            ("next_attempt_at", Int),
            ("created_at", Int),
            ("finished_at", Int),
        ],
        identity: true,
    },
    Table {
        name: "jobs",
        key: 1,
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("uid", Text),
            ("subject_id", Text),
            ("payload", Text),
            ("status", Text),
            ("attempts", Int),
            ("max_attempts", Int),
            ("run_after", Int),
            ("last_error", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        identity: true,
    },
    Table {
        name: "idempotency_keys",
        key: 2,
        columns: &[
            ("caller", Text),
            ("key", Text),
            ("fingerprint", Text),
            ("state", Text),
            ("status", Int),
            ("body", Bytes),
            ("created_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "action_items",
        key: 1,
        columns: &[
            ("id", Text),
            ("uid", Text),
            ("description", Text),
            ("completed", Flag),
            ("created_at", Int),
            ("updated_at", Int),
            ("due_at", Int),
            ("completed_at", Int),
            ("conversation_id", Text),
            ("search_terms", Text),
        ],
        identity: false,
    },
    Table {
        name: "goals",
        key: 2,
        columns: &[
            ("uid", Text),
            ("id", Text),
            ("created_at", Int),
            ("active", Flag),
            ("body", Text),
        ],
        identity: false,
    },
    Table {
        name: "goal_history",
        key: 3,
        columns: &[
            ("uid", Text),
            ("goal_id", Text),
            ("day", Text),
            ("body", Text),
        ],
        identity: false,
    },
];

/// Why [`migrate_data`] did not copy.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// Both URLs name the same database.
    #[error("--from and --to name the same database ({0})")]
    SameDatabase(String),
    /// A URL names a database this build cannot open.
    #[error("unsupported database URL {0}: use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    Unsupported(String),
    /// The SQLite file to copy from does not exist.
    #[error("there is no SQLite database at {0}")]
    NoSource(String),
    /// The target holds rows already.
    #[error(
        "the target database {url} is not empty (table {table} has rows): migrate-data copies only into a database without data"
    )]
    TargetNotEmpty {
        /// The target, its password hidden.
        url: String,
        /// A table with rows.
        table: &'static str,
    },
    /// A database's tables or columns are not the ones [`TABLES`] lists.
    #[error("the schema of {url} is not the one migrate-data copies: {differences}")]
    Schema {
        /// The database, its password hidden.
        url: String,
        /// What differs.
        differences: String,
    },
    /// A store could not open (or migrate) a database.
    #[error("could not open {url}")]
    Open {
        /// The database, its password hidden.
        url: String,
        /// Why.
        #[source]
        source: StoreError,
    },
    /// A statement failed.
    #[error("{context}")]
    Database {
        /// What was being done, naming the database without its password.
        context: String,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
}

/// What one table's copy moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCopy {
    /// The table.
    pub table: &'static str,
    /// How many rows were copied.
    pub rows: u64,
}

/// What [`migrate_data`] copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationSummary {
    /// The source, its password hidden.
    pub from: String,
    /// The target, its password hidden.
    pub to: String,
    /// Rows per table, in copy order.
    pub tables: Vec<TableCopy>,
    /// Rows in all.
    pub rows: u64,
    /// Jobs that were running in the source and are queued, due now, in the target.
    pub requeued_jobs: u64,
}

impl fmt::Display for MigrationSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "copied {} rows from {} to {}",
            self.rows, self.from, self.to
        )?;
        for table in &self.tables {
            writeln!(f, "{}: {}", table.table, table.rows)?;
        }
        writeln!(f, "running jobs requeued: {}", self.requeued_jobs)
    }
}

/// The two kinds of database, told apart by their URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn of(url: &str) -> Result<Self, MigrateError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else {
            Err(MigrateError::Unsupported(redacted_url(url)))
        }
    }
}

/// A database given on the command line: its URL, how it is shown, and its backend.
#[derive(Debug)]
struct Database<'a> {
    url: &'a str,
    shown: String,
    backend: Backend,
}

impl<'a> Database<'a> {
    fn new(url: &'a str) -> Result<Self, MigrateError> {
        Ok(Self {
            url,
            shown: redacted_url(url),
            backend: Backend::of(url)?,
        })
    }

    /// Open it with its store, which applies the migrations, then close it again.
    async fn migrate(&self) -> Result<(), MigrateError> {
        let failed = |source| MigrateError::Open {
            url: self.shown.clone(),
            source,
        };
        match self.backend {
            Backend::Sqlite => {
                SqliteStore::open(self.url, 1)
                    .await
                    .map_err(failed)?
                    .close()
                    .await
            }
            Backend::Postgres => {
                let options = PostgresOptions {
                    max_connections: 1,
                    ..PostgresOptions::default()
                };
                PostgresStore::open(self.url, options)
                    .await
                    .map_err(failed)?
                    .close()
                    .await;
            }
        }
        Ok(())
    }

    /// A connection through the `Any` driver.
    async fn connect(&self) -> Result<AnyConnection, MigrateError> {
        sqlx::any::install_default_drivers();
        AnyConnection::connect(self.url)
            .await
            .map_err(failed(format!("connecting to {}", self.shown)))
    }

    /// The file of a SQLite database.
    fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let options = SqliteConnectOptions::from_str(self.url).ok()?;
        Some(options.get_filename().to_path_buf())
    }
}

/// Copy every row of every table of [`TABLES`] from the database at `from` to the one at `to`
/// (`sqlite://PATH` or `postgres://...`), as described in the [module documentation](self).
pub async fn migrate_data(from: &str, to: &str) -> Result<MigrationSummary, MigrateError> {
    let (source, target) = (Database::new(from)?, Database::new(to)?);
    if same_database(&source, &target) {
        return Err(MigrateError::SameDatabase(target.shown));
    }
    if let Some(file) = source.sqlite_file().filter(|f| !f.exists()) {
        return Err(MigrateError::NoSource(file.display().to_string()));
    }
    tracing::info!(from = %source.shown, to = %target.shown, "migrating both databases to the latest schema");
    source.migrate().await?;
    target.migrate().await?;

    let mut source_conn = source.connect().await?;
    let mut target_conn = target.connect().await?;
    check_schema(&mut source_conn, &source).await?;
    check_schema(&mut target_conn, &target).await?;

    let mut read = source_conn
        .begin()
        .await
        .map_err(failed(format!("reading {}", source.shown)))?;
    if source.backend == Backend::Postgres {
        // One snapshot for every table, so the copy is consistent even if a server still runs.
        sqlx::raw_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *read)
            .await
            .map_err(failed(format!("reading {}", source.shown)))?;
    }
    let mut write = target_conn
        .begin()
        .await
        .map_err(failed(format!("writing {}", target.shown)))?;
    ensure_empty(&mut write, &target).await?;

    let mut tables = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let rows = copy_table(table, &mut read, &source, &mut write, &target).await?;
        tracing::info!(table = table.name, rows, "copied");
        tables.push(TableCopy {
            table: table.name,
            rows,
        });
    }
    let requeued_jobs = requeue_running_jobs(&mut write, &target).await?;
    if target.backend == Backend::Postgres {
        move_identities_past_copied_ids(&mut write, &target).await?;
    }
    write
        .commit()
        .await
        .map_err(failed(format!("committing the copy to {}", target.shown)))?;
    // The source was only read; ending its transaction either way changes nothing.
    let _ = read.rollback().await;
    let rows = tables.iter().map(|t| t.rows).sum();
    tracing::info!(rows, requeued_jobs, "migration committed");
    Ok(MigrationSummary {
        from: source.shown,
        to: target.shown,
        tables,
        rows,
        requeued_jobs,
    })
}

/// Whether two URLs name one database: the same URL, or the same SQLite file.
fn same_database(a: &Database<'_>, b: &Database<'_>) -> bool {
    if a.url.trim() == b.url.trim() {
        return true;
    }
    match (a.sqlite_file(), b.sqlite_file()) {
        (Some(a), Some(b)) => match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        },
        _ => false,
    }
}

/// A `map_err` turning a sqlx error into [`MigrateError::Database`] with `context`.
fn failed(context: String) -> impl FnOnce(sqlx::Error) -> MigrateError {
    move |source| MigrateError::Database { context, source }
}

/// Fail unless the database has exactly the tables and (non-generated) columns of [`TABLES`].
async fn check_schema(conn: &mut AnyConnection, db: &Database<'_>) -> Result<(), MigrateError> {
    let sql = match db.backend {
        Backend::Sqlite => {
            // `pragma_table_info` leaves generated columns out.
            "SELECT m.name, p.name FROM sqlite_master AS m, pragma_table_info(m.name) AS p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        }
        Backend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND is_generated = 'NEVER'"
        }
    };
    let rows = sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .map_err(failed(format!("reading the schema of {}", db.shown)))?;
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in rows {
        let (table, column): (String, String) = (
            row.try_get(0)
                .map_err(failed(format!("reading the schema of {}", db.shown)))?,
            row.try_get(1)
                .map_err(failed(format!("reading the schema of {}", db.shown)))?,
        );
        if !NOT_COPIED.contains(&table.as_str()) {
            found.entry(table).or_default().insert(column);
        }
    }
    let differences = schema_differences(&found);
    if differences.is_empty() {
        Ok(())
    } else {
        Err(MigrateError::Schema {
            url: db.shown.clone(),
            differences: differences.join("; "),
        })
    }
}

/// What differs between the tables and columns `found` in a database and [`TABLES`].
fn schema_differences(found: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut differences = Vec::new();
    for table in TABLES {
        let Some(columns) = found.get(table.name) else {
            differences.push(format!("table {} is missing", table.name));
            continue;
        };
        let listed: BTreeSet<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        for column in columns.iter().filter(|c| !listed.contains(c.as_str())) {
            differences.push(format!(
                "column {}.{column} is not copied (add it to store::migrate::TABLES)",
                table.name
            ));
        }
        for column in listed.iter().filter(|c| !columns.contains(**c)) {
            differences.push(format!("column {}.{column} is missing", table.name));
        }
    }
    for table in found.keys() {
        if !TABLES.iter().any(|t| t.name == table) {
            differences.push(format!(
                "table {table} is not copied (add it to store::migrate::TABLES)"
            ));
        }
    }
    differences
}

/// Fail when any table of the target has a row.
async fn ensure_empty(
    write: &mut Transaction<'_, Any>,
    target: &Database<'_>,
) -> Result<(), MigrateError> {
    for table in TABLES {
        let sql = format!("SELECT 1 FROM \"{}\" LIMIT 1", table.name);
        let row = sqlx::query(AssertSqlSafe(sql))
            .fetch_optional(&mut **write)
            .await
            .map_err(failed(format!(
                "reading {} of {}",
                table.name, target.shown
            )))?;
        if row.is_some() {
            return Err(MigrateError::TargetNotEmpty {
                url: target.shown.clone(),
                table: table.name,
            });
        }
    }
    Ok(())
}

/// Copy one table, a page at a time; the number of rows copied.
async fn copy_table(
    table: &Table,
    read: &mut Transaction<'_, Any>,
    source: &Database<'_>,
    write: &mut Transaction<'_, Any>,
    target: &Database<'_>,
) -> Result<u64, MigrateError> {
    let page = PAGE_ROWS.min(MAX_PARAMETERS / table.columns.len()).max(1);
    let flags_as_ints = source.backend == Backend::Sqlite;
    let overriding = table.identity && target.backend == Backend::Postgres;
    let mut after: Option<Vec<Value>> = None;
    let mut copied = 0;
    loop {
        let sql = table.select(after.is_some(), page);
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for value in after.take().into_iter().flatten() {
            query = value.bind(query);
        }
        let rows = query.fetch_all(&mut **read).await.map_err(failed(format!(
            "reading {} from {}",
            table.name, source.shown
        )))?;
        if rows.is_empty() {
            return Ok(copied);
        }
        let values = rows
            .iter()
            .map(|row| table.read(row, flags_as_ints))
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed(format!(
                "reading {} from {}",
                table.name, source.shown
            )))?;
        let full = values.len() == page;
        let mut insert = sqlx::query(AssertSqlSafe(table.insert(values.len(), overriding)));
        for value in values.iter().flatten() {
            insert = value.clone().bind(insert);
        }
        insert.execute(&mut **write).await.map_err(failed(format!(
            "writing {} to {}",
            table.name, target.shown
        )))?;
        copied += values.len() as u64;
        tracing::debug!(table = table.name, rows = copied, "copying");
        if !full {
            return Ok(copied);
        }
        after = values.last().map(|row| row[..table.key].to_vec());
    }
}

/// Make the jobs a dead process held (`running`) claimable at once; how many there were.
async fn requeue_running_jobs(
    write: &mut Transaction<'_, Any>,
    target: &Database<'_>,
) -> Result<u64, MigrateError> {
    let now = chrono::Utc::now().timestamp_micros();
    let done = sqlx::query(
        "UPDATE jobs SET status = 'queued', run_after = $1, updated_at = $1 \
         WHERE status = 'running'",
    )
    .bind(now)
    .execute(&mut **write)
    .await
    .map_err(failed(format!(
        "requeueing running jobs in {}",
        target.shown
    )))?;
    Ok(done.rows_affected())
}

/// Move each identity column's sequence to the largest copied value, so the next row gets a
/// larger one (with no rows, the sequence stays where it is).
async fn move_identities_past_copied_ids(
    write: &mut Transaction<'_, Any>,
    target: &Database<'_>,
) -> Result<(), MigrateError> {
    for table in TABLES.iter().filter(|t| t.identity) {
        let (name, column) = (table.name, table.columns[0].0);
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{name}', '{column}'), max(\"{column}\")) \
             FROM \"{name}\""
        );
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut **write)
            .await
            .map_err(failed(format!(
                "moving the {name} id sequence of {}",
                target.shown
            )))?;
    }
    Ok(())
}

impl Table {
    /// `"a", "b", ...`: the names of `columns`, quoted.
    fn names(columns: &[(&str, Kind)]) -> String {
        let quoted: Vec<String> = columns
            .iter()
            .map(|(name, _)| format!("\"{name}\""))
            .collect();
        quoted.join(", ")
    }

    /// `($first, ..., $(first + n - 1))`.
    fn placeholders(first: usize, n: usize) -> String {
        let params: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
        format!("({})", params.join(", "))
    }

    /// A page of at most `limit` rows in key order, after the key bound as `$1...` if `after`.
    fn select(&self, after: bool, limit: usize) -> String {
        let key = Self::names(&self.columns[..self.key]);
        let bound = if after {
            format!(" WHERE ({key}) > {}", Self::placeholders(1, self.key))
        } else {
            String::new()
        };
        format!(
            "SELECT {} FROM \"{}\"{bound} ORDER BY {key} LIMIT {limit}",
            Self::names(self.columns),
            self.name
        )
    }

    /// An insert of `rows` rows, bound in column order.
    fn insert(&self, rows: usize, overriding: bool) -> String {
        let width = self.columns.len();
        let values: Vec<String> = (0..rows)
            .map(|r| Self::placeholders(r * width + 1, width))
            .collect();
        format!(
            "INSERT INTO \"{}\" ({}){} VALUES {}",
            self.name,
            Self::names(self.columns),
            if overriding {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            },
            values.join(", ")
        )
    }

    /// A row's values, in column order.
    fn read(&self, row: &AnyRow, flags_as_ints: bool) -> Result<Vec<Value>, sqlx::Error> {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| Value::read(row, i, *kind, flags_as_ints))
            .collect()
    }
}

/// One value of a row, as its column's [`Kind`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Flag(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

impl Value {
    /// Column `i` of `row`; a flag is read as an integer (non-zero is true) when the source
    /// stores flags as integers (SQLite).
    fn read(row: &AnyRow, i: usize, kind: Kind, flags_as_ints: bool) -> Result<Self, sqlx::Error> {
        Ok(match kind {
            Text => Self::Text(row.try_get(i)?),
            Int => Self::Int(row.try_get(i)?),
            Flag if flags_as_ints => Self::Flag(row.try_get::<Option<i64>, _>(i)?.map(|n| n != 0)),
            Flag => Self::Flag(row.try_get(i)?),
            Bytes => Self::Bytes(row.try_get(i)?),
        })
    }

    /// Bind it as the next parameter of `query` (a flag binds as `BOOLEAN` on PostgreSQL and
    /// as 0/1 on SQLite).
    fn bind<'q>(self, query: Query<'q, Any, AnyArguments>) -> Query<'q, Any, AnyArguments> {
        match self {
            Self::Text(v) => query.bind(v),
            Self::Int(v) => query.bind(v),
            Self::Flag(v) => query.bind(v),
            Self::Bytes(v) => query.bind(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_read_in_key_order_after_the_last_key() {
        let words = TABLES.iter().find(|t| t.name == "memory_words").unwrap();
        assert_eq!(
            words.select(false, 1000),
            r#"SELECT "uid", "word", "memory_id" FROM "memory_words" ORDER BY "uid", "word", "memory_id" LIMIT 1000"#
        );
        assert_eq!(
            words.select(true, 10),
            r#"SELECT "uid", "word", "memory_id" FROM "memory_words" WHERE ("uid", "word", "memory_id") > ($1, $2, $3) ORDER BY "uid", "word", "memory_id" LIMIT 10"#
        );
        assert_eq!(
            words.insert(2, false),
            r#"INSERT INTO "memory_words" ("uid", "word", "memory_id") VALUES ($1, $2, $3), ($4, $5, $6)"#
        );
        let jobs = TABLES.iter().find(|t| t.name == "jobs").unwrap();
        let insert = jobs.insert(1, true);
        assert!(
            insert.starts_with(r#"INSERT INTO "jobs" ("id", "kind", "#),
            "{insert}"
        );
        assert!(
            insert.contains(r#""updated_at") OVERRIDING SYSTEM VALUE VALUES ($1, $2, "#),
            "{insert}"
        );
    }

    #[test]
    fn every_page_insert_stays_under_the_parameter_limit() {
        for table in TABLES {
            let page = PAGE_ROWS.min(MAX_PARAMETERS / table.columns.len());
            assert!(page >= 100, "{}", table.name);
            assert!(
                page * table.columns.len() <= MAX_PARAMETERS,
                "{}",
                table.name
            );
        }
    }

    #[test]
    fn a_column_or_table_the_list_misses_is_a_difference() {
        let mut found: BTreeMap<String, BTreeSet<String>> = TABLES
            .iter()
            .map(|t| {
                let columns = t.columns.iter().map(|(c, _)| (*c).to_owned()).collect();
                (t.name.to_owned(), columns)
            })
            .collect();
        assert!(schema_differences(&found).is_empty());
        found
            .get_mut("memories")
            .unwrap()
            .insert("pinned".to_owned());
        found.insert("notes".to_owned(), BTreeSet::new());
        found.remove("action_items");
        assert_eq!(
            schema_differences(&found),
            [
                "column memories.pinned is not copied (add it to store::migrate::TABLES)",
                "table action_items is missing",
                "table notes is not copied (add it to store::migrate::TABLES)",
            ]
        );
    }
}
