//! The command line of the `omi-server` binary: its clap types (commands, flags and their
//! environment variables), apart from what the commands do (`main.rs`).

use std::net::SocketAddr;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use omi_extract::{EmbeddingsConfig, ExtractorConfig, LlmConfig};
use omi_model::{ApiKey, Capability, DevScope};
use omi_server::ratelimit::{RateLimitMode, RedisConfig};
use omi_server::semantic::SemanticConfig;
use omi_server::server::DEFAULT_DATABASE_URL;
use omi_server::store::postgres::PostgresOptions;
use omi_server::store::sqlite::Synchronous;
use omi_server::webhooks::WebhookConfig;

/// A self-hostable server for OMI's Integration Imports and Developer APIs.
#[derive(Debug, Parser)]
#[command(name = "omi-server", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the server (the default when no command is given).
    Serve(Box<ServeArgs>),
    /// Create the demo user, app and keys if missing, and print them as JSON without serving.
    Demo {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Print JSON (the only format; accepted for symmetry with admin).
        #[arg(long)]
        json: bool,
        /// The address the server listens on (as `serve` takes it, also from OMI_ADDR): the
        /// printed `base_url` points there.
        #[arg(long, env = "OMI_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Print the OpenAPI 3.1 document of the API as JSON (what `GET /openapi.json` serves and
    /// `cargo xtask codegen` writes to docs/openapi.json).
    Openapi,
    /// Serve the Model Context Protocol on standard input and output, for MCP clients that
    /// start a process (the HTTP transport is served by `serve`, at `/v1/mcp`). The tools act
    /// with one developer key: on a local database, or through a server with `--url`.
    Mcp(McpArgs),
    /// Manage users, apps, keys and conversation folders.
    Admin {
        /// The database URL.
        #[arg(long, global = true, env = "OMI_DATABASE_URL", hide_env_values = true, default_value = DEFAULT_DATABASE_URL)]
        database: String,
        /// Print JSON.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Clone, Args)]
pub(crate) struct DatabaseArgs {
    /// The database URL.
    #[arg(long, env = "OMI_DATABASE_URL", hide_env_values = true, default_value = DEFAULT_DATABASE_URL)]
    pub(crate) database: String,
}

/// `omi-server mcp`.
#[derive(Debug, Args)]
pub(crate) struct McpArgs {
    /// Serve on standard input and output (the one transport of this command).
    #[arg(long)]
    pub(crate) stdio: bool,
    /// The developer key every tool call acts with (its scopes decide which tools work).
    #[arg(long, env = "OMI_API_KEY", hide_env_values = true)]
    pub(crate) key: ApiKey,
    /// Call this server over HTTP (ours or https://api.omi.me) instead of opening a database.
    #[arg(long, env = "OMI_URL", value_name = "URL")]
    pub(crate) url: Option<String>,
    #[command(flatten)]
    pub(crate) db: DatabaseArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct ServeArgs {
    /// Where to listen.
    #[arg(long, env = "OMI_ADDR", default_value = "127.0.0.1:8080")]
    pub(crate) addr: SocketAddr,
    #[command(flatten)]
    pub(crate) db: DatabaseArgs,
    /// Log format.
    #[arg(long, env = "OMI_LOG_FORMAT", value_enum, default_value = "pretty")]
    pub(crate) log_format: LogFormat,
    /// Jobs processed at once.
    #[arg(long, env = "OMI_WORKER_CONCURRENCY", default_value_t = 2)]
    pub(crate) worker_concurrency: usize,
    /// Seconds a claimed job stays leased to its worker (default 30). A job whose process
    /// died is run again only once its lease runs out, so this bounds how long work that a
    /// crash interrupted waits after a restart; keep it above the longest processing time.
    #[arg(long, env = "OMI_WORKER_LEASE", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) worker_lease: Option<u64>,
    /// Rate limits: on (generous), off, or cloud (OMI's values).
    #[arg(long, env = "OMI_RATE_LIMITS", value_enum, default_value = "on")]
    pub(crate) rate_limits: RateLimitMode,
    /// Redis that shares the rate limits between server processes,
    /// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]; without it each process limits on its own.
    /// If Redis fails, requests are limited per process until it answers again; they never fail
    /// for it. Never printed or logged (only its host and port are).
    #[arg(
        long,
        env = "OMI_REDIS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub(crate) redis_url: Option<String>,
    /// The start of every rate-limit key in Redis: processes with the same Redis and prefix
    /// share limits.
    #[arg(long, env = "OMI_REDIS_KEY_PREFIX", default_value = RedisConfig::DEFAULT_KEY_PREFIX)]
    pub(crate) redis_key_prefix: String,
    /// The largest request body, in bytes.
    #[arg(long, env = "OMI_BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub(crate) body_limit: usize,
    /// The largest body of an import (`POST /v1/dev/user/import`), in bytes; it is read as it
    /// arrives, never held whole.
    #[arg(long, env = "OMI_IMPORT_BODY_LIMIT", default_value_t = omi_server::http::HttpConfig::DEFAULT_IMPORT_BODY_LIMIT)]
    pub(crate) import_body_limit: usize,
    /// Seconds a request may take from its headers to its answer; longer ones are answered
    /// 503 with Retry-After.
    #[arg(long, env = "OMI_REQUEST_TIMEOUT", value_name = "SECONDS", default_value_t = omi_server::http::HttpConfig::DEFAULT_REQUEST_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) request_timeout: u64,
    /// Seconds a client may take to send its request headers (or stay idle between requests
    /// on a kept-alive connection) before the connection is closed.
    #[arg(long, env = "OMI_HEADER_READ_TIMEOUT", value_name = "SECONDS", default_value_t = omi_server::http::HttpConfig::DEFAULT_HEADER_READ_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) header_read_timeout: u64,
    /// The most API requests worked on at once; one more is answered at once with 503 and
    /// Retry-After, so that under overload every request gets a quick answer and memory stays
    /// bounded (health, readiness, metrics and docs are never refused).
    #[arg(long, env = "OMI_MAX_IN_FLIGHT", default_value_t = omi_server::http::HttpConfig::DEFAULT_MAX_IN_FLIGHT, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub(crate) max_in_flight: usize,
    /// Seconds a client may take to send its request body.
    #[arg(long, env = "OMI_BODY_READ_TIMEOUT", value_name = "SECONDS", default_value_t = omi_server::http::HttpConfig::DEFAULT_BODY_READ_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) body_read_timeout: u64,
    /// Seconds one attempt at a job may run before it fails and is retried.
    #[arg(long, env = "OMI_JOB_TIMEOUT", value_name = "SECONDS", default_value_t = omi_server::worker::WorkerConfig::DEFAULT_JOB_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) job_timeout: u64,
    /// Seconds a finished (done or failed) job is kept, with the text it processed, before
    /// it is deleted (default 7 days). The conversation, its status and what processing made
    /// stay.
    #[arg(long, env = "OMI_JOB_RETENTION", value_name = "SECONDS", default_value_t = omi_server::worker::WorkerConfig::DEFAULT_JOB_RETENTION.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) job_retention: u64,
    /// Seconds a found key, app or app enablement is trusted before it is read again (0:
    /// always read). A key revoked or an app disabled by another process, such as
    /// `omi-server admin` beside this server, stops working within this time.
    #[arg(
        long,
        env = "OMI_CREDENTIAL_TTL",
        value_name = "SECONDS",
        default_value_t = 10
    )]
    pub(crate) credential_ttl: u64,
    /// Let webhooks reach loopback, private and link-local addresses (127.0.0.1, 10.x,
    /// 192.168.x, 169.254.x, fc00::/7...). Off, such URLs are refused when a webhook is
    /// made and at every delivery: a user cannot make this server call its own network.
    #[arg(long, env = "OMI_WEBHOOKS_ALLOW_PRIVATE")]
    pub(crate) webhooks_allow_private: bool,
    /// Seconds one webhook delivery attempt may take (connection to answer).
    #[arg(long, env = "OMI_WEBHOOK_TIMEOUT", value_name = "SECONDS", default_value_t = WebhookConfig::default().timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..=300))]
    pub(crate) webhook_timeout: u64,
    /// Attempts per webhook delivery before it is marked failed (1 to 20).
    #[arg(long, env = "OMI_WEBHOOK_MAX_ATTEMPTS", default_value_t = WebhookConfig::default().max_attempts, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) webhook_max_attempts: u32,
    /// Milliseconds to wait after a delivery's first failed attempt; each later wait is three
    /// times longer (up to 6 hours), with ±20% jitter.
    #[arg(long, env = "OMI_WEBHOOK_RETRY_BASE_MS", value_name = "MILLISECONDS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub(crate) webhook_retry_base_ms: u64,
    /// Do not create demo credentials on an empty database (for deployments: make users,
    /// apps and keys with `omi-server admin`).
    #[arg(long, env = "OMI_NO_DEMO")]
    pub(crate) no_demo: bool,
    /// The most connections to PostgreSQL this server holds open (unused with SQLite).
    /// Replicas x this must stay below the database's `max_connections`.
    #[arg(long, env = "OMI_DATABASE_MAX_CONNECTIONS", default_value_t = PostgresOptions::default().max_connections, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) database_max_connections: u32,
    /// When a SQLite commit is durable (unused with PostgreSQL): `full` (the default) syncs
    /// every commit, so an acknowledged write survives a power loss or an OS crash; `normal`
    /// is faster but can lose the last acknowledged writes on power loss (never on a crash of
    /// this process alone).
    #[arg(
        long,
        env = "OMI_SQLITE_SYNCHRONOUS",
        value_enum,
        default_value = "full"
    )]
    pub(crate) sqlite_synchronous: SynchronousArg,
    /// Read connections to SQLite beside the one writer (unused with PostgreSQL); by
    /// default 4 per core, at least 4 and at most 64.
    #[arg(long, env = "OMI_SQLITE_READERS", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub(crate) sqlite_readers: Option<u32>,
    /// Pin the SQLite writer's two threads to one core (unused with PostgreSQL): every
    /// statement is a hand-off between them, far cheaper on one core than across two. Turn it
    /// off (`--sqlite-pin-writer false`) to leave them to the scheduler, say when many
    /// servers share a few cores.
    #[arg(
        long,
        env = "OMI_SQLITE_PIN_WRITER",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub(crate) sqlite_pin_writer: bool,
    /// Listen with SO_REUSEPORT, so that several omi-server processes can share --addr and
    /// the kernel spreads connections over them (Unix).
    #[arg(long, env = "OMI_REUSE_PORT")]
    pub(crate) reuse_port: bool,
    #[command(flatten)]
    pub(crate) extraction: ExtractionArgs,
    #[command(flatten)]
    pub(crate) embeddings: EmbeddingsArgs,
}

