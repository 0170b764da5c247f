//! [`OmiMcp`], the MCP server handler: `initialize`, `tools/list` and `tools/call`, each call
//! made for the caller its [`Connector`] names.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use omi_api::{DeveloperActionItems, DeveloperConversations, DeveloperGoals, DeveloperMemories};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use crate::outcome::{ToolError, into_result};
use crate::registry;

/// Who a tool call acts for: turns the credentials of a request into the `omi-api`
/// implementation the tools call (the in-process service, or the HTTP client).
pub trait Connector: Send + Sync + 'static {
    /// The API of one caller.
    type Api: DeveloperMemories
        + DeveloperConversations
        + DeveloperActionItems
        + DeveloperGoals
        + 'static;

    /// The API for a call. `bearer` is the token of the request's `Authorization: Bearer`
    /// header over Streamable HTTP, `None` over stdio (where the connector holds the key).
    fn connect(&self, bearer: Option<&str>) -> Result<Self::Api, ToolError>;
}

/// The MCP server of a user's memories, conversations and action items.
pub struct OmiMcp<C> {
    connector: Arc<C>,
}

impl<C> Clone for OmiMcp<C> {
    fn clone(&self) -> Self {
        Self {
            connector: Arc::clone(&self.connector),
        }
    }
}

impl<C: Connector> OmiMcp<C> {
    /// A server whose tools act for whoever `connector` names.
    pub fn new(connector: C) -> Self {
        Self {
            connector: Arc::new(connector),
        }
    }

    /// Run one tool; a panic inside it is a tool error, and the server goes on.
    async fn run(
        &self,
        request: CallToolRequestParams,
        bearer: Option<&str>,
    ) -> rmcp::model::CallToolResult {
        let name = request.name.to_string();
        let api = match self.connector.connect(bearer) {
            Ok(api) => api,
            Err(error) => return into_result(Err(error)),
        };
        let call = AssertUnwindSafe(registry::run(&name, &api, request.arguments)).catch_unwind();
        let outcome = match call.await {
            Ok(Some(outcome)) => outcome,
            Ok(None) => Err(ToolError::invalid_arguments(format!(
                "unknown tool {name:?}"
            ))),
            Err(_) => {
                tracing::error!(tool = %name, "MCP tool panicked; answered as a tool error");
                Err(ToolError::internal(
                    "the tool failed unexpectedly; the server logged it",
                ))
            }
        };
        if let Err(error) = &outcome {
            tracing::debug!(tool = %name, code = error.code, "MCP tool error");
        }
        into_result(outcome)
    }
}

/// The `Authorization: Bearer` token of the HTTP request a call came in, if any.
fn bearer(context: &RequestContext<RoleServer>) -> Option<String> {
    let parts = context.extensions.get::<http::request::Parts>()?;
    let header = parts
        .headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

const INSTRUCTIONS: &str = "The user's memories (durable facts about them), conversations and action items. \
Search before you read: search_memories for facts, get_conversations with dates for recent events, \
search_conversations for a topic, then get_conversation_by_id for a few ids only.";

impl<C: Connector> ServerHandler for OmiMcp<C> {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("omi-server", env!("CARGO_PKG_VERSION"))
                    .with_title("OMI memories"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(registry::tools().to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        registry::find(name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if registry::find(&request.name).is_none() {
            return Err(ErrorData::invalid_params(
                format!("Unknown tool: {}", request.name),
                None,
            ));
        }
        let bearer = bearer(&context);
        Ok(self.run(request, bearer.as_deref()).await.into())
    }
}
