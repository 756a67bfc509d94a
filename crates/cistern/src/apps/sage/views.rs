//! Sage's API shapes: what a client sends and what it gets back.

use cistern_logs::{Factor, Label, TemplateStats};
use cistern_store::sql::{AlertRow, ForecastRow, Ingest, Project, TemplateRow, VersionStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::forecast::{Forecast, ForecastAction, ForecastSource, Outlook};
use super::ingest::{Counts, Ingested};
use super::projects::ProjectSettings;
use crate::time::rfc3339;

/// `POST /api/v1/sage/projects`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    /// 1–100 characters.
    pub name: String,
    /// What the project watches (at most 2,000 characters).
    #[serde(default)]
    pub description: String,
    /// Alert when an ingest scores at least this (0–100); absent: no alerts.
    #[serde(default)]
    pub alert_threshold: Option<i64>,
    /// Where alerts are posted (http or https; Slack-compatible JSON).
    #[serde(default)]
    pub alert_webhook: Option<String>,
    /// At most one alert per this many seconds (60–604800; default `sage.alert_interval_secs`).
    #[serde(default)]
    pub alert_interval_secs: Option<i64>,
}

impl From<CreateProject> for ProjectSettings {
    fn from(c: CreateProject) -> Self {
        ProjectSettings {
            name: Some(c.name),
            description: Some(c.description),
            alert_threshold: Some(c.alert_threshold),
            alert_webhook: Some(c.alert_webhook),
            alert_interval_secs: c.alert_interval_secs,
        }
    }
}

/// `PATCH /api/v1/sage/projects/{id}`: what changes (`null` clears the alert settings).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProject {
    /// 1–100 characters.
    #[serde(default)]
    pub name: Option<String>,
    /// At most 2,000 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// 0–100, or `null` for no alerts.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub alert_threshold: Option<Option<i64>>,
    /// An http or https URL, or `null` to remove it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub alert_webhook: Option<Option<String>>,
    /// 60–604800.
    #[serde(default)]
    pub alert_interval_secs: Option<i64>,
}

impl From<UpdateProject> for ProjectSettings {
    fn from(u: UpdateProject) -> Self {
        ProjectSettings {
            name: u.name,
            description: u.description,
            alert_threshold: u.alert_threshold,
            alert_webhook: u.alert_webhook,
            alert_interval_secs: u.alert_interval_secs,
        }
    }
}

/// A field that is present (`null` included) is `Some`; an absent one stays `None` (`default`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A project.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectView {
    /// Project id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it watches.
    pub description: String,
    /// Alert threshold (0–100), if alerts are on.
    pub alert_threshold: Option<i64>,
    /// Where alerts go.
    pub alert_webhook: Option<String>,
    /// At most one alert per this many seconds.
    pub alert_interval_secs: i64,
    /// Scored ingests.
    pub ingests: i64,
    /// The latest ingest's score.
    pub last_score: Option<i64>,
    /// When the latest ingest was scored (RFC 3339).
    pub last_ingest_at: Option<String>,
    /// Still learning its baseline (fewer than `sage.learning_ingests` ingests).
    pub learning: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl ProjectView {
    /// A project, with the number of ingests its baseline needs.
    pub fn new(p: Project, learning_ingests: i64) -> Self {
        ProjectView {
            learning: p.ingests < learning_ingests,
            id: p.id,
            name: p.name,
            description: p.description,
            alert_threshold: p.alert_threshold,
            alert_webhook: p.alert_webhook,
            alert_interval_secs: p.alert_interval_secs,
            ingests: p.ingests,
            last_score: p.last_score,
            last_ingest_at: p.last_ingest_at.map(rfc3339),
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

/// `POST …/ingest` as JSON: pasted logs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PastedLogs {
    /// Raw log text, any format.
    pub logs: String,
}

/// An ingest's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IngestStatus {
    /// Being scored.
    Pending,
    /// Scored: a point of the risk history.
    Scored,
    /// Scoring failed; `error` says why.
    Failed,
}

/// One ingest.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestView {
    /// Ingest id.
    pub id: String,
    /// Its state.
    pub status: IngestStatus,
    /// How it arrived: `paste` or `text`.
    pub source: String,
    /// Bytes received.
    pub raw_bytes: i64,
    /// Bytes of log text.
    pub bytes: i64,
    /// Non-blank lines.
    pub lines: i64,
    /// Risk 0–100, once scored.
    pub score: Option<i64>,
    /// The labels of the score.
    #[schema(value_type = Vec<String>)]
    pub labels: Vec<Label>,
    /// The factors behind the score, strongest first (as the ingest answered them).
    #[schema(value_type = Vec<Object>)]
    pub factors: Vec<Factor>,
    /// Records, errors, warnings, templates, new templates.
    pub counts: Option<Counts>,
    /// First timestamp in the logs (RFC 3339).
    pub window_start: Option<String>,
    /// Last timestamp in the logs (RFC 3339).
    pub window_end: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<Ingest> for IngestView {
    fn from(i: Ingest) -> Self {
        IngestView {
            status: match i.status {
                VersionStatus::Pending => IngestStatus::Pending,
                VersionStatus::Ready => IngestStatus::Scored,
                VersionStatus::Failed => IngestStatus::Failed,
            },
            labels: i
                .labels
                .as_deref()
                .and_then(|l| serde_json::from_str(l).ok())
                .unwrap_or_default(),
            factors: i
                .factors
                .as_deref()
                .and_then(|f| serde_json::from_str(f).ok())
                .unwrap_or_default(),
            counts: i
                .counts
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
            id: i.id,
            source: i.source,
            raw_bytes: i.raw_bytes,
            bytes: i.bytes,
            lines: i.lines,
            score: i.score,
            window_start: i.window_start.map(rfc3339),
            window_end: i.window_end.map(rfc3339),
            error: i.error,
            created_at: rfc3339(i.created_at),
        }
    }
}

/// The answer to an ingest: the ingest, its score explained, and what was new.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestOutcome {
    /// The ingest.
    pub ingest: IngestView,
    /// Risk 0–100.
    pub score: u8,
    /// Labels, strongest first.
    #[schema(value_type = Vec<String>)]
    pub labels: Vec<Label>,
    /// Every factor behind the score, strongest first.
    #[schema(value_type = Vec<Object>)]
    pub factors: Vec<Factor>,
    /// The logs' templates, most frequent first (at most 50).
    #[schema(value_type = Vec<Object>)]
    pub templates: Vec<TemplateStats>,
    /// Templates the project had never seen.
    pub new_templates: Vec<String>,
    /// The project is still learning its baseline.
    pub learning: bool,
    /// The alert this ingest fired (it crossed the project's threshold), if any.
    pub alert_id: Option<String>,
    /// Labels left out of the score: muted for this project as false alarms.
    pub muted: Vec<String>,
}

