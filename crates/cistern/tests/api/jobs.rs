//! The job and queue API through the real application: `/api/v1/jobs…` (list, get, the SSE event
//! stream, cancel, retry) and `/api/v1/queues…` (send, lease, ack, nack, depths), each owner-checked;
//! validation; the long poll against the request timeout; metrics; and, through the binary, that an
//! acknowledged enqueue survives a SIGKILL and that `cistern worker` stops gracefully.

mod api;
mod binary;
mod drain;
mod queues;
mod sse;

use cistern_jobs::NewJob;
use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;

/// A queue no worker of the test app serves: jobs there stay `queued`.
pub const IDLE_QUEUE: &str = "idle";

/// Enqueues a job owned by `owner` straight through the engine (the API has no job enqueue:
/// apps enqueue their own jobs), returning its id.
pub async fn enqueue(app: &TestApp, owner: &str, job: NewJob) -> String {
    app.state
        .jobs
        .enqueue(job.owner(owner))
        .await
        .expect("enqueue")
        .id
        .to_string()
}

/// Polls `GET /api/v1/jobs/{id}` until `done(job)` holds (bounded: 20 s).
pub async fn wait_for(
    app: &TestApp,
    token: &str,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("/api/v1/jobs/{id}");
    for _ in 0..200 {
        let job = app.call_json(Method::GET, &path, token, None, 200).await;
        if done(&job) {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("job {id} never reached the expected state");
}
