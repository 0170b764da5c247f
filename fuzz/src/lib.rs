//! Fuzzing on the stable toolchain: the extractor and the decoders fed random and mutated
//! input for a time budget, every panic caught, and every input that panicked saved under
//! `fuzz/regressions/` to be replayed forever after.
//!
//! `cargo-fuzz` needs a nightly compiler; this does without: no coverage feedback, but
//! dictionaries of what the code reacts to ([`mutate`]), seeds from the fixture texts and the
//! saved inputs, and [`std::panic::catch_unwind`] around each call. `cargo xtask fuzz` runs it;
//! `cargo xtask ci` runs a short budget and the replay (see `docs/extraction.md`).
//!
//! A saved input is named `<target>-<16 hex digits of its FNV-1a hash>.txt` and holds the
//! input's bytes as they are. Replaying runs each through its target and fails if any panics:
//! a regression is a bug that came back.

pub mod checks;
pub mod cli;
pub mod mutate;
pub mod targets;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;

pub use targets::{InputKind, TARGETS, Target, fnv1a};

/// Where saved inputs live: `fuzz/regressions/` in the workspace.
pub fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions")
}

/// Where the extraction fixtures (seeds of the text targets) live.
fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/extraction")
}

/// Where the API reference's JSON examples (seeds of the body target) live.
fn spec_fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/model/tests/fixtures/spec")
}

/// A panic caught while running a target: its message and where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crash {
    /// The panic's message.
    pub message: String,
    /// `file:line:column` of the panic.
    pub location: String,
}

impl std::fmt::Display for Crash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "panicked at {}: {}", self.location, self.message)
    }
}

thread_local! {
    /// Whether this thread is inside [`run_one`], whose panics are recorded, not printed.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// The last panic recorded on this thread.
    static LAST_PANIC: RefCell<Option<Crash>> = const { RefCell::new(None) };
}

/// Install (once per process) a panic hook that records the panics of [`run_one`] instead of
/// printing them, so thousands of caught panics do not flood the terminal, and hands every
/// other panic to the hook it replaced.
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CAPTURING.with(Cell::get) {
                return previous(info);
            }
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            LAST_PANIC.with(|last| *last.borrow_mut() = Some(Crash { message, location }));
        }));
    });
}

/// Run `target` on `input`; the panic it raised, if any.
pub fn run_one(target: &Target, input: &[u8]) -> Option<Crash> {
    install_hook();
    CAPTURING.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    CAPTURING.with(|c| c.set(false));
    match result {
        Ok(()) => None,
        Err(_) => Some(
            LAST_PANIC
                .with(|last| last.borrow_mut().take())
                .unwrap_or_else(|| Crash {
                    message: "a panic".to_owned(),
                    location: String::new(),
                }),
        ),
    }
}

/// The file name a crashing input of `target` is saved under.
pub fn file_name(target: &Target, input: &[u8]) -> String {
    format!("{}-{:016x}.txt", target.name, fnv1a(input))
}

/// The saved inputs in `dir`, as (target, path), in name order. A file whose name names no
/// target is an error, so a renamed target cannot leave its inputs unreplayed.
pub fn saved_inputs(dir: &Path) -> Result<Vec<(&'static Target, PathBuf)>, String> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') || !name.ends_with(".txt") {
            continue;
        }
        let target = name
            .rsplit_once('-')
            .and_then(|(t, _)| targets::target(t))
            .ok_or_else(|| format!("{}: the name names no fuzz target", path.display()))?;
        out.push((target, path));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Run every saved input in `dir` through its target. The crashes, with their file; an empty
/// list when every input passes (or there are none).
pub fn replay(dir: &Path) -> Result<(usize, Vec<(PathBuf, Crash)>), String> {
    let saved = saved_inputs(dir)?;
    let mut crashes = Vec::new();
    for (target, path) in &saved {
        let input = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(crash) = run_one(target, &input) {
            crashes.push((path.clone(), crash));
        }
    }
    Ok((saved.len(), crashes))
}

