//! `GET /v1/dev/key` over HTTP: [`DeveloperClient::key`], which its `DeveloperKey`
//! implementation calls.

use async_trait::async_trait;
use omi_api::DeveloperKey;
use omi_model::DevKeyInfo;
use reqwest::Method;

use crate::{DeveloperClient, Error};

const KEY: &[&str] = &["v1", "dev", "key"];

impl DeveloperClient {
    /// `GET /v1/dev/key`: this client's key as the server knows it (id, name, prefix,
    /// created and last-used times, scopes; never the secret). Needs no scope.
    pub async fn key(&self) -> Result<DevKeyInfo, Error> {
        self.call::<(), _>(Method::GET, KEY, &[], None).await
    }
}

#[async_trait]
impl DeveloperKey for DeveloperClient {
    type Error = Error;

    async fn get_key(&self) -> Result<DevKeyInfo, Error> {
        DeveloperClient::key(self).await
    }
}
