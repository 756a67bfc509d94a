//! The `agent.task` job: the base the task reads (the working tree's hashes and the latest
//! snapshot) → the mode's instructions and context → a bounded tool loop through the gateway
//! (`list_files`, `read_file`, `search`, `propose_edits`, `finish`) → the proposal: each
//! changed file's content stored by hash, its diff and hunks made by the server.
//!
//! Edits go through the edit engine against the working copy; a refused edit, or one that
//! breaks a file's syntax, goes back to the model as the tool's answer while
//! `agent.repair_rounds` last. Steps and tokens are bounded by `agent.max_steps` and
//! `agent.max_task_tokens`. Progress names what the agent does (`reading src/app.py`,
//! `searching /pattern/`, `proposing edits`, `repair round 1`, …).

use std::collections::BTreeMap;
use std::time::Instant;

use cistern_jobs::{JobContext, JobError};
use cistern_llm::{CallContext, ChatRequest, Message, ToolCall, ToolChoice};
use cistern_store::AgentStore;
use cistern_store::sql::{Task, now_ms};
use serde::Deserialize;
use serde_json::{Value, json};

use super::diff::DiffStatus;
use super::model::{Base, Mode, ProposedFile, Request, TaskMetrics, TaskResult};
use super::tools::{self, WorkingCopy};
use super::workspace_views::DiffHunk;
use super::{LLM_APP, TaskPayload, Tasks, blobs, diagnostics, prompt, review};
use crate::platform::audit::{Action, RequestContext};

/// Why a task failed: a stable kind and the reason.
pub(super) struct Failure {
    kind: &'static str,
    reason: String,
}

impl Failure {
    fn new(kind: &'static str, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
        }
    }
}

impl From<super::Error> for Failure {
    fn from(e: super::Error) -> Self {
        Failure::new("internal", e.to_string())
    }
}

/// Runs one `agent.task` job.
pub async fn run(tasks: Tasks, ctx: JobContext, p: TaskPayload) -> Result<Value, JobError> {
    let started = Instant::now();
    let owner = ctx.owner().unwrap_or_default().to_owned();
    let task = match tasks.get(&owner, &p.task_id).await {
        Ok(task) => task,
        Err(super::Error::NotFound(_)) => {
            // Deleted with its workspace while queued: nothing to do.
            return Ok(json!({"task_id": p.task_id, "status": "gone"}));
        }
        Err(e) => return Err(JobError::retry(e.to_string())),
    };
    let mut metrics = TaskMetrics::default();
    let outcome = execute(&tasks, &ctx, &task, &mut metrics).await;
    metrics.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let metrics_json = serde_json::to_string(&metrics).ok();
    let audit_ctx = RequestContext::default();
    let audit_meta =
        json!({"mode": task.mode, "tokens": metrics.tokens, "duration_ms": metrics.duration_ms});
    match outcome {
        Ok(result) => {
            let json =
                serde_json::to_string(&result).map_err(|e| JobError::permanent(e.to_string()))?;
            tasks
                .db
                .finish_task(
                    &task.id,
                    "done",
                    Some(&json),
                    metrics_json.as_deref(),
                    None,
                    now_ms(),
                )
                .await
                .map_err(|e| JobError::retry(e.to_string()))?;
            let files = result.files_modified.len();
            if let Err(error) = tasks
                .audit(
                    &audit_ctx,
                    &owner,
                    Action::AgentTaskCompleted,
                    &task,
                    with(audit_meta, "files", files.into()),
                )
                .await
            {
                tracing::warn!(task.id = %task.id, %error, "cannot audit the task's completion");
            }
            step(&ctx, 100, "done").await;
            Ok(json!({"task_id": task.id, "status": "done", "files": files}))
        }
        Err(f) => {
            let reason = f.reason.clone();
            if let Err(error) = tasks
                .db
                .finish_task(
                    &task.id,
                    "failed",
                    None,
                    metrics_json.as_deref(),
                    Some(&reason),
                    now_ms(),
                )
                .await
            {
                tracing::warn!(task.id = %task.id, %error, "cannot record the task's failure");
            }
            if let Err(error) = tasks
                .audit(
                    &audit_ctx,
                    &owner,
                    Action::AgentTaskFailed,
                    &task,
                    with(audit_meta, "kind", f.kind.into()),
                )
                .await
            {
                tracing::warn!(task.id = %task.id, %error, "cannot audit the task's failure");
            }
            step(&ctx, 100, "failed").await;
            Err(JobError::permanent(reason))
        }
    }
}

fn with(mut value: Value, key: &str, extra: Value) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.insert(key.to_owned(), extra);
    }
    value
}

