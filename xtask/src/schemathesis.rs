//! `cargo xtask schemathesis`: hold the served OpenAPI document to what the server does, with
//! [Schemathesis](https://schemathesis.readthedocs.io) (a property-based API tester from
//! PyPI), as a client generator would trust it.
//!
//! Steps: build omi-server (release; `--dev` reuses the dev build CI has just made), make the
//! demo credentials in a scratch SQLite database (`omi-server demo --json`), start the server
//! on it on a free port of 127.0.0.1 with rate limits off (a 429 is documented, but would hide
//! what a request does), install Schemathesis into a virtual environment under
//! `target/schemathesis/` when it is not there at the pinned version, and run `st run` against
//! `/openapi.json` twice, with every check, a fixed seed and `--examples` cases per operation:
//! the Developer API (and the operation routes) with the demo developer key, then the
//! Integration Imports routes with the demo app's key, its real `app_id` and the demo `uid`
//! (given to Schemathesis by security scheme, so it also sends requests without them).
//! Any finding fails the task.
//!
//! What Schemathesis is told beyond the command line is `xtask/schemathesis.toml`: the fixed
//! `app_id` and `uid`, and the known false positives, each one check on one operation with
//! the reason it is Schemathesis's mistake and not ours. Nothing else is silenced.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::bench::servers::{self, Children};
use crate::bench::{Demo, demo};
use crate::cmd::{self, Cmd};

/// The Schemathesis release the run installs: pinned, so a seed means the same cases on every
/// machine until this line changes.
const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// The configuration file Schemathesis reads: fixed parameters and the known false positives.
const CONFIG: &str = "xtask/schemathesis.toml";

/// The Schemathesis hooks that work around the false positives the configuration lists.
const HOOKS: &str = "xtask/schemathesis_hooks.py";

/// The paths of the Integration Imports routes, which take the app key.
const INTEGRATION_PATHS: &str = "^/v2/integrations/";

/// Options of `cargo xtask schemathesis`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Test cases per operation (Schemathesis's `--max-examples`); CI runs the default, a
    /// longer run is e.g. `--examples 500`.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    examples: u32,

    /// The random seed, so a run can be repeated exactly.
    #[arg(long, default_value_t = 23)]
    seed: u64,

    /// Build and run the server in the dev profile instead of release (what CI does: the
    /// codegen gate has built it already).
    #[arg(long)]
    dev: bool,

    /// Use the server binary already built instead of running `cargo build`.
    #[arg(long)]
    no_build: bool,

    /// Print the commands instead of running them.
    #[arg(long)]
    dry_run: bool,
}

/// One `st run`: which operations, with which key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Surface {
    /// `/v1/dev/...` and the operation routes, with the developer key.
    Developer,
    /// `/v2/integrations/{app_id}/...`, with the app key.
    Integration,
}

impl Surface {
    /// Both, in the order they run.
    const ALL: [Self; 2] = [Self::Developer, Self::Integration];

    /// The name shown in headers and the summary.
    fn name(self) -> &'static str {
        match self {
            Self::Developer => "developer routes",
            Self::Integration => "integration routes",
        }
    }

    /// The `st run` filter that selects this surface's operations.
    fn filter(self) -> [&'static str; 2] {
        match self {
            Self::Developer => ["--exclude-path-regex", INTEGRATION_PATHS],
            Self::Integration => ["--include-path-regex", INTEGRATION_PATHS],
        }
    }
}

/// The `st` command of one run against the server at `addr` (the credentials and ids come
/// from the environment, see [`demo_environment`]).
fn st_command(st: &Path, args: &Args, surface: Surface, addr: SocketAddr) -> Command {
    let mut command = Command::new(st);
    command
        .args(["--config-file", CONFIG, "--no-color", "run"])
        .arg(format!("http://{addr}/openapi.json"))
        .args(["--seed", &args.seed.to_string()])
        .args(["--max-examples", &args.examples.to_string()])
        // One worker: with a seed, the same cases in the same order on every run.
        .args(["--workers", "1"])
        .args(surface.filter());
    command
}

