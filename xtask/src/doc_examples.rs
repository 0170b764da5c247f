//! `cargo xtask doc-examples`: every Rust example of the published library crates' READMEs
//! and rustdoc comments compiles in a crate that depends on that library alone, as a user's
//! crate would.
//!
//! Doctests cannot tell: they see every dependency and dev-dependency of the crate they
//! document, so an example that imports `omi_model` from omi-client's docs, or `chrono` from
//! omi-model's, passes there and fails for the user who copies it (issue 24). So for each
//! library this writes a scratch crate under `target/doc-examples/<crate>/` whose only
//! dependencies are that library (by path) and the few crates an example may take on its
//! own ([`EXTRA_DEPENDENCIES`]), puts each example in a module of its own, and builds it
//! offline against a copy of the workspace's `Cargo.lock` (nothing is downloaded). The
//! scratch crates share one target directory, `target/doc-examples/target`, so a second run
//! compiles only the examples.
//!
//! The workspace README's examples are checked too, each in the scratch crate of the library
//! it uses.
//!
//! Examples are taken as rustdoc takes them: fenced blocks with no language, `rust` or
//! `no_run` (and `should_panic`) are Rust; `ignore`, `text`, `compile_fail` and any other
//! language are not. Lines hidden with `# ` are kept; a block without `fn main` is wrapped in
//! one. Examples are compiled, not run: the doctests of `cargo test` run them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::cmd::{self, Cmd};

/// The library crates whose examples are checked: `(package, directory under the root)`.
const CRATES: &[(&str, &str)] = &[
    ("omi-model", "crates/model"),
    ("omi-api", "crates/api"),
    ("omi-client", "crates/client"),
];

/// What a user's crate may add beside the library for an example: `serde_json` to show a
/// wire form. Async examples need no runtime to compile (they define `async fn`s), and
/// omi-client re-exports `futures`.
const EXTRA_DEPENDENCIES: &str = r#"serde_json = "1""#;

/// The scratch crates' home, relative to the workspace root.
const SCRATCH_DIR: &str = "target/doc-examples";

/// Options of `cargo xtask doc-examples`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Write the scratch crates and print what would be built, without building.
    #[arg(long)]
    dry_run: bool,

    /// Check only this crate (repeat for several; default: all of them).
    #[arg(long = "crate", value_name = "PACKAGE", value_parser = crate_names())]
    crates: Vec<String>,
}

/// The package names `--crate` accepts.
fn crate_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(CRATES.iter().map(|(name, _)| *name))
}

/// One example: where it is, and its code as rustdoc compiles it.
#[derive(Debug, PartialEq, Eq)]
struct Example {
    /// `path:line` of its opening fence.
    origin: String,
    /// Its code, hidden lines included.
    code: String,
}

/// Run `cargo xtask doc-examples`.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let root = cmd::workspace_root()?;
    let target = root.join(SCRATCH_DIR).join("target");
    let mut failed = Vec::new();
    for (name, dir) in CRATES {
        if !args.crates.is_empty() && !args.crates.iter().any(|c| c == name) {
            continue;
        }
        let mut examples = crate_examples(&root.join(dir), &root)?;
        examples.extend(root_readme_examples(&root, name)?);
        let scratch = write_scratch(&root, name, dir, &examples)?;
        let manifest = scratch.join("Cargo.toml");
        println!(
            "doc-examples: {name}: {} examples in {}",
            examples.len(),
            scratch.display()
        );
        let manifest = manifest.to_string_lossy();
        let target = target.to_string_lossy();
        let build = Cmd::cargo(&[
            "build",
            "--offline",
            "--quiet",
            "--manifest-path",
            manifest.as_ref(),
            "--target-dir",
            target.as_ref(),
        ]);
        if args.dry_run {
            println!("doc-examples: would run {build}");
        } else if let Err(e) = build.run(&root) {
            eprintln!("doc-examples: {name}: {e:#}");
            failed.push(*name);
        }
    }
    if !failed.is_empty() {
        bail!(
            "examples of {} do not compile in a crate that depends on it alone \
             (the errors above name the example's file and line in a comment of the scratch crate)",
            failed.join(", ")
        );
    }
    Ok(())
}

