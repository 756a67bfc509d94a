//! Sage's daily forecasts and the feedback on them; see `migrations/*/0012_sage_forecasts.sql`.

use super::{Db, Result, TimeCursor, VersionStatus, with_pool};

/// A project's forecast for one day: claimed pending, then ready (with `forecast`) or failed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ForecastRow {
    /// Forecast id.
    pub id: String,
    /// Its project.
    pub project_id: String,
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    /// Pending while one request generates it, then ready or failed.
    #[sqlx(try_from = "String")]
    pub status: VersionStatus,
    /// JSON, once ready.
    pub forecast: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
    /// The feedback on it: accurate?
    pub accurate: Option<bool>,
    /// The feedback's comment.
    pub comment: Option<String>,
    /// When the feedback was given, Unix milliseconds.
    pub feedback_at: Option<i64>,
}

impl ForecastRow {
    /// The position after this row in a newest-first page.
    pub fn cursor(&self) -> TimeCursor {
        TimeCursor {
            at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// Forecasts and feedback.
pub trait ForecastStore {
    /// A project's forecast of `day`, with its feedback.
    fn forecast_of_day(
        &self,
        project_id: &str,
        day: &str,
    ) -> impl Future<Output = Result<Option<ForecastRow>>> + Send;
    /// One forecast of a project, with its feedback.
    fn forecast(
        &self,
        project_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<ForecastRow>>> + Send;
    /// Claims the generation of `day`'s forecast: true when this caller inserted the pending
    /// row (and must fill it in), false when another did. A pending claim older than
    /// `stale_before` (its generator died) is taken over.
    fn claim_forecast(
        &self,
        project_id: &str,
        id: &str,
        day: &str,
        now: i64,
        stale_before: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Fills in a claimed forecast (ready) or gives it up (failed).
    fn finish_forecast(
        &self,
        id: &str,
        status: VersionStatus,
        forecast: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// A page of a project's ready forecasts, newest first, with their feedback.
    fn forecasts_of(
        &self,
        project_id: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<ForecastRow>>> + Send;
    /// Records (or replaces) the feedback on a forecast.
    fn put_feedback(
        &self,
        forecast_id: &str,
        project_id: &str,
        accurate: bool,
        comment: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// `SELECT <forecast with feedback> <rest>`.
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT f.id, f.project_id, f.day, f.status, f.forecast, f.created_at, f.updated_at,
             b.accurate, b.comment, b.created_at AS feedback_at
             FROM sage_forecasts f LEFT JOIN sage_feedback b ON b.forecast_id = f.id ",
            $rest
        )
    };
}
const OF_DAY: &str = select!("WHERE f.project_id = $1 AND f.day = $2");
const ONE: &str = select!("WHERE f.project_id = $1 AND f.id = $2");
const PAGE: &str = select!(
    "WHERE f.project_id = $1 AND f.status = 'ready' AND (f.created_at, f.id) < ($2, $3)
     ORDER BY f.created_at DESC, f.id DESC LIMIT $4"
);
const CLAIM: &str = "INSERT INTO sage_forecasts (id, project_id, day, status, forecast,
     created_at, updated_at) VALUES ($1, $2, $3, 'pending', NULL, $4, $4)
     ON CONFLICT (project_id, day) DO NOTHING";
const TAKE_OVER: &str = "UPDATE sage_forecasts SET id = $1, status = 'pending', created_at = $4,
     updated_at = $4 WHERE project_id = $2 AND day = $3
     AND ((status = 'pending' AND updated_at < $5) OR status = 'failed')";
const FINISH: &str =
    "UPDATE sage_forecasts SET status = $2, forecast = $3, updated_at = $4 WHERE id = $1";
const FEEDBACK: &str = "INSERT INTO sage_feedback (forecast_id, project_id, accurate, comment,
     created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (forecast_id) DO UPDATE SET accurate = $3, comment = $4, created_at = $5";

impl ForecastStore for Db {
    async fn forecast_of_day(&self, project_id: &str, day: &str) -> Result<Option<ForecastRow>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(OF_DAY).bind(project_id).bind(day)
            .fetch_optional(pool).await)?,
        )
    }

    async fn forecast(&self, project_id: &str, id: &str) -> Result<Option<ForecastRow>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(ONE).bind(project_id).bind(id)
            .fetch_optional(pool).await)?,
        )
    }

    async fn claim_forecast(
        &self,
        project_id: &str,
        id: &str,
        day: &str,
        now: i64,
        stale_before: i64,
    ) -> Result<bool> {
        let inserted = with_pool!(self, pool => sqlx::query(CLAIM).bind(id).bind(project_id)
            .bind(day).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        if inserted > 0 {
            return Ok(true);
        }
        let taken = with_pool!(self, pool => sqlx::query(TAKE_OVER).bind(id).bind(project_id)
            .bind(day).bind(now).bind(stale_before).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(taken > 0)
    }

    async fn finish_forecast(
        &self,
        id: &str,
        status: VersionStatus,
        forecast: Option<&str>,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => sqlx::query(FINISH).bind(id).bind(status.as_str())
            .bind(forecast).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn forecasts_of(
        &self,
        project_id: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<ForecastRow>> {
        let (at, id) = TimeCursor::bounds(before);
        Ok(
            with_pool!(self, pool => sqlx::query_as(PAGE).bind(project_id).bind(at).bind(id)
            .bind(limit).fetch_all(pool).await)?,
        )
    }

    async fn put_feedback(
        &self,
        forecast_id: &str,
        project_id: &str,
        accurate: bool,
        comment: Option<&str>,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => sqlx::query(FEEDBACK).bind(forecast_id).bind(project_id)
            .bind(accurate).bind(comment).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }
}
