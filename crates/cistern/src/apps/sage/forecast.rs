//! The daily forecast: once per project per day, the model reads the project's recent risk —
//! scores and their trend, labels, top and new templates, its baseline — and the feedback on
//! past forecasts, and answers through JSON-schema structured output with an outlook, a short
//! text and exactly three actions. A malformed answer gets one repair round; without a model,
//! or when it fails, a statistical forecast (the scores' trend extrapolated, the labels behind
//! them) is given instead, labelled as such. The forecast is kept in SQL (one row a day,
//! claimed before generating, so concurrent readers wait for one model call) and in the blob
//! store (`sage/{project}/forecasts/{day}.json`).

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use cistern_llm::{CallContext, ChatRequest, JsonSchemaFormat, Message, ResponseFormat};
use cistern_store::sql::{ForecastRow, Ingest, Project, VersionStatus, now_ms};
use cistern_store::{ForecastStore, SageStore};
use object_store::path::Path;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::Sage;
use super::error::{Error, Result};
use super::forecast_stats;

/// How risky the next day looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outlook {
    /// Calm.
    Low,
    /// Watch it.
    Medium,
    /// Expect trouble.
    High,
}

/// How urgent an action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Do it first.
    High,
    /// Soon.
    Medium,
    /// When there is time.
    Low,
}

/// One suggested next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastAction {
    /// What to do, in a few words.
    pub title: String,
    /// Why and how, in a sentence or two.
    pub detail: String,
    /// How urgent.
    pub priority: Priority,
}

/// Who wrote a forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ForecastSource {
    /// The model.
    Model,
    /// The statistical fallback (no model, or its answer was unusable).
    Statistical,
}

/// A forecast as stored and answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    /// The outlook.
    pub outlook: Outlook,
    /// A few sentences.
    pub text: String,
    /// Exactly three.
    pub actions: Vec<ForecastAction>,
    /// Model or statistical.
    pub source: ForecastSource,
    /// The model that wrote it.
    pub model: Option<String>,
    /// Why a statistical forecast was given.
    pub note: Option<String>,
}

/// The model's answer (the JSON schema it is held to).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    outlook: Outlook,
    forecast: String,
    actions: Vec<ForecastAction>,
}

/// Longest forecast text and action fields, in characters.
const MAX_TEXT: usize = 2_000;
const MAX_TITLE: usize = 120;
const MAX_DETAIL: usize = 600;
/// Days of risk history a forecast reads.
const HISTORY_DAYS: i64 = 14;
/// A claim older than this is a generator that died: taken over.
const STALE_CLAIM_MS: i64 = 3 * 60_000;
/// How long a reader waits for another request's generation.
const WAIT_FOR_OTHER: Duration = Duration::from_secs(120);

