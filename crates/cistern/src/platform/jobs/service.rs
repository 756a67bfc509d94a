//! The processes that run jobs: the workers inside `cistern serve`, and `cistern worker`.
//!
//! Architecture invariant: every task here is spawned on a [`TaskTracker`] its owner waits on,
//! and the job backend is closed only after the workers have drained (running jobs finished or
//! given back without using up an attempt).

use std::time::Duration;

use anyhow::Context;
use cistern_jobs::{Jobs, Worker};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::Handlers;
use crate::config::Config;
use crate::state::AppState;

/// Starts, on `tasks`, what `cistern serve` runs beside HTTP until `stop` fires: this
/// process's workers (unless `jobs.serve_runs_workers = false`) and the queue depth refresher
/// behind the `/metrics` gauges.
pub fn spawn_in_server(
    tasks: &TaskTracker,
    state: &AppState,
    handlers: Handlers,
    stop: CancellationToken,
) {
    let config = &state.config.jobs;
    if config.serve_runs_workers {
        let mut worker_config = config.worker();
        // The server refreshes the gauges itself, workers or not.
        worker_config.depth_interval = None;
        let worker = handlers.install(Worker::new(state.jobs.clone(), worker_config));
        tasks.spawn(run_worker(worker, stop.clone()));
    }
    let every = Duration::from_secs(config.depth_interval_secs);
    tasks.spawn(refresh_depths(state.jobs.clone(), every, stop));
}

async fn run_worker(worker: Worker, stop: CancellationToken) {
    if let Err(error) = worker.run(stop).await {
        tracing::error!(%error, "job worker failed");
    }
}

/// Sets the queue depth gauges every `every` until `stop`.
async fn refresh_depths(jobs: Jobs, every: Duration, stop: CancellationToken) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        match jobs.depths().await {
            Ok(depths) => jobs.metrics().set_depths(&depths),
            Err(error) => tracing::warn!(%error, "cannot read the queue depths"),
        }
    }
}

/// `cistern worker`: workers only, no HTTP. Any number of them may run, on any machine that
/// shares the stores.
pub struct WorkerProcess {
    state: AppState,
    handlers: Handlers,
}

impl WorkerProcess {
    /// Opens the stores and the job engine, and gathers the handlers.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let state = crate::app::open_state(config).await?;
        let handlers = crate::apps::handlers(&state);
        Ok(Self { state, handlers })
    }

    /// Adds handlers (tests).
    pub fn with_handlers(mut self, handlers: Handlers) -> Self {
        self.handlers = self.handlers.merge(handlers);
        self
    }

    /// The queues served and the handlers installed, for the start-up line.
    pub fn describe(&self) -> String {
        let queues: Vec<String> = self
            .state
            .config
            .jobs
            .queues
            .iter()
            .map(|(q, n)| format!("{q}×{n}"))
            .collect();
        format!(
            "queues {} with {} handler(s)",
            queues.join(", "),
            self.handlers.names().len()
        )
    }

    /// Runs the workers until `shutdown`, drains them, then closes the stores.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let worker = self.handlers.install(Worker::new(
            self.state.jobs.clone(),
            self.state.config.jobs.worker(),
        ));
        let outcome = worker.run(shutdown).await.context("job worker failed");
        // Handlers are done: the apps, the call-log writer and the stores close in order.
        self.state.close().await;
        tracing::info!("worker stopped");
        outcome
    }
}
