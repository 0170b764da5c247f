//! Limits shared through Redis: one key per policy and subject, updated by a Lua script.
//!
//! The script (`gcra.lua` beside this file) runs GCRA on the key atomically, reading Redis's
//! clock, so any number of processes on one Redis draw from one budget per subject and
//! their own clocks do not matter. Each key expires when its quota is whole again.
//!
//! **Redis failing never fails a request, and never holds one up for long.** Every call has
//! a timeout ([`RedisConfig::timeout`], 250 ms by default). When Redis errs or does not
//! answer in time, the check falls back to the process's in-memory limiter (limits still
//! hold, per process, as they do without Redis), the failure is counted in
//! `rate_limit_backend_errors_total`, and a warning is logged at most every
//! [`WARN_EVERY`]. For [`PAUSE_AFTER_FAILURE`] after a failure, Redis is not asked at all, so
//! an outage costs requests nothing; the next call after the pause asks again, the
//! connection is remade in the background, and sharing resumes by itself.

use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, RedisResult, Script};
use governor::Quota;

use super::{Policy, QuotaState, Refused};

/// How long Redis is left alone after a failure: checks use the in-memory limiter meanwhile.
pub(super) const PAUSE_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// The least time between two warnings about Redis failing.
pub(super) const WARN_EVERY: Duration = Duration::from_secs(30);

/// A Redis server's URL: `redis://[[user]:password@]host[:port][/db]`, or
/// `redis+unix:///path/to/socket[?db=N&pass=...]`.
///
/// It is parsed when made, so a malformed URL is refused at startup rather than at the first
/// request. `Debug` and `Display` show only the address (`host:port` or the socket path), so
/// a password in the URL never reaches a log. TLS (`rediss://`) is not built in.
#[derive(Clone)]
pub struct RedisUrl(Client);

impl RedisUrl {
    fn client(&self) -> Client {
        self.0.clone()
    }
}

impl FromStr for RedisUrl {
    type Err = InvalidRedisUrl;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        // Parsing only: nothing is connected here.
        Client::open(url)
            .map(Self)
            .map_err(|e| InvalidRedisUrl(e.to_string()))
    }
}

impl std::fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.get_connection_info().addr().fmt(f)
    }
}

impl std::fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RedisUrl")
            .field(&format_args!("{self}"))
            .finish()
    }
}

/// A string that is not a Redis URL this build can use (the reason says why; it never
/// repeats the URL, which may hold a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a usable Redis URL: {0}")]
pub struct InvalidRedisUrl(String);

/// Where and how limits shared through Redis are kept.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// The Redis server.
    pub url: RedisUrl,
    /// The start of every key ([`RedisConfig::DEFAULT_KEY_PREFIX`] by default): processes
    /// share limits when they use the same Redis and the same prefix, and a deployment can
    /// keep its keys apart from another's on one Redis with a prefix of its own.
    pub key_prefix: String,
    /// The longest one Redis call may take before the check falls back to the in-memory
    /// limiter ([`RedisConfig::DEFAULT_TIMEOUT`] by default).
    pub timeout: Duration,
}

impl RedisConfig {
    /// The default [`RedisConfig::key_prefix`].
    pub const DEFAULT_KEY_PREFIX: &str = "omi:ratelimit:";
    /// The default [`RedisConfig::timeout`].
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

    /// Limits on the Redis at `url`, with the default key prefix and timeout.
    pub fn new(url: RedisUrl) -> Self {
        Self {
            url,
            key_prefix: Self::DEFAULT_KEY_PREFIX.to_owned(),
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }
}

/// Why Redis could not answer a check.
#[derive(Debug, thiserror::Error)]
pub enum SharedError {
    /// Redis did not answer within the timeout.
    #[error("Redis did not answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// Redis could not be reached, answered with an error, or answered nonsense.
    #[error("Redis failed: {0}")]
    Redis(#[from] ::redis::RedisError),
}

impl SharedError {
    /// The `reason` label of the metric.
    fn reason(&self) -> &'static str {
        match self {
            Self::Timeout(_) => "timeout",
            Self::Redis(_) => "error",
        }
    }
}

/// The limits of every policy, in Redis.
pub(super) struct RedisLimits {
    connection: ConnectionManager,
    script: Script,
    config: RedisConfig,
    health: Health,
}

impl std::fmt::Debug for RedisLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLimits")
            .field("url", &self.config.url)
            .field("key_prefix", &self.config.key_prefix)
            .finish_non_exhaustive()
    }
}

