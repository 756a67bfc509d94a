//! The `codegen.generate` job: framework → prompt → the model through the gateway →
//! continuation rounds while the reply is cut off → extraction → assembly (manifests, README,
//! syntax check) → repair rounds while files do not parse → ZIP and files in the blob store →
//! the row finished with its [`Outcome`].
//!
//! The model is streamed. Progress goes to the job (`generating`, `file N: path` as each file
//! completes, `files found: N` when extraction counts otherwise, `continuing (round n)`,
//! `checking syntax`, `repairing (round n)`, `packaging`, `done`). An unusable reply (a path outside the project, still cut off after the rounds, no
//! files) fails the generation with the reason and writes nothing; a transient gateway error is
//! retried while attempts remain.

use std::time::Instant;

use cistern_codegen::extract::Options;
use cistern_codegen::framework::{Detection, detect_with_language};
use cistern_codegen::{File, Project, assemble, extract_with, merge};
use cistern_jobs::{JobContext, JobError};
use cistern_llm::{CallContext, ChatRequest, Message};
use cistern_store::{CodegenStore, Generation, VersionStatus};
use serde_json::{Value, json};

use super::conversation::Conversation;
use super::domain::Request;
use super::views::{GeneratedFile, Outcome};
use super::{Codegen, GeneratePayload, LLM_APP, blobs};

/// Why a generation failed: a stable kind, the reason, and whether a new attempt may help.
pub(super) struct Failure {
    kind: String,
    reason: String,
    retryable: bool,
}

impl Failure {
    pub(super) fn new(kind: &str, reason: impl Into<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            reason: reason.into(),
            retryable: false,
        }
    }

    pub(super) fn transient(kind: &str, reason: impl Into<String>) -> Self {
        Self {
            retryable: true,
            ..Self::new(kind, reason)
        }
    }
}

/// Runs one `codegen.generate` job.
pub async fn run(state: Codegen, ctx: JobContext, p: GeneratePayload) -> Result<Value, JobError> {
    let mut outcome = Outcome::default();
    match generate(&state, &ctx, &p, &mut outcome).await {
        Ok(result) => Ok(result),
        Err(f) if f.retryable && ctx.attempt() < ctx.max_attempts() => {
            if let Err(error) = ctx.log(format!("retrying: {}", f.reason)).await {
                tracing::warn!(job.id = %ctx.id(), %error, "cannot log the retry on the job");
            }
            Err(JobError::retry(f.reason))
        }
        Err(f) => {
            outcome.error_kind = Some(f.kind.clone());
            let result = serde_json::to_string(&outcome).ok();
            state
                .finish(
                    &p.generation_id,
                    VersionStatus::Failed,
                    result.as_deref(),
                    Some(&f.reason),
                )
                .await;
            step(&ctx, 100, "failed").await;
            Err(JobError::permanent(f.reason))
        }
    }
}

/// Records a stage as a progress event. Progress is informative: a failed write is logged,
/// and the work goes on.
pub(super) async fn step(ctx: &JobContext, percent: u8, message: &str) {
    if let Err(error) = ctx.progress(percent, Some(message)).await {
        tracing::warn!(job.id = %ctx.id(), stage = message, %error, "cannot record job progress");
    }
}

pub(super) fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

async fn generate(
    state: &Codegen,
    ctx: &JobContext,
    p: &GeneratePayload,
    outcome: &mut Outcome,
) -> Result<Value, Failure> {
    let owner = ctx.owner().unwrap_or_default();
    let row: Generation = state
        .db
        .generation(owner, &p.generation_id)
        .await
        .map_err(|e| Failure::transient("store", format!("database: {e}")))?
        .ok_or_else(|| Failure::new("deleted", "the generation was deleted"))?;
    let request: Request = serde_json::from_str(&row.request)
        .map_err(|e| Failure::new("request", format!("the stored request is unreadable: {e}")))?;
    let detection: Detection =
        detect_with_language(&row.prompt, request.framework, request.language);
    let framework = detection.framework;
    outcome.framework = Some(detection);
    outcome.language = Some(request.language.unwrap_or(framework.language()));

    let config = state.config().clone();
    let templates = state.shared.templates.clone();
    let mut conversation = Conversation {
        state,
        req: ChatRequest::new(
            &request.model,
            vec![
                Message::system(
                    templates
                        .system(framework, request.language)
                        .map_err(template)?,
                ),
                Message::user(templates.user(&row.prompt).map_err(template)?),
            ],
        ),
        call: CallContext {
            user_id: Some(owner.to_owned()),
            app: Some(LLM_APP.to_owned()),
            ..CallContext::default()
        },
        outcome,
        announced: Vec::new(),
    };
    step(ctx, 10, "generating").await;
    let (reply, cut) = conversation.reply(ctx, config.continue_rounds).await?;
    let files = extract(&reply, cut, conversation.outcome)?;
    if files.len() != conversation.announced.len() {
        step(ctx, 50, &format!("files found: {}", files.len())).await;
    }

    let mut current = files.clone();
    // The progress write and the work it announces overlap: neither waits for the other.
    let (project, ()) = tokio::join!(
        assembled(current.clone(), framework, conversation.outcome),
        step(ctx, 55, "checking syntax"),
    );
    let mut project = project?;
    let mut round = 0;
    while project.files_with_errors().next().is_some() && round < config.repair_rounds {
        round += 1;
        conversation.outcome.repair_rounds = round;
        step(ctx, 60, &format!("repairing (round {round})")).await;
        conversation.req.messages.push(Message::user(
            templates
                .repair(project.files_with_errors())
                .map_err(template)?,
        ));
        let (fix, cut) = conversation.reply(ctx, config.continue_rounds).await?;
        // A repair reply that cannot be used leaves the project as it was (its syntax
        // reports say what is wrong); only the first reply decides whether there is one.
        match extract_with(&fix, Options { cut_off: cut }) {
            Ok(fixes) => merge(&mut current, fixes.files),
            Err(error) => {
                tracing::info!(job.id = %ctx.id(), %error, "repair reply unusable");
                continue;
            }
        }
        project = assembled(current.clone(), framework, conversation.outcome).await?;
    }
    let outcome = conversation.outcome;
    publish(state, ctx, &row, &request, project, outcome).await
}

