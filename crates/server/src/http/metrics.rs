//! `GET /metrics`: the Prometheus scrape endpoint.
//!
//! Labels hold route templates, methods, statuses, job kinds and policy names only: no ids,
//! uids or keys, so the page is safe to expose to a monitoring network (it is not authenticated).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::http::openapi::OPERATIONS_TAG;
use crate::metrics;

/// The routes of this resource, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(scrape))
}

/// Prometheus metrics
///
/// Requests by route template and status, latencies, job queue depth and outcomes, and
/// rate-limit rejections, in Prometheus' text format. Not authenticated: labels hold no ids,
/// uids or keys.
///
/// Refreshes the queue depth gauge first; a store that cannot count its queue leaves the
/// gauge at its last value rather than failing the scrape.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = OPERATIONS_TAG,
    responses((status = 200, description = "Every metric", body = String, content_type = metrics::CONTENT_TYPE)),
)]
async fn scrape(State(state): State<AppState>) -> Response {
    match state.service.store().queue_depth().await {
        Ok(depth) => metrics::set_queue_depth(depth),
        Err(e) => tracing::warn!(error = %e, "could not count the job queue for /metrics"),
    }
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use crate::admin::{Admin, DemoCredentials};
    use crate::http::app;
    use crate::ratelimit::RateLimitMode;
    use crate::server::{ServerConfig, open_store, service};
    use crate::service::Service;
    use crate::worker::WorkerPool;
    use omi_extract::RulesExtractor;

    /// An app over a fresh database with cloud rate limits, its service, and demo credentials.
    async fn fixture(dir: &tempfile::TempDir) -> (Router, Service, DemoCredentials) {
        let config = ServerConfig {
            database_url: format!("sqlite://{}/omi.sqlite", dir.path().display()),
            rate_limits: RateLimitMode::Cloud,
            ..ServerConfig::default()
        };
        let store = open_store(&config.database_url).await.unwrap();
        let service = service(store, &config).await.unwrap();
        let creds = Admin::new(service.clone())
            .bootstrap_demo("http://test")
            .await
            .unwrap()
            .unwrap();
        (app(service.clone(), &config.http), service, creds)
    }

    async fn send(app: &Router, req: Request<Body>) -> (StatusCode, String) {
        let res = app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    async fn scrape(app: &Router) -> String {
        let res = app
            .clone()
            .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            crate::metrics::CONTENT_TYPE
        );
        let body = res.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(body.to_vec()).unwrap()
    }

    /// The value of the series starting with `series` (`name{labels}`), 0 when absent.
    fn value(text: &str, series: &str) -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0.0)
    }

    #[tokio::test]
    async fn requests_are_counted_by_route_template_never_by_raw_path() {
        let dir = tempfile::tempdir().unwrap();
        let (app, _, _) = fixture(&dir).await;
        let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
        send(&app, get("/v1/dev/user/memories/mem-secret-id-42")).await;
        send(&app, get("/no/such/path/user-secret-99")).await;
        send(&app, get("/healthz")).await;

        let text = scrape(&app).await;
        for series in [
            r#"http_requests_total{method="GET",route="/v1/dev/user/memories/{memory_id}",status="401"}"#,
            r#"http_requests_total{method="GET",route="unmatched",status="404"}"#,
            r#"http_requests_total{method="GET",route="/healthz",status="200"}"#,
            r#"http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}"#,
            "# TYPE http_request_duration_seconds histogram",
            "# TYPE job_queue_depth gauge",
        ] {
            assert!(text.contains(series), "missing {series} in\n{text}");
        }
        assert!(!text.contains("mem-secret-id-42") && !text.contains("user-secret-99"));
    }

    #[tokio::test]
    async fn a_429_is_counted_under_its_policy() {
        let dir = tempfile::tempdir().unwrap();
        let (app, _, creds) = fixture(&dir).await;
        let series = r#"rate_limit_rejections_total{policy="dev_memory_batch"}"#;
        let before = value(&scrape(&app).await, series);
        // The cloud preset allows 15 batch creates an hour per key; the 16th is refused.
        let mut statuses = Vec::new();
        for i in 0..16 {
            let req = Request::post("/v1/dev/user/memories/batch")
                .header(header::AUTHORIZATION, format!("Bearer {}", creds.dev_key))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!(
                    r#"{{"memories": [{{"content": "batch fact number {i}"}}]}}"#
                )))
                .unwrap();
            statuses.push(send(&app, req).await.0);
        }
        assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
        assert!(value(&scrape(&app).await, series) >= before + 1.0);
    }

    #[tokio::test]
    async fn a_processed_conversation_counts_as_a_completed_job() {
        let dir = tempfile::tempdir().unwrap();
        let (app, service, creds) = fixture(&dir).await;
        let series = r#"jobs_completed_total{kind="process_conversation"}"#;
        let before = value(&scrape(&app).await, series);
        let workers = WorkerPool::start(
            service.clone(),
            Arc::new(RulesExtractor),
            Default::default(),
        );
        let req = Request::post(format!(
            "/v2/integrations/{}/user/conversations?uid={}",
            creds.app_id, creds.uid
        ))
        .header(header::AUTHORIZATION, format!("Bearer {}", creds.app_key))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            r#"{"text": "Me: I love hiking. Sarah: Book the cabin."}"#,
        ))
        .unwrap();
        let (status, body) = send(&app, req).await;
        assert!(status.is_success(), "{status} {body}");

        let mut text = scrape(&app).await;
        for _ in 0..100 {
            if value(&text, series) >= before + 1.0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            text = scrape(&app).await;
        }
        workers.shutdown().await;
        assert!(value(&text, series) >= before + 1.0, "{text}");
        assert!(text.contains(r#"job_attempts_bucket{kind="process_conversation",le="1"}"#));
    }
}
