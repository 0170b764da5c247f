//! Rate limits shared through Redis: one budget per subject for every process on the same
//! Redis, the same answers as the in-memory limiter, and a Redis that fails or cannot be
//! reached never failing a request.
//!
//! The Redis is `OMI_TEST_REDIS_URL`; a test that needs it says it is skipped and passes
//! when that is not set. Each test keeps its keys under a prefix of its own and deletes them
//! at the end (a test that fails leaves them to expire, within the hour).

use std::sync::Arc;
use std::time::{Duration, Instant};

use omi_extract::RulesExtractor;
use omi_server::ratelimit::{
    Policy, QuotaState, RateLimitMode, RateLimits, RedisConfig, RedisUrl, Refused,
};
use serde_json::json;

use crate::common::{CuttableProxy, DEADLINE, TestServer, test_config};
use crate::rate_limit::{check_allowed, check_refused};

/// What one check answered.
type Outcome = Result<Option<QuotaState>, Refused>;

/// The tests' Redis, with a key prefix of one test's own.
struct TestRedis {
    url: String,
    prefix: String,
}

impl TestRedis {
    /// The Redis of `OMI_TEST_REDIS_URL`, or `None` after saying the test is skipped.
    fn get() -> Option<Self> {
        match std::env::var("OMI_TEST_REDIS_URL") {
            Ok(url) if !url.is_empty() => Some(Self {
                url,
                prefix: format!("omi-test:{}:", uuid::Uuid::new_v4()),
            }),
            _ => {
                println!("skipped: OMI_TEST_REDIS_URL is not set");
                None
            }
        }
    }

    /// Limits on `url` under this test's prefix.
    fn config_at(&self, url: &str) -> RedisConfig {
        RedisConfig {
            key_prefix: self.prefix.clone(),
            ..RedisConfig::new(url.parse().expect("a Redis URL"))
        }
    }

    /// Limits on this Redis under this test's prefix.
    fn config(&self) -> RedisConfig {
        self.config_at(&self.url)
    }

    /// One process's limits of `mode`, shared through this Redis.
    async fn limits(&self, mode: RateLimitMode) -> RateLimits {
        shared(mode, self.config()).await
    }

    /// This test's keys, with the milliseconds each has left to live.
    async fn keys(&self) -> Vec<(String, i64)> {
        let mut connection = redis::Client::open(self.url.as_str())
            .expect("a Redis URL")
            .get_multiplexed_async_connection()
            .await
            .expect("Redis answers");
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.prefix))
            .query_async(&mut connection)
            .await
            .expect("KEYS");
        let mut ttls = Vec::with_capacity(keys.len());
        for key in keys {
            let ttl: i64 = redis::cmd("PTTL")
                .arg(&key)
                .query_async(&mut connection)
                .await
                .expect("PTTL");
            ttls.push((key, ttl));
        }
        ttls
    }

    /// Delete this test's keys, and say how many there were.
    async fn clean(self) -> usize {
        let keys = self.keys().await;
        if !keys.is_empty() {
            let mut connection = redis::Client::open(self.url.as_str())
                .expect("a Redis URL")
                .get_multiplexed_async_connection()
                .await
                .expect("Redis answers");
            let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
            let _: i64 = redis::cmd("DEL")
                .arg(&names)
                .query_async(&mut connection)
                .await
                .expect("DEL");
        }
        keys.len()
    }
}

/// Limits of `mode` shared through the Redis of `config`.
async fn shared(mode: RateLimitMode, config: RedisConfig) -> RateLimits {
    RateLimits::shared(mode, config)
        .await
        .expect("a connection manager")
}

/// `n` checks of `subject` against `policy`, in order.
async fn run(limits: &RateLimits, policy: Policy, subject: &str, n: usize) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(n);
    for _ in 0..n {
        outcomes.push(limits.check(policy, subject).await);
    }
    outcomes
}

/// `n` checks as one process without Redis answers them, under the cloud preset.
async fn in_one_process(policy: Policy, subject: &str, n: usize) -> Vec<Outcome> {
    run(&RateLimits::new(RateLimitMode::Cloud), policy, subject, n).await
}

