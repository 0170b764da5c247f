//! The OpenAPI document against the router: every route documented, every documented
//! operation routed, the document and the reference page served, and the documented limits
//! the model's own.

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use omi_model::{BatchCreateMemoriesRequest, Limit, MemoryContent, Tags};
use omi_server::http::docs::{DOCS_PATH, OPENAPI_PATH};
use omi_server::http::openapi::{openapi, to_value};
use omi_server::http::{HttpConfig, app, mcp};
use omi_server::server::{ServerConfig, open_store, service};
use serde_json::Value;
use tower::ServiceExt;

/// The methods probed on every path.
const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// The whole application over a fresh database in `dir`.
async fn router(dir: &tempfile::TempDir) -> Router {
    let config = ServerConfig {
        database_url: format!("sqlite://{}/omi.sqlite", dir.path().display()),
        ..ServerConfig::default()
    };
    let store = open_store(&config.database_url).await.expect("a store");
    let service = service(store, &config).await.expect("a service");
    app(service, &HttpConfig::default())
}

/// Status and body of `method path` against `router`.
async fn call(router: &Router, method: Method, path: &str) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("an answer");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The route templates of `router`, read from its `Debug` form (axum lists them there and
/// nowhere else: `Router { path_router: ..., fallback_router: ... }`); the reference page's
/// own routes are left out, and MCP's, whose contract is the MCP specification (tests in
/// `mcp.rs`).
fn routed_paths(router: &Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let routes = debug
        .split_once("path_router:")
        .and_then(|(_, rest)| rest.split_once("fallback_router:"))
        .map(|(routes, _)| routes)
        .unwrap_or_else(|| panic!("axum's Debug form has changed: {debug}"));
    let paths: BTreeSet<String> = routes
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/'))
        .map(str::to_owned)
        .collect();
    assert!(
        paths.contains("/healthz"),
        "axum's Debug form no longer lists the routes: {debug}"
    );
    paths
        .into_iter()
        .filter(|p| !p.starts_with(DOCS_PATH))
        .filter(|p| ![mcp::PATH, mcp::SSE_ALIAS].contains(&p.as_str()))
        .collect()
}

/// The documented operations, as `(path, method)`.
fn documented() -> BTreeSet<(String, Method)> {
    let doc = to_value(&openapi());
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            operations.insert((path.clone(), method));
        }
    }
    operations
}

/// `path` with every `{parameter}` replaced by a plausible value.
fn concrete(path: &str) -> String {
    path.replace("{app_id}", "some-app")
        .replace("{memory_id}", "some-memory")
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_operation_is_routed() {
    let dir = tempfile::tempdir().expect("a folder");
    let router = router(&dir).await;
    let documented = documented();
    let documented_paths: BTreeSet<String> = documented.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(routed_paths(&router), documented_paths);
    for path in &documented_paths {
        for method in METHODS {
            let (status, body) = call(&router, method.clone(), &concrete(path)).await;
            let routed = status != StatusCode::METHOD_NOT_ALLOWED;
            let is_documented = documented.contains(&(path.clone(), method.clone()));
            assert_eq!(
                routed, is_documented,
                "{method} {path}: answered {status} {body}, documented: {is_documented}"
            );
            assert_ne!(
                body, r#"{"detail":"Not Found"}"#,
                "{method} {path} fell through to the 404 fallback"
            );
        }
    }
}

#[tokio::test]
async fn the_document_is_served_as_generated() {
    let dir = tempfile::tempdir().expect("a folder");
    let (status, body) = call(&router(&dir).await, Method::GET, OPENAPI_PATH).await;
    assert_eq!(status, StatusCode::OK);
    let served: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(served, to_value(&openapi()));
    assert_eq!(served["openapi"], "3.1.0");
}

#[tokio::test]
async fn the_reference_page_is_served_from_the_binary_and_reads_the_document() {
    let dir = tempfile::tempdir().expect("a folder");
    let router = router(&dir).await;
    let (status, _) = call(&router, Method::GET, DOCS_PATH).await;
    assert!(status.is_redirection(), "{DOCS_PATH} answered {status}");
    let request = Request::get(format!("{DOCS_PATH}/"))
        .body(Body::empty())
        .expect("a request");
    let page = router.clone().oneshot(request).await.expect("an answer");
    assert_eq!(page.status(), StatusCode::OK);
    let content_type = page.headers()[header::CONTENT_TYPE].to_str().expect("text");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let (status, script) = call(
        &router,
        Method::GET,
        &format!("{DOCS_PATH}/swagger-initializer.js"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(script.contains(OPENAPI_PATH), "{script}");
    let (status, bundle) = call(
        &router,
        Method::GET,
        &format!("{DOCS_PATH}/swagger-ui-bundle.js"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(bundle.len() > 100_000, "the UI bundle is not in the binary");
}

/// The schema of parameter `name` of `method path`.
fn parameter<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

#[test]
fn documented_limits_and_defaults_are_the_models() {
    let doc = to_value(&openapi());
    let integration = parameter(&doc, "/v2/integrations/{app_id}/memories", "get", "limit");
    assert_eq!(integration["minimum"], Limit::MIN);
    assert_eq!(integration["maximum"], Limit::MAX);
    assert_eq!(integration["default"], Limit::INTEGRATION_DEFAULT.get());
    let conversations = parameter(
        &doc,
        "/v2/integrations/{app_id}/conversations",
        "get",
        "limit",
    );
    assert_eq!(conversations["maximum"], Limit::MAX);
    assert_eq!(conversations["default"], Limit::INTEGRATION_DEFAULT.get());
    let developer = parameter(&doc, "/v1/dev/user/memories", "get", "limit");
    assert_eq!(developer["maximum"], Limit::MAX);
    assert_eq!(developer["default"], Limit::DEVELOPER_DEFAULT.get());
    let schemas = &doc["components"]["schemas"];
    for schema in ["CreateMemoryRequest", "ExplicitMemoryRequest"] {
        let content = &schemas[schema]["properties"]["content"];
        assert_eq!(content["maxLength"], MemoryContent::MAX_CHARS, "{schema}");
        let tags = &schemas[schema]["properties"]["tags"];
        assert_eq!(tags["maxItems"], Tags::MAX_ITEMS, "{schema}");
    }
    assert_eq!(
        schemas["BatchCreateMemoriesRequest"]["properties"]["memories"]["maxItems"],
        BatchCreateMemoriesRequest::MAX_ITEMS
    );
}
