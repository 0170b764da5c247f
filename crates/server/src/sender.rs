//! The webhook sender: claims due deliveries from the store's queue and POSTs each, signed,
//! at most `concurrency` at once, beside the API (a slow or dead receiver holds only its
//! own delivery). Each attempt is recorded with its delivery; a failed one is retried with
//! exponential backoff and jitter until the delivery's attempts run out, then it is failed.
//!
//! At least once: a delivery is finished only after its receiver answered, so one whose
//! sender died (kill -9) is claimed again when its lease ends, and sent again.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::FutureExt;
use omi_model::WebhookAttempt;
use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::service::Service;
use crate::store::{AttemptOutcome, ClaimedDelivery, Store};
use crate::webhooks::address::{GuardedResolver, is_public, literal_address};
use crate::webhooks::{WebhookConfig, signing};

/// How long a claimed delivery is held beyond its attempt's timeout before another sender
/// may take it.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// The most characters of a receiver's error kept with an attempt.
const MAX_ERROR_CHARS: usize = 300;

/// Send deliveries until `stopped` turns true; then wait for the attempts in flight.
pub(crate) async fn run_sender(
    service: Service,
    config: WebhookConfig,
    mut stopped: watch::Receiver<bool>,
) {
    let client = match http_client(&config) {
        Ok(client) => Arc::new(client),
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook HTTP client; no deliveries");
            return;
        }
    };
    let mut in_flight = JoinSet::new();
    loop {
        let free = config.concurrency.max(1).saturating_sub(in_flight.len());
        if free > 0 {
            for delivery in claim(service.store().as_ref(), &config, free).await {
                let (store, client, config) = (
                    Arc::clone(service.store()),
                    Arc::clone(&client),
                    config.clone(),
                );
                in_flight.spawn(async move { deliver(&*store, &client, &config, delivery).await });
            }
        }
        tokio::select! {
            Some(joined) = in_flight.join_next() => note_panic(joined),
            () = tokio::time::sleep(config.poll_interval) => {}
            () = async { let _ = stopped.wait_for(|s| *s).await; } => break,
        }
    }
    while let Some(joined) = in_flight.join_next().await {
        note_panic(joined);
    }
}

/// The client every attempt is sent with: the attempt's timeout, no redirects, and unless
/// private addresses are allowed, no proxy and a resolver that keeps only public ones.
fn http_client(config: &WebhookConfig) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("omi-server-webhooks/", env!("CARGO_PKG_VERSION")));
    // Guarded, connections go straight to the receiver: through a proxy, the resolver would
    // check the proxy's address instead of the receiver's.
    let builder = if config.allow_private {
        builder
    } else {
        builder.no_proxy().dns_resolver(Arc::new(GuardedResolver))
    };
    builder.build()
}

/// Claim at most `free` due deliveries; none when nothing is due or the store fails.
async fn claim(store: &dyn Store, config: &WebhookConfig, free: usize) -> Vec<ClaimedDelivery> {
    let now = Utc::now();
    match store.deliveries_due(now).await {
        Ok(true) => {}
        Ok(false) => return Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot look for due webhook deliveries");
            return Vec::new();
        }
    }
    let lease = chrono::Duration::from_std(config.timeout.saturating_add(LEASE_MARGIN))
        .unwrap_or(chrono::Duration::MAX);
    let until = now.checked_add_signed(lease).unwrap_or(now);
    let at_most = i64::try_from(free).unwrap_or(i64::MAX);
    store
        .claim_deliveries(now, until, at_most)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot claim webhook deliveries");
            Vec::new()
        })
}

/// Log and count an attempt that panicked (its delivery is taken again when its lease ends).
fn note_panic(joined: Result<(), tokio::task::JoinError>) {
    if let Err(e) = joined {
        crate::metrics::panic_caught(crate::metrics::PanicSite::Webhook);
        tracing::error!(error = %e, "a webhook attempt panicked; it is retried later");
    }
}

