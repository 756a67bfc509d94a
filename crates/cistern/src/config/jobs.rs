//! `[jobs]`: the job engine — where jobs live, and how this process's workers run them.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Secret;

/// Where jobs are dispatched from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum JobsBackend {
    /// Claimed straight from the SQL store (SQLite or PostgreSQL): nothing else to run.
    #[default]
    Sql,
    /// Dispatched through NATS JetStream (`[jobs.nats]`); state stays in the SQL store.
    Nats,
}

/// How SQLite commits job writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum JobsDurability {
    /// fsync on every (group) commit: an acknowledged enqueue survives power loss.
    #[default]
    Full,
    /// Commits reach the OS (survive a process kill), fsynced at checkpoints only.
    Normal,
}

/// `[jobs]`: the job engine.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// `sql` or `nats`.
    pub backend: JobsBackend,
    /// `cistern serve` also runs workers; `false` leaves them to `cistern worker` processes.
    pub serve_runs_workers: bool,
    /// The queues this process's workers serve, each with how many handlers may run at once.
    pub queues: BTreeMap<String, usize>,
    /// A claimed job's lease (visibility timeout), in seconds; heartbeats extend it.
    pub lease_secs: u64,
    /// How often a running job's lease is extended, in seconds (well under `lease_secs`).
    pub heartbeat_secs: u64,
    /// How often an idle worker looks for jobs enqueued by other processes, and an open job
    /// event stream for events written by other processes, in milliseconds (this process's
    /// own enqueues and events wake them at once).
    pub poll_interval_ms: u64,
    /// Jobs a worker claims beyond its free slots.
    pub prefetch: usize,
    /// First retry delay (before jitter), in milliseconds; doubles each attempt.
    pub retry_base_ms: u64,
    /// Longest retry delay, in seconds.
    pub retry_max_secs: u64,
    /// How long running jobs may finish at shutdown before they are given back, in seconds.
    pub shutdown_grace_secs: u64,
    /// Finished jobs and messages are deleted this long after they finish, in seconds;
    /// 0 keeps them forever.
    pub retention_secs: u64,
    /// How often retention runs, in seconds.
    pub prune_interval_secs: u64,
    /// How often the queue depth metrics are refreshed, in seconds.
    pub depth_interval_secs: u64,
    /// SQLite only: `full` (fsync per group commit) or `normal`.
    pub sqlite_durability: JobsDurability,
    /// Most writes one transaction (one fsync) carries.
    pub max_batch: usize,
    /// NATS JetStream dispatch (`backend = "nats"`).
    pub nats: JobsNatsConfig,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            backend: JobsBackend::Sql,
            serve_runs_workers: true,
            // The coding agent's tasks have a queue of their own: long model conversations do
            // not hold every slot of the default queue.
            queues: BTreeMap::from([
                (cistern_jobs::DEFAULT_QUEUE.to_owned(), 8),
                (crate::apps::agent::QUEUE.to_owned(), 4),
            ]),
            lease_secs: 30,
            heartbeat_secs: 10,
            poll_interval_ms: 500,
            prefetch: 8,
            retry_base_ms: 1_000,
            retry_max_secs: 600,
            shutdown_grace_secs: 10,
            retention_secs: 7 * 24 * 3600,
            prune_interval_secs: 60,
            depth_interval_secs: 5,
            sqlite_durability: JobsDurability::Full,
            max_batch: 4096,
            nats: JobsNatsConfig::default(),
        }
    }
}

/// `[jobs.nats]`: the JetStream backend.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsNatsConfig {
    /// `nats://[USER:PASSWORD@]HOST:PORT`; empty means `nats://127.0.0.1:4222`. Masked when
    /// printed (it may carry credentials).
    pub url: Secret,
    /// The stream's name and subject prefix (`[A-Za-z0-9_-]`).
    pub prefix: String,
    /// Stream replicas (3 on a cluster).
    pub replicas: usize,
    /// How often unclaimed queued jobs are dispatched again, in seconds.
    pub reconcile_interval_secs: u64,
    /// How long a due job may stay unclaimed before it is republished, in seconds.
    pub stale_after_secs: u64,
}

