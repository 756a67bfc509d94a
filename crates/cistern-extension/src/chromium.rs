//! The real-browser check: does Chromium load the unpacked extension, and does its service
//! worker start?
//!
//! Chromium runs headless with only this extension enabled and DevTools bound to 127.0.0.1 on a
//! port it picks (`--remote-debugging-port=0`; the port is read from `DevToolsActivePort` in the
//! throw-away profile). The check polls `/json/list` until a `service_worker` target with a
//! `chrome-extension://` URL appears, watching Chromium's log on stderr for the two things that
//! end it early: a load error (`Extension error: Failed to load extension …`, the manifest
//! problems Chrome itself finds) and an uncaught exception from the extension (a syntax error in
//! the service worker prevents it from starting). Every exit path kills the process and removes
//! the profile directory.

mod run;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ExtensionFile;
use crate::validate::paths::path_problem;
use crate::validate::{Finding, Severity};

/// Where to find Chromium and how long to give the extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChromiumOptions {
    /// The Chromium (or Chrome) executable.
    pub path: PathBuf,
    /// Upper bound for the whole check, launch included.
    pub timeout: Duration,
}

impl Default for ChromiumOptions {
    /// Debian's `chromium` package, 30 seconds.
    fn default() -> Self {
        Self {
            path: PathBuf::from("/usr/bin/chromium"),
            timeout: Duration::from_secs(30),
        }
    }
}

/// The outcome, as kept in the validation report (`{"status": "loaded", …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BrowserCheck {
    /// Chromium loaded the extension and its service worker started.
    Loaded {
        /// The extension id Chromium assigned.
        extension_id: String,
        /// The running service worker's URL.
        service_worker_url: String,
        /// How long the check took, launch included.
        duration_ms: u64,
    },
    /// Chromium refused the extension or its service worker did not start.
    Failed {
        /// Chromium's error messages (load errors, uncaught exceptions), or why the check gave up.
        errors: Vec<String>,
        /// How long the check took.
        duration_ms: u64,
    },
    /// The check could not run (no Chromium, no temp dir, …); says nothing about the extension.
    NotChecked {
        /// Why.
        reason: String,
    },
}

impl BrowserCheck {
    /// Whether Chromium loaded the extension and its service worker started.
    pub fn is_loaded(&self) -> bool {
        matches!(self, Self::Loaded { .. })
    }

    /// A failed check as findings (severity error) a repair round can send to the model, like
    /// the validator's: `browser.load_error` (Chrome refused the manifest or a file it names),
    /// `browser.uncaught_exception` (the script Chromium names threw, e.g. a syntax error),
    /// `browser.worker_registration_failed`, `browser.worker_not_started` (nothing else said,
    /// the worker just never ran). `service_worker` is the manifest's
    /// `background.service_worker`, the file blamed when Chromium names none. Empty unless
    /// [`BrowserCheck::Failed`].
    pub fn findings(&self, service_worker: Option<&str>) -> Vec<Finding> {
        let Self::Failed { errors, .. } = self else {
            return Vec::new();
        };
        errors
            .iter()
            .map(|error| browser_finding(error, service_worker))
            .collect()
    }
}

fn browser_finding(error: &str, service_worker: Option<&str>) -> Finding {
    let (code, file) = if error.starts_with("Failed to load extension") {
        ("browser.load_error", Some("manifest.json"))
    } else if error.contains("Uncaught") {
        (
            "browser.uncaught_exception",
            source_file(error).or(service_worker),
        )
    } else if error.contains("Service worker registration failed") {
        ("browser.worker_registration_failed", service_worker)
    } else {
        ("browser.worker_not_started", service_worker)
    };
    let message = format!("Chromium: {error}");
    Finding::new(Severity::Error, code, file, message)
}

/// The extension file a console line names: `… source: chrome-extension://<id>/<path> (<line>)`.
fn source_file(error: &str) -> Option<&str> {
    let (_, rest) = error.split_once("source: chrome-extension://")?;
    let (_, path) = rest.split_once('/')?;
    let path = path.split(" (").next()?.trim();
    (!path.is_empty()).then_some(path)
}

/// Loads the unpacked extension in `dir` in headless Chromium; see the module docs.
pub async fn check(dir: &Path, options: &ChromiumOptions) -> BrowserCheck {
    if !options.path.is_file() {
        return BrowserCheck::NotChecked {
            reason: format!("Chromium not found at {}", options.path.display()),
        };
    }
    let dir = match dir.canonicalize() {
        Ok(dir) if dir.join("manifest.json").is_file() => dir,
        Ok(dir) => {
            return BrowserCheck::Failed {
                errors: vec![format!("{} has no manifest.json", dir.display())],
                duration_ms: 0,
            };
        }
        Err(e) => {
            return BrowserCheck::NotChecked {
                reason: format!("extension dir {}: {e}", dir.display()),
            };
        }
    };
    run::run(&dir, options).await
}

/// Writes `files` to a temporary directory and runs [`check`] on it (the directory is removed
/// afterwards). Files with unsafe paths are never written: the check is then not run.
pub async fn check_files(files: &[ExtensionFile], options: &ChromiumOptions) -> BrowserCheck {
    if !options.path.is_file() {
        return BrowserCheck::NotChecked {
            reason: format!("Chromium not found at {}", options.path.display()),
        };
    }
    let dir = match write_files(files) {
        Ok(dir) => dir,
        Err(reason) => return BrowserCheck::NotChecked { reason },
    };
    check(dir.path(), options).await
}

fn write_files(files: &[ExtensionFile]) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::Builder::new()
        .prefix("cistern-ext-")
        .tempdir()
        .map_err(|e| format!("cannot create a temp dir: {e}"))?;
    for file in files {
        if let Some((_, why)) = path_problem(&file.path) {
            return Err(format!("not written to disk: {why}"));
        }
        let target = dir.path().join(&file.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", file.path))?;
        }
        std::fs::write(&target, &file.content).map_err(|e| format!("{}: {e}", file.path))?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::BrowserCheck;

    #[test]
    fn a_failed_check_becomes_findings_naming_the_file() {
        let check = BrowserCheck::Failed {
            errors: vec![
                "Failed to load extension from: /tmp/x. Required value 'version' is missing or invalid.".into(),
                r#""Uncaught SyntaxError: missing ) after argument list", source: chrome-extension://abc/js/bg.js (2)"#.into(),
                "Service worker registration failed. Status code: 15".into(),
                "the extension's service worker did not start within 30 s".into(),
            ],
            duration_ms: 5,
        };
        let found = check.findings(Some("background.js"));
        let got: Vec<(&str, Option<&str>)> = found
            .iter()
            .map(|f| (f.code.as_str(), f.file.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("browser.load_error", Some("manifest.json")),
                ("browser.uncaught_exception", Some("js/bg.js")),
                ("browser.worker_registration_failed", Some("background.js")),
                ("browser.worker_not_started", Some("background.js")),
            ]
        );
        assert!(found[1].message.contains("SyntaxError"));
        let loaded = BrowserCheck::NotChecked {
            reason: "no".into(),
        };
        assert!(loaded.findings(None).is_empty());
    }
}
