//! Integration tests of the agents runtime against a wire-level fake model, on SQLite and —
//! where `CISTERN_TEST_POSTGRES_URL` is set (scripts/test.sh) — on PostgreSQL.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod compaction;
mod consistency;
mod helpers;
mod isolation;
mod memory;
mod retry;
mod streaming;
mod tools;
