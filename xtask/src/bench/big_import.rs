//! `--big-import`: does one huge import stay bounded while other requests are served? The
//! server caps the work of a job (at most 100 memories added, at most 1 000 found memories
//! checked for novelty, near-duplicate candidates fetched in one lookup, extraction off the
//! async runtime); this measures what that buys from the outside.
//!
//! Steps, against one fresh server of ours: store `--preload` memories, measure the memory
//! list alone (the baseline), send one import of 500 000 characters of distinct first-person
//! facts through `POST /v2/integrations/{app_id}/user/memories`, and at once run the same list
//! load, slice after slice, until the job queue is empty again, while resident memory and
//! `job_queue_depth` (from `GET /metrics`) are read every [`SAMPLE_EVERY`]. The job must end
//! within [`JOB_TIMEOUT`] (otherwise the run fails, after printing what it measured); the list's
//! p99 during the job is judged against 3x its baseline, and the memories the job added
//! against the per-job cap.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::http::Conn;
use super::soak::rss_kib;
use super::wrk::Report;
use super::{Bench, Demo, Goal, Row, Unit, scenario, table};

/// The most characters an import's `text` may hold (the API's limit).
const MAX_TEXT_CHARS: usize = 500_000;

/// How many facts are written at most (as many of them as fit in [`MAX_TEXT_CHARS`] are sent).
const MAX_FACTS: usize = 40_000;

/// The most memories one job adds (the server's `MAX_MEMORIES_PER_JOB`).
const MAX_ADDED_PER_JOB: usize = 100;

/// How long the job may take, from sending the import to an empty queue.
const JOB_TIMEOUT: Duration = Duration::from_secs(120);

/// How often resident memory and the queue depth are read.
const SAMPLE_EVERY: Duration = Duration::from_millis(200);

/// The length of the baseline load and of each slice of the load during the job.
const SLICE: &str = "5s";

/// Greatest acceptable p99 of the list during the job over its baseline.
const P99_GOAL: f64 = 3.0;

/// The page size used to count the user's memories (the integration list's largest).
const COUNT_PAGE: usize = 1_000;

/// What the facts are about, in turn.
const ACTIVITIES: [&str; 8] = [
    "kayaking",
    "hiking in the mountains",
    "baking sourdough bread",
    "playing chess",
    "listening to jazz",
    "growing tomatoes",
    "reading poetry",
    "cycling to work",
];

/// Distinct first-person facts (`I love kayaking number 0. I love hiking in the mountains
/// number 1. ...`), as many whole ones of the first [`MAX_FACTS`] as fit in `max_chars`
/// characters; with how many there are.
fn import_text(max_chars: usize) -> (String, usize) {
    let mut text = String::with_capacity(max_chars.min(MAX_TEXT_CHARS));
    let mut facts = 0;
    for n in 0..MAX_FACTS {
        let fact = format!("I love {} number {n}.", ACTIVITIES[n % ACTIVITIES.len()]);
        let separator = usize::from(!text.is_empty());
        if text.len() + separator + fact.len() > max_chars {
            break;
        }
        if separator == 1 {
            text.push(' ');
        }
        text.push_str(&fact);
        facts += 1;
    }
    (text, facts)
}