impl Sage {
    /// Today's forecast of a project of `owner` — generated on the first read of the day.
    pub async fn forecast(&self, owner: &str, project_id: &str) -> Result<ForecastRow> {
        let project = self.get(owner, project_id).await?;
        if project.ingests == 0 {
            return Err(Error::NoHistory);
        }
        let day = day_of(now_ms());
        let deadline = tokio::time::Instant::now() + WAIT_FOR_OTHER;
        let mut pause = Duration::from_millis(50);
        loop {
            if let Some(row) = self.db.forecast_of_day(project_id, &day).await?
                && row.status == VersionStatus::Ready
            {
                return Ok(row);
            }
            let id = uuid::Uuid::now_v7().to_string();
            let now = now_ms();
            if self
                .db
                .claim_forecast(project_id, &id, &day, now, now - STALE_CLAIM_MS)
                .await?
            {
                return self.generate(owner, &project, &id, &day).await;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(Error::Corrupt(
                    "another request is still generating today's forecast".into(),
                ));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    }

    /// Writes the claimed forecast `id`: the model's, or the statistical one.
    async fn generate(
        &self,
        owner: &str,
        project: &Project,
        id: &str,
        day: &str,
    ) -> Result<ForecastRow> {
        let done = async {
            let context = self.context(project).await?;
            let forecast = match self.ask_model(owner, project, &context).await {
                Ok(f) => f,
                Err(reason) => forecast_stats::statistical(&context, reason),
            };
            let json =
                serde_json::to_string(&forecast).map_err(|e| Error::Corrupt(e.to_string()))?;
            let path = Path::from(format!("sage/{}/forecasts/{day}.json", project.id));
            crate::apps::blobs::put_all(&self.blobs, [(path, Bytes::from(json.clone()))]).await?;
            self.db
                .finish_forecast(id, VersionStatus::Ready, Some(&json), now_ms())
                .await?;
            self.db
                .forecast(&project.id, id)
                .await?
                .ok_or(Error::NotFound("forecast"))
        }
        .await;
        if done.is_err()
            && let Err(error) = self
                .db
                .finish_forecast(id, VersionStatus::Failed, None, now_ms())
                .await
        {
            tracing::warn!(forecast.id = %id, %error, "cannot give the forecast claim up");
        }
        done
    }

    /// What the forecast reads about a project.
    async fn context(&self, project: &Project) -> Result<Context> {
        let since = now_ms() - HISTORY_DAYS * 86_400_000;
        let points = self.db.risk_since(&project.id, since, 200).await?;
        let top = self.db.templates_of(&project.id, None, 10).await?;
        let new = self
            .db
            .templates_of(&project.id, Some(now_ms() - 86_400_000), 10)
            .await?;
        let feedback = self.db.forecasts_of(&project.id, None, 10).await?;
        Ok(Context {
            name: project.name.clone(),
            description: project.description.clone(),
            baseline: project.baseline.clone(),
            points,
            top: top
                .into_iter()
                .map(|t| (t.template, t.records, t.errors))
                .collect(),
            new: new.into_iter().map(|t| t.template).collect(),
            feedback: feedback
                .into_iter()
                .filter(|f| f.accurate.is_some())
                .map(|f| PastFeedback {
                    day: f.day,
                    outlook: f
                        .forecast
                        .as_deref()
                        .and_then(|j| serde_json::from_str::<Forecast>(j).ok())
                        .map(|f| f.outlook),
                    accurate: f.accurate.unwrap_or_default(),
                    comment: f.comment,
                })
                .collect(),
        })
    }

    /// The model's forecast, with one repair round; why not, when it cannot give one.
    async fn ask_model(
        &self,
        owner: &str,
        project: &Project,
        context: &Context,
    ) -> std::result::Result<Forecast, String> {
        let model = self.config().forecast_model.clone();
        let mut request = ChatRequest::new(
            model.clone(),
            vec![Message::system(SYSTEM), Message::user(context.prompt())],
        );
        request.response_format = Some(ResponseFormat::JsonSchema {
            json_schema: JsonSchemaFormat {
                name: "sage_forecast".into(),
                description: Some("Tomorrow's risk outlook for a log project".into()),
                schema: schema(),
                strict: Some(true),
            },
        });
        request.temperature = Some(0.2);
        request.max_tokens = Some(800);
        let call = CallContext {
            user_id: Some(owner.to_owned()),
            app: Some("sage".into()),
            ..CallContext::default()
        };
        let mut repaired = false;
        loop {
            let response = self
                .llm
                .chat(request.clone(), call.clone())
                .await
                .map_err(|e| format!("the model could not be called: {e}"))?;
            let text = response.message.text().into_owned();
            match parse_answer(&text) {
                Ok(answer) => {
                    return Ok(Forecast {
                        outlook: answer.outlook,
                        text: answer.forecast.trim().to_owned(),
                        actions: answer.actions,
                        source: ForecastSource::Model,
                        model: Some(response.model.clone()),
                        note: None,
                    });
                }
                Err(problem) if !repaired => {
                    tracing::debug!(project.id = %project.id, %problem, "forecast answer malformed; one repair round");
                    repaired = true;
                    request.messages.push(Message::assistant(text));
                    request.messages.push(Message::user(format!(
                        "That answer is not usable: {problem}. Answer again with only the JSON \
                         object: outlook (low, medium or high), forecast (a few sentences) and \
                         exactly three actions, each with title, detail and priority (high, \
                         medium or low)."
                    )));
                }
                Err(problem) => {
                    return Err(format!(
                        "the model's answer was malformed even after a repair round ({problem})"
                    ));
                }
            }
        }
    }
}

const SYSTEM: &str = "You are Sage, a site-reliability analyst. From a log project's recent \
risk history you forecast the next 24 hours and suggest what to do. Be concrete: name the \
templates and labels that drive the risk. Take the user's feedback on past forecasts into \
account. Answer only with the JSON object the schema describes.";

/// The JSON schema the model's answer must match.
fn schema() -> serde_json::Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["outlook", "forecast", "actions"],
        "properties": {
            "outlook": {"type": "string", "enum": ["low", "medium", "high"]},
            "forecast": {"type": "string"},
            "actions": {
                "type": "array", "minItems": 3, "maxItems": 3,
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["title", "detail", "priority"],
                    "properties": {
                        "title": {"type": "string"},
                        "detail": {"type": "string"},
                        "priority": {"type": "string", "enum": ["high", "medium", "low"]}
                    }
                }
            }
        }
    })
}

/// The answer, checked: JSON of the schema's shape, a text, exactly three complete actions.
fn parse_answer(text: &str) -> std::result::Result<Answer, String> {
    // Models wrap JSON in prose or a code fence now and then even when told not to: the
    // object is read from its first `{` to its last `}`.
    let body = match (text.find('{'), text.rfind('}')) {
        (Some(start), Some(end)) if start < end => &text[start..=end],
        _ => text.trim(),
    };
    let answer: Answer = serde_json::from_str(body)
        .map_err(|e| format!("it is not the JSON object asked for ({e})"))?;
    if answer.forecast.trim().is_empty() || answer.forecast.chars().count() > MAX_TEXT {
        return Err(format!("forecast must be 1–{MAX_TEXT} characters"));
    }
    if answer.actions.len() != 3 {
        return Err(format!(
            "there must be exactly three actions, not {}",
            answer.actions.len()
        ));
    }
    for (i, a) in answer.actions.iter().enumerate() {
        if a.title.trim().is_empty() || a.title.chars().count() > MAX_TITLE {
            return Err(format!(
                "action {} needs a title of 1–{MAX_TITLE} characters",
                i + 1
            ));
        }
        if a.detail.trim().is_empty() || a.detail.chars().count() > MAX_DETAIL {
            return Err(format!(
                "action {} needs a detail of 1–{MAX_DETAIL} characters",
                i + 1
            ));
        }
    }
    Ok(answer)
}

