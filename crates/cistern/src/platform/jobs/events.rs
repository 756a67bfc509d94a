//! `GET /api/v1/jobs/{id}/events`: a job's event log as Server-Sent Events — progress, log lines,
//! failed attempts and the final result.
//!
//! Each SSE event carries the log entry's id (`id:`), its kind (`event:`) and the entry as JSON
//! (`data:`). A client that reconnects sends `Last-Event-ID` (browsers' `EventSource` does it
//! by itself) and gets only what it missed. The stream reads the event table again whenever
//! this process commits a job-store write (so a local job's progress shows at once) and at
//! least every `jobs.poll_interval_ms` (the log lives in the SQL store, so events written by a
//! worker in another process show up too), ends after a terminal event (`succeeded`, `failed`, `dead`, `cancelled`) once
//! nothing follows it, and never outlives [`MAX_STREAM`] or the server's shutdown: the client
//! then reconnects and resumes.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use cistern_jobs::{JobEvent, JobId, Jobs, Scope};
use futures::Stream;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use utoipa::{IntoParams, ToSchema};

use super::api_error;
use super::routes::parse_id;
use crate::config::Config;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::page::ApiQuery;
use crate::platform::auth::Principal;
use crate::time::rfc3339;

/// Longest one stream stays open; the client resumes with `Last-Event-ID`.
pub const MAX_STREAM: Duration = Duration::from_secs(10 * 60);
/// Events read per query.
const BATCH: u32 = 100;

/// Every kind of job event; the SSE `event:` name is the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobEventKind {
    /// `data`: `{"progress": 0..=100, "message"?}`.
    Progress,
    /// `data`: `{"message"}`.
    Log,
    /// An attempt failed and the job will run again: `{"attempt", "error", "retry_at"}`.
    AttemptFailed,
    /// The owner re-queued a finished job.
    Retried,
    /// Terminal: `data` is the handler's result.
    Succeeded,
    /// Terminal, no retry: `{"attempt", "error"}`.
    Failed,
    /// Terminal, the last attempt failed: `{"attempt", "error"}`.
    Dead,
    /// Terminal: cancelled.
    Cancelled,
}

impl From<cistern_jobs::EventKind> for JobEventKind {
    fn from(kind: cistern_jobs::EventKind) -> Self {
        use cistern_jobs::EventKind as K;
        match kind {
            K::Progress => Self::Progress,
            K::Log => Self::Log,
            K::AttemptFailed => Self::AttemptFailed,
            K::Retried => Self::Retried,
            K::Succeeded => Self::Succeeded,
            K::Failed => Self::Failed,
            K::Dead => Self::Dead,
            K::Cancelled => Self::Cancelled,
        }
    }
}

/// One entry of a job's event log, as the `data:` of an SSE event (whose `event:` is `kind`).
#[derive(Debug, Serialize, ToSchema)]
pub struct JobEventView {
    /// Increases with every event; resume after it with `Last-Event-ID`.
    pub id: i64,
    /// What happened; the stream ends after a terminal kind.
    pub kind: JobEventKind,
    /// `progress`: `{"progress", "message"?}`; `log`: `{"message"}`; `attempt_failed`:
    /// `{"attempt", "error", "retry_at"}`; `succeeded`: the result; `failed`/`dead`:
    /// `{"attempt", "error"}`.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// RFC 3339 time.
    pub at: String,
}

/// Query of the event stream.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only events after this id (like the `Last-Event-ID` header, which wins when both are
    /// given); 0 or absent for the whole log.
    pub after: Option<String>,
}

