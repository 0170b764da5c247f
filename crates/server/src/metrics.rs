//! Prometheus metrics: recording them through the `metrics` facade and rendering them as the
//! Prometheus text format for `GET /metrics`.
//!
//! The rest of the crate records through the small functions here ([`http_request`],
//! [`job_completed`], [`rate_limited`], ...), so metric names and labels live in one place and
//! stay low-cardinality: HTTP requests are labelled with the route *template*
//! (`/v2/integrations/{app_id}/memories`), never the raw path with its ids.
//!
//! The `metrics` facade has one recorder per process. [`install`] sets ours the first time it
//! is called and is a no-op after that, so several servers in one process (as in tests) share
//! it and see each other's counts. If the embedding program installed a recorder of its own
//! first, ours is kept aside: recording goes to theirs, and [`render`] shows only what ours
//! holds (nothing but the queue depth gauge). Nothing panics either way.

use std::sync::OnceLock;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Counter of HTTP requests, labelled `method`, `route` and `status`.
pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
/// Histogram of HTTP request durations in seconds, labelled `method` and `route`.
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";
/// Counter of jobs that finished successfully, labelled `kind`.
pub const JOBS_COMPLETED_TOTAL: &str = "jobs_completed_total";
/// Counter of job attempts that failed and were scheduled again, labelled `kind`.
pub const JOBS_RETRIED_TOTAL: &str = "jobs_retried_total";
/// Counter of jobs that failed for good (out of attempts), labelled `kind`.
pub const JOBS_FAILED_TOTAL: &str = "jobs_failed_total";
/// Histogram of the attempts a job took when it finished (completed or failed), labelled `kind`.
pub const JOB_ATTEMPTS: &str = "job_attempts";
/// Counter of requests refused with 429, labelled `policy`.
pub const RATE_LIMIT_REJECTIONS_TOTAL: &str = "rate_limit_rejections_total";
/// Counter of rate-limit checks the shared backend (Redis) failed or did not answer in time,
/// labelled `reason` (`error` or `timeout`); each was decided by the process's own limiter.
pub const RATE_LIMIT_BACKEND_ERRORS_TOTAL: &str = "rate_limit_backend_errors_total";
/// Gauge of jobs waiting or running, refreshed each time the metrics are rendered.
pub const JOB_QUEUE_DEPTH: &str = "job_queue_depth";
/// Counter of panics caught and contained, labelled `where` ([`PanicSite`]): each failed one
/// request, one job attempt or one write, and the server went on.
pub const PANICS_TOTAL: &str = "panics_total";
/// Counter of job workers restarted after their loop ended unexpectedly.
pub const WORKER_RESTARTS_TOTAL: &str = "worker_restarts_total";
/// Counter of writes refused with 503 because the database's write queue was full.
pub const WRITES_SHED_TOTAL: &str = "writes_shed_total";
/// Counter of requests refused with 503 because the server already worked on as many as
/// `--max-in-flight` allows.
pub const REQUESTS_SHED_TOTAL: &str = "requests_shed_total";
/// Counter of webhook delivery attempts, labelled `outcome` (`delivered`, `retried`,
/// `failed`: the last attempt of a delivery that failed for good).
pub const WEBHOOK_ATTEMPTS_TOTAL: &str = "webhook_attempts_total";
/// Histogram: writes per SQLite group-commit transaction.
pub const SQLITE_COMMIT_WRITES: &str = "sqlite_commit_writes";
/// Histogram: seconds one SQLite group-commit transaction took, first write to commit.
pub const SQLITE_COMMIT_SECONDS: &str = "sqlite_commit_seconds";

/// Where a contained panic happened: the `where` label of [`PANICS_TOTAL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanicSite {
    /// An HTTP handler: the request was answered 500.
    Http,
    /// A job attempt: it failed (and is retried, or failed for good).
    Job,
    /// A write of the SQLite group commit: that write failed, the others committed.
    Writer,
    /// A job worker's loop outside any job: the worker was restarted.
    Worker,
    /// A round of the embedder (`--embeddings`): the round failed, the loop went on.
    Embedder,
    /// A webhook delivery's attempt: it is retried once its lease ends.
    Webhook,
}

impl PanicSite {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Job => "job",
            Self::Writer => "writer",
            Self::Worker => "worker",
            Self::Embedder => "embedder",
            Self::Webhook => "webhook",
        }
    }
}

/// The `route` label of a request that matched no route (a 404 from the fallback).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Bucket bounds of [`HTTP_REQUEST_DURATION_SECONDS`]: 0.5 ms to 10 s, fine where our
/// latencies are (around a millisecond) and coarse where only outliers go.
const DURATION_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Bucket bounds of [`JOB_ATTEMPTS`] (the default allows 5 attempts).
const ATTEMPT_BUCKETS: &[f64] = &[1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0];

