//! `[agent]`: the coding agent (issue 17, docs/agent.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `[agent]`: workspace limits, the agent's model and budgets, and admission.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentConfig {
    /// The model used when a task names none (a configured gateway model name).
    pub default_model: String,
    /// Largest file a workspace holds, in bytes.
    pub max_file_bytes: usize,
    /// Most files in one workspace.
    pub max_files: usize,
    /// Largest working tree, in bytes.
    pub max_workspace_bytes: u64,
    /// Largest ZIP accepted by an import, in bytes (the request body limit applies too).
    pub max_zip_bytes: usize,
    /// Longest prompt, in characters.
    pub max_prompt_chars: usize,
    /// Model calls one task may make (each answers one tool call or reply).
    pub max_steps: u32,
    /// Tokens (in and out, summed over its calls) one task may spend.
    pub max_task_tokens: u64,
    /// Edit proposals the engine refused that go back to the model before the task fails.
    pub repair_rounds: u32,
    /// Most lines one `read_file` returns.
    pub max_read_lines: usize,
    /// Most matches one `search` returns.
    pub max_search_results: usize,
    /// A user's tasks queued or running at once; one more answers 429.
    pub max_active_tasks_per_user: u32,
    /// `lint_fix`'s linters: a language (`python`, `javascript`, `typescript`, `tsx`, `rust`,
    /// `go`, …) → a command run with `sh -c` in a copy of the workspace, whose
    /// `path:line[:column]: message` lines go to the model (see `linters.rs`). Empty: the
    /// syntax checks only.
    pub linters: BTreeMap<String, String>,
    /// How long one linter may run, in seconds.
    pub linter_timeout_secs: u64,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            default_model: "smart".to_owned(),
            max_file_bytes: 1024 * 1024,
            max_files: 2_000,
            max_workspace_bytes: 64 * 1024 * 1024,
            max_zip_bytes: 32 * 1024 * 1024,
            max_prompt_chars: 20_000,
            max_steps: 16,
            max_task_tokens: 200_000,
            repair_rounds: 2,
            max_read_lines: 400,
            max_search_results: 50,
            max_active_tasks_per_user: 4,
            linters: BTreeMap::new(),
            linter_timeout_secs: 30,
        }
    }
}
