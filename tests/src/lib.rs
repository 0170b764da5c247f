//! The shared contract suite of the omi workspace (see `tests/`).
