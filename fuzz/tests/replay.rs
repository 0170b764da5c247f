//! Every input saved under `fuzz/regressions/` runs through its target without a panic: a
//! bug the fuzzer once found stays fixed. (`cargo xtask fuzz` replays them too.)

#[test]
fn every_saved_crash_input_passes_its_target() {
    let dir = omi_fuzz::regressions_dir();
    let (count, crashes) = omi_fuzz::replay(&dir).expect("the saved inputs can be read");
    assert!(
        count > 0,
        "fuzz/regressions/ holds the inputs of the bugs found so far"
    );
    let failures: Vec<String> = crashes
        .iter()
        .map(|(path, crash)| format!("{}: {crash}", path.display()))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_panicking_target_is_caught_and_reported_with_its_location() {
    let target = omi_fuzz::Target {
        name: "panics",
        about: "panics on input starting with x",
        input: omi_fuzz::InputKind::Text,
        run: |bytes| assert!(!bytes.starts_with(b"x"), "starts with x"),
    };
    assert_eq!(omi_fuzz::run_one(&target, b"ok"), None);
    let crash = omi_fuzz::run_one(&target, b"xyz").expect("a crash");
    assert!(crash.message.contains("starts with x"), "{crash}");
    assert!(crash.location.contains("replay.rs"), "{crash}");
    let short = omi_fuzz::shorten(&target, b"xyzzy".to_vec(), &crash);
    assert_eq!(short, b"x");
}
