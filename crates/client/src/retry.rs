//! When and how long to wait before trying a call again.

use std::time::Duration;

use omi_api::ErrorKind;

use crate::Error;

/// How failed calls are retried: exponential backoff with jitter, honouring `Retry-After`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The wait before the first retry; each later one doubles.
    pub base_backoff: Duration,
    /// The longest computed wait.
    pub max_backoff: Duration,
    /// Whether waits are randomized (each between half and all of the computed wait).
    pub jitter: bool,
    /// The longest `Retry-After` honoured; a server asking for more ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            jitter: true,
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// How long to wait before attempt `attempt + 1` after `error` on attempt `attempt`
    /// (1-based), or `None` to give up.
    pub fn delay(&self, attempt: u32, error: &Error) -> Option<Duration> {
        if attempt >= self.max_attempts || !should_retry(error) {
            return None;
        }
        if let Some(seconds) = retry_after(error) {
            let wait = Duration::from_secs(seconds);
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let exponent = attempt.saturating_sub(1).min(20);
        let computed = self
            .base_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        Some(if self.jitter {
            computed.mul_f64(0.5 + rand::random::<f64>() * 0.5)
        } else {
            computed
        })
    }
}

/// Whether a failed call may succeed if tried again: rate limits (429), gateway and
/// availability failures (502, 503, 504), a 409 that says when to retry (omi-server's answer
/// when a concurrent request with the same `Idempotency-Key` committed a moment ago: the
/// retry gets that request's answer), connection failures and timeouts. Never any other
/// client mistake (4xx) or an undecodable answer.
///
/// ```
/// use omi_client::api::ApiError;
/// use omi_client::{should_retry, Error};
/// assert!(should_retry(&Error::Api(ApiError::rate_limited(3))));
/// assert!(!should_retry(&Error::Api(ApiError::not_found("Memory not found"))));
/// ```
pub fn should_retry(error: &Error) -> bool {
    match error {
        Error::Api(e) => {
            e.kind() == ErrorKind::RateLimited
                || matches!(e.status(), 502..=504)
                || (e.status() == 409 && e.retry_after().is_some())
        }
        Error::Transport(e) => e.is_retryable(),
        Error::Timeout(_) => true,
        Error::Decode { .. } | Error::NotProcessed { .. } | Error::Config(_) => false,
    }
}

fn retry_after(error: &Error) -> Option<u64> {
    match error {
        Error::Api(e) => e.retry_after(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omi_api::ApiError;

    fn fixed() -> RetryPolicy {
        RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            max_attempts: 10,
            ..fixed()
        };
        let e = Error::Api(ApiError::unavailable("down"));
        assert_eq!(p.delay(1, &e), Some(Duration::from_millis(200)));
        assert_eq!(p.delay(2, &e), Some(Duration::from_millis(400)));
        assert_eq!(p.delay(9, &e), Some(Duration::from_secs(10)));
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_cap() {
        let p = fixed();
        assert_eq!(
            p.delay(1, &Error::Api(ApiError::rate_limited(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(p.delay(1, &Error::Api(ApiError::rate_limited(3600))), None);
    }

    #[test]
    fn attempts_are_bounded() {
        let p = fixed();
        let e = Error::Api(ApiError::unavailable("down"));
        assert!(p.delay(3, &e).is_some());
        assert_eq!(p.delay(4, &e), None);
        assert_eq!(RetryPolicy::never().delay(1, &e), None);
    }

    #[test]
    fn client_mistakes_are_not_retried() {
        for status in [400, 401, 403, 404, 409, 413, 422, 500] {
            let e = Error::Api(ApiError::message(status, "x"));
            assert!(!should_retry(&e), "{status}");
        }
        for status in [429, 502, 503, 504] {
            assert!(
                should_retry(&Error::Api(ApiError::message(status, "x"))),
                "{status}"
            );
        }
    }

    #[test]
    fn a_409_is_retried_only_when_it_says_when() {
        let busy = Error::Api(ApiError::message(409, "busy").with_retry_after(Some(1)));
        assert!(should_retry(&busy));
        assert_eq!(fixed().delay(1, &busy), Some(Duration::from_secs(1)));
        assert!(!should_retry(&Error::Api(ApiError::message(409, "exists"))));
    }

    #[test]
    fn jitter_stays_within_half_and_all_of_the_wait() {
        let p = RetryPolicy::default();
        let e = Error::Api(ApiError::unavailable("down"));
        for _ in 0..100 {
            let d = p.delay(2, &e).unwrap();
            assert!(d >= Duration::from_millis(200) && d <= Duration::from_millis(400));
        }
    }
}
