//! `cargo xtask release <patch|minor|major|X.Y.Z> [--dry-run]`: make a release commit and tag.
//!
//! Steps, stopping at the first failure:
//!
//! 1. Work out the next version from `[workspace.package] version` and the bump.
//! 2. Refuse unless the work tree is clean and the tag `vX.Y.Z` is new (real runs only).
//! 3. Write the version into the workspace manifest, with our crates' path dependencies
//!    (`omi-model = { path = ..., version = ... }`) moved with it, refresh `Cargo.lock`,
//!    move CHANGELOG.md's `Unreleased` changes under `## [X.Y.Z] - <today>`, and run
//!    `cargo xtask codegen` (the API document states the version).
//! 4. Run every CI gate (`--skip-gates` leaves them out, for CI, which has just run them).
//! 5. `cargo package` every publishable crate; cargo packages them in dependency order and
//!    verifies each against the ones packaged before it, so crates not yet on crates.io can
//!    require each other.
//! 6. Commit those files as `Release vX.Y.Z` and tag `vX.Y.Z`. Publishing
//!    (`git push --follow-tags`, `cargo publish --workspace`) stays a person's decision.
//!
//! `--dry-run` writes nothing: it prints the new version and changelog section, then runs
//! steps 4 and 5 on the tree as it is, so packaging problems show before a real release.
//! `.ci/run` runs `release patch --dry-run --skip-gates --no-verify` on a copy of the
//! repository after the gates, and fails if the copy changed.

mod changelog;
mod version;

use std::path::Path;

use anyhow::{Context, bail};
use chrono::{NaiveDate, Utc};
use semver::Version;

use crate::cmd::{self, Cmd};
use crate::{ci, codegen};
use version::{Bump, Manifest};

/// Options of `cargo xtask release`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The next version: `patch`, `minor`, `major`, or an exact `X.Y.Z`.
    #[arg(value_name = "patch|minor|major|X.Y.Z")]
    bump: Bump,

    /// Print what would change and check that every crate packages, writing nothing.
    #[arg(long)]
    dry_run: bool,

    /// Do not run the CI gates first (for CI, which runs them in the same job).
    #[arg(long)]
    skip_gates: bool,

    /// Package without building each package on its own (`cargo package --no-verify`).
    /// For CI: the gates build the same sources, and the packaged builds, which share no
    /// compiled dependency with them (the workspace's profile settings do not travel with a
    /// package), would add minutes. A real release should verify.
    #[arg(long)]
    no_verify: bool,
}

/// The files a release rewrites and commits (the generated API document carries the version).
const RELEASE_FILES: [&str; 5] = [
    "Cargo.toml",
    "Cargo.lock",
    "CHANGELOG.md",
    codegen::OPENAPI_JSON,
    codegen::API_MD,
];

/// A release worked out but not yet written: the new version and the new file contents.
#[derive(Debug)]
struct Plan {
    /// The version released now.
    current: Version,
    /// The version being released.
    next: Version,
    /// The workspace manifest with the new version.
    manifest: String,
    /// The path dependencies whose version moves.
    moved_deps: Vec<String>,
    /// CHANGELOG.md with the release section.
    changelog: changelog::Released,
}

impl Plan {
    /// Read the manifest and changelog under `root` and work out the release for `bump`.
    fn make(root: &Path, bump: &Bump, today: NaiveDate) -> anyhow::Result<Self> {
        let mut manifest = Manifest::parse(&read(root, "Cargo.toml")?)?;
        let current = manifest.version()?;
        let next = bump.apply(&current)?;
        let moved_deps = manifest.set_version(&next)?;
        let changelog = changelog::release(
            &read(root, "CHANGELOG.md")?,
            &next,
            today,
            &manifest.repository()?,
        )?;
        Ok(Self {
            current,
            next,
            manifest: manifest.to_string(),
            moved_deps,
            changelog,
        })
    }

    /// The tag of the release.
    fn tag(&self) -> String {
        format!("v{}", self.next)
    }

    /// Say what the release changes.
    fn print(&self) {
        println!(
            "release: {} -> {} (tag {}); workspace version and path dependencies {}",
            self.current,
            self.next,
            self.tag(),
            self.moved_deps.join(", ")
        );
        println!(
            "release: CHANGELOG.md gains\n\n{}\n",
            self.changelog.section
        );
    }

    /// Write the manifest and changelog under `root`, let cargo record the new versions in
    /// `Cargo.lock`, and generate the API document again (it states the version).
    fn write(&self, root: &Path) -> anyhow::Result<()> {
        write(root, "Cargo.toml", &self.manifest)?;
        write(root, "CHANGELOG.md", &self.changelog.changelog)?;
        Cmd::cargo(&["update", "--workspace"]).run(root)?;
        codegen::write(root)
    }
}

/// Run `cargo xtask release` with `args`.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let root = cmd::workspace_root()?;
    let plan = Plan::make(&root, &args.bump, Utc::now().date_naive())?;
    plan.print();
    if args.dry_run {
        println!("release: dry run: nothing is written; checking the tree as it is");
    } else {
        ensure_releasable(&root, &plan.tag())?;
        plan.write(&root)?;
    }
    check(&root, args).with_context(|| {
        if args.dry_run {
            "the release would fail".to_owned()
        } else {
            format!(
                "release stopped; undo its edits with `git checkout -- {}`",
                RELEASE_FILES.join(" ")
            )
        }
    })?;
    if args.dry_run {
        println!("release: dry run passed; {} was not made", plan.tag());
        return Ok(());
    }
    commit_and_tag(&root, &plan)?;
    println!(
        "release: made {tag}; publish with `git push --follow-tags` and `cargo publish --workspace`",
        tag = plan.tag()
    );
    Ok(())
}

