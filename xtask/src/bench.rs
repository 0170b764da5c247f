//! `cargo xtask bench`: the same loopback load against our server and the reference server
//! (`shared/perf/ceiling`, a plain axum + sqlx SQLite service) in one run, reported as ratios
//! because absolute figures move from machine to machine. `docs/benchmarks.md` has the goals,
//! the commands and the last results.
//!
//! Steps: build both release servers with the same SQLite flags (see `binaries`), make sure
//! `wrk` exists, start both on 127.0.0.1 with the same number of memories stored, run wrk
//! against each in turn, `--repeats` times alternating (never both at once: the idle one is
//! paused; see `repeat`), print a table of medians, median ratios and their spread, and kill
//! every child process however the run ends.
//!
//! `--big-import` measures our server alone instead: one huge import under load (see
//! `big_import`); `--overload` too: twice the creates it can sustain (see `overload`); and
//! `--search`: memory search at 1 000 and 100 000 memories (see `search`) and what the search
//! index costs a create (see `index_cost`).

mod big_import;
mod binaries;
mod http;
mod index_cost;
mod overload;
mod postgres;
mod repeat;
mod search;
pub(crate) mod servers;
mod soak;
mod wrk;

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};

use crate::cmd;
use binaries::Binaries;
use repeat::{Side, Spread};
use servers::Children;
use wrk::{Load, Report, Shape};

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How long each load runs, as wrk's `-d` takes it (`10s`, `1m`).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: String,

    /// How many times each figure is measured, alternating the reference and ours (`ref,
    /// ours, ref, ours, ...`); the table gives the median ratio and the lowest and highest.
    /// 1 for a quick local check.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    repeats: u32,

    /// Connections kept open by wrk (`-c`).
    #[arg(long, default_value_t = 32)]
    connections: u32,

    /// wrk threads (`-t`).
    #[arg(long, default_value_t = 2)]
    threads: u32,

    /// Memories stored for the user before measuring, in both servers.
    #[arg(long, default_value_t = 10_000)]
    preload: usize,

    /// The reference server's crate; relative to the workspace root. When it is absent only
    /// our server is measured.
    #[arg(long, default_value = "../shared/perf/ceiling")]
    ceiling_dir: PathBuf,

    /// Also measure listing with 1 000 and with 1 000 000 memories stored (takes minutes:
    /// the million are written through our batch endpoint).
    #[arg(long)]
    million: bool,

    /// Also run creates against a fresh server for this many minutes (at least 2) and compare
    /// its resident memory at the end with after the first minute (goal: within 1.2x).
    #[arg(long, value_name = "MINUTES")]
    soak: Option<u32>,

    /// Run our server on PostgreSQL: a server URL (`postgres://user@host:port/db`) on which
    /// each of our servers started gets a fresh database (made and dropped with `psql`). Also
    /// measures the creates with two processes of ours behind one port.
    #[arg(long, value_name = "URL")]
    database: Option<String>,

    /// Measure only how our server copes with one huge import (500 000 characters through
    /// `POST /v2/integrations/{app_id}/user/memories`) while the memory list is under load:
    /// the list before and during the import's job, the job's time, the memories it added and
    /// resident memory. Neither the reference nor the usual figures are run, and the loads
    /// run in slices of 5 s whatever `--duration` says.
    #[arg(long, conflicts_with_all = ["million", "soak"])]
    big_import: bool,

    /// Measure only how our server copes with twice the memory creates it sustains: the
    /// sustainable rate is measured first (wrk, `--duration`), then twice it is sent on a
    /// clock for `--overload-seconds`, then a light load shows the recovery. Reports answers
    /// that were neither 2xx nor 503 with `Retry-After`, resident memory and recovery time.
    #[arg(long, conflicts_with_all = ["million", "soak", "big_import"])]
    overload: bool,

    /// Measure only memory search on our server: p99 with 1 000 and with 100 000 memories
    /// of one user, at saturation and with one connection (goals, on the latter: under
    /// 10 ms at 100 000, and at most twice the figure at 1 000).
    #[arg(long, conflicts_with_all = ["million", "soak", "big_import", "overload"])]
    search: bool,

    /// How long `--overload` offers twice the sustainable rate, in seconds.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(10..))]
    overload_seconds: u64,

    /// Use the release binaries already built instead of running `cargo build --release`.
    #[arg(long)]
    no_build: bool,

    /// Print the result tables as Markdown (for `docs/benchmarks.md`).
    #[arg(long)]
    markdown: bool,
}

/// A wrk duration: a whole number with an optional unit `s`, `m` or `h`.
fn parse_duration(s: &str) -> Result<String, String> {
    let digits = s.trim_end_matches(['s', 'm', 'h']);
    let unit_len = s.len() - digits.len();
    if digits.is_empty() || unit_len > 1 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("{s:?} is not a duration like 10s, 2m or 1h"));
    }
    Ok(s.to_owned())
}

