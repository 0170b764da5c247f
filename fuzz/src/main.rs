//! `omi-fuzz`: run the fuzz targets for a time budget, or replay the saved inputs (see
//! [`omi_fuzz::cli`]).
//!
//! Usually run through `cargo xtask fuzz`, which replays and then fuzzes. Exits with 1 when
//! a new input panics (`run`) or a saved one does again (`replay`).

fn main() -> std::process::ExitCode {
    omi_fuzz::cli::main(std::env::args())
}
