//! [`Codegen`]: the code generator's domain handle — start a generation (a row and the job
//! that fills it in), wait for it, list, read, package and delete an owner's generations.
//! Handlers are extract → one call → map; the job (`job.rs`) runs over the same handle.
//!
//! Every method takes the owner's id: another user's generation is [`Error::NotFound`].

use std::sync::Arc;

use axum::extract::FromRef;
use cistern_codegen::framework::{Detection, Framework, detect_with_language};
use cistern_jobs::{Jobs, NewJob};
use cistern_llm::{ChatRequest, Message};
use cistern_store::sql::now_ms;
use cistern_store::{BlobStore, CodegenStore, Db, Generation, TimeCursor, VersionStatus};
use cistern_syntax::Language;
use serde::{Deserialize, Serialize};

use super::cache;
use super::{CodegenConfig, GeneratePayload, JOB_NAME, blobs};
use crate::platform::quota::QuotaCache;
use crate::state::AppState;

/// Why a code generator operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such generation or file for this owner.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// An input breaks a rule; `field` names it.
    #[error("{message}")]
    Invalid {
        /// The input.
        field: &'static str,
        /// What is wrong, in words a user can act on.
        message: String,
    },
    /// The gateway refused the model (unknown name, …).
    #[error("model: {0}")]
    Model(#[from] cistern_llm::Error),
    /// The owner's monthly token budget is spent.
    #[error("quota: {0}")]
    Quota(#[from] crate::platform::quota::Error),
    /// A waited-for generation failed; `kind` is stable (`model`, `path`, `truncated`, …).
    #[error("{reason}")]
    Failed {
        /// The generation.
        generation_id: String,
        /// Its job.
        job_id: String,
        /// Machine-readable cause.
        kind: String,
        /// Why, in words a user can act on.
        reason: String,
    },
    /// A synchronous request's wait ended before the job did; the job carries on.
    #[error("the generation is still running")]
    StillRunning {
        /// The generation.
        generation_id: String,
        /// Its job.
        job_id: String,
    },
    /// The SQL store failed.
    #[error("database: {0}")]
    Store(#[from] cistern_store::sql::Error),
    /// The blob store failed.
    #[error("blob store: {0}")]
    Blobs(#[from] object_store::Error),
    /// A stored generation could not be read back.
    #[error("stored generation unreadable: {0}")]
    Corrupt(String),
    /// The job engine refused or failed.
    #[error("jobs: {0}")]
    Jobs(#[from] cistern_jobs::Error),
}

/// The result of code generator operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a request asks for besides the prompt, as stored on the generation row (`request`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The user's framework choice (None: detected from the prompt).
    pub framework: Option<Framework>,
    /// The language the user asked for.
    pub language: Option<Language>,
    /// The gateway model.
    pub model: String,
    /// The result-cache key the finished generation is stored under (None: not cached).
    #[serde(default)]
    pub cache_key: Option<String>,
}

/// A request before validation: the body's fields as sent.
#[derive(Debug, Clone, Default)]
pub struct NewGeneration {
    /// What to build.
    pub prompt: String,
    /// A framework name (`react-vite`, `fastapi`, common spellings).
    pub framework: Option<String>,
    /// A language name (`python`, `ts`, …).
    pub language: Option<String>,
    /// A gateway model.
    pub model: Option<String>,
    /// `Some(false)` bypasses the result cache.
    pub cache: Option<bool>,
}

/// A generation just started: the row and the job that fills it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// The generation.
    pub generation_id: String,
    /// The job.
    pub job_id: String,
}

/// The code generator over SQL (rows, cache), blobs (files, ZIPs), jobs and the gateway.
#[derive(Clone)]
pub struct Codegen {
    pub(super) db: Db,
    pub(super) blobs: BlobStore,
    pub(super) jobs: Jobs,
    pub(super) llm: cistern_llm::Gateway,
    quotas: Arc<QuotaCache>,
    pub(super) shared: super::Shared,
    /// The whole tree, shared; read through [`Codegen::config`].
    settings: Arc<crate::config::Config>,
}

impl FromRef<AppState> for Codegen {
    fn from_ref(state: &AppState) -> Self {
        Self {
            db: state.db.clone(),
            blobs: state.blobs.clone(),
            jobs: state.jobs.clone(),
            llm: state.llm.clone(),
            quotas: state.quotas.clone(),
            shared: state.codegen.clone(),
            settings: state.config.clone(),
        }
    }
}

impl Codegen {
    /// `[codegen]`.
    pub fn config(&self) -> &CodegenConfig {
        &self.settings.codegen
    }

    /// Checks the owner's quota, stores a pending generation for a parsed request and
    /// enqueues the job that fills it in.
    pub async fn start(&self, owner: &str, prompt: String, request: Request) -> Result<Started> {
        self.quotas
            .check(&self.db, &self.settings.quota, owner)
            .await?;
        let now = now_ms();
        let generation = Generation {
            id: uuid::Uuid::now_v7().to_string(),
            owner: owner.to_owned(),
            prompt,
            request: serde_json::to_string(&request).map_err(|e| Error::Corrupt(e.to_string()))?,
            status: VersionStatus::Pending,
            job_id: String::new(),
            result: None,
            error: None,
            created_at: now,
            updated_at: now,
        };
        self.db.insert_generation(&generation).await?;
        let job_id = self.enqueue(owner, &generation.id).await?;
        Ok(Started {
            generation_id: generation.id,
            job_id,
        })
    }

    /// Checks the prompt, framework, language and model of a request, and keys it for the
    /// result cache.
    pub fn parse(&self, input: NewGeneration) -> Result<(String, Request)> {
        let prompt = self.prompt(&input.prompt)?;
        let framework = framework(input.framework.as_deref())?;
        let language = language(input.language.as_deref())?;
        let model = match input.model.as_deref().map(str::trim) {
            Some("") => return Err(invalid("model", "model must not be empty")),
            Some(m) => m.to_owned(),
            None => self.config().default_model.clone(),
        };
        // The gateway resolves the name now, so an unknown model is the caller's error, not a
        // failed job.
        self.llm
            .estimate_cost(&ChatRequest::new(&model, vec![Message::user(prompt)]))?;
        let mut request = Request {
            framework,
            language,
            model,
            cache_key: None,
        };
        if input.cache != Some(false) && self.config().cache_ttl_secs > 0 {
            // Detection is pure: the job decides the same framework, so its templates' version
            // is the one the result will come from.
            let framework = detect_with_language(prompt, framework, language).framework;
            let version = self.shared.templates.version(framework);
            request.cache_key = Some(cache::key(prompt, &request, &version));
        }
        Ok((prompt.to_owned(), request))
    }

    /// The framework a generation of `prompt` would use (an explicit one wins), how sure, the
    /// words that decided it, and the project's main language: what the UI shows before
    /// sending. Validated like a generation's request.
    pub fn detect(
        &self,
        prompt: &str,
        explicit: Option<&str>,
        language: Option<&str>,
    ) -> Result<(Detection, Language)> {
        let prompt = self.prompt(prompt)?;
        let language = self::language(language)?;
        let detection = detect_with_language(prompt, framework(explicit)?, language);
        let main = language.unwrap_or(detection.framework.language());
        Ok((detection, main))
    }

    /// The trimmed prompt, 1 to `codegen.max_prompt_chars` characters.
    fn prompt<'a>(&self, prompt: &'a str) -> Result<&'a str> {
        let max = self.config().max_prompt_chars;
        let prompt = prompt.trim();
        if prompt.is_empty() || prompt.chars().count() > max {
            return Err(invalid(
                "prompt",
                format!("prompt must be 1 to {max} characters"),
            ));
        }
        Ok(prompt)
    }

    /// `owner`'s generations, newest first, `limit` after `before` (a previous page's last).
    pub async fn list(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Generation>> {
        Ok(self.db.generations_of(owner, before, limit).await?)
    }

    /// One of `owner`'s generations.
    pub async fn get(&self, owner: &str, id: &str) -> Result<Generation> {
        self.db
            .generation(owner, id)
            .await?
            .ok_or(Error::NotFound("generation"))
    }

    /// Deletes the generation and its files.
    pub async fn delete(&self, owner: &str, id: &str) -> Result<()> {
        if !self.db.delete_generation(owner, id).await? {
            return Err(Error::NotFound("generation"));
        }
        // The row is gone, so nothing reaches these blobs any more: a failure leaves garbage,
        // not a broken generation. Logged here, once.
        if let Err(error) = blobs::delete_all(&self.blobs, id).await {
            tracing::warn!(generation_id = %id, %error, "generation blobs not deleted");
        }
        Ok(())
    }

    /// A ready generation's ZIP, with a file name for it.
    pub async fn package(&self, owner: &str, id: &str) -> Result<(String, Vec<u8>)> {
        let generation = self.get(owner, id).await?;
        let zip = blobs::read(&self.blobs, &blobs::zip_path(&generation.id))
            .await?
            .ok_or(Error::NotFound("package for this generation"))?;
        Ok((format!("codegen-{}.zip", generation.id), zip))
    }

    /// One file of a ready generation, looked up in its file list (never joined blindly).
    pub async fn file(&self, owner: &str, id: &str, path: &str) -> Result<Vec<u8>> {
        // Ownership first: another user's generation is a 404 whatever the path.
        let generation = self.get(owner, id).await?;
        let listed = super::views::stored_result(&generation)
            .is_some_and(|r| r.files.iter().any(|f| f.path == path));
        if !listed {
            return Err(Error::NotFound("file in this generation"));
        }
        blobs::read(&self.blobs, &blobs::file_path(id, path))
            .await?
            .ok_or(Error::NotFound("file in this generation"))
    }

    /// One of `owner`'s generations with every listed file's bytes, in list order — empty
    /// unless it is ready (the caller decides what a pending or failed one means). What a
    /// coding-agent workspace is created from.
    pub async fn project_files(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<(Generation, Vec<(String, Vec<u8>)>)> {
        let generation = self.get(owner, id).await?;
        if generation.status != VersionStatus::Ready {
            return Ok((generation, Vec::new()));
        }
        let listed = super::views::stored_result(&generation)
            .ok_or_else(|| Error::Corrupt(format!("generation {id} has no readable result")))?
            .files;
        let mut files = Vec::with_capacity(listed.len());
        for file in listed {
            let bytes = blobs::read(&self.blobs, &blobs::file_path(id, &file.path))
                .await?
                .ok_or_else(|| {
                    Error::Corrupt(format!("{} of generation {id} is missing", file.path))
                })?;
            files.push((file.path, bytes));
        }
        Ok((generation, files))
    }

    /// Records how a generation ended. A generation must never stay pending with nobody
    /// working on it, so a failure to record is logged with its context here.
    pub(super) async fn finish(
        &self,
        id: &str,
        status: VersionStatus,
        result: Option<&str>,
        error: Option<&str>,
    ) {
        if let Err(e) = self.record_end(id, status, result, error).await {
            tracing::error!(generation_id = id, status = status.as_str(), error = %e,
                "cannot record how a generation ended; it stays pending");
        }
    }

    /// Writes the row's final state and wakes this process's synchronous waiters.
    pub(super) async fn record_end(
        &self,
        id: &str,
        status: VersionStatus,
        result: Option<&str>,
        error: Option<&str>,
    ) -> std::result::Result<(), cistern_store::sql::Error> {
        self.db
            .finish_generation(id, status, result, error, now_ms())
            .await?;
        self.shared.finished.send_modify(|n| *n = n.wrapping_add(1));
        Ok(())
    }

    /// Enqueues the job of a row just written and records it there; a failed enqueue marks
    /// the row failed, so it does not stay pending forever.
    async fn enqueue(&self, owner: &str, id: &str) -> Result<String> {
        let payload = GeneratePayload {
            generation_id: id.to_owned(),
        };
        let enqueued = match serde_json::to_value(&payload) {
            Ok(p) => self
                .jobs
                .enqueue(NewJob::new(JOB_NAME, p).max_attempts(3).owner(owner))
                .await
                .map_err(Error::from),
            Err(e) => Err(Error::Corrupt(e.to_string())),
        };
        match enqueued {
            Ok(job) => {
                let job_id = job.id.to_string();
                self.db.set_generation_job(id, &job_id).await?;
                Ok(job_id)
            }
            Err(e) => {
                let reason = format!("the job could not be enqueued: {e}");
                self.finish(id, VersionStatus::Failed, None, Some(&reason))
                    .await;
                Err(e)
            }
        }
    }
}

/// A framework's API name or common spelling; none when absent or blank.
fn framework(name: Option<&str>) -> Result<Option<Framework>> {
    match name.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) => Framework::from_name(name).map(Some).ok_or_else(|| {
            let names: Vec<&str> = Framework::ALL.iter().map(|f| f.name()).collect();
            invalid(
                "framework",
                format!("unknown framework; accepted: {}", names.join(", ")),
            )
        }),
    }
}

/// A language's name; none when absent or blank.
fn language(name: Option<&str>) -> Result<Option<Language>> {
    match name.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) => Language::from_name(name).map(Some).ok_or_else(|| {
            let names: Vec<&str> = Language::ALL.iter().map(|l| l.name()).collect();
            invalid(
                "language",
                format!("unknown language; accepted: {}", names.join(", ")),
            )
        }),
    }
}

pub(super) fn invalid(field: &'static str, message: impl Into<String>) -> Error {
    Error::Invalid {
        field,
        message: message.into(),
    }
}
