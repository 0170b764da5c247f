//! Progress of a long admin command on stderr: a bar with counts and rate on a terminal,
//! a plain line every few seconds otherwise (logs, pipes, CI).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// How often a plain line is written when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Progress of one command.
pub(crate) struct Progress {
    what: &'static str,
    bar: Option<ProgressBar>,
    started: Instant,
    last_plain: Instant,
}

impl Progress {
    /// Progress of `what` (a verb: "exported"), towards `total` bytes when known.
    pub(crate) fn new(what: &'static str, total_bytes: Option<u64>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = match total_bytes {
                Some(total) => ProgressBar::new(total).with_style(
                    ProgressStyle::with_template(
                        "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} · {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
                None => ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("{spinner} {elapsed} · {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                ),
            };
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let now = Instant::now();
        Self {
            what,
            bar,
            started: now,
            last_plain: now,
        }
    }

    /// Show `counts` (a short text such as "memories 1 200 · conversations 30"), `done`
    /// items so far (for the rate) and `bytes` read so far.
    pub(crate) fn update(&mut self, counts: &str, done: u64, bytes: u64) {
        let rate = self.rate(done);
        let message = format!("{counts} · {rate:.0}/s");
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
            bar.set_message(message);
        } else if self.last_plain.elapsed() >= PLAIN_EVERY {
            self.last_plain = Instant::now();
            eprintln!("{} so far: {message}", self.what);
        }
    }

    /// The last line: what was done, and how fast.
    pub(crate) fn finish(self, counts: &str, done: u64) {
        let line = format!(
            "{} {counts} in {:.1} s ({:.0}/s)",
            self.what,
            self.started.elapsed().as_secs_f64(),
            self.rate(done)
        );
        match self.bar {
            Some(bar) => bar.finish_with_message(line),
            None => eprintln!("{line}"),
        }
    }

    fn rate(&self, done: u64) -> f64 {
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        done as f64 / seconds
    }
}
