//! The engine of a build without the `local-model` feature: a configured model is an error
//! saying how to build one that has it.

use std::path::Path;

use tokio::sync::{OwnedSemaphorePermit, mpsc};

use super::prompt::Plan;
use crate::error::Error;
use crate::types::StreamEvent;

/// A generation request (never run in this build).
pub(super) struct Job {
    pub plan: Plan,
    pub events: mpsc::Sender<Result<StreamEvent, Error>>,
    pub permit: OwnedSemaphorePermit,
}

/// No engine.
pub(super) struct Engine;

impl Engine {
    pub(super) fn start(path: &Path, _: u32, _: u32, _: u32) -> Result<Self, Error> {
        Err(Error::Config(format!(
            "[llm.local] model is set ({}), but this build has no local model: build with \
             `--features local-model` (scripts/serve.sh does)",
            path.display()
        )))
    }

    pub(super) fn submit(&self, job: Job) -> Result<(), Error> {
        drop((job.plan, job.events, job.permit));
        Err(Error::Unavailable("this build has no local model".into()))
    }

    pub(super) fn context(&self) -> u32 {
        0
    }

    pub(super) fn parameters(&self) -> u64 {
        0
    }
}
