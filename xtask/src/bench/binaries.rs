//! The two servers' release builds. Both are built with the same SQLite compile flags
//! (`LIBSQLITE3_FLAGS`, which `.cargo/config.toml` sets for this workspace): the flags are a
//! setting any sqlx user can apply, so the fair reference is a plain server built the same way.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use toml_edit::{DocumentMut, Item};

use crate::cmd::Cmd;

/// The variable libsqlite3-sys reads extra SQLite compile flags from.
const SQLITE_FLAGS_VAR: &str = "LIBSQLITE3_FLAGS";

/// The workspace's cargo configuration, relative to its root.
const CARGO_CONFIG: &str = ".cargo/config.toml";

/// Where the reference is built, relative to the workspace root.
const CEILING_TARGET: &str = "target/ceiling";

/// The two servers' executables.
#[derive(Debug)]
pub(crate) struct Binaries {
    /// `target/release/omi-server`.
    pub(crate) ours: PathBuf,
    /// `target/ceiling/release/ceiling`, when the reference is measured.
    pub(crate) reference: Option<PathBuf>,
}

impl Binaries {
    /// The executables built in `target` (ours) and under the workspace `root` (the
    /// reference, when `with_reference`); an error naming the first one missing.
    pub(crate) fn find(root: &Path, target: &Path, with_reference: bool) -> anyhow::Result<Self> {
        let bins = Self {
            ours: target.join("release/omi-server"),
            reference: with_reference.then(|| root.join(CEILING_TARGET).join("release/ceiling")),
        };
        for bin in std::iter::once(&bins.ours).chain(&bins.reference) {
            if !bin.is_file() {
                bail!("{} is missing: run without --no-build", bin.display());
            }
        }
        Ok(bins)
    }
}

/// The SQLite flags our server is built with, and where they come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SqliteFlags {
    /// The value of `LIBSQLITE3_FLAGS` (empty: SQLite's defaults).
    pub(crate) value: String,
    /// Where it was found, for the message.
    pub(crate) source: &'static str,
}

