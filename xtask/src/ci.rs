//! `cargo xtask ci`: the gates a change must pass, run in order, stopping at the first failure.
//!
//! The gates are one list, [`GATES`]; a new check is one more entry there. `.ci/run` prepares a
//! machine (services, environment) and then calls this, so CI and a developer run the same
//! commands.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::builder::{PossibleValue, PossibleValuesParser};

use crate::cmd::{self, Cmd};

/// One gate: a name to report and `--skip` by, what it checks, and the cargo command.
#[derive(Debug)]
struct Gate {
    /// Short name, as given to `--skip`.
    name: &'static str,
    /// What passing it guarantees.
    about: &'static str,
    /// Arguments to `cargo`.
    args: &'static [&'static str],
    /// Environment variables set for the command.
    env: &'static [(&'static str, &'static str)],
}

impl Gate {
    /// The command that runs this gate.
    fn command(&self) -> Cmd {
        self.env
            .iter()
            .fold(Cmd::cargo(self.args), |cmd, (k, v)| cmd.env(k, v))
    }
}

/// Every gate, in the order they run: cheapest first, so a formatting slip fails in seconds.
const GATES: &[Gate] = &[
    Gate {
        name: "fmt",
        about: "every file is formatted by rustfmt",
        args: &["fmt", "--all", "--", "--check"],
        env: &[],
    },
    Gate {
        name: "codegen",
        about: "docs/openapi.json and docs/api.md match the code (`cargo xtask codegen`)",
        args: &["xtask", "codegen", "--check"],
        env: &[],
    },
    Gate {
        name: "clippy",
        about: "no compiler or clippy warning, tests and examples included",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Gate {
        name: "test",
        about: "every test and doctest of every crate passes",
        args: &["test", "--workspace"],
        env: &[],
    },
    Gate {
        name: "fuzz",
        about: "every input saved in fuzz/regressions/ replays without a panic, and 20 s of \
                fuzzing from a fixed seed find none (dev profile, reusing the test build)",
        // What `cargo xtask fuzz --dev --seconds 20 --seed 0` runs, run directly: a cargo
        // started from another xtask process sees other environment variables, which make
        // build scripts (ring's) rerun and the server rebuild.
        args: &[
            "test",
            "--quiet",
            "--workspace",
            "--test",
            "fuzz",
            "--",
            "run",
            "--seconds",
            "20",
            "--seed",
            "0",
        ],
        env: &[],
    },
    Gate {
        name: "schemathesis",
        about: "Schemathesis finds nothing wrong with /openapi.json against the server it \
                describes: every check, fixed seed, both key kinds (dev profile, reusing the \
                server the codegen gate built; `cargo xtask schemathesis`)",
        args: &["xtask", "schemathesis", "--dev"],
        env: &[],
    },
    Gate {
        name: "doc",
        about: "the docs build without a warning (broken links included)",
        args: &["doc", "--workspace", "--no-deps"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
    Gate {
        name: "doc-examples",
        about: "every README and rustdoc example of omi-model, omi-api and omi-client compiles \
                in a crate that depends on that crate alone (offline, target/doc-examples)",
        args: &["xtask", "doc-examples"],
        env: &[],
    },
];

/// Options of `cargo xtask ci`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Print the commands instead of running them.
    #[arg(long)]
    dry_run: bool,

    /// Leave out a gate (repeat, or separate with commas).
    #[arg(long, value_name = "GATE", value_delimiter = ',', value_parser = gate_names())]
    skip: Vec<String>,

    /// List the gates and what each checks, then stop.
    #[arg(long)]
    list: bool,
}

/// The gate names `--skip` accepts, each with its description for `--help`.
fn gate_names() -> PossibleValuesParser {
    PossibleValuesParser::new(
        GATES
            .iter()
            .map(|g| PossibleValue::new(g.name).help(g.about)),
    )
}

/// Run `cargo xtask ci` with `args`.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    if args.list {
        list();
        return Ok(());
    }
    let (selected, skipped) = select(&args.skip);
    let root = cmd::workspace_root()?;
    println!(
        "ci: {} gate(s) in {} with {}",
        selected.len(),
        root.display(),
        cmd::cargo_program().to_string_lossy()
    );
    if args.dry_run {
        dry_run(&selected, &skipped);
        return Ok(());
    }
    run_gates(&selected, &skipped, &root)
}

/// Run every gate in order from `root`, stopping at the first failure (what
/// `cargo xtask release` checks before packaging).
pub(crate) fn run_every_gate(root: &Path) -> anyhow::Result<()> {
    let (selected, skipped) = select(&[]);
    run_gates(&selected, &skipped, root)
}

