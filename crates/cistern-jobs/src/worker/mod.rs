//! [`Worker`]: runs registered handlers for the jobs of its queues.
//!
//! Each queue has its own loop: it holds at most `concurrency` handlers running at once, claims
//! in batches (free slots plus `prefetch`), and records completions asynchronously so a slot is
//! free as soon as its handler returns. Every spawned task is tracked; [`Worker::run`] returns
//! only when all of them have ended. On shutdown the worker stops claiming, gives back claimed
//! jobs it has not started, lets running handlers finish for `shutdown_grace`, then cancels their
//! context and gives back those that still have not returned (without counting the attempt).

mod context;
mod run;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use context::{JobContext, JobError};

use crate::error::Result;
use crate::jobs::Jobs;
use crate::retry::RetryPolicy;

type BoxFuture = Pin<Box<dyn Future<Output = Result<Value, JobError>> + Send>>;
type Handler = Arc<dyn Fn(JobContext, Value) -> BoxFuture + Send + Sync>;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The queues this worker serves, each with how many handlers may run at once here.
    pub queues: BTreeMap<String, usize>,
    /// The lease (visibility timeout) of a claimed job.
    pub lease: Duration,
    /// How often a running job's lease is extended (well under `lease`).
    pub heartbeat: Duration,
    /// How often an idle queue looks for work that other processes enqueued (this process's
    /// enqueues wake it at once).
    pub poll_interval: Duration,
    /// Jobs claimed beyond the free slots, so a fast queue is not bound by one claim round trip
    /// per job. They are leased while they wait, so keep it small for slow jobs.
    pub prefetch: usize,
    /// Retry timing.
    pub retry: RetryPolicy,
    /// How long running handlers may finish after shutdown begins.
    pub shutdown_grace: Duration,
    /// How often the queue depth gauges are refreshed; `None` never.
    pub depth_interval: Option<Duration>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            queues: BTreeMap::from([(crate::model::DEFAULT_QUEUE.to_owned(), 8)]),
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_secs(10),
            poll_interval: Duration::from_millis(500),
            prefetch: 8,
            retry: RetryPolicy::default(),
            shutdown_grace: Duration::from_secs(10),
            depth_interval: Some(Duration::from_secs(5)),
        }
    }
}

/// A set of handlers and the queues to serve. Build, register handlers, then [`Worker::run`].
pub struct Worker {
    jobs: Jobs,
    config: WorkerConfig,
    handlers: HashMap<String, Handler>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.handlers.keys().collect();
        names.sort();
        f.debug_struct("Worker")
            .field("config", &self.config)
            .field("handlers", &names)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker with no handlers yet.
    pub fn new(jobs: Jobs, config: WorkerConfig) -> Self {
        Worker {
            jobs,
            config,
            handlers: HashMap::new(),
        }
    }

    /// Registers the handler of jobs named `name`. The payload is deserialized into `P` (use
    /// `serde_json::Value` to take it as is); a payload that does not fit fails the job
    /// permanently.
    pub fn handle<P, F, Fut>(mut self, name: impl Into<String>, handler: F) -> Self
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(JobContext, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, JobError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let erased: Handler = Arc::new(move |ctx, payload| {
            let handler = handler.clone();
            Box::pin(async move {
                let payload: P = serde_json::from_value(payload)
                    .map_err(|e| JobError::permanent(format!("payload does not fit: {e}")))?;
                handler(ctx, payload).await
            })
        });
        self.handlers.insert(name.into(), erased);
        self
    }

    /// Runs until `cancel` fires, then shuts down gracefully (see the module doc) and returns
    /// once every task it spawned has ended.
    pub async fn run(self, cancel: CancellationToken) -> Result<()> {
        for queue in self.config.queues.keys() {
            crate::model::validate_queue(queue)?;
        }
        let tracker = TaskTracker::new();
        let shared = Arc::new(run::Shared {
            jobs: self.jobs,
            handlers: self.handlers,
            config: self.config,
            tracker: tracker.clone(),
            shutdown: cancel.clone(),
        });
        for (queue, &concurrency) in &shared.config.queues {
            tracker.spawn(run::queue_loop(
                shared.clone(),
                queue.clone(),
                concurrency.max(1),
            ));
        }
        if let Some(every) = shared.config.depth_interval {
            tracker.spawn(run::depth_loop(shared.clone(), every));
        }
        cancel.cancelled().await;
        tracker.close();
        tracker.wait().await;
        Ok(())
    }
}