/// The seeds of `target`: its built-in seeds, the fixture texts or examples for its kind, and
/// every saved input of any target of the same kind.
pub fn seeds(target: &Target, dir: &Path) -> Vec<Vec<u8>> {
    let builtin: &[&str] = match target.input {
        InputKind::Text => mutate::TEXT_SEEDS,
        InputKind::Json => mutate::JSON_SEEDS,
        InputKind::Query => mutate::QUERY_SEEDS,
    };
    let mut out: Vec<Vec<u8>> = builtin.iter().map(|s| s.as_bytes().to_vec()).collect();
    let files = |dir: PathBuf| -> Vec<Vec<u8>> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .filter_map(|p| std::fs::read(p).ok())
            .collect()
    };
    match target.input {
        InputKind::Text => {
            for raw in files(fixtures_dir()) {
                let text = serde_json::from_slice::<serde_json::Value>(&raw)
                    .ok()
                    .and_then(|v| v.get("text")?.as_str().map(str::to_owned));
                out.extend(text.map(String::into_bytes));
            }
        }
        InputKind::Json => out.extend(files(spec_fixtures_dir())),
        InputKind::Query => {}
    }
    if let Ok(saved) = saved_inputs(dir) {
        for (t, path) in saved {
            if t.input == target.input {
                out.extend(std::fs::read(path).ok());
            }
        }
    }
    out
}

/// What a fuzzing run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Inputs run, per target.
    pub runs: Vec<(&'static str, u64)>,
    /// New crashes: the target, the (shortened) input saved and the panic.
    pub crashes: Vec<(&'static str, PathBuf, Crash)>,
    /// The slowest input of each target, in milliseconds.
    pub slowest: Vec<(&'static str, u128)>,
}

/// How to run: for how long, on which targets, from which random seed, saving where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The whole run's time, shared equally between the targets.
    pub budget: Duration,
    /// The targets to run.
    pub targets: Vec<&'static Target>,
    /// The random seed (the same seed makes the same inputs).
    pub seed: u64,
    /// Where crashing inputs are saved (and seeds are read from).
    pub dir: PathBuf,
}

/// Fuzz each of `options.targets` for its share of the budget. Each crash (one per panic
/// location) is shortened while it still panics at the same place and saved.
pub fn fuzz(options: &Options) -> Report {
    let mut report = Report::default();
    let share = options.budget / options.targets.len().max(1) as u32;
    for (i, target) in options.targets.iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(options.seed.wrapping_add(i as u64));
        let seeds = seeds(target, &options.dir);
        let mut seen = HashSet::new();
        let mut runs = 0u64;
        let mut slowest = 0u128;
        let start = Instant::now();
        while start.elapsed() < share {
            let input = mutate::generate(&mut rng, target.input, &seeds);
            let began = Instant::now();
            let crash = run_one(target, &input);
            slowest = slowest.max(began.elapsed().as_millis());
            runs += 1;
            let Some(crash) = crash else { continue };
            if !seen.insert(crash.location.clone()) {
                continue;
            }
            let small = shorten(target, input, &crash);
            let path = options.dir.join(file_name(target, &small));
            let saved =
                std::fs::create_dir_all(&options.dir).and_then(|()| std::fs::write(&path, &small));
            if let Err(e) = saved {
                eprintln!("fuzz: could not save {}: {e}", path.display());
            }
            report.crashes.push((target.name, path, crash));
        }
        report.runs.push((target.name, runs));
        report.slowest.push((target.name, slowest));
    }
    report
}

/// `input` made as short as it can be while `target` still panics at `crash`'s location:
/// runs of characters (or bytes) removed, halving their length down to one.
pub fn shorten(target: &Target, input: Vec<u8>, crash: &Crash) -> Vec<u8> {
    let still =
        |candidate: &[u8]| run_one(target, candidate).is_some_and(|c| c.location == crash.location);
    let mut best = input;
    let mut attempts = 0;
    let mut chunk = best.len().div_ceil(2).max(1);
    loop {
        let mut at = 0;
        while at < best.len() && attempts < 5_000 {
            let end = (at + chunk).min(best.len());
            let mut candidate = best[..at].to_vec();
            candidate.extend_from_slice(&best[end..]);
            attempts += 1;
            // Keep a text valid UTF-8: only remove whole characters.
            let valid = target.input != InputKind::Text || std::str::from_utf8(&candidate).is_ok();
            if valid && still(&candidate) {
                best = candidate;
            } else {
                at += chunk;
            }
        }
        if chunk == 1 || attempts >= 5_000 {
            return best;
        }
        chunk = chunk.div_ceil(2);
    }
}
