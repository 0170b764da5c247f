//! `/v1/dev/user/webhooks...`: the Developer API's webhooks (ours, beyond OMI's cloud).

use axum::extract::Path;
use axum::response::Response;
use omi_model::{
    CreateWebhookRequest, CreatedWebhook, ListWebhookDeliveriesQuery, SuccessResponse, Webhook,
    WebhookDelivery,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::callers::Developer;
use super::extractors::{ApiJson, RawQueryString};
use crate::http::openapi::{WEBHOOKS_TAG, WebhookIdParam};
use crate::service::dev_access;

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(delete))
        .routes(routes!(deliveries))
}

/// List webhooks
///
/// The key owner's webhooks, oldest first (at most 20). Secrets are never shown again.
#[utoipa::path(
    get,
    path = "/v1/dev/user/webhooks",
    operation_id = "list_webhooks",
    tag = WEBHOOKS_TAG,
    responses((status = 200, description = "The webhooks", body = Vec<Webhook>)),
    security(("developer_key" = ["webhooks:read"])),
)]
async fn list(dev: Developer<dev_access::WebhooksRead>) -> Response {
    dev.answer(dev.api.list_webhooks().await)
}

/// Create webhook
///
/// A URL and the events it hears. Its deliveries are POSTed with `webhook-id`,
/// `webhook-timestamp` and `webhook-signature` (Standard Webhooks, HMAC-SHA256); the
/// answer's `secret` checks them and is shown only here. The key needs the read scope of
/// every event (`memories:read` for `memory.*`...). A host that is or resolves to a
/// loopback, private or link-local address is refused unless the server runs with
/// `--webhooks-allow-private`; at most 20 webhooks per user (409).
#[utoipa::path(
    post,
    path = "/v1/dev/user/webhooks",
    operation_id = "create_webhook",
    tag = WEBHOOKS_TAG,
    request_body = CreateWebhookRequest,
    responses((status = 200, description = "The webhook, with its secret", body = CreatedWebhook)),
    security(("developer_key" = ["webhooks:write"])),
)]
async fn create(
    dev: Developer<dev_access::WebhooksWrite>,
    ApiJson(body): ApiJson<CreateWebhookRequest>,
) -> Response {
    dev.answer(dev.api.create_webhook(body).await)
}

/// Delete webhook
///
/// Deletes it with its deliveries; pending ones are not sent.
#[utoipa::path(
    delete,
    path = "/v1/dev/user/webhooks/{webhook_id}",
    operation_id = "delete_webhook",
    tag = WEBHOOKS_TAG,
    params(WebhookIdParam),
    responses((status = 200, description = "Deleted", body = SuccessResponse)),
    security(("developer_key" = ["webhooks:write"])),
)]
async fn delete(
    dev: Developer<dev_access::WebhooksWrite>,
    Path(webhook_id): Path<String>,
) -> Response {
    dev.answer(dev.api.delete_webhook(&webhook_id).await)
}

/// List webhook deliveries
///
/// A page of its deliveries, newest first, each with every attempt made (when, the
/// receiver's status or why there was none, how long it took).
#[utoipa::path(
    get,
    path = "/v1/dev/user/webhooks/{webhook_id}/deliveries",
    operation_id = "list_webhook_deliveries",
    tag = WEBHOOKS_TAG,
    params(WebhookIdParam, ListWebhookDeliveriesQuery),
    responses((status = 200, description = "The deliveries, newest first", body = Vec<WebhookDelivery>)),
    security(("developer_key" = ["webhooks:read"])),
)]
async fn deliveries(
    dev: Developer<dev_access::WebhooksRead>,
    Path(webhook_id): Path<String>,
    RawQueryString(raw): RawQueryString,
) -> Response {
    dev.answer_query(&raw, |query: ListWebhookDeliveriesQuery| {
        dev.api.list_webhook_deliveries(&webhook_id, query)
    })
    .await
}
