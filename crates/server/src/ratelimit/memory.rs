//! Limits kept in this process: one keyed `governor` limiter per limited policy.

use std::collections::HashMap;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::{Policy, QuotaState, RateLimitMode, Refused};

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The in-memory limiters of every limited policy of a preset.
pub(super) struct MemoryLimits {
    limiters: HashMap<Policy, (Limiter, Quota)>,
    clock: DefaultClock,
}

impl MemoryLimits {
    /// The limiters of `mode`'s limited policies.
    pub(super) fn new(mode: RateLimitMode) -> Self {
        let limiters = Policy::ALL
            .into_iter()
            .filter_map(|p| p.quota(mode).map(|q| (p, (build(q), q))))
            .collect();
        Self {
            limiters,
            clock: DefaultClock::default(),
        }
    }

    /// Count one request of `subject` against `policy`. `Ok(None)` when the policy is
    /// unlimited.
    pub(super) fn check(
        &self,
        policy: Policy,
        subject: &str,
    ) -> Result<Option<QuotaState>, Refused> {
        let Some((limiter, quota)) = self.limiters.get(&policy) else {
            return Ok(None);
        };
        match limiter.check_key(&subject.to_owned()) {
            Ok(snapshot) => Ok(Some(QuotaState::of(
                *quota,
                snapshot.remaining_burst_capacity(),
            ))),
            Err(not_until) => Err(Refused::after(
                policy,
                *quota,
                not_until.wait_time_from(self.clock.now()),
            )),
        }
    }

    /// Forget subjects whose quota is whole again.
    pub(super) fn prune(&self) {
        for (limiter, _) in self.limiters.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

fn build(quota: Quota) -> Limiter {
    RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>()
}