impl RedisLimits {
    /// Limits in the Redis `config` names. Nothing is sent yet: the connection is made on
    /// first use. Must run inside the tokio runtime (the connection manager spawns a task).
    pub(super) fn new(config: RedisConfig) -> Result<Self, SharedError> {
        // One attempt per connection, each within the timeout: a request never waits for a
        // reconnection loop; the next call after the pause tries again.
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.timeout))
            .set_response_timeout(Some(config.timeout))
            .set_number_of_retries(0);
        let connection = ConnectionManager::new_lazy_with_config(config.url.client(), manager)?;
        Ok(Self {
            connection,
            script: Script::new(include_str!("gcra.lua")),
            config,
            health: Health::new(),
        })
    }

    /// `PING`, within the timeout.
    pub(super) async fn ping(&self) -> Result<(), SharedError> {
        let mut connection = self.connection.clone();
        self.call(::redis::cmd("PING").query_async::<()>(&mut connection))
            .await
    }

    /// Count one request of `subject` against `policy` (of `quota`) in Redis; `None` when
    /// Redis failed or is paused after a failure, and the caller must decide without it.
    pub(super) async fn check(
        &self,
        policy: Policy,
        quota: Quota,
        subject: &str,
    ) -> Option<Result<QuotaState, Refused>> {
        if self.health.paused() {
            return None;
        }
        let gcra = Gcra::of(quota);
        let key = format!("{}{}:{subject}", self.config.key_prefix, policy.name());
        let mut invocation = self.script.prepare_invoke();
        invocation.key(key).arg(gcra.interval).arg(gcra.tolerance);
        let mut connection = self.connection.clone();
        let answer = self
            .call(invocation.invoke_async::<(i64, i64)>(&mut connection))
            .await
            .and_then(|answer| gcra.decide(policy, quota, answer));
        match answer {
            Ok(outcome) => Some(outcome),
            Err(e) => {
                self.health.failed(&e);
                None
            }
        }
    }

    /// Await one Redis call, within the timeout.
    async fn call<T>(&self, call: impl Future<Output = RedisResult<T>>) -> Result<T, SharedError> {
        let answer = tokio::time::timeout(self.config.timeout, call)
            .await
            .map_err(|_| SharedError::Timeout(self.config.timeout))??;
        self.health.succeeded();
        Ok(answer)
    }
}

/// A quota in the script's terms: microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Gcra {
    /// T: the time one request takes to replenish.
    interval: i64,
    /// tau = T * (limit - 1): how far beyond now the theoretical arrival time may run.
    tolerance: i64,
}

impl Gcra {
    fn of(quota: Quota) -> Self {
        let interval = i64::try_from(quota.replenish_interval().as_micros())
            .unwrap_or(i64::MAX)
            .max(1);
        let extra = i64::from(quota.burst_size().get() - 1);
        Self {
            interval,
            tolerance: interval.saturating_mul(extra),
        }
    }

    /// The outcome the script's answer `(allowed, micros)` means (see `gcra.lua`).
    fn decide(
        self,
        policy: Policy,
        quota: Quota,
        (allowed, micros): (i64, i64),
    ) -> Result<Result<QuotaState, Refused>, SharedError> {
        let micros = u64::try_from(micros).map_err(|_| nonsense("a negative time"))?;
        match allowed {
            // micros = TAT - now: the capacity left is what the tolerance has beyond it,
            // as governor computes it.
            1 => {
                let left = (self.tolerance + self.interval).saturating_sub_unsigned(micros);
                let remaining = u32::try_from(left.max(0) / self.interval).unwrap_or(u32::MAX);
                Ok(Ok(QuotaState::of(quota, remaining)))
            }
            0 => Ok(Err(Refused::after(
                policy,
                quota,
                Duration::from_micros(micros),
            ))),
            _ => Err(nonsense("an unknown outcome")),
        }
    }
}

/// The error of a script answer that makes no sense.
fn nonsense(what: &'static str) -> SharedError {
    SharedError::Redis(::redis::RedisError::from((
        ::redis::ErrorKind::UnexpectedReturnType,
        "the rate-limit script answered with",
        what.to_owned(),
    )))
}

/// Redis's recent failures: when to leave it alone, when to warn.
struct Health {
    born: Instant,
    /// Milliseconds after `born` before which Redis is not asked.
    paused_until: AtomicU64,
    /// Milliseconds after `born` of the last warning, plus one (0: none yet).
    warned_at: AtomicU64,
    /// Whether the last call failed, so the recovery is logged once.
    failing: AtomicBool,
}

