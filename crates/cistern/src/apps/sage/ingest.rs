//! An ingest: logs in, kept gzipped in the blob store, scored with the project's memory (its
//! baseline and the templates it has seen), and recorded — the score as a point of the risk
//! history, the templates and the new baseline as what the project has learned.

use std::io::Write;

use bytes::Bytes;
use cistern_logs::ingest::{Decoder, Encoding, Framing, IngestError};
use cistern_logs::{Baseline, ScoreReport};
use cistern_store::SageStore;
use cistern_store::sql::{
    Ingest, Project, Scored, TemplateRow, TemplateSeen, VersionStatus, now_ms,
};
use futures::{Stream, StreamExt};
use object_store::path::Path;
use serde::Serialize;

use super::error::{Error, Result, invalid};
use super::{Sage, ScoreRequest};

/// How an ingest arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// JSON `{logs}`, pasted.
    Paste,
    /// A `text/plain` body.
    Text,
    /// NDJSON records, as log shippers send them.
    Ndjson,
    /// A file upload (multipart, or a gzip file as the body).
    File,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Paste => "paste",
            Source::Text => "text",
            Source::Ndjson => "ndjson",
            Source::File => "file",
        }
    }
}

/// How an ingest's body is framed and encoded, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyFormat {
    /// Paste, text, NDJSON or file.
    pub source: Source,
    /// Text lines or NDJSON records.
    pub framing: Framing,
    /// Plain or gzip.
    pub encoding: Encoding,
}

/// Most templates a project remembers for scoring (the newest beyond are still counted).
const KNOWN_TEMPLATES: usize = 100_000;

/// An ingest once scored.
#[derive(Debug)]
pub struct Ingested {
    /// Its row (status ready, with the score).
    pub ingest: Ingest,
    /// The score and its explanation.
    pub report: ScoreReport,
    /// Templates this project had never seen.
    pub new_templates: Vec<String>,
    /// The project is still learning its baseline.
    pub learning: bool,
    /// The alert this ingest fired, if it crossed the project's threshold.
    pub alert: Option<String>,
    /// Labels whose factors were left out of the score: muted as false alarms.
    pub muted: Vec<String>,
}

/// Counts recorded with an ingest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Counts {
    /// Records (a record is a line, or a line with its continuation lines).
    pub records: u64,
    /// Records at error level or worded as errors.
    pub errors: u64,
    /// Records at warning level.
    pub warnings: u64,
    /// Distinct templates.
    pub templates: u64,
    /// Templates the project had never seen.
    pub new_templates: u64,
}

