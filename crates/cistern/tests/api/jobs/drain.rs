//! Shutdown drains the server's worker: a job still running when the grace period ends is given
//! back (its attempt not counted) and the next start runs it to completion.

use cistern::platform::jobs::Handlers;
use cistern_jobs::{JobContext, JobError, JobId, NewJob, Scope};
use serde_json::{Value, json};

use super::enqueue;
use crate::helpers::TestApp;

#[tokio::test]
async fn a_job_running_at_shutdown_is_given_back_and_runs_after_restart() {
    // First life: the handler never finishes on its own, only when its context is cancelled.
    let stubborn = Handlers::new().handle("render", |ctx: JobContext, _p: Value| async move {
        ctx.progress(5, Some("started")).await?;
        ctx.cancellation().cancelled().await;
        Err::<Value, _>(JobError::Cancelled)
    });
    let app = TestApp::builder()
        .config(|c| c.jobs.shutdown_grace_secs = 1)
        .handlers(stubborn)
        .spawn()
        .await;
    let user = app.register("drain@example.com").await;
    let id = enqueue(&app, &user.user_id, NewJob::new("render", json!({}))).await;
    let job_id = JobId::parse(&id).expect("id");
    let jobs = app.state.jobs.clone();
    for _ in 0..200 {
        let job = jobs
            .get(Scope::All, &job_id)
            .await
            .expect("get")
            .expect("job");
        if job.status == cistern_jobs::JobStatus::Running {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let database_url = app.state.config.database.url.clone();
    // Stops within TestApp's bound although the handler would run forever.
    let data_dir = app.stop().await;

    // Second life: the same stores, a handler that finishes.
    let finishing = Handlers::new().handle("render", |_ctx: JobContext, _p: Value| async move {
        Ok(json!({ "rendered": true }))
    });
    let app = TestApp::builder()
        .data_dir(data_dir)
        .config(move |c| c.database.url = database_url)
        .handlers(finishing)
        .spawn()
        .await;
    let jobs = app.state.jobs.clone();
    let mut last = None;
    for _ in 0..200 {
        let job = jobs
            .get(Scope::All, &job_id)
            .await
            .expect("get")
            .expect("job");
        if job.status.is_terminal() {
            last = Some(job);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let job = last.expect("the job finished after the restart");
    assert_eq!(job.status, cistern_jobs::JobStatus::Succeeded);
    assert_eq!(job.result, Some(json!({ "rendered": true })));
    assert_eq!(
        job.attempts, 1,
        "the attempt cut short by shutdown was not counted"
    );
    assert!(job.errors.is_empty(), "{:?}", job.errors);
    app.stop().await;
}
