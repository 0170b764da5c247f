//! The servers under load: starting them on loopback, waiting until they answer, preloading
//! ours, and stopping every one of them however the benchmark ends.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::http::Conn;

/// The content of preloaded memory `i`: the same text the reference server preloads.
pub(crate) fn preload_content(i: usize) -> String {
    format!("preloaded memory number {i}: the quick brown fox jumps over the lazy dog")
}

/// How long a started server may take to answer.
const READY_WITHIN: Duration = Duration::from_secs(600);

/// Child processes, killed and reaped when this is dropped (on success, error or panic).
#[derive(Debug, Default)]
pub(crate) struct Children {
    /// Each child with its name and log file.
    running: Vec<(String, Child, PathBuf)>,
}

impl Children {
    /// Start `command` as `name`, its output going to `log`.
    pub(crate) fn spawn(
        &mut self,
        name: &str,
        mut command: Command,
        log: &Path,
    ) -> anyhow::Result<()> {
        let out = File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("starting {name}: {command:?}"))?;
        self.running.push((name.to_owned(), child, log.to_owned()));
        Ok(())
    }

    /// Wait until `GET path` on `addr` answers 200, failing early if `name` exits. The wait
    /// is long because the reference preloads its rows before it listens (a million take
    /// well over a minute).
    pub(crate) fn wait_ready(
        &mut self,
        name: &str,
        addr: SocketAddr,
        path: &str,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some((_, child, log)) = self.running.iter_mut().find(|(n, ..)| n == name)
                && let Some(status) = child.try_wait()?
            {
                let output = std::fs::read_to_string(&*log).unwrap_or_default();
                bail!("{name} exited ({status}) before answering; its output:\n{output}");
            }
            let answered = Conn::connect(addr)
                .and_then(|mut c| c.send("GET", path, &[], None))
                .is_ok_and(|r| r.status == 200);
            if answered {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "{name} did not answer GET {path} on {addr} within {} s",
                    READY_WITHIN.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait until the output of `name` contains `text` (for a process that shares its port
    /// with another, so that answering on the port proves nothing), failing if it exits.
    pub(crate) fn wait_for_output(&mut self, name: &str, text: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let Some((_, child, log)) = self.running.iter_mut().find(|(n, ..)| n == name) else {
                bail!("{name} is not running");
            };
            let output = std::fs::read_to_string(&*log).unwrap_or_default();
            if output.contains(text) {
                return Ok(());
            }
            if let Some(status) = child.try_wait()? {
                bail!("{name} exited ({status}) before printing {text:?}; its output:\n{output}");
            }
            if Instant::now() > deadline {
                bail!("{name} did not print {text:?} within 60 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The process id of `name`, while it runs.
    pub(crate) fn pid(&self, name: &str) -> Option<u32> {
        self.running
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, child, _)| child.id())
    }

    /// Stop `name` from running (`SIGSTOP`) until [`Children::resume`], so that its
    /// background work takes no CPU while another server is measured; nothing when `name` is
    /// not running. A paused child is still killed on drop (`SIGKILL` ends it anyway).
    pub(crate) fn pause(&self, name: &str) -> anyhow::Result<()> {
        self.signal(name, "-STOP")
    }

    /// Let `name` run again after [`Children::pause`].
    pub(crate) fn resume(&self, name: &str) -> anyhow::Result<()> {
        self.signal(name, "-CONT")
    }

    /// Send `signal` (as `kill` takes it) to `name`, when it runs; with `kill(1)`, since
    /// xtask forbids `unsafe` and so calls no libc.
    fn signal(&self, name: &str, signal: &str) -> anyhow::Result<()> {
        let Some(pid) = self.pid(name) else {
            return Ok(());
        };
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .with_context(|| format!("running kill {signal} {pid}"))?;
        if !status.success() {
            bail!("kill {signal} {pid} ({name}) failed ({status})");
        }
        Ok(())
    }

    /// Kill and reap `name`.
    pub(crate) fn stop(&mut self, name: &str) {
        if let Some(i) = self.running.iter().position(|(n, ..)| n == name) {
            let (_, child, _) = self.running.remove(i);
            kill(child);
        }
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        for (_, child, _) in self.running.drain(..) {
            kill(child);
        }
    }
}

/// Kill a child and wait for it, so no process outlives the benchmark.
fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A free port on 127.0.0.1 (free when asked; the server binds it right after).
pub(crate) fn free_port() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    Ok(listener.local_addr()?)
}

/// Add memories `from..to` for the owner of `dev_key` through the batch endpoint (25 a
/// request), from `workers` connections at once. Returns how long it took.
pub(crate) fn preload(
    addr: SocketAddr,
    dev_key: &str,
    from: usize,
    to: usize,
    workers: usize,
) -> anyhow::Result<Duration> {
    preload_with(addr, dev_key, from, to, workers, preload_content)
}

/// [`preload`] with memory `i`'s content `content(i)` (JSON-safe text).
pub(crate) fn preload_with(
    addr: SocketAddr,
    dev_key: &str,
    from: usize,
    to: usize,
    workers: usize,
    content: fn(usize) -> String,
) -> anyhow::Result<Duration> {
    const BATCH: usize = 25;
    let start = Instant::now();
    let batches: Vec<usize> = (from..to).step_by(BATCH).collect();
    let per_worker = batches.len().div_ceil(workers.max(1)).max(1);
    let auth = format!("Bearer {dev_key}");
    std::thread::scope(|scope| {
        let handles: Vec<_> = batches
            .chunks(per_worker)
            .map(|mine| {
                let auth = auth.as_str();
                scope.spawn(move || -> anyhow::Result<()> {
                    let mut conn = Conn::connect(addr)?;
                    for &first in mine {
                        let items: Vec<String> = (first..(first + BATCH).min(to))
                            .map(|i| format!(r#"{{"content":"{}"}}"#, content(i)))
                            .collect();
                        let body = format!(r#"{{"memories":[{}]}}"#, items.join(","));
                        let res = conn.send(
                            "POST",
                            "/v1/dev/user/memories/batch",
                            &[
                                ("Authorization", auth),
                                ("Content-Type", "application/json"),
                            ],
                            Some(&body),
                        )?;
                        if !(200..300).contains(&res.status) {
                            bail!("preloading failed with {}: {}", res.status, res.body);
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .map_err(|_| anyhow::anyhow!("a preload thread panicked"))?
        })
    })?;
    Ok(start.elapsed())
}