/// A template that fails to render (an override using a variable wrongly).
pub(super) fn template(e: minijinja::Error) -> Failure {
    Failure::new("template", format!("a prompt template failed: {e}"))
}

/// The reply's files, or why there are none.
fn extract(reply: &str, cut: bool, outcome: &mut Outcome) -> Result<Vec<File>, Failure> {
    let started = Instant::now();
    let extraction = extract_with(reply, Options { cut_off: cut });
    outcome
        .timings_ms
        .insert("extract".to_owned(), elapsed_ms(started));
    extraction
        .map(|e| e.files)
        .map_err(|e| Failure::new(e.kind(), e.to_string()))
}

/// [`assemble`] on a blocking thread (the syntax check is CPU work).
async fn assembled(
    files: Vec<File>,
    framework: cistern_codegen::framework::Framework,
    outcome: &mut Outcome,
) -> Result<Project, Failure> {
    let started = Instant::now();
    let project = tokio::task::spawn_blocking(move || assemble(files, framework))
        .await
        .map_err(|e| Failure::new("internal", format!("assembling the project failed: {e}")))?;
    *outcome.timings_ms.entry("assemble".to_owned()).or_default() += elapsed_ms(started);
    Ok(project)
}

/// Packages the project, stores its files and ZIP, and records the generation as ready.
async fn publish(
    state: &Codegen,
    ctx: &JobContext,
    row: &Generation,
    request: &Request,
    project: Project,
    outcome: &mut Outcome,
) -> Result<Value, Failure> {
    let id = row.id.as_str();
    let package = async {
        let started = Instant::now();
        let zip = blobs::zip(&project.files)
            .map_err(|e| Failure::new("package", format!("packaging: {e}")))?;
        outcome
            .timings_ms
            .insert("package".to_owned(), elapsed_ms(started));
        let started = Instant::now();
        blobs::store(&state.blobs, id, &project.files, zip)
            .await
            .map_err(|e| Failure::transient("store", format!("blob store: {e}")))?;
        outcome
            .timings_ms
            .insert("store".to_owned(), elapsed_ms(started));
        Ok::<_, Failure>(())
    };
    let (packaged, ()) = tokio::join!(package, step(ctx, 90, "packaging"));
    packaged?;
    outcome.files = project
        .files
        .iter()
        .map(|f| GeneratedFile {
            path: f.path.as_str().to_owned(),
            language: f.language,
            size: f.size as u64,
            syntax: f.syntax.clone(),
        })
        .collect();
    // What the model wrote wins over what was expected (a React project in TypeScript).
    if let Some(language) = project.main_language() {
        outcome.language = Some(language);
    }
    outcome.warnings = project.warnings;
    let result = serde_json::to_string(&*outcome)
        .map_err(|e| Failure::new("internal", format!("result: {e}")))?;
    // Cached before the row is ready (the cache answers ready rows only), so whoever sees it
    // ready also finds it in the cache.
    state.remember(&row.owner, id, request).await;
    state
        .record_end(id, VersionStatus::Ready, Some(&result), None)
        .await
        .map_err(|e| Failure::transient("store", format!("database: {e}")))?;
    // Deleted while it ran: its blobs, just written, would be unreachable garbage.
    if let Ok(None) = state.db.generation(&row.owner, id).await {
        if let Err(error) = blobs::delete_all(&state.blobs, id).await {
            tracing::warn!(generation_id = id, %error, "blobs of a deleted generation not deleted");
        }
        return Err(Failure::new(
            "deleted",
            "the generation was deleted while it ran",
        ));
    }
    step(ctx, 100, "done").await;
    Ok(json!({"generation_id": id, "files": outcome.files.len()}))
}
