//! Running external commands from the workspace root, and showing them as a shell would.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The workspace root: the parent of this crate's directory.
pub(crate) fn workspace_root() -> anyhow::Result<PathBuf> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .with_context(|| format!("{} has no parent directory", manifest_dir.display()))
}

/// The cargo that runs us (`$CARGO`, set by `cargo run`), or `cargo` from `PATH`.
pub(crate) fn cargo_program() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// A command: a program, its arguments and extra environment variables.
///
/// `Display` shows it as a shell line (`RUSTDOCFLAGS='-D warnings' cargo doc`), with the
/// program's short name rather than its full path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cmd {
    /// The name shown for the program (`cargo`).
    name: &'static str,
    /// What is actually executed.
    program: OsString,
    /// The arguments.
    args: Vec<String>,
    /// Variables set on top of the inherited environment.
    env: Vec<(String, String)>,
}

impl Cmd {
    /// `cargo <args>`, run with [`cargo_program`].
    pub(crate) fn cargo<S: AsRef<str>>(args: &[S]) -> Self {
        Self::new("cargo", cargo_program(), args)
    }

    /// `git <args>`, run with `git` from `PATH`.
    pub(crate) fn git<S: AsRef<str>>(args: &[S]) -> Self {
        Self::new("git", "git".into(), args)
    }

    /// `program` shown as `name`, with `args` and no extra environment.
    fn new<S: AsRef<str>>(name: &'static str, program: OsString, args: &[S]) -> Self {
        Self {
            name,
            program,
            args: args.iter().map(|a| a.as_ref().to_owned()).collect(),
            env: Vec::new(),
        }
    }

    /// The same command with `key=value` in its environment.
    pub(crate) fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Run it in `dir`, its output going straight to ours; an error unless it exits with 0.
    pub(crate) fn run(&self, dir: &Path) -> anyhow::Result<()> {
        let status = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .status()
            .with_context(|| format!("could not start `{self}`"))?;
        if !status.success() {
            bail!("`{self}` failed ({status})");
        }
        Ok(())
    }

    /// Run it in `dir` and return what it printed on stdout (its stderr going to ours); an
    /// error unless it exits with 0.
    pub(crate) fn read(&self, dir: &Path) -> anyhow::Result<String> {
        let output = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .stderr(std::process::Stdio::inherit())
            .output()
            .with_context(|| format!("could not start `{self}`"))?;
        if !output.status.success() {
            bail!("`{self}` failed ({})", output.status);
        }
        String::from_utf8(output.stdout).with_context(|| format!("`{self}` printed non-UTF-8"))
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.env {
            write!(f, "{key}={} ", shell_quote(value))?;
        }
        f.write_str(self.name)?;
        for arg in &self.args {
            write!(f, " {}", shell_quote(arg))?;
        }
        Ok(())
    }
}

/// `word` as a shell would need it typed: as is when it is plain, else in single quotes.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=./:,+@".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_is_shown_as_a_shell_line() {
        let cmd = Cmd::cargo(&["doc", "--workspace"]).env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(
            cmd.to_string(),
            "RUSTDOCFLAGS='-D warnings' cargo doc --workspace"
        );
    }

    #[test]
    fn plain_words_are_not_quoted_and_others_are() {
        assert_eq!(shell_quote("--all-targets"), "--all-targets");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn the_workspace_root_holds_the_workspace_manifest() {
        let root = workspace_root().unwrap();
        assert!(root.join("Cargo.toml").is_file());
        assert!(root.join("xtask").is_dir());
    }
}
