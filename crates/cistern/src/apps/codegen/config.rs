//! `[codegen]`: the code generator (issue 16, docs/codegen.md).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// `[codegen]`: which model writes code, input limits, how hard we continue and repair, how
/// long a synchronous request waits, and the result cache.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CodegenConfig {
    /// The model used when a request names none (a configured gateway model name).
    pub default_model: String,
    /// Longest prompt, in characters.
    pub max_prompt_chars: usize,
    /// Continuation rounds: how often a reply cut off (by length or inside a fence) is
    /// continued before the generation is reported truncated.
    pub continue_rounds: u32,
    /// Repair rounds: how often files with syntax errors go back to the model.
    pub repair_rounds: u32,
    /// How long a synchronous `POST /api/v1/generate_code` waits for its job, in seconds;
    /// after that it answers 504 naming the generation and job, which carry on.
    pub sync_timeout_secs: u64,
    /// How long a finished generation answers an identical request, in seconds; 0: no cache.
    pub cache_ttl_secs: u64,
    /// A directory whose `*.j2` files replace the embedded prompt templates of the same name
    /// (`base.j2`, `fastapi.j2`, `repair.j2`, …); unset: the embedded ones.
    pub templates_dir: Option<PathBuf>,
}

impl Default for CodegenConfig {
    fn default() -> Self {
        Self {
            default_model: "smart".to_owned(),
            max_prompt_chars: 20_000,
            continue_rounds: 3,
            repair_rounds: 1,
            sync_timeout_secs: 300,
            cache_ttl_secs: 7 * 24 * 3600,
            templates_dir: None,
        }
    }
}
