//! The code generator's domain, pure: no I/O, no async, no HTTP. The app
//! (`crates/cistern/src/apps/codegen/`) validates requests, builds prompts, calls the model
//! through the gateway and stores results; this crate decides everything about the text in
//! between — what framework a prompt asks for, whether a reply was cut off and how to join
//! its continuation, which files a reply holds, what its manifests lack, and whether each
//! file parses.
//!
//! # The pipeline, as the app calls it
//!
//! ```
//! use cistern_codegen::continuation::{is_cut_off, stitch};
//! use cistern_codegen::framework::{detect_with_language, Framework};
//! use cistern_codegen::{assemble, extract_with, extract::Options};
//!
//! // 1. Framework: the user's choice wins, else the prompt (and the language field) decide.
//! let explicit = Framework::from_name("fastapi"); // None for an unknown name: answer 422
//! let detection = detect_with_language("a REST API for notes", explicit, None);
//! assert_eq!(detection.framework, Framework::FastApi);
//!
//! // 2. The model's reply; while cut off (finish reason or an open fence), ask it to
//! //    continue and stitch, up to the configured rounds.
//! let mut reply = String::from("**main.py**\n```python\nfrom fastapi import FastAPI\napp = Fast");
//! let finish_reason = Some("length");
//! if is_cut_off(&reply, finish_reason) {
//!     let continuation = "app = FastAPI()\n```\n"; // the model repeated the partial line
//!     reply = stitch(&reply, continuation);
//! }
//!
//! // 3. Files, refused paths and cut-off blocks as typed errors (`Error::kind()` is stable).
//! let extraction = extract_with(&reply, Options { cut_off: false })?;
//!
//! // 4. Manifests completed, README added, files sorted and syntax-checked.
//! let project = assemble(extraction.files, detection.framework);
//! assert_eq!(project.files_with_errors().count(), 0);
//! assert!(project.files.iter().any(|f| f.path.as_str() == "requirements.txt"));
//! # Ok::<(), cistern_codegen::extract::Error>(())
//! ```
//!
//! A repair round: send [`Project::files_with_errors`] (each [`ProjectFile::syntax`] error
//! displays as `line L, column C: message`) to the model, extract its reply, [`merge`] the
//! fixed files into the extracted ones and [`assemble`] again.
//!
//! # API
//! - [`framework`]: [`Framework`](framework::Framework) (API names such as `"react-vite"`,
//!   `from_name` for the request field, `display_name`, `language`, `fits`),
//!   [`detect`](framework::detect) / [`detect_with_language`](framework::detect_with_language)
//!   → [`Detection`](framework::Detection) `{framework, confidence, evidence, explicit}`.
//! - [`continuation`]: [`is_cut_off(reply, finish_reason)`](continuation::is_cut_off),
//!   [`stitch(previous, continuation)`](continuation::stitch).
//! - [`extract()`](extract()) / [`extract_with`] → [`Extraction`] `{files: [File {path,
//!   language, content}], skipped: [Skipped {line, info, reason}], truncated}` or
//!   [`extract::Error`] (`Path {path, line, reason: PathError}`, `Conflict`,
//!   `FileDirectoryClash`, `Truncated`, `NoFiles`, `TooManyFiles`, `Json`) — the rules are in
//!   the [`extract`](mod@extract) module doc.
//! - [`extract::progress(partial)`](extract::progress()) → [`Progress`](extract::Progress)
//!   `{complete, writing}`: the files of a reply still streaming, for a live file list.
//! - [`manifest::complete(&mut files, framework)`](manifest::complete) → `Vec<Warning>`
//!   (used by [`assemble`]; callable alone).
//! - [`assemble(files, framework)`](assemble) → [`Project`] `{files: [ProjectFile {path,
//!   language, size, content, syntax}], warnings}`; [`organise()`](organise()) (sorting only), [`merge`].
//! - [`ProjectPath`]: the only path type — normalised, relative, never outside the project,
//!   so joining it under an output directory or a ZIP root is safe.
//!
//! Every type the API answers with is `Serialize` and `Deserialize` (a stored generation reads
//! back; a stored [`ProjectPath`] is checked again); the `openapi` feature derives utoipa
//! schemas for them. [`assemble`] is CPU work (a few ms for 20 files, the syntax check most of
//! it): from async code, call it in `spawn_blocking` or a job worker.
//!
//! # Choices
//! - **pulldown-cmark** (the CommonMark parser rustdoc and mdBook use) decides what a code
//!   block is, so fences of any length, tildes, lists and quotes behave as any Markdown viewer
//!   shows them; regexes over fences are what break other generators on nested fences.
//! - **toml_edit** edits `Cargo.toml`/`pyproject.toml` keeping the model's comments and
//!   layout; `package.json` is edited as text for the same reason (serde_json would reorder
//!   its keys), validated by serde_json before and after.
//! - **regex** reads imports line by line; a missed exotic import costs the user one line in
//!   a manifest, parsing every language's imports exactly would cost a dependency per language.
//! - Syntax checks come from `cistern-syntax` (tree-sitter), shared with the coding agent.
//!
//! **Boundary:** no I/O, no async, no clock, no model calls; links no web framework
//! (`scripts/check-boundaries.sh`).

pub mod continuation;
pub mod extract;
pub mod framework;
pub mod manifest;
pub mod organise;
pub mod path;
pub mod sample;
pub mod warning;

pub use extract::{Extraction, File, SkipReason, Skipped, extract, extract_with};
pub use organise::{Project, ProjectFile, assemble, merge, organise};
pub use path::{PathError, ProjectPath};
pub use warning::{Warning, WarningKind};
