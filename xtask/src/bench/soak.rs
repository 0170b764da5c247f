//! `--soak MINUTES`: does our server's memory stay flat under sustained load? Creates run
//! against a fresh server for the whole time while its resident set size (`VmRSS` in
//! `/proc/PID/status`) is read after the first minute and again at the end; the goal is an end
//! figure within 1.2x of the first-minute one (caches fill in the first minute; after that,
//! growth would be a leak or an unbounded queue).

use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Greatest acceptable end/first-minute ratio of resident memory.
pub(crate) const RSS_GOAL: f64 = 1.2;

/// When the first sample is read.
const FIRST_SAMPLE: Duration = Duration::from_secs(60);

/// How long before the load ends the last sample is read (wrk stops at its deadline).
const END_MARGIN: Duration = Duration::from_secs(3);

/// Resident memory samples of one soak run, in KiB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Samples {
    /// After the first minute.
    pub(crate) first_minute_kib: u64,
    /// Just before the load ended.
    pub(crate) end_kib: u64,
}

impl Samples {
    /// End over first minute.
    pub(crate) fn ratio(&self) -> f64 {
        self.end_kib as f64 / (self.first_minute_kib.max(1)) as f64
    }

    /// Whether the goal is met.
    pub(crate) fn met(&self) -> bool {
        self.ratio() <= RSS_GOAL
    }

    /// One line for the report.
    pub(crate) fn describe(&self, minutes: u32) -> String {
        format!(
            "resident memory: {:.1} MiB after 1 min, {:.1} MiB after {minutes} min: {:.2}x (goal <= {RSS_GOAL:.1}x) {}",
            self.first_minute_kib as f64 / 1024.0,
            self.end_kib as f64 / 1024.0,
            self.ratio(),
            if self.met() { "yes" } else { "NO" }
        )
    }
}

/// Sample `pid`'s resident memory while a load of `minutes` (started just before this call)
/// runs.
pub(crate) fn sample_during(pid: u32, minutes: u32) -> anyhow::Result<Samples> {
    if minutes < 2 {
        bail!("--soak needs at least 2 minutes: the first one is the baseline");
    }
    let start = Instant::now();
    let end = start + Duration::from_secs(u64::from(minutes) * 60) - END_MARGIN;
    std::thread::sleep(FIRST_SAMPLE);
    let first_minute_kib = rss_kib(pid)?;
    std::thread::sleep(end.saturating_duration_since(Instant::now()));
    let end_kib = rss_kib(pid)?;
    Ok(Samples {
        first_minute_kib,
        end_kib,
    })
}

/// `VmRSS` of a process, in KiB.
pub(crate) fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse_rss(&status).with_context(|| format!("no VmRSS line in {path}"))
}

/// The `VmRSS:   1234 kB` line of a `/proc/PID/status` text.
fn parse_rss(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resident_set_is_read_from_the_status_text() {
        let status = "Name:\tomi-server\nVmPeak:\t  99999 kB\nVmRSS:\t   45312 kB\nThreads:\t9\n";
        assert_eq!(parse_rss(status), Some(45_312));
        assert_eq!(parse_rss("Name:\tx\n"), None);
    }

    #[test]
    fn growth_past_a_fifth_misses_the_goal() {
        let flat = Samples {
            first_minute_kib: 100_000,
            end_kib: 119_000,
        };
        let leaking = Samples {
            first_minute_kib: 100_000,
            end_kib: 121_000,
        };
        assert!(flat.met());
        assert!(!leaking.met());
        assert!(
            leaking.describe(5).ends_with("NO"),
            "{}",
            leaking.describe(5)
        );
    }

    #[test]
    fn our_own_resident_set_can_be_read() {
        assert!(rss_kib(std::process::id()).expect("readable") > 0);
    }
}
