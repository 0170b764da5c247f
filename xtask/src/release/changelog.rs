//! `CHANGELOG.md` in Keep a Changelog form: a release moves the `Unreleased` section under a
//! heading of its own and updates the comparison links at the bottom.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use semver::Version;

/// The heading that collects changes not yet released.
const UNRELEASED: &str = "## [Unreleased]";

/// A changelog after a release.
#[derive(Debug)]
pub(crate) struct Released {
    /// The whole new text.
    pub(crate) changelog: String,
    /// The release's own section: its heading and changes.
    pub(crate) section: String,
}

/// `changelog` with its `Unreleased` changes released as `version` on `date`: an empty
/// `Unreleased` section stays on top, the changes follow under `## [version] - date`, and the
/// link definitions point `[Unreleased]` at the changes since `v{version}` and `[version]`
/// at the changes since the previous release (or at its tag when it is the first).
///
/// An error when there is no `Unreleased` section or it lists nothing: a release without
/// changes is a mistake.
pub(crate) fn release(
    changelog: &str,
    version: &Version,
    date: NaiveDate,
    repository: &str,
) -> anyhow::Result<Released> {
    let lines: Vec<&str> = changelog.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == UNRELEASED)
        .with_context(|| format!("CHANGELOG.md has no `{UNRELEASED}` heading"))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## ") || is_link_definition(l))
        .map_or(lines.len(), |i| start + 1 + i);
    let changes = lines[start + 1..end].join("\n");
    let changes = changes.trim();
    if changes.is_empty() {
        bail!("CHANGELOG.md's Unreleased section lists no change: nothing to release");
    }
    let previous = lines[end..].iter().find_map(|l| released_version(l));
    let links = [
        format!("[Unreleased]: {repository}/compare/v{version}...HEAD"),
        match previous {
            Some(p) => format!("[{version}]: {repository}/compare/v{p}...v{version}"),
            None => format!("[{version}]: {repository}/releases/tag/v{version}"),
        },
    ];
    let section = format!("## [{version}] - {date}\n\n{changes}");
    let mut out: Vec<String> = lines[..start].iter().map(|l| (*l).to_owned()).collect();
    out.extend([
        UNRELEASED.to_owned(),
        String::new(),
        section.clone(),
        String::new(),
    ]);
    let mut rest: Vec<String> = lines[end..]
        .iter()
        .filter(|l| !l.starts_with("[Unreleased]:"))
        .map(|l| (*l).to_owned())
        .collect();
    let first_link = rest
        .iter()
        .position(|l| is_link_definition(l))
        .unwrap_or(rest.len());
    if first_link == rest.len() && rest.last().is_some_and(|l| !l.is_empty()) {
        rest.push(String::new());
    }
    rest.splice(first_link..first_link, links);
    out.extend(rest);
    Ok(Released {
        changelog: out.join("\n") + "\n",
        section,
    })
}

/// Whether `line` defines a Markdown link reference (`[0.1.0]: https://...`).
fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.contains("]: ")
}

/// The version of a release heading (`## [0.1.0] - 2026-01-02`).
fn released_version(line: &str) -> Option<Version> {
    let rest = line.strip_prefix("## [")?;
    let (version, _) = rest.split_once(']')?;
    Version::parse(version).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPO: &str = "https://github.com/example/omi-rs";

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    const FIRST: &str = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Added\n\n- A thing.\n\n[Unreleased]: https://github.com/example/omi-rs/commits/main\n";

    #[test]
    fn the_first_release_takes_the_unreleased_changes_and_links_its_tag() {
        let out = release(FIRST, &Version::new(0, 1, 0), date(), REPO)
            .unwrap()
            .changelog;
        assert_eq!(
            out,
            "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [0.1.0] - 2026-11-27\n\n### Added\n\n- A thing.\n\n\
             [Unreleased]: https://github.com/example/omi-rs/compare/v0.1.0...HEAD\n\
             [0.1.0]: https://github.com/example/omi-rs/releases/tag/v0.1.0\n"
        );
    }

    #[test]
    fn a_later_release_compares_with_the_previous_one_and_keeps_older_sections() {
        let first = release(FIRST, &Version::new(0, 1, 0), date(), REPO)
            .unwrap()
            .changelog;
        let second = first.replace(
            "## [Unreleased]\n",
            "## [Unreleased]\n\n### Fixed\n\n- Another thing.\n",
        );
        let out = release(&second, &Version::new(0, 1, 1), date(), REPO).unwrap();
        assert_eq!(
            out.section,
            "## [0.1.1] - 2026-11-27\n\n### Fixed\n\n- Another thing."
        );
        let out = out.changelog;
        assert!(out.contains(
            "## [Unreleased]\n\n## [0.1.1] - 2026-11-27\n\n### Fixed\n\n- Another thing.\n\n## [0.1.0] - 2026-11-27\n\n### Added\n"
        ), "{out}");
        assert!(
            out.ends_with(
                "[Unreleased]: https://github.com/example/omi-rs/compare/v0.1.1...HEAD\n\
             [0.1.1]: https://github.com/example/omi-rs/compare/v0.1.0...v0.1.1\n\
             [0.1.0]: https://github.com/example/omi-rs/releases/tag/v0.1.0\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn an_empty_unreleased_section_is_not_released() {
        let empty = "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-01-01\n\n- Old.\n";
        let error = release(empty, &Version::new(0, 2, 0), date(), REPO).unwrap_err();
        assert!(error.to_string().contains("lists no change"), "{error}");
    }

    #[test]
    fn a_changelog_without_an_unreleased_section_is_an_error() {
        let error = release("# Changelog\n", &Version::new(0, 2, 0), date(), REPO).unwrap_err();
        assert!(
            error.to_string().contains("no `## [Unreleased]`"),
            "{error}"
        );
    }

    #[test]
    fn links_are_added_when_the_changelog_had_none() {
        let bare = "# Changelog\n\n## [Unreleased]\n\n- New.\n";
        let out = release(bare, &Version::new(1, 0, 0), date(), REPO)
            .unwrap()
            .changelog;
        assert!(
            out.ends_with(
                "- New.\n\n[Unreleased]: https://github.com/example/omi-rs/compare/v1.0.0...HEAD\n\
             [1.0.0]: https://github.com/example/omi-rs/releases/tag/v1.0.0\n"
            ),
            "{out}"
        );
    }
}