/// Make one attempt at `delivery` and record it.
async fn deliver(
    store: &dyn Store,
    client: &reqwest::Client,
    config: &WebhookConfig,
    delivery: ClaimedDelivery,
) {
    let attempt_no = u32::try_from(delivery.attempt).unwrap_or(u32::MAX);
    let started = Instant::now();
    let attempted_at = omi_model::timestamp::normalize(Utc::now());
    let sent = if attempt_no > config.attempts() {
        Err("the delivery stopped without an outcome in each of its attempts".to_owned())
    } else {
        AssertUnwindSafe(send(client, config, &delivery))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                crate::metrics::panic_caught(crate::metrics::PanicSite::Webhook);
                Err("the attempt panicked".to_owned())
            })
    };
    let (status_code, error) = match sent {
        Ok(status) if (200..300).contains(&status) => (Some(status), None),
        Ok(status) => (
            Some(status),
            Some(format!("the receiver answered {status}")),
        ),
        Err(e) => (None, Some(e)),
    };
    let outcome = match &error {
        None => AttemptOutcome::Delivered,
        Some(_) if attempt_no >= config.attempts() => AttemptOutcome::Failed,
        Some(_) => retry_at(config, attempt_no),
    };
    let attempt = WebhookAttempt {
        attempt: attempt_no,
        attempted_at,
        status_code,
        error: error.map(|e| e.chars().take(MAX_ERROR_CHARS).collect()),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    log_attempt(&delivery, &attempt, outcome);
    match store.finish_attempt(&delivery, &attempt, outcome).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(delivery = %delivery.id, "delivery no longer held; attempt dropped")
        }
        Err(e) => tracing::warn!(delivery = %delivery.id, error = %e,
            "cannot record a webhook attempt; the delivery is sent again when its lease ends"),
    }
}

/// When the attempt after failed attempt `attempt_no` is due.
fn retry_at(config: &WebhookConfig, attempt_no: u32) -> AttemptOutcome {
    let wait = config.jittered_delay(attempt_no, rand::rng().random::<f64>());
    let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
    let now = Utc::now();
    AttemptOutcome::RetryAt(now.checked_add_signed(wait).unwrap_or(now))
}

/// Log an attempt (a failure at info, a delivery failed for good at warn) and count it.
fn log_attempt(delivery: &ClaimedDelivery, attempt: &WebhookAttempt, outcome: AttemptOutcome) {
    crate::metrics::webhook_attempt(match outcome {
        AttemptOutcome::Delivered => "delivered",
        AttemptOutcome::RetryAt(_) => "retried",
        AttemptOutcome::Failed => "failed",
    });
    let (id, webhook, event) = (&delivery.id, &delivery.webhook_id, delivery.event.as_str());
    match (&attempt.error, outcome) {
        (None, _) => {
            tracing::debug!(delivery = %id, webhook = %webhook, event, "webhook delivered")
        }
        (Some(error), AttemptOutcome::Failed) => tracing::warn!(delivery = %id, webhook = %webhook,
            event, attempt = attempt.attempt, %error, "webhook delivery failed for good"),
        (Some(error), _) => tracing::info!(delivery = %id, webhook = %webhook, event,
            attempt = attempt.attempt, %error, "webhook attempt failed; retrying later"),
    }
}

/// POST `delivery`, signed; the receiver's status, or why there was none.
async fn send(
    client: &reqwest::Client,
    config: &WebhookConfig,
    delivery: &ClaimedDelivery,
) -> Result<u16, String> {
    let url = url::Url::parse(&delivery.url).map_err(|e| format!("unusable URL: {e}"))?;
    if let Some(ip) = literal_address(&url).filter(|ip| !config.allow_private && !is_public(*ip)) {
        return Err(format!("{ip} is not a public address"));
    }
    let key = signing::key_of(&delivery.secret).ok_or("the webhook's secret is unreadable")?;
    let timestamp = Utc::now().timestamp();
    let body = delivery.payload.clone().into_bytes();
    let signature = signing::signature(&key, &delivery.id, timestamp, &body);
    let answer = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", delivery.id.as_str())
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(describe)?;
    Ok(answer.status().as_u16())
}

/// A failed request in a few words, its causes included.
fn describe(e: reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "no answer in time".to_owned()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
