//! Starting and stopping the whole server: store, service, workers, HTTP.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use omi_extract::{Extractor, RulesExtractor};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::http::serve::serve;
use crate::http::{HttpConfig, app};
use crate::ratelimit::{RateLimitMode, RateLimits, RedisConfig, SharedError};
use crate::semantic::{SemanticConfig, SemanticSearch, run_embedder};
use crate::service::{Service, ServiceConfig, SystemClock};
use crate::store::postgres::PostgresOptions;
use crate::store::sqlite::SqliteOptions;
use crate::store::{PostgresStore, SqliteStore, Store, StoreError, redacted_url};
use crate::worker::{WorkerConfig, WorkerPool};

/// The default database: a SQLite file under `./omi-data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://omi-data/omi.sqlite";

/// Everything the server can be configured with.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The database URL (`sqlite://path` or `postgres://user@host/database`).
    pub database_url: String,
    /// How the PostgreSQL store connects (unused with SQLite).
    pub postgres: PostgresOptions,
    /// How the SQLite store opens its file (unused with PostgreSQL).
    pub sqlite: SqliteOptions,
    /// Listen with `SO_REUSEPORT`, so that several processes can share `addr` and the kernel
    /// spreads connections over them (Unix only).
    pub reuse_port: bool,
    /// Which rate limits apply.
    pub rate_limits: RateLimitMode,
    /// Redis, to share the rate limits between every process that names the same one (and
    /// the same key prefix); `None` keeps them in this process. Unused when `rate_limits` is
    /// off. A Redis that fails or does not answer never fails a request: checks fall back to
    /// this process's limits until it answers again.
    pub redis: Option<RedisConfig>,
    /// The worker pool.
    pub worker: WorkerConfig,
    /// The HTTP layer.
    pub http: HttpConfig,
    /// The service.
    pub service: ServiceConfig,
    /// Semantic memory search (`--embeddings`): `None` searches by words alone.
    pub semantic: Option<SemanticConfig>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            postgres: PostgresOptions::default(),
            sqlite: SqliteOptions::default(),
            reuse_port: false,
            rate_limits: RateLimitMode::On,
            redis: None,
            worker: WorkerConfig::default(),
            http: HttpConfig::default(),
            service: ServiceConfig::default(),
            semantic: None,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The embeddings endpoint is not usable as configured (`--embeddings`).
    #[error("could not configure semantic search: {0}")]
    Semantic(String),
    /// The database URL (shown with its password hidden) names a backend this build does
    /// not have.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    UnsupportedDatabase(String),
    /// The database could not be opened or migrated.
    #[error("could not open the database: {0}")]
    Store(#[from] StoreError),
    /// The connection to Redis for shared rate limits could not be set up.
    #[error("could not set up rate limits in Redis: {0}")]
    RateLimits(#[from] SharedError),
    /// The address could not be bound.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// A directory for the database could not be made.
    #[error("could not create {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Open the store a database URL names: `sqlite:` (creating the file's directory if needed)
/// or `postgres:` / `postgresql:` (with default [`PostgresOptions`] and [`SqliteOptions`]).
pub async fn open_store(database_url: &str) -> Result<Arc<dyn Store>, StartError> {
    open_store_with(
        database_url,
        PostgresOptions::default(),
        SqliteOptions::default(),
    )
    .await
}

/// [`open_store`], connecting to PostgreSQL with `postgres` or opening SQLite with `sqlite`.
pub async fn open_store_with(
    database_url: &str,
    postgres: PostgresOptions,
    sqlite: SqliteOptions,
) -> Result<Arc<dyn Store>, StartError> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        return Ok(Arc::new(PostgresStore::open(database_url, postgres).await?));
    }
    let Some(path) = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
    else {
        return Err(StartError::UnsupportedDatabase(redacted_url(database_url)));
    };
    let file = path.split('?').next().unwrap_or_default();
    if let Some(dir) = Path::new(file)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|source| StartError::DataDir {
            path: dir.display().to_string(),
            source,
        })?;
    }
    Ok(Arc::new(
        SqliteStore::open_with(database_url, sqlite).await?,
    ))
}

