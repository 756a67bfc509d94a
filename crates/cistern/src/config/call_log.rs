//! `[call_log]`: how the LLM call log (`GET /api/v1/llm/calls`) is kept.

use serde::{Deserialize, Serialize};

/// `[call_log]`: retention and redaction of stored LLM calls. Whether prompt and response bodies
/// are stored at all is `llm.record_bodies` (off by default).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CallLogConfig {
    /// Calls older than this many days are deleted (checked hourly). 0 keeps them forever.
    pub retention_days: u64,
    /// Regular expressions whose matches in stored bodies are replaced by `[REDACTED]` before
    /// anything is written. The defaults catch common API-key shapes; add e-mail addresses, card
    /// numbers or your own identifiers as needed.
    pub redact: Vec<String>,
}

impl Default for CallLogConfig {
    fn default() -> Self {
        Self {
            retention_days: 30,
            redact: vec![
                // OpenAI / Anthropic / Cerebras / Groq style keys, and Cistern's own.
                r"\b(?:sk|sk-ant|csk|gsk|cst)[-_][A-Za-z0-9_-]{16,}".to_owned(),
                // Google API keys.
                r"\bAIza[0-9A-Za-z_-]{35}\b".to_owned(),
                // Bearer tokens pasted into prompts.
                r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{20,}=*".to_owned(),
            ],
        }
    }
}
