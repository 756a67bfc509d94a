//! Labels marked as false alarms and the mutes they add up to; see
//! `migrations/*/0014_sage_false_alarms.sql`.

use super::{Db, Result, with_pool};

/// A label marked wrong for a template, over a project's forecasts.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FalseAlarmRow {
    /// The label (`High Error Rate`, …).
    pub label: String,
    /// Hex SHA-256 of the template.
    pub template_hash: String,
    /// The template (empty: the label whatever the template).
    pub template: String,
    /// On how many forecasts it was marked wrong.
    pub marks: i64,
    /// The latest mark, Unix milliseconds.
    pub last_marked: i64,
}

/// False alarms.
pub trait FalseAlarmStore {
    /// Marks `label` wrong for a template on a forecast (once per forecast).
    fn mark_false_alarm(
        &self,
        project_id: &str,
        forecast_id: &str,
        label: &str,
        template_hash: &str,
        template: &str,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// A project's marked labels, most marked first.
    fn false_alarms(
        &self,
        project_id: &str,
    ) -> impl Future<Output = Result<Vec<FalseAlarmRow>>> + Send;
    /// Forgets every mark of a label and template: the mute is lifted. False if there was none.
    fn clear_false_alarm(
        &self,
        project_id: &str,
        label: &str,
        template_hash: &str,
    ) -> impl Future<Output = Result<bool>> + Send;
}

const MARK: &str = "INSERT INTO sage_false_alarms (project_id, forecast_id, label, template_hash,
     template, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (forecast_id, label, template_hash) DO NOTHING";
const LIST: &str = "SELECT label, template_hash, MAX(template) AS template, COUNT(*) AS marks,
     MAX(created_at) AS last_marked FROM sage_false_alarms WHERE project_id = $1
     GROUP BY label, template_hash ORDER BY marks DESC, label, template_hash";
const CLEAR: &str =
    "DELETE FROM sage_false_alarms WHERE project_id = $1 AND label = $2 AND template_hash = $3";

impl FalseAlarmStore for Db {
    async fn mark_false_alarm(
        &self,
        project_id: &str,
        forecast_id: &str,
        label: &str,
        template_hash: &str,
        template: &str,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => sqlx::query(MARK).bind(project_id).bind(forecast_id).bind(label)
            .bind(template_hash).bind(template).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn false_alarms(&self, project_id: &str) -> Result<Vec<FalseAlarmRow>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(LIST).bind(project_id)
            .fetch_all(pool).await)?,
        )
    }

    async fn clear_false_alarm(
        &self,
        project_id: &str,
        label: &str,
        template_hash: &str,
    ) -> Result<bool> {
        let n = with_pool!(self, pool => sqlx::query(CLEAR).bind(project_id).bind(label)
            .bind(template_hash).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(n > 0)
    }
}
