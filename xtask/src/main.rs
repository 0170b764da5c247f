//! `cargo xtask`: the workspace's automation, written in Rust instead of shell scripts.
//!
//! One module per task. `cargo xtask --help` lists them; `.cargo/config.toml` holds the
//! `cargo xtask` alias. See `docs/ARCHITECTURE.md` for where this sits in the workspace.

mod bench;
mod ci;
mod cmd;
mod codegen;
mod doc_examples;
mod fuzz;
mod release;
mod schemathesis;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The command line: one subcommand per task.
#[derive(Debug, Parser)]
#[command(
    name = "xtask",
    bin_name = "cargo xtask",
    about = "Automation of the omi-rs workspace"
)]
struct Cli {
    /// The task to run.
    #[command(subcommand)]
    task: Task,
}

/// The tasks.
#[derive(Debug, Subcommand)]
enum Task {
    /// Run every CI gate in order (fmt, codegen, clippy, test, fuzz, schemathesis, doc,
    /// doc-examples), stopping at the first failure.
    Ci(ci::Args),
    /// Write docs/openapi.json and docs/api.md from the server's code (`--check`: fail when
    /// the committed ones are stale).
    Codegen(codegen::Args),
    /// Bump the version, release CHANGELOG.md's Unreleased section, run the gates, package
    /// every publishable crate, then commit and tag (`--dry-run` writes nothing).
    Release(release::Args),
    /// Run the same loopback load against our server and the reference server, and print
    /// the ratios (see docs/benchmarks.md).
    Bench(bench::Args),
    /// Build every README and rustdoc example of omi-model, omi-api and omi-client in a
    /// scratch crate that depends on that crate alone, offline.
    DocExamples(doc_examples::Args),
    /// Replay the inputs saved under fuzz/regressions/, then fuzz the extractor and the
    /// decoders for a time budget (`--seconds`, `--target`).
    Fuzz(fuzz::Args),
    /// Start the server on a scratch database and hold /openapi.json to what it does with
    /// Schemathesis (every check, fixed seed; `--examples N` for a longer run).
    Schemathesis(schemathesis::Args),
}

/// Run the task; on failure print the error with its causes (no backtrace: the failing
/// command's own output above says what went wrong) and exit with 1.
fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Ci(args) => ci::run(&args),
        Task::Codegen(args) => codegen::run(&args),
        Task::Release(args) => release::run(&args),
        Task::Bench(args) => bench::run(&args),
        Task::Fuzz(args) => fuzz::run(&args),
        Task::DocExamples(args) => doc_examples::run(&args),
        Task::Schemathesis(args) => schemathesis::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