/// Run `cargo xtask bench` with `args`.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let root = cmd::workspace_root()?;
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let ceiling_manifest = root.join(&args.ceiling_dir).join("Cargo.toml");
    let ceiling = if args.big_import || args.overload || args.search {
        None
    } else if ceiling_manifest.is_file() {
        Some(ceiling_manifest)
    } else {
        println!(
            "bench: NO REFERENCE SERVER at {} (no Cargo.toml there): measuring only ours, without ratios",
            root.join(&args.ceiling_dir).display()
        );
        None
    };
    if args.no_build {
        println!("bench: --no-build: using the release binaries as they were last built");
    } else {
        binaries::build(&root, ceiling.as_deref())?;
    }
    let bins = Binaries::find(&root, &target, ceiling.is_some())?;
    wrk::ensure_installed()?;

    let scratch = Scratch::new()?;
    let postgres = args
        .database
        .as_deref()
        .map(postgres::Databases::connect)
        .transpose()?;
    let result = Bench {
        args,
        bins: &bins,
        dir: &scratch.0,
        children: Children::default(),
        postgres,
        notes: Vec::new(),
    }
    .run();
    match result {
        Ok(()) => {
            scratch.remove();
            Ok(())
        }
        Err(e) => Err(e).with_context(|| {
            format!(
                "the benchmark failed; server logs and scripts are in {}",
                scratch.0.display()
            )
        }),
    }
}

/// A directory for databases, scripts and logs, removed when the run succeeds.
#[derive(Debug)]
struct Scratch(PathBuf);

impl Scratch {
    /// `$TMPDIR/omi-bench-<pid>`, emptied.
    fn new() -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("omi-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self(dir))
    }

    /// Delete the directory and everything in it.
    fn remove(self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The credentials `omi-server demo --json` prints.
#[derive(Debug, Clone)]
pub(crate) struct Demo {
    /// The demo user.
    pub(crate) uid: String,
    /// The demo app.
    pub(crate) app_id: String,
    /// A key of the demo app.
    pub(crate) app_key: String,
    /// A developer key of the demo user.
    pub(crate) dev_key: String,
}

/// One run: its options, its processes, and warnings gathered for after the tables.
struct Bench<'a> {
    args: &'a Args,
    bins: &'a Binaries,
    dir: &'a Path,
    children: Children,
    /// The databases made for our servers with `--database`; SQLite files otherwise.
    postgres: Option<postgres::Databases>,
    notes: Vec<String>,
}

/// One figure compared: what to send to ours and to the reference, and the goals.
struct Scenario {
    /// What is measured.
    name: &'static str,
    /// The load on our server.
    ours: Load,
    /// The equivalent load on the reference.
    reference: Load,
    /// Least acceptable ours/reference request rate (the median of the repeated runs).
    rate_goal: f64,
    /// Greatest acceptable ours/reference p99, when there is a goal for it.
    p99_goal: Option<f64>,
}

/// The runs of one figure on each server, each side in the order its runs happened.
#[derive(Debug, Default)]
struct Runs {
    /// Ours.
    ours: Vec<Report>,
    /// The reference's; empty when it is not measured.
    reference: Vec<Report>,
}

impl Runs {
    /// The runs of `side`.
    fn of(&mut self, side: Side) -> &mut Vec<Report> {
        match side {
            Side::Reference => &mut self.reference,
            Side::Ours => &mut self.ours,
        }
    }

    /// A row for the figure `pick` reads from a run: the median of ours and of the
    /// reference's, and the median and range of the ratios of each pair of runs.
    fn row(&self, figure: &str, unit: Unit, pick: fn(&Report) -> f64, goal: Option<Goal>) -> Row {
        let ours: Vec<f64> = self.ours.iter().map(pick).collect();
        let reference: Vec<f64> = self.reference.iter().map(pick).collect();
        Row {
            spread: Spread::of(&repeat::ratios(&ours, &reference)),
            ..Row::new(
                figure,
                unit,
                repeat::median(&ours).unwrap_or_default(),
                repeat::median(&reference),
                goal,
            )
        }
    }
}

impl Bench<'_> {
    /// Run what the options ask for, then print the warnings gathered.
    fn run(mut self) -> anyhow::Result<()> {
        let result = if self.args.big_import {
            self.big_import()
        } else if self.args.overload {
            self.overload()
        } else if self.args.search {
            self.search()
        } else {
            self.compare()
        };
        for note in &self.notes {
            println!("warning: {note}");
        }
        result
    }

