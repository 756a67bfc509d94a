//! Cistern: the server binary's library — CLI, configuration, wiring, the HTTP edge, the
//! platform services ([`platform`]: identity, audit, quotas, the LLM gateway, jobs and queues)
//! and the apps on top of them ([`apps`]: one folder each, listed in [`apps::ALL`]).
//!
//! Entry points: [`cli::Cli`] (the command line), [`app::Application`] (build, bind, run),
//! [`http::router`] (the whole API and UI, callable without a socket).

pub mod app;
pub mod apps;
pub mod cli;
pub mod config;
pub mod http;
pub mod platform;
pub mod state;
pub mod telemetry;
pub mod time;

pub use app::Application;
pub use config::Config;
