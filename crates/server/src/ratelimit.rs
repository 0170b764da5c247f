//! Rate limits: per policy and subject, GCRA through `governor`.
//!
//! A policy names what is limited (integration conversation creates, developer memory
//! writes, ...) and the subject who is limited (an app and user, or a developer key). Three
//! presets: `on` (the default, generous enough that normal use never meets them), `cloud`
//! (OMI's cloud values) and `off`.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

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
}

impl Policy {
    /// Every policy.
    pub const ALL: [Self; 8] = [
        Self::IntegrationConversations,
        Self::IntegrationMemories,
        Self::IntegrationReads,
        Self::DevMemoryWrites,
        Self::DevMemoryBatch,
        Self::DevReads,
        Self::DevConversationWrites,
        Self::DevActionItemWrites,
    ];

    /// A stable name for logs and metrics.
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
            Self::IntegrationReads | Self::DevReads | Self::DevActionItemWrites => None,
        }
    }

    /// The default (`on`) values: requests per minute, far above interactive use.
    fn default_per_minute(self) -> u32 {
        match self {
            Self::IntegrationConversations | Self::IntegrationMemories => 600,
            Self::DevMemoryWrites | Self::DevActionItemWrites => 1_200,
            Self::DevMemoryBatch => 300,
            Self::DevConversationWrites => 600,
            Self::IntegrationReads | Self::DevReads => 6_000,
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

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The limiters of every policy.
pub struct RateLimits {
    limiters: HashMap<Policy, (Limiter, u32)>,
    clock: DefaultClock,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits")
            .field("policies", &self.limiters.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl RateLimits {
    /// The limiters of a preset.
    pub fn new(mode: RateLimitMode) -> Self {
        let limiters = Policy::ALL
            .into_iter()
            .filter_map(|p| quota(mode, p).map(|(q, limit)| (p, (build(q), limit))))
            .collect();
        Self {
            limiters,
            clock: DefaultClock::default(),
        }
    }

    /// Count one request of `subject` against `policy`. `Ok(None)` when the policy is
    /// unlimited.
    pub fn check(&self, policy: Policy, subject: &str) -> Result<Option<QuotaState>, Refused> {
        let Some((limiter, limit)) = self.limiters.get(&policy) else {
            return Ok(None);
        };
        match limiter.check_key(&subject.to_owned()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let per_cell = snapshot.quota().replenish_interval();
                let missing = limit.saturating_sub(remaining);
                Ok(Some(QuotaState {
                    limit: *limit,
                    remaining,
                    reset_secs: ceil_secs(per_cell * missing),
                }))
            }
            Err(not_until) => Err(Refused {
                retry_after_secs: ceil_secs(not_until.wait_time_from(self.clock.now())).max(1),
                policy,
                limit: *limit,
            }),
        }
    }

    /// Forget subjects whose quota is whole again (bounds memory use).
    pub fn prune(&self) {
        for (limiter, _) in self.limiters.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

fn quota(mode: RateLimitMode, policy: Policy) -> Option<(Quota, u32)> {
    match mode {
        RateLimitMode::Off => None,
        RateLimitMode::Cloud => {
            let n = NonZeroU32::new(policy.cloud_per_hour()?)?;
            Some((Quota::per_hour(n), n.get()))
        }
        RateLimitMode::On => {
            let n = NonZeroU32::new(policy.default_per_minute())?;
            Some((Quota::per_minute(n), n.get()))
        }
    }
}

fn build(quota: Quota) -> Limiter {
    RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>()
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_preset_refuses_the_eleventh_conversation_in_an_hour() {
        let limits = RateLimits::new(RateLimitMode::Cloud);
        for i in 0..10 {
            let state = limits
                .check(Policy::IntegrationConversations, "app:user")
                .unwrap()
                .unwrap();
            assert_eq!(state.limit, 10);
            assert_eq!(state.remaining, 9 - i);
        }
        let refused = limits
            .check(Policy::IntegrationConversations, "app:user")
            .unwrap_err();
        assert!(refused.retry_after_secs >= 1 && refused.retry_after_secs <= 360);
        assert!(
            limits
                .check(Policy::IntegrationConversations, "app:other")
                .is_ok()
        );
    }

    #[test]
    fn off_never_limits() {
        let limits = RateLimits::new(RateLimitMode::Off);
        for _ in 0..100 {
            assert_eq!(limits.check(Policy::DevMemoryBatch, "k"), Ok(None));
        }
    }
}
