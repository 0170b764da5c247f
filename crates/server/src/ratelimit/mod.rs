//! Rate limits: per policy and subject, GCRA (the generic cell rate algorithm).
//!
//! A policy names what is limited (integration conversation creates, developer memory
//! writes, ...) and the subject who is limited (an app and user, or a developer key). Three
//! presets: `on` (the default, generous enough that normal use never meets them), `cloud`
//! (OMI's cloud values) and `off`.
//!
//! [`RateLimits`] is the front the service calls. The state lives in one of two places:
//!
//! - `memory`: in this process, through `governor` ([`RateLimits::new`]). Each process has
//!   its own budget per subject.
//! - `redis`: in Redis, updated atomically by a Lua script ([`RateLimits::shared`]), so every
//!   process configured with the same Redis and key prefix draws from one budget per subject.
//!   Both run the same algorithm with the same quotas and answer with the same
//!   [`QuotaState`] and [`Refused`] values for the same sequence of requests.
//!
//! Redis failing never fails a request: a check that Redis does not answer within its
//! timeout (250 ms by default) falls back to the in-memory limiter of this process, so limits
//! still hold (per process, as without Redis) while Redis is away, and sharing resumes by
//! itself when it answers again. See the `redis` module for the details.

mod memory;
mod redis;

use std::time::Duration;

use governor::Quota;

use self::memory::MemoryLimits;
use self::redis::RedisLimits;
pub use self::redis::{InvalidRedisUrl, RedisConfig, RedisUrl, SharedError};

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Integration conversation creates, per app and user.
    IntegrationConversations,
    /// Integration memory creates, per app and user.
    IntegrationMemories,
    /// Integration reads, per app and user.
    IntegrationReads,
    /// Developer memory writes (create, update, delete), per key.
    DevMemoryWrites,
    /// Developer memory batch creates, per key.
    DevMemoryBatch,
    /// Developer reads, per key.
    DevReads,
    /// Developer conversation writes (create, update, delete), per key.
    DevConversationWrites,
    /// Developer action item writes (create, batch, update, delete), per key.
    DevActionItemWrites,
    /// Developer goal reads (list, get, history), per key.
    DevGoalReads,
    /// Developer goal writes (create, update, progress, delete), per key.
    DevGoalWrites,
    /// Developer webhook writes (create, delete), per key.
    DevWebhookWrites,
}

impl Policy {
    /// Every policy.
    pub const ALL: [Self; 11] = [
        Self::IntegrationConversations,
        Self::IntegrationMemories,
        Self::IntegrationReads,
        Self::DevMemoryWrites,
        Self::DevMemoryBatch,
        Self::DevReads,
        Self::DevConversationWrites,
        Self::DevActionItemWrites,
        Self::DevGoalReads,
        Self::DevGoalWrites,
        Self::DevWebhookWrites,
    ];

    /// A stable name for logs, metrics and Redis keys.
    pub fn name(self) -> &'static str {
        match self {
            Self::IntegrationConversations => "integration_conversations",
            Self::IntegrationMemories => "integration_memories",
            Self::IntegrationReads => "integration_reads",
            Self::DevMemoryWrites => "dev_memory_writes",
            Self::DevMemoryBatch => "dev_memory_batch",
            Self::DevReads => "dev_reads",
            Self::DevConversationWrites => "dev_conversation_writes",
            Self::DevActionItemWrites => "dev_action_item_writes",
            Self::DevGoalReads => "dev_goal_reads",
            Self::DevGoalWrites => "dev_goal_writes",
            Self::DevWebhookWrites => "dev_webhook_writes",
        }
    }

    /// OMI's cloud values: requests per hour, or `None` for no limit.
    fn cloud_per_hour(self) -> Option<u32> {
        match self {
            Self::IntegrationConversations => Some(10),
            Self::IntegrationMemories => Some(60),
            Self::DevMemoryWrites => Some(120),
            Self::DevMemoryBatch => Some(15),
            Self::DevConversationWrites => Some(25),
            Self::DevGoalReads | Self::DevGoalWrites | Self::DevWebhookWrites => Some(120),
            Self::IntegrationReads | Self::DevReads | Self::DevActionItemWrites => None,
        }
    }

    /// The default (`on`) values: requests per minute, far above interactive use.
    fn default_per_minute(self) -> u32 {
        match self {
            Self::IntegrationConversations | Self::IntegrationMemories => 600,
            Self::DevMemoryWrites | Self::DevActionItemWrites | Self::DevGoalWrites => 1_200,
            Self::DevWebhookWrites => 120,
            Self::DevMemoryBatch => 300,
            Self::DevConversationWrites => 600,
            Self::IntegrationReads | Self::DevReads | Self::DevGoalReads => 6_000,
        }
    }

    /// The quota of this policy under `mode`: a burst of `limit` requests, one more every
    /// `window / limit`. `None` when the policy is unlimited. Every backend reads it here.
    fn quota(self, mode: RateLimitMode) -> Option<Quota> {
        match mode {
            RateLimitMode::Off => None,
            RateLimitMode::Cloud => Some(Quota::per_hour(self.cloud_per_hour()?.try_into().ok()?)),
            RateLimitMode::On => Some(Quota::per_minute(
                self.default_per_minute().try_into().ok()?,
            )),
        }
    }
}

/// Which preset of limits is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RateLimitMode {
    /// Generous limits (the default).
    #[default]
    On,
    /// No limits.
    Off,
    /// OMI's cloud values.
    Cloud,
}

/// The state of a subject's quota after an allowed request, for `X-RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaState {
    /// Requests allowed per window.
    pub limit: u32,
    /// Requests left now.
    pub remaining: u32,
    /// Seconds until the quota is whole again.
    pub reset_secs: u64,
}

