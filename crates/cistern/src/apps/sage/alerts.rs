//! Alerts: an ingest scoring at or above its project's threshold posts one message to the
//! project's webhook (a Slack-compatible JSON body) through the `sage.alert` job, which retries
//! with backoff; at most one alert per project per `alert_interval_secs` (the window is claimed
//! atomically, so concurrent ingests cannot both alert). Each attempt is recorded on the alert
//! (the delivery log). Requests go only to the URL the user set, and never follow redirects.

use std::time::Duration;

use cistern_jobs::{JobContext, JobError, NewJob};
use cistern_store::AlertStore;
use cistern_store::sql::{AlertRow, Ingest, Project, VersionStatus, now_ms};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Sage;
use super::error::{Error, Result};

/// The job that delivers an alert.
pub const JOB_NAME: &str = "sage.alert";

/// The `sage.alert` job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlertPayload {
    /// The alert.
    pub alert_id: String,
}

impl Sage {
    /// Fires an alert for a scored ingest when it crosses the project's threshold, unless the
    /// project alerted within its interval. Returns the alert, if one fired.
    pub(super) async fn maybe_alert(
        &self,
        project: &Project,
        ingest: &Ingest,
        labels: &[String],
    ) -> Result<Option<AlertRow>> {
        let (Some(threshold), Some(url), Some(score)) = (
            project.alert_threshold,
            &project.alert_webhook,
            ingest.score,
        ) else {
            return Ok(None);
        };
        if score < threshold {
            return Ok(None);
        }
        let now = now_ms();
        if !self
            .db
            .claim_alert_window(&project.id, now, project.alert_interval_secs * 1_000)
            .await?
        {
            return Ok(None);
        }
        let text = format!(
            "Sage: {} scored {score}/100 (threshold {threshold}){}",
            project.name,
            if labels.is_empty() {
                String::new()
            } else {
                format!(" — {}", labels.join(", "))
            }
        );
        let payload = json!({
            "text": text,
            "sage": {
                "project_id": project.id, "project": project.name, "ingest_id": ingest.id,
                "score": score, "threshold": threshold, "labels": labels,
            }
        });
        let mut alert = AlertRow {
            id: uuid::Uuid::now_v7().to_string(),
            project_id: project.id.clone(),
            ingest_id: ingest.id.clone(),
            score,
            url: url.clone(),
            payload: payload.to_string(),
            status: VersionStatus::Pending,
            job_id: None,
            attempts: 0,
            last_status: None,
            last_error: None,
            created_at: now,
            updated_at: now,
            delivered_at: None,
        };
        self.db.insert_alert(&alert).await?;
        let job = NewJob::new(
            JOB_NAME,
            serde_json::to_value(AlertPayload {
                alert_id: alert.id.clone(),
            })
            .map_err(|e| Error::Corrupt(e.to_string()))?,
        )
        .max_attempts(self.config().alert_attempts)
        .owner(project.owner.clone());
        match self.jobs.enqueue(job).await {
            Ok(job) => {
                alert.job_id = Some(job.id.to_string());
                self.db
                    .set_alert_job(&alert.id, &job.id.to_string())
                    .await?;
            }
            Err(e) => {
                let reason = format!("the alert could not be queued: {e}");
                self.db
                    .record_alert_attempt(
                        &alert.id,
                        VersionStatus::Failed,
                        None,
                        Some(&reason),
                        now_ms(),
                    )
                    .await?;
                tracing::warn!(alert.id = %alert.id, error = %e, "cannot queue an alert");
            }
        }
        Ok(Some(alert))
    }

    /// A project's latest alerts with their delivery log, newest first.
    pub async fn alerts(&self, owner: &str, project_id: &str) -> Result<Vec<AlertRow>> {
        self.get(owner, project_id).await?;
        Ok(self.db.alerts_of(project_id, 100).await?)
    }
}

/// The `sage.alert` job: posts the alert; a non-2xx answer or a transport error is retried
/// until the job's attempts run out, then the alert is failed.
pub async fn deliver(sage: Sage, ctx: JobContext, p: AlertPayload) -> Result<Value, JobError> {
    let alert = sage
        .db
        .alert(&p.alert_id)
        .await
        .map_err(JobError::retry)?
        .ok_or_else(|| JobError::permanent(format!("no such alert {}", p.alert_id)))?;
    if alert.status == VersionStatus::Ready {
        return Ok(json!({"alert_id": alert.id, "delivered": true}));
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(sage.config().alert_timeout_secs))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(JobError::retry)?;
    let sent = client
        .post(&alert.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(alert.payload.clone())
        .send()
        .await;
    let last = ctx.attempt() >= ctx.max_attempts();
    let (status, code, error) = match sent {
        Ok(r) if r.status().is_success() => (VersionStatus::Ready, Some(r.status().as_u16()), None),
        Ok(r) => {
            let code = r.status().as_u16();
            (
                VersionStatus::Pending,
                Some(code),
                Some(format!("the webhook answered {code}")),
            )
        }
        Err(e) => (
            VersionStatus::Pending,
            None,
            Some(format!("the webhook could not be reached: {e}")),
        ),
    };
    let status = if status == VersionStatus::Pending && last {
        VersionStatus::Failed
    } else {
        status
    };
    sage.db
        .record_alert_attempt(
            &alert.id,
            status,
            code.map(i64::from),
            error.as_deref(),
            now_ms(),
        )
        .await
        .map_err(JobError::retry)?;
    match error {
        None => Ok(json!({"alert_id": alert.id, "delivered": true, "status": code})),
        Some(reason) => Err(JobError::retry(reason)),
    }
}
