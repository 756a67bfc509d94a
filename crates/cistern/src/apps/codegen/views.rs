//! The code generator's request and response bodies, and the result a job stores on its row.

use std::collections::BTreeMap;

use cistern_codegen::Warning;
use cistern_codegen::framework::{Detection, Framework};
use cistern_store::{Generation, VersionStatus};
use cistern_syntax::{Language, SyntaxReport};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::{NewGeneration, Request, Started};
use crate::time::rfc3339;

/// Body of `POST /api/v1/generate_code`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateCode {
    /// What to build (1 to `codegen.max_prompt_chars` characters).
    pub prompt: String,
    /// A framework (`react-vite`, `nextjs`, `vue`, `svelte`, `express`, `fastapi`, `flask`,
    /// `django`, `axum`, `go-net-http`, `spring-boot`, `plain-web`, `python-cli`, `rust-cli`,
    /// `generic`, or a common spelling); detected from the prompt when absent.
    pub framework: Option<String>,
    /// A language (`python`, `typescript`, …): narrows detection to frameworks written in it.
    pub language: Option<String>,
    /// `true`: answer 202 at once with the generation and its job; otherwise wait for it.
    #[serde(rename = "async", default)]
    pub run_async: bool,
    /// A gateway model; `codegen.default_model` when absent.
    pub model: Option<String>,
    /// `false` bypasses the result cache (neither read nor written).
    pub cache: Option<bool>,
}

impl From<GenerateCode> for NewGeneration {
    fn from(b: GenerateCode) -> Self {
        Self {
            prompt: b.prompt,
            framework: b.framework,
            language: b.language,
            model: b.model,
            cache: b.cache,
        }
    }
}

/// The answer to an asynchronous request: the generation and the job that fills it in.
#[derive(Debug, Serialize, ToSchema)]
pub struct GenerationStarted {
    /// The generation: `GET /api/v1/generations/{id}`.
    pub generation_id: String,
    /// The job: poll `GET /api/v1/jobs/{id}` or follow its events.
    pub job_id: String,
}

impl From<Started> for GenerationStarted {
    fn from(s: Started) -> Self {
        Self {
            generation_id: s.generation_id,
            job_id: s.job_id,
        }
    }
}

/// Where a generation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GenerationState {
    /// Its job is queued or running.
    Pending,
    /// Files, syntax reports and the ZIP are available.
    Ready,
    /// The job gave up; `error` says why.
    Failed,
}

impl From<VersionStatus> for GenerationState {
    fn from(s: VersionStatus) -> Self {
        match s {
            VersionStatus::Pending => Self::Pending,
            VersionStatus::Ready => Self::Ready,
            VersionStatus::Failed => Self::Failed,
        }
    }
}

/// One file of a generation (its bytes: `GET …/files/{path}` and the ZIP).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GeneratedFile {
    /// Relative path inside the project.
    pub path: String,
    /// Its language, from the path.
    pub language: Language,
    /// Bytes.
    pub size: u64,
    /// The syntax check: `ok`, and `errors` with line and column (`checked: false` for text).
    pub syntax: SyntaxReport,
}

/// Tokens spent on a generation, over all its calls.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct GenerationUsage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
    /// Model calls (the first, continuations, repairs).
    pub calls: u32,
}

/// What a job stores on its row (`result`, JSON), for a finished or a failed generation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// The framework and why.
    pub framework: Option<Detection>,
    /// The project's main language.
    pub language: Option<Language>,
    /// The files, sorted as a tree.
    pub files: Vec<GeneratedFile>,
    /// Manifests completed, README added, …
    pub warnings: Vec<Warning>,
    /// Tokens.
    pub usage: GenerationUsage,
    /// Per-step server times.
    pub timings_ms: BTreeMap<String, u64>,
    /// Continuation rounds used.
    pub continue_rounds: u32,
    /// Repair rounds used.
    pub repair_rounds: u32,
    /// For a failed generation: a stable cause (`model`, `path`, `truncated`, `no_files`, …).
    pub error_kind: Option<String>,
}

/// The stored result of a generation, if it has a readable one.
pub fn stored_result(g: &Generation) -> Option<Outcome> {
    g.result
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
}

/// The framework of a generation, how sure, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkView {
    /// API name (`react-vite`, `fastapi`, …).
    pub name: String,
    /// Human name (`React + Vite`).
    pub display_name: String,
    /// 0..=1; 1 for the user's own choice.
    pub confidence: f32,
    /// The prompt's words that decided it, strongest first (empty for the user's choice).
    pub evidence: Vec<String>,
    /// The user chose it.
    pub explicit: bool,
}