/// Every example of the crate in `dir`: its README's, then its sources' (in path order).
fn crate_examples(dir: &Path, root: &Path) -> anyhow::Result<Vec<Example>> {
    let mut examples = Vec::new();
    let readme = dir.join("README.md");
    let text = std::fs::read_to_string(&readme)
        .with_context(|| format!("reading {}", readme.display()))?;
    examples.extend(markdown_examples(&relative(&readme, root), &text));
    let mut sources = Vec::new();
    rust_files(&dir.join("src"), &mut sources)?;
    sources.sort();
    for path in sources {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        examples.extend(rustdoc_examples(&relative(&path, root), &text));
    }
    Ok(examples)
}

/// The examples of the workspace's README that belong to `name`: those that use it and no
/// crate that depends on it (an example of omi-client also names `omi_client::model`).
fn root_readme_examples(root: &Path, name: &str) -> anyhow::Result<Vec<Example>> {
    let readme = root.join("README.md");
    let text = std::fs::read_to_string(&readme).context("reading README.md")?;
    let examples = markdown_examples("README.md", &text);
    Ok(examples
        .into_iter()
        .filter(|e| owner(&e.code) == Some(name))
        .collect())
}

/// The library an example is about: the last of [`CRATES`] (the most dependent) whose
/// path (`omi_client::`...) it uses.
fn owner(code: &str) -> Option<&'static str> {
    CRATES
        .iter()
        .rev()
        .map(|(name, _)| *name)
        .find(|name| code.contains(&format!("{}::", name.replace('-', "_"))))
}

/// `path` relative to `root`, for messages.
fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The Rust examples of a Markdown text.
fn markdown_examples(origin: &str, text: &str) -> Vec<Example> {
    fenced_examples(origin, text.lines().enumerate().map(|(i, l)| (i + 1, l)))
}

/// The Rust examples of the doc comments (`//!`, `///`) of a Rust source.
fn rustdoc_examples(origin: &str, text: &str) -> Vec<Example> {
    let doc_lines = text.lines().enumerate().filter_map(|(i, line)| {
        let trimmed = line.trim_start();
        let content = trimmed.strip_prefix("//!").or_else(|| {
            trimmed
                .strip_prefix("///")
                .filter(|_| !trimmed.starts_with("////"))
        })?;
        Some((i + 1, content.strip_prefix(' ').unwrap_or(content)))
    });
    fenced_examples(origin, doc_lines)
}

/// The Rust examples among fenced blocks of numbered lines.
fn fenced_examples<'a>(
    origin: &str,
    lines: impl Iterator<Item = (usize, &'a str)>,
) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut open: Option<(usize, bool, String)> = None;
    for (number, line) in lines {
        let trimmed = line.trim_start();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some((number, is_rust(info), String::new()));
                }
            }
            Some((start, rust, mut code)) => {
                if trimmed.starts_with("```") {
                    if rust {
                        examples.push(Example {
                            origin: format!("{origin}:{start}"),
                            code,
                        });
                    }
                } else {
                    code.push_str(unhidden(line));
                    code.push('\n');
                    open = Some((start, rust, code));
                }
            }
        }
    }
    examples
}

/// Whether a fence's info string marks a Rust example rustdoc compiles.
fn is_rust(info: &str) -> bool {
    info.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .all(|token| {
            matches!(token, "rust" | "no_run" | "should_panic") || token.starts_with("edition")
        })
}

/// A line as rustdoc compiles it: `# code` and a lone `#` are hidden lines, shown to the
/// compiler without their marker; `##` stands for `#`.
fn unhidden(line: &str) -> &str {
    let trimmed = line.trim_start();
    if trimmed == "#" {
        ""
    } else if let Some(rest) = trimmed.strip_prefix("# ") {
        rest
    } else if trimmed.starts_with("##") {
        &trimmed[1..]
    } else {
        line
    }
}