impl Sage {
    /// Reads an ingest's body as it arrives — decoded (gzip, NDJSON) chunk by chunk, never
    /// more than `sage.max_ingest_bytes` received or decoded — then stores, scores and records
    /// it. Another user's project is refused before a byte is read.
    pub async fn ingest_stream<S, E>(
        &self,
        owner: &str,
        project_id: &str,
        format: BodyFormat,
        mut body: S,
    ) -> Result<Ingested>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        self.get(owner, project_id).await?;
        let limit = self.config().max_ingest_bytes;
        let mut decoder = Decoder::new(format.framing, format.encoding, limit);
        let mut text = String::new();
        let mut raw = 0u64;
        // A gzip body is kept as it came (the raw logs, already compressed).
        let mut received = (format.encoding == Encoding::Gzip).then(bytes::BytesMut::new);
        let mut keep = |line: &str| {
            text.push_str(line);
            text.push('\n');
        };
        while let Some(chunk) = body.next().await {
            let chunk =
                chunk.map_err(|e| Error::Unreadable(format!("the body could not be read: {e}")))?;
            raw += chunk.len() as u64;
            if raw > limit {
                return Err(Error::TooLarge { limit });
            }
            decoder.feed_with(&chunk, &mut keep).map_err(Error::from)?;
            if let Some(r) = &mut received {
                r.extend_from_slice(&chunk);
            }
        }
        decoder.finish_with(&mut keep).map_err(Error::from)?;
        let project = self.get(owner, project_id).await?;
        let gzipped = received.map(bytes::BytesMut::freeze);
        self.store_and_score(project, format.source, text, raw, gzipped)
            .await
    }

    /// Stores, scores and records `logs` for a project of `owner`.
    pub async fn ingest(
        &self,
        owner: &str,
        project_id: &str,
        source: Source,
        logs: String,
        raw_bytes: u64,
    ) -> Result<Ingested> {
        let project = self.get(owner, project_id).await?;
        self.store_and_score(project, source, logs, raw_bytes, None)
            .await
    }

    /// Stores the raw logs (`gzipped` as received, else `logs` compressed here), scores and
    /// records them.
    async fn store_and_score(
        &self,
        project: Project,
        source: Source,
        logs: String,
        raw_bytes: u64,
        gzipped: Option<Bytes>,
    ) -> Result<Ingested> {
        let project_id = project.id.as_str();
        let limit = self.config().max_ingest_bytes;
        if logs.len() as u64 > limit {
            return Err(Error::TooLarge { limit });
        }
        let lines = logs.lines().filter(|l| !l.trim().is_empty()).count();
        if lines == 0 {
            return Err(invalid("logs", "the logs hold no non-blank line"));
        }
        let now = now_ms();
        let id = uuid::Uuid::now_v7().to_string();
        let blob = blob_path(project_id, &id, now);
        let gz = match gzipped {
            Some(gz) => gz,
            None => tokio::task::spawn_blocking({
                let logs = logs.clone();
                move || gzip(&logs)
            })
            .await
            .map_err(|e| Error::Corrupt(format!("compressing the logs failed: {e}")))?
            .map(Bytes::from)
            .map_err(|e| Error::Corrupt(format!("compressing the logs failed: {e}")))?,
        };
        crate::apps::blobs::put_all(&self.blobs, [(Path::from(blob.as_str()), gz)]).await?;
        let ingest = Ingest {
            id: id.clone(),
            project_id: project_id.to_owned(),
            status: VersionStatus::Pending,
            source: source.as_str().to_owned(),
            blob,
            raw_bytes: raw_bytes as i64,
            bytes: logs.len() as i64,
            lines: lines as i64,
            job_id: None,
            score: None,
            labels: None,
            factors: None,
            counts: None,
            window_start: None,
            window_end: None,
            error: None,
            created_at: now,
            updated_at: now,
        };
        self.db.insert_ingest(&ingest).await?;
        match self.score(&project, &id, logs).await {
            Ok((report, new_templates, muted)) => {
                let ingest = self
                    .db
                    .ingest(project_id, &id)
                    .await?
                    .ok_or(Error::NotFound("ingest"))?;
                let labels: Vec<String> = report
                    .labels
                    .iter()
                    .filter_map(|l| serde_json::to_value(l).ok())
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                let alert = self.maybe_alert(&project, &ingest, &labels).await?;
                Ok(Ingested {
                    muted,
                    alert: alert.map(|a| a.id),
                    ingest,
                    report,
                    new_templates,
                    learning: project.ingests + 1 < self.config().learning_ingests,
                })
            }
            Err(e) => {
                if let Err(error) = self.db.fail_ingest(&id, &e.to_string(), now_ms()).await {
                    tracing::warn!(ingest.id = %id, %error, "cannot mark the ingest failed");
                }
                Err(e)
            }
        }
    }

    /// Scores one ingest with the project's memory and records what it learned.
    async fn score(
        &self,
        project: &Project,
        ingest_id: &str,
        logs: String,
    ) -> Result<(ScoreReport, Vec<String>, Vec<String>)> {
        let baseline: Option<Baseline> = project
            .baseline
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| Error::Corrupt(format!("baseline of project {}: {e}", project.id)))?;
        let mut known = self.db.template_texts(&project.id).await?;
        known.truncate(KNOWN_TEMPLATES);
        let request = ScoreRequest {
            project_id: project.id.clone(),
            logs,
            baseline,
            known_templates: known.clone(),
            learn: true,
            ..ScoreRequest::default()
        };
        let answer = self.scorer.score(request).await?;
        let learned = answer
            .learned
            .ok_or_else(|| Error::Corrupt("the scorer did not say what it learned".into()))?;
        let known: std::collections::HashSet<&str> = known.iter().map(String::as_str).collect();
        let new_templates: Vec<String> = learned
            .templates
            .iter()
            .filter(|t| !known.contains(t.template.as_str()))
            .map(|t| t.template.clone())
            .collect();
        let mut report = answer.report;
        let muted = self.muted(&project.id).await?;
        let dropped = report.mute(|f| super::mutes::is_muted(f, &muted));
        let muted_labels: Vec<String> = dropped.iter().map(super::mutes::label_name).collect();
        let counts = Counts {
            records: report.records,
            errors: learned.templates.iter().map(|t| t.errors).sum(),
            warnings: learned.templates.iter().map(|t| t.warnings).sum(),
            templates: learned.templates.len() as u64,
            new_templates: new_templates.len() as u64,
        };
        let scored = Scored {
            score: i64::from(report.score),
            labels: to_json(&report.labels)?,
            factors: to_json(&report.factors)?,
            counts: to_json(&counts)?,
            window_start: learned.start_ms,
            window_end: learned.end_ms,
            baseline: to_json(&learned.baseline)?,
            templates: learned
                .templates
                .into_iter()
                .map(|t| TemplateSeen {
                    hash: crate::platform::auth::keys::sha256_hex(&t.template),
                    template: t.template,
                    records: t.records as i64,
                    errors: t.errors as i64,
                    warnings: t.warnings as i64,
                    example: t.example,
                })
                .collect(),
        };
        self.db
            .record_score(&project.id, ingest_id, &scored, now_ms())
            .await?;
        Ok((report, new_templates, muted_labels))
    }

    /// A project's scored ingests of the last `days` days, oldest first.
    pub async fn risk_history(
        &self,
        owner: &str,
        project_id: &str,
        days: u32,
    ) -> Result<Vec<Ingest>> {
        self.get(owner, project_id).await?;
        let since = now_ms() - i64::from(days) * 86_400_000;
        Ok(self.db.risk_since(project_id, since, 10_000).await?)
    }

    /// A project's templates, most frequent first; with `since`, only those first seen then.
    pub async fn templates(
        &self,
        owner: &str,
        project_id: &str,
        since: Option<i64>,
        limit: i64,
    ) -> Result<Vec<TemplateRow>> {
        self.get(owner, project_id).await?;
        Ok(self.db.templates_of(project_id, since, limit).await?)
    }

    /// A page of a project's ingests, newest first.
    pub async fn ingests(
        &self,
        owner: &str,
        project_id: &str,
        before: Option<&cistern_store::TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Ingest>> {
        self.get(owner, project_id).await?;
        Ok(self.db.ingests_of(project_id, before, limit).await?)
    }
}

/// Where an ingest's raw logs live: `sage/{project}/{date}/{ingest}.log.gz`.
fn blob_path(project_id: &str, ingest_id: &str, now_ms: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(now_ms / 1_000)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|_| "unknown-date".into());
    format!("sage/{project_id}/{date}/{ingest_id}.log.gz")
}

fn gzip(text: &str) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes())?;
    encoder.finish()
}

/// A value as a JSON column.
fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Corrupt(e.to_string()))
}

impl From<IngestError> for Error {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::TooLarge { limit } => Error::TooLarge { limit },
            IngestError::Empty => invalid("logs", "the logs hold no non-blank line"),
            other => Error::Unreadable(other.to_string()),
        }
    }
}
