//! Webhooks, the deliveries the writes announce, and the deliveries' queue.
//!
//! [`announce`] is called inside the transaction of every write that makes an event: one
//! indexed read of the user's webhooks, and nothing more when none hears the event. A
//! claimed delivery is `sending` with its lease end in `next_attempt_at`; every later step
//! names the attempt that claimed it, as the job queue does.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use omi_model::{
    DeliveryStatus, PageParams, Uid, WebhookAttempt, WebhookEvent, WebhookEvents, WebhookPayload,
};
use serde::Serialize;

use super::backend::Conn;
use super::{Arg, Backend, Dialect, locking, read, remember};
use crate::store::rows::{json_err, map_err, uid_of};
use crate::store::webhooks::MAX_WEBHOOKS_PER_USER;
use crate::store::{
    AttemptOutcome, ClaimedDelivery, DeliveryRecord, IdempotentAnswer, StoreError, StoreResult,
    WebhookRecord, WebhookStore, from_micros, page_bounds, to_micros,
};

/// The columns of a webhook row.
macro_rules! webhook_columns {
    () => {
        "id, uid, url, description, events, secret, created_at"
    };
}

/// A row of `webhooks`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct WebhookRow {
    id: String,
    uid: String,
    url: String,
    description: Option<String>,
    events: i64,
    secret: String,
    created_at: i64,
}

impl WebhookRow {
    fn into_record(self) -> StoreResult<WebhookRecord> {
        Ok(WebhookRecord {
            id: self.id,
            uid: uid_of(self.uid)?,
            url: self.url,
            description: self.description,
            events: WebhookEvents::from_mask(self.events),
            secret: self.secret,
            created_at: from_micros(self.created_at),
        })
    }
}

/// A row of `webhook_deliveries` (the columns every read of one takes).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    seq: i64,
    id: String,
    webhook_id: String,
    event: String,
    subject_id: String,
    status: String,
    attempts: i64,
    attempt_log: String,
    next_attempt_at: i64,
    created_at: i64,
}

/// The condition on a delivery `d` that it may be claimed at the time bound to `$now`:
/// unfinished, due (or its lease over), and no earlier delivery of its webhook and record
/// unfinished (so a record's events reach a receiver in order).
macro_rules! claimable {
    ($now:literal) => {
        concat!(
            "d.status IN ('pending', 'sending') AND d.next_attempt_at <= ",
            $now,
            " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE \
             e.webhook_id = d.webhook_id AND e.subject_id = d.subject_id AND e.seq < d.seq \
             AND e.status IN ('pending', 'sending'))"
        )
    };
}

/// The columns of [`DeliveryRow`].
macro_rules! delivery_columns {
    () => {
        "seq, id, webhook_id, event, subject_id, status, attempts, attempt_log, \
         next_attempt_at, created_at"
    };
}

impl DeliveryRow {
    fn event(&self) -> StoreResult<WebhookEvent> {
        self.event
            .parse()
            .map_err(|_| StoreError::Internal(format!("unknown event {:?}", self.event)))
    }

    fn attempt_log(&self) -> StoreResult<Vec<WebhookAttempt>> {
        serde_json::from_str(&self.attempt_log).map_err(json_err)
    }

    fn into_record(self) -> StoreResult<DeliveryRecord> {
        let (status, next) = match self.status.as_str() {
            "delivered" => (DeliveryStatus::Delivered, None),
            "failed" => (DeliveryStatus::Failed, None),
            _ => (
                DeliveryStatus::Pending,
                Some(from_micros(self.next_attempt_at.max(self.created_at))),
            ),
        };
        Ok(DeliveryRecord {
            event: self.event()?,
            attempts: self.attempt_log()?,
            id: self.id,
            subject_id: self.subject_id,
            status,
            created_at: from_micros(self.created_at),
            next_attempt_at: next,
        })
    }
}

#[async_trait]
impl<B: Backend> WebhookStore for B {
    async fn insert_webhook(
        &self,
        webhook: &WebhookRecord,
        answer: Option<IdempotentAnswer<Option<WebhookRecord>>>,
    ) -> StoreResult<Option<WebhookRecord>> {
        self.write((webhook.clone(), answer), |conn, (webhook, answer)| {
            async move {
                if !insert_webhook::<B::Db>(conn, webhook).await? {
                    return Ok(None);
                }
                let stored = Some(webhook.clone());
                remember::<B::Db, _>(conn, answer.as_ref(), &stored).await?;
                Ok(stored)
            }
            .boxed()
        })
        .await
    }

