//! `cargo xtask fuzz`: replay every input saved under `fuzz/regressions/`, then fuzz the
//! extractor and the decoders for a time budget (see `fuzz/src/lib.rs`). The CI gate runs the
//! same `--dev` command directly, so it runs under the same environment as the `test` gate.
//!
//! The fuzzer is run through cargo as a process, so xtask still links none of our crates. It
//! is built in release by default (many more inputs per second); `--dev` runs it as the `fuzz`
//! test target in the dev profile, which CI uses because the `test` gate has just built every
//! dependency there, so the gate costs a link and the budget instead of a release build.

use anyhow::bail;

use crate::cmd::{self, Cmd};

/// Options of `cargo xtask fuzz`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The fuzzing time in seconds, shared between the targets (0: replay only).
    #[arg(long, default_value_t = 60)]
    seconds: u64,

    /// Fuzz only this target (repeat for several; `cargo run -p omi-fuzz -- list` lists them).
    #[arg(long = "target", value_name = "NAME")]
    targets: Vec<String>,

    /// The random seed (default: from the clock, printed by the run).
    #[arg(long)]
    seed: Option<u64>,

    /// Build the fuzzer in the dev profile instead of release (what CI does).
    #[arg(long)]
    dev: bool,

    /// Print the commands instead of running them (a run writes crashing inputs to
    /// `fuzz/regressions/`).
    #[arg(long)]
    dry_run: bool,
}

/// The command `args` stand for: `run` (which replays the saved inputs first), or `replay`
/// alone when the budget is 0.
///
/// In release the fuzzer is `cargo run --release -p omi-fuzz`. In the dev profile it is the
/// `fuzz` test target of `--workspace`: with the same package selection as the `test` gate,
/// cargo resolves the same features and reuses that build (`cargo run -p omi-fuzz` alone would
/// resolve them for one package and rebuild sqlx and the server, minutes on CI).
fn command(args: &Args) -> Cmd {
    let mut all: Vec<String> = if args.dev {
        ["test", "--quiet", "--workspace", "--test", "fuzz"]
            .map(String::from)
            .to_vec()
    } else {
        ["run", "--quiet", "--release", "-p", "omi-fuzz"]
            .map(String::from)
            .to_vec()
    };
    all.push("--".into());
    if args.seconds == 0 {
        all.push("replay".into());
    } else {
        all.extend([
            "run".to_owned(),
            "--seconds".into(),
            args.seconds.to_string(),
        ]);
        for target in &args.targets {
            all.extend(["--target".to_owned(), target.clone()]);
        }
        if let Some(seed) = args.seed {
            all.extend(["--seed".to_owned(), seed.to_string()]);
        }
    }
    Cmd::cargo(&all)
}

/// Run `cargo xtask fuzz` with `args`.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let root = cmd::workspace_root()?;
    let command = command(args);
    if args.dry_run {
        println!("{command}");
        return Ok(());
    }
    println!("==> {command}");
    if let Err(error) = command.run(&root) {
        bail!(
            "{error:#}\nfuzz: a crashing input is saved under fuzz/regressions/; fix the bug, add \
             a test named for the rule, and keep the input (it is replayed from now on)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(seconds: u64, dev: bool) -> Args {
        Args {
            seconds,
            targets: vec!["memory_words".into()],
            seed: Some(7),
            dev,
            dry_run: false,
        }
    }

    #[test]
    fn a_budget_runs_the_fuzzer_and_a_zero_budget_only_replays() {
        assert_eq!(
            command(&args(20, true)).to_string(),
            "cargo test --quiet --workspace --test fuzz -- run --seconds 20 --target \
             memory_words --seed 7"
        );
        assert_eq!(
            command(&args(0, true)).to_string(),
            "cargo test --quiet --workspace --test fuzz -- replay"
        );
    }

    #[test]
    fn the_fuzzer_is_built_in_release_unless_dev_is_asked() {
        assert_eq!(
            command(&args(0, false)).to_string(),
            "cargo run --quiet --release -p omi-fuzz -- replay"
        );
    }
}
