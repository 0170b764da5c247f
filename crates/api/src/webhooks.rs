//! Webhooks (ours, beyond OMI's cloud).

use async_trait::async_trait;
use omi_model::{
    CreateWebhookRequest, CreatedWebhook, ListWebhookDeliveriesQuery, SuccessResponse, Webhook,
    WebhookDelivery,
};

use crate::CallError;

/// The Developer API's webhooks (`/v1/dev/user/webhooks`), built with a developer key: URLs
/// that hear some of the key's user's events, each delivery signed as the Standard Webhooks
/// specification says. Reads need `webhooks:read`, writes `webhooks:write`; a webhook also
/// needs the read scope of each event it hears (else 403 naming it). An unknown id, or
/// another user's, is 404 "Webhook not found".
#[async_trait]
pub trait DeveloperWebhooks: Send + Sync {
    /// What a call fails with: [`ApiError`](crate::ApiError) in-process; over HTTP also transport failures.
    type Error: CallError;

    /// `POST /v1/dev/user/webhooks`: make a webhook; the answer holds its signing secret,
    /// shown this once. A URL whose host is (or resolves to) a loopback, private or
    /// link-local address is refused (422) unless the server allows them; a user has at
    /// most 20 webhooks (409).
    async fn create_webhook(
        &self,
        request: CreateWebhookRequest,
    ) -> Result<CreatedWebhook, Self::Error>;

    /// `GET /v1/dev/user/webhooks`: the user's webhooks, oldest first (at most 20).
    async fn list_webhooks(&self) -> Result<Vec<Webhook>, Self::Error>;

    /// `DELETE /v1/dev/user/webhooks/{webhook_id}`: delete it, with its deliveries (pending
    /// ones are not sent); `{"success": true}`.
    async fn delete_webhook(&self, webhook_id: &str) -> Result<SuccessResponse, Self::Error>;

    /// `GET /v1/dev/user/webhooks/{webhook_id}/deliveries`: a page of its deliveries, newest
    /// first, each with every attempt made.
    async fn list_webhook_deliveries(
        &self,
        webhook_id: &str,
        query: ListWebhookDeliveriesQuery,
    ) -> Result<Vec<WebhookDelivery>, Self::Error>;
}
