//! A synchronous request waits for its generation's job: woken when this process records a
//! generation's end, by the job store's write signal (this process's writes), or a poll (other
//! processes' writes), until the row is finished, the job ended without finishing it, or `codegen.sync_timeout_secs` passed.
//! The job runs the same either way, so a client that disconnects loses nothing.

use std::time::Duration;

use cistern_jobs::{JobId, Scope};
use cistern_store::{Generation, VersionStatus};
use tokio::time::Instant;

use super::domain::{Error, Result, Started};
use super::{Codegen, views};

impl Codegen {
    /// The finished generation of `started`, or why there is none: [`Error::Failed`] (with the
    /// stored reason) or [`Error::StillRunning`] when the wait ran out.
    pub async fn wait(&self, owner: &str, started: &Started) -> Result<Generation> {
        let deadline = Instant::now() + Duration::from_secs(self.config().sync_timeout_secs);
        let poll = Duration::from_millis(200);
        let job_id = JobId::parse(&started.job_id)?;
        let mut written = self.jobs.write_signal();
        let mut ended = self.shared.finished.subscribe();
        loop {
            // Mark the writes seen before reading, so one committed meanwhile still wakes us.
            written.borrow_and_update();
            ended.borrow_and_update();
            let generation = self.get(owner, &started.generation_id).await?;
            match generation.status {
                VersionStatus::Ready => return Ok(generation),
                VersionStatus::Failed => return Err(failed(&generation)),
                VersionStatus::Pending => {}
            }
            let job = self.jobs.get(Scope::Owner(owner), &job_id).await?;
            if let Some(job) = job.filter(|j| j.status.is_terminal()) {
                // The job ended without recording an outcome (cancelled, or its last attempt
                // lost): read the row once more, then report the job's own end.
                let generation = self.get(owner, &started.generation_id).await?;
                if generation.status != VersionStatus::Pending {
                    continue;
                }
                let reason = job.errors.last().map_or_else(
                    || format!("the job ended as {}", job.status.as_str()),
                    |e| e.error.clone(),
                );
                return Err(Error::Failed {
                    generation_id: started.generation_id.clone(),
                    job_id: started.job_id.clone(),
                    kind: "job".to_owned(),
                    reason,
                });
            }
            if Instant::now() >= deadline {
                return Err(Error::StillRunning {
                    generation_id: started.generation_id.clone(),
                    job_id: started.job_id.clone(),
                });
            }
            tokio::select! {
                changed = written.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep(poll).await;
                    }
                }
                _ = ended.changed() => {}
                () = tokio::time::sleep(poll) => {}
                () = tokio::time::sleep_until(deadline) => {}
            }
        }
    }
}

/// The failure a failed row records.
pub(super) fn failed(generation: &Generation) -> Error {
    let kind = views::stored_result(generation)
        .and_then(|r| r.error_kind)
        .unwrap_or_else(|| "failed".to_owned());
    Error::Failed {
        generation_id: generation.id.clone(),
        job_id: generation.job_id.clone(),
        kind,
        reason: generation
            .error
            .clone()
            .unwrap_or_else(|| "the generation failed".to_owned()),
    }
}

/// How a generate request ended.
#[derive(Debug)]
pub enum Generated {
    /// Asynchronous: the generation and its job, still running.
    Accepted(Started),
    /// The finished generation; `cached` when the result cache answered.
    Finished {
        /// The row.
        generation: Generation,
        /// Answered from the cache.
        cached: bool,
    },
}

impl Codegen {
    /// A generation for `input`: the cached one when the result cache has it (no job, no
    /// model call), else a new one started — and, unless `run_async`, waited for.
    pub async fn generate(
        &self,
        owner: &str,
        input: super::domain::NewGeneration,
        run_async: bool,
    ) -> Result<Generated> {
        let (prompt, request) = self.parse(input)?;
        if let Some(generation) = self.cached(owner, &request).await? {
            return Ok(Generated::Finished {
                generation,
                cached: true,
            });
        }
        let started = self.start(owner, prompt, request).await?;
        if run_async {
            return Ok(Generated::Accepted(started));
        }
        let generation = self.wait(owner, &started).await?;
        Ok(Generated::Finished {
            generation,
            cached: false,
        })
    }
}