impl From<Ingested> for IngestOutcome {
    fn from(i: Ingested) -> Self {
        IngestOutcome {
            ingest: i.ingest.into(),
            score: i.report.score,
            labels: i.report.labels,
            factors: i.report.factors,
            templates: i.report.templates,
            new_templates: i.new_templates,
            learning: i.learning,
            alert_id: i.alert,
            muted: i.muted,
        }
    }
}

/// `GET …/risk-history?days=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RiskQuery {
    /// Days back from now (1–365, default 30).
    pub days: Option<u32>,
}

/// One point of the risk history.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskPoint {
    /// The ingest.
    pub ingest_id: String,
    /// When it was ingested (RFC 3339).
    pub at: String,
    /// Risk 0–100.
    pub score: i64,
    /// Its labels.
    #[schema(value_type = Vec<String>)]
    pub labels: Vec<Label>,
    /// Records, errors, warnings, templates, new templates.
    pub counts: Option<Counts>,
}

/// `GET …/risk-history`: the points, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskHistory {
    /// The scored ingests of the period, oldest first.
    pub points: Vec<RiskPoint>,
}

impl From<Ingest> for RiskPoint {
    fn from(i: Ingest) -> Self {
        let view = IngestView::from(i);
        RiskPoint {
            ingest_id: view.id,
            at: view.created_at,
            score: view.score.unwrap_or_default(),
            labels: view.labels,
            counts: view.counts,
        }
    }
}

/// `GET …/templates?since=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TemplatesQuery {
    /// RFC 3339: "new" templates are those first seen at or after it (default: 24 hours ago).
    pub since: Option<String>,
    /// How many of the top templates (1–500, default 50).
    pub limit: Option<i64>,
}

/// A template a project has seen.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    /// The template (`<*>` marks a value).
    pub template: String,
    /// Records over all ingests.
    pub records: i64,
    /// Of which errors.
    pub errors: i64,
    /// Of which warnings.
    pub warnings: i64,
    /// The first line it matched.
    pub example: String,
    /// RFC 3339.
    pub first_seen: String,
    /// RFC 3339.
    pub last_seen: String,
}

impl From<TemplateRow> for TemplateView {
    fn from(t: TemplateRow) -> Self {
        TemplateView {
            template: t.template,
            records: t.records,
            errors: t.errors,
            warnings: t.warnings,
            example: t.example,
            first_seen: rfc3339(t.first_seen),
            last_seen: rfc3339(t.last_seen),
        }
    }
}

/// `GET …/templates`: the most frequent templates, and those new since `since`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Templates {
    /// Most frequent first.
    pub top: Vec<TemplateView>,
    /// First seen at or after `since`, most frequent first.
    pub new: Vec<TemplateView>,
    /// The `since` applied (RFC 3339).
    pub since: String,
}

