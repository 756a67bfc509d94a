//! Sage's alerts and their delivery log; see `migrations/*/0013_sage_alerts.sql`.

use super::{Db, Result, VersionStatus, with_pool};

/// One alert: pending while its job posts it, then delivered (ready) or failed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertRow {
    /// Alert id.
    pub id: String,
    /// Its project.
    pub project_id: String,
    /// The ingest that crossed the threshold.
    pub ingest_id: String,
    /// Its score.
    pub score: i64,
    /// Where it is posted.
    pub url: String,
    /// The JSON posted.
    pub payload: String,
    /// Pending, ready (delivered) or failed.
    #[sqlx(try_from = "String")]
    pub status: VersionStatus,
    /// The delivering job.
    pub job_id: Option<String>,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// The webhook's last HTTP status.
    pub last_status: Option<i64>,
    /// The last attempt's error.
    pub last_error: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
    /// Unix milliseconds.
    pub delivered_at: Option<i64>,
}

/// Alerts.
pub trait AlertStore {
    /// Takes the project's alert window at `now` if the last alert is at least `interval_ms`
    /// old (or there was none): true when this caller may alert.
    fn claim_alert_window(
        &self,
        project_id: &str,
        now: i64,
        interval_ms: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Stores a new alert.
    fn insert_alert(&self, a: &AlertRow) -> impl Future<Output = Result<()>> + Send;
    /// Records the job delivering an alert.
    fn set_alert_job(&self, id: &str, job_id: &str) -> impl Future<Output = Result<()>> + Send;
    /// One alert.
    fn alert(&self, id: &str) -> impl Future<Output = Result<Option<AlertRow>>> + Send;
    /// Records a delivery attempt: its HTTP status or error, and the alert's status after it.
    fn record_alert_attempt(
        &self,
        id: &str,
        status: VersionStatus,
        last_status: Option<i64>,
        last_error: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// A project's latest alerts, newest first.
    fn alerts_of(
        &self,
        project_id: &str,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<AlertRow>>> + Send;
}

/// `SELECT <every alert column> FROM sage_alerts <rest>` (sqlx takes only literals).
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, project_id, ingest_id, score, url, payload, status, job_id, attempts,
             last_status, last_error, created_at, updated_at, delivered_at FROM sage_alerts ",
            $rest
        )
    };
}
const ONE: &str = select!("WHERE id = $1");
const OF_PROJECT: &str =
    select!("WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
const CLAIM: &str = "UPDATE sage_projects SET last_alert_at = $2
     WHERE id = $1 AND (last_alert_at IS NULL OR last_alert_at <= $2 - $3)";
const INSERT: &str = "INSERT INTO sage_alerts (id, project_id, ingest_id, score, url, payload,
     status, job_id, attempts, last_status, last_error, created_at, updated_at, delivered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
const SET_JOB: &str = "UPDATE sage_alerts SET job_id = $2 WHERE id = $1";
const ATTEMPT: &str = "UPDATE sage_alerts SET status = $2, attempts = attempts + 1,
     last_status = $3, last_error = $4, updated_at = $5,
     delivered_at = CASE WHEN $2 = 'ready' THEN $5 ELSE delivered_at END WHERE id = $1";

impl AlertStore for Db {
    async fn claim_alert_window(
        &self,
        project_id: &str,
        now: i64,
        interval_ms: i64,
    ) -> Result<bool> {
        let n = with_pool!(self, pool => sqlx::query(CLAIM).bind(project_id).bind(now)
            .bind(interval_ms).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(n > 0)
    }

    async fn insert_alert(&self, a: &AlertRow) -> Result<()> {
        with_pool!(self, pool => sqlx::query(INSERT).bind(&a.id).bind(&a.project_id)
            .bind(&a.ingest_id).bind(a.score).bind(&a.url).bind(&a.payload)
            .bind(a.status.as_str()).bind(&a.job_id).bind(a.attempts).bind(a.last_status)
            .bind(&a.last_error).bind(a.created_at).bind(a.updated_at).bind(a.delivered_at)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn set_alert_job(&self, id: &str, job_id: &str) -> Result<()> {
        with_pool!(self, pool => sqlx::query(SET_JOB).bind(id).bind(job_id)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn alert(&self, id: &str) -> Result<Option<AlertRow>> {
        Ok(with_pool!(self, pool => sqlx::query_as(ONE).bind(id)
            .fetch_optional(pool).await)?)
    }

    async fn record_alert_attempt(
        &self,
        id: &str,
        status: VersionStatus,
        last_status: Option<i64>,
        last_error: Option<&str>,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => sqlx::query(ATTEMPT).bind(id).bind(status.as_str())
            .bind(last_status).bind(last_error).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn alerts_of(&self, project_id: &str, limit: i64) -> Result<Vec<AlertRow>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(OF_PROJECT).bind(project_id)
            .bind(limit).fetch_all(pool).await)?,
        )
    }
}