/// The remaining requests of an allowed check.
#[track_caller]
fn remaining(outcome: &Outcome) -> u32 {
    match outcome {
        Ok(Some(state)) => state.remaining,
        other => panic!("expected an allowed, limited check, got {other:?}"),
    }
}

/// Two runs answered alike: the same quota states, refusals at the same places by the same
/// policy, and waits that differ by at most the second the runs are apart.
#[track_caller]
fn check_same(shared: &[Outcome], memory: &[Outcome]) {
    assert_eq!(shared.len(), memory.len());
    for (i, (s, m)) in shared.iter().zip(memory).enumerate() {
        match (s, m) {
            (Err(s), Err(m)) => {
                assert_eq!((s.policy, s.limit), (m.policy, m.limit), "check {i}");
                assert!(
                    s.retry_after_secs.abs_diff(m.retry_after_secs) <= 1,
                    "check {i}: {s:?} and {m:?}"
                );
            }
            _ => assert_eq!(s, m, "check {i}"),
        }
    }
}

/// A refusal of the cloud conversation policy (10 an hour: one more every 360 s).
#[track_caller]
fn check_conversation_refused(outcome: &Outcome) {
    let refused = outcome.expect_err("refused");
    assert_eq!(refused.policy, Policy::IntegrationConversations);
    assert_eq!(refused.limit, 10);
    assert!(
        (1..=360).contains(&refused.retry_after_secs),
        "the next conversation can pass within 360 s: {refused:?}"
    );
}

#[tokio::test]
async fn the_cloud_presets_eleventh_conversation_in_an_hour_is_refused_through_redis() {
    let Some(redis) = TestRedis::get() else {
        return;
    };
    let limits = redis.limits(RateLimitMode::Cloud).await;
    let outcomes = run(&limits, Policy::IntegrationConversations, "app:user", 11).await;
    for (i, outcome) in outcomes[..10].iter().enumerate() {
        assert_eq!(
            outcome,
            &Ok(Some(QuotaState {
                limit: 10,
                remaining: 9 - i as u32,
                reset_secs: 360 * (i as u64 + 1),
            })),
            "conversation {i}"
        );
    }
    check_conversation_refused(&outcomes[10]);
    assert_eq!(redis.clean().await, 1, "one key: one policy, one subject");
}

#[tokio::test]
async fn two_processes_on_one_redis_share_one_budget_and_answer_as_one_process_would() {
    let Some(redis) = TestRedis::get() else {
        return;
    };
    let (a, b) = (
        redis.limits(RateLimitMode::Cloud).await,
        redis.limits(RateLimitMode::Cloud).await,
    );
    let policy = Policy::IntegrationConversations;
    let mut outcomes = run(&a, policy, "app:user", 6).await;
    outcomes.extend(run(&b, policy, "app:user", 4).await);
    outcomes.extend(run(&a, policy, "app:user", 1).await);
    outcomes.extend(run(&b, policy, "app:user", 1).await);

    let one_process = in_one_process(policy, "app:user", 12).await;
    check_same(&outcomes, &one_process);
    check_conversation_refused(&outcomes[10]);
    check_conversation_refused(&outcomes[11]);
    assert_eq!(
        remaining(&outcomes[9]),
        0,
        "the tenth, through B, was the last"
    );
    redis.clean().await;
}

#[tokio::test]
async fn another_subject_or_policy_has_a_budget_of_its_own() {
    let Some(redis) = TestRedis::get() else {
        return;
    };
    let limits = redis.limits(RateLimitMode::Cloud).await;
    let spent = run(&limits, Policy::IntegrationConversations, "app:user", 11).await;
    check_conversation_refused(&spent[10]);

    let other_user = limits
        .check(Policy::IntegrationConversations, "app:other")
        .await;
    assert_eq!(remaining(&other_user), 9);
    let memories = limits.check(Policy::IntegrationMemories, "app:user").await;
    assert_eq!(remaining(&memories), 59);
    let unlimited = limits.check(Policy::IntegrationReads, "app:user").await;
    assert_eq!(unlimited, Ok(None));
    assert_eq!(redis.clean().await, 3, "unlimited policies write nothing");
}

