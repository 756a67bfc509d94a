//! The `extension.generate` job: prompt → forced `submit_extension` call → validation, version
//! bump and real-browser check, with bounded repair rounds → ZIP → blobs and SQL.
//!
//! A round is: the model's files → static validation → (clean) version bump and the Chromium
//! check. Errors from validation *or* the browser (load errors, a service worker that throws or
//! never starts) become findings sent back in a repair round; all rounds share
//! `extensions.repair_rounds`. The report keeps earlier rounds' errors (`repairs`) and per-step
//! times (`timings_ms`).
//!
//! Progress goes to the job (`generating`, `validating`, `checking in browser`,
//! `repairing (round n)`, `packaging`, `done`); a failure is recorded on the version with reasons
//! a user can act on, and fails the job permanently (a transient gateway error is retried while
//! attempts remain).

use std::time::{Duration, Instant};

use cistern_extension::chromium::{self, BrowserCheck, ChromiumOptions};
use cistern_extension::contract::{self, TOOL_DESCRIPTION, TOOL_NAME};
use cistern_extension::{
    ExtensionFile, RepairRound, Report, Submission, icons, package, validate, version,
};
use cistern_jobs::{JobContext, JobError};
use cistern_llm::{CallContext, ChatRequest, ErrorKind, Message, Tool, ToolChoice};
use cistern_store::sql::now_ms;
use cistern_store::{ExtensionStore, VersionOutcome, VersionStatus};
use serde_json::{Value, json};

use super::{Extensions, ExtensionsConfig, GeneratePayload, LLM_APP, blobs, max_version};

/// Why a generation failed, with what was known by then.
struct Failure {
    reason: String,
    retryable: bool,
    blueprint: Option<Value>,
    report: Option<Report>,
}

impl Failure {
    fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            retryable: false,
            blueprint: None,
            report: None,
        }
    }
}

/// Runs one `extension.generate` job.
pub async fn run(
    state: Extensions,
    ctx: JobContext,
    p: GeneratePayload,
) -> Result<Value, JobError> {
    match generate(&state, &ctx, &p).await {
        Ok(result) => Ok(result),
        Err(f) if f.retryable && ctx.attempt() < ctx.max_attempts() => {
            if let Err(error) = ctx.log(format!("retrying: {}", f.reason)).await {
                tracing::warn!(job.id = %ctx.id(), %error, "cannot log the retry on the job");
            }
            Err(JobError::retry(f.reason))
        }
        Err(f) => {
            let outcome = VersionOutcome {
                status: VersionStatus::Failed,
                blueprint: f.blueprint.map(|b| b.to_string()),
                report: f.report.and_then(|r| serde_json::to_string(&r).ok()),
                error: Some(f.reason.clone()),
                ..VersionOutcome::default()
            };
            state.finish(&p.extension_id, p.seq, &outcome).await;
            step(&ctx, 100, "failed").await;
            Err(JobError::permanent(f.reason))
        }
    }
}

/// Records a stage as a progress event carrying its name (one durable write: the stage is not
/// logged a second time). Progress is informative: a failed write is logged, and the work goes
/// on.
async fn step(ctx: &JobContext, percent: u8, message: &str) {
    if let Err(error) = ctx.progress(percent, Some(message)).await {
        tracing::warn!(job.id = %ctx.id(), stage = message, %error, "cannot record job progress");
    }
}

async fn generate(
    state: &Extensions,
    ctx: &JobContext,
    p: &GeneratePayload,
) -> Result<Value, Failure> {
    let versions = state
        .db
        .extension_versions(&p.extension_id)
        .await
        .map_err(|e| Failure {
            retryable: true,
            ..Failure::new(format!("database: {e}"))
        })?;
    let base = match &p.base_version {
        Some(v) => {
            let row = versions
                .iter()
                .find(|r| {
                    r.version.as_deref() == Some(v.as_str()) && r.status == VersionStatus::Ready
                })
                .ok_or_else(|| Failure::new(format!("base version {v} does not exist")))?;
            let files = blobs::files(&state.blobs, &p.extension_id, row.seq)
                .await
                .map_err(|e| Failure {
                    retryable: true,
                    ..Failure::new(format!("blob store: {e}"))
                })?;
            Some((v.clone(), files))
        }
        None => None,
    };
    let iteration = base.is_some();
    let system = match &base {
        Some((v, files)) => contract::iteration_system_prompt(files, v),
        None => contract::first_system_prompt(),
    };
    let mut req = ChatRequest::new(
        &p.model,
        vec![Message::system(system), Message::user(&p.prompt)],
    );
    req.tools = vec![Tool::function(
        TOOL_NAME,
        TOOL_DESCRIPTION,
        contract::tool_parameters_schema(iteration),
    )];
    req.tool_choice = Some(ToolChoice::Function(TOOL_NAME.to_owned()));
    let call = CallContext {
        user_id: ctx.owner().map(str::to_owned),
        app: Some(LLM_APP.to_owned()),
        ..CallContext::default()
    };

    step(ctx, 10, "generating").await;
    let current: Vec<ExtensionFile> = base.map(|(_, files)| files).unwrap_or_default();
    let previous = max_version(versions.iter().filter_map(|r| r.version.as_deref()));
    let accepted = rounds(state, ctx, &mut req, &call, current, previous).await?;
    publish(state, ctx, p, accepted).await
}

