//! Cistern's job engine: durable jobs, the workers that run them, and users' pull queues.
//!
//! A job is a JSON payload with a handler name, a queue, a priority, an attempt budget, an
//! optional dedup key and due time, and an owner. Delivery is at-least-once: a worker leases a
//! job (a visibility timeout it extends with heartbeats); if the worker dies, the lease expires
//! and the job runs again; failures retry with exponential backoff and jitter until the last
//! attempt leaves the job `dead` with its error history. Handlers report progress and log lines
//! into an append-only event log that clients follow (and resume) over SSE.
//!
//! * [`Backend`] is the seam: [`SqlBackend`] keeps everything in the SQL store (SQLite with
//!   group commit, or PostgreSQL with `SKIP LOCKED`); [`NatsBackend`] dispatches through NATS
//!   JetStream and keeps state in SQL. One conformance suite runs on all three.
//! * [`Jobs`] is the handle the API layer calls (enqueue, owner-scoped queries, cancel, retry);
//!   [`UserQueues`] is the pull-queue API for users' apps; [`Worker`] runs handlers.
//! * [`Metrics`] registers the engine's Prometheus metrics.
//!
//! Boundary: no web framework and no knowledge of users beyond an owner id string; ownership
//! is always a parameter ([`Scope`]).

mod backend;
mod error;
mod events;
mod jobs;
mod metrics;
mod model;
mod nats;
mod query;
mod queues;
mod retry;
pub mod sql;
#[cfg(feature = "testing")]
pub mod testing;
mod worker;

pub use backend::{Backend, Claimed, Lease, LeaseState, Outcome, Report};
pub use error::{Error, Result};
pub use events::{EventKind, JobEvent};
pub use jobs::Jobs;
pub use metrics::Metrics;
pub use model::{
    AttemptError, DEFAULT_QUEUE, Enqueued, Job, JobId, JobStatus, NewJob, duration_ms, now_ms,
    validate_queue,
};
pub use nats::{NatsBackend, NatsConfig};
pub use query::{
    CancelOutcome, JobFilter, JobPage, LeasedMessage, OutgoingMessage, QueueDepth, RetryOutcome,
    Scope,
};
pub use queues::{LeaseRequest, MAX_BATCH, MAX_BODY_BYTES, MAX_VISIBILITY, MAX_WAIT, UserQueues};
pub use retry::RetryPolicy;
pub use sql::{SqlBackend, SqlConfig, SqliteDurability};
pub use worker::{JobContext, JobError, Worker, WorkerConfig};