    /// The figures against the reference, then `--million`, `--soak` and the two processes
    /// of `--database`, as asked.
    fn compare(&mut self) -> anyhow::Result<()> {
        let n = self.args.preload;
        // Named after their sides, which is how `repeated` pauses the one not under load.
        let reference = self.start_reference(Side::Reference.label(), n, "c.sqlite")?;
        let (ours, demo) = self.start_ours(Side::Ours.label(), "omi.sqlite")?;
        self.preload_ours(ours, &demo, 0, n)?;
        let repeats = self.args.repeats;
        println!(
            "bench: {n} memories stored in each; load: wrk -t{} -c{} -d{} --latency, one server at a time, each figure {repeats} time(s){}",
            self.args.threads,
            self.args.connections,
            self.args.duration,
            if reference.is_some() {
                " alternating reference and ours"
            } else {
                ""
            }
        );
        let mut rows = Vec::new();
        for scenario in scenarios(&demo) {
            let runs = self.repeated(&scenario, ours, reference)?;
            rows.extend(rows_of(&scenario, &runs));
        }
        self.children.stop(Side::Ours.label());
        self.children.stop(Side::Reference.label());
        println!(
            "\n(ours, reference: medians of {repeats} run(s); ratio: the median of the ratios of each \
             reference run and the run of ours after it; spread: the lowest and highest of them)"
        );
        println!("\n{}", table(&rows, self.args.markdown));
        if self.postgres.is_some() {
            self.two_processes()?;
        }
        if self.args.million {
            self.million()?;
        }
        if let Some(minutes) = self.args.soak {
            self.soak(minutes)?;
        }
        Ok(())
    }

    /// Start the reference with `preload` rows; `None` when it is not measured.
    fn start_reference(
        &mut self,
        name: &str,
        preload: usize,
        db: &str,
    ) -> anyhow::Result<Option<SocketAddr>> {
        let Some(bin) = &self.bins.reference else {
            return Ok(None);
        };
        let addr = servers::free_port()?;
        let mut command = Command::new(bin);
        command
            .arg(addr.port().to_string())
            .args(["--preload", &preload.to_string(), "--db"])
            .arg(self.dir.join(db))
            .arg("--fresh");
        self.children
            .spawn(name, command, &self.dir.join(format!("{name}.log")))?;
        self.children.wait_ready(name, addr, "/hello")?;
        Ok(Some(addr))
    }

    /// Make the demo credentials in a fresh database, then start our server on it.
    fn start_ours(&mut self, name: &str, db: &str) -> anyhow::Result<(SocketAddr, Demo)> {
        let url = self.fresh_database(db)?;
        let demo = demo(&self.bins.ours, &url)?;
        let addr = servers::free_port()?;
        self.spawn_ours(name, &url, addr, &[])?;
        self.children.wait_ready(name, addr, "/readyz")?;
        Ok((addr, demo))
    }

    /// A new database named after `db`: a file in the scratch directory, or with
    /// `--database` a database of its own on that PostgreSQL server.
    fn fresh_database(&mut self, db: &str) -> anyhow::Result<String> {
        match &mut self.postgres {
            Some(databases) => databases.create(db),
            None => Ok(format!("sqlite://{}", self.dir.join(db).display())),
        }
    }

    /// Start our server `name` on `url` at `addr`, with `extra` arguments.
    fn spawn_ours(
        &mut self,
        name: &str,
        url: &str,
        addr: SocketAddr,
        extra: &[&str],
    ) -> anyhow::Result<()> {
        let mut command = Command::new(&self.bins.ours);
        command
            .args(["--addr", &addr.to_string(), "--database", url])
            .args(["--rate-limits", "off", "--log-format", "json"])
            .args(extra)
            .env("OMI_LOG", "warn");
        self.children
            .spawn(name, command, &self.dir.join(format!("{name}.log")))
    }

    /// The creates against one process of ours, then against two behind one port
    /// (`--reuse-port`: the kernel spreads wrk's connections over both) on one PostgreSQL
    /// database. The point: a create rate that grows with the second process.
    fn two_processes(&mut self) -> anyhow::Result<()> {
        println!("\nbench: creates with one process of ours, then two behind one port");
        let url = self.fresh_database("replicas")?;
        let demo = demo(&self.bins.ours, &url)?;
        let addr = servers::free_port()?;
        self.spawn_ours("ours-1", &url, addr, &["--reuse-port"])?;
        self.children.wait_ready("ours-1", addr, "/readyz")?;
        let creates: Vec<Scenario> = scenarios(&demo)
            .into_iter()
            .filter(|s| s.name.ends_with("create"))
            .collect();
        let mut one = Vec::new();
        for scenario in &creates {
            one.push(self.load(scenario.name, "1 process", addr, &scenario.ours)?);
        }
        self.spawn_ours("ours-2", &url, addr, &["--reuse-port"])?;
        self.children
            .wait_for_output("ours-2", "omi-server listening on")?;
        let mut rows = Vec::new();
        for (scenario, one) in creates.iter().zip(&one) {
            let two = self.load(scenario.name, "2 processes", addr, &scenario.ours)?;
            rows.push(Row::rate(
                &format!("{} (req/s), 2 processes / 1", scenario.name),
                two.rate,
                Some(one.rate),
                Some(Goal::AtLeast(1.0)),
            ));
        }
        self.children.stop("ours-2");
        self.children.stop("ours-1");
        println!("(here \"ours\" is two processes and \"reference\" one, on one database)");
        println!("\n{}", table(&rows, self.args.markdown));
        Ok(())
    }