/// Semantic memory search: `--embeddings` and its endpoint.
#[derive(Debug, Clone, Args)]
pub(crate) struct EmbeddingsArgs {
    /// Search memories by meaning too: embed them with an OpenAI-compatible /embeddings
    /// endpoint (--embeddings-base-url, --embeddings-model) in the background, and fuse the
    /// nearest with the full-text hits. Off by default (words only, no network).
    #[arg(long, env = "OMI_EMBEDDINGS")]
    pub(crate) embeddings: bool,
    /// The base URL of an OpenAI-compatible API, up to /embeddings.
    #[arg(
        long,
        env = "OMI_EMBEDDINGS_BASE_URL",
        default_value = "https://api.openai.com/v1"
    )]
    pub(crate) embeddings_base_url: String,
    /// The embedding model, e.g. text-embedding-3-small or nomic-embed-text.
    #[arg(long, env = "OMI_EMBEDDINGS_MODEL")]
    pub(crate) embeddings_model: Option<String>,
    /// The API key, sent as a bearer token; never printed or logged.
    #[arg(long, env = "OMI_EMBEDDINGS_API_KEY", hide_env_values = true, value_parser = parse_secret)]
    pub(crate) embeddings_api_key: Option<ApiKey>,
    /// The least cosine similarity of a memory to the query for it to be a semantic hit.
    #[arg(long, env = "OMI_EMBEDDINGS_MIN_SIMILARITY", default_value_t = SemanticConfig::DEFAULT_MIN_SIMILARITY)]
    pub(crate) embeddings_min_similarity: f32,
}

