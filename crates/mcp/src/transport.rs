//! The two transports: Streamable HTTP (a tower service to mount at `/v1/mcp`) and stdio.

use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::server::{Connector, OmiMcp};

/// The largest JSON-RPC body read over HTTP (a `create_memories` call of 25 memories of 500
/// characters is far below it).
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// How a Streamable HTTP answer is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One `application/json` body.
    Json,
    /// `text/event-stream` frames (for a client that accepts only them).
    Sse,
}

/// The Streamable HTTP service of `server`, stateless (every POST stands alone, as OMI's
/// cloud serves it), answering in `framing`. Mount it with axum's `Router::route_service`.
/// The caller's key is read from each request's `Authorization` header; rmcp's host check
/// is off, as every call needs a key anyway. rmcp refuses a request whose `Accept` does not
/// name both `application/json` and `text/event-stream` (406): a server that wants to
/// answer more clients sets that header before and picks the framing itself.
pub fn streamable_http<C: Connector>(
    server: OmiMcp<C>,
    framing: Framing,
) -> StreamableHttpService<OmiMcp<C>, NeverSessionManager> {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(framing == Framing::Json)
        .with_sse_keep_alive(None)
        .disable_allowed_hosts()
        .with_max_request_body_bytes(MAX_REQUEST_BYTES);
    StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    )
}

/// Serve `server` on standard input and output until the client closes them.
pub async fn serve_stdio<C: Connector>(server: OmiMcp<C>) -> std::io::Result<()> {
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| std::io::Error::other(format!("MCP over stdio: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| std::io::Error::other(format!("MCP over stdio: {e}")))?;
    Ok(())
}