    /// Measure `scenario` `--repeats` times on each server, alternating and reference first
    /// (see [`repeat::schedule`]). The server not under load is paused meanwhile (see
    /// [`Children::pause`]): our worker goes on processing the jobs a run of ours queued
    /// (conversation processing is far slower than its acknowledgement), and must not do so
    /// while the reference is measured.
    fn repeated(
        &mut self,
        scenario: &Scenario,
        ours: SocketAddr,
        reference: Option<SocketAddr>,
    ) -> anyhow::Result<Runs> {
        let rounds = self.args.repeats;
        let mut runs = Runs::default();
        for side in repeat::schedule(rounds, reference.is_some()) {
            let (addr, load) = match side {
                Side::Reference => (
                    reference.context("the reference is not running")?,
                    &scenario.reference,
                ),
                Side::Ours => (ours, &scenario.ours),
            };
            let label = format!("{} {}/{rounds}", side.label(), runs.of(side).len() + 1);
            let idle = side.other().label();
            self.children.pause(idle)?;
            let report = self.load(scenario.name, &label, addr, load);
            self.children.resume(idle)?;
            runs.of(side).push(report?);
        }
        Ok(runs)
    }

    /// Store memories `from..to` for the demo user through the batch endpoint.
    fn preload_ours(
        &self,
        addr: SocketAddr,
        demo: &Demo,
        from: usize,
        to: usize,
    ) -> anyhow::Result<()> {
        let took = servers::preload(addr, &demo.dev_key, from, to, 4)?;
        let count = to - from;
        println!(
            "bench: stored {count} memories in ours through POST /v1/dev/user/memories/batch in {:.1}s ({:.0}/s)",
            took.as_secs_f64(),
            count as f64 / took.as_secs_f64().max(1e-9)
        );
        Ok(())
    }

    /// Run one load for `--duration` against one server, noting failed responses.
    fn load(
        &mut self,
        figure: &str,
        server: &str,
        addr: SocketAddr,
        load: &Load,
    ) -> anyhow::Result<Report> {
        let duration = self.args.duration.clone();
        self.load_for(figure, server, addr, load, &duration)
    }

    /// Run one load for `duration` (as wrk's `-d` takes it) against one server.
    fn load_for(
        &mut self,
        figure: &str,
        server: &str,
        addr: SocketAddr,
        load: &Load,
        duration: &str,
    ) -> anyhow::Result<Report> {
        let shape = Shape {
            threads: self.args.threads,
            connections: self.args.connections,
            duration: duration.to_owned(),
        };
        self.load_shaped(figure, server, addr, load, &shape)
    }

    /// Run one load of `shape` (threads, connections, duration) against one server.
    fn load_shaped(
        &mut self,
        figure: &str,
        server: &str,
        addr: SocketAddr,
        load: &Load,
        shape: &Shape,
    ) -> anyhow::Result<Report> {
        let slug: String = format!("{figure}-{server}")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let script = self.dir.join(format!("{slug}.lua"));
        print!("bench: {figure}, {server} ... ");
        let _ = std::io::stdout().flush();
        let report = wrk::run(
            shape,
            &format!("http://{addr}"),
            &load.script(&nonce()),
            &script,
        )?;
        println!("{:.0} req/s, p99 {:.2} ms", report.rate, report.p99_ms);
        if report.non_2xx > 0 || report.socket_errors > 0 {
            self.notes.push(format!(
                "{figure} on {server}: {} of {} responses were not 2xx/3xx and {} socket errors; its figures count failures",
                report.non_2xx, report.requests, report.socket_errors
            ));
        }
        Ok(report)
    }

