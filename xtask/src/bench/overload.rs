//! `--overload`: how our server behaves when offered twice the memory creates it can sustain.
//!
//! wrk keeps a fixed number of connections busy, so it slows down with the server and never
//! overloads it. This load is open: requests are sent on a clock at the offered rate whatever
//! the answers do, each on its own task, up to [`MAX_IN_FLIGHT`] at once (beyond that the
//! generator itself is the limit, and what it could not send is reported). Every answer is
//! classified: a 2xx, a 503 with `Retry-After` (shed: an acceptable answer under overload), or
//! anything else (another status, a 503 without `Retry-After`, a timeout, a dropped
//! connection), which is a failure. The server's resident memory is read every second, and
//! when the overload stops a light load (a quarter of the sustainable rate) shows how soon
//! every answer is a 2xx again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::Mutex;

use super::soak;

/// Most requests the generator keeps open at once.
pub(crate) const MAX_IN_FLIGHT: u64 = 4096;

/// How often the generator sends the requests due since its last turn.
const TICK: Duration = Duration::from_millis(10);

/// How long the light load after the overload runs.
const RECOVERY_PROBE: Duration = Duration::from_secs(10);

/// Greatest acceptable end/first-minute ratio of resident memory.
const RSS_GOAL: f64 = 1.2;

/// Longest acceptable time from the end of the overload to the first second in which every
/// answer is a 2xx.
const RECOVERY_GOAL: Duration = Duration::from_secs(1);

/// Failures described in full in the report; the rest are only counted.
const FAILURES_SHOWN: usize = 5;

/// What to run.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// `http://127.0.0.1:PORT` of our server.
    pub(crate) base_url: String,
    /// A developer key with `memories:write`.
    pub(crate) dev_key: String,
    /// The create rate the server sustains (from a closed-loop run), per second.
    pub(crate) sustainable_rate: f64,
    /// How long twice that rate is offered.
    pub(crate) duration: Duration,
    /// The server's `--request-timeout`.
    pub(crate) request_timeout: Duration,
    /// The server's process id, for its resident memory.
    pub(crate) pid: u32,
}

/// Answers of one phase, classified.
#[derive(Debug, Default)]
struct Tally {
    sent: AtomicU64,
    ok: AtomicU64,
    shed: AtomicU64,
    failed: AtomicU64,
    not_sent: AtomicU64,
    in_flight: AtomicU64,
    slowest_ms: AtomicU64,
    failures: Mutex<Vec<String>>,
}

/// What one answer was.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    /// A 2xx.
    Ok,
    /// A 503 with `Retry-After`.
    Shed,
    /// Anything else, described.
    Failed(String),
}

impl Answer {
    /// Classify a response's status and whether it carried `Retry-After`.
    fn of_status(status: u16, retry_after: bool) -> Self {
        match status {
            200..=299 => Self::Ok,
            503 if retry_after => Self::Shed,
            503 => Self::Failed("503 without Retry-After".to_owned()),
            other => Self::Failed(format!("status {other}")),
        }
    }
}

impl Tally {
    async fn record(&self, answer: Answer, took: Duration) {
        let ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
        self.slowest_ms.fetch_max(ms, Ordering::Relaxed);
        match answer {
            Answer::Ok => self.ok.fetch_add(1, Ordering::Relaxed),
            Answer::Shed => self.shed.fetch_add(1, Ordering::Relaxed),
            Answer::Failed(why) => {
                let mut failures = self.failures.lock().await;
                if failures.len() < FAILURES_SHOWN {
                    failures.push(why);
                }
                self.failed.fetch_add(1, Ordering::Relaxed)
            }
        };
    }

    fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Resident memory read every second during the overload, in KiB.
#[derive(Debug, Default, Clone)]
struct RssTrack(Vec<u64>);

impl RssTrack {
    /// The median of the samples in `range` (seconds since the start), if any.
    fn median(&self, range: std::ops::Range<usize>) -> Option<u64> {
        let mut window: Vec<u64> = self.0.get(range)?.to_vec();
        window.sort_unstable();
        window.get(window.len() / 2).copied()
    }

    /// Around the first minute (55 to 65 s, or the middle of a shorter run).
    fn first_minute(&self) -> Option<u64> {
        let at = 60.min(self.0.len() / 2);
        self.median(at.saturating_sub(5)..(at + 5).min(self.0.len()))
    }

    /// The last ten seconds.
    fn end(&self) -> Option<u64> {
        self.median(self.0.len().saturating_sub(10)..self.0.len())
    }