/// Buckets of [`SQLITE_COMMIT_WRITES`], up to the group commit's largest batch.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// How often raw histogram samples are folded into their buckets when nobody scrapes, so
/// an unscraped server's memory stays bounded.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Install our recorder as the process's `metrics` recorder, once; later calls return the
/// same handle. Call it before recording anything that should be counted (building the
/// HTTP app and starting the workers do).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = builder().build_recorder();
        let handle = recorder.handle();
        if let Err(e) = ::metrics::set_global_recorder(recorder) {
            tracing::warn!(error = %e, "another metrics recorder is installed; /metrics will show only the queue depth");
        }
        describe();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".to_owned())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_INTERVAL);
                    upkeep.run_upkeep();
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start the metrics upkeep thread; histograms are folded only when scraped");
        }
        handle
    })
}

/// The builder with our histogram buckets (without them histograms render as summaries).
fn builder() -> PrometheusBuilder {
    let with_buckets = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(HTTP_REQUEST_DURATION_SECONDS.to_owned()),
            DURATION_BUCKETS,
        )
        .and_then(|b| {
            b.set_buckets_for_metric(Matcher::Full(JOB_ATTEMPTS.to_owned()), ATTEMPT_BUCKETS)
        })
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full(SQLITE_COMMIT_WRITES.to_owned()),
                BATCH_BUCKETS,
            )
        })
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full(SQLITE_COMMIT_SECONDS.to_owned()),
                DURATION_BUCKETS,
            )
        });
    match with_buckets {
        Ok(builder) => builder,
        // Only empty bucket lists are refused, and ours are constants that are not empty.
        Err(e) => {
            tracing::warn!(error = %e, "metric buckets refused; histograms render as summaries");
            PrometheusBuilder::new()
        }
    }
}

/// The `# HELP` lines.
fn describe() {
    ::metrics::describe_histogram!(
        SQLITE_COMMIT_WRITES,
        "Writes per SQLite group-commit transaction."
    );
    ::metrics::describe_histogram!(
        SQLITE_COMMIT_SECONDS,
        ::metrics::Unit::Seconds,
        "SQLite group-commit transactions: first write to commit."
    );
    ::metrics::describe_counter!(
        HTTP_REQUESTS_TOTAL,
        "HTTP requests by method, route template and status."
    );
    ::metrics::describe_histogram!(
        HTTP_REQUEST_DURATION_SECONDS,
        ::metrics::Unit::Seconds,
        "HTTP request durations by method and route template."
    );
    ::metrics::describe_counter!(JOBS_COMPLETED_TOTAL, "Jobs that finished successfully.");
    ::metrics::describe_counter!(
        JOBS_RETRIED_TOTAL,
        "Job attempts that failed and were scheduled again."
    );
    ::metrics::describe_counter!(
        JOBS_FAILED_TOTAL,
        "Jobs that failed for good after their last attempt."
    );
    ::metrics::describe_histogram!(
        JOB_ATTEMPTS,
        "Attempts a job took, counted when it completed or failed for good."
    );
    ::metrics::describe_counter!(
        RATE_LIMIT_REJECTIONS_TOTAL,
        "Requests refused with 429 by rate-limit policy."
    );
    ::metrics::describe_counter!(
        RATE_LIMIT_BACKEND_ERRORS_TOTAL,
        "Rate-limit checks Redis failed or did not answer in time, decided in process instead."
    );
    ::metrics::describe_gauge!(
        JOB_QUEUE_DEPTH,
        "Jobs waiting or running, as of the last scrape."
    );
    ::metrics::describe_counter!(
        PANICS_TOTAL,
        "Panics caught and contained, by where they happened (http, job, writer, worker)."
    );
    ::metrics::describe_counter!(
        WORKER_RESTARTS_TOTAL,
        "Job workers restarted after their loop ended unexpectedly."
    );
    ::metrics::describe_counter!(
        WRITES_SHED_TOTAL,
        "Writes refused with 503 because the write queue was full."
    );
    ::metrics::describe_counter!(
        REQUESTS_SHED_TOTAL,
        "Requests refused with 503 because the server worked on as many as it allows."
    );
    ::metrics::describe_counter!(
        WEBHOOK_ATTEMPTS_TOTAL,
        "Webhook delivery attempts, by outcome (delivered, retried, failed)."
    );
}

/// The `method` label of a request: a standard method's name, or `other` for any other
/// (methods are free text, and each distinct label value would be a new time series).
pub fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "other",
    }
}

/// Record one HTTP request: `route` is the matched route template, or [`UNMATCHED_ROUTE`].
pub fn http_request(method: &Method, route: &str, status: StatusCode, elapsed: Duration) {
    let method = method_label(method);
    let route = route.to_owned();
    ::metrics::counter!(
        HTTP_REQUESTS_TOTAL,
        "method" => method,
        "route" => route.clone(),
        "status" => status.as_str().to_owned(),
    )
    .increment(1);
    ::metrics::histogram!(HTTP_REQUEST_DURATION_SECONDS, "method" => method, "route" => route)
        .record(elapsed.as_secs_f64());
}

/// Record a job that completed after `attempts` attempts.
pub fn job_completed(kind: &'static str, attempts: i32) {
    ::metrics::counter!(JOBS_COMPLETED_TOTAL, "kind" => kind).increment(1);
    ::metrics::histogram!(JOB_ATTEMPTS, "kind" => kind).record(f64::from(attempts));
}

