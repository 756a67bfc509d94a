//! The registry of job handlers: what a job named `n` does.
//!
//! Apps register their handlers through their `App::jobs` (`crate::apps::handlers` collects
//! them); every process that runs workers — `cistern serve` and `cistern worker` —
//! installs the same set, so any of them can run any job. Tests add their own with
//! [`Handlers::handle`].

use std::future::Future;

use cistern_jobs::{JobContext, JobError, Worker};
use serde::de::DeserializeOwned;
use serde_json::Value;

type Registration = Box<dyn FnOnce(Worker) -> Worker + Send>;

/// Handlers waiting to be installed on a [`Worker`].
#[derive(Default)]
pub struct Handlers {
    names: Vec<String>,
    registrations: Vec<Registration>,
}

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handlers")
            .field("names", &self.names)
            .finish()
    }
}

impl Handlers {
    /// No handlers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the handler of jobs named `name` (see [`Worker::handle`]: the payload is
    /// deserialized into `P`; a payload that does not fit fails the job permanently).
    pub fn handle<P, F, Fut>(mut self, name: impl Into<String>, handler: F) -> Self
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(JobContext, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, JobError>> + Send + 'static,
    {
        let name = name.into();
        self.names.push(name.clone());
        self.registrations
            .push(Box::new(move |worker: Worker| worker.handle(name, handler)));
        self
    }

    /// Adds every handler of `other` (later registrations of a name win).
    pub fn merge(mut self, other: Handlers) -> Self {
        self.names.extend(other.names);
        self.registrations.extend(other.registrations);
        self
    }

    /// The registered job names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Installs every handler on `worker`.
    pub fn install(self, worker: Worker) -> Worker {
        self.registrations
            .into_iter()
            .fold(worker, |worker, register| register(worker))
    }
}