/// `YYYY-MM-DD` (UTC) of a time in Unix milliseconds.
pub(super) fn day_of(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1_000)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|_| "1970-01-01".into())
}

/// Feedback on a past forecast, as the next one reads it.
#[derive(Debug, Clone)]
pub(super) struct PastFeedback {
    pub day: String,
    pub outlook: Option<Outlook>,
    pub accurate: bool,
    pub comment: Option<String>,
}

/// What a forecast reads about its project.
#[derive(Debug, Clone)]
pub(super) struct Context {
    pub name: String,
    pub description: String,
    pub baseline: Option<String>,
    /// Scored ingests of the last days, oldest first.
    pub points: Vec<Ingest>,
    /// Top templates: text, records, errors.
    pub top: Vec<(String, i64, i64)>,
    /// Templates first seen in the last day.
    pub new: Vec<String>,
    pub feedback: Vec<PastFeedback>,
}

impl Context {
    /// The labels of the period, most frequent first.
    pub fn label_counts(&self) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for p in &self.points {
            let labels: Vec<String> = p
                .labels
                .as_deref()
                .and_then(|l| serde_json::from_str(l).ok())
                .unwrap_or_default();
            for l in labels {
                *counts.entry(l).or_default() += 1;
            }
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// The user message of the forecast call.
    fn prompt(&self) -> String {
        let mut p = format!("Project: {}\n", self.name);
        if !self.description.is_empty() {
            p.push_str(&format!("What it is: {}\n", self.description));
        }
        p.push_str(&format!(
            "\nRisk scores (0–100) of the last {HISTORY_DAYS} days, oldest first:\n"
        ));
        for i in self.points.iter().rev().take(30).rev() {
            p.push_str(&format!(
                "- {} score {} labels {}\n",
                crate::time::rfc3339(i.created_at),
                i.score.unwrap_or_default(),
                i.labels.as_deref().unwrap_or("[]")
            ));
        }
        let trend = forecast_stats::trend(&self.points);
        p.push_str(&format!(
            "Trend: {:+.1} points a day; latest {}, mean {:.0}.\n",
            trend.per_day, trend.latest, trend.mean
        ));
        let labels = self.label_counts();
        if !labels.is_empty() {
            p.push_str("Labels in the period: ");
            p.push_str(
                &labels
                    .iter()
                    .map(|(l, n)| format!("{l} ×{n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            p.push('\n');
        }
        p.push_str("\nMost frequent templates (records, errors):\n");
        for (t, records, errors) in &self.top {
            p.push_str(&format!("- {t} ({records}, {errors})\n"));
        }
        if !self.new.is_empty() {
            p.push_str("\nTemplates first seen in the last 24 hours:\n");
            for t in &self.new {
                p.push_str(&format!("- {t}\n"));
            }
        }
        if let Some(b) = &self.baseline {
            p.push_str(&format!(
                "\nThe project's usual behaviour (baseline): {b}\n"
            ));
        }
        if !self.feedback.is_empty() {
            p.push_str("\nFeedback on past forecasts:\n");
            for f in &self.feedback {
                p.push_str(&format!(
                    "- {}: outlook {} was {}{}\n",
                    f.day,
                    f.outlook.map_or("?", |o| match o {
                        Outlook::Low => "low",
                        Outlook::Medium => "medium",
                        Outlook::High => "high",
                    }),
                    if f.accurate {
                        "accurate"
                    } else {
                        "NOT accurate"
                    },
                    f.comment
                        .as_deref()
                        .map(|c| format!(" — \"{c}\""))
                        .unwrap_or_default()
                ));
            }
        }
        p.push_str("\nForecast the next 24 hours: outlook, a few sentences, three actions.");
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked_and_fences_tolerated() {
        let good = r#"{"outlook":"high","forecast":"Errors rise.","actions":[
            {"title":"a","detail":"b","priority":"high"},
            {"title":"c","detail":"d","priority":"medium"},
            {"title":"e","detail":"f","priority":"low"}]}"#;
        assert!(parse_answer(good).is_ok());
        assert!(parse_answer(&format!("```json\n{good}\n```")).is_ok());
        assert!(parse_answer(&format!("Here it is:\n{good}\nHope it helps.")).is_ok());
        let two = good.replace(
            r#",
            {"title":"e","detail":"f","priority":"low"}"#,
            "",
        );
        assert!(parse_answer(&two).unwrap_err().contains("exactly three"));
        assert!(parse_answer("It will be fine.").is_err());
        let blank = good.replace(r#""title":"a""#, r#""title":" ""#);
        assert!(parse_answer(&blank).unwrap_err().contains("action 1"));
    }
}
