//! Webhooks and their deliveries: [`WebhookStore`].
//!
//! A delivery (one event for one webhook) is written in the transaction of the write that
//! made the event, so an event is never lost and never announced for a write that rolled
//! back. Deliveries form a durable queue of their own beside the jobs: claimed with a lease,
//! finished by the attempt that claimed them, retried until they are delivered or failed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::{DeliveryStatus, PageParams, Uid, WebhookAttempt, WebhookEvent, WebhookEvents};

use super::{IdempotentAnswer, StoreResult};

/// The most webhooks one user has.
pub const MAX_WEBHOOKS_PER_USER: i64 = 20;

/// A webhook as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRecord {
    /// Its id.
    pub id: String,
    /// Its user.
    pub uid: Uid,
    /// Where deliveries go.
    pub url: String,
    /// What it is for.
    pub description: Option<String>,
    /// What it hears.
    pub events: WebhookEvents,
    /// The signing secret (`whsec_...`).
    pub secret: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A delivery as `GET .../deliveries` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Its id (`webhook-id`).
    pub id: String,
    /// The event.
    pub event: WebhookEvent,
    /// The record the event is about.
    pub subject_id: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (pending and sending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Its attempts so far.
    pub attempts: Vec<WebhookAttempt>,
}

/// A delivery claimed for one attempt: everything the sender needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    /// Its row.
    pub seq: i64,
    /// Its id (`webhook-id`).
    pub id: String,
    /// Its webhook's id.
    pub webhook_id: String,
    /// Where to send it.
    pub url: String,
    /// The secret to sign it with.
    pub secret: String,
    /// The event.
    pub event: WebhookEvent,
    /// The body, as stored.
    pub payload: String,
    /// This attempt's number (attempts so far, this one included).
    pub attempt: i64,
    /// The attempts recorded before this one.
    pub earlier_attempts: Vec<WebhookAttempt>,
}

/// What an attempt leaves of its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Delivered: no more attempts.
    Delivered,
    /// Failed this time: try again at the given time.
    RetryAt(DateTime<Utc>),
    /// Failed for good.
    Failed,
}

/// Webhooks, and the queue of their deliveries. Every method that takes a user's id reads
/// and writes only that user's rows.
#[async_trait]
pub trait WebhookStore: Send + Sync + 'static {
    /// Store a webhook, and `answer` (when given) in the same transaction; `None` (nothing
    /// stored, no answer remembered) when its user already has [`MAX_WEBHOOKS_PER_USER`].
    async fn insert_webhook(
        &self,
        webhook: &WebhookRecord,
        answer: Option<IdempotentAnswer<Option<WebhookRecord>>>,
    ) -> StoreResult<Option<WebhookRecord>>;

    /// A user's webhooks, oldest first.
    async fn list_webhooks(&self, uid: &Uid) -> StoreResult<Vec<WebhookRecord>>;

    /// Delete one of a user's webhooks and its deliveries; `false` when it does not exist.
    async fn delete_webhook(&self, uid: &Uid, id: &str) -> StoreResult<bool>;

    /// A page of one of a user's webhooks' deliveries, newest first; `None` when the
    /// webhook does not exist.
    async fn list_deliveries(
        &self,
        uid: &Uid,
        webhook_id: &str,
        page: &PageParams,
    ) -> StoreResult<Option<Vec<DeliveryRecord>>>;

    /// Whether some delivery is due at `now` (a read, so an idle sender costs no write).
    async fn deliveries_due(&self, now: DateTime<Utc>) -> StoreResult<bool>;

    /// Claim at most `at_most` due deliveries (pending and due, or sending with an expired
    /// lease), leasing each until `lease_until`. A delivery is not claimed while an earlier
    /// delivery of its webhook and record is unfinished, so each receiver hears the events
    /// of one record in the order they happened.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        at_most: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>>;

    /// Record an attempt and what it leaves of its delivery; `false` (nothing written) when
    /// the attempt no longer holds the delivery (its lease ran out and another took it, or
    /// its webhook was deleted).
    async fn finish_attempt(
        &self,
        delivery: &ClaimedDelivery,
        attempt: &WebhookAttempt,
        outcome: AttemptOutcome,
    ) -> StoreResult<bool>;

    /// Delete at most `at_most` deliveries that finished before `finished_before`; the
    /// number deleted.
    async fn purge_finished_deliveries(
        &self,
        finished_before: DateTime<Utc>,
        at_most: u32,
    ) -> StoreResult<u64>;
}
