//! Cistern: the server binary's library — CLI, configuration, wiring and the HTTP edge.
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
