//! Wire-level tests of the fake providers: each protocol streaming and not, each fault, key
//! checking, recording, shutdown and the `fake-llm` binary. Everything runs on 127.0.0.1.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod anthropic;
mod common;
mod faults;
mod gemini;
mod openai;
mod session;