    /// Twice the sustainable memory creates against a fresh server of ours (`overload`).
    fn overload(&mut self) -> anyhow::Result<()> {
        /// The server's request timeout during the run: answers later than this are a
        /// failure of the overload goal.
        const REQUEST_TIMEOUT_S: u64 = 10;
        println!("bench: --overload: memory creates at twice the rate our server sustains");
        let url = self.fresh_database("omi-overload.sqlite")?;
        let demo = demo(&self.bins.ours, &url)?;
        let addr = servers::free_port()?;
        let timeout = REQUEST_TIMEOUT_S.to_string();
        self.spawn_ours(
            "ours-overload",
            &url,
            addr,
            &["--request-timeout", &timeout],
        )?;
        self.children.wait_ready("ours-overload", addr, "/readyz")?;
        let pid = self
            .children
            .pid("ours-overload")
            .context("the overload server is not running")?;
        let create = scenario(&demo, "memory create")?;
        let sustained = self.load("memory create (sustainable)", "ours", addr, &create.ours)?;
        let plan = overload::Plan {
            base_url: format!("http://{addr}"),
            dev_key: demo.dev_key.clone(),
            sustainable_rate: sustained.rate,
            duration: std::time::Duration::from_secs(self.args.overload_seconds),
            request_timeout: std::time::Duration::from_secs(REQUEST_TIMEOUT_S),
            pid,
        };
        let met = overload::run(&plan)?;
        self.children.stop("ours-overload");
        if !met {
            self.notes
                .push("--overload: a goal was missed (the lines marked NO)".to_owned());
        }
        Ok(())
    }

    /// Memory creates against a fresh server of ours for `minutes`, its resident memory read
    /// after the first minute and at the end.
    fn soak(&mut self, minutes: u32) -> anyhow::Result<()> {
        println!("\nbench: --soak: {minutes} minutes of memory creates, resident memory sampled");
        let (ours, demo) = self.start_ours("ours-soak", "omi-soak.sqlite")?;
        let pid = self
            .children
            .pid("ours-soak")
            .context("the soak server is not running")?;
        let create = scenario(&demo, "memory create")?;
        let (report, samples) = std::thread::scope(|scope| {
            let sampler = scope.spawn(move || soak::sample_during(pid, minutes));
            let report = self.load_for(
                "soak: memory create",
                "ours",
                ours,
                &create.ours,
                &format!("{minutes}m"),
            );
            let samples = sampler
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the memory sampler panicked")));
            (report, samples)
        });
        let (report, samples) = (report?, samples?);
        self.children.stop("ours-soak");
        println!(
            "soak: {:.0} creates/s over {minutes} min; {}",
            report.rate,
            samples.describe(minutes)
        );
        Ok(())
    }

    /// Listing with 1 000 and with 1 000 000 memories stored, in fresh databases.
    fn million(&mut self) -> anyhow::Result<()> {
        const SMALL: usize = 1_000;
        const LARGE: usize = 1_000_000;
        println!("\nbench: --million: listing with {SMALL} and then {LARGE} memories stored");
        let (ours, demo) = self.start_ours("ours-million", "omi-million.sqlite")?;
        self.preload_ours(ours, &demo, 0, SMALL)?;
        let list = scenario(&demo, "memory list")?;
        let ours_small = self.load("list at 1 000", "ours", ours, &list.ours)?;
        println!(
            "bench: storing {} more memories in ours (this takes a while)",
            LARGE - SMALL
        );
        self.preload_ours(ours, &demo, SMALL, LARGE)?;
        let ours_large = self.load("list at 1 000 000", "ours", ours, &list.ours)?;
        self.children.stop("ours-million");

        let mut reference = [None, None];
        for (slot, (size, label)) in reference
            .iter_mut()
            .zip([(SMALL, "list at 1 000"), (LARGE, "list at 1 000 000")])
        {
            if let Some(addr) =
                self.start_reference("reference-million", size, "c-million.sqlite")?
            {
                *slot = Some(self.load(label, "reference", addr, &list.reference)?);
                self.children.stop("reference-million");
            }
        }
        let rows = [
            Row::rate(
                "list at 1 000 (req/s)",
                ours_small.rate,
                reference[0].map(|r| r.rate),
                None,
            ),
            Row::p99(
                "list at 1 000 p99",
                ours_small.p99_ms,
                reference[0].map(|r| r.p99_ms),
                None,
            ),
            Row::rate(
                "list at 1 000 000 (req/s)",
                ours_large.rate,
                reference[1].map(|r| r.rate),
                None,
            ),
            Row::p99(
                "list at 1 000 000 p99",
                ours_large.p99_ms,
                reference[1].map(|r| r.p99_ms),
                None,
            ),
        ];
        println!("\n{}", table(&rows, self.args.markdown));
        println!(
            "ours: p99 at 1 000 000 is {:.2}x p99 at 1 000",
            ours_large.p99_ms / ours_small.p99_ms
        );
        if let [Some(small), Some(large)] = reference {
            println!(
                "reference: p99 at 1 000 000 is {:.2}x p99 at 1 000",
                large.p99_ms / small.p99_ms
            );
        }
        Ok(())
    }
}