/// Record a failed attempt of a job that will be tried again.
pub fn job_retried(kind: &'static str) {
    ::metrics::counter!(JOBS_RETRIED_TOTAL, "kind" => kind).increment(1);
}

/// Record a job that failed for good after `attempts` attempts.
pub fn job_failed(kind: &'static str, attempts: i32) {
    ::metrics::counter!(JOBS_FAILED_TOTAL, "kind" => kind).increment(1);
    ::metrics::histogram!(JOB_ATTEMPTS, "kind" => kind).record(f64::from(attempts));
}

/// Record a request refused with 429 under the rate-limit policy named `policy`
/// (`Policy::name`).
pub fn rate_limited(policy: &'static str) {
    ::metrics::counter!(RATE_LIMIT_REJECTIONS_TOTAL, "policy" => policy).increment(1);
}

/// Record a rate-limit check the shared backend could not answer: `reason` is `error` or
/// `timeout`.
pub fn rate_limit_backend_error(reason: &'static str) {
    ::metrics::counter!(RATE_LIMIT_BACKEND_ERRORS_TOTAL, "reason" => reason).increment(1);
}

/// Record a panic caught at `site`.
pub fn panic_caught(site: PanicSite) {
    ::metrics::counter!(PANICS_TOTAL, "where" => site.as_str()).increment(1);
}

/// Record a webhook delivery attempt and its `outcome` (`delivered`, `retried`, `failed`).
pub fn webhook_attempt(outcome: &'static str) {
    ::metrics::counter!(WEBHOOK_ATTEMPTS_TOTAL, "outcome" => outcome).increment(1);
}

/// Record one SQLite group-commit transaction of `writes` writes that took `seconds`.
pub fn sqlite_commit(writes: usize, seconds: f64) {
    #[allow(clippy::cast_precision_loss)] // at most 256 writes
    ::metrics::histogram!(SQLITE_COMMIT_WRITES).record(writes as f64);
    ::metrics::histogram!(SQLITE_COMMIT_SECONDS).record(seconds);
}

/// Record a job worker restarted by its supervisor.
pub fn worker_restarted() {
    ::metrics::counter!(WORKER_RESTARTS_TOTAL).increment(1);
}

/// Record a write refused because the write queue was full.
pub fn write_shed() {
    ::metrics::counter!(WRITES_SHED_TOTAL).increment(1);
}

/// Record a request refused because the server was at its in-flight limit.
pub fn request_shed() {
    ::metrics::counter!(REQUESTS_SHED_TOTAL).increment(1);
}

/// Set the job queue depth gauge (done just before rendering).
pub fn set_queue_depth(depth: i64) {
    // A gauge is an f64; queue depths are far below 2^53, where the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    ::metrics::gauge!(JOB_QUEUE_DEPTH).set(depth as f64);
}

/// Everything recorded so far, in the Prometheus text exposition format (version 0.0.4).
pub fn render() -> String {
    install().render()
}

/// The `Content-Type` of [`render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_method_is_labelled_other() {
        let custom = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&custom), "other");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
    }

    #[test]
    fn install_twice_returns_the_same_recorder() {
        let first: *const PrometheusHandle = install();
        let second: *const PrometheusHandle = install();
        assert_eq!(first, second);
    }

    #[test]
    fn a_recorded_request_renders_with_its_route_template_and_status() {
        install();
        http_request(
            &Method::GET,
            "/unit-test/{id}",
            StatusCode::OK,
            Duration::from_millis(3),
        );
        let text = render();
        assert!(
            text.contains(
                r#"http_requests_total{method="GET",route="/unit-test/{id}",status="200"}"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"http_request_duration_seconds_bucket{method="GET",route="/unit-test/{id}",le="0.005"}"#
            ),
            "{text}"
        );
    }

    #[test]
    fn job_outcomes_render_by_kind() {
        install();
        job_completed("process_conversation", 1);
        job_retried("extract_memories");
        job_failed("extract_memories", 5);
        let text = render();
        for line in [
            r#"jobs_completed_total{kind="process_conversation"}"#,
            r#"jobs_retried_total{kind="extract_memories"}"#,
            r#"jobs_failed_total{kind="extract_memories"}"#,
            r#"job_attempts_bucket{kind="extract_memories",le="5"}"#,
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
    }

    #[test]
    fn rejections_and_backend_errors_render_by_label_and_the_queue_depth_as_a_gauge() {
        install();
        rate_limited("dev_memory_batch");
        rate_limit_backend_error("timeout");
        set_queue_depth(7);
        let text = render();
        assert!(
            text.contains(r#"rate_limit_rejections_total{policy="dev_memory_batch"}"#),
            "{text}"
        );
        assert!(
            text.contains(r#"rate_limit_backend_errors_total{reason="timeout"}"#),
            "{text}"
        );
        assert!(text.contains("# TYPE job_queue_depth gauge"), "{text}");
    }
}
