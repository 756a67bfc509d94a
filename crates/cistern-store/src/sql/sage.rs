//! Sage's metadata: log projects (owner-scoped), their ingests with the risk each scored (the
//! risk history) and the templates they have shown. Raw logs are in the blob store; see
//! `migrations/*/0011_sage.sql`.

use super::{Db, Error, Result, TimeCursor, VersionStatus, with_pool};

/// A log project and what it has learned.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Project {
    /// Project id.
    pub id: String,
    /// Owner.
    pub owner: String,
    /// Its name.
    pub name: String,
    /// What it watches (may be empty).
    pub description: String,
    /// Alert when an ingest scores at least this (0–100); none: no alerts.
    pub alert_threshold: Option<i64>,
    /// Where alerts are posted.
    pub alert_webhook: Option<String>,
    /// At most one alert per this many seconds.
    pub alert_interval_secs: i64,
    /// Its baseline, JSON (`cistern_logs::Baseline`), once an ingest is scored.
    pub baseline: Option<String>,
    /// Scored ingests.
    pub ingests: i64,
    /// The latest ingest's score.
    pub last_score: Option<i64>,
    /// When the latest ingest was scored, Unix milliseconds.
    pub last_ingest_at: Option<i64>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

impl Project {
    /// The position after this row in a newest-first page.
    pub fn cursor(&self) -> TimeCursor {
        TimeCursor {
            at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// One ingest: pending while it is scored, then ready (scored: a point of the risk history)
/// or failed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Ingest {
    /// Ingest id.
    pub id: String,
    /// Its project.
    pub project_id: String,
    /// Pending, ready (scored) or failed.
    #[sqlx(try_from = "String")]
    pub status: VersionStatus,
    /// How it arrived: `paste`, `text`, `ndjson` or `file`.
    pub source: String,
    /// The gzipped raw logs' blob path.
    pub blob: String,
    /// Bytes as received.
    pub raw_bytes: i64,
    /// Bytes decoded.
    pub bytes: i64,
    /// Non-blank lines.
    pub lines: i64,
    /// The job scoring a large ingest.
    pub job_id: Option<String>,
    /// Risk 0–100, once scored.
    pub score: Option<i64>,
    /// JSON array of label names.
    pub labels: Option<String>,
    /// JSON: the factors behind the score.
    pub factors: Option<String>,
    /// JSON: records, errors, warnings, templates, new templates.
    pub counts: Option<String>,
    /// First timestamp read in the logs, Unix milliseconds.
    pub window_start: Option<i64>,
    /// Last timestamp read in the logs, Unix milliseconds.
    pub window_end: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

impl Ingest {
    /// The position after this row in a newest-first page.
    pub fn cursor(&self) -> TimeCursor {
        TimeCursor {
            at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// A template a project's logs have shown, with counts over all its ingests.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TemplateRow {
    /// Its project.
    pub project_id: String,
    /// Hex SHA-256 of the template.
    pub hash: String,
    /// The template (`<*>` for values).
    pub template: String,
    /// Records matching it.
    pub records: i64,
    /// Of which errors.
    pub errors: i64,
    /// Of which warnings.
    pub warnings: i64,
    /// The first line it matched.
    pub example: String,
    /// Unix milliseconds.
    pub first_seen: i64,
    /// Unix milliseconds.
    pub last_seen: i64,
    /// The ingest that first showed it.
    pub first_ingest: String,
}

/// A template seen by one ingest (added to the project's counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSeen {
    /// Hex SHA-256 of the template.
    pub hash: String,
    /// The template.
    pub template: String,
    /// Records in this ingest.
    pub records: i64,
    /// Of which errors.
    pub errors: i64,
    /// Of which warnings.
    pub warnings: i64,
    /// Its first line in this ingest.
    pub example: String,
}

/// An ingest's score and what the project learned from it, recorded at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    /// Risk 0–100.
    pub score: i64,
    /// JSON array of label names.
    pub labels: String,
    /// JSON factors.
    pub factors: String,
    /// JSON counts.
    pub counts: String,
    /// First timestamp read, Unix milliseconds.
    pub window_start: Option<i64>,
    /// Last timestamp read, Unix milliseconds.
    pub window_end: Option<i64>,
    /// The project's baseline after this ingest, JSON.
    pub baseline: String,
    /// Every template of the ingest.
    pub templates: Vec<TemplateSeen>,
}

/// Sage's projects, ingests and templates.
pub trait SageStore {
    /// Stores a new project.
    fn insert_project(&self, p: &Project) -> impl Future<Output = Result<()>> + Send;
    /// One project of `owner`.
    fn project(
        &self,
        owner: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Project>>> + Send;
    /// A page of `owner`'s projects, newest first, strictly before `before`.
    fn projects_of(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Project>>> + Send;
    /// Saves a project's name, description and alert settings; false if `owner` has no such
    /// project.
    fn update_project(&self, p: &Project) -> impl Future<Output = Result<bool>> + Send;
    /// Deletes a project of `owner` with its ingests, templates, forecasts and feedback; false
    /// if there was none.
    fn delete_project(&self, owner: &str, id: &str) -> impl Future<Output = Result<bool>> + Send;
    /// Stores a new ingest.
    fn insert_ingest(&self, i: &Ingest) -> impl Future<Output = Result<()>> + Send;
    /// Records the job scoring an ingest.
    fn set_ingest_job(&self, id: &str, job_id: &str) -> impl Future<Output = Result<()>> + Send;
    /// One ingest of a project.
    fn ingest(
        &self,
        project_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Ingest>>> + Send;
    /// A page of a project's ingests, newest first, strictly before `before`.
    fn ingests_of(
        &self,
        project_id: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Ingest>>> + Send;
    /// A project's scored ingests created at or after `since`, oldest first (at most `limit`).
    fn risk_since(
        &self,
        project_id: &str,
        since: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Ingest>>> + Send;
    /// Marks an ingest failed.
    fn fail_ingest(
        &self,
        id: &str,
        error: &str,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Records an ingest's score, adds its templates to the project's and saves the project's
    /// new baseline — in one transaction.
    fn record_score(
        &self,
        project_id: &str,
        ingest_id: &str,
        scored: &Scored,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Every template text a project has seen.
    fn template_texts(&self, project_id: &str) -> impl Future<Output = Result<Vec<String>>> + Send;
    /// A project's templates, most frequent first (`since`: only those first seen then or later).
    fn templates_of(
        &self,
        project_id: &str,
        since: Option<i64>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<TemplateRow>>> + Send;
}

/// `SELECT <every project column> FROM sage_projects <rest>` (sqlx takes only literals).
macro_rules! select_project {
    ($rest:literal) => {
        concat!(
            "SELECT id, owner, name, description, alert_threshold, alert_webhook,
             alert_interval_secs, baseline, ingests, last_score, last_ingest_at, created_at,
             updated_at FROM sage_projects ",
            $rest
        )
    };
}
/// `SELECT <every ingest column> FROM sage_ingests <rest>`.
macro_rules! select_ingest {
    ($rest:literal) => {
        concat!(
            "SELECT id, project_id, status, source, blob, raw_bytes, bytes, lines, job_id, score,
             labels, factors, counts, window_start, window_end, error, created_at, updated_at
             FROM sage_ingests ",
            $rest
        )
    };
}
const PROJECT: &str = select_project!("WHERE owner = $1 AND id = $2");
const PROJECTS: &str = select_project!(
    "WHERE owner = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT $4"
);
const INSERT_PROJECT: &str = "INSERT INTO sage_projects (id, owner, name, description,
     alert_threshold, alert_webhook, alert_interval_secs, baseline, ingests, last_score,
     last_ingest_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
const UPDATE_PROJECT: &str = "UPDATE sage_projects SET name = $3, description = $4,
     alert_threshold = $5, alert_webhook = $6, alert_interval_secs = $7, updated_at = $8
     WHERE owner = $1 AND id = $2";
const DELETE_FALSE_ALARMS: &str = "DELETE FROM sage_false_alarms WHERE project_id IN
     (SELECT id FROM sage_projects WHERE owner = $1 AND id = $2)";
const DELETE_ALERTS: &str = "DELETE FROM sage_alerts WHERE project_id IN
     (SELECT id FROM sage_projects WHERE owner = $1 AND id = $2)";
const DELETE_FEEDBACK: &str = "DELETE FROM sage_feedback WHERE project_id IN
     (SELECT id FROM sage_projects WHERE owner = $1 AND id = $2)";
const DELETE_FORECASTS: &str = "DELETE FROM sage_forecasts WHERE project_id IN
     (SELECT id FROM sage_projects WHERE owner = $1 AND id = $2)";
const DELETE_TEMPLATES: &str = "DELETE FROM sage_templates WHERE project_id IN
     (SELECT id FROM sage_projects WHERE owner = $1 AND id = $2)";
const DELETE_INGESTS: &str = "DELETE FROM sage_ingests WHERE project_id IN
     (SELECT id FROM sage_projects WHERE owner = $1 AND id = $2)";
const DELETE_PROJECT: &str = "DELETE FROM sage_projects WHERE owner = $1 AND id = $2";
const INSERT_INGEST: &str = "INSERT INTO sage_ingests (id, project_id, status, source, blob,
     raw_bytes, bytes, lines, job_id, score, labels, factors, counts, window_start, window_end,
     error, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";
const SET_JOB: &str = "UPDATE sage_ingests SET job_id = $2 WHERE id = $1";
const INGEST: &str = select_ingest!("WHERE project_id = $1 AND id = $2");
const INGESTS: &str = select_ingest!(
    "WHERE project_id = $1 AND (created_at, id) < ($2, $3)
     ORDER BY created_at DESC, id DESC LIMIT $4"
);
const RISK: &str = select_ingest!(
    "WHERE project_id = $1 AND status = 'ready' AND created_at >= $2
     ORDER BY created_at, id LIMIT $3"
);
const FAIL: &str = "UPDATE sage_ingests SET status = 'failed', error = $2, updated_at = $3
     WHERE id = $1";
const SCORE: &str = "UPDATE sage_ingests SET status = 'ready', score = $2, labels = $3,
     factors = $4, counts = $5, window_start = $6, window_end = $7, updated_at = $8
     WHERE id = $1";
const LEARN: &str = "UPDATE sage_projects SET baseline = $2, ingests = ingests + 1,
     last_score = $3, last_ingest_at = $4, updated_at = $4 WHERE id = $1";
const UPSERT_TEMPLATE: &str = "INSERT INTO sage_templates (project_id, hash, template, records,
     errors, warnings, example, first_seen, last_seen, first_ingest)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
     ON CONFLICT (project_id, hash) DO UPDATE SET records = sage_templates.records + $4,
     errors = sage_templates.errors + $5, warnings = sage_templates.warnings + $6,
     last_seen = $8";
const TEMPLATE_TEXTS: &str = "SELECT template FROM sage_templates WHERE project_id = $1";
const TEMPLATES: &str = "SELECT project_id, hash, template, records, errors, warnings, example,
     first_seen, last_seen, first_ingest FROM sage_templates
     WHERE project_id = $1 AND first_seen >= $2
     ORDER BY records DESC, hash LIMIT $3";

impl SageStore for Db {
    async fn insert_project(&self, p: &Project) -> Result<()> {
        with_pool!(self, pool => sqlx::query(INSERT_PROJECT)
            .bind(&p.id).bind(&p.owner).bind(&p.name).bind(&p.description)
            .bind(p.alert_threshold).bind(&p.alert_webhook).bind(p.alert_interval_secs)
            .bind(&p.baseline).bind(p.ingests).bind(p.last_score).bind(p.last_ingest_at)
            .bind(p.created_at).bind(p.updated_at)
            .execute(pool).await.map(|d| d.rows_affected()))
        .map_err(Error::conflict_on_unique("a project with this id"))?;
        Ok(())
    }

    async fn project(&self, owner: &str, id: &str) -> Result<Option<Project>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(PROJECT).bind(owner).bind(id)
            .fetch_optional(pool).await)?,
        )
    }

    async fn projects_of(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Project>> {
        let (at, id) = TimeCursor::bounds(before);
        Ok(
            with_pool!(self, pool => sqlx::query_as(PROJECTS).bind(owner).bind(at).bind(id)
            .bind(limit).fetch_all(pool).await)?,
        )
    }

    async fn update_project(&self, p: &Project) -> Result<bool> {
        let n = with_pool!(self, pool => sqlx::query(UPDATE_PROJECT).bind(&p.owner).bind(&p.id)
            .bind(&p.name).bind(&p.description).bind(p.alert_threshold).bind(&p.alert_webhook)
            .bind(p.alert_interval_secs).bind(p.updated_at)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(n > 0)
    }

    async fn delete_project(&self, owner: &str, id: &str) -> Result<bool> {
        let n = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // Children first: SQLite enforces the foreign keys only with the pragma on.
            sqlx::query(DELETE_FALSE_ALARMS).bind(owner).bind(id).execute(&mut *tx).await?;
            sqlx::query(DELETE_ALERTS).bind(owner).bind(id).execute(&mut *tx).await?;
            sqlx::query(DELETE_FEEDBACK).bind(owner).bind(id).execute(&mut *tx).await?;
            sqlx::query(DELETE_FORECASTS).bind(owner).bind(id).execute(&mut *tx).await?;
            sqlx::query(DELETE_TEMPLATES).bind(owner).bind(id).execute(&mut *tx).await?;
            sqlx::query(DELETE_INGESTS).bind(owner).bind(id).execute(&mut *tx).await?;
            let n = sqlx::query(DELETE_PROJECT).bind(owner).bind(id).execute(&mut *tx).await?
                .rows_affected();
            tx.commit().await?;
            Ok::<u64, sqlx::Error>(n)
        })?;
        Ok(n > 0)
    }

    async fn insert_ingest(&self, i: &Ingest) -> Result<()> {
        with_pool!(self, pool => sqlx::query(INSERT_INGEST)
            .bind(&i.id).bind(&i.project_id).bind(i.status.as_str()).bind(&i.source)
            .bind(&i.blob).bind(i.raw_bytes).bind(i.bytes).bind(i.lines).bind(&i.job_id)
            .bind(i.score).bind(&i.labels).bind(&i.factors).bind(&i.counts)
            .bind(i.window_start).bind(i.window_end).bind(&i.error)
            .bind(i.created_at).bind(i.updated_at)
            .execute(pool).await.map(|d| d.rows_affected()))
        .map_err(Error::conflict_on_unique("an ingest with this id"))?;
        Ok(())
    }

    async fn set_ingest_job(&self, id: &str, job_id: &str) -> Result<()> {
        with_pool!(self, pool => sqlx::query(SET_JOB).bind(id).bind(job_id)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn ingest(&self, project_id: &str, id: &str) -> Result<Option<Ingest>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(INGEST).bind(project_id).bind(id)
            .fetch_optional(pool).await)?,
        )
    }

    async fn ingests_of(
        &self,
        project_id: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Ingest>> {
        let (at, id) = TimeCursor::bounds(before);
        Ok(
            with_pool!(self, pool => sqlx::query_as(INGESTS).bind(project_id).bind(at).bind(id)
            .bind(limit).fetch_all(pool).await)?,
        )
    }

    async fn risk_since(&self, project_id: &str, since: i64, limit: i64) -> Result<Vec<Ingest>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(RISK).bind(project_id).bind(since)
            .bind(limit).fetch_all(pool).await)?,
        )
    }

    async fn fail_ingest(&self, id: &str, error: &str, now: i64) -> Result<()> {
        with_pool!(self, pool => sqlx::query(FAIL).bind(id).bind(error).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn record_score(
        &self,
        project_id: &str,
        ingest_id: &str,
        s: &Scored,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(SCORE).bind(ingest_id).bind(s.score).bind(&s.labels).bind(&s.factors)
                .bind(&s.counts).bind(s.window_start).bind(s.window_end).bind(now)
                .execute(&mut *tx).await?;
            for t in &s.templates {
                sqlx::query(UPSERT_TEMPLATE).bind(project_id).bind(&t.hash).bind(&t.template)
                    .bind(t.records).bind(t.errors).bind(t.warnings).bind(&t.example).bind(now)
                    .bind(ingest_id).execute(&mut *tx).await?;
            }
            sqlx::query(LEARN).bind(project_id).bind(&s.baseline).bind(s.score).bind(now)
                .execute(&mut *tx).await?;
            tx.commit().await
        })?;
        Ok(())
    }

    async fn template_texts(&self, project_id: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = with_pool!(self, pool => sqlx::query_as(TEMPLATE_TEXTS)
            .bind(project_id).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(|(t,)| t).collect())
    }

    async fn templates_of(
        &self,
        project_id: &str,
        since: Option<i64>,
        limit: i64,
    ) -> Result<Vec<TemplateRow>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(TEMPLATES).bind(project_id)
            .bind(since.unwrap_or(i64::MIN)).bind(limit).fetch_all(pool).await)?,
        )
    }
}