#[tokio::test]
async fn a_key_expires_when_its_quota_is_whole_again() {
    let Some(redis) = TestRedis::get() else {
        return;
    };
    let limits = redis.limits(RateLimitMode::Cloud).await;
    // Three conversations: whole again after three intervals of 360 s.
    run(&limits, Policy::IntegrationConversations, "app:user", 3).await;
    let keys = redis.keys().await;
    let [(key, ttl)] = keys.as_slice() else {
        panic!("one key expected: {keys:?}");
    };
    assert!(key.ends_with("integration_conversations:app:user"), "{key}");
    assert!(
        (1_000_000..=1_080_000).contains(ttl),
        "expires in 1080 s: {ttl} ms"
    );
    redis.clean().await;
}

#[tokio::test]
async fn an_unreachable_redis_fails_open_to_this_processs_limits_quickly() {
    omi_server::metrics::install(); // before the failures, so they are counted
    let started = Instant::now();
    let config = RedisConfig::new("redis://127.0.0.1:1".parse().expect("a Redis URL"));
    let limits = shared(RateLimitMode::Cloud, config).await;
    assert!(limits.is_shared());
    assert!(limits.ping().await.is_err(), "nothing listens on port 1");

    let policy = Policy::IntegrationConversations;
    let outcomes = run(&limits, policy, "app:user", 11).await;
    let one_process = in_one_process(policy, "app:user", 11).await;
    check_same(&outcomes, &one_process);
    check_conversation_refused(&outcomes[10]);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no request waits for Redis: {:?}",
        started.elapsed()
    );
    let metrics = omi_server::metrics::render();
    assert!(
        metrics.contains("rate_limit_backend_errors_total{reason="),
        "the failure is counted:\n{metrics}"
    );
}

#[tokio::test]
async fn sharing_resumes_by_itself_when_redis_answers_again() {
    let Some(redis) = TestRedis::get() else {
        return;
    };
    // A reaches Redis through a proxy, which the test cuts; B directly.
    let target = redis
        .url
        .parse::<RedisUrl>()
        .expect("a Redis URL")
        .to_string();
    let proxy = CuttableProxy::start(target).await;
    let mut through_proxy = url::Url::parse(&redis.url).expect("a URL");
    through_proxy.set_port(Some(proxy.port)).expect("a port");
    let a = shared(
        RateLimitMode::Cloud,
        redis.config_at(through_proxy.as_str()),
    )
    .await;
    let b = redis.limits(RateLimitMode::Cloud).await;
    let (policy, key) = (Policy::DevMemoryWrites, "dev-key");
    assert_eq!(remaining(&a.check(policy, key).await), 119);
    let through_b = run(&b, policy, key, 3).await;
    assert_eq!(remaining(&through_b[2]), 116, "shared");

    proxy.cut().await;
    let started = Instant::now();
    let alone = a.check(policy, key).await;
    assert_eq!(remaining(&alone), 119, "A counts on its own while cut off");
    assert!(started.elapsed() < Duration::from_secs(1));

    proxy.restore();
    let deadline = Instant::now() + DEADLINE;
    loop {
        // While A counts on its own, it has 3 more left than B; shared again, 1 more.
        let through_a = remaining(&a.check(policy, key).await);
        let through_b = remaining(&b.check(policy, key).await);
        if through_a == through_b + 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "A still counts on its own: {through_a} against {through_b}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    redis.clean().await;
}

#[tokio::test]
async fn two_servers_on_one_redis_refuse_the_eleventh_conversation_between_them() {
    let Some(redis) = TestRedis::get() else {
        return;
    };
    let mut config = test_config();
    config.rate_limits = RateLimitMode::Cloud;
    config.redis = Some(redis.config());
    let a = TestServer::start_with(config.clone(), Arc::new(RulesExtractor)).await;
    let b = a.start_beside(config).await;
    for i in 0..10 {
        let server = if i < 6 { &a } else { &b };
        let reply = server
            .create_conversation(json!({"text": format!("Me: entry {i}")}))
            .await;
        check_allowed(&reply, 10, 9 - i);
    }
    for server in [&a, &b] {
        let reply = server
            .create_conversation(json!({"text": "Me: one too many"}))
            .await;
        let wait = check_refused(&reply);
        assert!(wait <= 360, "the next can pass within an interval: {wait}");
    }
    b.shutdown().await;
    a.shutdown().await;
    assert_eq!(redis.clean().await, 1);
}
