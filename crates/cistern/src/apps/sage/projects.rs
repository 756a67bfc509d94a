//! [`Sage`], the log dashboard's domain handle: projects (owner-scoped — another user's
//! project is "no such project"), their ingests and what they have learned.

use std::sync::Arc;

use axum::extract::FromRef;
use cistern_store::sql::{Project, now_ms};
use cistern_store::{BlobStore, Db, SageStore, TimeCursor};

use super::error::{Error, Result, invalid};
use super::{SageConfig, Scorer};
use crate::state::AppState;

/// Longest project name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
/// Longest webhook URL, in bytes.
pub const MAX_WEBHOOK_BYTES: usize = 2_000;
/// Alert intervals allowed, in seconds: a minute to a week.
pub const ALERT_INTERVALS: std::ops::RangeInclusive<i64> = 60..=604_800;

/// The log dashboard: projects, ingests, risk history, templates.
#[derive(Clone)]
pub struct Sage {
    pub(super) db: Db,
    pub(super) blobs: BlobStore,
    pub(super) scorer: Scorer,
    pub(super) llm: cistern_llm::Gateway,
    pub(super) jobs: cistern_jobs::Jobs,
    settings: Arc<crate::config::Config>,
}

impl FromRef<AppState> for Sage {
    fn from_ref(state: &AppState) -> Self {
        Self {
            db: state.db.clone(),
            blobs: state.blobs.clone(),
            scorer: state.scorer.clone(),
            llm: state.llm.clone(),
            jobs: state.jobs.clone(),
            settings: state.config.clone(),
        }
    }
}

/// A project's settings, as a user gives them (all of them on create; what changes on update).
#[derive(Debug, Clone, Default)]
pub struct ProjectSettings {
    /// Its name.
    pub name: Option<String>,
    /// What it watches.
    pub description: Option<String>,
    /// Alert at this score (0–100); `Some(None)` turns alerts off.
    pub alert_threshold: Option<Option<i64>>,
    /// Where alerts go (http or https); `Some(None)` removes it.
    pub alert_webhook: Option<Option<String>>,
    /// At most one alert per this many seconds.
    pub alert_interval_secs: Option<i64>,
}

impl Sage {
    /// The `[sage]` settings.
    pub fn config(&self) -> &SageConfig {
        &self.settings.sage
    }

    /// Creates a project of `owner`.
    pub async fn create(&self, owner: &str, settings: ProjectSettings) -> Result<Project> {
        let now = now_ms();
        let mut project = Project {
            id: uuid::Uuid::now_v7().to_string(),
            owner: owner.to_owned(),
            name: String::new(),
            description: String::new(),
            alert_threshold: None,
            alert_webhook: None,
            alert_interval_secs: self.config().alert_interval_secs,
            baseline: None,
            ingests: 0,
            last_score: None,
            last_ingest_at: None,
            created_at: now,
            updated_at: now,
        };
        if settings.name.is_none() {
            return Err(invalid("name", "name is required"));
        }
        apply(&mut project, settings)?;
        let max = self.config().max_projects;
        if self.db.projects_of(owner, None, max).await?.len() as i64 >= max {
            return Err(Error::TooManyProjects(max));
        }
        self.db.insert_project(&project).await?;
        Ok(project)
    }

    /// One project of `owner`.
    pub async fn get(&self, owner: &str, id: &str) -> Result<Project> {
        self.db
            .project(owner, id)
            .await?
            .ok_or(Error::NotFound("project"))
    }

    /// A page of `owner`'s projects, newest first.
    pub async fn list(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Project>> {
        Ok(self.db.projects_of(owner, before, limit).await?)
    }

    /// Changes a project's settings.
    pub async fn update(
        &self,
        owner: &str,
        id: &str,
        settings: ProjectSettings,
    ) -> Result<Project> {
        let mut project = self.get(owner, id).await?;
        apply(&mut project, settings)?;
        project.updated_at = now_ms();
        if !self.db.update_project(&project).await? {
            return Err(Error::NotFound("project"));
        }
        Ok(project)
    }

    /// Deletes a project, its ingests, templates and raw logs.
    pub async fn delete(&self, owner: &str, id: &str) -> Result<()> {
        self.get(owner, id).await?;
        crate::apps::blobs::delete_prefix(&self.blobs, &format!("sage/{id}/")).await?;
        if !self.db.delete_project(owner, id).await? {
            return Err(Error::NotFound("project"));
        }
        Ok(())
    }
}

/// Checks and applies settings.
fn apply(project: &mut Project, s: ProjectSettings) -> Result<()> {
    if let Some(name) = s.name {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(invalid(
                "name",
                format!("name must be 1–{MAX_NAME_CHARS} characters"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(invalid("name", "name must not contain control characters"));
        }
        name.clone_into(&mut project.name);
    }
    if let Some(description) = s.description {
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(invalid(
                "description",
                format!("description must be at most {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        project.description = description.trim().to_owned();
    }
    if let Some(threshold) = s.alert_threshold {
        if threshold.is_some_and(|t| !(0..=100).contains(&t)) {
            return Err(invalid("alert_threshold", "alert_threshold must be 0–100"));
        }
        project.alert_threshold = threshold;
    }
    if let Some(webhook) = s.alert_webhook {
        let webhook = webhook
            .map(|w| w.trim().to_owned())
            .filter(|w| !w.is_empty());
        if let Some(url) = &webhook {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| invalid("alert_webhook", format!("alert_webhook: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") || url.len() > MAX_WEBHOOK_BYTES {
                return Err(invalid(
                    "alert_webhook",
                    format!(
                        "alert_webhook must be an http or https URL of at most {MAX_WEBHOOK_BYTES} bytes"
                    ),
                ));
            }
        }
        project.alert_webhook = webhook;
    }
    if let Some(interval) = s.alert_interval_secs {
        if !ALERT_INTERVALS.contains(&interval) {
            return Err(invalid(
                "alert_interval_secs",
                "alert_interval_secs must be 60–604800 (a minute to a week)",
            ));
        }
        project.alert_interval_secs = interval;
    }
    Ok(())
}
