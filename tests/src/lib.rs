//! `omi-tests`: the workspace's shared contract suite (not published). The lib is empty; the
//! suite is the one test binary `tests/contract.rs`, generic over the `omi-api` traits and
//! run both in-process and over HTTP against a fresh server per test.
