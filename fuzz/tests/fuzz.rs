//! The fuzzer as a test target without the test harness: `cargo test --workspace --test fuzz
//! -- run --seconds 20` fuzzes with the features and artifacts of the workspace's test build
//! (what `cargo xtask fuzz --dev` and CI run); plain `cargo test` replays the saved inputs.

/// The fuzzer's commands; any other arguments (a test filter, `--nocapture`) are libtest's,
/// given to every test binary, and mean a plain replay here.
const COMMANDS: &[&str] = &["run", "replay", "list", "help", "--help", "-h"];

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    if !args.get(1).is_some_and(|a| COMMANDS.contains(&a.as_str())) {
        args.truncate(1);
    }
    omi_fuzz::cli::main(args)
}