/// The variables `xtask/schemathesis.toml` reads: the demo keys, app and user.
fn demo_environment(demo: &Demo) -> [(&'static str, &str); 4] {
    [
        ("OMI_DEV_KEY", &demo.dev_key),
        ("OMI_APP_KEY", &demo.app_key),
        ("OMI_APP_ID", &demo.app_id),
        ("OMI_UID", &demo.uid),
    ]
}

/// A command line as a shell would show it.
fn shown(command: &Command) -> String {
    let args: Vec<String> = command
        .get_args()
        .map(|a| {
            let a = a.to_string_lossy();
            let plain = a
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_=./:,+@".contains(c));
            if plain {
                a.into_owned()
            } else {
                format!("'{a}'")
            }
        })
        .collect();
    format!("st {}", args.join(" "))
}

/// Run `cargo xtask schemathesis` with `args`.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let root = cmd::workspace_root()?;
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let profile = if args.dev { "debug" } else { "release" };
    let bin = target.join(profile).join("omi-server");
    let build = if args.dev {
        Cmd::cargo(&["build", "--quiet", "-p", "omi-server"])
    } else {
        Cmd::cargo(&["build", "--quiet", "--release", "-p", "omi-server"])
    };
    let venv = target.join("schemathesis/venv");
    let st = venv.join("bin/st");
    if args.dry_run {
        if !args.no_build {
            println!("{build}");
        }
        println!(
            "python3 -m venv {} && {} install schemathesis=={SCHEMATHESIS_VERSION}  (when missing)",
            venv.display(),
            venv.join("bin/pip").display()
        );
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let names: Vec<_> = demo_environment(&Demo {
            uid: String::new(),
            app_id: String::new(),
            app_key: String::new(),
            dev_key: String::new(),
        })
        .map(|(name, _)| format!("{name}=..."))
        .to_vec();
        for surface in Surface::ALL {
            let command = st_command(&st, args, surface, addr);
            println!("{} {}", names.join(" "), shown(&command));
        }
        return Ok(());
    }

    for file in [CONFIG, HOOKS] {
        if !root.join(file).is_file() {
            bail!("{file} is missing: Schemathesis would run without its configuration");
        }
    }
    let start = Instant::now();
    if !args.no_build {
        build.run(&root)?;
    }
    if !bin.is_file() {
        bail!("{} is missing: run without --no-build", bin.display());
    }
    ensure_schemathesis(&venv)?;

    let scratch = target.join(format!("schemathesis/run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let url = format!("sqlite://{}", scratch.join("omi.sqlite").display());
    let demo = demo(&bin, &url)?;
    let addr = servers::free_port()?;
    let mut children = Children::default();
    let mut server = Command::new(&bin);
    server
        .args(["--addr", &addr.to_string(), "--database", &url])
        .args(["--rate-limits", "off", "--no-demo"])
        .env("OMI_LOG", "warn");
    let log = scratch.join("server.log");
    children.spawn("omi-server", server, &log)?;
    children.wait_ready("omi-server", addr, "/readyz")?;

    let mut failed = Vec::new();
    for surface in Surface::ALL {
        let mut command = st_command(&st, args, surface, addr);
        command
            .current_dir(&root)
            .envs(demo_environment(&demo))
            // Hypothesis keeps its example database and Schemathesis its reports here.
            .env("HYPOTHESIS_STORAGE_DIRECTORY", scratch.join("hypothesis"));
        println!(
            "\n==> schemathesis, {}: {}",
            surface.name(),
            shown(&command)
        );
        let status = command
            .status()
            .with_context(|| format!("starting {}", st.display()))?;
        if !status.success() {
            failed.push(surface.name());
        }
    }
    drop(children);
    let took = start.elapsed().as_secs();
    if failed.is_empty() {
        let _ = std::fs::remove_dir_all(&scratch);
        println!(
            "\nschemathesis: no finding on either surface ({} examples per operation, seed {}, {}m{:02}s)",
            args.examples,
            args.seed,
            took / 60,
            took % 60
        );
        Ok(())
    } else {
        bail!(
            "Schemathesis found problems on the {} (above, each with a curl line to reproduce; \
             the server's log is {}). Fix the document or the server; a finding that is \
             Schemathesis's own mistake goes in {CONFIG} with its reason.",
            failed.join(" and the "),
            log.display()
        )
    }
}

/// Make sure `venv` holds Schemathesis at [`SCHEMATHESIS_VERSION`], installing it from PyPI
/// when it does not.
fn ensure_schemathesis(venv: &Path) -> anyhow::Result<()> {
    let st = venv.join("bin/st");
    let installed = Command::new(&st)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if installed
        .as_deref()
        .is_some_and(|v| v.ends_with(SCHEMATHESIS_VERSION))
    {
        return Ok(());
    }
    println!(
        "==> installing schemathesis {SCHEMATHESIS_VERSION} into {}",
        venv.display()
    );
    if !venv.join("bin/pip").is_file() {
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(venv)
            .status()
            .context("starting python3 (Schemathesis needs Python 3.9 or later)")?;
        if !status.success() {
            bail!("`python3 -m venv {}` failed ({status})", venv.display());
        }
    }
    let status = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet"])
        .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}"))
        .status()
        .context("starting pip")?;
    if !status.success() {
        bail!("installing schemathesis {SCHEMATHESIS_VERSION} from PyPI failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args {
        Args {
            examples: 10,
            seed: 23,
            dev: true,
            no_build: false,
            dry_run: true,
        }
    }

    #[test]
    fn each_surface_runs_every_check_with_a_fixed_seed() {
        let addr = SocketAddr::from(([127, 0, 0, 1], 8080));
        let dev = st_command(Path::new("st"), &args(), Surface::Developer, addr);
        assert_eq!(
            shown(&dev),
            "st --config-file xtask/schemathesis.toml --no-color run \
             http://127.0.0.1:8080/openapi.json --seed 23 --max-examples 10 \
             --workers 1 --exclude-path-regex '^/v2/integrations/'"
        );
        let app = st_command(Path::new("st"), &args(), Surface::Integration, addr);
        assert!(shown(&app).ends_with("--include-path-regex '^/v2/integrations/'"));
    }

    #[test]
    fn the_configuration_reads_every_demo_variable() {
        let root = cmd::workspace_root().unwrap();
        let config = std::fs::read_to_string(root.join(CONFIG)).unwrap();
        let demo = Demo {
            uid: String::new(),
            app_id: String::new(),
            app_key: String::new(),
            dev_key: String::new(),
        };
        for (name, _) in demo_environment(&demo) {
            assert!(config.contains(&format!("${{{name}}}")), "{name}");
        }
    }

    #[test]
    fn every_false_positive_worked_around_is_listed_with_its_reason() {
        let root = cmd::workspace_root().unwrap();
        let config = std::fs::read_to_string(root.join(CONFIG)).unwrap();
        let hooks = std::fs::read_to_string(root.join(HOOKS)).unwrap();
        assert!(config.contains(&format!("hooks = \"{HOOKS}\"")));
        // Each hook names the numbered entries of the list it works around.
        let named: Vec<u32> = hooks
            .split("False positive")
            .skip(1)
            .flat_map(|rest| {
                let words = rest.split(':').next().unwrap_or_default();
                words
                    .split(|c: char| !c.is_ascii_digit())
                    .filter_map(|n| n.parse().ok())
                    .collect::<Vec<u32>>()
            })
            .collect();
        assert!(!named.is_empty());
        for n in named {
            assert!(
                config.contains(&format!("\n# {n}. ")),
                "{HOOKS} works around false positive {n}, which {CONFIG} does not list"
            );
        }
        // Every check is on, in the file (a `--checks` option would override its entries).
        assert!(config.contains("\n[checks]\nenabled = true\n"));
        // An operation's check turned off says why.
        for entry in config.split("[[operations]]").skip(1) {
            assert!(
                entry.contains("# Why:"),
                "an entry of {CONFIG} gives no `# Why:` line:\n{entry}"
            );
        }
    }
}
