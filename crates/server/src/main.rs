//! The `omi-server` binary: `serve` (the default), `demo`, `mcp --stdio`, and `admin`.

use std::time::Duration;

mod cli;
mod progress;
mod transfer;

use anyhow::{Context, Result};
use clap::Parser;
use cli::{
    AdminCommand, AppCommand, AppKeyCommand, Cli, Command, DatabaseArgs, DevKeyCommand,
    FolderCommand, KeyCommand, LogFormat, McpArgs, RecordCommand, ServeArgs, UserCommand,
};
use omi_model::{CreateFolderRequest, DevScope};
use omi_server::admin::{Admin, DemoCredentials};
use omi_server::ratelimit::{RedisConfig, RedisUrl};
use omi_server::server::{self, RunningServer, ServerConfig};
use omi_server::store::postgres::PostgresOptions;
use omi_server::store::redacted_url;
use omi_server::store::sqlite::SqliteOptions;
use omi_server::webhooks::WebhookConfig;
use serde_json::json;

/// The allocator of the binary: mimalloc, whose per-thread heaps free memory allocated on
/// another thread (rows built on a database driver's thread, dropped on a request's) without
/// the lock contention of the system allocator. The `mimalloc` feature (on by default).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Some(Command::Mcp(args)) => mcp(args).await,
        Some(Command::Openapi) => {
            print!(
                "{}",
                omi_server::http::openapi::to_json(&omi_server::http::openapi::openapi())
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
    Ok(Admin::new(open_service(db).await?))
}

/// The service over the database of `db`, without a server or a worker.
async fn open_service(db: &DatabaseArgs) -> Result<omi_server::service::Service> {
    let config = ServerConfig {
        database_url: db.database.clone(),
        ..ServerConfig::default()
    };
    let store = server::open_store(&db.database)
        .await
        .with_context(|| format!("opening {}", redacted_url(&db.database)))?;
    Ok(server::service(store, &config).await?)
}

/// `mcp --stdio`: the MCP tools on standard input and output (logs on standard error), for
/// the key's user of a local database, or through a server with `--url`.
async fn mcp(args: McpArgs) -> Result<()> {
    anyhow::ensure!(
        args.stdio,
        "say --stdio: MCP over HTTP is served by `omi-server serve` at /v1/mcp"
    );
    init_logs(LogFormat::Pretty, "warn");
    let served = match &args.url {
        Some(url) => {
            let client = omi_client::Client::builder()
                .base_url(url.clone())
                .build()?;
            let connector = omi_mcp::ClientConnector::new(&client, args.key);
            omi_mcp::serve_stdio(omi_mcp::OmiMcp::new(connector)).await
        }
        None => {
            let service = open_service(&args.db).await?;
            let connector = omi_server::mcp::ServiceConnector::with_key(service, args.key);
            omi_mcp::serve_stdio(omi_mcp::OmiMcp::new(connector)).await
        }
    };
    served.context("serving MCP on stdio")
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
            command:
                DevKeyCommand::Create {
                    uid,
                    scopes,
                    mcp_only,
                },
        } => {
            let scopes = if scopes.is_empty() {
                DevScope::ALL.to_vec()
            } else {
                scopes
            };
            let created = if mcp_only {
                admin.create_mcp_key(&uid, &scopes).await?
            } else {
                admin.create_dev_key(&uid, &scopes).await?
            };
            serde_json::to_value(created)?
        }
        RecordCommand::Key {
            command: KeyCommand::Revoke { id },
        } => {
            admin.revoke_key(&id).await?;
            json!({ "id": id, "revoked": true })
        }
        RecordCommand::Folder { command } => run_folder_command(admin, command).await?,
        RecordCommand::Export { uid, output } => {
            let counts = transfer::export(admin, &uid, output.as_deref()).await?;
            if output.is_none() {
                return Ok(());
            }
            serde_json::to_value(counts)?
        }
        RecordCommand::Import { uid, file } => {
            let report = transfer::import(admin, &uid, &file).await?;
            return print_import(&report);
        }
        RecordCommand::Pull { from, key, uid } => {
            let report = transfer::pull(admin, &from, key, &uid).await?;
            return print_import(&report);
        }
        RecordCommand::Reindex => {
            let done = admin.reindex_search().await?;
            json!({
                "memories_indexed": done.memories,
                "conversations_indexed": done.conversations,
                "action_items_indexed": done.action_items,
            })
        }
    };
    if json {
        println!("{out}");
    } else {
        print_plain(&out);
    }
    Ok(())
}

/// Print an import's report; an error when it had bad lines.
fn print_import(report: &omi_model::ImportReport) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(report)?);
    if report.completed {
        return Ok(());
    }
    anyhow::bail!(match report.applied_through_line {
        0 => "the file has bad lines (see `errors`); nothing was stored".to_owned(),
        n => format!(
            "the file has bad lines (see `errors`); lines 1 to {n} are stored, nothing after them"
        ),
    })
}

/// `admin folder ...`: what the command did, as JSON.
async fn run_folder_command(admin: &Admin, command: FolderCommand) -> Result<serde_json::Value> {
    Ok(match command {
        FolderCommand::Create {
            uid,
            name,
            description,
            color,
            icon,
        } => {
            let request = CreateFolderRequest {
                name,
                description,
                color,
                icon,
            };
            serde_json::to_value(admin.create_folder(&uid, &request).await?)?
        }
        FolderCommand::List { uid } => json!({ "folders": admin.list_folders(&uid).await? }),
        FolderCommand::Delete { uid, id } => {
            let deleted = admin.delete_folder(&uid, &id).await?;
            json!({
                "id": id,
                "deleted": true,
                "conversations_moved": deleted.conversations_moved,
                "moved_to": deleted.moved_to,
            })
        }
    })
}

/// `value`'s fields one per line (`key: value`); a list one item per line.
fn print_plain(value: &serde_json::Value) {
    if let Some(map) = value.as_object() {
        for (k, v) in map {
            match v {
                serde_json::Value::String(s) => println!("{k}: {s}"),
                serde_json::Value::Array(items) => {
                    println!("{k}: {}", items.len());
                    for item in items {
                        println!("  {item}");
                    }
                }
                _ => println!("{k}: {v}"),
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
            pin_writer: args.sqlite_pin_writer,
            readers: args
                .sqlite_readers
                .unwrap_or_else(SqliteOptions::default_readers),
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
            import_body_limit: args.import_body_limit,
            request_timeout: Duration::from_secs(args.request_timeout),
            header_read_timeout: Duration::from_secs(args.header_read_timeout),
            body_read_timeout: Duration::from_secs(args.body_read_timeout),
            max_in_flight: args.max_in_flight,
        },
        service: omi_server::service::ServiceConfig {
            credential_ttl: Duration::from_secs(args.credential_ttl),
            webhooks: WebhookConfig {
                allow_private: args.webhooks_allow_private,
                timeout: Duration::from_secs(args.webhook_timeout),
                max_attempts: args.webhook_max_attempts,
                retry_base: Duration::from_millis(args.webhook_retry_base_ms),
                ..WebhookConfig::default()
            },
            ..Default::default()
        },
        semantic: args.embeddings.config()?,
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
                redacted_url(&config.database_url)
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
            redacted_url(&config.database_url)
        ),
        None => println!(
            "omi-server listening on {} (database {}); demo credentials were printed on first start",
            server.base_url(),
            redacted_url(&config.database_url)
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
