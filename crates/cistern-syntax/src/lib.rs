//! Syntax checks for generated source files — the code generator checks every file it hands
//! back with this crate, and the coding agent will check its edits with it.
//!
//! ```
//! use cistern_syntax::{check, Language};
//!
//! let report = check("src/main.py", "def f(:\n    pass\n");
//! assert_eq!(report.language, Language::Python);
//! assert!(!report.ok);
//! assert_eq!(report.errors[0].line, 1);
//!
//! assert!(check("README.md", "anything").ok); // Markdown and text are not checked
//! assert!(!Language::Markdown.is_checked());
//! ```
//!
//! # API for callers
//! - [`check(path, source)`](check) — detects the language from the path ([`Language::from_path`])
//!   and checks with [`Options::default`]. [`check_language`] when the language is known,
//!   [`check_with`] for other limits.
//! - [`SyntaxReport`] — `{language, checked, ok, errors: [{line, column, message}], more_errors}`;
//!   serialisable as is for an API.
//! - [`Language`] — the API name ([`Language::name`], serde uses the same), parsing of a name or
//!   a fence alias ([`Language::from_name`]), [`Language::is_checked`].
//!
//! # How it works
//! Every checked language is a tree-sitter grammar (crates.io: `tree-sitter-javascript` (JSX
//! included), `-typescript` (TypeScript and TSX), `-python`, `-rust`, `-go`, `-java`, `-html`,
//! `-css`, `-json`, `-toml-ng`, `-yaml`). Grammar crates depend only on `tree-sitter-language`,
//! so one `tree-sitter` core (0.27, accepting grammar ABIs 13–15) loads all of them; a test
//! loads each grammar, so an incompatible bump fails there. No pure-Rust fallback was needed.
//!
//! Errors come from the tree's ERROR nodes ("unexpected `…`", at the first token the parser
//! could not place) and MISSING nodes ("missing `)`", inserted by error recovery), in source
//! order, at most [`Options::max_errors`] per file. tree-sitter recovers rather than stops, so
//! the first error is the reliable one; later ones can be consequences of it.
//!
//! Parsers are kept per thread (creating one and loading a grammar costs more than parsing a
//! small file), and each parse has a time budget ([`Options::budget`]): a file that blows it is
//! reported `checked: false` rather than holding a worker.
//!
//! Python's indentation errors, which its grammar recovers from silently, are found from the
//! tree's blocks ("expected an indented block", "unexpected indent").
//!
//! JSON accepts comments (the grammar does); trailing commas only in the JSONC files named
//! at [`check`].
//!
//! Checking is CPU work (tree-sitter's JavaScript grammar parses a few MB/s on this project's
//! machine, see docs/benchmarks.md): async callers checking a whole project run it in
//! `spawn_blocking` or a job worker; pooled threads keep their parsers.
//!
//! The `openapi` feature derives utoipa schemas for [`Language`], [`SyntaxReport`] and
//! [`SyntaxError`].
//!
//! **Boundary:** no I/O, no async; callable from any thread.

mod check;
mod jsonc;
mod language;
mod message;
mod python;

pub use check::{Options, SyntaxError, SyntaxReport, check_with};
pub use language::Language;

/// Checks `source` as the language of `path` (see [`Language::from_path`]) with the default
/// [`Options`]. Unchecked languages answer `ok: true, checked: false`. Files that their tools
/// read as JSON with comments and trailing commas (`tsconfig.json`, `jsconfig.json`,
/// `.vscode/*.json`, `*.jsonc`) are checked as such; `package.json` stays strict.
pub fn check(path: &str, source: &str) -> SyntaxReport {
    let language = Language::from_path(path);
    if language == Language::Json && jsonc::is_jsonc(path) {
        return check_with(
            language,
            &jsonc::blank_trailing_commas(source),
            &Options::default(),
        );
    }
    check_with(language, source, &Options::default())
}

/// Checks `source` as `language` with the default [`Options`].
pub fn check_language(language: Language, source: &str) -> SyntaxReport {
    check_with(language, source, &Options::default())
}

#[cfg(test)]
mod tests;
