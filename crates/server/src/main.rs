//! The `omi-server` binary: `serve` (the default), `demo`, and `admin`.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use omi_extract::{ExtractorConfig, LlmConfig};
use omi_model::{ApiKey, Capability, DevScope};
use omi_server::admin::{Admin, DemoCredentials};
use omi_server::ratelimit::{RateLimitMode, RedisConfig, RedisUrl};
use omi_server::server::{self, DEFAULT_DATABASE_URL, RunningServer, ServerConfig};
use omi_server::store::postgres::PostgresOptions;
use omi_server::store::sqlite::{SqliteOptions, Synchronous};
use serde_json::json;

/// The allocator of the binary: mimalloc, whose per-thread heaps free memory allocated on
/// another thread (rows built on a database driver's thread, dropped on a request's) without
/// the lock contention of the system allocator. The `mimalloc` feature (on by default).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A self-hostable server for OMI's Integration Imports and Developer APIs.
#[derive(Debug, Parser)]
#[command(name = "omi-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default when no command is given).
    Serve(Box<ServeArgs>),
    /// Create the demo user, app and keys if missing, and print them as JSON without serving.
    Demo {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Print JSON (the only format; accepted for symmetry with admin).
        #[arg(long)]
        json: bool,
        /// The base URL to print.
        #[arg(long, env = "OMI_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Print the OpenAPI 3.1 document of the API as JSON (what `GET /openapi.json` serves and
    /// `cargo xtask codegen` writes to docs/openapi.json).
    Openapi,
    /// Manage users, apps and keys.
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
struct DatabaseArgs {
    /// The database URL.
    #[arg(long, env = "OMI_DATABASE_URL", hide_env_values = true, default_value = DEFAULT_DATABASE_URL)]
    database: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Args)]
