//! Feedback on forecasts: was it accurate, and why — kept with the forecast, shown with the
//! past forecasts, and given to the next ones — and which labels were false alarms (`mutes`).

use cistern_store::ForecastStore;
use cistern_store::sql::{ForecastRow, VersionStatus, now_ms};

use super::Sage;
use super::error::{Error, Result};

/// Longest feedback comment, in characters.
pub const MAX_COMMENT: usize = 1_000;

impl Sage {
    /// A page of a project's past forecasts with their feedback, newest first.
    pub async fn forecasts(
        &self,
        owner: &str,
        project_id: &str,
        before: Option<&cistern_store::TimeCursor>,
        limit: i64,
    ) -> Result<Vec<ForecastRow>> {
        self.get(owner, project_id).await?;
        Ok(self.db.forecasts_of(project_id, before, limit).await?)
    }

    /// Records whether a forecast was accurate (replacing earlier feedback on it); the next
    /// forecasts read it.
    pub async fn feedback(
        &self,
        owner: &str,
        project_id: &str,
        forecast_id: &str,
        accurate: bool,
        comment: Option<String>,
        false_alarms: Vec<(String, Option<String>)>,
    ) -> Result<ForecastRow> {
        self.get(owner, project_id).await?;
        let false_alarms = super::mutes::checked(false_alarms)?;
        let comment = comment
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        if comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_COMMENT)
        {
            return Err(super::error::invalid(
                "comment",
                format!("comment must be at most {MAX_COMMENT} characters"),
            ));
        }
        let forecast = self
            .db
            .forecast(project_id, forecast_id)
            .await?
            .filter(|f| f.status == VersionStatus::Ready)
            .ok_or(Error::NotFound("forecast"))?;
        let now = now_ms();
        self.db
            .put_feedback(&forecast.id, project_id, accurate, comment.as_deref(), now)
            .await?;
        self.mark_false_alarms(project_id, &forecast.id, &false_alarms, now)
            .await?;
        self.db
            .forecast(project_id, forecast_id)
            .await?
            .ok_or(Error::NotFound("forecast"))
    }
}