impl SqliteFlags {
    /// What cargo gives our build: a `force`d `[env]` value of `.cargo/config.toml`, else the
    /// environment's `LIBSQLITE3_FLAGS` (which replaces the configuration's), else the
    /// configuration's, else nothing. (`cargo xtask` itself runs with the configuration's
    /// `[env]` applied, so an environment value equal to it is the configuration's.)
    pub(crate) fn of_workspace(root: &Path) -> anyhow::Result<Self> {
        let path = root.join(CARGO_CONFIG);
        let config = match std::fs::read_to_string(&path) {
            Ok(text) => {
                flags_in_config(&text).with_context(|| format!("reading {CARGO_CONFIG}"))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        Ok(choose(config, std::env::var(SQLITE_FLAGS_VAR).ok()))
    }
}

/// The flags cargo gives our build, from the configuration's entry and the environment's
/// value (see [`SqliteFlags::of_workspace`]).
fn choose(config: Option<ConfigValue>, environment: Option<String>) -> SqliteFlags {
    let from_config = |value: String| SqliteFlags {
        value,
        source: CARGO_CONFIG,
    };
    match (config, environment) {
        (Some(ConfigValue { value, force: true }), _) => from_config(value),
        (Some(ConfigValue { value, .. }), Some(env)) if env == value => from_config(value),
        (_, Some(value)) => SqliteFlags {
            value,
            source: "the environment",
        },
        (Some(ConfigValue { value, .. }), None) => from_config(value),
        (None, None) => SqliteFlags {
            value: String::new(),
            source: "nowhere: SQLite's defaults",
        },
    }
}

/// A `LIBSQLITE3_FLAGS` entry of a cargo configuration's `[env]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ConfigValue {
    /// The flags.
    value: String,
    /// Whether it replaces a variable already in the environment (`force = true`).
    force: bool,
}

/// The `LIBSQLITE3_FLAGS` entry of the cargo configuration `text`, in either of cargo's
/// forms (`VAR = "..."` or `VAR = { value = "...", force = true }`); `None` when absent.
fn flags_in_config(text: &str) -> anyhow::Result<Option<ConfigValue>> {
    let doc: DocumentMut = text.parse()?;
    let Some(entry) = doc.get("env").and_then(|env| env.get(SQLITE_FLAGS_VAR)) else {
        return Ok(None);
    };
    let string = |item: Option<&Item>| item.and_then(Item::as_str).map(str::to_owned);
    let (value, force) = match entry.as_str() {
        Some(value) => (Some(value.to_owned()), false),
        None => (
            string(entry.get("value")),
            entry
                .get("force")
                .and_then(Item::as_bool)
                .unwrap_or_default(),
        ),
    };
    let value = value.with_context(|| format!("[env] {SQLITE_FLAGS_VAR} has no string value"))?;
    Ok(Some(ConfigValue { value, force }))
}

/// The release builds: our server, and the reference from `ceiling_manifest` into
/// `target/ceiling` when it is measured; both with `LIBSQLITE3_FLAGS` set to `flags`.
fn build_commands(ceiling_manifest: Option<&Path>, flags: &str) -> Vec<Cmd> {
    let ours = Cmd::cargo(&["build", "--release", "-p", "omi-server"]);
    let reference = ceiling_manifest.map(|manifest| {
        Cmd::cargo(&[
            "build",
            "--release",
            "--manifest-path",
            &manifest.to_string_lossy(),
            "--target-dir",
            CEILING_TARGET,
        ])
    });
    std::iter::once(ours)
        .chain(reference)
        .map(|cmd| cmd.env(SQLITE_FLAGS_VAR, flags))
        .collect()
}

/// Build both servers in release mode from the workspace `root` with our SQLite flags,
/// saying which flags and showing each command.
pub(crate) fn build(root: &Path, ceiling_manifest: Option<&Path>) -> anyhow::Result<()> {
    let flags = SqliteFlags::of_workspace(root)?;
    println!(
        "bench: building {} with {SQLITE_FLAGS_VAR}={:?} (from {})",
        if ceiling_manifest.is_some() {
            "ours and the reference alike"
        } else {
            "ours"
        },
        flags.value,
        flags.source
    );
    for cmd in build_commands(ceiling_manifest, &flags.value) {
        println!("bench: {cmd}");
        cmd.run(root)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_are_read_from_the_env_table_in_either_form() {
        let plain = "[alias]\nx = \"run\"\n[env]\nLIBSQLITE3_FLAGS = \"-DA=0 -UB\"\n";
        assert_eq!(
            flags_in_config(plain).unwrap(),
            Some(ConfigValue {
                value: "-DA=0 -UB".to_owned(),
                force: false
            })
        );
        let table = "[env]\nLIBSQLITE3_FLAGS = { value = \"-DA=0\", force = true }\n";
        assert_eq!(
            flags_in_config(table).unwrap(),
            Some(ConfigValue {
                value: "-DA=0".to_owned(),
                force: true
            })
        );
        assert_eq!(flags_in_config("[env]\nOTHER = \"1\"\n").unwrap(), None);
        assert_eq!(flags_in_config("").unwrap(), None);
        assert!(flags_in_config("[env]\nLIBSQLITE3_FLAGS = 3\n").is_err());
    }

    #[test]
    fn a_forced_entry_beats_the_environment_which_beats_a_plain_entry() {
        let entry = |force| {
            Some(ConfigValue {
                value: "-DA=0".to_owned(),
                force,
            })
        };
        let env = |v: &str| Some(v.to_owned());
        let chosen = |config, environment| {
            let flags = choose(config, environment);
            (flags.value, flags.source)
        };
        assert_eq!(
            chosen(entry(true), env("-DB")),
            ("-DA=0".into(), CARGO_CONFIG)
        );
        assert_eq!(
            chosen(entry(false), env("-DB")),
            ("-DB".into(), "the environment")
        );
        assert_eq!(
            chosen(entry(false), env("-DA=0")),
            ("-DA=0".into(), CARGO_CONFIG),
            "the value cargo xtask inherited from the configuration"
        );
        assert_eq!(chosen(entry(false), None), ("-DA=0".into(), CARGO_CONFIG));
        assert_eq!(chosen(None, env("")), (String::new(), "the environment"));
        assert_eq!(chosen(None, None).0, "");
    }

    #[test]
    fn the_workspace_sets_sqlite_flags_for_both_builds() {
        let text =
            std::fs::read_to_string(crate::cmd::workspace_root().unwrap().join(CARGO_CONFIG))
                .unwrap();
        let flags = flags_in_config(&text)
            .unwrap()
            .expect("LIBSQLITE3_FLAGS in [env]");
        assert!(
            flags.value.contains("SQLITE_DEFAULT_MEMSTATUS=0"),
            "{flags:?}"
        );
    }

    #[test]
    fn both_servers_are_built_with_the_same_flags() {
        let builds = build_commands(Some(Path::new("/c/Cargo.toml")), "-DA=0 -UB");
        let shown: Vec<String> = builds.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "LIBSQLITE3_FLAGS='-DA=0 -UB' cargo build --release -p omi-server",
                "LIBSQLITE3_FLAGS='-DA=0 -UB' cargo build --release --manifest-path /c/Cargo.toml --target-dir target/ceiling",
            ]
        );
        assert_eq!(build_commands(None, "").len(), 1, "ours alone");
    }
}