struct ServeArgs {
    /// Where to listen.
    #[arg(long, env = "OMI_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    db: DatabaseArgs,
    /// Log format.
    #[arg(long, env = "OMI_LOG_FORMAT", value_enum, default_value = "pretty")]
    log_format: LogFormat,
    /// Jobs processed at once.
    #[arg(long, env = "OMI_WORKER_CONCURRENCY", default_value_t = 2)]
    worker_concurrency: usize,
    /// Seconds a claimed job stays leased to its worker (default 30). A job whose process
    /// died is run again only once its lease runs out, so this bounds how long work that a
    /// crash interrupted waits after a restart; keep it above the longest processing time.
    #[arg(long, env = "OMI_WORKER_LEASE", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    worker_lease: Option<u64>,
    /// Rate limits: on (generous), off, or cloud (OMI's values).
    #[arg(long, env = "OMI_RATE_LIMITS", value_enum, default_value = "on")]
    rate_limits: RateLimitMode,
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
    redis_url: Option<String>,
    /// The start of every rate-limit key in Redis: processes with the same Redis and prefix
    /// share limits.
    #[arg(long, env = "OMI_REDIS_KEY_PREFIX", default_value = RedisConfig::DEFAULT_KEY_PREFIX)]
    redis_key_prefix: String,
    /// The largest request body, in bytes.
    #[arg(long, env = "OMI_BODY_LIMIT", default_value_t = 1024 * 1024)]
    body_limit: usize,
    /// Seconds a request may take from its headers to its answer; longer ones are answered
    /// 503 with Retry-After.
    #[arg(long, env = "OMI_REQUEST_TIMEOUT", value_name = "SECONDS", default_value_t = omi_server::http::HttpConfig::DEFAULT_REQUEST_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,
    /// Seconds a client may take to send its request headers (or stay idle between requests
    /// on a kept-alive connection) before the connection is closed.
    #[arg(long, env = "OMI_HEADER_READ_TIMEOUT", value_name = "SECONDS", default_value_t = omi_server::http::HttpConfig::DEFAULT_HEADER_READ_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    header_read_timeout: u64,
    /// The most API requests worked on at once; one more is answered at once with 503 and
    /// Retry-After, so that under overload every request gets a quick answer and memory stays
    /// bounded (health, readiness, metrics and docs are never refused).
    #[arg(long, env = "OMI_MAX_IN_FLIGHT", default_value_t = omi_server::http::HttpConfig::DEFAULT_MAX_IN_FLIGHT, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    max_in_flight: usize,
    /// Seconds a client may take to send its request body.
    #[arg(long, env = "OMI_BODY_READ_TIMEOUT", value_name = "SECONDS", default_value_t = omi_server::http::HttpConfig::DEFAULT_BODY_READ_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    body_read_timeout: u64,
    /// Seconds one attempt at a job may run before it fails and is retried.
    #[arg(long, env = "OMI_JOB_TIMEOUT", value_name = "SECONDS", default_value_t = omi_server::worker::WorkerConfig::DEFAULT_JOB_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    job_timeout: u64,
    /// Seconds a finished (done or failed) job is kept, with the text it processed, before
    /// it is deleted (default 7 days). The conversation, its status and what processing made
    /// stay.
    #[arg(long, env = "OMI_JOB_RETENTION", value_name = "SECONDS", default_value_t = omi_server::worker::WorkerConfig::DEFAULT_JOB_RETENTION.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    job_retention: u64,
    /// Seconds a found key, app or app enablement is trusted before it is read again (0:
    /// always read). A key revoked or an app disabled by another process, such as
    /// `omi-server admin` beside this server, stops working within this time.
    #[arg(
        long,
        env = "OMI_CREDENTIAL_TTL",
        value_name = "SECONDS",
        default_value_t = 10
    )]
    credential_ttl: u64,
    /// Do not create demo credentials on an empty database (for deployments: make users,
    /// apps and keys with `omi-server admin`).
    #[arg(long, env = "OMI_NO_DEMO")]
    no_demo: bool,
    /// The most connections to PostgreSQL this server holds open (unused with SQLite).
    /// Replicas x this must stay below the database's `max_connections`.
    #[arg(long, env = "OMI_DATABASE_MAX_CONNECTIONS", default_value_t = PostgresOptions::default().max_connections, value_parser = clap::value_parser!(u32).range(1..))]
    database_max_connections: u32,
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
    sqlite_synchronous: SynchronousArg,
    /// Listen with SO_REUSEPORT, so that several omi-server processes can share --addr and
    /// the kernel spreads connections over them (Unix).
    #[arg(long, env = "OMI_REUSE_PORT")]
    reuse_port: bool,
    #[command(flatten)]
    extraction: ExtractionArgs,
}

/// `--sqlite-synchronous`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SynchronousArg {
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
enum ExtractorKind {
    /// Offline rules: deterministic, no network (the default).
    Rules,
    /// An OpenAI-compatible chat-completions endpoint (--llm-base-url, --llm-model).
    Llm,
}

#[derive(Debug, Clone, Args)]
struct ExtractionArgs {
    /// How conversations and imported texts are processed.
    #[arg(long, env = "OMI_EXTRACTOR", value_enum, default_value = "rules")]
    extractor: ExtractorKind,
    /// The base URL of an OpenAI-compatible API, up to /chat/completions (with --extractor llm).
    #[arg(
        long,
        env = "OMI_LLM_BASE_URL",
        default_value = "https://api.openai.com/v1"
    )]
    llm_base_url: String,
    /// The model to ask (with --extractor llm), e.g. gpt-4o-mini or llama3.1.
    #[arg(long, env = "OMI_LLM_MODEL")]
    llm_model: Option<String>,
    /// The API key, sent as a bearer token (with --extractor llm); never printed or logged.
    #[arg(long, env = "OMI_LLM_API_KEY", hide_env_values = true, value_parser = parse_secret)]
    llm_api_key: Option<ApiKey>,
}

