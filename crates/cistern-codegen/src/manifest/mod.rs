//! Completing a project's manifests from its code: `package.json` from JavaScript and
//! TypeScript imports, `requirements.txt` or `pyproject.toml` from Python imports,
//! `Cargo.toml` from Rust `use`/`extern crate`, and a README saying how to run it. Every
//! addition is a [`Warning`]: the user sees what the generator added and can pin versions.
//!
//! Imports are read with line-level patterns, not parsers: a missed import costs one
//! dependency line the user adds, a parser per language would cost far more. What is local
//! (relative imports, the project's own modules and directories) and what ships with the
//! language (Node built-ins, the Python standard library, `std`/`core`/`alloc`) is left out.

mod javascript;
mod json_edit;
mod python;
mod readme;
mod rust;
mod stdlib;

use crate::framework::Framework;
use crate::warning::Warning;
use crate::{File, ProjectPath};

/// Completes `files` in place: adds missing dependencies to existing manifests, creates
/// missing manifests when the code needs them, adds a README when there is none. Returns
/// one [`Warning`] per change.
pub fn complete(files: &mut Vec<File>, framework: Framework) -> Vec<Warning> {
    let mut warnings = Vec::new();
    javascript::complete(files, framework, &mut warnings);
    python::complete(files, framework, &mut warnings);
    rust::complete(files, framework, &mut warnings);
    readme::complete(files, framework, &mut warnings);
    warnings
}

/// A path the manifest code writes: one of its constant names (`package.json`, …).
fn fixed_path(name: &'static str) -> ProjectPath {
    ProjectPath::constant(name)
}

/// The index of the file at `path`, if any.
fn find(files: &[File], path: &str) -> Option<usize> {
    files.iter().position(|f| f.path.as_str() == path)
}

/// Whether `name` is a directory of the project or the stem of one of its files at any
/// depth: an import of it is local code, not a package.
fn is_local(files: &[File], name: &str) -> bool {
    files.iter().any(|file| {
        let path = file.path.as_str();
        path.split('/').rev().skip(1).any(|dir| dir == name)
            || file
                .path
                .file_name()
                .rsplit_once('.')
                .is_some_and(|(stem, _)| stem == name)
    })
}

#[cfg(test)]
mod tests;
