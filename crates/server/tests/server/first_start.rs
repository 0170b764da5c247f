//! The first start of the real binary on an empty database: demo credentials printed once, or
//! none with `--no-demo` (`OMI_NO_DEMO`), as a deployment wants.

use std::time::Duration;

use crate::common::eventually_within;
use crate::process::{ServerProcess, demo, read};

/// Start the binary over `database` with `options` and return what it printed once `until`
/// is out (the first-start lines come after the port answers).
async fn first_start_output(
    dir: &tempfile::TempDir,
    database: &str,
    options: &[&str],
    until: &str,
) -> String {
    let mut server = ServerProcess::spawn(database, dir.path().join("server.log"), options);
    server.ready(&reqwest::Client::new()).await;
    let log = server.log.clone();
    let printed = eventually_within("the first-start lines", Duration::from_secs(10), || {
        let text = read(&log);
        async move { text.contains(until).then_some(text) }
    })
    .await;
    server.kill();
    printed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_start_prints_demo_credentials() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let database = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let log = first_start_output(&dir, &database, &[], "omi_dev_").await;
    assert!(log.contains("Demo credentials"), "{log}");
    assert!(log.contains("omi_dev_"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_demo_starts_without_demo_credentials() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let database = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let log = first_start_output(
        &dir,
        &database,
        &["--no-demo"],
        "no demo credentials (--no-demo)",
    )
    .await;
    assert!(!log.contains("omi_dev_"), "no key was printed: {log}");
    // No demo user was made: `omi-server demo` can still make one on this database.
    let creds = demo(&database);
    assert_eq!(creds["uid"], "demo-user");
}
