//! [`ClientConnector`] (feature `client`): the tools over HTTP, through `omi-client`, for a
//! stdio MCP server that proxies to an omi server (ours or OMI's cloud) with one key.

use omi_api::model::ApiKey;
use omi_client::{Client, DeveloperClient};

use crate::outcome::ToolError;
use crate::server::Connector;

/// Every call goes to one server with one developer key.
#[derive(Debug, Clone)]
pub struct ClientConnector {
    developer: DeveloperClient,
}

impl ClientConnector {
    /// Calls to `client`'s server with `key`.
    pub fn new(client: &Client, key: impl Into<ApiKey>) -> Self {
        Self {
            developer: client.developer(key),
        }
    }
}

impl Connector for ClientConnector {
    type Api = DeveloperClient;

    fn connect(&self, _bearer: Option<&str>) -> Result<DeveloperClient, ToolError> {
        Ok(self.developer.clone())
    }
}