/// The sum of every sample of metric `name` (over all its label sets) in a Prometheus text
/// page; `None` when the page has none.
fn metric_sum(page: &str, name: &str) -> Option<f64> {
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
fn scrape(conn: &mut Conn) -> anyhow::Result<String> {
    let res = conn.send("GET", "/metrics", &[], None)?;
    if res.status != 200 {
        bail!("GET /metrics answered {}: {}", res.status, res.body);
    }
    Ok(res.body)
}

/// Jobs completed and failed so far, from a `/metrics` page.
fn job_outcomes(page: &str) -> (f64, f64) {
    (
        metric_sum(page, "jobs_completed_total").unwrap_or(0.0),
        metric_sum(page, "jobs_failed_total").unwrap_or(0.0),
    )
}

/// What was seen while waiting for the job queue to empty.
#[derive(Debug, Clone, Copy)]
struct Watched {
    /// The highest resident memory read, in KiB.
    peak_kib: u64,
    /// When the queue was first seen empty, counted from the start given; `None` when the
    /// timeout came first.
    emptied_after: Option<Duration>,
    /// When the watch stopped, counted from the start given.
    stopped_after: Duration,
}

/// Read `pid`'s resident memory and the job queue depth of the server at `addr` every
/// [`SAMPLE_EVERY`] until the queue is empty or `timeout` has passed since `start`.
fn watch(addr: SocketAddr, pid: u32, start: Instant, timeout: Duration) -> anyhow::Result<Watched> {
    let mut conn = Conn::connect(addr)?;
    let mut peak_kib = 0;
    loop {
        peak_kib = peak_kib.max(rss_kib(pid)?);
        let page = scrape(&mut conn)?;
        let depth =
            metric_sum(&page, "job_queue_depth").context("no job_queue_depth in /metrics")?;
        let elapsed = start.elapsed();
        if depth == 0.0 || elapsed > timeout {
            return Ok(Watched {
                peak_kib,
                emptied_after: (depth == 0.0).then_some(elapsed),
                stopped_after: elapsed,
            });
        }
        std::thread::sleep(SAMPLE_EVERY);
    }
}

/// How many memories the demo user has, counted through the integration list page by page.
fn count_memories(addr: SocketAddr, demo: &Demo) -> anyhow::Result<usize> {
    let mut conn = Conn::connect(addr)?;
    let auth = format!("Bearer {}", demo.app_key);
    let mut total = 0;
    loop {
        let path = format!(
            "/v2/integrations/{}/memories?uid={}&limit={COUNT_PAGE}&offset={total}",
            demo.app_id, demo.uid
        );
        let res = conn.send("GET", &path, &[("Authorization", &auth)], None)?;
        if res.status != 200 {
            bail!("GET {path} answered {}: {}", res.status, res.body);
        }
        let page: serde_json::Value =
            serde_json::from_str(&res.body).with_context(|| format!("reading GET {path}"))?;
        let n = page["memories"]
            .as_array()
            .with_context(|| format!("GET {path} answered no memories array"))?
            .len();
        total += n;
        if n < COUNT_PAGE {
            return Ok(total);
        }
    }
}

/// The list load during the job: the mean rate of its slices (all of one length) and the
/// worst p99 among them.
fn combine(slices: &[Report]) -> (f64, f64) {
    let rate = slices.iter().map(|r| r.rate).sum::<f64>() / slices.len().max(1) as f64;
    let p99 = slices.iter().map(|r| r.p99_ms).fold(0.0, f64::max);
    (rate, p99)
}

impl Bench<'_> {
    /// `--big-import`: see the module's documentation.
    pub(super) fn big_import(&mut self) -> anyhow::Result<()> {
        const NAME: &str = "ours-import";
        println!("bench: --big-import: one huge import while the memory list is under load");
        let (addr, demo) = self.start_ours(NAME, "omi-import.sqlite")?;
        let pid = self
            .children
            .pid(NAME)
            .context("our server is not running")?;
        let n = self.args.preload;
        self.preload_ours(addr, &demo, 0, n)?;
        if watch(addr, pid, Instant::now(), JOB_TIMEOUT)?
            .emptied_after
            .is_none()
        {
            bail!(
                "jobs were still queued {} s after preloading",
                JOB_TIMEOUT.as_secs()
            );
        }
        let list = scenario(&demo, "memory list")?;
        println!(
            "bench: load: wrk -t{} -c{} -d{SLICE} --latency on GET {}",
            self.args.threads, self.args.connections, list.ours.path
        );
        let baseline = self.load_for("memory list before", "ours", addr, &list.ours, SLICE)?;

        let before = count_memories(addr, &demo)?;
        let rss_before = rss_kib(pid)?;
        let mut metrics = Conn::connect(addr)?;
        let outcomes_before = job_outcomes(&scrape(&mut metrics)?);
        let (text, facts) = import_text(MAX_TEXT_CHARS);
        let body = serde_json::json!({ "text": text, "text_source": "other" }).to_string();
        let path = format!(
            "/v2/integrations/{}/user/memories?uid={}",
            demo.app_id, demo.uid
        );
        let auth = format!("Bearer {}", demo.app_key);
        let mut conn = Conn::connect(addr)?;
        let start = Instant::now();
        let res = conn.send(
            "POST",
            &path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some(&body),
        )?;
        let acknowledged = start.elapsed();
        if res.status != 200 {
            bail!("the import answered {}: {}", res.status, res.body);
        }
        println!(
            "bench: import of {} characters ({facts} facts) acknowledged in {:.0} ms: {} {}",
            text.chars().count(),
            acknowledged.as_secs_f64() * 1000.0,
            res.status,
            res.body
        );

        let done = AtomicBool::new(false);
        let (slices, watched) = std::thread::scope(|scope| {
            let watcher = scope.spawn(|| {
                let watched = watch(addr, pid, start, JOB_TIMEOUT);
                done.store(true, Ordering::SeqCst);
                watched
            });
            let mut slices = Vec::new();
            let loaded = loop {
                match self.load_for("memory list during", "ours", addr, &list.ours, SLICE) {
                    Ok(report) => slices.push(report),
                    Err(e) => break Err(e),
                }
                if done.load(Ordering::SeqCst) {
                    break Ok(());
                }
            };
            let watched = watcher
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the watcher panicked")));
            (loaded.map(|()| slices), watched)
        });
        let (slices, watched) = (slices?, watched?);
        let load_ran = start.elapsed();

        let after = count_memories(addr, &demo)?;
        let (completed, failed) = job_outcomes(&scrape(&mut metrics)?);
        let (completed, failed) = (completed - outcomes_before.0, failed - outcomes_before.1);
        self.children.stop(NAME);
        let added = after.saturating_sub(before);
        match watched.emptied_after {
            Some(t) => println!(
                "bench: the job queue was empty {:.1} s after the import was sent; jobs completed: {completed}, failed: {failed}",
                t.as_secs_f64()
            ),
            None => println!(
                "bench: JOBS STILL QUEUED {:.1} s after the import was sent; jobs completed: {completed}, failed: {failed}",
                watched.stopped_after.as_secs_f64()
            ),
        }
        if failed > 0.0 {
            self.notes
                .push(format!("{failed} job(s) failed for good during the import"));
        }
        println!(
            "bench: memories before {before}, after {after}: {added} added; the list load ran {} slice(s) of {SLICE} ({:.1} s)",
            slices.len(),
            load_ran.as_secs_f64()
        );
        let (rate, p99) = combine(&slices);
        let rows = [
            Row::new(
                "import acknowledged",
                Unit::Millis,
                acknowledged.as_secs_f64() * 1000.0,
                None,
                None,
            ),
            Row::new(
                "job done (queue empty) / timeout",
                Unit::Seconds,
                watched.stopped_after.as_secs_f64(),
                Some(JOB_TIMEOUT.as_secs_f64()),
                Some(Goal::AtMost(1.0)),
            ),
            Row::new(
                "memories added / per-job cap",
                Unit::Count,
                added as f64,
                Some(MAX_ADDED_PER_JOB as f64),
                Some(Goal::AtMost(1.0)),
            ),
            Row::new(
                "peak resident memory",
                Unit::Kib,
                watched.peak_kib as f64,
                Some(rss_before as f64),
                None,
            ),
            Row::rate("memory list (req/s)", rate, Some(baseline.rate), None),
            Row::p99(
                "memory list p99 (worst slice)",
                p99,
                Some(baseline.p99_ms),
                Some(Goal::AtMost(P99_GOAL)),
            ),
        ];
        println!("(here \"ours\" is during the import and \"reference\" before it, or the limit)");
        println!("\n{}", table(&rows, self.args.markdown));
        if watched.emptied_after.is_none() {
            bail!(
                "the import's job did not finish within {} s (job_queue_depth never reached 0)",
                JOB_TIMEOUT.as_secs()
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_import_is_whole_distinct_facts_within_the_limit() {
        let (text, facts) = import_text(MAX_TEXT_CHARS);
        assert!(text.chars().count() <= MAX_TEXT_CHARS, "{}", text.len());
        assert!(text.len() > MAX_TEXT_CHARS - 50, "it fills the limit");
        let sentences: Vec<&str> = text.split(". ").collect();
        assert_eq!(sentences.len(), facts);
        assert!(facts > 10_000, "{facts}");
        assert!(text.starts_with("I love kayaking number 0. I love hiking"));
        assert!(text.ends_with(&format!("number {}.", facts - 1)));
        let distinct: HashSet<&str> = sentences.iter().copied().collect();
        assert_eq!(distinct.len(), facts);
        assert!(sentences.iter().all(|s| s.starts_with("I love ")));
    }

    #[test]
    fn a_short_limit_keeps_only_whole_facts_and_the_count_is_capped() {
        assert_eq!(import_text(60), ("I love kayaking number 0.".to_owned(), 1));
        assert_eq!(import_text(10), (String::new(), 0));
        let (_, all) = import_text(usize::MAX / 2);
        assert_eq!(all, MAX_FACTS);
    }

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
        assert_eq!(job_outcomes(page), (7.0, 0.0));
        assert_eq!(
            metric_sum("job_queue_depth 0\n", "job_queue_depth"),
            Some(0.0)
        );
    }

    #[test]
    fn slices_combine_to_their_mean_rate_and_worst_p99() {
        let slice = |rate, p99_ms| Report {
            rate,
            p99_ms,
            requests: 1,
            non_2xx: 0,
            socket_errors: 0,
        };
        assert_eq!(
            combine(&[slice(100.0, 4.0), slice(300.0, 2.0)]),
            (200.0, 4.0)
        );
        assert_eq!(combine(&[]), (0.0, 0.0));
    }
}
