//! The Manifest V3 validator: a set of files in, a [`Report`] of findings out.
//!
//! Validation never fails and never panics on any input: everything it does not like becomes a
//! [`Finding`] with a stable `code` (the API and the UI key on it, tests assert it), the `file`
//! it is about, and a `message` written so that a user — or the model in a repair round — can
//! fix it without knowing Cistern. Errors are what Chrome refuses to load or what breaks the
//! extension at run time (MV3's CSP forbids it); warnings are accepted but worth a look.
//!
//! The rules, one module each: [`paths`] (safe relative paths, duplicates, sizes),
//! `manifest` (the manifest's fields and every file it references), [`permissions`] (Chrome's
//! known permissions and the match-pattern grammar), `html` (extension pages), `js` (no
//! `eval`, no remote code), and [`crate::icons`] (PNG icons at the four sizes).

mod csp;
mod html;
mod js;
mod manifest;
pub mod paths;
pub mod permissions;
mod references;
mod report;

use std::collections::HashSet;

use crate::ExtensionFile;
pub use report::{Finding, RepairRound, Report, Severity};

/// Largest single file accepted, in bytes (2 MiB). Generated text files are a few KB; the limit
/// keeps one runaway reply from filling the blob store or the next prompt.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Largest extension accepted, all files together, in bytes (10 MiB) — far above what a model
/// writes, far below what would hurt the server holding it in memory while packaging.
pub const MAX_TOTAL_BYTES: usize = 10 * 1024 * 1024;
/// Most files accepted in one extension (200).
pub const MAX_FILES: usize = 200;
/// The manifest's file name, at the extension's root.
pub const MANIFEST: &str = "manifest.json";

/// What the rule modules share: the set of paths that exist, and the report being written.
pub(crate) struct Ctx<'a> {
    existing: HashSet<&'a str>,
    report: Report,
}

impl<'a> Ctx<'a> {
    fn new(files: &'a [ExtensionFile]) -> Self {
        Self {
            existing: files.iter().map(|f| f.path.as_str()).collect(),
            report: Report::default(),
        }
    }

    /// Whether a file exists at this (already normalised, root-relative) path.
    pub(crate) fn exists(&self, path: &str) -> bool {
        self.existing.contains(path)
    }

    /// All existing paths (for glob matching of `web_accessible_resources`).
    pub(crate) fn paths(&self) -> impl Iterator<Item = &&'a str> {
        self.existing.iter()
    }

    pub(crate) fn error(&mut self, code: &str, file: Option<&str>, message: impl Into<String>) {
        self.report
            .push(Finding::new(Severity::Error, code, file, message));
    }

    pub(crate) fn warn(&mut self, code: &str, file: Option<&str>, message: impl Into<String>) {
        self.report
            .push(Finding::new(Severity::Warning, code, file, message));
    }
}

/// Validates an extension's files against the Manifest V3 rules and Cistern's limits.
///
/// Run [`crate::icons::generate_missing`] first: missing icons are then already filled in, and
/// the `icons.*` findings that remain are about icons the model wrote badly.
pub fn validate(files: &[ExtensionFile]) -> Report {
    let mut ctx = Ctx::new(files);
    paths::check(files, &mut ctx);
    let manifest = manifest::check(files, &mut ctx);
    let sandboxed = manifest
        .as_ref()
        .map(manifest::sandbox_pages)
        .unwrap_or_default();
    for file in files {
        let lower = file.path.to_ascii_lowercase();
        if lower.ends_with(".html") || lower.ends_with(".htm") {
            let is_sandboxed = sandboxed.iter().any(|p| p == &file.path);
            html::check(file, is_sandboxed, &mut ctx);
        } else if lower.ends_with(".js") || lower.ends_with(".mjs") {
            js::check(file, &mut ctx);
        }
    }
    if let Some(manifest) = &manifest {
        crate::icons::check(manifest, files, &mut ctx);
    }
    ctx.report
}

/// Resolves `reference` (as written in `from`, a file at `base_dir`) to a root-relative path.
/// Returns `None` for references that are not files of the extension (URLs, `data:`, …).
pub(crate) fn resolve(base_dir: &str, reference: &str) -> Option<String> {
    let reference = reference.trim();
    let reference = reference.split(['?', '#']).next().unwrap_or("");
    if reference.is_empty() || is_external(reference) {
        return None;
    }
    let (mut parts, rest): (Vec<&str>, &str) = match reference.strip_prefix('/') {
        Some(rest) => (Vec::new(), rest),
        None => (
            base_dir.split('/').filter(|s| !s.is_empty()).collect(),
            reference,
        ),
    };
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            // Climbing above the root keeps the `..`, so the target cannot exist and the
            // reference is reported rather than silently landing on a root file.
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// URLs with a scheme (or protocol-relative) point outside the extension.
pub(crate) fn is_external(reference: &str) -> bool {
    reference.starts_with("//") || is_remote(reference) || has_scheme(reference)
}

/// `http(s)://` or protocol-relative `//` — code from there is remote code.
pub(crate) fn is_remote(reference: &str) -> bool {
    let lower = reference.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
}

fn has_scheme(reference: &str) -> bool {
    match reference.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
        }
        None => false,
    }
}

/// The directory part of a root-relative path (`""` at the root).
pub(crate) fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_handles_relative_absolute_and_external_references() {
        assert_eq!(
            resolve("popup", "popup.js").as_deref(),
            Some("popup/popup.js")
        );
        assert_eq!(
            resolve("popup", "../lib/a.js?v=1").as_deref(),
            Some("lib/a.js")
        );
        assert_eq!(
            resolve("popup", "/icons/i.png").as_deref(),
            Some("icons/i.png")
        );
        assert_eq!(resolve("", "../secret.js").as_deref(), Some("../secret.js"));
        assert_eq!(resolve("", "https://remote.example.com/x.js"), None);
        assert_eq!(resolve("", "data:image/png;base64,AAAA"), None);
        assert_eq!(resolve("", "#top"), None);
    }
}