    async fn list_webhooks(&self, uid: &Uid) -> StoreResult<Vec<WebhookRecord>> {
        let rows = sqlx::query::<B::Db>(concat!(
            "SELECT ",
            webhook_columns!(),
            " FROM webhooks WHERE uid = $1 ORDER BY created_at, id LIMIT $2"
        ))
        .arg(uid.as_str())
        .arg(MAX_WEBHOOKS_PER_USER)
        .fetch_all(B::Db::on_pool(self.readers()))
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| read::<B::Db, WebhookRow>(row).and_then(WebhookRow::into_record))
            .collect()
    }

    async fn delete_webhook(&self, uid: &Uid, id: &str) -> StoreResult<bool> {
        self.write((uid.clone(), id.to_owned()), |conn, (uid, id)| {
            delete_webhook::<B::Db>(conn, uid, id).boxed()
        })
        .await
    }

    async fn list_deliveries(
        &self,
        uid: &Uid,
        webhook_id: &str,
        page: &PageParams,
    ) -> StoreResult<Option<Vec<DeliveryRecord>>> {
        let readers = B::Db::on_pool(self.readers());
        let found = sqlx::query::<B::Db>("SELECT 1 AS n FROM webhooks WHERE uid = $1 AND id = $2")
            .arg(uid.as_str())
            .arg(webhook_id)
            .fetch_optional(readers)
            .await
            .map_err(map_err)?;
        if found.is_none() {
            return Ok(None);
        }
        let (limit, offset) = page_bounds(page);
        let rows = sqlx::query::<B::Db>(concat!(
            "SELECT ",
            delivery_columns!(),
            " FROM webhook_deliveries WHERE webhook_id = $1 AND uid = $2 \
             ORDER BY seq DESC LIMIT $3 OFFSET $4"
        ))
        .arg(webhook_id)
        .arg(uid.as_str())
        .arg(limit)
        .arg(offset)
        .fetch_all(B::Db::on_pool(self.readers()))
        .await
        .map_err(map_err)?;
        let records = rows
            .iter()
            .map(|row| read::<B::Db, DeliveryRow>(row).and_then(DeliveryRow::into_record))
            .collect::<StoreResult<_>>()?;
        Ok(Some(records))
    }

    async fn deliveries_due(&self, now: DateTime<Utc>) -> StoreResult<bool> {
        let row = sqlx::query::<B::Db>(concat!(
            "SELECT 1 AS n FROM webhook_deliveries d WHERE ",
            claimable!("$1"),
            " LIMIT 1"
        ))
        .arg(to_micros(now))
        .fetch_optional(B::Db::on_pool(self.readers()))
        .await
        .map_err(map_err)?;
        Ok(row.is_some())
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        at_most: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let data = (to_micros(now), to_micros(lease_until), at_most);
        self.write(data, |conn, &(now, until, at_most)| {
            claim::<B::Db>(conn, now, until, at_most).boxed()
        })
        .await
    }

    async fn finish_attempt(
        &self,
        delivery: &ClaimedDelivery,
        attempt: &WebhookAttempt,
        outcome: AttemptOutcome,
    ) -> StoreResult<bool> {
        let mut log = delivery.earlier_attempts.clone();
        log.push(attempt.clone());
        let log = serde_json::to_string(&log).map_err(json_err)?;
        let (status, next, finished) = match outcome {
            AttemptOutcome::Delivered => ("delivered", 0, Some(to_micros(attempt.attempted_at))),
            AttemptOutcome::Failed => ("failed", 0, Some(to_micros(attempt.attempted_at))),
            AttemptOutcome::RetryAt(at) => ("pending", to_micros(at), None),
        };
        let data = (delivery.seq, delivery.attempt, log, status, next, finished);
        self.write(data, |conn, (seq, attempt, log, status, next, finished)| {
            async move {
                let done = sqlx::query::<B::Db>(
                    "UPDATE webhook_deliveries SET status = $1, attempt_log = $2, \
                     next_attempt_at = $3, finished_at = $4 \
                     WHERE seq = $5 AND attempts = $6 AND status = 'sending'",
                )
                .arg(*status)
                .arg(log.as_str())
                .arg(*next)
                .arg(*finished)
                .arg(*seq)
                .arg(*attempt)
                .execute(B::Db::on(conn))
                .await
                .map_err(map_err)?;
                Ok(B::Db::rows_affected(&done) > 0)
            }
            .boxed()
        })
        .await
    }

    async fn purge_finished_deliveries(
        &self,
        finished_before: DateTime<Utc>,
        at_most: u32,
    ) -> StoreResult<u64> {
        let done = sqlx::query::<B::Db>(
            "DELETE FROM webhook_deliveries WHERE seq IN (SELECT seq FROM webhook_deliveries \
             WHERE finished_at IS NOT NULL AND finished_at < $1 ORDER BY finished_at LIMIT $2)",
        )
        .arg(to_micros(finished_before))
        .arg(i64::from(at_most))
        .execute(B::Db::on_pool(self.writer()))
        .await
        .map_err(map_err)?;
        Ok(B::Db::rows_affected(&done))
    }
}

