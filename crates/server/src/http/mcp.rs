//! `POST /v1/mcp` (and its alias `/v1/mcp/sse`): the Model Context Protocol over Streamable
//! HTTP, served by `omi-mcp` for the developer key of each request. A missing or unknown
//! key is answered 401 (with `WWW-Authenticate: Bearer`) before the body is read; a key
//! without a tool's scope gets a tool error naming the scope. The answer is one JSON body,
//! or SSE frames for a client whose `Accept` names only `text/event-stream`. Its contract is
//! the MCP specification, so it is not in the OpenAPI document.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use omi_mcp::rmcp::transport::streamable_http_server::StreamableHttpService;
use omi_mcp::rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use omi_mcp::{Framing, OmiMcp};
use tower::ServiceExt;

use super::AppState;
use super::error::HttpError;
use super::extractors::Bearer;
use crate::mcp::ServiceConnector;
use crate::service::Service;

/// The path of the MCP endpoint.
pub const PATH: &str = "/v1/mcp";
/// Its alias, the path of OMI's older SSE endpoint.
pub const SSE_ALIAS: &str = "/v1/mcp/sse";

type McpService = StreamableHttpService<OmiMcp<ServiceConnector>, NeverSessionManager>;

/// The two framings of the one MCP server.
#[derive(Clone)]
struct Endpoint {
    service: Service,
    json: McpService,
    sse: McpService,
}

/// The MCP routes over `service`.
pub(crate) fn router(service: &Service) -> Router<AppState> {
    let server = OmiMcp::new(ServiceConnector::per_request(service.clone()));
    let endpoint = Endpoint {
        service: service.clone(),
        json: omi_mcp::streamable_http(server.clone(), Framing::Json),
        sse: omi_mcp::streamable_http(server, Framing::Sse),
    };
    let mcp = Router::new().fallback(serve).with_state(endpoint);
    Router::new()
        .route_service(PATH, mcp.clone())
        .route_service(SSE_ALIAS, mcp)
}

/// The accepted media types of a request name `text/event-stream` and not JSON.
fn wants_only_events(accept: &str) -> bool {
    let names = |kind: &str| accept.split(',').any(|part| part.trim().starts_with(kind));
    names("text/event-stream")
        && !names("application/json")
        && !names("*/*")
        && !names("application/*")
}

/// 401 for a request without a known developer key; 204 for a `DELETE` (there are no
/// sessions to end); else the request to the MCP service of the framing it accepts.
async fn serve(
    State(endpoint): State<Endpoint>,
    Bearer(key): Bearer,
    request: Request,
) -> Response {
    if let Err(error) = endpoint
        .service
        .developer_over_mcp(key)
        .authenticate()
        .await
    {
        return unauthorized(error);
    }
    if request.method() == Method::DELETE {
        return StatusCode::NO_CONTENT.into_response();
    }
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mcp = if wants_only_events(accept) {
        endpoint.sse
    } else {
        endpoint.json
    };
    let request = match readable(request).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    match mcp.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

/// The refusal of the credentials, with `WWW-Authenticate: Bearer` on a 401.
fn unauthorized(error: omi_api::ApiError) -> Response {
    let mut response = HttpError(error).into_response();
    if response.status() == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// A POST as rmcp reads it: its body read (at most [`omi_mcp::MAX_REQUEST_BYTES`]) and
/// JSON, else JSON-RPC's parse error with 400; `Content-Type` and `Accept` set to what rmcp
/// requires, so a client that sends neither is served too.
async fn readable(request: Request) -> Result<Request, Response> {
    let (mut parts, body) = request.into_parts();
    if parts.method != Method::POST {
        return Ok(Request::from_parts(parts, body));
    }
    let bytes = axum::body::to_bytes(body, omi_mcp::MAX_REQUEST_BYTES)
        .await
        .map_err(|_| {
            jsonrpc_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                -32600,
                "Request body too large",
            )
        })?;
    if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() {
        return Err(jsonrpc_error(
            StatusCode::BAD_REQUEST,
            -32700,
            "Parse error: the body is not JSON",
        ));
    }
    let json = HeaderValue::from_static("application/json");
    parts.headers.insert(header::CONTENT_TYPE, json);
    parts.headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("application/json, text/event-stream"),
    );
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// A JSON-RPC error answer without a request id.
fn jsonrpc_error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}});
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::wants_only_events;

    #[test]
    fn only_a_client_that_takes_nothing_but_events_gets_them() {
        assert!(wants_only_events("text/event-stream"));
        assert!(!wants_only_events("application/json, text/event-stream"));
        assert!(!wants_only_events(""));
        assert!(!wants_only_events("*/*"));
        assert!(!wants_only_events("application/json"));
    }
}
