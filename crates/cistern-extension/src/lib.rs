//! The library half of Cistern's Chrome extension builder (issue 7).
//!
//! A model is forced to call the `submit_extension` tool; this crate owns everything between its
//! raw arguments and a ZIP a user can load in Chrome, with no web framework and no server state:
//!
//! - [`contract`] — the tool's JSON schema, parsing the model's arguments into a typed
//!   [`Submission`] (with errors a model can act on), the system prompts for a first generation
//!   and for an iteration, and [`contract::merge`], which lays an iteration's changed files onto
//!   its base version.
//! - [`mod@validate`] — the Manifest V3 validator: files in, a serializable [`Report`] of findings
//!   out, each with a stable code. [`Report::repair_prompt`] renders the errors for the next
//!   repair round. [`icons::generate_missing`] fills in PNG icons rather than asking the model
//!   for binary data.
//! - [`version`] — semantic version bumps from the blueprint's change kind; versions only grow.
//! - [`package`] — a deterministic in-memory ZIP and a unified diff between two versions.
//! - [`chromium`] — loads an unpacked extension in headless Chromium and confirms through the
//!   DevTools HTTP endpoint (127.0.0.1 only) that its service worker started.
//!
//! A typical job: [`contract::parse_submission`] → ([`contract::merge`] for an iteration) →
//! [`icons::generate_missing`] → [`version::next_version`] + [`version::set_manifest_version`] →
//! [`validate::validate`] (errors → [`Report::repair_prompt`] → the model, bounded rounds) →
//! [`package::zip_files`] → [`chromium::check`] on the unpacked files.

pub mod chromium;
pub mod contract;
mod files;
pub mod icons;
pub mod package;
pub mod sample;
pub mod validate;
pub mod version;

pub use contract::{Blueprint, ChangeKind, Submission};
pub use files::{ExtensionFile, find_file};
pub use validate::{Finding, RepairRound, Report, Severity, validate};

/// Errors of this crate's fallible operations (validation itself never fails: it reports).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model's tool arguments could not be used; the message is written for the model.
    #[error("{0}")]
    Arguments(#[from] contract::ArgumentsError),
    /// An iteration could not be merged onto its base version.
    #[error("merge: {0}")]
    Merge(String),
    /// A version string is not a valid extension version, or a bump would not increase it.
    #[error("version: {0}")]
    Version(String),
    /// The manifest is missing or is not a JSON object, so it cannot be patched.
    #[error("manifest: {0}")]
    Manifest(String),
    /// Building or reading a ZIP archive failed.
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Encoding a PNG icon failed.
    #[error("png: {0}")]
    Png(#[from] png::EncodingError),
    /// An I/O error (writing files for the browser check, reading archives).
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