/// Insert a webhook unless its user has [`MAX_WEBHOOKS_PER_USER`] already.
async fn insert_webhook<DB: Dialect>(
    conn: &mut Conn<DB>,
    webhook: &WebhookRecord,
) -> StoreResult<bool> {
    let done = sqlx::query::<DB>(
        "INSERT INTO webhooks (id, uid, url, description, events, secret, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7 \
         WHERE (SELECT COUNT(*) FROM webhooks WHERE uid = $2) < $8",
    )
    .arg(webhook.id.as_str())
    .arg(webhook.uid.as_str())
    .arg(webhook.url.as_str())
    .arg(webhook.description.as_deref())
    .arg(webhook.events.mask())
    .arg(webhook.secret.as_str())
    .arg(to_micros(webhook.created_at))
    .arg(MAX_WEBHOOKS_PER_USER)
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(DB::rows_affected(&done) > 0)
}

/// Delete one of a user's webhooks and its deliveries.
async fn delete_webhook<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    id: &str,
) -> StoreResult<bool> {
    let done = sqlx::query::<DB>("DELETE FROM webhooks WHERE uid = $1 AND id = $2")
        .arg(uid.as_str())
        .arg(id)
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    if DB::rows_affected(&done) == 0 {
        return Ok(false);
    }
    sqlx::query::<DB>("DELETE FROM webhook_deliveries WHERE webhook_id = $1")
        .arg(id)
        .execute(DB::on(conn))
        .await
        .map_err(map_err)?;
    Ok(true)
}

/// Claim due deliveries (see [`WebhookStore::claim_deliveries`]), with what their webhooks
/// say of where and how to send them.
async fn claim<DB: Dialect>(
    conn: &mut Conn<DB>,
    now: i64,
    lease_until: i64,
    at_most: i64,
) -> StoreResult<Vec<ClaimedDelivery>> {
    const CLAIM: super::Locking = locking!(
        "UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, \
         next_attempt_at = $1 WHERE seq IN (SELECT d.seq FROM webhook_deliveries d WHERE ",
        claimable!("$2"),
        " ORDER BY d.next_attempt_at, d.seq LIMIT $3";
        lock: " FOR UPDATE SKIP LOCKED";
        then: ") RETURNING ", delivery_columns!()
    );
    let rows = sqlx::query::<DB>(DB::text(&CLAIM))
        .arg(lease_until)
        .arg(now)
        .arg(at_most)
        .fetch_all(DB::on(conn))
        .await
        .map_err(map_err)?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in &rows {
        let row = read::<DB, DeliveryRow>(row)?;
        let target = sqlx::query::<DB>(
            "SELECT w.url, w.secret, d.payload FROM webhook_deliveries d \
             JOIN webhooks w ON w.id = d.webhook_id WHERE d.seq = $1",
        )
        .arg(row.seq)
        .fetch_optional(DB::on(conn))
        .await
        .map_err(map_err)?;
        let Some(target) = target else {
            // Its webhook is gone (deleted together, so this is a leftover): drop it.
            sqlx::query::<DB>("DELETE FROM webhook_deliveries WHERE seq = $1")
                .arg(row.seq)
                .execute(DB::on(conn))
                .await
                .map_err(map_err)?;
            continue;
        };
        let (url, secret, payload) = read::<DB, (String, String, String)>(&target)?;
        claimed.push(ClaimedDelivery {
            event: row.event()?,
            earlier_attempts: row.attempt_log()?,
            seq: row.seq,
            id: row.id,
            webhook_id: row.webhook_id,
            url,
            secret,
            payload,
            attempt: row.attempts,
        });
    }
    Ok(claimed)
}

