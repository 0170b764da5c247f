//! The server's side of MCP (`omi-mcp`): the tools act through the in-process [`Service`],
//! for the key of each HTTP request or for one key given to `omi-server mcp --stdio`.

use omi_mcp::{Connector, ToolError};
use omi_model::ApiKey;

use crate::service::{DeveloperHandle, Service};

/// Tools that call the service: with the key of each request (`key: None`, Streamable HTTP),
/// or always with one key (stdio).
#[derive(Debug, Clone)]
pub struct ServiceConnector {
    service: Service,
    key: Option<ApiKey>,
}

impl ServiceConnector {
    /// Each call acts with the `Authorization: Bearer` key of its HTTP request.
    pub fn per_request(service: Service) -> Self {
        Self { service, key: None }
    }

    /// Every call acts with `key`.
    pub fn with_key(service: Service, key: ApiKey) -> Self {
        Self {
            service,
            key: Some(key),
        }
    }
}

impl Connector for ServiceConnector {
    type Api = DeveloperHandle;

    fn connect(&self, bearer: Option<&str>) -> Result<DeveloperHandle, ToolError> {
        let key = self.key.clone().or_else(|| bearer.map(ApiKey::new));
        Ok(self.service.developer_over_mcp(key))
    }
}
