//! The agent's task API shapes: what a client sends and what it gets back.

use cistern_store::sql::Task;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::MergeConflict;
use super::model::{Cursor, Mode, Request, Review, Selection, TaskMetrics, TaskResult};
use super::review::Merged;
use super::tasks::NewTask;
use crate::time::rfc3339;

/// `POST /api/v1/agent/tasks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    /// The workspace to work in.
    pub workspace_id: String,
    /// What to do (may be empty for `lint_fix`).
    #[serde(default)]
    pub prompt: String,
    /// How.
    pub mode: Mode,
    /// Files the user has open (given to the model first).
    #[serde(default)]
    pub files: Vec<String>,
    /// The cursor.
    #[serde(default)]
    pub cursor: Option<Cursor>,
    /// The selection.
    #[serde(default)]
    pub selection: Option<Selection>,
    /// A gateway model; default `agent.default_model`.
    #[serde(default)]
    pub model: Option<String>,
}

impl From<CreateTask> for NewTask {
    fn from(b: CreateTask) -> Self {
        NewTask {
            workspace_id: b.workspace_id,
            prompt: b.prompt,
            mode: b.mode,
            files: b.files,
            cursor: b.cursor,
            selection: b.selection,
            model: b.model,
        }
    }
}

/// The answer to `POST /api/v1/agent/tasks`: the task is queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskStarted {
    /// The task.
    pub task_id: String,
    /// `queued`.
    pub status: String,
    /// Its job (`/api/v1/jobs/{id}`).
    pub job_id: String,
}

/// Status of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Waiting for a worker.
    Queued,
    /// The agent is working.
    Processing,
    /// Finished: `result` holds the proposal or the explanation.
    Done,
    /// Failed: `error` says why.
    Failed,
}

impl TaskStatus {
    fn parse(s: &str) -> TaskStatus {
        match s {
            "processing" => TaskStatus::Processing,
            "done" => TaskStatus::Done,
            "failed" => TaskStatus::Failed,
            _ => TaskStatus::Queued,
        }
    }
}

/// A task.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    /// Task id.
    pub id: String,
    /// Its workspace.
    pub workspace_id: String,
    /// The mode.
    pub mode: Mode,
    /// The prompt.
    pub prompt: String,
    /// The state.
    pub status: TaskStatus,
    /// Its job: `GET /api/v1/agent/tasks/{id}/events` streams its events.
    pub job_id: String,
    /// The gateway model.
    pub model: String,
    /// Files the user had open.
    pub files: Vec<String>,
    /// The latest snapshot when the task started (what it read, with each file's hash).
    pub base_snapshot_id: Option<String>,
    /// The proposal (done tasks).
    pub result: Option<TaskResult>,
    /// What it cost.
    pub metrics: Option<TaskMetrics>,
    /// Why it failed.
    pub error: Option<String>,
    /// The user's decisions so far.
    pub review: Option<Review>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<Task> for TaskView {
    fn from(t: Task) -> Self {
        let request: Request = serde_json::from_str(&t.request).unwrap_or_default();
        let base: Option<super::model::Base> =
            t.base.as_deref().and_then(|b| serde_json::from_str(b).ok());
        TaskView {
            status: TaskStatus::parse(&t.status),
            mode: Mode::parse(&t.mode).unwrap_or(Mode::Patch),
            model: request.model,
            files: request.files,
            base_snapshot_id: base.and_then(|b| b.snapshot_id),
            result: json(t.result.as_deref()),
            metrics: json(t.metrics.as_deref()),
            review: json(t.review.as_deref()),
            created_at: rfc3339(t.created_at),
            updated_at: rfc3339(t.updated_at),
            id: t.id,
            workspace_id: t.workspace_id,
            prompt: t.prompt,
            job_id: t.job_id,
            error: t.error,
        }
    }
}

fn json<T: serde::de::DeserializeOwned>(s: Option<&str>) -> Option<T> {
    s.and_then(|s| serde_json::from_str(s).ok())
}

/// Query of `GET /api/v1/agent/tasks`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskFilter {
    /// Only this workspace's tasks.
    pub workspace_id: Option<String>,
}

/// The answer to an accept or reject.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOutcome {
    /// The task's decisions now (with the snapshots around an accept).
    pub review: Review,
    /// Files the accept wrote into the workspace.
    pub written: Vec<String>,
}

impl From<super::review::Reviewed> for ReviewOutcome {
    fn from(r: super::review::Reviewed) -> Self {
        ReviewOutcome {
            review: r.review,
            written: r.written,
        }
    }
}

/// What an accept of every undecided hunk would make of the files changed since the task
/// read them (`GET …/merge-preview`).
#[derive(Debug, Serialize, ToSchema)]
pub struct MergePreview {
    /// Only the files changed in the workspace since the task read them.
    pub files: Vec<MergedFile>,
}

/// How an accept would combine a changed file with the proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MergeOutcome {
    /// The changes do not overlap: `content` is what an accept writes.
    Merged,
    /// The file already has the proposed change: an accept writes nothing.
    AlreadyApplied,
    /// The changes overlap (`conflicts`): an accept answers 409 and writes nothing.
    Conflict,
}

/// One changed file of a merge preview.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergedFile {
    /// The file.
    pub path: String,
    /// Its SHA-256 now (`null`: deleted since the task read it).
    pub current_hash: Option<String>,
    /// The outcome.
    pub outcome: MergeOutcome,
    /// What an accept writes (`null` when it deletes the file, or for a conflict).
    pub content: Option<String>,
    /// The overlapping regions of a conflict.
    pub conflicts: Vec<MergeConflict>,
}

impl From<super::review::StaleMerge> for MergedFile {
    fn from(s: super::review::StaleMerge) -> Self {
        let (outcome, content, conflicts) = match s.merged {
            Merged::Write(content) => (MergeOutcome::Merged, content, Vec::new()),
            Merged::AlreadyThere => (MergeOutcome::AlreadyApplied, None, Vec::new()),
            Merged::Conflicts(found) => (MergeOutcome::Conflict, None, found),
        };
        MergedFile {
            path: s.path,
            current_hash: s.current_hash,
            outcome,
            content,
            conflicts,
        }
    }
}