/// A listening socket on `addr`; with `reuse_port`, one that other processes may bind too.
fn listen(addr: SocketAddr, reuse_port: bool) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    if reuse_port {
        #[cfg(unix)]
        socket.set_reuseport(true)?;
        #[cfg(not(unix))]
        return Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "--reuse-port needs SO_REUSEPORT (Unix)",
        ));
    }
    socket.bind(addr)?;
    socket.listen(1024)
}

/// A service over a store, with the system clock and the rate limits of [`rate_limits`].
pub async fn service(store: Arc<dyn Store>, config: &ServerConfig) -> Result<Service, StartError> {
    Ok(Service::new(
        store,
        Arc::new(SystemClock),
        rate_limits(config).await?,
        config.service.clone(),
    ))
}

/// The rate limits `config` asks for, logging where they are kept: in Redis when it names
/// one and limits are not off, in this process otherwise.
///
/// A Redis that does not answer at startup is a warning, not an error: rate limits protect
/// the service, and making Redis a condition of starting would turn its outage into an
/// outage of the API. The server starts, each process limits on its own meanwhile, and the
/// limits are shared as soon as Redis answers. Only a connection that cannot even be set up
/// is an error.
pub async fn rate_limits(config: &ServerConfig) -> Result<RateLimits, StartError> {
    let mode = config.rate_limits;
    let redis = match &config.redis {
        Some(redis) if mode != RateLimitMode::Off => redis,
        Some(_) => {
            tracing::info!("rate limits are off: Redis is not used");
            return Ok(RateLimits::new(mode));
        }
        None => {
            tracing::info!(?mode, "rate limits kept in this process");
            return Ok(RateLimits::new(mode));
        }
    };
    let limits = RateLimits::shared(mode, redis.clone()).await?;
    match limits.ping().await {
        Ok(()) => tracing::info!(
            ?mode,
            redis = %redis.url,
            key_prefix = %redis.key_prefix,
            "rate limits shared through Redis"
        ),
        Err(error) => tracing::warn!(
            ?mode,
            redis = %redis.url,
            %error,
            "rate limits are to be shared through Redis, which does not answer: this process limits on its own until it does"
        ),
    }
    Ok(limits)
}

/// A running server.
pub struct RunningServer {
    local_addr: SocketAddr,
    store: Arc<dyn Store>,
    service: Service,
    stop: watch::Sender<bool>,
    http: JoinHandle<std::io::Result<()>>,
    workers: WorkerPool,
    maintenance: JoinHandle<()>,
    embedder: Option<JoinHandle<()>>,
    sender: JoinHandle<()>,
}

impl std::fmt::Debug for RunningServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningServer")
            .field("local_addr", &self.local_addr)
            .field("service", &self.service)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

impl RunningServer {
    /// Open the store, start the workers, and listen, with the default extractor (the
    /// offline [`RulesExtractor`]).
    pub async fn start(config: ServerConfig) -> Result<Self, StartError> {
        Self::start_with(config, Arc::new(RulesExtractor)).await
    }

