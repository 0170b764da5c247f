//! `cargo xtask`: the workspace's automation, written in Rust instead of shell scripts.
//!
//! One module per task. `cargo xtask --help` lists them; `.cargo/config.toml` holds the
//! `cargo xtask` alias. See `docs/ARCHITECTURE.md` for where this sits in the workspace.

mod ci;
mod cmd;

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
    /// Run every CI gate in order (fmt, clippy, test, doc), stopping at the first failure.
    Ci(ci::Args),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::Ci(args) => ci::run(&args),
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
