//! `[extensions]`: the Chrome extension builder (issue 7, docs/extensions.md).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// `[extensions]`: which model generates extensions, how hard we repair, and the browser check.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExtensionsConfig {
    /// The model used when a request names none (a configured gateway model name).
    pub default_model: String,
    /// Validation repair rounds: how often validation errors go back to the model.
    pub repair_rounds: u32,
    /// The Chromium executable for the real-browser check.
    pub chromium_path: PathBuf,
    /// Whether a job loads the extension in headless Chromium (when the executable exists).
    pub check_in_browser: bool,
    /// Upper bound of the browser check, in seconds.
    pub browser_timeout_secs: u64,
}

impl Default for ExtensionsConfig {
    fn default() -> Self {
        Self {
            default_model: "smart".to_owned(),
            repair_rounds: 2,
            chromium_path: PathBuf::from("/usr/bin/chromium"),
            check_in_browser: true,
            browser_timeout_secs: 30,
        }
    }
}