/// Records a stage as a progress event; a failed write is logged and the work goes on.
async fn step(ctx: &JobContext, percent: u8, message: &str) {
    if let Err(error) = ctx.progress(percent, Some(message)).await {
        tracing::warn!(job.id = %ctx.id(), stage = message, %error, "cannot record task progress");
    }
}

async fn execute(
    tasks: &Tasks,
    ctx: &JobContext,
    task: &Task,
    metrics: &mut TaskMetrics,
) -> Result<TaskResult, Failure> {
    let config = tasks.config().clone();
    let mode = Mode::parse(&task.mode).ok_or_else(|| Failure::new("internal", "unknown mode"))?;
    let request: Request = serde_json::from_str(&task.request)
        .map_err(|e| Failure::new("internal", format!("stored request unreadable: {e}")))?;
    metrics.model = request.model.clone();

    // The base: what the agent reads, recorded before it reads it.
    let rows = tasks
        .db
        .tree(&task.workspace_id)
        .await
        .map_err(super::Error::from)?;
    let latest = tasks
        .db
        .snapshots_of(&task.workspace_id, None, 1)
        .await
        .map_err(super::Error::from)?;
    let base = Base {
        snapshot_id: latest.first().map(|s| s.id.clone()),
        files: rows
            .iter()
            .map(|r| (r.path.clone(), r.hash.clone()))
            .collect(),
    };
    let base_json =
        serde_json::to_string(&base).map_err(|e| Failure::new("internal", e.to_string()))?;
    tasks
        .db
        .start_task(&task.id, &base_json, now_ms())
        .await
        .map_err(super::Error::from)?;
    step(ctx, 5, "reading the workspace").await;
    let sizes: BTreeMap<String, i64> = rows.iter().map(|r| (r.path.clone(), r.size)).collect();
    let mut copy = WorkingCopy::new(tasks.blobs.clone(), &task.workspace_id, base.files.clone());

    let open_paths: Vec<String> = request
        .files
        .iter()
        .chain(request.cursor.iter().map(|c| &c.path))
        .chain(request.selection.iter().map(|s| &s.path))
        .filter(|p| base.files.contains_key(*p))
        .cloned()
        .collect();
    copy.load(open_paths.iter().map(String::as_str)).await?;
    let mut open: Vec<(String, String)> = Vec::new();
    for path in &open_paths {
        if !open.iter().any(|(p, _)| p == path)
            && let Some(content) = copy.get(path)
        {
            open.push((path.clone(), content.to_owned()));
        }
    }

    let diagnostics = if mode == Mode::LintFix {
        step(ctx, 8, "running diagnostics").await;
        copy.load_all().await?;
        let mut found = diagnostics::run(copy.tree());
        found.push_str(&super::linters::run(&config, copy.tree()).await);
        if found.is_empty() {
            return Ok(TaskResult {
                kind: result_kind(mode).to_owned(),
                files_modified: Vec::new(),
                explanation: format!(
                    "The syntax checks and the configured linters found no problems in the workspace's {} files; nothing to fix.",
                    base.files.len()
                ),
            });
        }
        Some(found)
    } else {
        None
    };
    let rejections = review::rejections(tasks, &task.owner, &task.workspace_id).await?;
    let context = prompt::Context {
        request: &request,
        paths: copy.paths().into_iter().collect(),
        open,
        diagnostics,
        rejections,
    };
    let mut req = ChatRequest::new(
        &request.model,
        vec![
            Message::system(prompt::system(mode)),
            Message::user(prompt::user(mode, &task.prompt, &context)),
        ],
    );
    let edits_allowed = mode != Mode::Explain;
    req.tools = tools::definitions(edits_allowed);
    // Modes that change code must act through the tools (a model that writes its edits as
    // prose anyway is still understood below); an explanation may be plain text.
    req.tool_choice = Some(if edits_allowed {
        ToolChoice::Required
    } else {
        ToolChoice::Auto
    });
    let call = CallContext {
        user_id: Some(task.owner.clone()),
        app: Some(LLM_APP.to_owned()),
        ..CallContext::default()
    };

    let mut explanation: Option<String> = None;
    let mut last_refusal = String::new();
    let mut repeats = Repeats::default();
    for n in 1..=config.max_steps {
        if metrics.tokens >= config.max_task_tokens {
            break;
        }
        let percent = 10 + u8::try_from(80 * n / config.max_steps.max(1)).unwrap_or(80);
        step(ctx, percent.min(90), &format!("thinking (step {n})")).await;
        let resp = tasks
            .llm
            .chat(req.clone(), call.clone())
            .await
            .map_err(|e| Failure::new("model", format!("the model could not be called: {e}")))?;
        metrics.rounds += 1;
        metrics.input_tokens += u64::from(resp.usage.input_tokens);
        metrics.output_tokens += u64::from(resp.usage.output_tokens);
        metrics.tokens = metrics.input_tokens + metrics.output_tokens;
        metrics.llm_provider = resp.model.clone();
        let message = resp.message;
        req.messages.push(message.clone());
        if message.tool_calls.is_empty() {
            let text = message.text().into_owned();
            // A model that writes its edits as text rather than through the tool.
            if edits_allowed && cistern_edit::parse(&text).is_ok_and(|e| !e.is_empty()) {
                let answer = propose(ctx, &mut copy, &text, metrics).await?;
                if let Some(refusal) = answer.refused {
                    last_refusal = refusal.clone();
                    check_repairs(metrics, config.repair_rounds, &last_refusal)?;
                    req.messages.push(Message::user(refusal));
                    continue;
                }
            }
            explanation = Some(if edits_allowed {
                prompt::prose(&text)
            } else {
                text
            });
            break;
        }
        let mut finished = false;
        for call in &message.tool_calls {
            let output = match call.function.name.as_str() {
                tools::FINISH => {
                    finished = true;
                    let args: FinishArgs = args(call).unwrap_or_default();
                    explanation = Some(args.explanation);
                    "Done.".to_owned()
                }
                tools::PROPOSE_EDITS if edits_allowed => {
                    let edits = match args::<ProposeArgs>(call) {
                        Ok(a) => a.edits,
                        Err(e) => {
                            req.messages.push(Message::tool_result(&call.id, e));
                            continue;
                        }
                    };
                    let answer = propose(ctx, &mut copy, &edits, metrics).await?;
                    match answer.refused {
                        Some(refusal) => {
                            last_refusal = refusal.clone();
                            check_repairs(metrics, config.repair_rounds, &last_refusal)?;
                            refusal
                        }
                        None => answer.applied,
                    }
                }
                _ => match repeats.count(call)? {
                    Some(nudge) => nudge,
                    None => run_tool(ctx, &mut copy, call, &sizes, &config).await?,
                },
            };
            req.messages.push(Message::tool_result(&call.id, output));
        }
        if finished {
            break;
        }
    }
    let changes = copy.changes();
    let explanation = match explanation {
        Some(text) => text,
        None if !changes.is_empty() => format!(
            "The agent stopped at its budget ({} steps, {} tokens) before summing up; its edits so far are proposed.",
            metrics.rounds, metrics.tokens
        ),
        None if !last_refusal.is_empty() => {
            return Err(Failure::new("edit_refused", last_refusal));
        }
        None => {
            return Err(Failure::new(
                "budget",
                format!(
                    "the agent used its budget ({} model calls, {} tokens; agent.max_steps, agent.max_task_tokens) without an answer",
                    metrics.rounds, metrics.tokens
                ),
            ));
        }
    };
    step(ctx, 95, "preparing the proposal").await;
    let files_modified = proposal(tasks, &task.workspace_id, &base, changes).await?;
    Ok(TaskResult {
        kind: result_kind(mode).to_owned(),
        files_modified,
        explanation,
    })
}

