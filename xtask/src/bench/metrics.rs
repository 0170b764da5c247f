//! Reading our server's `GET /metrics` (Prometheus text): the job queue's depth, and waiting
//! for the queue to empty so that background jobs of one load do not run during the next.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::http::Conn;

/// How often the queue depth is read while waiting for it to reach zero.
const POLL_EVERY: Duration = Duration::from_millis(200);

/// The sum of every sample of metric `name` (over all its label sets) in a Prometheus text
/// page; `None` when the page has none.
pub(crate) fn metric_sum(page: &str, name: &str) -> Option<f64> {
    let mut sum = None;
    for line in page.lines().filter(|l| !l.starts_with('#')) {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        let value = match rest.strip_prefix('{') {
            Some(labelled) => labelled.rsplit_once('}').map(|(_, v)| v),
            None => rest.starts_with(' ').then_some(rest),
        };
        if let Some(v) = value.and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok()) {
            *sum.get_or_insert(0.0) += v;
        }
    }
    sum
}

/// `GET /metrics` (which refreshes `job_queue_depth` first).
pub(crate) fn scrape(conn: &mut Conn) -> anyhow::Result<String> {
    let res = conn.send("GET", "/metrics", &[], None)?;
    if res.status != 200 {
        bail!("GET /metrics answered {}: {}", res.status, res.body);
    }
    Ok(res.body)
}

/// Jobs waiting or running now.
pub(crate) fn queue_depth(conn: &mut Conn) -> anyhow::Result<f64> {
    metric_sum(&scrape(conn)?, "job_queue_depth").context("no job_queue_depth in /metrics")
}

/// Wait until the job queue of our server at `addr` is empty, for at most `timeout`: how long
/// that took, or `None` when the timeout came first.
pub(crate) fn wait_for_empty_queue(
    addr: SocketAddr,
    timeout: Duration,
) -> anyhow::Result<Option<Duration>> {
    let start = Instant::now();
    let mut conn = Conn::connect(addr)?;
    loop {
        if queue_depth(&mut conn)? == 0.0 {
            return Ok(Some(start.elapsed()));
        }
        if start.elapsed() > timeout {
            return Ok(None);
        }
        std::thread::sleep(POLL_EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_summed_over_label_sets_by_exact_name() {
        let page = "\
# HELP job_queue_depth Jobs waiting or running, as of the last scrape.
# TYPE job_queue_depth gauge
job_queue_depth 3
job_queue_depth_other 7
jobs_completed_total{kind=\"conversation\"} 2
jobs_completed_total{kind=\"memories\"} 5 1700000000000
";
        assert_eq!(metric_sum(page, "job_queue_depth"), Some(3.0));
        assert_eq!(metric_sum(page, "jobs_completed_total"), Some(7.0));
        assert_eq!(metric_sum(page, "jobs_failed_total"), None);
        assert_eq!(
            metric_sum("job_queue_depth 0\n", "job_queue_depth"),
            Some(0.0)
        );
    }
}