/// Print every gate with its command.
fn list() {
    let width = GATES.iter().map(|g| g.name.len()).max().unwrap_or(0);
    for gate in GATES {
        println!(
            "{:<width$} {}\n{:width$} {}",
            gate.name,
            gate.about,
            "",
            gate.command()
        );
    }
}

/// The gates to run and the names of those skipped, both in [`GATES`] order.
fn select(skip: &[String]) -> (Vec<&'static Gate>, Vec<&'static str>) {
    let (skipped, selected): (Vec<&Gate>, Vec<&Gate>) =
        GATES.iter().partition(|g| skip.iter().any(|s| s == g.name));
    (selected, skipped.iter().map(|g| g.name).collect())
}

/// Print what would run, with the same headers and summary shape as a real run.
fn dry_run(selected: &[&Gate], skipped: &[&str]) {
    for (i, gate) in selected.iter().enumerate() {
        println!("{}", header(i, selected.len(), gate));
    }
    println!(
        "ci: dry run, {} gate(s) would run ({}){}",
        selected.len(),
        names(selected),
        skipped_note(skipped)
    );
}

/// Run `selected` in order from `root`, stopping at the first failure; print a summary line.
fn run_gates(selected: &[&Gate], skipped: &[&str], root: &Path) -> anyhow::Result<()> {
    if selected.is_empty() {
        bail!("every gate was skipped; nothing was checked");
    }
    let start = Instant::now();
    let mut passed = Vec::new();
    for (i, gate) in selected.iter().enumerate() {
        println!("\n{}", header(i, selected.len(), gate));
        let gate_start = Instant::now();
        if let Err(error) = gate.command().run(root) {
            let not_run = names_of(&selected[i + 1..]);
            println!(
                "\nci: FAILED at gate `{}` after {}; passed: {}; not run: {}{}",
                gate.name,
                human(start.elapsed()),
                list_or_none(&passed),
                list_or_none(&not_run),
                skipped_note(skipped)
            );
            return Err(error).with_context(|| format!("gate `{}` failed", gate.name));
        }
        let took = human(gate_start.elapsed());
        println!("==> {} passed in {took}", gate.name);
        passed.push(format!("{} {took}", gate.name));
    }
    println!(
        "\nci: all {} gate(s) passed in {} ({}){}",
        selected.len(),
        human(start.elapsed()),
        passed.join(", "),
        skipped_note(skipped)
    );
    Ok(())
}

/// The line announcing gate `i` of `total`: `==> [2/4] clippy: cargo clippy ...`.
fn header(i: usize, total: usize, gate: &Gate) -> String {
    format!("==> [{}/{total}] {}: {}", i + 1, gate.name, gate.command())
}

/// The gates' names, comma-separated.
fn names(gates: &[&Gate]) -> String {
    names_of(gates).join(", ")
}

/// The gates' names.
fn names_of(gates: &[&Gate]) -> Vec<String> {
    gates.iter().map(|g| g.name.to_owned()).collect()
}

/// `items` comma-separated, or `none`.
fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// `; skipped: a, b` when gates were skipped, else nothing.
fn skipped_note(skipped: &[&str]) -> String {
    if skipped.is_empty() {
        String::new()
    } else {
        format!("; skipped: {}", skipped.join(", "))
    }
}

/// A duration for people: `4.2s`, `3m07s`.
fn human(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = d.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_run_in_the_documented_order() {
        let order: Vec<_> = GATES.iter().map(|g| g.name).collect();
        assert_eq!(
            order,
            [
                "fmt",
                "codegen",
                "clippy",
                "test",
                "fuzz",
                "schemathesis",
                "doc",
                "doc-examples"
            ]
        );
    }

    #[test]
    fn gate_names_are_unique() {
        let mut names: Vec<_> = GATES.iter().map(|g| g.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), GATES.len());
    }

    #[test]
    fn skip_leaves_out_only_the_named_gates_and_keeps_the_order() {
        let (selected, skipped) = select(&["clippy".to_owned(), "doc".to_owned()]);
        assert_eq!(
            names(&selected),
            "fmt, codegen, test, fuzz, schemathesis, doc-examples"
        );
        assert_eq!(skipped, ["clippy", "doc"]);
    }

    #[test]
    fn the_doc_gate_denies_rustdoc_warnings() {
        let doc = GATES.iter().find(|g| g.name == "doc").unwrap();
        assert_eq!(
            doc.command().to_string(),
            "RUSTDOCFLAGS='-D warnings' cargo doc --workspace --no-deps"
        );
    }

    #[test]
    fn durations_read_as_seconds_then_minutes() {
        assert_eq!(human(Duration::from_millis(4_240)), "4.2s");
        assert_eq!(human(Duration::from_secs(187)), "3m07s");
    }
}