/// `GET /api/v1/jobs/{id}/events`: the job's events as they happen (`text/event-stream`).
#[utoipa::path(get, path = "/api/v1/jobs/{id}/events", tag = "jobs",
    params(("id" = String, Path, description = "Job id"), EventsQuery,
           ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id")),
    security(("bearer" = [])),
    responses((status = 200, description = "Server-Sent Events: `event:` is one of the JobEventKind names (progress, log, attempt_failed, retried, succeeded, failed, dead, cancelled), `id:` the event id, `data:` a JobEventView",
               content_type = "text/event-stream", body = JobEventView),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn job_events(
    State(jobs): State<Jobs>,
    State(shutdown): State<CancellationToken>,
    State(config): State<Arc<Config>>,
    principal: Principal,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    stream(
        jobs,
        shutdown,
        &config,
        principal.user_id,
        &id,
        query.after.as_deref(),
        &headers,
    )
    .await
}

/// The event stream of job `id` of `owner` (another user's job is a 404), resuming after
/// `Last-Event-ID` or the `after` query; for apps whose resources have a job (the coding
/// agent's tasks).
pub async fn stream(
    jobs: Jobs,
    shutdown: CancellationToken,
    config: &Config,
    owner: String,
    id: &str,
    after_query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>> + use<>>, ApiError> {
    let id = parse_id(id)?;
    let after = match headers.get("last-event-id") {
        Some(v) => parse_after(v.to_str().ok(), "Last-Event-ID")?,
        None => parse_after(after_query, "after")?,
    };
    // Ownership first: another user's job is a 404, not an empty stream.
    jobs.get(Scope::Owner(&owner), &id)
        .await
        .map_err(api_error)?
        .ok_or_else(|| ApiError::not_found("no such job"))?;
    let cursor = Cursor {
        written: jobs.write_signal(),
        poll: Duration::from_millis(config.jobs.poll_interval_ms),
        jobs,
        owner,
        id,
        after,
        pending: VecDeque::new(),
        last_terminal: false,
        checked_status: false,
        deadline: Instant::now() + MAX_STREAM,
        shutdown,
    };
    let events = futures::stream::unfold(cursor, |mut cursor| async move {
        let event = cursor.next().await?;
        Some((Ok(event), cursor))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

fn parse_after(value: Option<&str>, field: &str) -> Result<i64, ApiError> {
    match value {
        None => Ok(0),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                ApiError::validation(field, format!("{field} must be an event id (a number)"))
            }),
    }
}

/// Where a stream is in the job's log.
struct Cursor {
    jobs: Jobs,
    owner: String,
    id: JobId,
    after: i64,
    pending: VecDeque<JobEvent>,
    /// The last event sent was terminal: end once nothing follows it.
    last_terminal: bool,
    /// The job's status was checked once the stream caught up (a client resuming after the
    /// terminal event gets an ended stream, not a silent one).
    checked_status: bool,
    deadline: Instant,
    shutdown: CancellationToken,
    /// Ticks when this process commits a job-store write.
    written: tokio::sync::watch::Receiver<u64>,
    /// How often to look for other processes' events.
    poll: Duration,
}

impl Cursor {
    /// The next SSE event, or `None` when the stream should end.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                self.after = event.id;
                self.last_terminal = event.kind.is_terminal();
                return Some(sse_event(event));
            }
            if self.shutdown.is_cancelled() || Instant::now() >= self.deadline {
                return None;
            }
            // Mark the writes seen before reading, so one committed meanwhile still wakes us.
            self.written.borrow_and_update();
            let scope = Scope::Owner(&self.owner);
            match self.jobs.events(scope, &self.id, self.after, BATCH).await {
                Ok(Some(events)) if !events.is_empty() => self.pending.extend(events),
                Ok(Some(_)) => {
                    if self.last_terminal {
                        return None;
                    }
                    if self.finished_before().await {
                        // It may have finished between the two reads: send what it recorded since
                        // (its terminal event among them) before ending.
                        let scope = Scope::Owner(&self.owner);
                        match self.jobs.events(scope, &self.id, self.after, BATCH).await {
                            Ok(Some(events)) if !events.is_empty() => {
                                self.pending.extend(events);
                                continue;
                            }
                            _ => return None,
                        }
                    }
                    tokio::select! {
                        () = self.shutdown.cancelled() => return None,
                        // A closed store (shutdown) leaves only the poll.
                        Ok(()) = self.written.changed() => {}
                        () = tokio::time::sleep(self.poll) => {}
                    }
                }
                // The job is gone (retention removed it).
                Ok(None) => return None,
                Err(error) => {
                    tracing::warn!(job.id = %self.id, %error, "cannot read job events; ending the stream");
                    return None;
                }
            }
        }
    }

    /// On the first catch-up only: `true` when the job has already finished (its terminal event
    /// was before `Last-Event-ID`). Later terminal states arrive as events.
    async fn finished_before(&mut self) -> bool {
        if self.checked_status {
            return false;
        }
        self.checked_status = true;
        match self.jobs.get(Scope::Owner(&self.owner), &self.id).await {
            Ok(Some(job)) => job.status.is_terminal(),
            Ok(None) => true,
            Err(_) => false,
        }
    }
}

fn sse_event(event: JobEvent) -> Event {
    let view = JobEventView {
        id: event.id,
        kind: event.kind.into(),
        data: event.data,
        at: rfc3339(event.at),
    };
    let data = serde_json::to_string(&view).unwrap_or_else(|_| "{}".to_owned());
    Event::default()
        .id(event.id.to_string())
        .event(event.kind.as_str())
        .data(data)
}

#[cfg(test)]
mod tests {
    use super::JobEventKind;
    use cistern_jobs::EventKind;

    #[test]
    fn documented_kinds_are_the_sse_event_names() {
        for kind in [
            EventKind::Progress,
            EventKind::Log,
            EventKind::AttemptFailed,
            EventKind::Retried,
            EventKind::Succeeded,
            EventKind::Failed,
            EventKind::Dead,
            EventKind::Cancelled,
        ] {
            let documented = serde_json::to_value(JobEventKind::from(kind)).expect("json");
            assert_eq!(documented, kind.as_str());
        }
    }
}
