//! The command line of the fuzzer, shared by the `omi-fuzz` binary (`cargo run -p omi-fuzz`,
//! built in release by `cargo xtask fuzz`) and the `fuzz` test target (`cargo test --workspace
//! --test fuzz -- ...`, what CI runs: it reuses the workspace's test build, features and all).
//! Without a command it replays the saved inputs, so the test gate replays them too.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::{Options, TARGETS, Target};
use clap::{Parser, Subcommand};

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "omi-fuzz",
    about = "Fuzz the extractor and the decoders (stable toolchain)"
)]
struct Cli {
    /// What to do (default: `replay`).
    #[command(subcommand)]
    command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Replay the saved inputs, then fuzz targets for a time budget; save each crashing
    /// input (shortened).
    Run {
        /// The whole run's time in seconds, shared between the targets.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Run only this target (repeat for several; default: all).
        #[arg(long = "target", value_name = "NAME")]
        targets: Vec<String>,
        /// The random seed (default: from the clock; printed, to run the same inputs again).
        #[arg(long)]
        seed: Option<u64>,
        /// Where crashing inputs are saved and seeds are read from.
        #[arg(long, default_value_os_t = crate::regressions_dir())]
        dir: PathBuf,
    },
    /// Run every saved input through its target; fail if any panics.
    Replay {
        /// Where the saved inputs are.
        #[arg(long, default_value_os_t = crate::regressions_dir())]
        dir: PathBuf,
    },
    /// List the targets.
    List,
}

/// Run the command line `args` (the program name first), as the `omi-fuzz` binary and the
/// `fuzz` test target do.
pub fn main(args: impl IntoIterator<Item = String>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command.unwrap_or(Command::Replay {
        dir: crate::regressions_dir(),
    }) {
        Command::List => {
            for t in TARGETS {
                println!("{:<22} {}", t.name, t.about);
            }
            ExitCode::SUCCESS
        }
        Command::Replay { dir } => replay(&dir),
        Command::Run {
            seconds,
            targets,
            seed,
            dir,
        } => run(seconds, &targets, seed, dir),
    }
}

fn replay(dir: &std::path::Path) -> ExitCode {
    match crate::replay(dir) {
        Ok((count, crashes)) => {
            for (path, crash) in &crashes {
                println!("fuzz: REGRESSION {}: {crash}", path.display());
            }
            println!(
                "fuzz: replayed {count} saved input(s) from {}: {} panicked",
                dir.display(),
                crashes.len()
            );
            if crashes.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(seconds: u64, names: &[String], seed: Option<u64>, dir: PathBuf) -> ExitCode {
    // A bug that came back fails the run before any time is spent looking for new ones.
    if replay(&dir) != ExitCode::SUCCESS {
        return ExitCode::FAILURE;
    }
    let mut targets: Vec<&'static Target> = Vec::new();
    for name in names {
        match crate::targets::target(name) {
            Some(t) => targets.push(t),
            None => {
                let known: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
                eprintln!("error: no target {name:?}; targets: {}", known.join(", "));
                return ExitCode::FAILURE;
            }
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().collect();
    }
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    println!(
        "fuzz: {} target(s) for {seconds}s, seed {seed}",
        targets.len()
    );
    let report = crate::fuzz(&Options {
        budget: Duration::from_secs(seconds),
        targets,
        seed,
        dir,
    });
    for ((name, runs), (_, slowest)) in report.runs.iter().zip(&report.slowest) {
        println!("fuzz: {name:<22} {runs:>9} inputs, slowest {slowest} ms");
    }
    for (name, path, crash) in &report.crashes {
        println!(
            "fuzz: CRASH in {name}: {crash}\n      input saved as {}",
            path.display()
        );
    }
    if report.crashes.is_empty() {
        println!("fuzz: no crash");
        ExitCode::SUCCESS
    } else {
        println!(
            "fuzz: {} crash(es); each saved input is replayed by `cargo xtask fuzz` until fixed",
            report.crashes.len()
        );
        ExitCode::FAILURE
    }
}