/// The feedback on a forecast.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackView {
    /// Was it accurate?
    pub accurate: bool,
    /// What the user said.
    pub comment: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// A day's forecast: outlook, text, exactly three actions, who wrote it, and its feedback.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastView {
    /// Forecast id (for feedback).
    pub id: String,
    /// The day it is for (`YYYY-MM-DD`, UTC).
    pub day: String,
    /// How risky the next day looks.
    pub outlook: Outlook,
    /// A few sentences.
    pub text: String,
    /// Exactly three.
    pub actions: Vec<ForecastAction>,
    /// `model`, or `statistical` (no model, or its answer was unusable; `note` says why).
    pub source: ForecastSource,
    /// The model that wrote it.
    pub model: Option<String>,
    /// Why the forecast is statistical.
    pub note: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// The user's feedback, if given.
    pub feedback: Option<FeedbackView>,
}

impl TryFrom<ForecastRow> for ForecastView {
    type Error = super::SageError;

    fn try_from(row: ForecastRow) -> Result<Self, Self::Error> {
        let f: Forecast = serde_json::from_str(row.forecast.as_deref().unwrap_or("null"))
            .map_err(|e| super::SageError::Corrupt(format!("forecast {}: {e}", row.id)))?;
        Ok(ForecastView {
            feedback: row.accurate.map(|accurate| FeedbackView {
                accurate,
                comment: row.comment.clone(),
                created_at: rfc3339(row.feedback_at.unwrap_or(row.updated_at)),
            }),
            id: row.id,
            day: row.day,
            outlook: f.outlook,
            text: f.text,
            actions: f.actions,
            source: f.source,
            model: f.model,
            note: f.note,
            created_at: rfc3339(row.created_at),
        })
    }
}

/// `POST …/forecasts/{forecast_id}/feedback`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    /// Was the forecast accurate?
    pub accurate: bool,
    /// Why (at most 1,000 characters); the next forecasts read it.
    #[serde(default)]
    pub comment: Option<String>,
    /// Labels that were false alarms, each for a template (or for any, without one); a label
    /// marked so on three forecasts for the same template is muted for the project.
    #[serde(default)]
    pub false_alarms: Vec<FalseAlarmBody>,
}

/// A label that was a false alarm.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FalseAlarmBody {
    /// A label's name (`High Error Rate`, `New Error Template`, …).
    pub label: String,
    /// The template it fired for (absent: the label whatever the template).
    #[serde(default)]
    pub template: Option<String>,
}

/// A label marked as a false alarm, and whether that mutes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MuteView {
    /// The label.
    pub label: String,
    /// The template (empty: the label whatever the template).
    pub template: String,
    /// On how many forecasts it was marked a false alarm.
    pub marks: i64,
    /// Marked on three or more: left out of the project's scores.
    pub muted: bool,
    /// The latest mark (RFC 3339).
    pub last_marked: String,
}

impl From<super::mutes::Mute> for MuteView {
    fn from(m: super::mutes::Mute) -> Self {
        MuteView {
            label: m.row.label,
            template: m.row.template,
            marks: m.row.marks,
            muted: m.muted,
            last_marked: rfc3339(m.row.last_marked),
        }
    }
}

/// `GET …/mutes`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Mutes {
    /// Most marked first.
    pub items: Vec<MuteView>,
}

/// Where an alert's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// Being delivered (retrying after a failed attempt).
    Pending,
    /// The webhook answered 2xx.
    Delivered,
    /// Every attempt failed.
    Failed,
}

/// An alert and its delivery log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    /// Alert id.
    pub id: String,
    /// The ingest that crossed the threshold.
    pub ingest_id: String,
    /// Its score.
    pub score: i64,
    /// Where it was posted.
    pub url: String,
    /// Delivery state.
    pub status: AlertStatus,
    /// Attempts so far.
    pub attempts: i64,
    /// The webhook's last HTTP status.
    pub last_status: Option<i64>,
    /// The last attempt's error.
    pub last_error: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub delivered_at: Option<String>,
}

impl From<AlertRow> for AlertView {
    fn from(a: AlertRow) -> Self {
        AlertView {
            status: match a.status {
                VersionStatus::Pending => AlertStatus::Pending,
                VersionStatus::Ready => AlertStatus::Delivered,
                VersionStatus::Failed => AlertStatus::Failed,
            },
            id: a.id,
            ingest_id: a.ingest_id,
            score: a.score,
            url: a.url,
            attempts: a.attempts,
            last_status: a.last_status,
            last_error: a.last_error,
            created_at: rfc3339(a.created_at),
            delivered_at: a.delivered_at.map(rfc3339),
        }
    }
}

/// `GET …/alerts`: the latest alerts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Alerts {
    /// At most 100.
    pub items: Vec<AlertView>,
}
