//! The code generator's domain, pure: no I/O, no async, no HTTP. The app
//! (`crates/cistern/src/apps/codegen/`) calls the model and stores results; this crate turns
//! a model's reply into a checked project.
//!
//! # API for the app
//! - [`continuation::is_cut_off(reply, finish_reason)`](continuation::is_cut_off) — ask the
//!   model to continue? [`continuation::stitch(previous, continuation)`](continuation::stitch)
//!   — the reply with the continuation joined, repeats removed.
//! - [`extract(reply)`](extract()) / [`extract_with(reply, Options { cut_off })`](extract_with)
//!   → [`Extraction`] `{files: [File {path, language, content}], skipped, truncated}` or an
//!   [`extract::Error`] with a stable [`kind`](extract::Error::kind).
//! - [`ProjectPath`] — a path that cannot leave the project; every [`File`] has one.
//!
//! # Dependencies
//! `pulldown-cmark` (CommonMark, the parser rustdoc and mdBook use) decides what a code block
//! is; `cistern-syntax` names and checks languages.

pub mod continuation;
pub mod extract;
pub mod framework;
pub mod manifest;
pub mod organise;
pub mod path;
pub mod warning;

pub use extract::{Extraction, File, SkipReason, Skipped, extract, extract_with};
pub use organise::{Project, ProjectFile, assemble, merge, organise};
pub use path::{PathError, ProjectPath};
pub use warning::{Warning, WarningKind};