    fn peak(&self) -> u64 {
        self.0.iter().copied().max().unwrap_or_default()
    }
}

/// Run the plan and print what happened; `Ok(true)` when every goal was met.
pub(crate) fn run(plan: &Plan) -> anyhow::Result<bool> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the load generator's runtime")?;
    runtime.block_on(run_async(plan))
}

async fn run_async(plan: &Plan) -> anyhow::Result<bool> {
    let client = reqwest::Client::builder()
        .timeout(plan.request_timeout + Duration::from_secs(5))
        .pool_max_idle_per_host(usize::try_from(MAX_IN_FLIGHT).unwrap_or(usize::MAX))
        .build()
        .context("building the HTTP client")?;
    let offered = plan.sustainable_rate * 2.0;
    println!(
        "overload: offering {offered:.0} creates/s (2 x {:.0}) for {} s, open loop, at most {MAX_IN_FLIGHT} in flight",
        plan.sustainable_rate,
        plan.duration.as_secs()
    );
    let overload = Arc::new(Tally::default());
    let sampler = tokio::spawn(sample_rss(plan.pid, plan.duration));
    send_at(&client, plan, offered, plan.duration, &overload, None).await;
    let dropped = Instant::now();
    let probe = Arc::new(Tally::default());
    let windows = Arc::new(Mutex::new(Vec::new()));
    send_at(
        &client,
        plan,
        plan.sustainable_rate / 4.0,
        RECOVERY_PROBE,
        &probe,
        Some((dropped, windows.clone())),
    )
    .await;
    wait_idle(&overload).await;
    wait_idle(&probe).await;
    let rss = sampler.await.context("the memory sampler stopped")??;
    let recovery = recovered_after(&windows.lock().await);
    Ok(report(plan, &overload, &probe, &rss, recovery).await)
}

/// Send creates at `rate` per second for `duration` into `tally`; with `windows`, also note
/// for each second since the given instant whether any answer sent in it was not a 2xx.
async fn send_at(
    client: &reqwest::Client,
    plan: &Plan,
    rate: f64,
    duration: Duration,
    tally: &Arc<Tally>,
    windows: Option<(Instant, Arc<Mutex<Vec<bool>>>)>,
) {
    let start = Instant::now();
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while start.elapsed() < duration {
        ticker.tick().await;
        let due = rate * start.elapsed().as_secs_f64() - Tally::get(&tally.sent) as f64;
        for _ in 0..due.max(0.0) as u64 {
            tally.sent.fetch_add(1, Ordering::Relaxed);
            if tally.in_flight.fetch_add(1, Ordering::Relaxed) >= MAX_IN_FLIGHT {
                tally.in_flight.fetch_sub(1, Ordering::Relaxed);
                tally.not_sent.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let request = create(client, plan, Tally::get(&tally.sent));
            let (tally, windows) = (tally.clone(), windows.clone());
            tokio::spawn(async move {
                let sent = Instant::now();
                let answer = answer_of(request.send().await);
                if let Some((since, windows)) = windows {
                    note_window(&windows, since, sent, &answer).await;
                }
                tally.record(answer, sent.elapsed()).await;
                tally.in_flight.fetch_sub(1, Ordering::Relaxed);
            });
        }
    }
}

/// One memory create with a content no other request of the run has.
fn create(client: &reqwest::Client, plan: &Plan, n: u64) -> reqwest::RequestBuilder {
    let nonce = std::process::id();
    client
        .post(format!("{}/v1/dev/user/memories", plan.base_url))
        .bearer_auth(&plan.dev_key)
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"content":"overload {nonce}-{n}: the user prefers dark roast coffee"}}"#
        ))
}

fn answer_of(result: reqwest::Result<reqwest::Response>) -> Answer {
    match result {
        Ok(response) => Answer::of_status(
            response.status().as_u16(),
            response.headers().contains_key("retry-after"),
        ),
        Err(e) if e.is_timeout() => Answer::Failed("timed out".to_owned()),
        Err(e) => Answer::Failed(format!("no answer: {e}")),
    }
}

/// Mark the second (since `since`) in which a request was sent as unclean when its answer
/// was not a 2xx.
async fn note_window(windows: &Mutex<Vec<bool>>, since: Instant, sent: Instant, answer: &Answer) {
    let second = usize::try_from(sent.duration_since(since).as_secs()).unwrap_or(usize::MAX);
    let mut windows = windows.lock().await;
    if windows.len() <= second {
        windows.resize(second.saturating_add(1).min(3600), false);
    }
    if let Some(unclean) = windows.get_mut(second) {
        *unclean |= *answer != Answer::Ok;
    }
}

