//! The MCP transport of the contract suite: rmcp's own client on the test server's
//! `/v1/mcp`, so a contract can do a thing through a tool and check it through the `omi-api`
//! traits (and the other way round) on the same fresh server.

use rmcp::model::{CallToolRequestParams, JsonObject};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;

use super::TestServer;

/// An MCP session with one developer key.
pub struct McpSession {
    client: RunningService<RoleClient, ()>,
}

/// What a tool answered: its structured content, or its `error` object.
pub type ToolAnswer = Result<Value, Value>;

impl McpSession {
    /// Connect to `server`'s `/v1/mcp` with `key` and complete the handshake.
    pub async fn connect(server: &TestServer, key: &str) -> Self {
        let uri = format!("{}/v1/mcp", server.base_url());
        let config = StreamableHttpClientTransportConfig::with_uri(uri).auth_header(key);
        let transport = StreamableHttpClientTransport::from_config(config);
        let client = ().serve(transport).await.expect("the MCP handshake");
        Self { client }
    }

    /// Call `tool` with `arguments` (a JSON object): `Ok(structured content)` or, for a tool
    /// error, `Err(the error object)`. A protocol failure fails the test.
    pub async fn call(&self, tool: &str, arguments: Value) -> ToolAnswer {
        let arguments: JsonObject = serde_json::from_value(arguments).expect("an object");
        let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
        let result = self
            .client
            .call_tool(params)
            .await
            .unwrap_or_else(|e| panic!("{tool}: {e}"));
        let content = result
            .structured_content
            .unwrap_or_else(|| panic!("{tool}: no structured content"));
        if result.is_error == Some(true) {
            Err(content["error"].clone())
        } else {
            Ok(content)
        }
    }

    /// Call a tool that must succeed; its structured content.
    pub async fn ok(&self, tool: &str, arguments: Value) -> Value {
        self.call(tool, arguments)
            .await
            .unwrap_or_else(|e| panic!("{tool} failed: {e}"))
    }

    /// Call a tool that must fail; its `error` object.
    pub async fn error(&self, tool: &str, arguments: Value) -> Value {
        match self.call(tool, arguments).await {
            Ok(content) => panic!("{tool} should fail, answered {content}"),
            Err(error) => error,
        }
    }

    /// End the session.
    pub async fn close(self) {
        self.client.cancel().await.expect("the MCP session closes");
    }
}
