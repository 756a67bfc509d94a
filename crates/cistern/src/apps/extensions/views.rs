//! The extension API's request and response bodies.

use cistern_store::{Extension, ExtensionVersion, ListedExtension, VersionStatus};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::domain::Started;
use crate::time::rfc3339;

/// Body of `POST /api/v1/extensions`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateExtension {
    /// What the extension should do (1–20,000 characters).
    pub prompt: String,
    /// A gateway model; the configured `extensions.default_model` when absent.
    pub model: Option<String>,
}

/// Body of `POST /api/v1/extensions/{id}/versions`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IterateExtension {
    /// What to change (1–20,000 characters).
    pub prompt: String,
    /// The ready version to start from; the highest ready version when absent.
    pub base_version: Option<String>,
}

/// The answer to a create or an iterate: the job that generates the version.
#[derive(Debug, Serialize, ToSchema)]
pub struct GenerationAccepted {
    /// The extension.
    pub extension_id: String,
    /// The version once known: `1.0.0` for a new extension; null for an iteration (the model's
    /// change kind decides it; the job's result and the extension's version list show it).
    pub version: Option<String>,
    /// The version row's sequence number (1, 2, …).
    pub seq: i64,
    /// The job: poll `GET /api/v1/jobs/{id}` or follow its events.
    pub job_id: String,
}

impl From<Started> for GenerationAccepted {
    fn from(s: Started) -> Self {
        Self {
            extension_id: s.extension_id,
            version: s.version,
            seq: s.seq,
            job_id: s.job_id,
        }
    }
}

/// Where a version's generation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// Its job is queued or running.
    Pending,
    /// Generated, validated, packaged: files and ZIP are available.
    Ready,
    /// The job gave up; `error` says why.
    Failed,
}

impl From<VersionStatus> for VersionState {
    fn from(s: VersionStatus) -> Self {
        match s {
            VersionStatus::Pending => Self::Pending,
            VersionStatus::Ready => Self::Ready,
            VersionStatus::Failed => Self::Failed,
        }
    }
}

/// An extension as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionView {
    /// Extension id.
    pub id: String,
    /// The manifest's name (the prompt's start until a version is ready).
    pub name: String,
    /// The model generating it.
    pub model: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<Extension> for ExtensionView {
    fn from(e: Extension) -> Self {
        Self {
            id: e.id,
            name: e.name,
            model: e.model,
            created_at: rfc3339(e.created_at),
            updated_at: rfc3339(e.updated_at),
        }
    }
}

/// An extension in the list, with where its newest version stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionListItem {
    /// The extension.
    #[serde(flatten)]
    pub extension: ExtensionView,
    /// The newest version's `seq` (null before the first generation is recorded).
    pub newest_seq: Option<i64>,
    /// The newest version's status.
    pub newest_status: Option<VersionState>,
    /// The newest ready version (`1.2.0`), if any version is ready.
    pub ready_version: Option<String>,
}

impl From<ListedExtension> for ExtensionListItem {
    fn from(e: ListedExtension) -> Self {
        let newest_status = e.newest_status().map(Into::into);
        Self {
            newest_seq: e.newest_seq,
            newest_status,
            ready_version: e.ready_version,
            extension: e.extension.into(),
        }
    }
}

/// A version as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionSummary {
    /// 1, 2, … in order of creation.
    pub seq: i64,
    /// The extension version, once decided.
    pub version: Option<String>,
    /// The version an iteration started from.
    pub base_version: Option<String>,
    /// Pending, ready or failed.
    pub status: VersionState,
    /// The prompt.
    pub prompt: String,
    /// The generating job.
    pub job_id: String,
    /// Why it failed.
    pub error: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&ExtensionVersion> for VersionSummary {
    fn from(v: &ExtensionVersion) -> Self {
        Self {
            seq: v.seq,
            version: v.version.clone(),
            base_version: v.base_version.clone(),
            status: v.status.into(),
            prompt: v.prompt.clone(),
            job_id: v.job_id.clone(),
            error: v.error.clone(),
            created_at: rfc3339(v.created_at),
        }
    }
}

/// An extension with its versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionDetail {
    /// The extension.
    #[serde(flatten)]
    pub extension: ExtensionView,
    /// Every version, oldest first, pending and failed ones included.
    pub versions: Vec<VersionSummary>,
}

/// A file of a version.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FileEntry {
    /// Relative path.
    pub path: String,
    /// Bytes.
    pub size: u64,
}

/// One version: blueprint, files, validation report.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDetail {
    /// The version.
    #[serde(flatten)]
    pub summary: VersionSummary,
    /// The model's plan: purpose, features, permissions with reasons, file plan, change kind
    /// (`derived` lists what Cistern filled in). Stored as the job wrote it.
    #[schema(value_type = Option<cistern_extension::Blueprint>)]
    pub blueprint: Option<Value>,
    /// The files (empty unless ready).
    pub files: Vec<FileEntry>,
    /// The validation report: `findings` (code, file, message, severity), `browser` (the
    /// Chromium check: `loaded`, `failed` or `not_checked`), earlier rounds' `repairs` and
    /// per-step `timings_ms`. Stored as the job wrote it.
    #[schema(value_type = Option<cistern_extension::Report>)]
    pub report: Option<Value>,
}

impl From<&ExtensionVersion> for VersionDetail {
    fn from(v: &ExtensionVersion) -> Self {
        let json = |s: &Option<String>| s.as_deref().and_then(|s| serde_json::from_str(s).ok());
        Self {
            summary: v.into(),
            blueprint: json(&v.blueprint),
            files: listed_files(v),
            report: json(&v.report),
        }
    }
}

/// A version's validated file list (empty unless ready).
pub fn listed_files(v: &ExtensionVersion) -> Vec<FileEntry> {
    v.files
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}