/// `omi-server demo --json` on a fresh database: the demo user's keys.
pub(crate) fn demo(bin: &Path, database_url: &str) -> anyhow::Result<Demo> {
    let output = Command::new(bin)
        .args(["demo", "--json", "--database", database_url])
        .env("OMI_LOG", "warn")
        .output()
        .with_context(|| format!("running {} demo", bin.display()))?;
    if !output.status.success() {
        bail!(
            "`omi-server demo --json` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("reading `omi-server demo --json`")?;
    let field = |name: &str| {
        json[name]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("`omi-server demo --json` printed no {name}"))
    };
    Ok(Demo {
        uid: field("uid")?,
        app_id: field("app_id")?,
        app_key: field("app_key")?,
        dev_key: field("dev_key")?,
    })
}

/// An id unique to this process and moment, so contents never repeat across runs.
fn nonce() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}", nanos ^ u128::from(std::process::id()))
}

/// The three figures, each against its equivalent on the reference.
fn scenarios(demo: &Demo) -> Vec<Scenario> {
    let json = ("Content-Type", "application/json".to_owned());
    let dev = ("Authorization", format!("Bearer {}", demo.dev_key));
    let app = ("Authorization", format!("Bearer {}", demo.app_key));
    let content = "bench memory {id}: the user prefers dark roast coffee in the morning";
    let insert = Load {
        method: "POST",
        path: "/insert".to_owned(),
        headers: vec![json.clone()],
        body: Some(format!(r#"{{"content":"{content}","tags":[]}}"#)),
    };
    vec![
        Scenario {
            name: "memory create",
            ours: Load {
                method: "POST",
                path: "/v1/dev/user/memories".to_owned(),
                headers: vec![dev.clone(), json.clone()],
                body: Some(format!(r#"{{"content":"{content}"}}"#)),
            },
            reference: insert.clone(),
            rate_goal: 3.0,
            p99_goal: Some(0.5),
        },
        Scenario {
            // The same create with an `Idempotency-Key` (a new one per request): the answer is
            // remembered in the create's own transaction.
            name: "memory create, Idempotency-Key",
            ours: Load {
                method: "POST",
                path: "/v1/dev/user/memories".to_owned(),
                headers: vec![
                    dev.clone(),
                    json.clone(),
                    ("Idempotency-Key", "bench-{id}".to_owned()),
                ],
                body: Some(format!(r#"{{"content":"{content}"}}"#)),
            },
            reference: insert.clone(),
            rate_goal: 1.0,
            p99_goal: None,
        },
        Scenario {
            name: "memory list",
            ours: Load {
                method: "GET",
                path: "/v1/dev/user/memories?limit=25".to_owned(),
                headers: vec![dev],
                body: None,
            },
            reference: Load {
                method: "GET",
                path: "/list?limit=25&offset=0".to_owned(),
                headers: Vec::new(),
                body: None,
            },
            rate_goal: 1.5,
            p99_goal: None,
        },
        Scenario {
            name: "conversation create",
            ours: Load {
                method: "POST",
                path: format!(
                    "/v2/integrations/{}/user/conversations?uid={}",
                    demo.app_id, demo.uid
                ),
                headers: vec![app, json],
                body: Some(
                    r#"{"text":"Me: bench conversation {id}. I love hiking. Sarah: Remember to book the cabin."}"#
                        .to_owned(),
                ),
            },
            reference: insert,
            rate_goal: 2.0,
            p99_goal: None,
        },
    ]
}

/// The scenario called `name`.
fn scenario(demo: &Demo, name: &str) -> anyhow::Result<Scenario> {
    scenarios(demo)
        .into_iter()
        .find(|s| s.name == name)
        .with_context(|| format!("no scenario {name:?}"))
}

/// A bound a ratio must meet.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Goal {
    /// ours/reference at least this.
    AtLeast(f64),
    /// ours/reference at most this.
    AtMost(f64),
}

impl Goal {
    /// Whether `ratio` meets the bound.
    fn met(self, ratio: f64) -> bool {
        match self {
            Self::AtLeast(x) => ratio >= x,
            Self::AtMost(x) => ratio <= x,
        }
    }
}

/// One line of a result table.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    /// What was measured.
    figure: String,
    /// Ours (the median, for a figure measured more than once).
    ours: f64,
    /// The reference's, when measured (the median too).
    reference: Option<f64>,
    /// What the figures count.
    unit: Unit,
    /// The goal for ours/reference.
    goal: Option<Goal>,
    /// For a repeated figure, the ratios of its pairs of runs: the row's ratio is their
    /// median (not the ratio of the medians).
    spread: Option<Spread>,
}

/// The unit of a row's figures, which says how they are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A rate or a count: a whole number.
    Count,
    /// A latency or a delay in milliseconds.
    Millis,
    /// A duration in seconds.
    Seconds,
    /// An amount of memory in KiB, printed in MiB.
    Kib,
}

impl Row {
    /// A row of one measurement of each side (no spread).
    fn new(
        figure: &str,
        unit: Unit,
        ours: f64,
        reference: Option<f64>,
        goal: Option<Goal>,
    ) -> Self {
        Self {
            figure: figure.to_owned(),
            ours,
            reference,
            unit,
            goal,
            spread: None,
        }
    }

    /// A row of request rates.
    fn rate(figure: &str, ours: f64, reference: Option<f64>, goal: Option<Goal>) -> Self {
        Self::new(figure, Unit::Count, ours, reference, goal)
    }

    /// A row of latencies in milliseconds.
    fn p99(figure: &str, ours: f64, reference: Option<f64>, goal: Option<Goal>) -> Self {
        Self::new(figure, Unit::Millis, ours, reference, goal)
    }

    /// `v` printed in the row's unit.
    fn value(&self, v: f64) -> String {
        match self.unit {
            Unit::Count => format!("{v:.0}"),
            Unit::Millis => format!("{v:.2} ms"),
            Unit::Seconds => format!("{v:.1} s"),
            Unit::Kib => format!("{:.1} MiB", v / 1024.0),
        }
    }

    /// ours/reference: the median ratio of a repeated figure, else the ratio of the two.
    fn ratio(&self) -> Option<f64> {
        match self.spread {
            Some(spread) => Some(spread.median),
            None => self.reference.filter(|r| *r > 0.0).map(|r| self.ours / r),
        }
    }

    /// The row's cells under [`header`]`(with_spread)`.
    fn cells(&self, with_spread: bool) -> Vec<String> {
        let dash = || "-".to_owned();
        let mut cells = vec![
            self.figure.clone(),
            self.value(self.ours),
            self.reference.map_or_else(dash, |r| self.value(r)),
            self.ratio().map_or_else(dash, |r| format!("{r:.2}x")),
        ];
        if with_spread {
            cells.push(
                self.spread
                    .map_or_else(dash, |s| format!("{:.2}x..{:.2}x", s.min, s.max)),
            );
        }
        cells.push(self.goal.map_or_else(dash, |g| match g {
            Goal::AtLeast(x) => format!(">= {x:.1}x"),
            Goal::AtMost(x) => format!("<= {x:.1}x"),
        }));
        cells.push(match (self.goal, self.ratio()) {
            (Some(g), Some(r)) if g.met(r) => "yes".to_owned(),
            (Some(_), Some(_)) => "NO".to_owned(),
            _ => dash(),
        });
        cells
    }
}

/// The column titles of a table, with a `spread` column when a row is a repeated figure.
fn header(with_spread: bool) -> Vec<&'static str> {
    let spread = with_spread.then_some("spread");
    ["figure", "ours", "reference", "ratio"]
        .into_iter()
        .chain(spread)
        .chain(["goal", "met"])
        .collect()
}

/// The rate and p99 rows of one scenario's runs.
fn rows_of(scenario: &Scenario, runs: &Runs) -> [Row; 2] {
    [
        runs.row(
            &format!("{} (req/s)", scenario.name),
            Unit::Count,
            |r| r.rate,
            Some(Goal::AtLeast(scenario.rate_goal)),
        ),
        runs.row(
            &format!("{} p99", scenario.name),
            Unit::Millis,
            |r| r.p99_ms,
            scenario.p99_goal.map(Goal::AtMost),
        ),
    ]
}

/// Rows as an aligned text table, or as Markdown.
fn table(rows: &[Row], markdown: bool) -> String {
    let with_spread = rows.iter().any(|r| r.spread.is_some());
    let header = header(with_spread);
    let cells: Vec<Vec<String>> = rows.iter().map(|r| r.cells(with_spread)).collect();
    let mut out = String::new();
    if markdown {
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
        for row in &cells {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        return out;
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            cells
                .iter()
                .map(|r| r[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cols: &[&str]| {
        cols.iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    let _ = writeln!(out, "{}", line(&header));
    for row in &cells {
        let cols: Vec<&str> = row.iter().map(String::as_str).collect();
        let _ = writeln!(out, "{}", line(&cols));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_whole_numbers_with_an_optional_unit() {
        for ok in ["10s", "2m", "1h", "30"] {
            assert_eq!(parse_duration(ok).as_deref(), Ok(ok));
        }
        for bad in ["", "s", "1.5s", "10ms", "ten"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ratios_are_ours_over_the_reference_and_checked_against_the_goal() {
        let rate = Row::rate(
            "create (req/s)",
            3000.0,
            Some(4000.0),
            Some(Goal::AtLeast(1.0)),
        );
        assert_eq!(
            rate.cells(false),
            ["create (req/s)", "3000", "4000", "0.75x", ">= 1.0x", "NO"].map(String::from)
        );
        let p99 = Row::p99("create p99", 12.0, Some(10.0), Some(Goal::AtMost(1.5)));
        assert_eq!(
            p99.cells(false),
            [
                "create p99",
                "12.00 ms",
                "10.00 ms",
                "1.20x",
                "<= 1.5x",
                "yes"
            ]
            .map(String::from)
        );
    }

    #[test]
    fn without_a_reference_there_is_no_ratio() {
        let row = Row::rate("list (req/s)", 7000.0, None, Some(Goal::AtLeast(1.0)));
        assert_eq!(
            row.cells(false),
            ["list (req/s)", "7000", "-", "-", ">= 1.0x", "-"].map(String::from)
        );
    }

    #[test]
    fn every_content_sent_is_unique_per_request() {
        let demo = Demo {
            uid: "demo-user".into(),
            app_id: "app1".into(),
            app_key: "sk_x".into(),
            dev_key: "omi_dev_x".into(),
        };
        for scenario in scenarios(&demo) {
            for load in [&scenario.ours, &scenario.reference] {
                if load.method == "POST" {
                    assert!(
                        load.body.as_deref().is_some_and(|b| b.contains("{id}")),
                        "{}",
                        scenario.name
                    );
                }
            }
        }
    }

    /// A wrk report with only a rate and a p99.
    fn report(rate: f64, p99_ms: f64) -> Report {
        Report {
            rate,
            p99_ms,
            requests: 1,
            non_2xx: 0,
            socket_errors: 0,
        }
    }

    #[test]
    fn repeated_runs_give_medians_and_the_median_of_the_pair_ratios() {
        let runs = Runs {
            reference: vec![report(100.0, 10.0), report(200.0, 20.0), report(400.0, 5.0)],
            ours: vec![report(300.0, 5.0), report(200.0, 30.0), report(200.0, 5.0)],
        };
        let [rate, p99] = rows_of(
            &Scenario {
                name: "create",
                ours: Load {
                    method: "GET",
                    path: "/".to_owned(),
                    headers: Vec::new(),
                    body: None,
                },
                reference: Load {
                    method: "GET",
                    path: "/".to_owned(),
                    headers: Vec::new(),
                    body: None,
                },
                rate_goal: 1.5,
                p99_goal: Some(0.5),
            },
            &runs,
        );
        // Rate ratios 3.0, 1.0, 0.5: the median is 1.0, not 200 / 200 by chance.
        assert_eq!(
            rate.cells(true),
            [
                "create (req/s)",
                "200",
                "200",
                "1.00x",
                "0.50x..3.00x",
                ">= 1.5x",
                "NO"
            ]
            .map(String::from)
        );
        // p99 ratios 0.5, 1.5, 1.0.
        assert_eq!(
            p99.cells(true),
            [
                "create p99",
                "5.00 ms",
                "10.00 ms",
                "1.00x",
                "0.50x..1.50x",
                "<= 0.5x",
                "NO"
            ]
            .map(String::from)
        );
    }

    #[test]
    fn ours_alone_has_medians_but_no_ratio() {
        let runs = Runs {
            reference: Vec::new(),
            ours: vec![report(300.0, 5.0), report(100.0, 7.0)],
        };
        let row = runs.row("list", Unit::Count, |r| r.rate, None);
        assert_eq!(
            row.cells(true),
            ["list", "200", "-", "-", "-", "-", "-"].map(String::from)
        );
    }

    #[test]
    fn a_table_with_a_repeated_figure_has_a_spread_column() {
        let mut repeated = Row::rate("a", 1.0, Some(2.0), None);
        repeated.spread = Spread::of(&[0.4, 0.5, 0.7]);
        let single = Row::rate("b", 3.0, Some(2.0), None);
        assert_eq!(
            table(&[repeated, single], true),
            "| figure | ours | reference | ratio | spread | goal | met |\n|---|---|---|---|---|---|---|\n\
             | a | 1 | 2 | 0.50x | 0.40x..0.70x | - | - |\n| b | 3 | 2 | 1.50x | - | - | - |\n"
        );
    }

    #[test]
    fn the_markdown_table_has_a_header_separator_and_one_line_per_row() {
        let rows = [Row::rate("a", 1.0, Some(2.0), None)];
        assert_eq!(
            table(&rows, true),
            "| figure | ours | reference | ratio | goal | met |\n|---|---|---|---|---|---|\n| a | 1 | 2 | 0.50x | - | - |\n"
        );
    }
}