impl From<Detection> for FrameworkView {
    fn from(d: Detection) -> Self {
        Self {
            name: d.framework.name().to_owned(),
            display_name: d.framework.display_name().to_owned(),
            confidence: d.confidence,
            evidence: d.evidence,
            explicit: d.explicit,
        }
    }
}

/// A generation.
#[derive(Debug, Serialize, ToSchema)]
pub struct GenerationView {
    /// Generation id.
    pub id: String,
    /// Pending, ready or failed.
    pub status: GenerationState,
    /// The prompt.
    pub prompt: String,
    /// The framework, how sure, and the prompt's words that decided it (null while pending).
    pub framework: Option<FrameworkView>,
    /// The project's main language: the one most of its code is written in once ready (a
    /// React project may be TypeScript), else the requested one or the framework's.
    pub language: Option<Language>,
    /// The gateway model.
    pub model: Option<String>,
    /// The files with their syntax reports (empty unless ready).
    pub files: Vec<GeneratedFile>,
    /// Every change the generator made to the model's files (manifests, README).
    pub warnings: Vec<Warning>,
    /// Tokens spent.
    pub usage: GenerationUsage,
    /// True when this answer came from the result cache (no model call).
    pub cached: bool,
    /// Per-step server times in ms (`model`, `extract`, `assemble`, `package`, `store`).
    pub timings_ms: BTreeMap<String, u64>,
    /// Continuation rounds used.
    pub continue_rounds: u32,
    /// Repair rounds used.
    pub repair_rounds: u32,
    /// Why it failed.
    pub error: Option<String>,
    /// A stable cause of the failure (`model`, `path`, `truncated`, `no_files`, …).
    pub error_kind: Option<String>,
    /// The generating job.
    pub job_id: String,
    /// RFC 3339.
    pub created_at: String,
}

impl GenerationView {
    /// The view of a row; `cached` when it answers a request from the cache.
    pub fn new(g: Generation, cached: bool) -> Self {
        let outcome = stored_result(&g).unwrap_or_default();
        let request: Option<Request> = serde_json::from_str(&g.request).ok();
        Self {
            id: g.id,
            status: g.status.into(),
            prompt: g.prompt,
            framework: outcome.framework.map(Into::into),
            language: outcome.language,
            model: request.map(|r| r.model),
            files: outcome.files,
            warnings: outcome.warnings,
            usage: outcome.usage,
            cached,
            timings_ms: outcome.timings_ms,
            continue_rounds: outcome.continue_rounds,
            repair_rounds: outcome.repair_rounds,
            error: g.error,
            error_kind: outcome.error_kind,
            job_id: g.job_id,
            created_at: rfc3339(g.created_at),
        }
    }
}

/// A generation as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct GenerationSummary {
    /// Generation id.
    pub id: String,
    /// Pending, ready or failed.
    pub status: GenerationState,
    /// The prompt.
    pub prompt: String,
    /// The framework's API name, once decided.
    pub framework: Option<String>,
    /// How many files.
    pub file_count: usize,
    /// Why it failed.
    pub error: Option<String>,
    /// The generating job.
    pub job_id: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<Generation> for GenerationSummary {
    fn from(g: Generation) -> Self {
        let outcome = stored_result(&g).unwrap_or_default();
        Self {
            id: g.id,
            status: g.status.into(),
            prompt: g.prompt,
            framework: outcome.framework.map(|d| d.framework.name().to_owned()),
            file_count: outcome.files.len(),
            error: g.error,
            job_id: g.job_id,
            created_at: rfc3339(g.created_at),
        }
    }
}

/// Body of `POST /api/v1/codegen/detect`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DetectFramework {
    /// The prompt a generation would be sent with.
    pub prompt: String,
    /// The user's choice, if any (it wins, with a confidence of 1).
    pub framework: Option<String>,
    /// A language: narrows detection to frameworks written in it.
    pub language: Option<String>,
}

/// What a generation of the prompt would be built with.
#[derive(Debug, Serialize, ToSchema)]
pub struct DetectedFramework {
    /// The framework, how sure, and the prompt's words that decided it.
    pub framework: FrameworkView,
    /// The project's main language.
    pub language: Language,
}

/// A framework the generator has a template for.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkInfo {
    /// API name (`react-vite`, …): the value of `framework` in a request.
    pub name: String,
    /// Human name (`React + Vite`).
    pub display_name: String,
    /// Its main language.
    pub language: Language,
}

/// The frameworks, in a stable order (`generic` last).
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkList {
    /// Every framework.
    pub items: Vec<FrameworkInfo>,
}

impl FrameworkList {
    /// All of [`Framework::ALL`].
    pub fn all() -> Self {
        let items = Framework::ALL
            .iter()
            .map(|f| FrameworkInfo {
                name: f.name().to_owned(),
                display_name: f.display_name().to_owned(),
                language: f.language(),
            })
            .collect();
        Self { items }
    }
}
