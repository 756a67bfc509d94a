//! Findings and the report that carries them to the API, the UI and the model.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::chromium::BrowserCheck;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    /// Chrome refuses the extension, or it breaks at run time: must be fixed before packaging.
    Error,
    /// Loads and works, but worth a look (or Cistern fixed it itself, e.g. generated icons).
    Warning,
}

/// One problem found in an extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// Stable machine-readable code, `area.problem` (e.g. `manifest.version_invalid`).
    pub code: String,
    /// The file the finding is about, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// What is wrong and what to do about it, for a user or the model.
    pub message: String,
    /// Error or warning.
    pub severity: Severity,
}

impl Finding {
    /// A finding; `code` should be one of the documented codes (docs/extensions.md).
    pub fn new(
        severity: Severity,
        code: &str,
        file: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code: code.to_owned(),
            file: file.map(str::to_owned),
            message: message.into(),
            severity,
        }
    }
}

/// The outcome of validating one version: findings in the order found, and the real-browser
/// check when one ran. Serializes as `{"findings": [...], "browser": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// Everything found, errors and warnings.
    pub findings: Vec<Finding>,
    /// The headless Chromium load check, when the job ran it (`None` before it ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<BrowserCheck>,
    /// The errors that sent earlier rounds back to the model (validation or the browser
    /// check), oldest first: what the final version was repaired from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<RepairRound>,
    /// How long each server-side step took, in milliseconds (`validate`, `package`, `store`,
    /// `browser_check`; summed over rounds), when the job measured them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub timings_ms: BTreeMap<String, u64>,
}

/// One repair round: the errors of the round before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepairRound {
    /// 1 for the first repair round.
    pub round: u32,
    /// The errors that were sent to the model.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Adds a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// The findings of severity error.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// Whether any finding is an error (the version must not be packaged as is).
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// Whether a finding with this code exists.
    pub fn has_code(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// Adds `ms` to the step's time (a step can run once per round).
    pub fn add_time(&mut self, step: &str, ms: u64) {
        *self.timings_ms.entry(step.to_owned()).or_default() += ms;
    }

    /// The distinct codes, in order of first appearance (handy in logs and tests).
    pub fn codes(&self) -> Vec<&str> {
        let mut codes: Vec<&str> = Vec::new();
        for f in &self.findings {
            if !codes.contains(&f.code.as_str()) {
                codes.push(&f.code);
            }
        }
        codes
    }

    /// The user message of a repair round: every error (warnings only when there is room),
    /// grouped by file, with the instruction to call `submit_extension` again with the fixed
    /// files. The model sees the same codes and messages the user sees.
    pub fn repair_prompt(&self) -> String {
        let mut out = String::from(
            "Your extension failed validation (static checks or loading it in Chromium). Fix \
             every error below and call `submit_extension` \
             again. Send the complete blueprint and every file that must change (unchanged \
             files may be omitted on an iteration). Do not explain — just call the tool.\n\n",
        );
        let mut listed = 0usize;
        for severity in [Severity::Error, Severity::Warning] {
            let mut items: Vec<&Finding> = self
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .collect();
            if items.is_empty() || (severity == Severity::Warning && listed > 20) {
                continue;
            }
            items.sort_by(|a, b| a.file.cmp(&b.file));
            let title = match severity {
                Severity::Error => "Errors (must fix)",
                Severity::Warning => "Warnings (fix if you can)",
            };
            writeln!(out, "{title}:").ok();
            for f in items.iter().take(50) {
                let file = f.file.as_deref().unwrap_or("(extension)");
                writeln!(out, "- [{}] {}: {}", f.code, file, f.message).ok();
                listed += 1;
            }
            if items.len() > 50 {
                writeln!(out, "- … and {} more of the same kind", items.len() - 50).ok();
            }
            out.push('\n');
        }
        out
    }
}
