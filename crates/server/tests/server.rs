//! omi-server's integration tests, linked as one binary; the modules live in `tests/server/`.
//!
//! Every test starts a real server on `127.0.0.1:0` over a SQLite file in a temporary folder
//! and talks plain HTTP to it, the way an app written for OMI's cloud would. Each module holds
//! one area, one test per rule, named for the rule:
//!
//! - `integration`, `memories`: every endpoint's success path, with the spec's examples.
//! - `conversations`, `action_items`: the Developer API's conversations and action items,
//!   rule by rule.
//! - `auth`: the credential matrix, with OMI's exact statuses and details.
//! - `validation`: every input rule over HTTP: 4xx in FastAPI's shape, never a 500.
//! - `first_start`: demo credentials printed on an empty database's first start, or none with
//!   `--no-demo`.
//! - `hostile`: a few hundred generated hostile texts through every text route of the real
//!   binary, on SQLite and PostgreSQL: no dropped connection, no 5xx, nothing stuck `processing`;
//!   slow clients cut off.
//! - `idempotency`: a create killed between its commit and its answer gives that answer to
//!   its retry, and concurrent requests with one `Idempotency-Key` create once (SQLite and
//!   PostgreSQL).
//! - `jobs`: asynchronous processing to `completed` (or `failed`), memory extraction, and
//!   no duplicate memories.
//! - `mcp`: rmcp's client over Streamable HTTP and over stdio (the binary, on a local
//!   database and as a proxy): the tools, their scopes and errors, paging, the REST view.
//! - `migrate`: `admin migrate-data` copies a database so that the copy reads the same through
//!   the API, and refuses to copy onto data (PostgreSQL cases with `OMI_TEST_POSTGRES_URL`).
//! - `openapi`: the OpenAPI document against the router, both ways, and the reference page.
//! - `overload`: beyond `--max-in-flight` requests, 503 with `Retry-After` at once; health and
//!   metrics still answer; the next request after the load drops goes through.
//! - `pagination`: order, bounds and filters of the lists.
//! - `rate_limit`: the cloud preset's 429 and the `X-RateLimit-*` headers.
//! - `retention`: finished jobs are purged after their retention, nothing else is, on SQLite
//!   and PostgreSQL.
//! - `restart`: the real binary killed with SIGKILL loses nothing it acknowledged.
//! - `replicas`: two and three processes on one PostgreSQL database run every job exactly
//!   once (`OMI_TEST_POSTGRES_URL`).
//! - `outage`: while PostgreSQL cannot be reached, 503 with a JSON detail, fast; recovery
//!   without a restart, nothing acknowledged lost (`OMI_TEST_POSTGRES_URL`).
//! - `postgres_text`: a NUL character in text is the same 422 on SQLite and PostgreSQL (which
//!   cannot store it); in a path id, a 422 on PostgreSQL.
//! - `process`: helpers to run the real binary.
//! - `webhooks`: a local receiver hears every event signed (Standard Webhooks), in order per
//!   record; a receiver answering 500 is retried, every attempt listed; deliveries pending
//!   at a kill -9 are sent after the restart; local URLs refused without
//!   `--webhooks-allow-private`.
//! - `shared_limits`: rate limits shared through Redis by several processes (with
//!   `OMI_TEST_REDIS_URL`), and failing open when Redis cannot be reached.

#[path = "server/common.rs"]
mod common;

#[path = "server/action_items.rs"]
mod action_items;
#[path = "server/auth.rs"]
mod auth;
#[path = "server/conversations.rs"]
mod conversations;
#[path = "server/first_start.rs"]
mod first_start;
#[path = "server/hostile.rs"]
mod hostile;
#[path = "server/idempotency.rs"]
mod idempotency;
#[path = "server/integration.rs"]
mod integration;
#[path = "server/jobs.rs"]
mod jobs;
#[path = "server/mcp.rs"]
mod mcp;
#[path = "server/memories.rs"]
mod memories;
#[path = "server/migrate.rs"]
mod migrate;
#[path = "server/openapi.rs"]
mod openapi;
#[path = "server/outage.rs"]
mod outage;
#[path = "server/overload.rs"]
mod overload;
#[path = "server/pagination.rs"]
mod pagination;
#[path = "server/postgres_text.rs"]
mod postgres_text;
#[path = "server/process.rs"]
mod process;
#[path = "server/rate_limit.rs"]
mod rate_limit;
#[path = "server/replicas.rs"]
mod replicas;
#[path = "server/restart.rs"]
mod restart;
#[path = "server/retention.rs"]
mod retention;
#[path = "server/semantic.rs"]
mod semantic;
#[path = "server/shared_limits.rs"]
mod shared_limits;
#[path = "server/transfer.rs"]
mod transfer;
#[path = "server/validation.rs"]
mod validation;
#[path = "server/webhooks.rs"]
mod webhooks;