    /// As [`RunningServer::start`], with a chosen extractor (see
    /// [`ExtractorConfig::build`](omi_extract::ExtractorConfig::build)).
    pub async fn start_with(
        config: ServerConfig,
        extractor: Arc<dyn Extractor>,
    ) -> Result<Self, StartError> {
        let store = open_store_with(&config.database_url, config.postgres, config.sqlite).await?;
        let service = service(Arc::clone(&store), &config).await?;
        let listener =
            listen(config.addr, config.reuse_port).map_err(|source| StartError::Bind {
                addr: config.addr,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
        let workers = WorkerPool::start(service.clone(), extractor, config.worker.clone());
        let (stop, stopped) = watch::channel(false);
        let router = app(service.clone(), &config.http);
        let mut until_stopped = stopped.clone();
        let header_read_timeout = config.http.header_read_timeout;
        let http = tokio::spawn(serve(listener, router, header_read_timeout, async move {
            let _ = until_stopped.wait_for(|s| *s).await;
        }));
        let embedder = match &config.semantic {
            Some(semantic) => {
                let semantic = Arc::new(
                    SemanticSearch::new(semantic.clone())
                        .map_err(|e| StartError::Semantic(e.to_string()))?,
                );
                service.enable_semantic_search(Arc::clone(&semantic));
                Some(tokio::spawn(run_embedder(
                    service.clone(),
                    semantic,
                    stopped.clone(),
                )))
            }
            None => None,
        };
        let sender = tokio::spawn(crate::sender::run_sender(
            service.clone(),
            config.service.webhooks.clone(),
            stopped.clone(),
        ));
        let maintenance = tokio::spawn(maintain(
            service.clone(),
            config.worker.job_retention,
            stopped,
        ));
        tracing::info!(%local_addr, "listening");
        Ok(Self {
            local_addr,
            store,
            service,
            stop,
            http,
            workers,
            maintenance,
            embedder,
            sender,
        })
    }

    /// The address it listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://ADDR`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// The service behind it.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// Its store, for the operator's own maintenance (purges, checks). It checks no
    /// credentials, which is why [`Service`] does not hand it out: code given a `Service`
    /// can reach the data only through the API's checks.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Stop: finish in-flight requests, release claimed jobs, wait for everything to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        match self.http.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "HTTP server ended with an error"),
            Err(e) => tracing::warn!(error = %e, "HTTP server task failed"),
        }
        self.workers.shutdown().await;
        let _ = self.maintenance.await;
        let _ = self.sender.await;
        if let Some(embedder) = self.embedder {
            let _ = embedder.await;
        }
        tracing::info!("stopped");
    }
}

/// Finished jobs one purge statement deletes at most, so that one statement holds the
/// database's writer (SQLite has one) only briefly and other writes run between batches.
pub const JOB_PURGE_BATCH: u32 = 500;

/// Periodic housekeeping, once a minute from the start: forget idle rate-limit subjects,
/// expired idempotency keys, and jobs that finished more than `job_retention` ago.
async fn maintain(service: Service, job_retention: Duration, mut stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = tick.tick() => housekeeping(&service, job_retention).await,
            () = async { let _ = stopped.wait_for(|s| *s).await; } => return,
        }
    }
}

/// One round of [`maintain`]; failures are logged and left to the next round.
async fn housekeeping(service: &Service, job_retention: Duration) {
    service.limits().prune();
    let expired = service.now() - crate::service::idempotency::RETENTION;
    if let Err(e) = service.store().purge_idempotency(expired).await {
        tracing::warn!(error = %e, "could not purge expired idempotency keys");
    }
    let Some(finished_before) = retention_cutoff(service.now(), job_retention) else {
        return;
    };
    match purge_finished_jobs(service.store().as_ref(), finished_before).await {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "purged finished jobs past their retention"),
        Err(e) => tracing::warn!(error = %e, "could not purge finished jobs"),
    }
    let store = service.store();
    match store
        .purge_finished_deliveries(finished_before, JOB_PURGE_BATCH)
        .await
    {
        Ok(0) => {}
        Ok(purged) => tracing::info!(
            purged,
            "purged finished webhook deliveries past their retention"
        ),
        Err(e) => tracing::warn!(error = %e, "could not purge finished webhook deliveries"),
    }
}

/// `now - retention`, or `None` when that is before any representable time (nothing is old
/// enough to purge).
fn retention_cutoff(now: DateTime<Utc>, retention: Duration) -> Option<DateTime<Utc>> {
    chrono::Duration::from_std(retention)
        .ok()
        .and_then(|retention| now.checked_sub_signed(retention))
}

/// Delete every job that finished (done or failed) before `finished_before`,
/// [`JOB_PURGE_BATCH`] at a time, letting other work run between batches; the number
/// deleted. Queued and running jobs, and what any job made, stay.
pub async fn purge_finished_jobs(
    store: &dyn Store,
    finished_before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut purged = 0;
    loop {
        let batch = store
            .purge_finished_jobs(finished_before, JOB_PURGE_BATCH)
            .await?;
        purged += batch;
        if batch < u64::from(JOB_PURGE_BATCH) {
            return Ok(purged);
        }
        tokio::task::yield_now().await;
    }
}
