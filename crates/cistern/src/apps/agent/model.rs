//! What a task stores as JSON on its row — the request, the base it read, its proposal, its
//! metrics and the user's review — and serves as is (these are the API's shapes too).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::diff::DiffStatus;
use super::workspace_views::DiffHunk;

/// What the agent is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Change the code as the prompt says: edits.
    Patch,
    /// Answer a question about the code: an explanation, no edits.
    Explain,
    /// Write tests for the code, as new test files in the project's framework and layout.
    GenerateTest,
    /// Fix the problems the server's diagnostics found (syntax errors first).
    LintFix,
}

impl Mode {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Patch => "patch",
            Mode::Explain => "explain",
            Mode::GenerateTest => "generate_test",
            Mode::LintFix => "lint_fix",
        }
    }

    /// Parses a stored or sent name.
    pub fn parse(name: &str) -> Option<Mode> {
        [
            Mode::Patch,
            Mode::Explain,
            Mode::GenerateTest,
            Mode::LintFix,
        ]
        .into_iter()
        .find(|m| m.as_str() == name)
    }
}

/// Where the user's cursor is (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// The file.
    pub path: String,
    /// Line.
    pub line: u32,
    /// Column.
    #[serde(default = "one")]
    pub column: u32,
}

fn one() -> u32 {
    1
}

/// What the user selected (1-based, inclusive lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// The file.
    pub path: String,
    /// First line.
    pub start_line: u32,
    /// Last line.
    pub end_line: u32,
}

/// A task's request besides its prompt and mode, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Request {
    /// Files the user has open, given to the model first.
    #[serde(default)]
    pub files: Vec<String>,
    /// The cursor.
    #[serde(default)]
    pub cursor: Option<Cursor>,
    /// The selection.
    #[serde(default)]
    pub selection: Option<Selection>,
    /// The gateway model.
    pub model: String,
}

/// What the agent read: the latest snapshot then (if any) and every file's hash. An accept
/// merges against these contents when the file changed since.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Base {
    /// The workspace's latest snapshot when the task started.
    pub snapshot_id: Option<String>,
    /// Path → content hash of the working tree the task read.
    pub files: BTreeMap<String, String>,
}

/// One file the task proposes to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProposedFile {
    /// The file.
    pub path: String,
    /// Added, modified or deleted.
    pub status: DiffStatus,
    /// The content hash the task read (none for an added file).
    pub base_hash: Option<String>,
    /// The proposed content's hash (none for a deleted file); the content is in the
    /// workspace's blobs.
    pub new_hash: Option<String>,
    /// Unified diff from the base to the proposal, made by the server (`git apply` takes it).
    pub patch: String,
    /// Its hunks.
    pub hunks: Vec<DiffHunk>,
}

/// What a finished task proposes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct TaskResult {
    /// `patch`, `explanation`, `tests` or `lint_fix` (from the mode).
    #[serde(rename = "type")]
    pub kind: String,
    /// The files it changes (none for an explanation).
    pub files_modified: Vec<ProposedFile>,
    /// The model's explanation (Markdown).
    pub explanation: String,
}

/// What a task cost.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct TaskMetrics {
    /// Tokens in and out, over every call.
    pub tokens: u64,
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
    /// The gateway model asked.
    pub model: String,
    /// The model that answered, as the provider named it (the last call's).
    pub llm_provider: String,
    /// Wall time of the job, in milliseconds.
    pub duration_ms: u64,
    /// Model calls.
    pub rounds: u32,
    /// Proposals the engine refused and the model repaired.
    pub repair_rounds: u32,
}

/// One hunk's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    /// Accepted (in the tree) or rejected.
    pub accepted: bool,
    /// Why, when the user said (rejections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The user's review of a task: a decision per hunk of each proposed file, and the snapshots
/// around an accept (restore `before` to undo it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct Review {
    /// Path → hunk id → decision.
    pub files: BTreeMap<String, BTreeMap<usize, Decision>>,
    /// The snapshot taken just before the last accept changed the tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_before: Option<String>,
    /// The snapshot saved after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_after: Option<String>,
}