/// What the rounds settled on: files that passed validation and the browser check.
struct Accepted {
    submission: Submission,
    files: Vec<ExtensionFile>,
    /// The last round's report, with the earlier rounds' errors in `repairs`.
    report: Report,
    version: String,
    /// Repair rounds used.
    rounds: u32,
    /// Per-step times so far (in its `timings_ms`).
    timings: Report,
}

/// Every round: the model's files (merged onto `current` for an iteration) → static
/// validation → (clean) version bump and browser check. Errors from either go back to the model
/// while `extensions.repair_rounds` remain; then the version fails with them.
async fn rounds(
    state: &Extensions,
    ctx: &JobContext,
    req: &mut ChatRequest,
    call: &CallContext,
    mut current: Vec<ExtensionFile>,
    previous: Option<&str>,
) -> Result<Accepted, Failure> {
    let config = state.config();
    let mut arguments_repaired = false;
    let mut round: u32 = 0;
    let max_rounds = config.repair_rounds.min(5);
    let mut repairs: Vec<RepairRound> = Vec::new();
    let mut timings = Report::default();
    loop {
        let submission = submit(state, req, call, &mut arguments_repaired).await?;
        let blueprint = serde_json::to_value(&submission.blueprint).ok();
        let fail = |reason: String, report: Option<Report>| Failure {
            blueprint: blueprint.clone(),
            report,
            ..Failure::new(reason)
        };
        let merged = if current.is_empty() {
            Ok(submission.extension_files())
        } else {
            contract::merge(&current, &submission)
        };
        let mut files = merged.map_err(|e| fail(e.to_string(), None))?;
        let percent = 40 + 10 * round.min(5) as u8;
        step(ctx, percent, "validating").await;
        let started = Instant::now();
        // A manifest too broken to add icons to is left for validation to report.
        if let Err(error) = icons::generate_missing(&mut files) {
            tracing::debug!(job.id = %ctx.id(), %error, "icons not generated");
        }
        let mut report = validate(&files);
        timings.add_time("validate", elapsed_ms(started));
        let mut next = None;
        if !report.has_errors() {
            let version = version::next_version(previous, submission.blueprint.change_kind)
                .map_err(|e| fail(e.to_string(), Some(report.clone())))?;
            version::set_manifest_version(&mut files, &version)
                .map_err(|e| fail(e.to_string(), Some(report.clone())))?;
            step(ctx, percent + 5, "checking in browser").await;
            let started = Instant::now();
            let check = browser_check(config, &files).await;
            timings.add_time("browser_check", elapsed_ms(started));
            let found = check.findings(service_worker(&files).as_deref());
            report.browser = Some(check);
            report.findings.extend(found);
            next = Some(version);
        }
        if let Some(version) = next.filter(|_| !report.has_errors()) {
            report.repairs = repairs;
            return Ok(Accepted {
                submission,
                files,
                report,
                version,
                rounds: round,
                timings,
            });
        }
        if round >= max_rounds {
            report.repairs = repairs;
            report.timings_ms = timings.timings_ms;
            let what = if report.browser.as_ref().is_some_and(|b| !b.is_loaded()) {
                "did not load in Chromium"
            } else {
                "failed validation"
            };
            let reasons: Vec<String> = report
                .errors()
                .map(|f| {
                    format!(
                        "{} ({}): {}",
                        f.code,
                        f.file.as_deref().unwrap_or("-"),
                        f.message
                    )
                })
                .collect();
            return Err(fail(
                format!(
                    "the extension still {what} after {round} repair round(s): {}",
                    reasons.join("; ")
                ),
                Some(report),
            ));
        }
        round += 1;
        repairs.push(RepairRound {
            round,
            findings: report.errors().cloned().collect(),
        });
        step(
            ctx,
            40 + 10 * round.min(5) as u8,
            &format!("repairing (round {round})"),
        )
        .await;
        repair_with(req, &report.repair_prompt());
        // Files refused for their path never become the next round's base.
        current = validate::paths::split_by_path(files).0;
    }
}

