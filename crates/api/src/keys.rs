//! The Developer API's key introspection (`GET /v1/dev/key`).

use async_trait::async_trait;
use omi_model::DevKeyInfo;

use crate::CallError;

/// What a developer key may learn about itself. No data scope is needed: any valid key may
/// ask; a missing or unknown key is 401 "Invalid API Key".
#[async_trait]
pub trait DeveloperKey: Send + Sync {
    /// What a call fails with: [`ApiError`](crate::ApiError) in-process; over HTTP also transport failures.
    type Error: CallError;

    /// `GET /v1/dev/key`: the calling key's id, name, prefix, creation and last-use times
    /// and scopes, never its secret.
    async fn get_key(&self) -> Result<DevKeyInfo, Self::Error>;
}
