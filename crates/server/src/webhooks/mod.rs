//! Webhooks: their settings, the retry schedule, signatures (`signing`) and the guard
//! against server-side request forgery (`address`). The loop that sends deliveries is
//! `crate::sender`; the routes that manage webhooks are `service/webhooks.rs`.

pub(crate) mod address;
pub(crate) mod signing;

use std::time::Duration;

/// How webhooks are delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
    /// Let webhooks reach loopback, private and link-local addresses
    /// (`--webhooks-allow-private`): for tests and receivers on a private network.
    pub allow_private: bool,
    /// How long one attempt may take, connection to last byte of the answer.
    pub timeout: Duration,
    /// Attempts per delivery before it is failed (1..=20).
    pub max_attempts: u32,
    /// The wait after a first failed attempt; each later wait is [`RETRY_FACTOR`] times the
    /// one before, up to `retry_cap`, each with ±20% jitter.
    pub retry_base: Duration,
    /// The longest wait between two attempts.
    pub retry_cap: Duration,
    /// Deliveries sent at once by this process.
    pub concurrency: usize,
    /// How often an idle sender looks for due deliveries.
    pub poll_interval: Duration,
}

/// How much longer each wait between attempts is than the one before.
pub const RETRY_FACTOR: u32 = 3;

/// The most attempts a delivery can be given (`--webhook-max-attempts`).
pub const MAX_ATTEMPTS: u32 = 20;

impl Default for WebhookConfig {
    /// 10 s per attempt; 10 attempts, waiting 10 s, 30 s, 90 s... up to 6 h between two,
    /// so a delivery is retried for about 15 hours; 8 at once; looked for every 250 ms.
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            max_attempts: 10,
            retry_base: Duration::from_secs(10),
            retry_cap: Duration::from_secs(6 * 3600),
            concurrency: 8,
            poll_interval: Duration::from_millis(250),
        }
    }
}

impl WebhookConfig {
    /// The wait after failed attempt number `attempt` (from 1), before jitter.
    pub fn retry_delay(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1);
        RETRY_FACTOR
            .checked_pow(exponent)
            .and_then(|factor| self.retry_base.checked_mul(factor))
            .map_or(self.retry_cap, |delay| delay.min(self.retry_cap))
    }

    /// [`WebhookConfig::retry_delay`] with jitter: `jitter` in `0.0..=1.0` maps to
    /// 80%..=120% of the wait.
    pub fn jittered_delay(&self, attempt: u32, jitter: f64) -> Duration {
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let scale = 0.8 + 0.4 * jitter;
        self.retry_delay(attempt).mul_f64(scale)
    }

    /// The attempts a delivery gets, brought into 1..=[`MAX_ATTEMPTS`].
    pub fn attempts(&self) -> u32 {
        self.max_attempts.clamp(1, MAX_ATTEMPTS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_threefold_up_to_the_cap() {
        let config = WebhookConfig::default();
        let waits: Vec<u64> = (1..=9).map(|n| config.retry_delay(n).as_secs()).collect();
        assert_eq!(waits, [10, 30, 90, 270, 810, 2430, 7290, 21600, 21600]);
        assert_eq!(config.retry_delay(u32::MAX), config.retry_cap);
        let total: u64 = waits.iter().sum();
        assert!((50_000..60_000).contains(&total), "{total} s of retries");
    }

    #[test]
    fn jitter_stays_within_a_fifth_of_the_wait() {
        let config = WebhookConfig::default();
        assert_eq!(config.jittered_delay(1, 0.0), Duration::from_secs(8));
        assert_eq!(config.jittered_delay(1, 1.0), Duration::from_secs(12));
        assert_eq!(config.jittered_delay(1, f64::NAN), Duration::from_secs(8));
    }
}