/// The gates (unless skipped), then packaging.
fn check(root: &Path, args: &Args) -> anyhow::Result<()> {
    if args.skip_gates {
        println!("release: CI gates skipped (--skip-gates)");
    } else {
        ci::run_every_gate(root)?;
    }
    package(root, !args.no_verify)
}

/// `cargo package` the publishable crates in one run, building each package unless `verify`
/// is off. `--allow-dirty`: a real release has just edited three files in a tree it checked
/// was clean, and a dry run may be run on work in progress; neither publishes anything.
fn package(root: &Path, verify: bool) -> anyhow::Result<()> {
    let crates = publishable(root)?;
    println!("release: packaging {}", crates.join(", "));
    let mut args = vec!["package".to_owned(), "--allow-dirty".to_owned()];
    if !verify {
        args.push("--no-verify".to_owned());
    }
    for name in &crates {
        args.extend(["--package".to_owned(), name.clone()]);
    }
    Cmd::cargo(&args).run(root)
}

/// The workspace's crates that may be published (`publish` not `false`), from
/// `cargo metadata`.
fn publishable(root: &Path) -> anyhow::Result<Vec<String>> {
    let json = Cmd::cargo(&["metadata", "--no-deps", "--format-version", "1"]).read(root)?;
    let metadata: serde_json::Value =
        serde_json::from_str(&json).context("cargo metadata printed invalid JSON")?;
    let crates: Vec<String> = metadata["packages"]
        .as_array()
        .context("cargo metadata has no packages")?
        .iter()
        .filter(|p| p["publish"].as_array().is_none_or(|r| !r.is_empty()))
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    if crates.is_empty() {
        bail!("no crate of the workspace can be published");
    }
    Ok(crates)
}

/// A real release needs a clean work tree (so the release commit holds only the release)
/// and a tag that does not exist yet.
fn ensure_releasable(root: &Path, tag: &str) -> anyhow::Result<()> {
    let changes = Cmd::git(&["status", "--porcelain"]).read(root)?;
    if !changes.trim().is_empty() {
        bail!("the work tree has uncommitted changes; commit or stash them first:\n{changes}");
    }
    if !Cmd::git(&["tag", "--list", tag])
        .read(root)?
        .trim()
        .is_empty()
    {
        bail!("the tag {tag} exists already");
    }
    Ok(())
}

/// Commit the release files and tag the commit.
fn commit_and_tag(root: &Path, plan: &Plan) -> anyhow::Result<()> {
    let tag = plan.tag();
    let message = format!("Release {tag}");
    let mut commit = vec!["commit", "--message", &message, "--"];
    commit.extend(RELEASE_FILES);
    Cmd::git(&commit).run(root)?;
    Cmd::git(&["tag", "--annotate", &tag, "--message", &message]).run(root)
}

/// The text of `name` under `root`.
fn read(root: &Path, name: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(root.join(name)).with_context(|| format!("reading {name}"))
}

/// Replace `name` under `root` with `text`.
fn write(root: &Path, name: &str, text: &str) -> anyhow::Result<()> {
    std::fs::write(root.join(name), text).with_context(|| format!("writing {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_for_this_workspace_moves_every_crate_and_the_changelog() {
        let root = cmd::workspace_root().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let plan = Plan::make(&root, &Bump::Major, today).unwrap();
        assert_eq!(plan.next, Version::new(plan.current.major + 1, 0, 0));
        assert_eq!(
            plan.moved_deps,
            [
                "omi-model",
                "omi-api",
                "omi-extract",
                "omi-client",
                "omi-mcp",
                "omi-server"
            ]
        );
        let heading = format!("## [{}] - 2026-11-27", plan.next);
        assert!(
            plan.changelog.section.starts_with(&heading),
            "{}",
            plan.changelog.section
        );
        assert!(plan.changelog.changelog.contains("## [Unreleased]\n\n## ["));
    }

    #[test]
    fn every_published_crate_has_the_metadata_crates_io_shows() {
        let root = cmd::workspace_root().unwrap();
        let json = Cmd::cargo(&["metadata", "--no-deps", "--format-version", "1"])
            .read(&root)
            .unwrap();
        let metadata: serde_json::Value = serde_json::from_str(&json).unwrap();
        let published = publishable(&root).unwrap();
        for package in metadata["packages"].as_array().unwrap() {
            let name = package["name"].as_str().unwrap();
            if !published.iter().any(|p| p == name) {
                continue;
            }
            for field in ["description", "license", "repository", "readme"] {
                let value = package[field].as_str().unwrap_or_default();
                assert!(!value.is_empty(), "{name} has no {field}");
            }
            for field in ["keywords", "categories"] {
                let values = package[field].as_array().map_or(0, Vec::len);
                assert!(values > 0, "{name} has no {field}");
            }
        }
    }

    #[test]
    fn only_the_published_crates_are_packaged() {
        let root = cmd::workspace_root().unwrap();
        let mut crates = publishable(&root).unwrap();
        crates.sort();
        assert_eq!(
            crates,
            [
                "omi-api",
                "omi-client",
                "omi-extract",
                "omi-mcp",
                "omi-model",
                "omi-server"
            ]
        );
    }
}
