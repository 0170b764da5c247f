//! The next version, and the workspace manifest that carries it.

use std::fmt;
use std::str::FromStr;

use anyhow::{Context, bail};
use semver::Version;
use toml_edit::{DocumentMut, Item, Value};

/// Which version comes next: a semver step, or an exact version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bump {
    /// `X.Y.Z` -> `X.Y.(Z+1)`.
    Patch,
    /// `X.Y.Z` -> `X.(Y+1).0`.
    Minor,
    /// `X.Y.Z` -> `(X+1).0.0`.
    Major,
    /// Exactly this version.
    Exact(Version),
}

impl Bump {
    /// The version after `current`; an error unless it is greater.
    pub(crate) fn apply(&self, current: &Version) -> anyhow::Result<Version> {
        let (major, minor, patch) = (current.major, current.minor, current.patch);
        let next = match self {
            Self::Patch => Version::new(major, minor, patch + 1),
            Self::Minor => Version::new(major, minor + 1, 0),
            Self::Major => Version::new(major + 1, 0, 0),
            Self::Exact(v) => v.clone(),
        };
        if next <= *current {
            bail!("the next version must be greater than the current {current}, not {next}");
        }
        Ok(next)
    }
}

impl FromStr for Bump {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "patch" => Ok(Self::Patch),
            "minor" => Ok(Self::Minor),
            "major" => Ok(Self::Major),
            _ => Version::parse(s.strip_prefix('v').unwrap_or(s))
                .map(Self::Exact)
                .map_err(|e| format!("{s:?} is not patch, minor, major or a version X.Y.Z: {e}")),
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Patch => f.write_str("patch"),
            Self::Minor => f.write_str("minor"),
            Self::Major => f.write_str("major"),
            Self::Exact(v) => write!(f, "{v}"),
        }
    }
}

/// The root `Cargo.toml`, parsed so that an edit keeps its comments and layout.
#[derive(Debug)]
pub(crate) struct Manifest(DocumentMut);

impl Manifest {
    /// Parse the text of the workspace manifest.
    pub(crate) fn parse(text: &str) -> anyhow::Result<Self> {
        text.parse()
            .map(Self)
            .context("the workspace Cargo.toml is not valid TOML")
    }

    /// `[workspace.package] version`, which every crate inherits.
    pub(crate) fn version(&self) -> anyhow::Result<Version> {
        let raw = self.0["workspace"]["package"]["version"]
            .as_str()
            .context("the workspace Cargo.toml has no [workspace.package] version")?;
        Version::parse(raw).with_context(|| format!("[workspace.package] version {raw:?}"))
    }

    /// The repository URL of `[workspace.package]`, without a trailing slash.
    pub(crate) fn repository(&self) -> anyhow::Result<String> {
        self.0["workspace"]["package"]["repository"]
            .as_str()
            .map(|url| url.trim_end_matches('/').to_owned())
            .context("the workspace Cargo.toml has no [workspace.package] repository")
    }

    /// Set the workspace version to `next`, and the `version` of every path dependency in
    /// `[workspace.dependencies]` (our own crates) with it, so the published crates require
    /// each other at the version they are released with. Returns the names of the
    /// dependencies changed.
    pub(crate) fn set_version(&mut self, next: &Version) -> anyhow::Result<Vec<String>> {
        let next = next.to_string();
        let package = self.0["workspace"]["package"]["version"]
            .as_value_mut()
            .context("the workspace Cargo.toml has no [workspace.package] version")?;
        replace_keeping_decor(package, &next);
        let deps = self.0["workspace"]["dependencies"]
            .as_table_like_mut()
            .context("the workspace Cargo.toml has no [workspace.dependencies]")?;
        let mut changed = Vec::new();
        for (name, dep) in deps.iter_mut() {
            let Some(dep) = dep.as_table_like_mut() else {
                continue;
            };
            if !dep.contains_key("path") {
                continue;
            }
            let version = dep
                .get_mut("version")
                .and_then(Item::as_value_mut)
                .with_context(|| format!("the path dependency {name} has no version"))?;
            replace_keeping_decor(version, &next);
            changed.push(name.get().to_owned());
        }
        Ok(changed)
    }
}

impl fmt::Display for Manifest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Replace `value` with the string `text`, keeping the spaces and comments around it.
fn replace_keeping_decor(value: &mut Value, text: &str) {
    let decor = value.decor().clone();
    *value = Value::from(text);
    *value.decor_mut() = decor;
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"[workspace]
members = ["crates/model", "crates/api"]

[workspace.package]
version = "0.1.0" # the one version
edition = "2024"
repository = "https://github.com/example/omi-rs/"

[workspace.dependencies]
# Our crates
omi-model = { path = "crates/model", version = "0.1.0" }
omi-api = { path = "crates/api", version = "0.1.0" }

serde = { version = "1", features = ["derive"] }
anyhow = "1"
"#;

    #[track_caller]
    fn check(bump: &str, from: &str, expected: &str) {
        let bump: Bump = bump.parse().unwrap();
        let next = bump.apply(&Version::parse(from).unwrap()).unwrap();
        assert_eq!(next.to_string(), expected);
    }

    #[test]
    fn steps_follow_semver() {
        check("patch", "0.1.0", "0.1.1");
        check("minor", "0.1.7", "0.2.0");
        check("major", "0.9.3", "1.0.0");
        check("1.2.3", "0.1.0", "1.2.3");
        check("v0.3.0", "0.2.9", "0.3.0");
    }

    #[test]
    fn a_version_that_does_not_move_forward_is_refused() {
        let current = Version::parse("0.2.0").unwrap();
        assert!(Bump::Exact(Version::new(0, 2, 0)).apply(&current).is_err());
        assert!(Bump::Exact(Version::new(0, 1, 9)).apply(&current).is_err());
    }

    #[test]
    fn an_unknown_bump_is_refused_with_the_accepted_words() {
        let error = "next".parse::<Bump>().unwrap_err();
        assert!(error.contains("patch, minor, major"), "{error}");
    }

    #[test]
    fn the_workspace_version_and_our_path_dependencies_move_together_and_nothing_else() {
        let mut manifest = Manifest::parse(MANIFEST).unwrap();
        assert_eq!(manifest.version().unwrap(), Version::new(0, 1, 0));
        let changed = manifest.set_version(&Version::new(0, 2, 0)).unwrap();
        assert_eq!(changed, ["omi-model", "omi-api"]);
        let expected = MANIFEST
            .replace(r#"version = "0.1.0" #"#, r#"version = "0.2.0" #"#)
            .replace(r#"version = "0.1.0" }"#, r#"version = "0.2.0" }"#);
        assert_eq!(manifest.to_string(), expected);
        assert_eq!(manifest.version().unwrap(), Version::new(0, 2, 0));
    }

    #[test]
    fn the_repository_loses_its_trailing_slash() {
        let manifest = Manifest::parse(MANIFEST).unwrap();
        assert_eq!(
            manifest.repository().unwrap(),
            "https://github.com/example/omi-rs"
        );
    }

    #[test]
    fn a_path_dependency_without_a_version_is_an_error() {
        let text = MANIFEST.replace(
            r#"path = "crates/api", version = "0.1.0""#,
            r#"path = "crates/api""#,
        );
        let mut manifest = Manifest::parse(&text).unwrap();
        let error = manifest.set_version(&Version::new(0, 2, 0)).unwrap_err();
        assert!(error.to_string().contains("omi-api"), "{error}");
    }
}
