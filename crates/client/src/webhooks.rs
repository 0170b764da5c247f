//! The Developer API's webhooks (`/v1/dev/user/webhooks...`, ours, beyond OMI's cloud) over
//! HTTP: inherent methods on [`DeveloperClient`], which its `DeveloperWebhooks`
//! implementation calls.

use async_trait::async_trait;
use omi_api::{DeveloperWebhooks, messages};
use omi_model::{
    CreateWebhookRequest, CreatedWebhook, ListWebhookDeliveriesQuery, SuccessResponse, Webhook,
    WebhookDelivery,
};
use reqwest::Method;

use crate::{DeveloperClient, Error};

const WEBHOOKS: &[&str] = &["v1", "dev", "user", "webhooks"];

impl DeveloperClient {
    /// `POST /v1/dev/user/webhooks`: make a webhook (scope `webhooks:write`, and the read
    /// scope of each event); keep the answer's `secret`, which is shown only here.
    pub async fn create_webhook(
        &self,
        request: CreateWebhookRequest,
    ) -> Result<CreatedWebhook, Error> {
        self.call(Method::POST, WEBHOOKS, &[], Some(&request)).await
    }

    /// `GET /v1/dev/user/webhooks`: the user's webhooks, oldest first (at most 20, so no
    /// stream).
    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>, Error> {
        self.call::<(), _>(Method::GET, WEBHOOKS, &[], None).await
    }

    /// `DELETE /v1/dev/user/webhooks/{webhook_id}`: delete it with its deliveries.
    pub async fn delete_webhook(&self, webhook_id: &str) -> Result<SuccessResponse, Error> {
        let id = (webhook_id, messages::WEBHOOK_NOT_FOUND);
        self.call_item::<(), _>(Method::DELETE, WEBHOOKS, id, &[], None)
            .await
    }

    /// `GET /v1/dev/user/webhooks/{webhook_id}/deliveries`: a page of its deliveries, newest
    /// first, with their attempts.
    pub async fn list_webhook_deliveries(
        &self,
        webhook_id: &str,
        query: ListWebhookDeliveriesQuery,
    ) -> Result<Vec<WebhookDelivery>, Error> {
        let id = (webhook_id, messages::WEBHOOK_NOT_FOUND);
        let pairs = query.to_query_pairs();
        self.call_item_at::<(), _>(Method::GET, WEBHOOKS, id, &["deliveries"], &pairs, None)
            .await
    }
}

#[async_trait]
impl DeveloperWebhooks for DeveloperClient {
    type Error = Error;

    async fn create_webhook(&self, request: CreateWebhookRequest) -> Result<CreatedWebhook, Error> {
        DeveloperClient::create_webhook(self, request).await
    }

    async fn list_webhooks(&self) -> Result<Vec<Webhook>, Error> {
        DeveloperClient::list_webhooks(self).await
    }

    async fn delete_webhook(&self, webhook_id: &str) -> Result<SuccessResponse, Error> {
        DeveloperClient::delete_webhook(self, webhook_id).await
    }

    async fn list_webhook_deliveries(
        &self,
        webhook_id: &str,
        query: ListWebhookDeliveriesQuery,
    ) -> Result<Vec<WebhookDelivery>, Error> {
        DeveloperClient::list_webhook_deliveries(self, webhook_id, query).await
    }
}