/// Write the scratch crate of `name` (at `dir` under `root`) holding `examples`; its directory.
fn write_scratch(
    root: &Path,
    name: &str,
    dir: &str,
    examples: &[Example],
) -> anyhow::Result<PathBuf> {
    let scratch = root.join(SCRATCH_DIR).join(name);
    std::fs::create_dir_all(scratch.join("src"))
        .with_context(|| format!("creating {}", scratch.display()))?;
    let library = root.join(dir);
    let manifest = format!(
        "# Written by `cargo xtask doc-examples`: a user's crate that depends on {name} alone.\n\
         [package]\n\
         name = \"doc-examples-{name}\"\n\
         version = \"0.0.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\n\
         [dependencies]\n\
         {name} = {{ path = {library:?} }}\n\
         {EXTRA_DEPENDENCIES}\n\n\
         # Not a member of the workspace it sits in.\n\
         [workspace]\n"
    );
    write_if_changed(&scratch.join("Cargo.toml"), &manifest)?;
    // Resolve offline with the versions the workspace has already locked.
    let lock = scratch.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(root.join("Cargo.lock"), &lock).context("copying Cargo.lock")?;
    }
    write_if_changed(&scratch.join("src/lib.rs"), &scratch_lib(name, examples))?;
    Ok(scratch)
}

/// Write `text` to `path` unless it already holds it (so cargo sees nothing new).
fn write_if_changed(path: &Path, text: &str) -> anyhow::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// The scratch crate's `lib.rs`: one module per example, its origin in a comment.
fn scratch_lib(name: &str, examples: &[Example]) -> String {
    let mut lib = format!(
        "//! The examples of {name}'s README and rustdoc, one module each (written by \
         `cargo xtask doc-examples`).\n\
         #![allow(warnings, clippy::all)]\n"
    );
    for (i, example) in examples.iter().enumerate() {
        let _ = writeln!(lib, "\n// {}", example.origin);
        let _ = writeln!(lib, "mod example_{i} {{");
        if example.code.contains("fn main") {
            lib.push_str(&example.code);
        } else {
            lib.push_str("fn main() {\n");
            lib.push_str(&example.code);
            lib.push_str("}\n");
        }
        lib.push_str("}\n");
    }
    lib
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_blocks_of_a_readme_are_examples_and_others_are_not() {
        let text = "# t\n```rust\nlet a = 1;\n```\n```sh\nls\n```\n```\nlet b = 2;\n```\n\
                    ```text\nx\n```\n```rust,ignore\nnope\n```\n";
        let examples = markdown_examples("README.md", text);
        assert_eq!(
            examples,
            vec![
                Example {
                    origin: "README.md:2".into(),
                    code: "let a = 1;\n".into()
                },
                Example {
                    origin: "README.md:8".into(),
                    code: "let b = 2;\n".into()
                },
            ]
        );
    }

    #[test]
    fn rustdoc_blocks_keep_hidden_lines_without_their_marker() {
        let text = "//! ```no_run\n//! use a::B;\n//! # fn run() {}\n//! #\n//! #[derive(Debug)]\n\
                    //! ```\n    /// ```\n    /// x();\n    /// ```\n//// ```\n";
        let examples = rustdoc_examples("src/lib.rs", text);
        assert_eq!(examples.len(), 2);
        assert_eq!(
            examples[0].code,
            "use a::B;\nfn run() {}\n\n#[derive(Debug)]\n"
        );
        assert_eq!(examples[1].origin, "src/lib.rs:7");
        assert_eq!(examples[1].code, "x();\n");
    }

    #[test]
    fn a_root_readme_example_belongs_to_the_most_dependent_crate_it_uses() {
        assert_eq!(
            owner("use omi_client::Client;\nuse omi_client::model::X;"),
            Some("omi-client")
        );
        assert_eq!(owner("use omi_model::{decode};"), Some("omi-model"));
        assert_eq!(owner("use omi_api::ApiError;"), Some("omi-api"));
        assert_eq!(owner("let a = 1;"), None);
    }

    #[test]
    fn each_example_is_a_module_with_a_main() {
        let lib = scratch_lib(
            "omi-x",
            &[
                Example {
                    origin: "a:1".into(),
                    code: "let a = 1;\n".into(),
                },
                Example {
                    origin: "b:2".into(),
                    code: "fn main() {}\n".into(),
                },
            ],
        );
        assert!(lib.contains("// a:1\nmod example_0 {\nfn main() {\nlet a = 1;\n}\n}\n"));
        assert!(lib.contains("// b:2\nmod example_1 {\nfn main() {}\n}\n"));
    }
}