impl Health {
    fn new() -> Self {
        Self {
            born: Instant::now(),
            paused_until: AtomicU64::new(0),
            warned_at: AtomicU64::new(0),
            failing: AtomicBool::new(false),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether Redis failed less than [`PAUSE_AFTER_FAILURE`] ago.
    fn paused(&self) -> bool {
        self.now_ms() < self.paused_until.load(Ordering::Relaxed)
    }

    /// Count a failure, pause, and warn unless a warning was logged recently.
    fn failed(&self, error: &SharedError) {
        crate::metrics::rate_limit_backend_error(error.reason());
        let now = self.now_ms();
        self.paused_until
            .store(now + millis(PAUSE_AFTER_FAILURE), Ordering::Relaxed);
        self.failing.store(true, Ordering::Relaxed);
        let last = self.warned_at.load(Ordering::Relaxed);
        let due = last == 0 || now + 1 >= last + millis(WARN_EVERY);
        // Of the requests failing at once, the one that moves `warned_at` warns.
        if due
            && self
                .warned_at
                .compare_exchange(last, now + 1, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                %error,
                "rate limits are kept in this process until Redis answers again (this warning repeats at most every {} s)",
                WARN_EVERY.as_secs()
            );
        }
    }

    /// Note a call that succeeded, logging the recovery after failures.
    fn succeeded(&self) {
        if self.failing.load(Ordering::Relaxed) && self.failing.swap(false, Ordering::Relaxed) {
            tracing::info!("Redis answers again: rate limits are shared again");
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::super::RateLimitMode;
    use super::*;

    fn cloud_conversations() -> Quota {
        Policy::IntegrationConversations
            .quota(RateLimitMode::Cloud)
            .expect("a limited policy")
    }

    #[test]
    fn a_quota_is_counted_in_microseconds() {
        assert_eq!(
            Gcra::of(cloud_conversations()),
            Gcra {
                interval: INTERVAL,
                tolerance: 9 * INTERVAL
            }
        );
    }

    /// What the script's `answer` means under the cloud conversation policy.
    fn decide(answer: (i64, i64)) -> Result<Result<QuotaState, Refused>, SharedError> {
        let quota = cloud_conversations();
        Gcra::of(quota).decide(Policy::IntegrationConversations, quota, answer)
    }

    /// The cloud conversation policy's interval: 360 s.
    const INTERVAL: i64 = 360_000_000;

    #[test]
    fn an_allowed_answer_leaves_what_the_tolerance_has_beyond_the_arrival_time() {
        // The first request of a subject: its arrival time is one interval from now.
        assert_eq!(decide((1, INTERVAL)).unwrap().unwrap().remaining, 9);
        // The tenth, all at once: ten intervals.
        assert_eq!(decide((1, 10 * INTERVAL)).unwrap().unwrap().remaining, 0);
        // Half an interval later than the first: still 9 left, rounding down.
        assert_eq!(decide((1, INTERVAL / 2)).unwrap().unwrap().remaining, 9);
    }

    #[test]
    fn a_refused_answer_waits_at_least_a_second() {
        let refused = decide((0, 1_500_000)).unwrap().unwrap_err();
        assert_eq!(refused.retry_after_secs, 2);
        assert_eq!(decide((0, 10)).unwrap().unwrap_err().retry_after_secs, 1);
    }

    #[test]
    fn a_nonsense_answer_is_an_error_not_a_panic() {
        assert!(decide((2, 0)).is_err());
        assert!(decide((1, -5)).is_err());
    }

    #[test]
    fn a_url_shows_its_address_and_never_its_password() {
        let url: RedisUrl = "redis://user:s3cret@example.com:6380/2".parse().unwrap();
        assert_eq!(url.to_string(), "example.com:6380");
        assert!(!format!("{url:?}").contains("s3cret"), "{url:?}");
        let config = RedisConfig::new(url);
        assert!(!format!("{config:?}").contains("s3cret"), "{config:?}");
        let socket: RedisUrl = "redis+unix:///run/redis.sock?pass=s3cret".parse().unwrap();
        assert_eq!(socket.to_string(), "/run/redis.sock");
    }

    #[test]
    fn a_malformed_url_is_refused_without_repeating_it() {
        for url in [
            "http://s3cret@example.com",
            "not a url",
            "rediss://s3cret@host",
        ] {
            let error = url.parse::<RedisUrl>().unwrap_err().to_string();
            assert!(!error.contains("s3cret"), "{error}");
        }
    }
}
