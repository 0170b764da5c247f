//! Faults the tests of the real binary inject, named by the `OMI_TEST_FAULT` environment
//! variable (unset in any real deployment: then every hook here does nothing).
//!
//! - `stall-after-create-commit`: a create that committed (what it made and its
//!   `Idempotency-Key` answer) stalls before answering, so a test can `kill -9` the process
//!   between the commit and the answer.

use std::sync::OnceLock;
use std::time::Duration;

/// The environment variable naming the fault to inject.
pub const VARIABLE: &str = "OMI_TEST_FAULT";

/// The fault that stalls a committed create before its answer.
pub const STALL_AFTER_CREATE_COMMIT: &str = "stall-after-create-commit";

fn injected() -> Option<&'static str> {
    static FAULT: OnceLock<Option<String>> = OnceLock::new();
    FAULT
        .get_or_init(|| std::env::var(VARIABLE).ok())
        .as_deref()
}

/// Called after a create committed, before it answers.
pub(crate) async fn after_create_commit() {
    if injected() == Some(STALL_AFTER_CREATE_COMMIT) {
        tracing::warn!(
            fault = STALL_AFTER_CREATE_COMMIT,
            "create committed; stalling before the answer"
        );
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}
