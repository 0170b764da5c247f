//! Webhooks: create (the secret shown once), list, the deliveries a write announces, delete;
//! invalid input, scopes (the webhook's own and each event's read scope), other users.
//! Delivery itself (signatures, retries, kill -9) is tested with the real binary and a
//! receiver in `crates/server/tests/server/webhooks.rs`.

use omi_api::{DeveloperMemories, DeveloperWebhooks};
use omi_model::{
    CreateMemoryRequest, CreateWebhookRequest, DevScope, ListWebhookDeliveriesQuery, WebhookEvent,
};
use serde_json::{Value, json};

use crate::common::{Ctx, Record, Transport, contracts};

contracts!(
    a_webhook_from_creation_to_deletion,
    invalid_webhooks_are_refused,
    webhooks_are_the_users_own_and_scoped,
    a_user_has_at_most_twenty_webhooks,
);

/// A local receiver nobody listens on (the test servers allow private addresses): the
/// deliveries stay pending or fail, which these contracts do not record.
const URL: &str = "http://127.0.0.1:9/hook";

/// A webhook's life: made with its secret, listed without it, hearing a memory's creation
/// (one delivery, of that memory), deleted with its deliveries.
async fn a_webhook_from_creation_to_deletion<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let dev = &ctx.dev;
    let mut request = CreateWebhookRequest::new(
        URL,
        [WebhookEvent::MemoryDeleted, WebhookEvent::MemoryCreated],
    );
    request.description = Some("  メモの通知 🔔 ".into());
    let created = dev.create_webhook(request).await.expect("a webhook");
    rec.note("create: the webhook", &created.webhook);
    rec.note(
        "create: a Standard Webhooks secret",
        created.secret.starts_with("whsec_") && created.secret.len() > 40,
    );
    let listed = rec.ok("list: without its secret", dev.list_webhooks().await);
    assert!(
        !serde_json::to_string(&listed)
            .unwrap_or_default()
            .contains("whsec_")
    );
    let memory = rec.ok(
        "a memory is made",
        dev.create_memory(CreateMemoryRequest::new("I like green tea 🍵"))
            .await,
    );
    let deliveries = dev
        .list_webhook_deliveries(&created.webhook.id, ListWebhookDeliveriesQuery::default())
        .await
        .expect("its deliveries");
    let heard: Vec<Value> = deliveries
        .iter()
        .map(|d| json!({"event": d.event, "of_the_memory": d.subject_id == memory.id}))
        .collect();
    rec.note("deliveries: the memory's creation, once", heard);
    rec.ok("delete", dev.delete_webhook(&created.webhook.id).await);
    rec.err(
        "deliveries of a deleted webhook",
        404,
        dev.list_webhook_deliveries(&created.webhook.id, ListWebhookDeliveriesQuery::default())
            .await,
    );
    rec.ok("list: empty again", dev.list_webhooks().await);
    rec.finish()
}

/// Every problem of a body at once; other bad URLs; a bad page.
async fn invalid_webhooks_are_refused<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let dev = &ctx.dev;
    let mut all_wrong = CreateWebhookRequest::new("ftp://example.com/x", []);
    all_wrong.description = Some("d".repeat(501));
    rec.err(
        "scheme, no event, long description",
        422,
        dev.create_webhook(all_wrong).await,
    );
    for url in ["", "not a url", "https://user:pw@example.com/", "https://"] {
        let request = CreateWebhookRequest::new(url, [WebhookEvent::MemoryCreated]);
        rec.err(
            &format!("url {url:?}"),
            422,
            dev.create_webhook(request).await,
        );
    }
    let page = ListWebhookDeliveriesQuery {
        limit: Some(0),
        offset: None,
    };
    rec.err(
        "deliveries: limit 0",
        422,
        dev.list_webhook_deliveries("wh_unknown", page).await,
    );
    rec.ok("nothing was made", dev.list_webhooks().await);
    rec.finish()
}

/// Another user's webhook is not found; each route needs its scope, and a webhook the read
/// scope of every event it hears.
async fn webhooks_are_the_users_own_and_scoped<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let mine = ctx
        .dev
        .create_webhook(CreateWebhookRequest::new(
            URL,
            [WebhookEvent::MemoryCreated],
        ))
        .await
        .expect("a webhook");
    let other = ctx
        .user(
            "webhook_other",
            &[
                DevScope::WebhooksRead,
                DevScope::WebhooksWrite,
                DevScope::MemoriesRead,
            ],
        )
        .await;
    rec.ok("another user's list is empty", other.list_webhooks().await);
    rec.err(
        "another user's: delete",
        404,
        other.delete_webhook(&mine.webhook.id).await,
    );
    rec.err(
        "another user's: deliveries",
        404,
        other
            .list_webhook_deliveries(&mine.webhook.id, ListWebhookDeliveriesQuery::default())
            .await,
    );
    rec.err(
        "an event whose read scope the key lacks",
        403,
        other
            .create_webhook(CreateWebhookRequest::new(
                URL,
                [WebhookEvent::ActionItemCompleted],
            ))
            .await,
    );
    let reader = ctx.user("webhook_reader", &[DevScope::MemoriesRead]).await;
    rec.err(
        "list without webhooks:read",
        403,
        reader.list_webhooks().await,
    );
    rec.err(
        "create without webhooks:write",
        403,
        reader
            .create_webhook(CreateWebhookRequest::new(
                URL,
                [WebhookEvent::MemoryCreated],
            ))
            .await,
    );
    rec.ok("mine is still there", ctx.dev.list_webhooks().await);
    rec.finish()
}

/// Twenty webhooks are taken, the twenty-first is a 409, and deleting one makes room.
async fn a_user_has_at_most_twenty_webhooks<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let dev = &ctx.dev;
    let mut ids = Vec::new();
    for n in 0..20 {
        let request = CreateWebhookRequest::new(
            format!("http://127.0.0.1:9/hook/{n}"),
            [WebhookEvent::MemoryCreated],
        );
        ids.push(
            dev.create_webhook(request)
                .await
                .expect("a webhook")
                .webhook
                .id,
        );
    }
    let one_more = || CreateWebhookRequest::new(URL, [WebhookEvent::MemoryCreated]);
    rec.err(
        "the twenty-first",
        409,
        dev.create_webhook(one_more()).await,
    );
    let listed = dev.list_webhooks().await.expect("the list");
    rec.note("listed", listed.len());
    rec.ok("delete one", dev.delete_webhook(&ids[0]).await);
    let again = dev.create_webhook(one_more()).await;
    rec.note("then one more is taken", again.is_ok());
    rec.finish()
}