impl EmbeddingsArgs {
    /// The semantic search asked for, if any.
    pub(crate) fn config(&self) -> Result<Option<SemanticConfig>> {
        if !self.embeddings {
            return Ok(None);
        }
        let model = self
            .embeddings_model
            .clone()
            .context("--embeddings needs --embeddings-model (or OMI_EMBEDDINGS_MODEL)")?;
        let mut embeddings = EmbeddingsConfig::new(self.embeddings_base_url.clone(), model);
        embeddings.api_key = self.embeddings_api_key.clone();
        Ok(Some(SemanticConfig {
            min_similarity: self.embeddings_min_similarity,
            ..SemanticConfig::new(embeddings)
        }))
    }
}

/// `--sqlite-synchronous`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SynchronousArg {
    /// Sync every commit (power-loss safe).
    Full,
    /// Sync at checkpoints only (crash safe, not power-loss safe).
    Normal,
}

impl From<SynchronousArg> for Synchronous {
    fn from(arg: SynchronousArg) -> Self {
        match arg {
            SynchronousArg::Full => Self::Full,
            SynchronousArg::Normal => Self::Normal,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExtractorKind {
    /// Offline rules: deterministic, no network (the default).
    Rules,
    /// An OpenAI-compatible chat-completions endpoint (--llm-base-url, --llm-model).
    Llm,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct ExtractionArgs {
    /// How conversations and imported texts are processed.
    #[arg(long, env = "OMI_EXTRACTOR", value_enum, default_value = "rules")]
    pub(crate) extractor: ExtractorKind,
    /// The base URL of an OpenAI-compatible API, up to /chat/completions (with --extractor llm).
    #[arg(
        long,
        env = "OMI_LLM_BASE_URL",
        default_value = "https://api.openai.com/v1"
    )]
    pub(crate) llm_base_url: String,
    /// The model to ask (with --extractor llm), e.g. gpt-4o-mini or llama3.1.
    #[arg(long, env = "OMI_LLM_MODEL")]
    pub(crate) llm_model: Option<String>,
    /// The API key, sent as a bearer token (with --extractor llm); never printed or logged.
    #[arg(long, env = "OMI_LLM_API_KEY", hide_env_values = true, value_parser = parse_secret)]
    pub(crate) llm_api_key: Option<ApiKey>,
}

impl ExtractionArgs {
    pub(crate) fn config(&self) -> Result<ExtractorConfig> {
        Ok(match self.extractor {
            ExtractorKind::Rules => ExtractorConfig::Rules,
            ExtractorKind::Llm => {
                let model = self
                    .llm_model
                    .clone()
                    .context("--extractor llm needs --llm-model (or OMI_LLM_MODEL)")?;
                let mut llm = LlmConfig::new(self.llm_base_url.clone(), model);
                llm.api_key = self.llm_api_key.clone();
                ExtractorConfig::Llm(llm)
            }
        })
    }
}

fn parse_secret(s: &str) -> Result<ApiKey, String> {
    Ok(ApiKey::new(s))
}

#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Copy every record of one database into another that holds none: SQLite to PostgreSQL
    /// (see docs/deploy.md), or any of the two to any. Both are migrated to the latest schema
    /// first; the copy is one transaction, so a failure leaves the target without data.
    MigrateData {
        /// The database to copy from (sqlite://PATH or postgres://...); only read.
        #[arg(long, value_name = "URL")]
        from: String,
        /// The database to copy to (sqlite://PATH or postgres://...); it must hold no data.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    #[command(flatten)]
    Records(RecordCommand),
}

/// The admin commands over one database's users, apps, keys and folders.
#[derive(Debug, Subcommand)]
pub(crate) enum RecordCommand {
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Integration apps and their keys.
    App {
        #[command(subcommand)]
        command: AppCommand,
    },
    /// Developer API keys.
    DevKey {
        #[command(subcommand)]
        command: DevKeyCommand,
    },
    /// Any key.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// A user's conversation folders (`GET /v1/dev/user/folders` lists them; a conversation
    /// PATCH with `folder_id` moves a conversation into one).
    Folder {
        #[command(subcommand)]
        command: FolderCommand,
    },
    /// Write every record of a user (memories, folders, conversations, action items, goals)
    /// as an export of format `omi-export` (docs/export.md), with progress on stderr.
    Export {
        /// The user.
        #[arg(long)]
        uid: String,
        /// The file to write (standard output when not given).
        #[arg(long, short, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Store the records of an export for a user (made if new), 500 per transaction, with
    /// progress on stderr; prints what was stored and the bad lines. Safe to repeat.
    Import {
        /// The user.
        #[arg(long)]
        uid: String,
        /// The export to read (`-` for standard input).
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
    /// Copy a user's memories, folders, conversations (with transcripts) and action items from
    /// another server of this API (OMI's cloud, or another omi-server) through its Developer
    /// API, with progress on stderr. Stored as an import stores them: with their ids and
    /// times, 500 per transaction; what is here already is left as it is, so running it
    /// again resumes a pull that stopped.
    Pull {
        /// The server to read from.
        #[arg(long, value_name = "URL", default_value = "https://api.omi.me")]
        from: String,
        /// A developer key of the user there (`omi_dev_...`), with the read scopes of what
        /// to copy (`memories:read` at least).
        #[arg(long, env = "OMI_PULL_KEY", hide_env_values = true, value_parser = parse_secret)]
        key: ApiKey,
        /// The user here (made if new).
        #[arg(long)]
        uid: String,
    },
    /// Recompute the search terms of every memory and conversation and re-index them (the
    /// store does this by itself after an upgrade that adds an index; run it after one that
    /// changes how text is indexed). Safe while the server runs; prints how many of each it
    /// indexed.
    Reindex,
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Create a user.
    Create {
        /// Its uid (random when absent).
        #[arg(long)]
        uid: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AppCommand {
    /// Create an app.
    Create {
        /// Its name.
        #[arg(long)]
        name: String,
        /// A capability (repeat for several): create_conversation, create_memories,
        /// read_conversations, read_memories, read_tasks (aliases create_facts, read_facts).
        #[arg(long = "capability", value_parser = parse_capability)]
        capabilities: Vec<Capability>,
    },
    /// App keys.
    Key {
        #[command(subcommand)]
        command: AppKeyCommand,
    },
    /// Enable an app for a user.
    Enable {
        /// The user.
        uid: String,
        /// The app.
        app_id: String,
    },
    /// Disable an app for a user.
    Disable {
        /// The user.
        uid: String,
        /// The app.
        app_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AppKeyCommand {
    /// Make a key for an app (shown once).
    Create {
        /// The app.
        app_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum DevKeyCommand {
    /// Make a developer key for a user (shown once).
    Create {
        /// The user.
        uid: String,
        /// A scope (repeat for several); every scope when none is given.
        #[arg(long = "scope", value_parser = parse_scope)]
        scopes: Vec<DevScope>,
        /// Make an MCP-only key (`omi_mcp_...`): it works at /v1/mcp and with
        /// `omi-server mcp --stdio` on a database, and the REST routes refuse it (401).
        #[arg(long)]
        mcp_only: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum FolderCommand {
    /// Make a folder, after the user's last one.
    Create {
        /// The user.
        #[arg(long)]
        uid: String,
        /// Its name (1 to 100 characters).
        #[arg(long)]
        name: String,
        /// What belongs in it (at most 500 characters).
        #[arg(long)]
        description: Option<String>,
        /// Its colour (default #6B7280).
        #[arg(long)]
        color: Option<String>,
        /// Its icon (default 📁).
        #[arg(long)]
        icon: Option<String>,
    },
    /// List a user's folders, with their conversation counts.
    List {
        /// The user.
        #[arg(long)]
        uid: String,
    },
    /// Delete a folder; its conversations go to the user's default folder, else into none.
    Delete {
        /// The user.
        #[arg(long)]
        uid: String,
        /// The folder's id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Revoke an app or developer key by id.
    Revoke {
        /// The key's id.
        id: String,
    },
}

fn parse_capability(s: &str) -> Result<Capability, String> {
    s.parse().map_err(|e: omi_model::UnknownVariant| e.message)
}

fn parse_scope(s: &str) -> Result<DevScope, String> {
    s.parse().map_err(|e: omi_model::UnknownVariant| e.message)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn the_llm_extractor_needs_a_model_and_keeps_its_key_out_of_debug_output() {
        use clap::Parser;
        let cli = super::Cli::try_parse_from([
            "omi-server",
            "--extractor",
            "llm",
            "--llm-api-key",
            "sk-very-secret-key-0123456789",
        ])
        .unwrap();
        assert!(cli.serve.extraction.config().is_err());
        assert!(!format!("{cli:?}").contains("very-secret"));
        let cli = super::Cli::try_parse_from([
            "omi-server",
            "--extractor",
            "llm",
            "--llm-model",
            "llama3.1",
            "--llm-base-url",
            "http://127.0.0.1:11434/v1",
            "--llm-api-key",
            "sk-very-secret-key-0123456789",
        ])
        .unwrap();
        let config = cli.serve.extraction.config().unwrap();
        assert!(!format!("{config:?}").contains("very-secret"));
        assert!(config.build().is_ok());
    }

    #[test]
    fn sqlite_readers_default_per_core_and_can_be_set() {
        use clap::Parser;
        let readers = |args: &[&str]| {
            super::Cli::try_parse_from([&["omi-server"], args].concat())
                .map(|cli| cli.serve.sqlite_readers)
        };
        assert_eq!(readers(&[]).unwrap(), None);
        assert_eq!(readers(&["--sqlite-readers", "3"]).unwrap(), Some(3));
        assert!(readers(&["--sqlite-readers", "0"]).is_err());
        assert!(readers(&["--sqlite-readers", "many"]).is_err());
    }

    #[test]
    fn the_sqlite_writer_is_pinned_unless_turned_off() {
        use clap::Parser;
        let pinned = |args: &[&str]| {
            let cli = super::Cli::try_parse_from([&["omi-server"], args].concat()).unwrap();
            cli.serve.sqlite_pin_writer
        };
        assert!(pinned(&[]));
        assert!(!pinned(&["--sqlite-pin-writer", "false"]));
        assert!(pinned(&["--sqlite-pin-writer", "true"]));
        assert!(
            super::Cli::try_parse_from(["omi-server", "--sqlite-pin-writer", "maybe"]).is_err()
        );
    }

    #[test]
    fn sqlite_commits_are_synced_unless_normal_is_asked_for() {
        use clap::Parser;
        let synchronous = |args: &[&str]| {
            let cli = super::Cli::try_parse_from([&["omi-server"], args].concat()).unwrap();
            super::Synchronous::from(cli.serve.sqlite_synchronous)
        };
        assert_eq!(synchronous(&[]), super::Synchronous::Full);
        assert_eq!(
            synchronous(&["--sqlite-synchronous", "normal"]),
            super::Synchronous::Normal
        );
        assert!(super::Cli::try_parse_from(["omi-server", "--sqlite-synchronous", "off"]).is_err());
    }
}