/// Packages the accepted files, stores them and records the version as ready.
async fn publish(
    state: &Extensions,
    ctx: &JobContext,
    p: &GeneratePayload,
    accepted: Accepted,
) -> Result<Value, Failure> {
    let Accepted {
        mut submission,
        mut files,
        mut report,
        version: next,
        rounds: round,
        mut timings,
    } = accepted;
    step(ctx, 96, "packaging").await;
    // What the blueprint left out is filled in from the version's files, not the reply's.
    submission.blueprint.fill_in(&files);
    let blueprint = serde_json::to_value(&submission.blueprint).unwrap_or(Value::Null);
    let fail = |reason: String, report: Option<Report>| Failure {
        blueprint: Some(blueprint.clone()),
        report,
        ..Failure::new(reason)
    };
    let started = Instant::now();
    let zip = package::zip_files(&files)
        .map_err(|e| fail(format!("packaging: {e}"), Some(report.clone())))?;
    timings.add_time("package", elapsed_ms(started));
    let started = Instant::now();
    blobs::store(&state.blobs, &p.extension_id, p.seq, &files, zip)
        .await
        .map_err(|e| Failure {
            retryable: true,
            ..fail(format!("blob store: {e}"), Some(report.clone()))
        })?;
    timings.add_time("store", elapsed_ms(started));
    report.timings_ms = timings.timings_ms;
    files.sort_by(|a, b| a.path.cmp(&b.path));

    let listing: Vec<Value> = files
        .iter()
        .map(|f| json!({"path": f.path, "size": f.content.len()}))
        .collect();
    let outcome = VersionOutcome {
        status: VersionStatus::Ready,
        version: Some(next.clone()),
        blueprint: Some(blueprint.to_string()),
        report: serde_json::to_string(&report).ok(),
        files: Some(Value::Array(listing).to_string()),
        error: None,
    };
    let now = now_ms();
    state
        .db
        .finish_extension_version(&p.extension_id, p.seq, &outcome, now)
        .await
        .map_err(|e| match e {
            cistern_store::sql::Error::Conflict(_) => fail(
                format!("version {next} was taken by a concurrent iteration; iterate again"),
                Some(report.clone()),
            ),
            other => Failure {
                retryable: true,
                ..fail(format!("database: {other}"), None)
            },
        })?;
    if let Some(name) = manifest_name(&files) {
        // The version is ready either way; the list keeps the old name until the next rename.
        if let Err(error) = state.db.rename_extension(&p.extension_id, &name, now).await {
            tracing::warn!(extension_id = %p.extension_id, %error, "cannot rename the extension");
        }
    }
    step(ctx, 100, "done").await;
    Ok(
        json!({"extension_id": p.extension_id, "seq": p.seq, "version": next, "repair_rounds": round}),
    )
}

/// One forced call; unusable arguments get one repair round (the gateway already repairs JSON
/// that does not parse or fit the schema once), then fail.
async fn submit(
    state: &Extensions,
    req: &mut ChatRequest,
    call: &CallContext,
    arguments_repaired: &mut bool,
) -> Result<Submission, Failure> {
    loop {
        let resp = state.llm.chat(req.clone(), call.clone()).await.map_err(|e| {
            let retryable = matches!(e.kind(), ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::RateLimited | ErrorKind::Overloaded);
            let reason = if e.kind() == ErrorKind::InvalidOutput {
                format!("the model's submit_extension call was malformed even after a repair round: {e}")
            } else {
                format!("the model could not be called: {e}")
            };
            Failure { retryable, ..Failure::new(reason) }
        })?;
        let arguments = resp
            .message
            .tool_calls
            .iter()
            .find(|c| c.function.name == TOOL_NAME)
            .map(|c| c.function.arguments.clone())
            .unwrap_or_default();
        match contract::parse_submission(&arguments) {
            Ok(submission) => {
                req.messages.push(resp.message);
                return Ok(submission);
            }
            Err(e) if !*arguments_repaired => {
                *arguments_repaired = true;
                req.messages.push(resp.message);
                repair_with(req, &e.repair_prompt());
            }
            Err(e) => {
                return Err(Failure::new(format!(
                    "the model's submit_extension arguments were unusable after a repair round: {e}"
                )));
            }
        }
    }
}

/// Answers the last assistant message's tool call (or adds a user message) with `prompt`.
fn repair_with(req: &mut ChatRequest, prompt: &str) {
    let call_id = req
        .messages
        .last()
        .and_then(|m| m.tool_calls.first())
        .map(|c| c.id.clone());
    match call_id {
        Some(id) => req.messages.push(Message::tool_result(id, prompt)),
        None => req.messages.push(Message::user(prompt)),
    }
}

/// The Chromium check, or why it did not run.
async fn browser_check(config: &ExtensionsConfig, files: &[ExtensionFile]) -> BrowserCheck {
    if !config.check_in_browser {
        return BrowserCheck::NotChecked {
            reason: "disabled by extensions.check_in_browser".into(),
        };
    }
    let options = ChromiumOptions {
        path: config.chromium_path.clone(),
        timeout: Duration::from_secs(config.browser_timeout_secs.max(1)),
    };
    chromium::check_files(files, &options).await
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The manifest's `background.service_worker` (the file blamed when Chromium names none).
fn service_worker(files: &[ExtensionFile]) -> Option<String> {
    let manifest = cistern_extension::find_file(files, "manifest.json")?;
    let value: Value = serde_json::from_slice(&manifest.content).ok()?;
    Some(
        value
            .pointer("/background/service_worker")?
            .as_str()?
            .to_owned(),
    )
}

fn manifest_name(files: &[ExtensionFile]) -> Option<String> {
    let manifest = cistern_extension::find_file(files, "manifest.json")?;
    let value: Value = serde_json::from_slice(&manifest.content).ok()?;
    let name = value.get("name")?.as_str()?.trim();
    (!name.is_empty() && !name.starts_with("__MSG_")).then(|| name.chars().take(100).collect())
}