fn result_kind(mode: Mode) -> &'static str {
    match mode {
        Mode::Patch => "patch",
        Mode::Explain => "explanation",
        Mode::GenerateTest => "tests",
        Mode::LintFix => "lint_fix",
    }
}

fn check_repairs(metrics: &mut TaskMetrics, allowed: u32, refusal: &str) -> Result<(), Failure> {
    metrics.repair_rounds += 1;
    if metrics.repair_rounds > allowed {
        return Err(Failure::new(
            "edit_refused",
            format!(
                "the model's edits were refused {} times (agent.repair_rounds = {allowed}); the last refusal: {refusal}",
                metrics.repair_rounds
            ),
        ));
    }
    Ok(())
}

/// The same read-only tool call made again and again (small models loop): the third time it
/// is answered with a nudge instead, the fifth time the task fails.
#[derive(Default)]
struct Repeats(std::collections::HashMap<(String, String), u32>);

/// Times the same call is answered before the nudge.
const REPEATS_ANSWERED: u32 = 2;
/// Times the same call may be made at all.
const REPEATS_ALLOWED: u32 = 4;

impl Repeats {
    fn count(&mut self, call: &ToolCall) -> Result<Option<String>, Failure> {
        let key = (
            call.function.name.clone(),
            call.function.arguments.trim().to_owned(),
        );
        let n = self.0.entry(key).or_default();
        *n += 1;
        if *n > REPEATS_ALLOWED {
            return Err(Failure::new(
                "loop",
                format!(
                    "the model made the same {} call {} times without progress",
                    call.function.name, *n
                ),
            ));
        }
        Ok((*n > REPEATS_ANSWERED).then(|| {
            format!(
                "You made this {} call {} times already and its answer has not changed. Use what you have: propose your edits with propose_edits, or call finish.",
                call.function.name,
                *n - 1
            )
        }))
    }
}

