-- 0012: webhooks (/v1/dev/user/webhooks) and their deliveries.
--
-- A webhook hears the events whose bits are set in `events` (omi_model::WebhookEvents).
-- Its `secret` signs every delivery (HMAC-SHA256), so it is kept as given: unlike an API
-- key, it cannot be stored as a hash.
CREATE TABLE webhooks (
    id           TEXT COLLATE "C" PRIMARY KEY,
    uid          TEXT NOT NULL,
    url          TEXT NOT NULL,
    description  TEXT,
    events       BIGINT NOT NULL,
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- Every write that makes an event reads its user's webhooks here; the list too.
CREATE INDEX webhooks_by_user ON webhooks (uid, created_at, id);

-- One event for one webhook, written in the transaction of the write that made the event.
-- `status`: 'pending' (due at `next_attempt_at`), 'sending' (claimed; `next_attempt_at` is
-- the end of the sender's lease), 'delivered' or 'failed'. `attempt_log` is the JSON array
-- of its attempts (omi_model::WebhookAttempt), at most the configured number.
CREATE TABLE webhook_deliveries (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               TEXT COLLATE "C" NOT NULL UNIQUE,
    webhook_id       TEXT NOT NULL,
    uid              TEXT NOT NULL,
    event            TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    attempt_log      TEXT NOT NULL DEFAULT '[]',
    next_attempt_at  BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT
);

-- The claim: unfinished deliveries, due longest first.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, seq)
    WHERE status IN ('pending', 'sending');
-- Order per record: a delivery waits while an earlier one of its webhook and record is
-- unfinished.
CREATE INDEX webhook_deliveries_per_record ON webhook_deliveries (webhook_id, subject_id, seq)
    WHERE status IN ('pending', 'sending');
-- A webhook's deliveries, newest first (and all of them when it is deleted).
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, seq);
-- Housekeeping: finished deliveries, longest finished first.
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at)
    WHERE finished_at IS NOT NULL;
