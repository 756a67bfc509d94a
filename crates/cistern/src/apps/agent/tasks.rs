//! [`Tasks`]: the coding agent's domain handle — start a task (a row and the job that runs it),
//! read and list tasks, record audit events. The job (`job.rs`) and the review (`review.rs`)
//! run over the same handle.
//!
//! Every method taking an owner checks it: another user's task or workspace is
//! [`Error::NotFound`].

use std::sync::Arc;

use axum::extract::FromRef;
use cistern_jobs::{Jobs, NewJob};
use cistern_llm::{ChatRequest, Message};
use cistern_store::sql::{Task, now_ms};
use cistern_store::{AgentStore, BlobStore, Db, TimeCursor};

use super::error::{Error, Result, invalid};
use super::model::{Cursor, Mode, Request, Selection};
use super::workspaces::{Workspaces, file_path};
use super::{AgentConfig, JOB_NAME, QUEUE, TaskPayload};
use crate::platform::audit::{self, Action, RequestContext};
use crate::platform::quota::QuotaCache;
use crate::state::AppState;

/// Most files a task may name as open.
pub const MAX_OPEN_FILES: usize = 20;

/// A task as the user sent it, before validation.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// The workspace.
    pub workspace_id: String,
    /// What to do.
    pub prompt: String,
    /// How.
    pub mode: Mode,
    /// Files the user has open.
    pub files: Vec<String>,
    /// The cursor.
    pub cursor: Option<Cursor>,
    /// The selection.
    pub selection: Option<Selection>,
    /// A gateway model.
    pub model: Option<String>,
}

/// The coding agent's tasks over SQL, blobs, jobs, the gateway and the workspaces.
#[derive(Clone)]
pub struct Tasks {
    pub(super) db: Db,
    pub(super) blobs: BlobStore,
    pub(super) jobs: Jobs,
    pub(super) llm: cistern_llm::Gateway,
    pub(super) quotas: Arc<QuotaCache>,
    pub(super) workspaces: Workspaces,
    settings: Arc<crate::config::Config>,
}

impl FromRef<AppState> for Tasks {
    fn from_ref(state: &AppState) -> Self {
        Self {
            db: state.db.clone(),
            blobs: state.blobs.clone(),
            jobs: state.jobs.clone(),
            llm: state.llm.clone(),
            quotas: state.quotas.clone(),
            workspaces: Workspaces::from_ref(state),
            settings: state.config.clone(),
        }
    }
}

impl Tasks {
    /// `[agent]`.
    pub fn config(&self) -> &AgentConfig {
        &self.settings.agent
    }

    /// The whole configuration (the job event stream reads `[jobs]`).
    pub(super) fn settings(&self) -> &crate::config::Config {
        &self.settings
    }

    /// Validates a task, checks the owner's admission (active tasks, monthly tokens), stores
    /// it queued and enqueues its job.
    pub async fn start(&self, owner: &str, input: NewTask, ctx: &RequestContext) -> Result<Task> {
        let request = self.parse(&input)?;
        self.workspaces.get(owner, &input.workspace_id).await?;
        let active = self.db.active_tasks(owner).await?;
        if active >= i64::from(self.config().max_active_tasks_per_user) {
            return Err(Error::Busy { active });
        }
        self.quotas
            .check(&self.db, &self.settings.quota, owner)
            .await?;
        let now = now_ms();
        let mut task = Task {
            id: uuid::Uuid::now_v7().to_string(),
            owner: owner.to_owned(),
            workspace_id: input.workspace_id,
            mode: input.mode.as_str().to_owned(),
            prompt: input.prompt.trim().to_owned(),
            request: serde_json::to_string(&request).map_err(|e| Error::Corrupt(e.to_string()))?,
            status: "queued".to_owned(),
            job_id: String::new(),
            base: None,
            result: None,
            metrics: None,
            error: None,
            review: None,
            created_at: now,
            updated_at: now,
        };
        self.db.insert_task(&task).await?;
        let job = NewJob::new(
            JOB_NAME,
            serde_json::to_value(TaskPayload {
                task_id: task.id.clone(),
            })
            .map_err(|e| Error::Corrupt(e.to_string()))?,
        )
        .queue(QUEUE)
        .owner(owner)
        // One attempt: a task is a conversation with the model that spends the user's tokens;
        // a transient failure ends it with the reason, and the user starts it again.
        .max_attempts(1);
        let enqueued = self.jobs.enqueue(job).await?;
        task.job_id = enqueued.id.to_string();
        self.db.set_task_job(&task.id, &task.job_id).await?;
        self.audit(
            ctx,
            owner,
            Action::AgentTaskCreated,
            &task,
            serde_json::json!({"mode": task.mode, "workspace_id": task.workspace_id}),
        )
        .await?;
        Ok(task)
    }

