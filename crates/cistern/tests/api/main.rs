//! Integration tests of the `cistern` server: the real application, booted by [`helpers::TestApp`].
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod agent;
mod agent_cli;
mod auth;
mod auth_walk;
mod binary;
mod chat;
mod chat_cli;
mod chat_memory;
mod codegen;
mod codegen_cli;
mod edge;
mod extensions;
mod health;
mod helpers;
mod jobs;
mod llm;
mod llm_sdk;
#[cfg(feature = "local-model")]
mod local_model;
mod oidc;
mod openapi;
mod paging;
mod preview;
mod sage;
mod sage_alerts;
mod sage_cli;
mod sage_forecast;
mod scorer;
mod security;
mod shutdown;
mod workspace_imports;
mod workspaces;