impl QuotaState {
    /// The state of `quota` with `remaining` requests left: it is whole again once the
    /// missing requests have been replenished, one per interval.
    fn of(quota: Quota, remaining: u32) -> Self {
        let limit = quota.burst_size().get();
        let remaining = remaining.min(limit);
        Self {
            limit,
            remaining,
            reset_secs: ceil_secs(quota.replenish_interval() * (limit - remaining)),
        }
    }
}

/// A request refused by a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Seconds to wait before the next request can pass (at least 1).
    pub retry_after_secs: u64,
    /// The policy that refused it.
    pub policy: Policy,
    /// Requests allowed per window under that policy.
    pub limit: u32,
}

impl Refused {
    /// A refusal by `policy` (of `quota`) that the next request can pass after `wait`.
    fn after(policy: Policy, quota: Quota, wait: Duration) -> Self {
        Self {
            retry_after_secs: ceil_secs(wait).max(1),
            policy,
            limit: quota.burst_size().get(),
        }
    }
}

/// The limits of every policy, kept in this process or shared through Redis.
pub struct RateLimits {
    mode: RateLimitMode,
    /// This process's limiters: the only ones without Redis, the fallback with it.
    memory: MemoryLimits,
    /// The limiters every process shares, when Redis is configured.
    shared: Option<RedisLimits>,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits")
            .field("mode", &self.mode)
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

impl RateLimits {
    /// The limits of a preset, kept in this process: each process has its own budget.
    pub fn new(mode: RateLimitMode) -> Self {
        Self {
            mode,
            memory: MemoryLimits::new(mode),
            shared: None,
        }
    }

    /// The limits of a preset, shared through Redis by every process using the same server
    /// and [`RedisConfig::key_prefix`]. Nothing is sent yet: the connection is made on first
    /// use and remade after a failure, and until Redis answers each check falls back to
    /// this process's limiter. With [`RateLimitMode::Off`] Redis is never used.
    ///
    /// It must run inside the tokio runtime, where the connection's background task lives.
    pub async fn shared(mode: RateLimitMode, config: RedisConfig) -> Result<Self, SharedError> {
        let shared = match mode {
            RateLimitMode::Off => None,
            RateLimitMode::On | RateLimitMode::Cloud => Some(RedisLimits::new(config)?),
        };
        Ok(Self {
            mode,
            memory: MemoryLimits::new(mode),
            shared,
        })
    }

    /// Whether the limits are kept in Redis (see [`RateLimits::shared`]).
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Ask Redis once whether it answers, within the timeout (`Ok` when the limits are not
    /// shared): for the log at startup.
    pub async fn ping(&self) -> Result<(), SharedError> {
        match &self.shared {
            Some(shared) => shared.ping().await,
            None => Ok(()),
        }
    }

    /// Count one request of `subject` against `policy`. `Ok(None)` when the policy is
    /// unlimited.
    pub async fn check(
        &self,
        policy: Policy,
        subject: &str,
    ) -> Result<Option<QuotaState>, Refused> {
        if let Some(shared) = &self.shared {
            let Some(quota) = policy.quota(self.mode) else {
                return Ok(None);
            };
            if let Some(outcome) = shared.check(policy, quota, subject).await {
                return outcome.map(Some);
            }
        }
        self.memory.check(policy, subject)
    }

    /// Forget subjects whose quota is whole again in this process's limiters (bounds memory
    /// use). Redis needs no pruning: each key expires when its quota is whole again.
    pub fn prune(&self) {
        self.memory.prune();
    }
}

/// Whole seconds, rounded up.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cloud_preset_refuses_the_eleventh_conversation_in_an_hour() {
        let limits = RateLimits::new(RateLimitMode::Cloud);
        for i in 0..10 {
            let state = limits
                .check(Policy::IntegrationConversations, "app:user")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(state.limit, 10);
            assert_eq!(state.remaining, 9 - i);
            assert_eq!(state.reset_secs, 360 * u64::from(10 - state.remaining));
        }
        let refused = limits
            .check(Policy::IntegrationConversations, "app:user")
            .await
            .unwrap_err();
        assert!(refused.retry_after_secs >= 1 && refused.retry_after_secs <= 360);
        assert!(
            limits
                .check(Policy::IntegrationConversations, "app:other")
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn off_never_limits() {
        let limits = RateLimits::new(RateLimitMode::Off);
        for _ in 0..100 {
            assert_eq!(limits.check(Policy::DevMemoryBatch, "k").await, Ok(None));
        }
    }

    #[test]
    fn every_limited_policy_has_an_interval_of_whole_microseconds() {
        // The Redis backend counts in microseconds; a quota that is not a whole number of
        // them would drift from the in-memory limiter.
        for mode in [RateLimitMode::On, RateLimitMode::Cloud] {
            for policy in Policy::ALL {
                if let Some(quota) = policy.quota(mode) {
                    assert_eq!(
                        quota.replenish_interval().subsec_nanos() % 1_000,
                        0,
                        "{policy:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_quota_state_resets_one_interval_per_missing_request() {
        let quota = Policy::IntegrationConversations
            .quota(RateLimitMode::Cloud)
            .unwrap();
        assert_eq!(
            QuotaState::of(quota, 7),
            QuotaState {
                limit: 10,
                remaining: 7,
                reset_secs: 3 * 360
            }
        );
        assert_eq!(QuotaState::of(quota, 10).reset_secs, 0);
        let refused = Refused::after(
            Policy::IntegrationConversations,
            quota,
            Duration::from_millis(1),
        );
        assert_eq!((refused.retry_after_secs, refused.limit), (1, 10));
    }
}