/// The start of the first second whose answers were all 2xx.
fn recovered_after(unclean_seconds: &[bool]) -> Option<Duration> {
    let second = unclean_seconds.iter().position(|unclean| !unclean)?;
    Some(Duration::from_secs(u64::try_from(second).ok()?))
}

/// Wait until every request of `tally` has its answer.
async fn wait_idle(tally: &Tally) {
    while Tally::get(&tally.in_flight) > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Read `pid`'s resident memory every second for `duration`.
async fn sample_rss(pid: u32, duration: Duration) -> anyhow::Result<RssTrack> {
    let start = Instant::now();
    let mut track = RssTrack::default();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    while start.elapsed() < duration {
        ticker.tick().await;
        track.0.push(soak::rss_kib(pid)?);
    }
    Ok(track)
}

/// Print the outcome; whether every goal was met.
async fn report(
    plan: &Plan,
    overload: &Tally,
    probe: &Tally,
    rss: &RssTrack,
    recovery: Option<Duration>,
) -> bool {
    let failed = Tally::get(&overload.failed) + Tally::get(&probe.failed);
    println!(
        "overload: sent {}, 2xx {}, 503 with Retry-After {}, failed {} (goal 0) {}; not sent (generator at its cap) {}; slowest answer {:.1} s (request timeout {} s)",
        Tally::get(&overload.sent),
        Tally::get(&overload.ok),
        Tally::get(&overload.shed),
        Tally::get(&overload.failed),
        yes_no(Tally::get(&overload.failed) == 0),
        Tally::get(&overload.not_sent),
        Tally::get(&overload.slowest_ms) as f64 / 1000.0,
        plan.request_timeout.as_secs(),
    );
    for why in overload.failures.lock().await.iter() {
        println!("overload: a failure: {why}");
    }
    let (first, end) = (rss.first_minute().unwrap_or(0), rss.end().unwrap_or(0));
    let ratio = end as f64 / first.max(1) as f64;
    println!(
        "overload: resident memory {:.1} MiB around the first minute, {:.1} MiB at the end: {ratio:.2}x (goal <= {RSS_GOAL:.1}x) {}; peak {:.1} MiB",
        first as f64 / 1024.0,
        end as f64 / 1024.0,
        yes_no(ratio <= RSS_GOAL),
        rss.peak() as f64 / 1024.0,
    );
    let recovered = recovery.is_some_and(|after| after <= RECOVERY_GOAL);
    println!(
        "overload: after the load dropped, every answer was 2xx from {} (goal <= {} s) {}; light load: {} of {} 2xx",
        recovery.map_or_else(|| "never".to_owned(), |d| format!("{} s", d.as_secs())),
        RECOVERY_GOAL.as_secs(),
        yes_no(recovered),
        Tally::get(&probe.ok),
        Tally::get(&probe.sent),
    );
    failed == 0 && ratio <= RSS_GOAL && recovered
}

fn yes_no(met: bool) -> &'static str {
    if met { "yes" } else { "NO" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_503_is_shed_only_with_retry_after_and_other_errors_fail() {
        assert_eq!(Answer::of_status(200, false), Answer::Ok);
        assert_eq!(Answer::of_status(201, true), Answer::Ok);
        assert_eq!(Answer::of_status(503, true), Answer::Shed);
        assert!(matches!(Answer::of_status(503, false), Answer::Failed(_)));
        assert!(matches!(Answer::of_status(500, true), Answer::Failed(_)));
        assert!(matches!(Answer::of_status(429, true), Answer::Failed(_)));
    }

    #[test]
    fn recovery_is_the_first_clean_second() {
        assert_eq!(recovered_after(&[]), None);
        assert_eq!(recovered_after(&[true, true]), None);
        assert_eq!(recovered_after(&[false]), Some(Duration::ZERO));
        assert_eq!(
            recovered_after(&[true, true, false, true]),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn memory_is_compared_as_medians_around_the_first_minute_and_at_the_end() {
        let mut samples: Vec<u64> = vec![100; 120];
        samples[60] = 900; // one spike does not move a median
        samples.extend([130; 10]);
        let track = RssTrack(samples);
        assert_eq!(track.first_minute(), Some(100));
        assert_eq!(track.end(), Some(130));
        assert_eq!(track.peak(), 900);
        assert_eq!(RssTrack::default().end(), None);
    }
}