impl Default for JobsNatsConfig {
    fn default() -> Self {
        let d = cistern_jobs::NatsConfig::default();
        Self {
            url: Secret::default(),
            prefix: d.prefix,
            replicas: d.replicas,
            reconcile_interval_secs: d.reconcile_interval.as_secs(),
            stale_after_secs: d.stale_after.as_secs(),
        }
    }
}

impl JobsConfig {
    /// Checks values that parse but cannot work; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        if self.queues.is_empty() {
            return Err("jobs.queues must name at least one queue".into());
        }
        for (queue, &n) in &self.queues {
            if cistern_jobs::validate_queue(queue).is_err() {
                return Err(format!(
                    "jobs.queues: {queue:?} is not 1 to 64 of [A-Za-z0-9_-]"
                ));
            }
            if n == 0 {
                return Err(format!("jobs.queues.{queue} must be at least 1"));
            }
        }
        if self.lease_secs == 0
            || self.heartbeat_secs == 0
            || self.heartbeat_secs >= self.lease_secs
        {
            return Err(
                "jobs.heartbeat_secs must be greater than 0 and less than jobs.lease_secs".into(),
            );
        }
        for (key, value) in [
            ("poll_interval_ms", self.poll_interval_ms),
            ("retry_base_ms", self.retry_base_ms),
            ("retry_max_secs", self.retry_max_secs),
            ("prune_interval_secs", self.prune_interval_secs),
            ("depth_interval_secs", self.depth_interval_secs),
        ] {
            if value == 0 {
                return Err(format!("jobs.{key} must be greater than 0"));
            }
        }
        if self.max_batch == 0 {
            return Err("jobs.max_batch must be greater than 0".into());
        }
        if self.backend == JobsBackend::Nats {
            let nats = &self.nats;
            if !nats.url.is_empty() && !nats.url.expose().starts_with("nats://") {
                return Err("jobs.nats.url must start with nats://".into());
            }
            if cistern_jobs::validate_queue(&nats.prefix).is_err() {
                return Err("jobs.nats.prefix must be 1 to 64 of [A-Za-z0-9_-]".into());
            }
            if nats.replicas == 0 || nats.reconcile_interval_secs == 0 || nats.stale_after_secs == 0
            {
                return Err(
                    "jobs.nats.replicas, reconcile_interval_secs and stale_after_secs must be greater than 0"
                        .into(),
                );
            }
        }
        Ok(())
    }

    /// The SQL store settings of the engine.
    pub fn sql(&self) -> cistern_jobs::SqlConfig {
        cistern_jobs::SqlConfig {
            durability: match self.sqlite_durability {
                JobsDurability::Full => cistern_jobs::SqliteDurability::Full,
                JobsDurability::Normal => cistern_jobs::SqliteDurability::Normal,
            },
            max_batch: self.max_batch,
            retention: (self.retention_secs > 0).then(|| Duration::from_secs(self.retention_secs)),
            prune_interval: Duration::from_secs(self.prune_interval_secs),
            ..cistern_jobs::SqlConfig::default()
        }
    }

    /// The JetStream settings.
    pub fn nats(&self) -> cistern_jobs::NatsConfig {
        let defaults = cistern_jobs::NatsConfig::default();
        cistern_jobs::NatsConfig {
            url: if self.nats.url.is_empty() {
                defaults.url
            } else {
                self.nats.url.expose().to_owned()
            },
            prefix: self.nats.prefix.clone(),
            replicas: self.nats.replicas,
            reconcile_interval: Duration::from_secs(self.nats.reconcile_interval_secs),
            stale_after: Duration::from_secs(self.nats.stale_after_secs),
        }
    }

    /// The settings of this process's worker.
    pub fn worker(&self) -> cistern_jobs::WorkerConfig {
        cistern_jobs::WorkerConfig {
            queues: self.queues.clone(),
            lease: Duration::from_secs(self.lease_secs),
            heartbeat: Duration::from_secs(self.heartbeat_secs),
            poll_interval: Duration::from_millis(self.poll_interval_ms),
            prefetch: self.prefetch,
            retry: cistern_jobs::RetryPolicy {
                base: Duration::from_millis(self.retry_base_ms),
                max: Duration::from_secs(self.retry_max_secs),
            },
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
            depth_interval: Some(Duration::from_secs(self.depth_interval_secs)),
        }
    }
}