    fn parse(&self, input: &NewTask) -> Result<Request> {
        let config = self.config();
        let prompt = input.prompt.trim();
        if prompt.is_empty() && input.mode != Mode::LintFix {
            return Err(invalid("prompt", "prompt must not be empty"));
        }
        if prompt.chars().count() > config.max_prompt_chars {
            return Err(invalid(
                "prompt",
                format!(
                    "prompt is longer than {} characters (agent.max_prompt_chars)",
                    config.max_prompt_chars
                ),
            ));
        }
        if input.files.len() > MAX_OPEN_FILES {
            return Err(invalid(
                "files",
                format!("at most {MAX_OPEN_FILES} open files"),
            ));
        }
        let files = input
            .files
            .iter()
            .map(|f| {
                file_path(f)
                    .map_err(|_| invalid("files", format!("{f:?} is not a safe relative path")))
            })
            .collect::<Result<Vec<_>>>()?;
        let cursor = match &input.cursor {
            Some(c) if c.line == 0 || c.column == 0 => {
                return Err(invalid("cursor", "line and column start at 1"));
            }
            Some(c) => Some(Cursor {
                path: file_path(&c.path)
                    .map_err(|_| invalid("cursor", "cursor.path is not a safe relative path"))?,
                ..c.clone()
            }),
            None => None,
        };
        let selection = match &input.selection {
            Some(s) if s.start_line == 0 || s.end_line < s.start_line => {
                return Err(invalid(
                    "selection",
                    "start_line starts at 1 and end_line is not before it",
                ));
            }
            Some(s) => Some(Selection {
                path: file_path(&s.path).map_err(|_| {
                    invalid("selection", "selection.path is not a safe relative path")
                })?,
                ..s.clone()
            }),
            None => None,
        };
        let model = match input.model.as_deref().map(str::trim) {
            Some("") => return Err(invalid("model", "model must not be empty")),
            Some(m) => m.to_owned(),
            None => self.config().default_model.clone(),
        };
        // The gateway resolves the name now, so an unknown model is the caller's error, not a
        // failed task.
        self.llm
            .estimate_cost(&ChatRequest::new(&model, vec![Message::user(prompt)]))?;
        Ok(Request {
            files,
            cursor,
            selection,
            model,
        })
    }

    /// One task of `owner`.
    pub async fn get(&self, owner: &str, id: &str) -> Result<Task> {
        self.db
            .task(owner, id)
            .await?
            .ok_or(Error::NotFound("task"))
    }

    /// A page of `owner`'s tasks, newest first; in one workspace when given (which must be
    /// theirs).
    pub async fn list(
        &self,
        owner: &str,
        workspace_id: Option<&str>,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Task>> {
        if let Some(ws) = workspace_id {
            self.workspaces.get(owner, ws).await?;
        }
        Ok(self.db.tasks_of(owner, workspace_id, before, limit).await?)
    }

    /// Appends an audit event about `task`.
    pub(super) async fn audit(
        &self,
        ctx: &RequestContext,
        owner: &str,
        action: Action,
        task: &Task,
        mut metadata: serde_json::Value,
    ) -> Result<()> {
        if let Some(map) = metadata.as_object_mut() {
            map.insert("task_id".into(), task.id.clone().into());
            map.insert("workspace_id".into(), task.workspace_id.clone().into());
        }
        audit::record(
            &self.db,
            ctx,
            audit::Event {
                actor: Some(owner),
                action,
                target: Some(&task.id),
                success: true,
                metadata,
            },
        )
        .await?;
        Ok(())
    }
}
