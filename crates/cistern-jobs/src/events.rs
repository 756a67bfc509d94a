//! A job's event log: what handlers report and how runs end, in the order clients follow it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// What an event says. Terminal kinds end a job's event stream (until a retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// `{"progress": 0..=100, "message"?}`.
    Progress,
    /// `{"message": "…"}`.
    Log,
    /// An attempt failed and the job will run again: `{"attempt", "error", "retry_at"}`.
    AttemptFailed,
    /// Terminal: the result.
    Succeeded,
    /// Terminal: `{"attempt", "error"}`, no retry.
    Failed,
    /// Terminal: the last attempt failed: `{"attempt", "error"}`.
    Dead,
    /// Terminal: cancelled.
    Cancelled,
    /// The owner re-queued a finished job.
    Retried,
}

impl EventKind {
    const NAMES: [(EventKind, &'static str); 8] = [
        (EventKind::Progress, "progress"),
        (EventKind::Log, "log"),
        (EventKind::AttemptFailed, "attempt_failed"),
        (EventKind::Succeeded, "succeeded"),
        (EventKind::Failed, "failed"),
        (EventKind::Dead, "dead"),
        (EventKind::Cancelled, "cancelled"),
        (EventKind::Retried, "retried"),
    ];

    /// The stored name (also the SSE `event:` field).
    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("log", |(_, n)| n)
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(k, _)| *k)
            .ok_or_else(|| Error::invalid("event kind", s.to_owned()))
    }

    /// `true` for the kinds that end a run: succeeded, failed, dead, cancelled.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            EventKind::Succeeded | EventKind::Failed | EventKind::Dead | EventKind::Cancelled
        )
    }
}

/// One entry of a job's append-only event log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobEvent {
    /// Increases with every event (across jobs); resume with "events after this id"
    /// (`Last-Event-ID`).
    pub id: i64,
    /// What it says.
    pub kind: EventKind,
    /// Its data (see [`EventKind`]).
    pub data: Value,
    /// When (Unix ms).
    pub at: i64,
}