#[derive(Debug, Default, Deserialize)]
struct FinishArgs {
    #[serde(default)]
    explanation: String,
}

#[derive(Debug, Deserialize)]
struct ProposeArgs {
    edits: String,
}

fn args<T: serde::de::DeserializeOwned>(call: &ToolCall) -> Result<T, String> {
    let raw = if call.function.arguments.trim().is_empty() {
        "{}"
    } else {
        &call.function.arguments
    };
    serde_json::from_str(raw).map_err(|e| {
        format!(
            "The arguments of {} are not usable: {e}",
            call.function.name
        )
    })
}

/// What a proposal came to: applied (a summary) or refused (the text for the model).
struct Proposed {
    applied: String,
    refused: Option<String>,
}

async fn propose(
    ctx: &JobContext,
    copy: &mut WorkingCopy,
    edits: &str,
    metrics: &TaskMetrics,
) -> Result<Proposed, Failure> {
    step(ctx, 50, "proposing edits").await;
    let checkpoint = copy.checkpoint();
    let changed = match copy.propose(edits).await? {
        Ok(changed) => changed,
        Err(refusal) => {
            step(
                ctx,
                50,
                &format!("repair round {}: edits refused", metrics.repair_rounds + 1),
            )
            .await;
            return Ok(Proposed {
                applied: String::new(),
                refused: Some(format!(
                    "Your edits were not applied (nothing was changed):\n{refusal}"
                )),
            });
        }
    };
    let broken = diagnostics::newly_broken(copy, &changed);
    if !broken.is_empty() {
        copy.rollback(checkpoint);
        step(
            ctx,
            50,
            &format!("repair round {}: syntax errors", metrics.repair_rounds + 1),
        )
        .await;
        return Ok(Proposed {
            applied: String::new(),
            refused: Some(format!(
                "Your edits were not applied: they would leave syntax errors.\n{broken}\nFix the edits and propose them again."
            )),
        });
    }
    step(ctx, 55, &format!("applied edits to {}", changed.join(", "))).await;
    Ok(Proposed {
        applied: format!(
            "Applied to {} (in your working copy; the user reviews them at the end).",
            changed.join(", ")
        ),
        refused: None,
    })
}

async fn run_tool(
    ctx: &JobContext,
    copy: &mut WorkingCopy,
    call: &ToolCall,
    sizes: &BTreeMap<String, i64>,
    config: &super::AgentConfig,
) -> Result<String, Failure> {
    Ok(match call.function.name.as_str() {
        tools::LIST_FILES => {
            step(ctx, 20, "listing files").await;
            tools::list(copy, sizes, config)
        }
        tools::READ_FILE => match args::<tools::ReadArgs>(call) {
            Ok(a) => {
                step(ctx, 30, &format!("reading {}", a.path)).await;
                copy.load([a.path.as_str()]).await?;
                match copy.get(&a.path) {
                    Some(content) => tools::read(content, &a, config.max_read_lines),
                    None => format!(
                        "{} does not exist. Use list_files to see the files.",
                        a.path
                    ),
                }
            }
            Err(e) => e,
        },
        tools::SEARCH => match args::<tools::SearchArgs>(call) {
            Ok(a) => {
                step(ctx, 30, &format!("searching /{}/", a.pattern)).await;
                copy.load_all().await?;
                tools::search(copy.tree(), &a, config.max_search_results)
            }
            Err(e) => e,
        },
        other => format!("There is no tool named {other:?} in this task."),
    })
}

/// The proposal's files: each changed file's content stored by hash, its diff made by the
/// server from the base to the proposal.
async fn proposal(
    tasks: &Tasks,
    workspace_id: &str,
    base: &Base,
    changes: Vec<(String, Option<String>, Option<String>)>,
) -> Result<Vec<ProposedFile>, Failure> {
    let contents: Vec<&str> = changes
        .iter()
        .filter_map(|(_, _, after)| after.as_deref())
        .collect();
    blobs::put(&tasks.blobs, workspace_id, &contents).await?;
    Ok(changes
        .iter()
        .map(|(path, before, after)| {
            let diff = cistern_edit::unified_diff(path, before.as_deref(), after.as_deref());
            ProposedFile {
                path: path.clone(),
                status: match (before, after) {
                    (None, _) => DiffStatus::Added,
                    (_, None) => DiffStatus::Deleted,
                    _ => DiffStatus::Modified,
                },
                base_hash: base.files.get(path).cloned(),
                new_hash: after.as_deref().map(blobs::hash),
                patch: diff.patch,
                hunks: diff.hunks.into_iter().map(DiffHunk::from).collect(),
            }
        })
        .collect())
}
