//! Cistern: the server binary's library — CLI, configuration, wiring and the HTTP edge.
//!
//! Entry points: [`cli::Cli`] (the command line), [`app::Application`] (build, bind, run),
//! [`http::router`] (the whole API and UI, callable without a socket).

pub mod admin;
pub mod app;
pub mod audit;
pub mod auth;
pub mod chat;
pub mod cli;
pub mod config;
pub mod extensions;
pub mod http;
pub mod jobs;
pub mod llm;
pub mod quota;
pub mod scorer;
pub mod state;
pub mod telemetry;
pub mod time;

pub use app::Application;
pub use config::Config;
