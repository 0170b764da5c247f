//! The Developer API's webhooks over the store.

use async_trait::async_trait;
use omi_api::{ApiError, DeveloperWebhooks, messages};
use omi_model::{
    CreateWebhookRequest, CreatedWebhook, ListWebhookDeliveriesQuery, Loc, NewWebhook,
    SuccessResponse, ValidationError, ValidationErrors, Webhook, WebhookDelivery, validation::kind,
};

use super::{AuthorizedDeveloper, DeveloperHandle, dev_access, store_error};
use crate::keys;
use crate::store::{DeliveryRecord, WebhookRecord};
use crate::webhooks::address;

impl AuthorizedDeveloper {
    /// [`DeveloperWebhooks::create_webhook`] for this caller.
    pub async fn create_webhook(
        &self,
        request: CreateWebhookRequest,
    ) -> Result<CreatedWebhook, ApiError> {
        let new = request.validate()?;
        self.may_hear(&new)?;
        if !self.service().config().webhooks.allow_private {
            address::check_url(&new.url).await.map_err(|refusal| {
                let loc = Loc::body().join("url");
                let text = format!("Value error, {refusal}");
                ApiError::from(ValidationErrors::single(ValidationError::new(
                    loc,
                    kind::VALUE_ERROR,
                    text,
                )))
            })?;
        }
        let record = WebhookRecord {
            id: keys::new_webhook_id(),
            uid: self.uid.clone(),
            url: new.url.to_string(),
            description: new.description,
            events: new.events,
            secret: keys::new_webhook_secret(),
            created_at: self.service().now(),
        };
        let store = self.service().store();
        let write = |remember| store.insert_webhook(&record, remember);
        let created = self.service().create_once(created_of, write).await?;
        let created = created.ok_or_else(|| ApiError::message(409, messages::TOO_MANY_WEBHOOKS))?;
        tracing::info!(uid = %self.uid, webhook = %created.webhook.id, "webhook created");
        Ok(created)
    }

    /// 403 naming the first read scope the key lacks for an event `new` would hear.
    fn may_hear(&self, new: &NewWebhook) -> Result<(), ApiError> {
        match new
            .events
            .to_vec()
            .into_iter()
            .map(|event| event.read_scope())
            .find(|scope| !self.has_scope(*scope))
        {
            Some(scope) => Err(ApiError::forbidden(messages::insufficient_scope(scope))),
            None => Ok(()),
        }
    }

    /// [`DeveloperWebhooks::list_webhooks`] for this caller.
    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>, ApiError> {
        let records = self
            .service()
            .store()
            .list_webhooks(&self.uid)
            .await
            .map_err(store_error)?;
        Ok(records.into_iter().map(webhook_of).collect())
    }

    /// [`DeveloperWebhooks::delete_webhook`] for this caller.
    pub async fn delete_webhook(&self, webhook_id: &str) -> Result<SuccessResponse, ApiError> {
        let deleted = self
            .service()
            .store()
            .delete_webhook(&self.uid, webhook_id)
            .await
            .map_err(store_error)?;
        if !deleted {
            return Err(ApiError::not_found(messages::WEBHOOK_NOT_FOUND));
        }
        tracing::info!(uid = %self.uid, webhook = %webhook_id, "webhook deleted");
        Ok(SuccessResponse::OK)
    }

    /// [`DeveloperWebhooks::list_webhook_deliveries`] for this caller.
    pub async fn list_webhook_deliveries(
        &self,
        webhook_id: &str,
        query: ListWebhookDeliveriesQuery,
    ) -> Result<Vec<WebhookDelivery>, ApiError> {
        let page = query.validate()?;
        let records = self
            .service()
            .store()
            .list_deliveries(&self.uid, webhook_id, &page)
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(messages::WEBHOOK_NOT_FOUND))?;
        Ok(records.into_iter().map(delivery_of).collect())
    }
}

/// What a create answers for what it stored: the webhook with its secret (`None`: nothing
/// stored, the user has as many webhooks as allowed).
fn created_of(stored: &Option<WebhookRecord>) -> Option<CreatedWebhook> {
    stored.clone().map(|record| CreatedWebhook {
        secret: record.secret.clone(),
        webhook: webhook_of(record),
    })
}

/// A stored webhook as the API shows it (without its secret).
fn webhook_of(record: WebhookRecord) -> Webhook {
    Webhook {
        id: record.id,
        url: record.url,
        events: record.events.to_vec(),
        description: record.description,
        created_at: record.created_at,
    }
}

/// A stored delivery as the API shows it.
fn delivery_of(record: DeliveryRecord) -> WebhookDelivery {
    WebhookDelivery {
        id: record.id,
        event: record.event,
        subject_id: record.subject_id,
        status: record.status,
        created_at: record.created_at,
        next_attempt_at: record.next_attempt_at,
        attempts: record.attempts,
    }
}

#[async_trait]
impl DeveloperWebhooks for DeveloperHandle {
    type Error = ApiError;

    async fn create_webhook(
        &self,
        request: CreateWebhookRequest,
    ) -> Result<CreatedWebhook, ApiError> {
        self.authorized::<dev_access::WebhooksWrite>()
            .await?
            .create_webhook(request)
            .await
    }

    async fn list_webhooks(&self) -> Result<Vec<Webhook>, ApiError> {
        self.authorized::<dev_access::WebhooksRead>()
            .await?
            .list_webhooks()
            .await
    }

    async fn delete_webhook(&self, webhook_id: &str) -> Result<SuccessResponse, ApiError> {
        self.authorized::<dev_access::WebhooksWrite>()
            .await?
            .delete_webhook(webhook_id)
            .await
    }

    async fn list_webhook_deliveries(
        &self,
        webhook_id: &str,
        query: ListWebhookDeliveriesQuery,
    ) -> Result<Vec<WebhookDelivery>, ApiError> {
        self.authorized::<dev_access::WebhooksRead>()
            .await?
            .list_webhook_deliveries(webhook_id, query)
            .await
    }
}