/// An event a write makes: what happened, to which record, and the record's wire object.
pub(super) struct Announcement<'a, T: Serialize> {
    /// What happened.
    pub event: WebhookEvent,
    /// The record's id.
    pub subject_id: &'a str,
    /// The record, as the Developer API shows it.
    pub data: &'a T,
}

/// Queue a delivery of each of `announcements` (events of `uid`'s records) for every
/// webhook of `uid` that hears its event, inside the caller's transaction. One indexed
/// read when no webhook hears them; the bodies are made only for webhooks that do.
pub(super) async fn announce<DB: Dialect, T: Serialize>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    announcements: &[Announcement<'_, T>],
) -> StoreResult<()> {
    if announcements.is_empty() {
        return Ok(());
    }
    let wanted =
        WebhookEvents::from_events(&announcements.iter().map(|a| a.event).collect::<Vec<_>>());
    let rows =
        sqlx::query::<DB>("SELECT id, events FROM webhooks WHERE uid = $1 AND (events & $2) <> 0")
            .arg(uid.as_str())
            .arg(wanted.mask())
            .fetch_all(DB::on(conn))
            .await
            .map_err(map_err)?;
    if rows.is_empty() {
        return Ok(());
    }
    let hooks = rows
        .iter()
        .map(|row| read::<DB, (String, i64)>(row))
        .collect::<StoreResult<Vec<_>>>()?;
    let at = omi_model::timestamp::normalize(Utc::now());
    for announcement in announcements {
        let body = payload(announcement, at)?;
        for (webhook_id, events) in &hooks {
            if WebhookEvents::from_mask(*events).contains(announcement.event) {
                insert_delivery::<DB, T>(conn, uid, webhook_id, announcement, &body, at).await?;
            }
        }
    }
    Ok(())
}

/// Whether some webhook of `uid` hears `event` (for an event whose record costs a read to
/// show).
pub(super) async fn heard<DB: Dialect>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    event: WebhookEvent,
) -> StoreResult<bool> {
    let row = sqlx::query::<DB>(
        "SELECT 1 AS n FROM webhooks WHERE uid = $1 AND (events & $2) <> 0 LIMIT 1",
    )
    .arg(uid.as_str())
    .arg(WebhookEvents::from_events(&[event]).mask())
    .fetch_optional(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(row.is_some())
}

/// The body of a delivery of `announcement`, made at `at`.
fn payload<T: Serialize>(
    announcement: &Announcement<'_, T>,
    at: DateTime<Utc>,
) -> StoreResult<String> {
    let body = WebhookPayload {
        event: announcement.event,
        timestamp: at,
        data: serde_json::to_value(announcement.data).map_err(json_err)?,
    };
    serde_json::to_string(&body).map_err(json_err)
}

/// Queue one delivery, due at once.
async fn insert_delivery<DB: Dialect, T: Serialize>(
    conn: &mut Conn<DB>,
    uid: &Uid,
    webhook_id: &str,
    announcement: &Announcement<'_, T>,
    body: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query::<DB>(
        "INSERT INTO webhook_deliveries (id, webhook_id, uid, event, subject_id, payload, \
         status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, 0, $7)",
    )
    .arg(crate::keys::new_delivery_id())
    .arg(webhook_id)
    .arg(uid.as_str())
    .arg(announcement.event.as_str())
    .arg(announcement.subject_id)
    .arg(body)
    .arg(to_micros(at))
    .execute(DB::on(conn))
    .await
    .map_err(map_err)?;
    Ok(())
}