impl ExtractionArgs {
    fn config(&self) -> Result<ExtractorConfig> {
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
enum AdminCommand {
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

/// The admin commands over one database's users, apps and keys.
#[derive(Debug, Subcommand)]
enum RecordCommand {
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
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user.
    Create {
        /// Its uid (random when absent).
        #[arg(long)]
        uid: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AppCommand {
    /// Create an app.
    Create {
        /// Its name.
        #[arg(long)]
        name: String,
        /// A capability (repeat for several): create_conversation, create_memories,
        /// read_conversations, read_memories (aliases create_facts, read_facts).
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
enum AppKeyCommand {
    /// Make a key for an app (shown once).
    Create {
        /// The app.
        app_id: String,
    },
}

#[derive(Debug, Subcommand)]
enum DevKeyCommand {
    /// Make a developer key for a user (shown once).
    Create {
        /// The user.
        uid: String,
        /// A scope (repeat for several); every scope when none is given.
        #[arg(long = "scope", value_parser = parse_scope)]
        scopes: Vec<DevScope>,
    },
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
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

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(*args).await,
        Some(Command::Demo { db, addr, .. }) => {
            init_logs(LogFormat::Pretty, "warn");
            let admin = admin(&db).await?;
            let creds = admin.bootstrap_demo(&format!("http://{addr}")).await?;
            match creds {
                Some(c) => println!("{}", serde_json::to_string_pretty(&c)?),
                None => anyhow::bail!(
                    "the demo user exists already in this database; its keys were shown when it was made (make new ones with `omi-server admin`)"
                ),
            }
            Ok(())
        }
        Some(Command::Openapi) => {
            print!(
                "{}",
                omi_server::openapi::to_json(&omi_server::openapi::openapi())
            );
            Ok(())
        }
        Some(Command::Admin {
            database,
            json,
            command,
        }) => match command {
            AdminCommand::MigrateData { from, to } => migrate_data(&from, &to, json).await,
            AdminCommand::Records(command) => {
                init_logs(LogFormat::Pretty, "warn");
                run_admin(&admin(&DatabaseArgs { database }).await?, command, json).await
            }
        },
    }
}

async fn admin(db: &DatabaseArgs) -> Result<Admin> {
    let config = ServerConfig {
        database_url: db.database.clone(),
        ..ServerConfig::default()
    };
    let store = server::open_store(&db.database)
        .await
        .with_context(|| format!("opening {}", server::redacted_url(&db.database)))?;
    Ok(Admin::new(server::service(store, &config).await?))
}

/// `admin migrate-data`: the copy, with progress on stderr and the summary on stdout.
async fn migrate_data(from: &str, to: &str, json: bool) -> Result<()> {
    init_logs(LogFormat::Pretty, "info");
    let summary = omi_server::store::migrate::migrate_data(from, to).await?;
    if json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print!("{summary}");
    }
    Ok(())
}

async fn run_admin(admin: &Admin, command: RecordCommand, json: bool) -> Result<()> {
    let out = match command {
        RecordCommand::User {
            command: UserCommand::Create { uid },
        } => json!({ "uid": admin.create_user(uid.as_deref()).await? }),
        RecordCommand::App { command } => match command {
            AppCommand::Create { name, capabilities } => {
                json!({ "app_id": admin.create_app(&name, &capabilities).await? })
            }
            AppCommand::Key {
                command: AppKeyCommand::Create { app_id },
            } => serde_json::to_value(admin.create_app_key(&app_id).await?)?,
            AppCommand::Enable { uid, app_id } => {
                admin.set_app_enabled(&uid, &app_id, true).await?;
                json!({ "uid": uid, "app_id": app_id, "enabled": true })
            }
            AppCommand::Disable { uid, app_id } => {
                admin.set_app_enabled(&uid, &app_id, false).await?;
                json!({ "uid": uid, "app_id": app_id, "enabled": false })
            }
        },
        RecordCommand::DevKey {
            command: DevKeyCommand::Create { uid, scopes },
        } => {
            let scopes = if scopes.is_empty() {
                DevScope::ALL.to_vec()
            } else {
                scopes
            };
            serde_json::to_value(admin.create_dev_key(&uid, &scopes).await?)?
        }
        RecordCommand::Key {
            command: KeyCommand::Revoke { id },
        } => {
            admin.revoke_key(&id).await?;
            json!({ "id": id, "revoked": true })
        }
    };
    if json {
        println!("{out}");
    } else {
        print_plain(&out);
    }
    Ok(())
}

fn print_plain(value: &serde_json::Value) {
    if let Some(map) = value.as_object() {
        for (k, v) in map {
            match v.as_str() {
                Some(s) => println!("{k}: {s}"),
                None => println!("{k}: {v}"),
            }
        }
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    init_logs(args.log_format, "info");
    // Parsed here rather than by clap, whose error would repeat the URL and its password.
    let redis = match args.redis_url.as_deref().map(str::parse::<RedisUrl>) {
        None => None,
        Some(Ok(url)) => Some(RedisConfig {
            key_prefix: args.redis_key_prefix,
            ..RedisConfig::new(url)
        }),
        Some(Err(e)) => return Err(e).context("--redis-url (OMI_REDIS_URL)"),
    };
    let config = ServerConfig {
        addr: args.addr,
        database_url: args.db.database,
        postgres: PostgresOptions {
            max_connections: args.database_max_connections,
            ..PostgresOptions::default()
        },
        sqlite: SqliteOptions {
            synchronous: args.sqlite_synchronous.into(),
            ..SqliteOptions::default()
        },
        reuse_port: args.reuse_port,
        rate_limits: args.rate_limits,
        redis,
        worker: omi_server::worker::WorkerConfig {
            concurrency: args.worker_concurrency,
            lease: args.worker_lease.map_or_else(
                || omi_server::worker::WorkerConfig::default().lease,
                Duration::from_secs,
            ),
            job_timeout: Duration::from_secs(args.job_timeout),
            job_retention: Duration::from_secs(args.job_retention),
            ..Default::default()
        },
        http: omi_server::http::HttpConfig {
            body_limit: args.body_limit,
            request_timeout: Duration::from_secs(args.request_timeout),
            header_read_timeout: Duration::from_secs(args.header_read_timeout),
            body_read_timeout: Duration::from_secs(args.body_read_timeout),
            max_in_flight: args.max_in_flight,
        },
        service: omi_server::service::ServiceConfig {
            credential_ttl: Duration::from_secs(args.credential_ttl),
            ..Default::default()
        },
    };
    let extractor_config = args.extraction.config()?;
    tracing::info!(extractor = ?extractor_config, "processing with");
    let extractor = extractor_config
        .build()
        .context("configuring the extractor")?;
    let server = RunningServer::start_with(config.clone(), extractor)
        .await
        .with_context(|| {
            format!(
                "starting on {} with {}",
                config.addr,
                server::redacted_url(&config.database_url)
            )
        })?;
    let admin = Admin::new(server.service().clone());
    let demo = if args.no_demo {
        None
    } else {
        admin.bootstrap_demo(&server.base_url()).await?
    };
    match demo {
        Some(creds) => print_banner(&creds),
        None if args.no_demo => println!(
            "omi-server listening on {} (database {}); no demo credentials (--no-demo)",
            server.base_url(),
            server::redacted_url(&config.database_url)
        ),
        None => println!(
            "omi-server listening on {} (database {}); demo credentials were printed on first start",
            server.base_url(),
            server::redacted_url(&config.database_url)
        ),
    }
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests, releasing jobs");
    tokio::time::timeout(Duration::from_secs(30), server.shutdown())
        .await
        .context("shutdown took longer than 30 s")?;
    Ok(())
}

fn print_banner(creds: &DemoCredentials) {
    println!("omi-server listening on {}", creds.base_url);
    println!("{}", creds.banner());
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

fn init_logs(format: LogFormat, default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("OMI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Pretty => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
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
